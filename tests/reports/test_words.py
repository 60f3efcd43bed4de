"""The briefing's words: texts, numbers, dates, names and messages in one language."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reports.words import ENGLISH, Words
from threatmon.messages import Message, odds
from threatmon.registry.regions import load_regions
from ui.messages import say


def test_english_is_the_default():
    assert Words() == ENGLISH
    assert ENGLISH.language == "en"


def test_ua_is_taken_for_uk_and_an_unknown_language_is_refused():
    assert Words("UA").language == "uk"
    with pytest.raises(
        ValueError, match=r"^Unknown language 'de'; use one of \['en', 'ro', 'uk'\]\.$"
    ):
        Words("de")


@pytest.mark.parametrize(
    ("language", "number", "percent", "day", "span", "one_month", "months", "joined"),
    [
        ("en", "12,345.7", "+3.6 %", "1 Jan 2026", "Nov 2025 – Oct 2026", "October 2026",
         "12 months", "A, B and C"),
        ("ro", "12.345,7", "+3,6 %", "1 ian. 2026", "nov. 2025 – oct. 2026", "octombrie 2026",
         "12 luni", "A, B și C"),
        ("uk", "12\u00a0345,7", "+3,6 %", "1 січ. 2026", "лист. 2025 – жовт. 2026",
         "жовтень 2026", "12 місяців", "A, B і C"),
    ],
)  # fmt: skip
def test_numbers_dates_and_lists(language, number, percent, day, span, one_month, months, joined):
    words = Words(language)
    assert words.number(12345.678, 1) == number
    assert words.percent(3.6, 1, sign=True) == percent
    assert words.day(dt.date(2026, 1, 1)) == day
    assert words.span(dt.date(2025, 11, 1), dt.date(2026, 10, 31)) == span
    assert words.span(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == one_month
    assert words.plural("months", 12) == months
    assert words.join(["A", "B", "C"]) == joined


@pytest.mark.parametrize(
    ("language", "moldova", "romania", "ukraine", "poland"),
    [
        ("en", "Chișinău", "Bucharest", "Odesa", "Lesser Poland"),
        ("ro", "Chișinău", "București", "Odesa", "Lesser Poland"),
        ("uk", "Chișinău", "Bucharest", "Одеська область", "Lesser Poland"),
    ],
)
def test_regions_are_named_as_on_the_map(language, moldova, romania, ukraine, poland):
    """Local names for Moldova and Romania in Romanian, for Ukraine in Ukrainian."""
    registry = load_regions()
    named = Words(language).named(registry)
    names = dict(zip(named["region_code"], named["name_en"], strict=True))
    assert (names["MD-CU"], names["RO-B"], names["UA-51"], names["PL-12"]) == (
        moldova,
        romania,
        ukraine,
        poland,
    )
    assert registry["name_en"].equals(load_regions()["name_en"])  # not modified


def _surge() -> Message:
    return Message(
        "alert.surge",
        {
            "region": "MD-CU",
            "crime": "migrant_smuggling",
            "count": 1234,
            "month": pd.Timestamp("2026-10-01"),
            "baseline": 12,
            "months": 12,
            "odds": odds(3.3e-4),
            "ratio": 3.5,
            "expected": 3.4,
        },
    )


def test_an_alert_is_written_in_the_language():
    assert Words("ro").say(_surge()) == (
        "Chișinău (Republica Moldova), Trafic de migranți — octombrie 2026: 1.234 de incidente, de "
        "3,5 ori media lunară de 3,4 din cele 12 luni anterioare (șansa ca aceasta să fie o "
        "coincidență: aproximativ 1 la 3.000)."
    )


@pytest.mark.parametrize("language", ["en", "ro", "uk"])
def test_the_dashboard_writes_messages_with_the_same_words(language):
    assert say(_surge(), language=language) == Words(language).say(_surge())


def test_crime_types_countries_and_models():
    ro = Words("ro")
    assert ro.crime("human_trafficking") == "Trafic de persoane"
    assert ro.country("MD") == "Republica Moldova"
    assert ro.country("XX") == "XX"
    assert Words("uk").model("ets") == "Експоненційне згладжування (ETS)"
    assert ENGLISH.model("unknown_model") == "unknown_model"


def _first_surge(count: int) -> Message:
    return Message(
        "alert.surge_first",
        {
            "region": "MD-CU",
            "crime": "migrant_smuggling",
            "count": count,
            "month": pd.Timestamp("2026-10-01"),
            "since": pd.Timestamp("2025-03-01"),
            "odds": odds(3.3e-4),
        },
    )


@pytest.mark.parametrize(
    ("language", "count", "start"),
    [
        ("en", 1, "Chișinău (Moldova), Migrant smuggling: 1 incident in October 2026, the first"),
        ("en", 3, "Chișinău (Moldova), Migrant smuggling: 3 incidents in October 2026, the first"),
        ("ro", 1, "Chișinău (Republica Moldova), Trafic de migranți — octombrie 2026: 1 incident,"),
        (
            "ro",
            3,
            "Chișinău (Republica Moldova), Trafic de migranți — octombrie 2026: 3 incidente,",
        ),
        (
            "ro",
            25,
            "Chișinău (Republica Moldova), Trafic de migranți — octombrie 2026: 25 de incidente,",
        ),
        (
            "uk",
            1,
            "Chișinău (Молдова), Незаконне переправлення мігрантів — жовтень 2026: 1 інцидент,",
        ),
        (
            "uk",
            3,
            "Chișinău (Молдова), Незаконне переправлення мігрантів — жовтень 2026: 3 інциденти,",
        ),
        (
            "uk",
            25,
            "Chișinău (Молдова), Незаконне переправлення мігрантів — жовтень 2026: 25 інцидентів,",
        ),
    ],
)
def test_an_alert_counts_its_incidents_in_the_form_of_the_number(language, count, start):
    text = Words(language).say(_first_surge(count))
    assert text.startswith(start + " ")
    assert say(_first_surge(count), language=language) == text


def test_an_alert_in_full_in_romanian_and_ukrainian():
    assert Words("ro").say(_first_surge(25)) == (
        "Chișinău (Republica Moldova), Trafic de migranți — octombrie 2026: 25 de incidente, "
        "pentru prima dată din martie 2025 încoace (șansa ca aceasta să fie o coincidență: "
        "aproximativ 1 la 3.000)."
    )
    assert Words("uk").say(_first_surge(1)) == (
        "Chișinău (Молдова), Незаконне переправлення мігрантів — жовтень 2026: 1 інцидент, "
        "уперше, відколи почався березень 2025 (імовірність випадкового збігу: приблизно "
        "1 на 3\u00a0000)."
    )


def test_the_months_of_an_alert_are_counted_too():
    surge = Message(
        "alert.surge_partial",
        {
            "region": "MD-CU",
            "crime": "migrant_smuggling",
            "count": 3,
            "month": pd.Timestamp("2026-10-01"),
            "baseline": 24,
            "months": 21,
            "odds": odds(3.3e-4),
            "ratio": 3.5,
            "expected": 3.4,
        },
    )
    assert "din cele 21 de luni raportate dintre cele 24 anterioare" in Words("ro").say(surge)
    assert "за 21 звітний місяць із попередніх 24 міс." in Words("uk").say(surge)
    assert "over the 21 reported months of the 24 before" in Words("en").say(surge)
