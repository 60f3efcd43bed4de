"""Messy upload values map to canonical ones, or to a reason and a suggestion."""

import ast
import csv
import datetime as dt
from importlib import resources
from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_loaders.normalise import (
    DateConvention,
    Resolution,
    detect_date_convention,
    fold,
    parse_count,
    parse_dates,
    resolve_countries,
    resolve_crime_types,
    resolve_regions,
)
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.regions import (
    NEIGHBOUR_COUNTRIES,
    PROJECT_COUNTRIES,
    country_name,
    load_regions,
)

NOT_A_DATE = (
    "Not a date in any accepted format (YYYY-MM-DD, dd.mm.yyyy, dd/mm/yyyy, Excel serial number)."
)
UNKNOWN_COUNTRY = (
    "Not a recognised name or code of a project country (MD, UA, RO, PL, HU, SK, EE, LV, LT, GE)."
)


def _region(value, country=None):
    return resolve_regions([(value, country)])[(value, country)]


def test_module_is_pure():
    """normalise works on Python values only: no Streamlit, no DuckDB, no pandas I/O."""
    package = Path(__file__).resolve().parents[2] / "data_loaders" / "normalise"
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for path in package.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"streamlit", "duckdb"}


# ---------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ștefan Vodă", "stefan voda"),  # ș comma below
        ("Ştefan Vodă", "stefan voda"),  # ş cedilla
        ("Țara", "tara"),
        ("Ţara", "tara"),
        ("Hîncești", "hincesti"),
        ("Râșcani", "rascani"),
        ("BĂLȚI", "balti"),
        ("Łódzkie", "lodzkie"),
        ("Győr-Moson-Sopron", "gyor moson sopron"),
        ("Кишинёв", "кишинев"),
        ("Кишинев", "кишинев"),
        ("Київ", "киів"),  # ї → і, still Cyrillic
        ("Ґалич", "галич"),
        ("Єдинці", "єдинці"),
        ("Новые Анены", "новые анены"),
        ("Тараклийский", "тараклийский"),  # й is a letter of its own
        ("Придністров'я", "придністровя"),
        ("Придністровʼя", "придністровя"),
        ("L’viv", "lviv"),
        ("  Jud.  Suceava ", "jud suceava"),
        ("р-н Кагул", "р н кагул"),
        ("Ivano–Frankivsk", "ivano frankivsk"),  # en dash
        ("migrant_smuggling", "migrant smuggling"),
        ("Одесcкая", "одесская"),  # Latin c typed in a Cyrillic word
        ("Сahul", "cahul"),  # Cyrillic С typed in a Latin word
        ("Ｍｏｌｄｏｖａ", "moldova"),  # full-width letters: ASCII after one pass
        ("ﬁnland", "finland"),  # a ligature
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_fold_has_single_spaces_and_no_ends(text):
    folded = fold(text)
    assert folded == " ".join(folded.split())


# ----------------------------------------------------------------------- countries

# iso2: ISO3, English, local, Romanian, Ukrainian, Russian.
COUNTRY_NAMES = {
    "MD": ("MDA", "Moldova", "Republica Moldova", "Republica Moldova", "Молдова", "Молдавия"),
    "UA": ("UKR", "Ukraine", "Україна", "Ucraina", "Україна", "Украина"),
    "RO": ("ROU", "Romania", "România", "România", "Румунія", "Румыния"),
    "PL": ("POL", "Poland", "Polska", "Polonia", "Польща", "Польша"),
    "HU": ("HUN", "Hungary", "Magyarország", "Ungaria", "Угорщина", "Венгрия"),
    "SK": ("SVK", "Slovakia", "Slovensko", "Slovacia", "Словаччина", "Словакия"),
    "EE": ("EST", "Estonia", "Eesti", "Estonia", "Естонія", "Эстония"),
    "LV": ("LVA", "Latvia", "Latvija", "Letonia", "Латвія", "Латвия"),
    "LT": ("LTU", "Lithuania", "Lietuva", "Lituania", "Литва", "Литва"),
    "GE": ("GEO", "Georgia", "საქართველო", "Georgia", "Грузія", "Грузия"),
}


