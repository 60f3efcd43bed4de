"""The logic's sentences written in each language (ui.messages.say), outside a Streamlit run."""

import pandas as pd
import pytest

from forecasting.warning.sentences import ENGLISH
from threatmon.messages import Message, odds
from ui.i18n import catalogue, p_value_text
from ui.messages import place_names, reading_label, say

SURGE = Message(
    "alert.surge",
    {
        "region": "MD-CL",
        "crime": "cybercrime",
        "count": 1234,
        "month": pd.Timestamp("2026-10-01"),
        "baseline": 12,
        "months": 12,
        "ratio": 4.75,
        "expected": 259.8,
        "odds": odds(3.3e-4),
    },
)


def test_a_region_is_always_named_with_its_country():
    places = place_names("en")
    assert (places["MD-CL"], places["RO-CL"]) == ("Călărași (Moldova)", "Călărași (Romania)")
    assert place_names("ro")["MD-CL"] == "Călărași (Republica Moldova)"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Călărași (Moldova), Cybercrime: 1,234 incidents in October 2026, 4.8 times the "
            "monthly average of 259.8 over the 12 months before (chance of this by "
            "coincidence: about 1 in 3,000).",
        ),
        (
            "ro",
            "Călărași (Republica Moldova), Criminalitate informatică — octombrie 2026: 1.234 "
            "de incidente, de 4,8 ori media lunară de 259,8 din cele 12 luni anterioare (șansa "
            "ca aceasta să fie o coincidență: aproximativ 1 la 3.000).",
        ),
        (
            "uk",
            "Călărași (Молдова), Кіберзлочинність — жовтень 2026: 1\u00a0234 інциденти, у 4,8 "
            "раза більше за середнє 259,8 на місяць за попередні 12 міс. (імовірність "
            "випадкового збігу: приблизно 1 на 3\u00a0000).",
        ),
    ],
)
def test_an_alert_in_each_language(language, expected):
    text = say(SURGE, language=language)
    assert text == expected
    assert "e-0" not in text and "ETS" not in text


def test_the_english_of_the_alerts_is_the_catalogues():
    english = catalogue("en")
    assert {key: english[f"msg.{key}"] for key in ENGLISH} == ENGLISH


def test_readings_in_words():
    assert reading_label("could_be_chance", "en") == "could be chance"
    assert reading_label("clear_rise", "ro") == "creștere clară"
    assert reading_label("too_few", "uk") == "замало даних, щоб судити"


@pytest.mark.parametrize(
    ("p", "language", "expected"),
    [
        (3e-7, "en", "< 0.001"),
        (0.0009999, "ro", "< 0,001"),
        (0.001, "en", "0.001"),
        (0.0344, "uk", "0,034"),
        (1.0, "en", "1.000"),
        (float("nan"), "en", ""),
    ],
)
def test_p_values_are_three_decimals_or_below_a_thousandth(p, language, expected):
    assert p_value_text(p, language=language) == expected
