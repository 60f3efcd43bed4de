"""Points placed in the committed admin-1 boundaries: inside, on a border, near and far."""

import numpy as np
import pytest
import shapely

from data_loaders.normalise.placement import (
    CHECK_HINT,
    DEGREE_CELL,
    Placement,
    _project,
    _regions,
    confirmed_in_stated,
    degree_cells,
    place_points,
)
from threatmon.rules import PLACEMENT_MISMATCH_KM, PLACEMENT_SNAP_KM


def _place(lat, lon, country=None, stated=None):
    key = (lat, lon, country, stated)
    return place_points([key])[key]


def test_the_thresholds_are_the_documented_ones():
    assert (PLACEMENT_SNAP_KM, PLACEMENT_MISMATCH_KM) == (5, 25)


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (47.0105, 28.8638, "MD-CU"),  # Chișinău
        (46.4825, 30.7233, "UA-51"),  # Odesa
        (44.4268, 26.1025, "RO-B"),  # Bucharest
        (52.2297, 21.0122, "PL-14"),  # Warsaw
        (56.9496, 24.1052, "LV-RIX"),  # Riga
        (41.7151, 44.8271, "GE-TB"),  # Tbilisi
        (44.6166, 33.5254, "UA-40"),  # Sevastopol: Ukraine
        (46.8403, 29.6433, "MD-SN"),  # Tiraspol: Moldova
    ],
)
def test_a_point_inside_a_region_is_placed_there(lat, lon, code):
    assert _place(lat, lon) == Placement(code)


def test_a_point_on_a_shared_edge_goes_to_the_lower_code():
    # A vertex of the line Donetsk (UA-14) and Zaporizhzhia (UA-23) share.
    assert _place(47.80303, 36.57692) == Placement("UA-14")
    assert _place(47.80303, 36.57692, "UA") == Placement("UA-14")


def test_a_point_just_outside_snaps_to_the_nearest_region():
    assert _place(46.4, 30.8, "UA") == Placement("UA-51")  # 2 km off Odesa's drawn coast


def test_a_point_farther_out_is_outside_the_projects_countries():
    assert _place(46.36, 30.85) == Placement(
        None,
        "The coordinates (46.36, 30.85) lie outside the project's countries (the nearest "
        "region, UA-51 Odesa, is 7 km away).",
        CHECK_HINT,
    )
    assert _place(0.0, 0.0) == Placement(
        None, "The coordinates (0.0, 0.0) lie outside the project's countries.", CHECK_HINT
    )


def test_the_rows_country_limits_the_candidates():
    assert _place(47.0105, 28.8638, "MD") == Placement("MD-CU")
    assert _place(47.0105, 28.8638, "UA") == Placement(
        None,
        "The coordinates (47.0105, 28.8638) lie in MD-CU Chișinău (Moldova), not in Ukraine, "
        "the row's country.",
        "Check the coordinates and the country.",
    )


def test_a_stated_region_is_confirmed_within_the_tolerance_and_refused_beyond():
    assert _place(48.0159, 37.8028, "UA", "UA-14") == Placement("UA-14")  # inside
    assert _place(47.80303, 36.44, "UA", "UA-14") == Placement("UA-14")  # 10 km outside
    assert _place(47.3, 35.2, "UA", "UA-14") == Placement(
        None,
        "The coordinates (47.3, 35.2) lie 118 km outside UA-14 Donetsk, the row's region, in "
        "UA-23 Zaporizhzhia.",
        CHECK_HINT,
    )


def test_keys_are_distinct_and_an_empty_input_gives_nothing():
    keys = [(47.0105, 28.8638, None, None)] * 3
    assert list(place_points(keys)) == keys[:1]
    assert place_points([]) == {}


def test_the_cells_confirm_exactly_the_points_within_the_tolerance():
    # Points scattered over 2 degrees around Donetsk, each checked against four stated
    # regions near and far: the grid of confirmed cells must agree with measuring each one.
    rng = np.random.default_rng(16)
    lat = 48.0 + rng.uniform(-1.0, 1.0, 2000)
    lon = 37.8 + rng.uniform(-1.5, 1.5, 2000)
    stated = rng.choice(np.array(["UA-14", "UA-09", "UA-23", "MD-CU", None, "XX-1"]), 2000)
    geo = _regions()
    x, y = (np.asarray(v) for v in _project(lat, lon))
    expected = np.zeros(len(lat), dtype=bool)
    for i, code in enumerate(stated):
        if code in geo.codes:
            shape = geo.shapes[np.searchsorted(geo.codes, code)]
            point = shapely.Point(x[i], y[i])
            expected[i] = shapely.distance(shape, point) <= PLACEMENT_MISMATCH_KM * 1000
    assert 0 < expected.sum() < len(expected)
    assert (confirmed_in_stated(lat, lon, stated) == expected).all()


def test_every_point_of_a_degree_cell_is_confirmed_in_its_region():
    # The SQL side confirms a row by its cell alone, so each cell must hold only points
    # the exact measurement confirms: its corners, edge midpoints and random points inside.
    codes, ilat, ilon = degree_cells()
    assert len(codes) > 1000 and set(codes) >= {"UA-14", "UA-30", "MD-CU", "EE-37"}
    rng = np.random.default_rng(16)
    fractions = [(a, b) for a in (0.0, 0.5, 1.0) for b in (0.0, 0.5, 1.0)]
    fractions += [tuple(pair) for pair in rng.uniform(0.0, 1.0, (3, 2))]
    geo = _regions()
    shapes = geo.shapes[np.searchsorted(geo.codes, codes)]
    for a, b in fractions:
        x, y = (np.asarray(v) for v in _project((ilat + a) * DEGREE_CELL, (ilon + b) * DEGREE_CELL))
        gaps = shapely.distance(shapes, shapely.points(x, y))
        assert (gaps <= PLACEMENT_MISMATCH_KM * 1000).all()
    # A good file's points lie in such cells: most of a region's area is covered.
    inside = confirmed_in_stated(np.array([50.45]), np.array([30.52]), np.array(["UA-30"]))
    assert inside.all()
    assert ((codes == "UA-30") & (ilat == int(50.45 // DEGREE_CELL))).any()
