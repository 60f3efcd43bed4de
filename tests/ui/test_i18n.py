"""The translation layer on its own: lookups, fallbacks, region names, months (no Streamlit run)."""

from __future__ import annotations

import pandas as pd
import pytest

from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions
from ui import i18n
from ui.i18n import region_name, translate


@pytest.fixture
def catalogues(monkeypatch):
    """Replace the catalogues with tiny ones (``set(language, {...})``) for one test."""
    texts = {language: dict(i18n.catalogue(language)) for language in i18n.LANGUAGES}

    def fake(language):
        return texts[language]

    monkeypatch.setattr(i18n, "catalogue", fake)
    return texts


# -- t() and translate() -----------------------------------------------------------------------


def test_outside_a_streamlit_run_the_language_is_english():
    assert i18n.current_language() == "en"
    assert i18n.t("filters.header") == "Filters"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Overview"), ("ro", "Sinteză"), ("uk", "Огляд")],
)
def test_translate_picks_the_language(language, expected):
    assert translate("overview.title", language) == expected


def test_values_fill_named_placeholders_and_are_not_parsed_again():
    """A value that looks like a placeholder or Markdown is inserted as it is."""
    text = translate("upload.recorded_as", "ro", name="{name} **x**")
    assert text == "Încărcările și anulările sunt înregistrate pe numele **{name} **x****."


def test_a_key_missing_from_a_language_falls_back_to_english(catalogues):
    del catalogues["uk"]["filters.header"]
    with pytest.warns(UserWarning, match="No 'uk' text for 'filters.header'; showing English."):
        assert translate("filters.header", "uk") == "Filters"


def test_a_key_missing_everywhere_shows_the_key(catalogues):
    with pytest.warns(UserWarning, match="No text for 'no.such.key' in any catalogue."):
        assert translate("no.such.key", "ro") == "no.such.key"


def test_a_translation_with_a_wrong_placeholder_falls_back_to_english(catalogues):
    catalogues["ro"]["audit.count"] = "{shown} din {totl}"
    with pytest.warns(UserWarning, match="does not fit"):
        text = translate("audit.count", "ro", shown="1", total="2")
    assert text == "1 of 2 entries, newest first."


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError) as info:
        i18n.catalogue("de")
    assert str(info.value) == "Unknown language 'de'; use one of ['en', 'ro', 'uk']."


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ro", "ro"),
        (" RO ", "ro"),
        ("uk", "uk"),
        ("ua", "uk"),
        ("en", "en"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_language(given, expected):
    assert i18n.normalise_language(given) == expected


# -- names from the registries -----------------------------------------------------------------


def test_english_labels_are_the_registries_own():
    """English output stays what it was before translation: the registries' labels."""
    assert {ct.key: i18n.crime_label(ct.key) for ct in CRIME_TYPES} == {
        ct.key: ct.label for ct in CRIME_TYPES
    }
    assert i18n.country_names() == PROJECT_COUNTRIES


def test_unknown_registry_keys_fall_back_quietly():
    """A crime type or country added to a registry but not yet translated shows its key."""
    assert i18n.crime_label("piracy") == "piracy"
    assert i18n.country_name("BY") == "BY"
    assert i18n.level_label("odd level") == "odd level"
    assert i18n.hot_cold_label("lukewarm") == "lukewarm"
    missing = float("nan")  # a region without an emerging category
    assert i18n.emerging_label(missing) is missing


REGIONS = [
    # code, country, English, local
    ("MD-CU", "MD", "Chișinău", "Chișinău"),
    ("MD-GA", "MD", "Gagauzia", "Unitatea Teritorială Autonomă Găgăuzia"),
    ("RO-B", "RO", "Bucharest", "București"),
    ("UA-51", "UA", "Odesa", "Одеська область"),
    ("UA-30", "UA", "Kyiv City", "Київ"),
    ("PL-14", "PL", "Masovian", "mazowieckie"),
    ("HU-BU", "HU", "Budapest", "Budapest"),
]


@pytest.mark.parametrize(("code", "country", "name_en", "name_local"), REGIONS)
def test_region_name_rules(code, country, name_en, name_local):
    """Romanian: local names of Moldova and Romania; Ukrainian: of Ukraine; else English."""
    assert region_name(code, name_en, name_local, country, "en") == name_en
    expected_ro = name_local if country in ("MD", "RO") else name_en
    expected_uk = name_local if country == "UA" else name_en
    assert region_name(code, name_en, name_local, country, "ro") == expected_ro
    assert region_name(code, name_en, name_local, country, "uk") == expected_uk


def test_region_name_without_names_is_the_code():
    assert region_name("MD-XX", "", "", "MD", "ro") == "MD-XX"
    assert region_name("UA-99", "Somewhere", "", "UA", "uk") == "Somewhere"


def test_region_names_of_the_registry():
    registry = load_regions()
    english = i18n.region_names(registry, "en")
    assert english == dict(zip(registry["region_code"], registry["name_en"], strict=True))
    romanian, ukrainian = i18n.region_names(registry, "ro"), i18n.region_names(registry, "uk")
    assert (romanian["RO-B"], romanian["UA-51"]) == ("București", "Odesa")
    assert (ukrainian["UA-51"], ukrainian["RO-B"]) == ("Одеська область", "Bucharest")
    assert romanian["PL-14"] == ukrainian["PL-14"] == english["PL-14"]


# -- months ------------------------------------------------------------------------------------


def test_month_names_in_english_match_strftime():
    """The English months are exactly what the pages showed with ``%b``/``%B`` before."""
    for month in range(1, 13):
        day = pd.Timestamp(2025, month, 1)
        assert i18n.month_name(day) == day.strftime("%b %Y")
        assert i18n.month_name(day, long=True) == day.strftime("%B %Y")


def test_month_span():
    assert i18n.month_span("2025-11-01", "2026-10-31") == "Nov 2025 – Oct 2026"
    assert i18n.month_span("2025-11-01", "2025-11-30") == "Nov 2025"
    assert i18n.month_span("2025-11-01", "2025-11-30", long_single=True) == "November 2025"


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [("ro", "nov. 2025", "noiembrie 2025"), ("uk", "лист. 2025", "листопад 2025")],
)
def test_month_names_in_other_languages(monkeypatch, language, short, long):
    monkeypatch.setattr(i18n, "current_language", lambda: language)
    assert i18n.month_name("2025-11-01") == short
    assert i18n.month_name("2025-11-01", long=True) == long


