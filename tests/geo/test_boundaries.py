"""Tests for geo.boundaries: the committed region outlines and the basemap countries."""

from importlib import resources

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.ops import nearest_points

from geo.boundaries import (
    CONTEXT_COLUMNS,
    PLACE_COLUMNS,
    PLACE_KINDS,
    REGION_COLUMNS,
    context,
    places,
    regions,
)
from threatmon.distance import haversine_km
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions

# Shared edges are identical, so any overlap is a build error; the tolerance only
# absorbs floating-point noise in the intersection.
MAX_OVERLAP_DEG2 = 1e-6
SEAT_TOLERANCE_KM = 5.0
VIEW_BOUNDS = (10.0, 38.0, 50.0, 62.0)

EXPECTED_COUNTS = {
    "MD": 37,
    "UA": 27,
    "RO": 42,
    "PL": 16,
    "HU": 20,
    "SK": 8,
    "EE": 15,
    "LV": 43,
    "LT": 10,
    "GE": 12,
}

# Units run from the city they surround (registry README, "Seats"): the seat lies in
# the city's polygon, not in the unit's own.
SEATS_IN_ENCLOSED_CITY = {
    "UA-32": "UA-30",
    "HU-PE": "HU-BU",
    "LV-041": "LV-JEL",
    "LV-077": "LV-REZ",
    "LV-106": "LV-VEN",
    "LV-111": "LV-DGV",
}

# Regions in several pieces: islands, Gagauzia's exclaves, Transnistria cut in two by
# Dubăsari, an Olaine exclave. A crosswalk row pointing to the wrong unit shows up here
# as a new detached piece.
MULTIPART_REGIONS = {
    "EE-37": 2,
    "EE-56": 2,
    "EE-68": 2,
    "EE-74": 3,
    "LT-KL": 2,
    "LV-068": 2,
    "LV-LPX": 2,
    "MD-GA": 3,
    "MD-SN": 3,
    "UA-48": 2,
    "UA-51": 2,
    "UA-65": 4,
}

# Regions with a hole, and the region that fills it. A city given to the wrong county
# leaves a hole in the right one.
ENCLAVES = {
    "HU-PE": "HU-BU",
    "LV-041": "LV-JEL",
    "LV-077": "LV-REZ",
    "LV-111": "LV-DGV",
    "RO-IF": "RO-B",
    "UA-32": "UA-30",
}


@pytest.fixture(scope="module")
def region_frame():
    return regions()


@pytest.fixture(scope="module")
def context_frame():
    return context()


@pytest.fixture(scope="module")
def registry():
    return load_regions()


def _geometry(frame, column, value):
    (geometry,) = frame.loc[frame[column] == value, "geometry"]
    return geometry


def _overlapping_pairs(frame, key):
    geometries = frame.geometry.array
    left, right = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    pairs = left < right
    areas = shapely.area(shapely.intersection(geometries[left[pairs]], geometries[right[pairs]]))
    keys = frame[key].to_numpy()
    return {
        (keys[a], keys[b]): float(area)
        for a, b, area in zip(left[pairs], right[pairs], areas, strict=True)
        if area >= MAX_OVERLAP_DEG2
    }


def test_region_columns_index_and_order(region_frame):
    assert tuple(region_frame.columns) == REGION_COLUMNS
    assert region_frame.index.equals(pd.RangeIndex(len(region_frame)))
    assert region_frame["region_code"].is_monotonic_increasing
    assert region_frame.crs.to_epsg() == 4326


def test_region_codes_are_the_registry_codes(region_frame, registry):
    codes = region_frame["region_code"]
    assert codes.is_unique
    assert set(codes) == set(registry["region_code"])
    by_code = registry.set_index("region_code")
    for column in ("country", "name_en", "name_local"):
        expected = by_code.loc[codes, column].to_numpy()
        assert (region_frame[column].to_numpy() == expected).all(), column


@pytest.mark.parametrize(("country", "expected"), EXPECTED_COUNTS.items())
def test_region_count_per_country(region_frame, registry, country, expected):
    assert (region_frame["country"] == country).sum() == expected
    assert (registry["country"] == country).sum() == expected


