"""Every crossing point sits on the border between its two countries, on our own boundaries.

Checked against the committed outlines (``geo/data``), which is what the map draws: a
crossing drawn 10 km inside one country would mislead a case meeting. The tolerance is
5 km: the outlines are simplified to about 1 km, and a checkpoint's coordinates are
those of the nearest town or village (``threatmon/registry/data/README.md``); today the
farthest point is 4.6 km away (Izov, UA–PL), the median 1.4 km.
"""

import geopandas as gpd
import pytest

from geo import boundaries
from threatmon.registry.crossing_points import load_crossing_points

TOLERANCE_KM = 5.0


@pytest.fixture(scope="module")
def distances():
    points = load_crossing_points()
    outlines = boundaries.context().to_crs("EPSG:3035").set_index("iso2")["geometry"]
    located = gpd.GeoSeries(
        gpd.points_from_xy(points["longitude"].astype(float), points["latitude"].astype(float)),
        crs="EPSG:4326",
    ).to_crs("EPSG:3035")
    rows = {}
    for (_, row), point in zip(points.iterrows(), located, strict=True):
        rows[row["crossing_point_id"]] = (
            outlines[row["country_a"]].distance(point) / 1000,
            outlines[row["country_b"]].distance(point) / 1000,
        )
    return rows


def test_every_country_of_a_crossing_has_an_outline():
    points = load_crossing_points()
    iso2 = set(boundaries.context()["iso2"])
    assert set(points["country_a"]) | set(points["country_b"]) <= iso2


def test_every_crossing_lies_on_the_border_of_both_its_countries(distances):
    far = {
        point: (round(a, 1), round(b, 1))
        for point, (a, b) in distances.items()
        if max(a, b) > TOLERANCE_KM
    }
    assert far == {}, f"crossing points more than {TOLERANCE_KM} km from a side: {far}"


def test_the_border_check_would_catch_a_point_placed_inland():
    # Chișinău, in the middle of Moldova, is tens of kilometres from Romania.
    outlines = boundaries.context().to_crs("EPSG:3035").set_index("iso2")["geometry"]
    inland = gpd.GeoSeries(gpd.points_from_xy([28.86], [47.01]), crs="EPSG:4326")
    point = inland.to_crs("EPSG:3035").iloc[0]
    assert outlines["MD"].distance(point) == 0
    assert outlines["RO"].distance(point) / 1000 > 30 > TOLERANCE_KM
