"""Tests for geo.weights: Queen contiguity with snapping, distance bands in km, islands joined."""

import re

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from geo.weights import contiguity_weights, distance_band_weights
from threatmon.distance import haversine_km

CELL = 0.1  # degrees; cells of ~11 km × ~7.6 km around Chișinău


def grid(rows: int, cols: int, *, shrink: float = 0.0, crs="EPSG:4326") -> gpd.GeoDataFrame:
    """A rows × cols grid of boxes named 'r{row}c{col}'; ``shrink`` opens gaps between them."""
    codes, shapes = [], []
    for row in range(rows):
        for col in range(cols):
            x0, y0 = 28.0 + col * CELL, 47.0 + row * CELL
            codes.append(f"r{row}c{col}")
            shapes.append(box(x0 + shrink, y0 + shrink, x0 + CELL - shrink, y0 + CELL - shrink))
    return gpd.GeoDataFrame({"region_code": codes}, geometry=shapes, crs=crs)


def with_region(frame: gpd.GeoDataFrame, code: str, shape) -> gpd.GeoDataFrame:
    extra = gpd.GeoDataFrame({"region_code": [code]}, geometry=[shape], crs=frame.crs)
    return gpd.GeoDataFrame(
        pd.concat([frame, extra], ignore_index=True), geometry="geometry", crs=frame.crs
    )


