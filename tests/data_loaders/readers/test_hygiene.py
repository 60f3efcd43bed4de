"""Values refused at load: control characters anywhere in a file, bidirectional
overrides, and values longer than a spreadsheet cell; each by line, column and value."""

import pyarrow as pa
import pytest

from data_loaders.readers.hygiene import MAX_VALUE_CHARS
from tests.data_loaders.readers.files import parquet_bytes
from threatmon.errors import Problem

# Past the first MB the format check reads: only the value check can find what follows.
PADDING = "date,place\n" + "2024-01-01,Cahul\n" * 70_000
# Enough text around a control character that the head still reads as text, not binary.
CLEAN_ROWS = "ok,fine\n" * 50


def test_a_nul_byte_after_the_first_megabyte_is_refused_with_its_line(refused):
    error = refused("late.csv", PADDING + "2024-01-02,Ca\x00hul\n")
    assert str(error) == (
        "late.csv has 1 value that cannot be stored safely; nothing was loaded. First: "
        "line 70002, column 'place': The value holds a control character (U+0000), which "
        "no export can hold; remove it."
    )
    assert error.problems == (
        Problem(
            70002,
            "place",
            "Ca<U+0000>hul",
            "The value holds a control character (U+0000), which no export can hold; remove it.",
        ),
    )


def test_bidirectional_overrides_and_other_controls_are_refused(refused):
    text = "name,note\nexe\u202etxt.csv,a\nok,bell\x07\nok,\u2066isolate\u2069\n"
    error = refused("b.csv", text + CLEAN_ROWS)
    assert [(p.row, p.column, p.value) for p in error.problems] == [
        (2, "name", "exe<U+202E>txt.csv"),
        (3, "note", "bell<U+0007>"),
        (4, "note", "<U+2066>isolate<U+2069>"),
    ]
    assert error.problems[0].reason == (
        "The value holds a bidirectional override (U+202E), which makes text display in a "
        "misleading order; remove it."
    )


def test_a_value_longer_than_a_spreadsheet_cell_is_refused_not_cut(refused):
    error = refused("long.csv", "id,note\n1," + "x" * (MAX_VALUE_CHARS + 1) + "\n2,ok\n")
    [problem] = error.problems
    assert (problem.row, problem.column) == (2, "note")
    assert problem.reason == (
        "The value is 32,768 characters long; the limit is 32,767 (what a spreadsheet cell "
        "holds), so exports would cut it."
    )
    assert problem.value == "x" * 120 + "…"


def test_tabs_line_breaks_dashes_and_quotes_in_values_are_text(load):
    raw, rows = load(
        "ok.csv",
        'id,note\n1,"two\nlines"\n2,tab\there – “quoted”\n3,' + "y" * MAX_VALUE_CHARS + "\n",
    )
    assert [row[2][:12] for row in rows] == ["two\nlines", "tab\there – “", "y" * 12]


def test_a_clean_file_is_known_clean_from_its_bytes(load):
    raw, _ = load("clean.csv", "id,note\n1,Cahul\n2,Chișinău\n")
    assert (raw.suspect, raw.longest_line) == (False, 13)  # bytes, line break included


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16"])
def test_files_in_other_encodings_are_checked_too(refused, encoding):
    text = "id,note\n1,Одеса\x01\n" + CLEAN_ROWS.replace("ok", "2")
    error = refused("legacy.csv", text.encode(encoding))
    assert [(p.row, p.column, p.value) for p in error.problems] == [(2, "note", "Одеса<U+0001>")]


def test_parquet_strings_are_checked(refused):
    table = pa.table({"id": ["1", "2"], "note": ["fine", "bad\x00"]})
    error = refused("p.parquet", parquet_bytes(table))
    assert [(p.row, p.column, p.value) for p in error.problems] == [(3, "note", "bad<U+0000>")]


def test_line_breaks_of_windows_and_tabs_leave_a_file_clean(load):
    raw, rows = load("crlf.csv", "id,note\r\n1,Cahul\tnorth\r\n2,Chișinău\r\n")
    assert raw.suspect is False
    assert rows == [(2, "1", "Cahul\tnorth"), (3, "2", "Chișinău")]