@pytest.mark.parametrize(
    ("value", "iso2"),
    [
        (value, iso2)
        for iso2, names in COUNTRY_NAMES.items()
        for value in dict.fromkeys((iso2, iso2.lower(), *names, names[1].upper()))
    ],
)
def test_every_country_resolves_from_codes_and_names(value, iso2):
    assert resolve_countries([value]) == {value: Resolution(iso2)}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("BY", "Belarus (BY) is not one of the project's countries."),
        ("Беларусь", "Belarus (BY) is not one of the project's countries."),
        ("Белоруссия", "Belarus (BY) is not one of the project's countries."),
        ("RUS", "Russia (RU) is not one of the project's countries."),
        ("Российская Федерация", "Russia (RU) is not one of the project's countries."),
    ],
)
def test_neighbours_are_recognised_and_refused(value, reason):
    assert resolve_countries([value])[value] == Resolution(None, reason)


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("Moldva", "Did you mean MD (Moldova)?"),
        ("Ukriane", "Did you mean UA (Ukraine)?"),
        ("Germany", None),
        ("UK", None),  # the United Kingdom's code, not Ukraine
    ],
)
def test_unknown_countries_get_a_suggestion_when_close(value, suggestion):
    assert resolve_countries([value])[value] == Resolution(None, UNKNOWN_COUNTRY, suggestion)


def test_missing_country():
    assert resolve_countries([" "]) == {" ": Resolution(None, "Value is missing.")}


def test_countries_csv_matches_iso_and_the_registry():
    path = resources.files("threatmon.registry").joinpath("data", "countries.csv")
    with path.open("r", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["iso2"] for r in rows] == [*PROJECT_COUNTRIES, *NEIGHBOUR_COUNTRIES]
    for row in rows:
        assert pycountry.countries.get(alpha_2=row["iso2"]).alpha_3 == row["iso3"]
        assert row["name_en"] == country_name(row["iso2"])
        aliases = row["aliases"].split("|")
        assert all(aliases), f"empty alias in {row['iso2']}"
        own = {row["iso2"], row["iso3"], row["name_en"]}
        assert not own & set(aliases), f"{row['iso2']} repeats a code or name"
        assert len(aliases) == len(set(aliases)), f"{row['iso2']} repeats an alias"


