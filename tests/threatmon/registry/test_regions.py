"""The region registry matches ISO 3166-2 and stays usable for name matching and rates."""

import re
import unicodedata
from collections import defaultdict
from importlib import resources

import pandas as pd
import pycountry
import pytest

from threatmon.registry.regions import (
    COLUMNS,
    NEIGHBOUR_COUNTRIES,
    PROJECT_COUNTRIES,
    country_name,
    country_of,
    load_regions,
    region_codes,
    region_name,
)

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

# Reference totals, each from a source independent of the per-region figures. MD counts the
# 2024 census (2.42M, right bank) plus ~0.36M for the left bank and Bender; UA is the
# 1 Jan 2022 estimate (41.17M) plus Crimea and Sevastopol (2.35M, 2014); GE adds Abkhazia
# (~0.24M) to Geostat's 3.69M.
EXPECTED_POPULATION = {
    "MD": 2_780_000,
    "UA": 43_520_000,
    "RO": 19_054_000,
    "PL": 37_700_000,
    "HU": 9_604_000,
    "SK": 5_449_000,
    "EE": 1_375_000,
    "LV": 1_872_000,
    "LT": 2_886_000,
    "GE": 3_935_000,
}

# Rough (lat_min, lat_max, lon_min, lon_max) boxes: they catch swapped or foreign coordinates.
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