def test_geometries_are_valid_polygons(region_frame, context_frame):
    for frame, key in ((region_frame, "region_code"), (context_frame, "iso2")):
        geometries = frame.geometry
        bad = list(frame.loc[~geometries.is_valid | geometries.is_empty, key])
        assert not bad, f"invalid or empty geometries: {bad}"
        kinds = set(geometries.geom_type)
        assert kinds <= {"Polygon", "MultiPolygon"}, kinds


def test_regions_form_a_coverage_without_overlaps(region_frame):
    assert shapely.coverage_is_valid(region_frame.geometry.array)
    overlaps = _overlapping_pairs(region_frame, "region_code")
    assert not overlaps, f"regions overlap (deg²): {overlaps}"


def test_context_countries_do_not_overlap(context_frame):
    assert shapely.coverage_is_valid(context_frame.geometry.array)
    overlaps = _overlapping_pairs(context_frame, "iso2")
    assert not overlaps, f"countries overlap (deg²): {overlaps}"


@pytest.mark.parametrize("country", PROJECT_COUNTRIES)
def test_regions_fill_their_country_without_gaps(region_frame, context_frame, country):
    """The regions tile the country's basemap outline, and leave no holes between them."""
    union = shapely.union_all(region_frame.geometry[region_frame["country"] == country].array)
    outline = _geometry(context_frame, "iso2", country)
    mismatch = shapely.area(shapely.symmetric_difference(union, outline))
    assert mismatch < MAX_OVERLAP_DEG2, f"{country}: regions and outline differ by {mismatch}"
    holes = [
        hole
        for polygon in shapely.get_parts(union)
        for hole in polygon.interiors
        if shapely.Polygon(hole).area >= MAX_OVERLAP_DEG2
    ]
    assert not holes, f"{country}: {len(holes)} gaps between its regions"


def test_crimea_and_sevastopol_are_ukraine_not_russia(region_frame, context_frame):
    russia = _geometry(context_frame, "iso2", "RU")
    ukraine = _geometry(context_frame, "iso2", "UA")
    for code in ("UA-43", "UA-40"):
        (country,) = region_frame.loc[region_frame["region_code"] == code, "country"]
        assert country == "UA"
        region = _geometry(region_frame, "region_code", code)
        assert shapely.area(shapely.intersection(region, russia)) < MAX_OVERLAP_DEG2, code
        assert ukraine.contains(region.representative_point()), code


def test_transnistria_and_bender_are_moldova(region_frame, context_frame, registry):
    moldova = _geometry(context_frame, "iso2", "MD")
    seats = registry.set_index("region_code")
    for code in ("MD-SN", "MD-BD"):
        (country,) = region_frame.loc[region_frame["region_code"] == code, "country"]
        assert country == "MD"
        region = _geometry(region_frame, "region_code", code)
        assert moldova.contains(region.representative_point()), code
        # Natural Earth merges Bender and Tiraspol: each seat must land in its own unit.
        seat = shapely.Point(seats.at[code, "longitude"], seats.at[code, "latitude"])
        assert region.contains(seat), f"{code} does not contain its seat"


def test_abkhazia_is_georgia(region_frame, context_frame):
    (country,) = region_frame.loc[region_frame["region_code"] == "GE-AB", "country"]
    assert country == "GE"
    abkhazia = _geometry(region_frame, "region_code", "GE-AB")
    russia = _geometry(context_frame, "iso2", "RU")
    assert shapely.area(shapely.intersection(abkhazia, russia)) < MAX_OVERLAP_DEG2


def test_seats_lie_in_or_near_their_region(region_frame, registry):
    """A seat far from its polygon means a crosswalk row points to the wrong unit."""
    geometry_of = dict(zip(region_frame["region_code"], region_frame.geometry, strict=True))
    far = {}
    for row in registry.itertuples():
        if row.region_code in SEATS_IN_ENCLOSED_CITY:
            continue
        seat = shapely.Point(row.longitude, row.latitude)
        nearest, _ = nearest_points(geometry_of[row.region_code], seat)
        km = float(haversine_km(row.latitude, row.longitude, nearest.y, nearest.x))
        if km > SEAT_TOLERANCE_KM:
            far[row.region_code] = round(km, 1)
    assert not far, f"seats more than {SEAT_TOLERANCE_KM} km outside their region: {far}"