# ------------------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("value", "country", "code"),
    [
        # ISO 3166-2 codes in any case and with any separator
        ("MD-CA", "MD", "MD-CA"),
        ("md-ca", "MD", "MD-CA"),
        ("MD CA", None, "MD-CA"),
        ("md_ca", None, "MD-CA"),
        ("ua-43", None, "UA-43"),
        ("RO-B", "RO", "RO-B"),
        # former codes kept as aliases: Natural Earth letters, Hungarian cities
        ("PL-DS", "PL", "PL-02"),
        ("pl-ds", None, "PL-02"),
        ("HU-DE", "HU", "HU-HB"),  # Debrecen is in Hajdú-Bihar
        ("Debrecen", "HU", "HU-HB"),
        ("Hajdu-Bihar megye", "HU", "HU-HB"),
        # Romanian counties with and without diacritics and type words
        ("Suceava", "RO", "RO-SV"),
        ("Bistrița-Năsăud", "RO", "RO-BN"),
        ("BISTRITA NASAUD", "RO", "RO-BN"),
        ("Județul Suceava", "RO", "RO-SV"),
        ("judetul Suceava", None, "RO-SV"),
        ("Jud. Suceava", "RO", "RO-SV"),
        ("Suceava County", None, "RO-SV"),
        ("Сучава", "RO", "RO-SV"),
        # Moldovan raions in Romanian, Russian and Ukrainian forms
        ("Raionul Cahul", "MD", "MD-CA"),
        ("raionul Cahul", None, "MD-CA"),
        ("Cahul district", "MD", "MD-CA"),
        ("р-н Кагул", "MD", "MD-CA"),
        ("Кагульский район", "MD", "MD-CA"),
        ("Кагульський район", None, "MD-CA"),
        ("Кагульского района", "MD", "MD-CA"),
        ("Kagulskiy raion", "MD", "MD-CA"),
        ("Оргеевский район", "MD", "MD-OR"),
        ("Единецкий район", "MD", "MD-ED"),
        ("Тараклийский район", "MD", "MD-TA"),
        ("Кантемирский р-н", "MD", "MD-CT"),
        ("Stefan Voda", "MD", "MD-SV"),
        ("Штефан-Водский район", "MD", "MD-SV"),
        # Ukrainian oblasts in Ukrainian, Russian and English
        ("Одеська область", "UA", "UA-51"),
        ("Одеська обл.", "UA", "UA-51"),
        ("Одесская обл.", "UA", "UA-51"),
        ("Одесская область", None, "UA-51"),
        ("Odessa oblast", "UA", "UA-51"),
        ("Odesa Oblast", None, "UA-51"),
        ("Odeska oblast'", "UA", "UA-51"),
        ("regiunea Odesa", "UA", "UA-51"),
        ("Одеської області", "UA", "UA-51"),
        ("Одеса", "UA", "UA-51"),
        ("Ивано-Франковской области", "UA", "UA-26"),
        ("Вінницької області", "UA", "UA-05"),
        ("Луганская обл", "UA", "UA-09"),
        ("Сумы", "UA", "UA-59"),
        # Kyiv city and Kyiv oblast are different units
        ("Kyiv", "UA", "UA-30"),
        ("Kyiv City", "UA", "UA-30"),
        ("Kiev", None, "UA-30"),
        ("м. Київ", "UA", "UA-30"),
        ("місто Київ", None, "UA-30"),
        ("Київ", "UA", "UA-30"),
        ("город Киев", "UA", "UA-30"),
        ("Kyiv Oblast", "UA", "UA-32"),
        ("Kyiv region", "UA", "UA-32"),
        ("Київська область", "UA", "UA-32"),
        ("Київська обл.", None, "UA-32"),
        ("Киевская обл.", "UA", "UA-32"),
        ("Київ область", "UA", "UA-32"),
        ("Київської області", None, "UA-32"),
        # Chișinău municipality
        ("Chișinău", "MD", "MD-CU"),
        ("Chisinau", None, "MD-CU"),
        ("mun. Chișinău", "MD", "MD-CU"),
        ("municipiul Chisinau", "MD", "MD-CU"),
        ("Chisinau municipality", None, "MD-CU"),
        ("Кишинёв", "MD", "MD-CU"),
        ("Кишинев", "MD", "MD-CU"),
        ("Kishinev", None, "MD-CU"),
        # contested territories follow international recognition
        ("Crimea", "UA", "UA-43"),
        ("Крим", "UA", "UA-43"),
        ("Крым", None, "UA-43"),
        ("АР Крым", "UA", "UA-43"),
        ("Autonomous Republic of Crimea", None, "UA-43"),
        ("Sevastopol", "UA", "UA-40"),
        ("Transnistria", "MD", "MD-SN"),
        ("Stînga Nistrului", "MD", "MD-SN"),
        ("Stânga Nistrului", None, "MD-SN"),
        ("Stinga Nistrului", "MD", "MD-SN"),
        ("Приднестровье", "MD", "MD-SN"),
        ("Придністров'я", None, "MD-SN"),
        ("UTA Găgăuzia", "MD", "MD-GA"),
        # Polish voivodeships
        ("Podkarpackie", "PL", "PL-18"),
        ("woj. podkarpackie", "PL", "PL-18"),
        ("Województwo Podkarpackie", None, "PL-18"),
        ("Subcarpathian Voivodeship", "PL", "PL-18"),
        # Baltic, Slovak and Georgian units
        ("Harju maakond", "EE", "EE-37"),
        ("Harjumaa", None, "EE-37"),
        ("Rīga", "LV", "LV-RIX"),
        ("Jelgava", "LV", "LV-JEL"),
        ("Jelgava city", "LV", "LV-JEL"),
        ("Jelgavas novads", "LV", "LV-041"),
        ("Jelgava novads", "LV", "LV-041"),
        ("Vilniaus apskritis", "LT", "LT-VL"),
        ("Košický kraj", "SK", "SK-KI"),
        ("Kosice region", "SK", "SK-KI"),
        ("Kakheti", "GE", "GE-KA"),
        ("Tbilisi", None, "GE-TB"),
    ],
)
def test_region_spellings(value, country, code):
    assert _region(value, country) == Resolution(code)


def test_every_registry_name_and_alias_resolves_with_its_country():
    """All 230 name_en and name_local, and every alias, resolve to their own code."""
    wrong = []
    for row in load_regions().itertuples():
        for name in (row.name_en, row.name_local, *row.aliases):
            got = _region(name, row.country)
            if got.value != row.region_code:
                wrong.append((row.region_code, name, got))
    assert wrong == []


def test_every_registry_name_resolves_without_a_country_unless_shared():
    """Without a country a name resolves, or is ambiguous and names its own code."""
    ambiguous = set()
    for row in load_regions().itertuples():
        for name in (row.name_en, row.name_local):
            got = _region(name, None)
            if got.value is None:
                assert got.reason.startswith("Ambiguous without a country: ")
                assert row.region_code in got.reason
                ambiguous.add(row.region_code)
            else:
                assert got.value == row.region_code
    assert ambiguous == {"MD-CL", "RO-CL"}


@pytest.mark.parametrize(
    ("value", "country", "code"),
    [
        ("Călărași", "MD", "MD-CL"),
        ("Călărași", "RO", "RO-CL"),
        ("raionul Călărași", None, "MD-CL"),
        ("Județul Călărași", None, "RO-CL"),
        ("Calarasi county", None, "RO-CL"),
    ],
)
def test_shared_names_resolve_with_a_country_or_a_type_word(value, country, code):
    assert _region(value, country) == Resolution(code)