def fold(text: str) -> str:
    """Lower-case, strip diacritics and treat hyphens, apostrophes and spaces alike."""
    text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[-'’ʼ.,()\[\]]", " ", text).split())


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return load_regions()


def test_file_is_plain_utf8_with_the_exact_header():
    raw = resources.files("threatmon.registry").joinpath("data", "regions.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_columns_and_dtypes(regions):
    assert tuple(regions.columns) == COLUMNS
    assert regions["population"].dtype == "int64"
    assert regions["latitude"].dtype == "float64"
    assert all(isinstance(a, tuple) for a in regions["aliases"])
    assert all(isinstance(x, str) for a in regions["aliases"] for x in a)


def test_every_code_is_a_current_iso_code_of_its_country(regions):
    for code, country in zip(regions["region_code"], regions["country"], strict=True):
        sub = pycountry.subdivisions.get(code=code)
        assert sub is not None, code
        assert sub.country_code == country, code


def test_counts_per_country(regions):
    assert regions["region_code"].is_unique
    assert regions["country"].value_counts().to_dict() == EXPECTED_COUNTS


@pytest.mark.parametrize("country", ["MD", "UA", "RO", "PL", "SK", "LV", "GE"])
def test_single_level_countries_list_every_iso_unit(regions, country):
    iso = {s.code for s in pycountry.subdivisions.get(country_code=country)}
    assert set(region_codes([country])) == iso


@pytest.mark.parametrize("country", ["EE", "LT"])
def test_two_level_countries_list_the_counties(regions, country):
    iso = {s.code for s in pycountry.subdivisions.get(country_code=country) if s.type == "County"}
    assert set(region_codes([country])) == iso


# Each Hungarian city with county rights and the county it lies in.
HU_CITY_COUNTY = {
    "HU-BC": "HU-BE", "HU-DE": "HU-HB", "HU-DU": "HU-FE", "HU-EG": "HU-HE", "HU-ER": "HU-PE",
    "HU-GY": "HU-GS", "HU-HV": "HU-CS", "HU-KM": "HU-BK", "HU-KV": "HU-SO", "HU-MI": "HU-BZ",
    "HU-NK": "HU-ZA", "HU-NY": "HU-SZ", "HU-PS": "HU-BA", "HU-SD": "HU-CS", "HU-SF": "HU-FE",
    "HU-SH": "HU-VA", "HU-SK": "HU-JN", "HU-SN": "HU-GS", "HU-SS": "HU-TO", "HU-ST": "HU-NO",
    "HU-TB": "HU-KE", "HU-VM": "HU-VE", "HU-ZE": "HU-ZA",
}  # fmt: skip


def test_hungary_has_counties_and_budapest_with_cities_as_aliases(regions):
    hu = pycountry.subdivisions.get(country_code="HU")
    units = {s.code for s in hu if s.type in ("County", "Capital city")}
    cities = {s.code for s in hu if s.type == "City with county rights"}
    assert set(region_codes(["HU"])) == units
    assert set(HU_CITY_COUNTY) == cities
    holder = {
        alias: row.region_code
        for row in regions.itertuples()
        for alias in row.aliases
        if alias in cities
    }
    assert holder == HU_CITY_COUNTY


def test_contested_territories_belong_to_their_recognised_state():
    assert country_of("UA-43") == "UA"
    assert country_of("UA-40") == "UA"
    assert country_of("MD-SN") == "MD"
    assert country_of("MD-BD") == "MD"
    assert country_of("GE-AB") == "GE"


def test_sorted_by_project_country_order_then_code(regions):
    order = list(PROJECT_COUNTRIES)
    keys = [
        (order.index(c), r) for c, r in zip(regions["country"], regions["region_code"], strict=True)
    ]
    assert keys == sorted(keys)
    assert list(dict.fromkeys(regions["country"])) == order


@pytest.mark.parametrize("country", list(PROJECT_COUNTRIES))
def test_population_sums_are_plausible(regions, country):
    total = regions.loc[regions["country"] == country, "population"].sum()
    expected = EXPECTED_POPULATION[country]
    assert 0.9 * expected <= total <= 1.1 * expected, (country, total)


def test_populations_are_positive_and_rounded_to_the_thousand(regions):
    assert (regions["population"] >= 1000).all()
    assert (regions["population"] % 1000 == 0).all()


def test_names_and_types_are_filled(regions):
    for column in ("name_en", "name_local", "type"):
        assert (regions[column].str.strip() != "").all(), column
        assert (regions[column] == regions[column].str.strip()).all(), column


def test_local_names_use_the_local_script(regions):
    local = dict(zip(regions["region_code"], regions["name_local"], strict=True))
    assert all(re.search("[\u10d0-\u10ff]", local[c]) for c in region_codes(["GE"]))
    assert all(re.search("[\u0400-\u04ff]", local[c]) for c in region_codes(["UA"]))
    assert local["MD-CU"] == "Chișinău"
    assert local["PL-24"] == "Śląskie"


def test_aliases_exclude_own_names_and_separators(regions):
    for row in regions.itertuples():
        for alias in row.aliases:
            assert alias == alias.strip() and alias, row.region_code
            assert "|" not in alias
            assert alias not in (row.name_en, row.name_local), (row.region_code, alias)


def test_no_name_or_alias_means_two_regions_of_one_country(regions):
    owners = defaultdict(set)
    for row in regions.itertuples():
        for name in (row.name_en, row.name_local, *row.aliases):
            owners[(row.country, fold(name))].add(row.region_code)
    clashes = {key: codes for key, codes in owners.items() if len(codes) > 1}
    assert not clashes


def test_useful_aliases_resolve(regions):
    lookup = {}
    for row in regions.itertuples():
        for name in (row.name_en, row.name_local, *row.aliases):
            lookup[(row.country, fold(name))] = row.region_code
    assert lookup[("MD", fold("Transnistria"))] == "MD-SN"
    assert lookup[("MD", fold("Кагул"))] == "MD-CA"
    assert lookup[("MD", fold("Chisinau"))] == "MD-CU"
    assert lookup[("UA", fold("Kiev"))] == "UA-30"
    assert lookup[("UA", fold("Kyivska oblast"))] == "UA-32"
    assert lookup[("UA", fold("Crimea"))] == "UA-43"
    assert lookup[("UA", fold("Одесская область"))] == "UA-51"
    assert lookup[("PL", fold("PL-DS"))] == "PL-02"
    assert lookup[("HU", fold("Debrecen"))] == "HU-HB"
    assert lookup[("RO", fold("Judetul Iasi"))] == "RO-IS"


def test_coordinates_lie_in_their_country(regions):
    for row in regions.itertuples():
        lat_min, lat_max, lon_min, lon_max = BOUNDING_BOXES[row.country]
        assert lat_min <= row.latitude <= lat_max, row.region_code
        assert lon_min <= row.longitude <= lon_max, row.region_code


def test_load_regions_returns_an_independent_copy():
    first = load_regions()
    first.loc[0, "name_en"] = "changed"
    del first["aliases"]
    second = load_regions()
    assert second.loc[0, "name_en"] == "Anenii Noi"
    assert "aliases" in second.columns


def test_lookup_helpers():
    assert region_codes(["MD"])[:3] == ("MD-AN", "MD-BA", "MD-BD")
    assert len(region_codes()) == sum(EXPECTED_COUNTS.values())
    assert len(region_codes(["EE", "LT"])) == 25
    assert region_codes([]) == ()
    assert region_name("UA-30") == "Kyiv City"
    assert region_name("UA-32") == "Kyiv Oblast"
    assert region_name("MD-CA") == "Cahul"
    assert country_of("PL-02") == "PL"
    assert country_name("MD") == "Moldova"
    assert country_name("BY") == "Belarus"
    assert list(PROJECT_COUNTRIES) == ["MD", "UA", "RO", "PL", "HU", "SK", "EE", "LV", "LT", "GE"]
    assert set(NEIGHBOUR_COUNTRIES) == {"BY", "RU"}


@pytest.mark.parametrize(
    "call",
    [
        lambda: region_name("MD-XX"),
        lambda: country_of("HU-DE"),
        lambda: country_name("DE"),
        lambda: region_codes(["BY"]),
    ],
)
def test_unknown_codes_raise_key_error(call):
    with pytest.raises(KeyError):
        call()
