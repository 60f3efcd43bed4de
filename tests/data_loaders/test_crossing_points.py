"""The crossing-point registry is consistent with the region registry and geography."""

import math
import re
from importlib import resources

import pandas as pd
import pytest

from data_loaders.crossing_points import (
    COLUMNS,
    TYPES,
    crossing_point_ids,
    load_crossing_points,
)
from data_loaders.regions import NEIGHBOUR_COUNTRIES, PROJECT_COUNTRIES, country_of, load_regions

# Same rough boxes as the region tests, padded: a point may be taken from the town on the
# far side of the border.
BOUNDING_BOXES = {
    "MD": (45.4, 48.5, 26.6, 30.2),
    "UA": (44.3, 52.4, 22.1, 40.3),
    "RO": (43.6, 48.3, 20.2, 29.8),
    "PL": (49.0, 54.9, 14.1, 24.2),
    "HU": (45.7, 48.6, 16.1, 22.9),
    "SK": (47.7, 49.7, 16.8, 22.6),
    "EE": (57.5, 59.7, 21.7, 28.3),
    "LV": (55.6, 58.1, 20.9, 28.3),
    "LT": (53.8, 56.5, 20.9, 26.9),
    "GE": (41.0, 43.6, 40.0, 46.8),
}
PAD = 0.2

# The largest admin-1 units here (Odesa oblast, Lublin voivodeship) stretch about 200 km
# from their seat to the border; a point farther away sits in the wrong region.
MAX_KM_FROM_SEAT = 250


def km(lat1, lon1, lat2, lon2):
    p = math.pi / 180
    a = (
        math.sin((lat2 - lat1) * p / 2) ** 2
        + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    return load_crossing_points()


def test_file_is_plain_utf8_with_the_exact_header():
    raw = resources.files("data_loaders").joinpath("data", "crossing_points.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_columns_and_size(points):
    assert tuple(points.columns) == COLUMNS
    assert len(points) >= 35
    assert points["latitude"].dtype == "float64"


def test_ids_are_unique_stable_slugs(points):
    assert points["crossing_point_id"].is_unique
    for row in points.itertuples():
        assert re.fullmatch(r"[A-Z]{2}-[A-Z]{2}(-[A-Z0-9]+)+", row.crossing_point_id)
        assert row.crossing_point_id.startswith(f"{row.country_a}-{row.country_b}-")
    assert crossing_point_ids() == tuple(points["crossing_point_id"])


def test_countries_and_their_order(points):
    order = list(PROJECT_COUNTRIES)
    for row in points.itertuples():
        assert row.country_a in PROJECT_COUNTRIES, row.crossing_point_id
        assert row.country_b in PROJECT_COUNTRIES or row.country_b in NEIGHBOUR_COUNTRIES
        assert row.country_a != row.country_b
        if row.country_b in PROJECT_COUNTRIES:
            assert order.index(row.country_a) < order.index(row.country_b), row.crossing_point_id


def test_regions_belong_to_their_side(points):
    for row in points.itertuples():
        assert country_of(row.region_a) == row.country_a, row.crossing_point_id
        if row.country_b in PROJECT_COUNTRIES:
            assert country_of(row.region_b) == row.country_b, row.crossing_point_id
        else:
            assert row.region_b == "", row.crossing_point_id


def test_types_names_and_sources(points):
    assert set(points["type"]) <= set(TYPES)
    for column in ("name_en", "name_local", "source"):
        assert (points[column].str.strip() != "").all(), column
    assert points["source"].str.match(r"GeoNames |approximate: ").all()
    # Positions from knowledge are the exception, flagged in the source and the README.
    assert (points["source"].str.startswith("GeoNames ")).mean() >= 0.8


def test_positions_lie_at_the_border_of_their_region(points):
    seats = load_regions().set_index("region_code")
    for row in points.itertuples():
        lat_min, lat_max, lon_min, lon_max = BOUNDING_BOXES[row.country_a]
        assert lat_min - PAD <= row.latitude <= lat_max + PAD, row.crossing_point_id
        assert lon_min - PAD <= row.longitude <= lon_max + PAD, row.crossing_point_id
        seat = seats.loc[row.region_a]
        distance = km(row.latitude, row.longitude, seat["latitude"], seat["longitude"])
        assert distance <= MAX_KM_FROM_SEAT, (row.crossing_point_id, round(distance))


def test_main_crossings_are_present():
    ids = set(crossing_point_ids())
    assert {
        "MD-UA-PALANCA",
        "MD-UA-OTACI",
        "MD-UA-GIURGIULESTI",
        "MD-UA-PERVOMAISC",
        "MD-RO-LEUSENI",
        "MD-RO-SCULENI",
        "MD-RO-GIURGIULESTI",
        "MD-RO-UNGHENI",
        "UA-PL-SHEHYNI",
        "UA-PL-YAHODYN",
        "UA-PL-RAVA-RUSKA",
        "UA-PL-KRAKOVETS",
        "UA-SK-UZHHOROD",
        "UA-HU-CHOP",
        "UA-RO-PORUBNE",
        "UA-RO-ORLIVKA",
        "PL-BY-TERESPOL",
        "LT-BY-MEDININKAI",
        "LV-RU-TEREHOVA",
        "EE-RU-NARVA",
    } <= ids


def test_load_crossing_points_returns_an_independent_copy():
    first = load_crossing_points()
    first.loc[0, "latitude"] = 0.0
    first["type"] = "changed"
    second = load_crossing_points()
    assert second.loc[0, "latitude"] != 0.0
    assert set(second["type"]) <= set(TYPES)