def test_shared_name_without_country_is_ambiguous():
    assert _region("Calarasi") == Resolution(
        None,
        "Ambiguous without a country: MD-CL Călărași (Moldova) and RO-CL Călărași "
        "(Romania) both match.",
        "Add the country to the row.",
    )


def test_name_matching_two_units_of_one_country_is_ambiguous():
    assert _region("Jelgavas", "LV") == Resolution(
        None,
        "Matches more than one region of Latvia: LV-041 Jelgava Municipality and LV-JEL Jelgava.",
    )


@pytest.mark.parametrize(
    ("value", "country", "reason"),
    [
        ("MD-CA", "RO", "MD-CA is in Moldova, but the row's country is RO."),
        ("md ca", "UA", "MD-CA is in Moldova, but the row's country is UA."),
        ("HU-DE", "RO", "HU-DE is in Hungary, but the row's country is RO."),
    ],
)
def test_code_of_another_country_is_refused(value, country, reason):
    assert _region(value, country) == Resolution(None, reason)


def test_name_of_another_country_says_where_it_is():
    assert _region("Cahul", "RO") == Resolution(
        None,
        "Not a known region of Romania.",
        "It matches MD-CA Cahul in Moldova; check the row's country.",
    )


@pytest.mark.parametrize(
    ("value", "country", "reason", "suggestion"),
    [
        ("Cahull", "MD", "Not a known region of Moldova.", "Did you mean MD-CA Cahul?"),
        ("Cahull", None, "Not a known region.", "Did you mean MD-CA Cahul?"),
        ("raionul Cahull", "MD", "Not a known region of Moldova.", "Did you mean MD-CA Cahul?"),
        ("Sucaeva", "RO", "Not a known region of Romania.", "Did you mean RO-SV Suceava?"),
        ("Xyzzy", "MD", "Not a known region of Moldova.", None),
        ("Tiraspol", None, "Not a known region.", None),
        ("MD-ZZ", "MD", "Not a known region of Moldova.", None),  # a near code is a guess
        ("MD-CH", None, "Not a known region.", None),  # pre-2003 Chișinău județ, not MD-CU
    ],
)
def test_unknown_regions_get_a_suggestion_when_close(value, country, reason, suggestion):
    assert _region(value, country) == Resolution(None, reason, suggestion)


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        (("", "MD"), Resolution(None, "Value is missing.")),
        (
            ("Cahul", "BY"),
            Resolution(
                None,
                "Regions are only known for the project's countries; the row's country is 'BY'.",
            ),
        ),
        (("Cahul", "Moldova"), Resolution("MD-CA")),  # a country name works too
    ],
)
def test_region_edge_cases(pair, expected):
    assert resolve_regions([pair]) == {pair: expected}


def test_resolve_regions_keys_are_the_distinct_pairs():
    pairs = [("Cahul", "MD"), ("Cahul", "MD"), ("Cahul", None)]
    assert list(resolve_regions(pairs)) == [("Cahul", "MD"), ("Cahul", None)]


@given(st.text(), st.sampled_from([None, "MD", "UA", "RO", "LV", "BY", "XX", ""]))
def test_resolve_regions_never_raises(value, country):
    result = resolve_regions([(value, country)])[(value, country)]
    # Exactly one of: a region, a national figure (the country itself: "UA", "Україна"),
    # or a problem with its reason.
    national = result.value is None and result.reason is None and result.country is not None
    assert national or (result.value is None) == (result.reason is not None)


@given(st.lists(st.text(), max_size=5))
def test_resolve_countries_and_crime_types_never_raise(values):
    for resolutions in (resolve_countries(values), resolve_crime_types(values)):
        assert set(resolutions) == set(values)
        assert all((r.value is None) == (r.reason is not None) for r in resolutions.values())


# --------------------------------------------------------------------- crime types


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (name, ct.key)
        for ct in CRIME_TYPES
        for name in dict.fromkeys((ct.key, ct.label, *ct.synonyms, ct.key.upper()))
    ]
    + [
        ("Migrant-Smuggling", "migrant_smuggling"),
        (" migrant  smuggling ", "migrant_smuggling"),
        ("trafic de migranți", "migrant_smuggling"),
        ("Organized Crime", "organised_crime"),
    ],
)
def test_crime_types_resolve_by_key_label_and_synonym(value, key):
    assert resolve_crime_types([value]) == {value: Resolution(key)}


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("migrant smugling", "Did you mean migrant_smuggling (Migrant smuggling)?"),
        ("drug traficking", "Did you mean drug_trafficking (Drug trafficking)?"),
        ("cyber-crimes", "Did you mean cybercrime (Cybercrime)?"),
        ("arson", None),
    ],
)
def test_unknown_crime_types_get_a_suggestion_when_close(value, suggestion):
    assert resolve_crime_types([value])[value] == Resolution(
        None, "Not a known crime type.", suggestion
    )


