"""The catalogues without Streamlit: lookups, fallbacks, numbers, months, plurals, names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from threatmon import i18n

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_line_and_the_reports_read_the_catalogues_without_streamlit():
    code = (
        "import sys, threatmon.i18n, reports.words; "
        "print(threatmon.i18n.translate('briefing.label.notes', 'uk')); "
        "print('streamlit' in sys.modules, 'ui' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["Примітки", "False False"]


def test_the_catalogues_are_in_the_package():
    """Installed without ui/, the command line still finds them."""
    assert i18n.LOCALES == ROOT / "threatmon" / "locales"
    assert sorted(p.stem for p in i18n.LOCALES.glob("*.json")) == sorted(i18n.LANGUAGES)


def test_lookup_and_fallbacks(monkeypatch):
    assert i18n.translate("briefing.label.page", "ro", i=1, n=6) == "Pagina 1 din 6"
    texts = {"en": {"a": "A {x}"}, "ro": {}}
    with pytest.warns(UserWarning, match="No 'ro' text for 'a'; showing English."):
        assert i18n.fill(texts.__getitem__, "a", "ro", {"x": 1}) == "A 1"
    with pytest.warns(UserWarning, match="No text for 'b' in any catalogue."):
        assert i18n.fill(texts.__getitem__, "b", "ro", {}) == "b"


@pytest.mark.parametrize(
    ("language", "number", "month", "span", "months"),
    [
        ("en", "1,234.5", "October 2026", "Nov 2025 – Oct 2026", "21 months"),
        ("ro", "1.234,5", "octombrie 2026", "nov. 2025 – oct. 2026", "21 de luni"),
        ("uk", "1\u00a0234,5", "жовтень 2026", "лист. 2025 – жовт. 2026", "21 місяць"),
    ],
)
def test_formats(language, number, month, span, months):
    assert i18n.number(1234.5, 1, language=language) == number
    assert i18n.month_name("2026-10-01", long=True, language=language) == month
    assert i18n.month_span("2025-11-01", "2026-10-31", language=language) == span
    assert i18n.plural("months", 21, language) == months


def test_region_names_follow_the_language():
    registry = pd.DataFrame(
        {
            "region_code": ["RO-B", "UA-51"],
            "country": ["RO", "UA"],
            "name_en": ["Bucharest", "Odesa"],
            "name_local": ["București", "Одеська область"],
        }
    )
    assert i18n.region_names(registry, "ro") == {"RO-B": "București", "UA-51": "Odesa"}
    assert i18n.region_names(registry, "uk") == {"RO-B": "Bucharest", "UA-51": "Одеська область"}


# -- counts in a text: {count|unit} ------------------------------------------------------------

#: count → "count incidents" in English, Romanian and Ukrainian.
INCIDENTS = {
    1: ("1 incident", "1 incident", "1 інцидент"),
    2: ("2 incidents", "2 incidente", "2 інциденти"),
    5: ("5 incidents", "5 incidente", "5 інцидентів"),
    19: ("19 incidents", "19 incidente", "19 інцидентів"),
    20: ("20 incidents", "20 de incidente", "20 інцидентів"),
    21: ("21 incidents", "21 de incidente", "21 інцидент"),
    22: ("22 incidents", "22 de incidente", "22 інциденти"),
    101: ("101 incidents", "101 incidente", "101 інцидент"),
    111: ("111 incidents", "111 incidente", "111 інцидентів"),
    1192: ("1,192 incidents", "1.192 de incidente", "1\u00a0192 інциденти"),
}


@pytest.mark.parametrize("count", list(INCIDENTS))
@pytest.mark.parametrize("language", ["en", "ro", "uk"])
def test_a_counted_placeholder_takes_the_form_of_its_number(count, language):
    expected = INCIDENTS[count][list(i18n.LANGUAGES).index(language)]
    text = "{count|incidents}"
    assert i18n.format_text(text, language, {"count": count}) == expected
    # As the callers pass it: already written by number(), kept as it is.
    written = i18n.number(count, language=language)
    assert i18n.format_text(text, language, {"count": written}) == expected


def test_a_count_written_with_any_space_is_read_whole():
    for space in ("\u00a0", "\u202f", "\u2009", " "):
        assert i18n.count_value(f"1{space}192", "uk") == 1192
        assert i18n.count_text("rows", f"1{space}192", "uk") == f"1{space}192 рядки"
    assert i18n.count_value("1,192", "en") == 1192
    assert i18n.count_value("1.192", "ro") == 1192
    assert i18n.count_value("\u22123", "ro") == -3


def test_a_count_written_with_decimals_takes_the_fraction_form():
    assert i18n.count_text("more_incidents", "1.0", "en") == "1.0 more incidents"
    assert i18n.count_text("more_incidents", "1,5", "ro") == "1,5 incidente în plus"
    assert i18n.count_text("more_incidents", 2.5, "ro") == "2,5 incidente în plus"
    assert i18n.count_text("more_incidents", "1", "en") == "1 more incident"


def test_what_is_no_number_is_refused():
    with pytest.raises(ValueError, match=r"^'many' is not a number, so no plural form can be"):
        i18n.count_value("many")
    with pytest.raises(ValueError, match="is not a number"):
        i18n.count_value(True)


def test_a_text_with_counts_keeps_its_other_placeholders():
    texts = {"en": {"a": "{count|rows} of {name!r} ({share:.0%}) {{kept}}"}, "ro": {}}
    with pytest.warns(UserWarning, match="No 'ro' text for 'a'"):
        filled = i18n.fill(texts.__getitem__, "a", "ro", {"count": 1, "name": "x", "share": 0.5})
    assert filled == "1 row of 'x' (50%) {kept}"
    assert i18n.translate("briefing.regions", "en", n=i18n.number(1)) == "1 region"
    assert i18n.counted("{count|incidents} in {month}") == [("count", "incidents")]


def test_a_missing_count_makes_the_text_fall_back_like_any_placeholder():
    with pytest.raises(KeyError):
        i18n.translate("levels.coarser", "en", country="Poland")


def test_the_existing_units_read_as_before():
    assert i18n.plural("months", 21, "ro") == "21 de luni"
    assert i18n.plural("months", 21, "uk") == "21 місяць"
    assert i18n.plural("crossing_points", 1, "en") == "1 crossing point"