@pytest.mark.parametrize(("code", "city"), SEATS_IN_ENCLOSED_CITY.items())
def test_seat_in_the_neighbouring_city(region_frame, registry, code, city):
    seats = registry.set_index("region_code")
    seat = shapely.Point(seats.at[code, "longitude"], seats.at[code, "latitude"])
    city_polygon = _geometry(region_frame, "region_code", city)
    assert city_polygon.contains(seat)
    assert city_polygon.touches(_geometry(region_frame, "region_code", code))


def test_only_known_regions_have_several_pieces(region_frame):
    pieces = {
        code: len(shapely.get_parts(geometry))
        for code, geometry in zip(region_frame["region_code"], region_frame.geometry, strict=True)
    }
    assert {code: n for code, n in pieces.items() if n > 1} == MULTIPART_REGIONS


def test_only_known_regions_have_holes_filled_by_their_enclave(region_frame):
    geometry_of = dict(zip(region_frame["region_code"], region_frame.geometry, strict=True))
    holes = {
        code: [shapely.Polygon(ring) for part in shapely.get_parts(g) for ring in part.interiors]
        for code, g in geometry_of.items()
    }
    assert {code for code, rings in holes.items() if rings} == set(ENCLAVES)
    for code, enclave in ENCLAVES.items():
        (hole,) = holes[code]
        filled = shapely.area(shapely.symmetric_difference(hole, geometry_of[enclave]))
        assert filled < MAX_OVERLAP_DEG2, f"{enclave} does not fill the hole in {code}"


def test_crosswalk_agrees_with_the_registry(registry):
    crosswalk = pd.read_csv(
        resources.files("geo").joinpath("data", "ne_crosswalk.csv").open(encoding="utf-8"),
        dtype=str,
        keep_default_na=False,
    )
    assert crosswalk["ne_adm1_code"].is_unique
    assert set(crosswalk["region_code"]) <= set(registry["region_code"])
    latvia = crosswalk[crosswalk["region_code"].str.startswith("LV-")]
    assert len(latvia) == 119, "every pre-2021 Latvian municipality has a row"
    assert latvia["region_code"].nunique() == 43
    # Where the registry lists Natural Earth's code as an alias (old Polish letter codes,
    # Hungarian city codes), the crosswalk must send it to that same region.
    owner = {alias: row.region_code for row in registry.itertuples() for alias in row.aliases}
    disagree = {
        row.ne_iso_3166_2: (row.region_code, owner[row.ne_iso_3166_2])
        for row in crosswalk.itertuples()
        if row.ne_iso_3166_2 in owner and owner[row.ne_iso_3166_2] != row.region_code
    }
    assert not disagree, f"crosswalk target differs from the registry alias: {disagree}"
    hungary = crosswalk[crosswalk["region_code"].str.startswith("HU-")]
    # Natural Earth codes Érd HU-ED; ISO 3166-2 and the registry have HU-ER.
    assert set(hungary["ne_iso_3166_2"]) - set(owner) == {"HU-ED"}


def test_ne_codes_are_aliases_that_never_name_another_region(region_frame):
    codes = set(region_frame["region_code"])
    clashes = {
        row.region_code: sorted(set(row.ne_codes) & (codes - {row.region_code}))
        for row in region_frame.itertuples()
        if set(row.ne_codes) & (codes - {row.region_code})
    }
    assert not clashes, f"ne_codes naming another region: {clashes}"
    ne_codes = dict(zip(region_frame["region_code"], region_frame["ne_codes"], strict=True))
    # Szeged and Hódmezővásárhely are cities with county rights inside Csongrád-Csanád.
    assert ne_codes["HU-CS"] == ("HU-CS", "HU-HV", "HU-SD", "HUN-3172", "HUN-4916", "HUN-4917")
    assert ne_codes["PL-02"] == ("PL-DS", "POL-3141")
    # Natural Earth's Ventspils municipality carries the city's code LV-VEN.
    assert ne_codes["LV-106"] == ("LVA-934",)
    assert all(isinstance(cell, tuple) and cell for cell in region_frame["ne_codes"])