def points(coordinates: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Tiny boxes centred on (lat, lon), so representative points are the given places."""
    half = 1e-5
    return gpd.GeoDataFrame(
        {"region_code": list(coordinates)},
        geometry=[
            box(lon - half, lat - half, lon + half, lat + half) for lat, lon in coordinates.values()
        ],
        crs="EPSG:4326",
    )


def test_queen_contiguity_on_a_grid_counts_corners():
    """Inner cells have 8 neighbours, edge cells 5, corner cells 3; ids are the codes in order."""
    regions = grid(3, 3)
    weights = contiguity_weights(regions)
    assert weights.id_order == regions["region_code"].tolist()
    assert weights.cardinalities == {
        "r0c0": 3, "r0c1": 5, "r0c2": 3,
        "r1c0": 5, "r1c1": 8, "r1c2": 5,
        "r2c0": 3, "r2c1": 5, "r2c2": 3,
    }  # fmt: skip
    assert set(weights.neighbors["r0c0"]) == {"r0c1", "r1c0", "r1c1"}
    assert weights.transform == "O" and set(weights.weights["r1c1"]) == {1.0}


def test_hairline_gaps_are_bridged_by_the_snapping_tolerance():
    """Boxes 2 m apart are still neighbours at the default 0.5 km, not at snap_km=0."""
    regions = grid(3, 3, shrink=1e-5)  # ~1 m off each side, ~2 m gaps
    snapped = contiguity_weights(regions)
    assert snapped.cardinalities["r1c1"] == 8
    exact = contiguity_weights(regions, snap_km=0)
    # Without snapping every box is an island, then joined to its single nearest box.
    assert exact.cardinalities["r1c1"] < 8
    assert not exact.islands


def test_an_island_is_joined_to_its_nearest_region_both_ways():
    """A box 2° east of a 2×2 grid gets the nearest grid cell by centroid, and vice versa."""
    regions = with_region(grid(2, 2), "island", box(30.0, 47.0, 30.1, 47.1))
    weights = contiguity_weights(regions)
    assert weights.neighbors["island"] == ["r0c1"]  # same latitude, 1.9° west
    assert "island" in weights.neighbors["r0c1"]
    assert set(weights.neighbors["r1c1"]) == {"r0c0", "r0c1", "r1c0"}
    assert not weights.islands


def test_a_lone_region_of_a_country_far_from_the_rest_is_not_left_alone():
    """Two clusters that do not touch stay separate; only regions without any neighbour join."""
    pair = grid(1, 2)
    far_pair = grid(1, 2).assign(region_code=["x0", "x1"])
    far_pair = far_pair.set_geometry(far_pair.translate(xoff=3.0))
    regions = gpd.GeoDataFrame(
        pd.concat([pair, far_pair], ignore_index=True), geometry="geometry", crs=pair.crs
    )
    weights = contiguity_weights(regions)
    assert weights.neighbors == {
        "r0c0": ["r0c1"],
        "r0c1": ["r0c0"],
        "x0": ["x1"],
        "x1": ["x0"],
    }


def test_contiguity_works_from_a_projected_crs_too():
    """Regions in EPSG:3035 give the same neighbours as in EPSG:4326."""
    regions = grid(3, 3)
    projected = regions.to_crs("EPSG:3035")
    assert contiguity_weights(projected).neighbors == contiguity_weights(regions).neighbors


def test_distance_band_uses_great_circle_km():
    """Points one degree of longitude apart on the equator are 111.2 km apart."""
    places = {"a": (0.0, 0.0), "b": (0.0, 1.0), "c": (0.0, 3.0), "d": (0.0, 4.0)}
    b_to_c = float(haversine_km(0.0, 1.0, 0.0, 3.0))
    assert b_to_c == pytest.approx(222.39, abs=0.01)
    regions = points(places)
    short = distance_band_weights(regions, b_to_c - 0.5)
    assert short.neighbors == {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]}
    long = distance_band_weights(regions, b_to_c + 0.5)
    assert long.neighbors == {"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]}
    assert long.id_order == ["a", "b", "c", "d"]


def test_distance_band_joins_a_region_beyond_the_band_to_its_nearest():
    """A place 700 km from the rest is joined to the closest one only."""
    regions = points({"a": (0.0, 0.0), "b": (0.0, 1.0), "far": (0.0, 8.0)})
    weights = distance_band_weights(regions, 150)
    assert weights.neighbors == {"a": ["b"], "b": ["a", "far"], "far": ["b"]}


def test_builders_do_not_modify_the_regions():
    regions = with_region(grid(2, 3), "island", box(31.0, 47.0, 31.1, 47.1))
    before = regions.copy()
    contiguity_weights(regions)
    distance_band_weights(regions, 20)
    assert_geodataframe_equal(regions, before)


def test_a_custom_id_column_is_used():
    regions = grid(1, 2).rename(columns={"region_code": "code"})
    assert contiguity_weights(regions, "code").id_order == ["r0c0", "r0c1"]
    assert distance_band_weights(regions, 50, id_column="code").id_order == ["r0c0", "r0c1"]


@pytest.mark.parametrize(
    ("regions", "kwargs", "message"),
    [
        (grid(1, 1), {}, "Spatial weights need at least two regions. Got 1."),
        (grid(1, 2), {"id_column": "code"}, "`regions` has no column 'code'."),
        (
            grid(1, 2).assign(region_code=["A", "A"]),
            {},
            "Duplicate region codes in 'region_code': ['A'].",
        ),
        (
            grid(1, 2).assign(region_code=["A", None]),
            {},
            "Column 'region_code' has missing region codes.",
        ),
        (
            grid(1, 2).set_crs(None, allow_override=True),
            {},
            "`regions` has no CRS; set one (e.g. EPSG:4326) before building weights.",
        ),
        (grid(1, 2), {"snap_km": -1.0}, "`snap_km` must be a finite number >= 0. Got -1.0."),
    ],
)
def test_contiguity_rejects_bad_input_with_a_clear_message(regions, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        contiguity_weights(regions, **kwargs)


def test_missing_geometries_are_named():
    regions = grid(1, 3)
    regions.loc[1, "geometry"] = None
    with pytest.raises(ValueError, match=re.escape("Regions without a geometry: ['r0c1'].")):
        contiguity_weights(regions)


@pytest.mark.parametrize("threshold", [0, -5.0, float("nan"), float("inf")])
def test_distance_band_rejects_a_threshold_that_is_not_positive(threshold):
    message = f"`threshold_km` must be a positive finite number. Got {threshold!r}."
    with pytest.raises(ValueError, match=re.escape(message)):
        distance_band_weights(grid(1, 2), threshold)


def test_not_a_geodataframe_is_rejected():
    with pytest.raises(ValueError, match=re.escape("`regions` must be a GeoDataFrame. Got dict.")):
        contiguity_weights({"region_code": ["A"]})
