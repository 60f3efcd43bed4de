"""Numbers in tables written as the session's language writes them (ui.tables)."""

import pandas as pd
import pytest

from ui import tables
from ui.tables import COUNT, IDENTIFIER, SHARE, Digits


@pytest.mark.parametrize(
    ("language", "count", "change", "share"),
    [
        ("en", "12,345", "+1,234.5 %", "63 %"),
        ("ro", "12.345", "+1.234,5 %", "63 %"),
        ("uk", "12\u00a0345", "+1\u00a0234,5 %", "63 %"),
    ],
)
def test_each_kind_of_number_in_each_language(language, count, change, share):
    assert COUNT.text(12345, language) == count
    assert Digits(1, sign=True, suffix=" %").text(1234.5, language) == change
    assert SHARE.text(0.63, language) == share
    assert IDENTIFIER.text(1204, language) == "1204"


def test_a_missing_number_is_an_empty_cell():
    assert COUNT.text(float("nan")) == "" and COUNT.text(None) == ""


def test_the_grid_gets_the_texts_and_keeps_the_numbers_to_sort_by():
    frame = pd.DataFrame(
        {"region": ["Cahul", "Iași"], "current": [12345, 7], "pct": [12.5, float("nan")]}
    )
    styled = tables.in_language(
        frame, {"current": COUNT, "pct": Digits(1, sign=True, suffix=" %")}, language="ro"
    )
    pd.testing.assert_frame_equal(styled.data, frame)
    shown = styled.to_string(delimiter="|").splitlines()
    assert shown[1:] == ["0|Cahul|12.345|+12,5 %", "1|Iași|7|"]


def test_every_numeric_column_needs_its_digits():
    frame = pd.DataFrame({"current": [1], "p": [0.5], "flag": [True], "name": ["x"]})
    with pytest.raises(ValueError, match=r"No digits given for the numeric columns \['p'\]\."):
        tables.in_language(frame, {"current": COUNT, "absent": COUNT})