def test_missing_crime_type():
    assert resolve_crime_types([""]) == {"": Resolution(None, "Value is missing.")}


# --------------------------------------------------------------------------- dates

D = dt.date


@pytest.mark.parametrize(
    ("values", "convention", "problems", "dates"),
    [
        pytest.param(
            ["2024-03-25", "2024-03-26T14:30", "2024-03-27 08:15:00", "2024-3-5"],
            DateConvention("yyyy-mm-dd (ISO)", None),
            {},
            [D(2024, 3, 25), D(2024, 3, 26), D(2024, 3, 27), D(2024, 3, 5)],
            id="iso",
        ),
        pytest.param(
            ["25.03.2024", "01.02.2024", "02.01.2024 14:30"],
            DateConvention("dd.mm.yyyy (day first)", True),
            {},
            [D(2024, 3, 25), D(2024, 2, 1), D(2024, 1, 2)],
            id="dotted",
        ),
        pytest.param(
            ["25/03/2024", "01/02/2024"],
            DateConvention("dd/mm/yyyy (day first)", True),
            {},
            [D(2024, 3, 25), D(2024, 2, 1)],
            id="slashed-day-first",
        ),
        pytest.param(
            ["25-03-2024", "01-02-2024"],
            DateConvention("dd-mm-yyyy (day first)", True),
            {},
            [D(2024, 3, 25), D(2024, 2, 1)],
            id="hyphenated-day-first",
        ),
        pytest.param(
            ["03/25/2024", "01/02/2024"],
            DateConvention("mm/dd/yyyy (month first)", False),
            {},
            [D(2024, 3, 25), D(2024, 1, 2)],
            id="slashed-month-first",
        ),
        pytest.param(
            ["01/02/2024", "03/04/2024", "05/06/2024"],
            DateConvention(
                "dd/mm/yyyy or mm/dd/yyyy (order unknown)",
                None,
                "The order of day and month cannot be decided: 3 distinct slashed dates are "
                "valid both day first and month first (e.g. '01/02/2024', '03/04/2024'), and "
                "no date shows the order. Give the date order: dmy (day first) or mdy (month "
                "first), with --date-order or the Upload page's Date order option.",
            ),
            {},
            [None, None, None],
            id="all-ambiguous-refused",
        ),
        pytest.param(
            ["8/29/2014 12:00:00 AM", "8/30/2014 1:05 PM", "9/1/2014 11:59 p.m."],
            DateConvention("mm/dd/yyyy (month first)", False),
            {},
            [D(2014, 8, 29), D(2014, 8, 30), D(2014, 9, 1)],
            id="twelve-hour-times",
        ),
        pytest.param(
            ["2014-08-29 13:05:00", "29.08.2014 00:00", "30.08.2014 23:59:59"],
            DateConvention("mixed: yyyy-mm-dd (ISO) and dd.mm.yyyy (day first)", True),
            {},
            [D(2014, 8, 29), D(2014, 8, 29), D(2014, 8, 30)],
            id="times-with-seconds",
        ),
        pytest.param(
            ["1/2/2024 0:30 AM", "1/2/2024 13:00 PM"],
            DateConvention("no dates recognised", None),
            {"1/2/2024 0:30 AM": NOT_A_DATE, "1/2/2024 13:00 PM": NOT_A_DATE},
            [None, None],
            id="twelve-hour-times-without-hour-0-or-13",
        ),
        pytest.param(
            ["25/03/2024", "26/03/2024", "01/02/2024", "03/25/2024"],
            DateConvention("dd/mm/yyyy (day first)", True),
            {
                "03/25/2024": "Only valid as month-first (mm/dd/yyyy), but other rows are "
                "day-first (e.g. '25/03/2024')."
            },
            [D(2024, 3, 25), D(2024, 3, 26), D(2024, 2, 1), None],
            id="contradiction-day-first-majority",
        ),
        pytest.param(
            ["25/03/2024", "03/25/2024"],
            DateConvention("dd/mm/yyyy (day first)", True),
            {
                "03/25/2024": "Only valid as month-first (mm/dd/yyyy), but other rows are "
                "day-first (e.g. '25/03/2024')."
            },
            [D(2024, 3, 25), None],
            id="contradiction-tie",
        ),
        pytest.param(
            ["03/25/2024", "03/26/2024", "25/03/2024"],
            DateConvention("mm/dd/yyyy (month first)", False),
            {
                "25/03/2024": "Only valid as day-first (dd/mm/yyyy), but other rows are "
                "month-first (e.g. '03/25/2024')."
            },
            [D(2024, 3, 25), D(2024, 3, 26), None],
            id="contradiction-month-first-majority",
        ),
        pytest.param(
            ["45292", "45292.0", "45292.75", "1", "59", "61", "109575"],
            DateConvention("Excel serial numbers (1900 date system)", None),
            {},
            [
                D(2024, 1, 1),
                D(2024, 1, 1),
                D(2024, 1, 1),
                D(1900, 1, 1),
                D(1900, 2, 28),
                D(1900, 3, 1),
                D(2200, 1, 1),
            ],
            id="excel-serial",
        ),
        pytest.param(
            ["60", "0", "109576"],
            DateConvention("Excel serial numbers (1900 date system)", None),
            {
                "60": "Excel serial number 60 stands for 29 February 1900, a day that never "
                "existed (Excel keeps a Lotus 1-2-3 leap-year bug).",
                "0": "A number outside the Excel serial dates accepted (1 to 109575, i.e. "
                "1900-01-01 to 2200-01-01).",
                "109576": "A number outside the Excel serial dates accepted (1 to 109575, i.e. "
                "1900-01-01 to 2200-01-01).",
            },
            [None, None, None],
            id="excel-serial-60-and-out-of-range",
        ),
        pytest.param(
            ["2024-03-25", "26.03.2024"],
            DateConvention("mixed: yyyy-mm-dd (ISO) and dd.mm.yyyy (day first)", True),
            {},
            [D(2024, 3, 25), D(2024, 3, 26)],
            id="mixed-iso-dotted",
        ),
        pytest.param(
            ["2024-03-25", "45292"],
            DateConvention(
                "mixed: yyyy-mm-dd (ISO) and Excel serial numbers (1900 date system)", None
            ),
            {},
            [D(2024, 3, 25), D(2024, 1, 1)],
            id="mixed-iso-excel",
        ),
        pytest.param(
            ["2024.03.25.", "2024. 03. 26."],
            DateConvention("yyyy.mm.dd (year first)", None),
            {},
            [D(2024, 3, 25), D(2024, 3, 26)],
            id="hungarian-year-first",
        ),
        pytest.param(
            ["31.02.2024", "2024-13-01", "31/04/2024"],
            DateConvention(
                "mixed: yyyy-mm-dd (ISO), dd.mm.yyyy (day first) and dd/mm/yyyy (day first)",
                True,
            ),
            {
                "31.02.2024": "Not a real date: February 2024 has 29 days.",
                "2024-13-01": "Not a real date: there is no month 13.",
                "31/04/2024": "Not a real date: April 2024 has 30 days.",
            },
            [None, None, None],
            id="impossible-dates",
        ),
        pytest.param(
            ["garbage", "25.03.24", "2024-03", "25/03/24", "", "  "],
            DateConvention("no dates recognised", None),
            {
                "garbage": NOT_A_DATE,
                "25.03.24": NOT_A_DATE,  # two-digit years are not accepted
                "2024-03": NOT_A_DATE,
                "25/03/24": NOT_A_DATE,
                "": "Value is missing.",
                "  ": "Value is missing.",
            },
            [None] * 6,
            id="garbage",
        ),
    ],
)
def test_date_conventions(values, convention, problems, dates):
    got_convention, got_problems = detect_date_convention(values)
    assert got_convention == convention
    assert got_problems == problems
    assert parse_dates(values, got_convention) == dict(zip(values, dates, strict=True))


