"""CSV line numbers: the physical line an analyst sees, through blank lines and quoting."""

import csv
import io
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_loaders.readers import read_table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\n1,2\n3,4\n", [(2, "1"), (3, "3")]),
        ("a,b\r\n1,2\r\n3,4", [(2, "1"), (3, "3")]),
        ("a,b\r1,2\r3,4\r", [(2, "1"), (3, "3")]),  # old Mac line endings
        ("a,b\n1,2\n\n\n3,4\n\n", [(2, "1"), (5, "3")]),  # blank lines are skipped
        ("a,b\r\n1,2\r\n\r\n3,4\r\n", [(2, "1"), (4, "3")]),
        ("\n\na,b\n1,2\n", [(4, "1")]),  # blank lines before the header
        ('"a\nb",c\n1,2\n', [(3, "1")]),  # a header spanning two lines
    ],
)
def test_line_is_the_physical_line_in_the_file(load, text, expected):
    _, rows = load("l.csv", text)
    assert [(line, first) for line, first, _ in rows] == expected


def test_a_quoted_value_spanning_lines_gets_the_line_it_starts_on(load):
    """Rows after it keep exact numbers; so do rows after a blank line that follows it."""
    text = 'id,note\n1,"two\nlines"\n2,x\n\n3,"a\n\nb"\n4,y\n'
    _, rows = load("q.csv", text)
    assert rows == [(2, "1", "two\nlines"), (4, "2", "x"), (6, "3", "a\n\nb"), (9, "4", "y")]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.text(alphabet='ab ,;"\n', max_size=6), min_size=3, max_size=3),
            st.integers(0, 2),  # blank lines after the row
        ),
        max_size=12,
    ),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
@pytest.mark.slow
def test_line_numbers_match_pythons_csv_module(rows, terminator):
    """Blank lines and quoted line breaks anywhere: each row gets the line it starts on."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=terminator)
    writer.writerow(["h1", "h2", "h3"])
    for values, blanks in rows:
        writer.writerow(["x" + v for v in values])  # never an all-empty row
        buffer.write(terminator * blanks)
    text = buffer.getvalue()
    reader = csv.reader(io.StringIO(text, newline=""))
    expected, start = [], 1
    for record in reader:
        if record and record[0] != "h1":
            expected.append(start)
        start = reader.line_num + 1
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as connection:
        path = Path(tmp) / "l.csv"
        path.write_bytes(text.encode())
        read_table(connection, path)
        lines = connection.execute("SELECT line FROM raw ORDER BY line").fetchall()
    assert [line for (line,) in lines] == expected


def test_line_numbers_stay_exact_when_duckdb_reads_in_parallel(tmp_path, con):
    """~32 MB: several ranges of the file, read by more than one thread."""
    path = tmp_path / "big.csv"
    con.execute(
        f"COPY (SELECT i + 2 AS line_in_file, 'UA-' || (i % 27) AS region, repeat('x', i % 40) "
        f"AS pad FROM range(1000000) t(i)) TO '{path}' (HEADER)"
    )
    raw = read_table(con, path)
    assert raw.rows == 1_000_000
    mismatches = con.execute("SELECT count(*) FROM raw WHERE line <> CAST(c0 AS BIGINT)")
    assert mismatches.fetchall() == [(0,)]


def test_unfollowable_quoting_warns_that_lines_may_be_off(load):
    """A literal quote in an unquoted value (DuckDB accepts it) breaks quote parity."""
    with pytest.warns(UserWarning, match="line numbers in messages may be off"):
        raw, rows = load("lit.csv", 'a,b\n1,5" pipe\n\n2,x\n')
    assert [value for _, _, value in rows] == ['5" pipe', "x"]


def test_trailing_empty_rows_are_dropped_and_inner_ones_kept(load):
    raw, rows = load("e.csv", "a,b,c\n1,2,3\n,,\n4,5,6\n,,\n, ,\n")
    assert raw.rows == 3
    assert rows == [(2, "1", "2", "3"), (3, None, None, None), (4, "4", "5", "6")]
