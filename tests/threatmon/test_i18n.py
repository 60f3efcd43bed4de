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