# -- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "+12,345.7"), ("ro", "+12.345,7"), ("uk", "+12\u00a0345,7")],
)
def test_numbers_use_the_language_separators(language, expected):
    """Romanian and Ukrainian write a decimal comma: "9,999" must not reach them."""
    assert i18n.number(12345.67, 1, sign=True, language=language) == expected


def test_english_numbers_are_what_the_pages_wrote_before():
    for value in (0, 7, 1234, -56789, 9999):
        assert i18n.number(value) == f"{value:,}"
        assert i18n.number(value, sign=True) == f"{value:+,}"
    assert i18n.number(-3.25, 1, sign=True) == f"{-3.25:+.1f}"


def test_plotly_separators():
    assert [i18n.plotly_separators(lang) for lang in ("en", "ro", "uk")] == [
        ".,",
        ",.",
        ",\u00a0",
    ]


def test_bound_fixes_the_language(monkeypatch):
    """A widget's format function keeps the language of the run that drew the widget."""
    monkeypatch.setattr(i18n, "current_language", lambda: "uk")
    label = i18n.bound(i18n.country_name)
    monkeypatch.setattr(i18n, "current_language", lambda: "en")
    assert label("MD") == "Молдова"
    assert i18n.country_name("MD") == "Moldova"


# -- plurals and the forecasts' notes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("en", {0: "0 months", 1: "1 month", 2: "2 months", 21: "21 months"}),
        (
            "ro",
            {
                0: "0 luni",
                1: "1 lună",
                2: "2 luni",
                19: "19 luni",
                20: "20 de luni",
                101: "101 luni",
                120: "120 de luni",
            },
        ),
        (
            "uk",
            {
                0: "0 місяців",
                1: "1 місяць",
                2: "2 місяці",
                4: "4 місяці",
                5: "5 місяців",
                11: "11 місяців",
                12: "12 місяців",
                21: "21 місяць",
                22: "22 місяці",
                111: "111 місяців",
            },
        ),
    ],
)
def test_plurals_take_each_languages_forms(language, counts):
    assert {n: i18n.plural("months", n, language=language) for n in counts} == counts