AMBIGUOUS_US = ["01/02/2024", "03/04/2024", "12/11/2024"]


@pytest.mark.parametrize(
    ("order", "name", "dates"),
    [
        (
            "dmy",
            "dd/mm/yyyy (day first, as given)",
            [D(2024, 2, 1), D(2024, 4, 3), D(2024, 11, 12)],
        ),
        (
            "mdy",
            "mm/dd/yyyy (month first, as given)",
            [D(2024, 1, 2), D(2024, 3, 4), D(2024, 12, 11)],
        ),
    ],
)
def test_a_given_order_reads_ambiguous_dates(order, name, dates):
    convention, problems = detect_date_convention(AMBIGUOUS_US, order)
    assert convention == DateConvention(name, order == "dmy")
    assert problems == {}
    assert list(parse_dates(AMBIGUOUS_US, convention).values()) == dates


def test_a_given_order_names_the_dates_that_contradict_it():
    convention, problems = detect_date_convention(["08/29/2014", "29/08/2014", "01/02/2014"], "mdy")
    assert convention == DateConvention("mm/dd/yyyy (month first, as given)", False)
    assert problems == {
        "29/08/2014": "Only valid as day-first (dd/mm/yyyy), but the date order given is month "
        "first (mdy)."
    }
    convention, problems = detect_date_convention(["08/29/2014", "29/08/2014"], "dmy")
    assert problems == {
        "08/29/2014": "Only valid as month-first (mm/dd/yyyy), but the date order given is day "
        "first (dmy)."
    }