def test_context_layer_countries(context_frame):
    assert tuple(context_frame.columns) == CONTEXT_COLUMNS
    assert context_frame.index.equals(pd.RangeIndex(len(context_frame)))
    assert context_frame["iso2"].is_monotonic_increasing and context_frame["iso2"].is_unique
    assert set(context_frame.loc[context_frame["project"], "iso2"]) == set(PROJECT_COUNTRIES)
    assert context_frame["project"].dtype == bool
    assert {"BY", "RU", "BG", "TR", "AM", "AZ", "XK", "FI", "DE"} <= set(context_frame["iso2"])
    west, south, east, north = context_frame.total_bounds
    assert west >= VIEW_BOUNDS[0] and south >= VIEW_BOUNDS[1]
    assert east <= VIEW_BOUNDS[2] and north <= VIEW_BOUNDS[3]


def test_coordinates_have_at_most_five_decimals(region_frame):
    coordinates = shapely.get_coordinates(region_frame.geometry.array)
    np.testing.assert_array_equal(coordinates, np.round(coordinates, 5))


@pytest.mark.parametrize(
    ("name", "max_bytes"), [("regions.geojson", 1_000_000), ("context.geojson", 600_000)]
)
def test_files_stay_small(name, max_bytes):
    size = len(resources.files("geo").joinpath("data", name).read_bytes())
    assert size <= max_bytes, f"{name} is {size} bytes"


@pytest.mark.parametrize("loader", [regions, context])
def test_each_call_returns_a_copy(loader):
    first = loader()
    first.loc[0, "name_en"] = "changed"
    first.loc[1, "geometry"] = shapely.Point(0, 0)
    first[first.columns[1]] = "XX"
    second = loader()
    assert second.loc[0, "name_en"] != "changed"
    assert second.geometry.iloc[1].geom_type != "Point"
    assert (second[second.columns[1]] != "XX").all()


# -- places.csv: the map's country and city labels --------------------------------------------

#: The capital region of each project country, whose registry seat is the capital.
CAPITAL_REGIONS = {
    "MD": "MD-CU",
    "UA": "UA-30",
    "RO": "RO-B",
    "PL": "PL-14",
    "HU": "HU-BU",
    "SK": "SK-BL",
    "EE": "EE-37",
    "LV": "LV-RIX",
    "LT": "LT-VL",
    "GE": "GE-TB",
}
CAPITAL_TOLERANCE_KM = 10.0


@pytest.fixture(scope="module")
def place_frame():
    return places()


def test_place_columns_and_kinds(place_frame):
    assert tuple(place_frame.columns) == PLACE_COLUMNS
    assert set(place_frame["kind"]) == set(PLACE_KINDS)
    assert place_frame[["name_en", "name_ro", "name_uk"]].ne("").all().all()
    per_country = place_frame.groupby("iso2")["kind"].agg(list)
    assert set(per_country.index) == set(PROJECT_COUNTRIES)
    for country, kinds in per_country.items():
        assert kinds[:2] == ["country", "capital"], country
        assert kinds.count("country") == kinds.count("capital") == 1, country


def test_every_place_lies_inside_its_country(place_frame, context_frame):
    outside = [
        f"{row.name_en} ({row.iso2})"
        for row in place_frame.itertuples()
        if not _geometry(context_frame, "iso2", row.iso2).contains(
            shapely.Point(row.longitude, row.latitude)
        )
    ]
    assert outside == []


def test_capitals_are_at_the_seat_of_their_capital_region(place_frame, registry):
    seats = registry.set_index("region_code")
    capitals = place_frame[place_frame["kind"] == "capital"].set_index("iso2")
    far = {}
    for country, code in CAPITAL_REGIONS.items():
        row = capitals.loc[country]
        km = float(
            haversine_km(
                row.latitude, row.longitude, seats.at[code, "latitude"], seats.at[code, "longitude"]
            )
        )
        if km > CAPITAL_TOLERANCE_KM:
            far[row.name_en] = round(km, 1)
    assert far == {}


def test_crimea_is_labelled_ukraine_and_transnistria_moldova(place_frame, region_frame):
    where = place_frame.set_index("name_en")
    for city, region in (("Simferopol", "UA-43"), ("Sevastopol", "UA-40"), ("Tiraspol", "MD-SN")):
        point = shapely.Point(where.at[city, "longitude"], where.at[city, "latitude"])
        assert _geometry(region_frame, "region_code", region).buffer(0.05).contains(point), city
        assert where.at[city, "iso2"] == region[:2]


def test_places_returns_a_copy():
    first = places()
    first.loc[0, "name_en"] = "changed"
    assert places().loc[0, "name_en"] != "changed"
