"""region_names.csv: every region's spellings as sources write them, each with its source."""

from collections import defaultdict
from importlib import resources

import pytest

from data_loaders.normalise.text import fold
from threatmon.registry.regions import (
    NAME_COLUMNS,
    NAME_KINDS,
    PROJECT_COUNTRIES,
    load_region_names,
    load_regions,
)


@pytest.fixture(scope="module")
def names():
    return load_region_names()


def test_file_is_plain_utf8_with_the_exact_header():
    raw = resources.files("threatmon.registry").joinpath("data", "region_names.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == ",".join(NAME_COLUMNS)


def test_every_row_has_a_region_a_kind_and_a_source(names):
    codes = set(load_regions()["region_code"])
    assert set(names["region_code"]) == codes
    assert set(names["kind"]) == set(NAME_KINDS)
    assert (names["name"].str.strip() == names["name"]).all()
    assert (names["name"] != "").all() and (names["source"] != "").all()


def test_every_region_has_its_official_and_english_names(names):
    for row in load_regions().itertuples():
        mine = names[names["region_code"] == row.region_code]
        assert row.name_local in set(mine.loc[mine["kind"] == "official", "name"])
        assert fold(row.name_en) in set(mine["name"].map(fold))


def test_no_spelling_is_repeated_for_a_region(names):
    keys = names["region_code"] + "\t" + names["name"].map(fold)
    assert not keys.duplicated().any()


def test_no_name_means_two_regions_of_one_country(names):
    owners = defaultdict(set)
    country = dict(zip(load_regions()["region_code"], load_regions()["country"], strict=True))
    for row in load_regions().itertuples():
        for name in (row.name_en, row.name_local, *row.aliases):
            owners[(row.country, fold(name))].add(row.region_code)
    for row in names.itertuples():
        owners[(country[row.region_code], fold(row.name))].add(row.region_code)
    assert {key: codes for key, codes in owners.items() if len(codes) > 1} == {}


def _spellings(names, code, kind):
    return set(names.loc[(names["region_code"] == code) & (names["kind"] == kind), "name"])


@pytest.mark.parametrize("code", load_regions().query("country == 'UA'")["region_code"])
def test_every_ukrainian_region_has_romanisations_and_russian_era_names(names, code):
    sources = " ".join(names.loc[names["region_code"] == code, "source"])
    assert "KMU 2010" in sources
    assert "BGN/PCGN 1965 Ukrainian" in sources
    assert "BGN/PCGN 1947 Russian" in sources
    # Sevastopol is spelt the same in Russian and Ukrainian.
    assert _spellings(names, code, "russian_era") or code == "UA-40"


# Dubăsari's Russian name is left out: "Дубоссары" is also the left-bank district of the
# Transnistrian administration (MD-SN), so it would place left-bank figures in MD-DU.
@pytest.mark.parametrize(
    "code", sorted(set(load_regions().query("country == 'MD'")["region_code"]) - {"MD-DU"})
)
def test_every_moldovan_unit_has_a_russian_era_name_and_its_romanisation(names, code):
    mine = names[names["region_code"] == code]
    assert "Russian-language" in " ".join(mine.loc[mine["kind"] == "russian_era", "source"])
    # Leova and Rezina are spelt alike in Russian and Romanian: their romanisation is merged
    # into the official name's row.
    assert "BGN/PCGN 1947 Russian" in " ".join(mine["source"])


@pytest.mark.parametrize(
    ("code", "kind", "name"),
    [
        ("UA-23", "romanisation", "Zaporizhzhya"),  # BGN/PCGN 1965, UCDP's spelling
        ("UA-23", "russian_era", "Zaporozhʹye"),
        ("UA-48", "romanisation", "Mykolayiv"),
        ("UA-48", "russian_era", "Nikolaev"),
        ("UA-63", "local_variant", "Харківщина"),
        ("UA-63", "romanisation", "Kharkivshchyna"),
        ("UA-09", "russian_era", "Voroshilovgrad"),
        ("UA-12", "local_variant", "Дніпро"),
        ("MD-CU", "russian_era", "Kishinyov"),
        ("MD-BA", "russian_era", "Belʹtsy"),
        ("MD-HI", "russian_era", "Kotovsk"),
        ("GE-AJ", "romanisation", "Ach'ara"),
        ("GE-AJ", "russian_era", "Adzhariya"),
        ("RO-CJ", "local_variant", "Kolozs"),
        ("PL-28", "exonym", "Warmia-Masuria"),
    ],
)
def test_spelling_families(names, code, kind, name):
    assert name in _spellings(names, code, kind)


def test_the_committed_file_is_the_builders_output():
    """``python -m devtools.build_region_names`` reproduces the file byte for byte."""
    pytest.importorskip("pycountry")
    from devtools.build_region_names import OUTPUT, build, render

    assert OUTPUT.read_text(encoding="utf-8") == render(build())


def test_every_country_has_names(names):
    country = dict(zip(load_regions()["region_code"], load_regions()["country"], strict=True))
    assert set(names["region_code"].map(country)) == set(PROJECT_COUNTRIES)