def test_a_given_order_wins_over_the_dates_and_leaves_other_forms_alone():
    """Unambiguous dates would decide day first; the given order still rules, and dotted
    and ISO dates are read as always."""
    values = ["25/03/2024", "01/02/2024", "26.03.2024", "2024-03-27"]
    convention, problems = detect_date_convention(values, "mdy")
    assert convention.day_first is False
    assert set(problems) == {"25/03/2024"}
    assert parse_dates(values, convention) == {
        "25/03/2024": None,
        "01/02/2024": D(2024, 1, 2),
        "26.03.2024": D(2024, 3, 26),
        "2024-03-27": D(2024, 3, 27),
    }


def test_an_unknown_order_is_a_programming_error():
    with pytest.raises(ValueError, match="The date order is one of dmy, mdy. Got 'ymd'."):
        detect_date_convention(["01/02/2024"], "ymd")


def test_one_ambiguous_date_is_refused_too_and_impossible_ones_keep_their_reason():
    convention, problems = detect_date_convention(["01/02/2024", "31/04/2024", "2024-05-01"])
    assert convention.day_first is None
    assert convention.problem.startswith(
        "The order of day and month cannot be decided: 1 distinct slashed date is valid both "
        "day first and month first (e.g. '01/02/2024'), and no date shows the order."
    )
    assert problems == {"31/04/2024": "Not a real date: April 2024 has 30 days."}


def test_slashed_dates_need_an_order():
    """A convention without an order (an ISO file) cannot read a slashed date."""
    assert parse_dates(["01/02/2024"], DateConvention("yyyy-mm-dd (ISO)", None)) == {
        "01/02/2024": None
    }


DATE_LIKE = st.one_of(
    st.text(max_size=12),
    st.builds(
        lambda a, b, y, sep: f"{a:02d}{sep}{b:02d}{sep}{y}",
        st.integers(0, 40),
        st.integers(0, 40),
        st.integers(1, 2400),
        st.sampled_from(["/", "-", "."]),
    ),
    st.builds(
        lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
        st.integers(0, 9999),
        st.integers(0, 14),
        st.integers(0, 33),
    ),
    st.integers(-5, 200_000).map(str),
)


@given(st.lists(DATE_LIKE, max_size=12))
def test_detection_names_exactly_the_values_that_do_not_parse(values):
    """Never raises, and its problems are exactly the values parse_dates cannot read."""
    convention, problems = detect_date_convention(values)
    parsed = parse_dates(values, convention)
    assert set(parsed) == set(values)
    unread = {raw for raw, date in parsed.items() if date is None}
    if convention.problem is None:
        assert set(problems) == unread
    else:  # the ambiguous dates have the file's one problem instead of their own
        assert set(problems) < unread


@given(st.lists(DATE_LIKE, max_size=12), st.sampled_from(["dmy", "mdy"]))
def test_with_a_given_order_every_unread_value_has_its_reason(values, order):
    convention, problems = detect_date_convention(values, order)
    assert convention.problem is None
    parsed = parse_dates(values, convention)
    assert set(problems) == {raw for raw, date in parsed.items() if date is None}


@given(st.lists(st.text(), max_size=8))
def test_detect_date_convention_never_raises_on_text(values):
    convention, problems = detect_date_convention(values)
    assert isinstance(convention.name, str) and set(problems) <= set(values)


