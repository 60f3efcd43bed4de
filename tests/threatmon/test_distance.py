"""Tests for threatmon.distance: known distances, broadcasting and metric properties."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from threatmon.distance import EARTH_RADIUS_KM, distance_matrix_km, haversine_km

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.tuples(latitudes, longitudes)


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [
        ((47.0105, 28.8638), (50.4501, 30.5234), 401),  # Chișinău–Kyiv
        ((52.2297, 21.0122), (44.4268, 26.1025), 946),  # Warsaw–Bucharest
        ((0.0, 0.0), (0.0, 1.0), 111),  # one degree on the equator
        ((10.0, 20.0), (10.0, 20.0), 0),
    ],
)
def test_known_distances(a, b, expected_km):
    """Distances between well-known places match published great-circle values."""
    assert haversine_km(*a, *b) == pytest.approx(expected_km, abs=1)


def test_antipodes_are_half_the_circumference():
    """Rounding near h = 1 must not produce NaN."""
    assert haversine_km(45.0, 30.0, -45.0, -150.0) == pytest.approx(np.pi * EARTH_RADIUS_KM)


def test_broadcasting_and_matrix_agree():
    """The matrix helper equals explicit broadcasting and has shape (len(a), len(b))."""
    lat_a, lon_a = np.array([47.0, 48.0, 49.0]), np.array([28.0, 29.0, 30.0])
    lat_b, lon_b = np.array([50.0, 51.0]), np.array([24.0, 25.0])
    matrix = distance_matrix_km(lat_a, lon_a, lat_b, lon_b)
    assert matrix.shape == (3, 2)
    np.testing.assert_allclose(matrix, haversine_km(lat_a[:, None], lon_a[:, None], lat_b, lon_b))
    assert matrix[1, 0] == pytest.approx(haversine_km(48.0, 29.0, 50.0, 24.0))


def test_nan_propagates():
    """A missing coordinate gives a missing distance, not zero."""
    assert np.isnan(haversine_km(np.nan, 0.0, 0.0, 0.0))


def test_does_not_mutate_arguments():
    """Inputs are read, never changed (the function is pure)."""
    lat = np.array([47.0, 48.0])
    before = lat.copy()
    haversine_km(lat, lat, lat, lat)
    np.testing.assert_array_equal(lat, before)


@given(points, points)
def test_symmetric_and_bounded(a, b):
    """d(a, b) = d(b, a) and 0 <= d <= half the circumference."""
    forward = float(haversine_km(*a, *b))
    assert forward == pytest.approx(float(haversine_km(*b, *a)), abs=1e-6)
    assert 0.0 <= forward <= np.pi * EARTH_RADIUS_KM + 1e-6


@given(points, points, points)
def test_triangle_inequality(a, b, c):
    """Great-circle distance is a metric."""
    ab = float(haversine_km(*a, *b))
    bc = float(haversine_km(*b, *c))
    ac = float(haversine_km(*a, *c))
    assert ac <= ab + bc + 1e-6
