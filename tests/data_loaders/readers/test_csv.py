"""CSV: delimiters sniffed quote-aware, values trimmed, headers checked, ragged rows refused."""

import hashlib

import pytest

from data_loaders.readers import RawTable, read_table
from threatmon.errors import Problem

# --- CSV: delimiters, quoting, values ---------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_sniffed_quote_aware(load, delimiter):
    others = "".join(d for d in ",;\t|" if d != delimiter)
    text = delimiter.join(["id", "note", "place"]) + "\n"
    text += delimiter.join(["1", f'"a{delimiter}b"', f"x{others}y"]) + "\n"
    text += delimiter.join(["2", f'"say ""hi"" {others}"', "z"]) + "\n"
    raw, rows = load("d.csv", text)
    assert raw.delimiter == delimiter
    assert raw.columns == ("id", "note", "place")
    assert rows == [
        (2, "1", f"a{delimiter}b", f"x{others}y"),
        (3, "2", f'say "hi" {others}', "z"),
    ]


def test_values_are_trimmed_and_empty_is_null(load):
    raw, rows = load("t.csv", 'a,b,c,d\n  x  ,"",   ,"  y  "\n\t lead,, trail ,"\u00a0nb "\n')
    assert rows == [(2, "x", None, None, "y"), (3, "lead", None, "trail", "nb")]


def test_header_names_are_stripped_of_whitespace_and_bom(load):
    raw, _ = load("h.csv", "\ufeff date , country\t,\u00a0count\n2024-01-01,MD,1\n")
    assert raw.columns == ("date", "country", "count")
    assert raw.encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("text", "columns", "first_row"),
    [
        ("a;b;c\n1;2;3;\n4;5;6;\n", ("a", "b", "c", ""), (2, "1", "2", "3", None)),
        ("a;b;c;\n1;2;3\n4;5;6\n", ("a", "b", "c"), (2, "1", "2", "3")),
    ],
)
def test_a_delimiter_ending_every_line_or_only_the_header_is_tolerated(
    load, text, columns, first_row
):
    raw, rows = load("t.csv", text)
    assert (raw.columns, rows[0]) == (columns, first_row)


def test_header_only_gives_zero_rows(load):
    raw, rows = load("h.csv", "date,country\n")
    assert (raw.rows, rows) == (0, [])


def test_result_describes_the_read(tmp_path, con):
    path = tmp_path / "in.csv"
    path.write_bytes(b"a;b\n1;2\n")
    raw = read_table(con, path, file_name="incidents.txt", table="upload", sheet="ignored")
    assert raw == RawTable(
        table="upload",
        format="csv",
        rows=1,
        columns=("a", "b"),
        encoding="utf-8",
        delimiter=";",
        sheet=None,
        sha256=hashlib.sha256(b"a;b\n1;2\n").hexdigest(),
        suspect=False,
        longest_line=4,
    )
    described = con.execute("DESCRIBE upload").fetchall()
    assert [(name, kind) for name, kind, *_ in described] == [
        ("line", "BIGINT"),
        ("c0", "VARCHAR"),
        ("c1", "VARCHAR"),
    ]


# --- CSV: refused files -----------------------------------------------------------------


def test_ragged_rows_are_refused_with_their_lines(refused):
    error = refused("r.csv", 'a,b,c\n1,2,3\n"x\ny",8,9\n4,5\n\n6,7,8,9\n1,2,3\n')
    assert str(error) == (
        "r.csv has 2 rows that do not fit its header of 3 fields separated by commas: "
        "line 5 has 2 fields, line 7 has 4 fields. Check the delimiter, and that values "
        "containing it are quoted."
    )
    assert error.problems == (
        Problem(5, None, "4,5", "2 fields where the header has 3."),
        Problem(7, None, "6,7,8,9", "4 fields where the header has 3."),
    )


def test_an_unclosed_quote_is_refused(refused):
    error = refused("q.csv", 'a,b\n1,2\n3,"4"z\n')
    assert str(error) == (
        "q.csv has 1 row that does not fit its header of 2 fields separated by commas: "
        "line 3 has a quote that is not closed. Check the delimiter, and that values "
        "containing it are quoted."
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.csv is empty."),
        (b"\n\r\n\n", "x.csv has no header row: it has only empty lines."),
        (b",,\n1,2,3\n", "x.csv has no header row: its first row has no names."),
        (
            b"2024-01-05,MD,3\n2024-01-06,MD,4\n",
            "x.csv has no header row: its first row looks like data ('2024-01-05' is a date). "
            "Add a row of column names at the top.",
        ),
        (
            b"date,country, country \n",
            "x.csv has the column 'country' more than once in its header; rename one so "
            "that every column has its own name.",
        ),
    ],
)
def test_csv_without_a_usable_header_is_refused(refused, data, message):
    assert str(refused("x.csv", data)) == message


def test_unnamed_columns_are_allowed_even_several(load):
    raw, rows = load("u.csv", "a,,b,\n1,2,3,4\n")
    assert raw.columns == ("a", "", "b", "")
    assert rows == [(2, "1", "2", "3", "4")]


def test_the_header_is_announced_once_before_the_rows_are_read(tmp_path, con):
    path = tmp_path / "in.csv"
    path.write_bytes(b"date;Raion\n2025-01-01;Cahul\n")
    seen = []

    def on_header(headers):
        seen.append((headers, con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()))

    read_table(con, path, on_header=on_header)
    assert seen == [(("date", "Raion"), [(0,)])]


def test_the_header_of_a_transcoded_file_is_announced_once(tmp_path, con):
    path = tmp_path / "in.csv"
    path.write_bytes("miasto,n\nŁódź,1\nKraków,2\n".encode("cp1250"))
    seen = []
    raw = read_table(con, path, on_header=seen.append)
    assert raw.encoding != "utf-8"
    assert seen == [raw.columns]