# -------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", (12, None)),
        (" 12 ", (12, None)),
        ("0", (0, None)),
        ("007", (7, None)),
        ("+5", (5, None)),
        ("12.0", (12, None)),
        ("12,0", (12, None)),
        ("1 234", (1234, None)),
        ("1\u00a0234", (1234, None)),
        ("1\u202f234\u202f567", (1234567, None)),
        ("1'234", (1234, None)),
        ("1.234.567", (1234567, None)),
        ("1,234,567", (1234567, None)),
        ("1.234,0", (1234, None)),
        ("1,234.00", (1234, None)),
        ("1 234,0", (1234, None)),
        ("1234.000", (1234, None)),
        ("-3", (None, "Value is negative.")),
        ("−3", (None, "Value is negative.")),  # U+2212 minus sign
        ("1.5", (None, "Value is not a whole number.")),
        ("1,5", (None, "Value is not a whole number.")),
        ("1 234,5", (None, "Value is not a whole number.")),
        (
            "1,234",
            (
                None,
                "Value is ambiguous: the separator can be a decimal mark (a fraction) or a "
                "thousands separator; write whole counts without separators.",
            ),
        ),
        (
            "1.234",
            (
                None,
                "Value is ambiguous: the separator can be a decimal mark (a fraction) or a "
                "thousands separator; write whole counts without separators.",
            ),
        ),
        (
            "<5",
            (
                None,
                "Value is a suppressed or censored count ('<5'); the store needs the exact number.",
            ),
        ),
        (
            "≤5",
            (
                None,
                "Value is a suppressed or censored count ('≤5'); the store needs the exact number.",
            ),
        ),
        (
            "10+",
            (
                None,
                "Value is a suppressed or censored count ('10+'); the store needs the exact "
                "number.",
            ),
        ),
        (
            "1-4",
            (
                None,
                "Value is a suppressed or censored count ('1-4'); the store needs the exact "
                "number.",
            ),
        ),
        ("", (None, "Value is missing.")),
        ("  ", (None, "Value is missing.")),
        ("n/a", (None, "Value is missing.")),
        ("-", (None, "Value is missing.")),
        ("abc", (None, "Value is not a number.")),
        ("12 apples", (None, "Value is not a number.")),
        ("1e3", (None, "Value is in scientific notation; write the count in full.")),
        ("12 34", (None, "Value has digit groups that are not thousands (groups of three).")),
        ("1,2,3", (None, "Value has digit groups that are not thousands (groups of three).")),
        ("99999999999999999999", (None, "Value is too large for a count.")),
    ],
)
def test_parse_count(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "thousands", "expected"),
    [
        ("1,192", ",", (1192, None)),
        ("1,234,567", ",", (1234567, None)),
        ("1,192.0", ",", (1192, None)),
        ("1.192", ".", (1192, None)),
        ("1.192,0", ".", (1192, None)),
        ("12,0", ".", (12, None)),
        ("1 192", "space", (1192, None)),
        ("1\u00a0192", "space", (1192, None)),
        ("1\u202f192\u202f000", "space", (1192000, None)),
        ("1'192", "'", (1192, None)),
        ("1’192", "'", (1192, None)),
        ("192", ",", (192, None)),
        ("0", ".", (0, None)),
        (
            "1,19",
            ",",
            (
                None,
                "Value has digit groups that are not thousands: ',' must separate groups of "
                "three digits.",
            ),
        ),
        (
            "1234,567",
            ",",
            (
                None,
                "Value has digit groups that are not thousands: ',' must separate groups of "
                "three digits.",
            ),
        ),
        (
            "1 19",
            "space",
            (
                None,
                "Value has digit groups that are not thousands: a space must separate groups "
                "of three digits.",
            ),
        ),
        (
            "1 192",
            ",",
            (None, "Value groups digits with a space, but the thousands separator given is ','."),
        ),
        ("1,192", ".", (None, "Value is not a whole number.")),  # "," is the decimal mark
        (
            "1'192",
            ".",
            (None, "Value groups digits with \"'\", but the thousands separator given is '.'."),
        ),
        ("1,5", "space", (None, "Value is not a whole number.")),
        ("1.192,5", ".", (None, "Value is not a whole number.")),
        ("1,,192", ",", (None, "Value is not a number.")),
        ("1.2.3", ",", (None, "Value is not a number.")),
        ("-1,000", ",", (None, "Value is negative.")),
        (
            "<5",
            ",",
            (
                None,
                "Value is a suppressed or censored count ('<5'); the store needs the exact number.",
            ),
        ),
        ("", ",", (None, "Value is missing.")),
    ],
)
def test_parse_count_with_a_declared_thousands_separator(value, thousands, expected):
    assert parse_count(value, thousands) == expected


def test_without_a_declared_separator_a_lone_comma_group_stays_ambiguous():
    assert parse_count("1,192")[1].startswith("Value is ambiguous")


@given(st.integers(0, 10**18 - 1), st.sampled_from([",", ".", "space", "'"]))
def test_parse_count_reads_every_number_grouped_with_the_declared_separator(number, thousands):
    mark = {",": ",", ".": ".", "space": "\u00a0", "'": "'"}[thousands]
    assert parse_count(f"{number:,}".replace(",", mark), thousands) == (number, None)


@given(st.text(), st.sampled_from([",", ".", "space", "'"]))
def test_parse_count_with_a_separator_never_raises(value, thousands):
    number, reason = parse_count(value, thousands)
    assert (number is None) != (reason is None)


@given(st.integers(0, 10**18 - 1))
def test_parse_count_reads_plain_and_space_grouped_integers(number):
    assert parse_count(str(number)) == (number, None)
    assert parse_count(f"{number:,}".replace(",", "\u00a0")) == (number, None)


@given(st.text())
def test_parse_count_never_raises(value):
    number, reason = parse_count(value)
    assert (number is None) != (reason is None)
    assert number is None or number >= 0