def test_plural_counts_use_the_language_separators():
    assert i18n.plural("weeks", 1200, language="en") == "1,200 weeks"
    assert i18n.plural("weeks", 1200, language="ro") == "1.200 de săptămâni"
    assert i18n.plural("years", 1, language="uk") == "1 рік"


def test_every_counted_unit_has_the_forms_of_each_language():
    from forecasting.wording import COUNTED

    forms = {"en": 2, "ro": 3, "uk": 3}
    for language, expected in forms.items():
        for unit in COUNTED:
            text = i18n.catalogue(language)[f"plural.{unit}"]
            assert len(text.split("|")) == expected, (language, unit)


def test_model_names_are_words_with_their_lag():
    assert i18n.model_name("sarimax", 1, language="en") == (
        "Seasonal model with migration flows (SARIMAX), arrivals 1 month earlier"
    )
    assert i18n.model_name("ets", None, language="en") == "Exponential smoothing (ETS)"
    assert i18n.model_name("sarimax", 2, language="ro").endswith("sosiri cu 2 luni mai devreme")


def test_notes_are_worded_in_each_language():
    from forecasting.wording import Amount, Count, Earlier, Model, note

    skill = note("skill", model=Model("sarimax", 1), ratio=Amount(0.5803, 2))
    assert i18n.note_text(skill, language="en") == (
        "Forecast by: Seasonal model with migration flows (SARIMAX), arrivals 1 month "
        "earlier. Tested on past months, its error was 0.58 times that of simply repeating "
        "the latest month (below 1 is better), and it did better than both simple rules."
    )
    assert "0,58" in i18n.note_text(skill, language="ro")
    link = note("link_best", when=Earlier(0, "months"), r=Amount(0.894, 2, sign=True))
    assert "arrivals in the same month (correlation +0.89)" in i18n.note_text(link, "en")
    assert "прибуттями того самого місяця (кореляція +0,89)" in i18n.note_text(link, "uk")
    gap = note("gap_one", period="2019-11", modelled=Count(1, "months"), since="2019-12")
    assert "the 1 month reported since 2019-12" in i18n.note_text(gap, "en")
    assert "1 місяць" in i18n.note_text(gap, "uk")


def test_every_note_can_be_worded_in_every_language():
    """Each note key has a text that its values fill, in each language (the keys of a note
    come from the code that makes it; here every placeholder is given)."""
    import string

    from forecasting.wording import NOTE_KEYS, Note

    for language in i18n.LANGUAGES:
        for key in NOTE_KEYS:
            text = i18n.catalogue(language)[f"note.{key}"]
            fields = {f.split("|")[0] for _, f, _, _ in string.Formatter().parse(text) if f}
            # "2": a counted placeholder ({b|more_incidents}) needs a number.
            worded = i18n.note_text(Note(key, dict.fromkeys(fields, "2")), language)
            assert "{" not in worded, (language, key)


def test_a_tiny_p_value_is_not_written_as_zero():
    from forecasting.wording import PValue, note

    assert "(Granger test, p < 0.001)" in i18n.note_text(
        note("granger_yes", p=PValue(0.00002)), "en"
    )
    assert "(testul Granger, p = 0,012)" in i18n.note_text(
        note("granger_yes", p=PValue(0.012)), "ro"
    )


@pytest.mark.parametrize(
    ("language", "units", "note"),
    [
        ("en", 1, "Romania reported Cybercrime by region for 0 of 1 month"),
        (
            "ro",
            24,
            "România a raportat Criminalitate informatică pe regiuni pentru 14 din 24 de luni",
        ),
        ("ro", 19, "România a raportat Criminalitate informatică pe regiuni pentru 14 din 19 luni"),
        ("uk", 21, "Румунія повідомила про «Кіберзлочинність» за регіонами за 14 з 21 місяця"),
        ("uk", 24, "Румунія повідомила про «Кіберзлочинність» за регіонами за 14 з 24 місяців"),
    ],
)
def test_a_partly_reporting_country_counts_its_periods_in_every_language(language, units, note):
    words = i18n.no_data_words(language)
    covered = 0 if units == 1 else 14
    text = words.partly.format(
        country=words.country("RO"),
        crime=words.crime("cybercrime"),
        covered=covered,
        units=words.months(units),
    )
    assert text == note
