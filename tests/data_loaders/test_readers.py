"""read_table: format by content, encodings, delimiters, line numbers, limits, every error."""

import csv
import datetime as dt
import hashlib
import io
import tempfile
import warnings
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_loaders import readers
from data_loaders.readers import RawTable, ReadLimits, drop_table, read_table
from threatmon.errors import Problem, UnreadableFileError

MB = 1024 * 1024


@pytest.fixture
def con():
    """A fresh in-memory DuckDB connection."""
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture
def load(tmp_path, con):
    """Write ``data`` (bytes or str) under ``name`` and read it; return (RawTable, rows)."""

    def _load(name, data, **kwargs):
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        raw = read_table(con, path, **kwargs)
        return raw, con.execute(f"SELECT * FROM {raw.table} ORDER BY line").fetchall()

    return _load


@pytest.fixture
def refused(tmp_path, con):
    """Write ``data`` under ``name``, read it, and return the UnreadableFileError raised."""

    def _refused(name, data, **kwargs):
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        with pytest.raises(UnreadableFileError) as caught:
            read_table(con, path, **kwargs)
        return caught.value

    return _refused


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with one sheet per key, rows appended as given."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parquet_bytes(table: pa.Table, **kwargs) -> bytes:
    """``table`` written as Parquet."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **kwargs)
    return buffer.getvalue()


# --- settings -----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["max_bytes", "max_uncompressed_bytes", "max_compression_ratio"])
def test_limits_must_be_positive(field):
    with pytest.raises(ValueError) as caught:
        ReadLimits(**{field: 0})
    assert str(caught.value) == f"`{field}` must be greater than 0. Got 0."


# --- CSV: encodings -----------------------------------------------------------------

ROMANIAN = "oraș;județ\nBucureşti;Ilfov\nTimişoara;Timiş\nConstanţa;Constanţa\nBrăila;Brăila\n"
HUNGARIAN = "város,megye\nGyőr,Győr-Moson-Sopron\nSzékesfehérvár,Fejér\nHódmezővásárhely,Csongrád\n"
POLISH = "miasto,województwo\nŁódź,łódzkie\nWrocław,dolnośląskie\nGdańsk,pomorskie\n"
UKRAINIAN = "місто,область\nКиїв,Київська\nЛьвів,Львівська\nЧернівці,Чернівецька\n"
RUSSIAN = "date,country,source\n2024-01-01,MD,Пограничная полиция\n2024-01-02,MD,Border Police\n"
FRENCH = "ville,région\nGenève,Rhône-Alpes\nSaint-Étienne,Loire\nBesançon,Doubs\nNîmes,Gard\n"
SPANISH = "ciudad,año\nMálaga,2024\nCoruña,2023\nLogroño,2021\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (HUNGARIAN, "utf-8"),
        (UKRAINIAN, "utf-8-sig"),
        (ROMANIAN.replace("ș", "s").replace("ț", "t"), "cp1250"),
        (HUNGARIAN, "cp1250"),
        (POLISH, "cp1250"),
        (UKRAINIAN, "cp1251"),
        (RUSSIAN, "cp1251"),
        (FRENCH, "cp1252"),
        (SPANISH, "cp1252"),
        (POLISH, "utf-16"),
    ],
)
def test_encoding_is_detected_and_text_decoded(load, text, encoding):
    raw, rows = load("cities.csv", text.encode(encoding))
    assert raw.encoding == encoding
    lines = text.splitlines()
    assert raw.columns == tuple(lines[0].split(raw.delimiter))
    assert [list(row[1:]) for row in rows] == [line.split(raw.delimiter) for line in lines[1:]]


def test_legacy_bytes_after_a_long_ascii_head_are_still_decoded(load):
    """The first MB is plain ASCII; DuckDB finds the Windows-1252 bytes and we fall back."""
    text = "city,n\n" + "Paris,1\n" * 150_000 + "Genève,2\nMálaga,3\nLogroño,4\n"
    raw, rows = load("late.csv", text.encode("cp1252"))
    assert raw.encoding == "cp1252"
    assert raw.rows == 150_003
    assert rows[-3:] == [
        (150_002, "Genève", "2"),
        (150_003, "Málaga", "3"),
        (150_004, "Logroño", "4"),
    ]


def test_utf8_mixed_with_a_legacy_encoding_is_refused(refused):
    data = "city,n\nKraków,1\n".encode() + b"Paris,1\n" * 150_000 + "Łódź,2\n".encode("cp1250")
    error = refused("mixed.csv", data)
    assert str(error) == (
        "mixed.csv mixes UTF-8 text (line 2) with text in another encoding (line 150,003), so "
        "its characters cannot be decoded reliably. Save it again as 'CSV UTF-8' and upload "
        "that."
    )


def test_byte_undefined_in_the_detected_code_page_is_refused(refused):
    """0x81 is undefined in Windows-1250 and 1252; 0x98 in 1250 and 1251."""
    error = refused("odd.csv", "a,b\nŁódź,1\n".encode("cp1250") + b"x\x81\x98,2\n")
    assert "is not valid in it. Save the file as 'CSV UTF-8' and upload that." in str(error)


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
    )
    described = con.execute("DESCRIBE upload").fetchall()
    assert [(name, kind) for name, kind, *_ in described] == [
        ("line", "BIGINT"),
        ("c0", "VARCHAR"),
        ("c1", "VARCHAR"),
    ]


# --- CSV: line numbers ----------------------------------------------------------------


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


# --- format, extension and size ---------------------------------------------------------


def test_xlsx_named_csv_says_what_it_is(refused):
    error = refused("incidents.csv", xlsx_bytes({"S": [["a"]]}))
    assert str(error) == (
        "incidents.csv is not a CSV file: it looks like an Excel workbook (XLSX). "
        "Save it as CSV, or upload it with the .xlsx extension."
    )


def test_csv_named_xlsx_says_what_it_is(refused):
    error = refused("incidents.xlsx", "date,country\n2024-01-01,MD\n")
    assert str(error) == (
        "incidents.xlsx is not an Excel workbook (XLSX): it looks like a CSV file. "
        "Save it as XLSX, or upload it with the .csv extension."
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "incidents.csv",
            b"\x89PNG\r\n\x1a\n" + bytes(200),
            "incidents.csv is not a CSV file: it looks like a PNG image. "
            "Upload a CSV, XLSX or Parquet file.",
        ),
        (
            "incidents.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "incidents.xlsx is not an Excel workbook (XLSX): it looks like a legacy Excel "
            "workbook (XLS) or a password-protected workbook. Open it in Excel and save it "
            "as .xlsx (Excel Workbook), without a password.",
        ),
        (
            "incidents.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "incidents.xls is a legacy Excel workbook (.xls), which cannot be read. Open it "
            "in Excel and save it as .xlsx (Excel Workbook), without a password.",
        ),
        (
            "incidents.json",
            b"[]",
            "incidents.json has the extension .json; upload one of: .csv, .tsv, .txt, "
            ".xlsx, .parquet.",
        ),
        (
            "incidents",
            b"a,b\n",
            "incidents has no extension; upload one of: .csv, .tsv, .txt, .xlsx, .parquet.",
        ),
        (
            "incidents.csv",
            b"<!DOCTYPE html><html><body><table></table></body></html>",
            "incidents.csv is not a CSV file: it looks like a web page (HTML). "
            "Upload a CSV, XLSX or Parquet file.",
        ),
        (
            "incidents.csv",
            b"PAR1" + bytes(100) + b"PAR1",
            "incidents.csv is not a CSV file: it looks like a Parquet file. "
            "Save it as CSV, or upload it with the .parquet extension.",
        ),
        (
            "incidents.parquet",
            b"PAR1" + bytes(100),
            "incidents.parquet is not a complete Parquet file: it does not end with the "
            "Parquet footer (PAR1). The upload may have been cut off; export or upload it "
            "again.",
        ),
    ],
)
def test_wrong_content_or_extension_is_refused(refused, name, data, message):
    assert str(refused(name, data)) == message


def test_zip_that_is_not_a_workbook_is_refused(refused):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    error = refused("incidents.xlsx", buffer.getvalue())
    assert str(error) == (
        "incidents.xlsx is not an Excel workbook (XLSX): it looks like a ZIP archive. "
        "Upload a CSV, XLSX or Parquet file."
    )


def test_oversized_file_is_refused_before_reading(tmp_path, con, monkeypatch):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(int(123.4 * MB))  # sparse: instant, and never read
    # Any attempt to open the file would fail loudly.
    monkeypatch.setattr(readers, "open", None, raising=False)
    with pytest.raises(UnreadableFileError) as caught:
        read_table(con, path)
    assert str(caught.value) == "big.csv is 123.4 MB; the limit is 100 MB."


def test_small_limits_are_stated_in_bytes(refused):
    error = refused("x.csv", "a,b\n1,2\n", limits=ReadLimits(max_bytes=5))
    assert str(error) == "x.csv is 8 bytes; the limit is 5 bytes."


# --- XLSX -------------------------------------------------------------------------------


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


WORKBOOK = {
    "Incidents": [
        [],  # the header may start lower down; rows keep the sheet's numbers
        ["date", " country ", "count", "ratio", "flag", "when", "at"],
        [dt.date(2024, 1, 5), "MD", 12, 0.5, True, dt.datetime(2024, 1, 5, 13, 30, 15), "x"],
        [dt.datetime(2024, 1, 6), "  UA ", 12.0, 1e20, False, dt.time(7, 5), None],
        [None, None, None, None, None, None, None],
        [None, "RO", -3, 0.1, None, dt.datetime(2024, 2, 1, 0, 0, 0, 999_999), "  "],
        [None] * 7,
        [None] * 7,
    ],
    "Flows": [["date", "arrivals"], ["2024-01-01", 5]],
}


def test_xlsx_first_sheet_values_as_text_with_sheet_row_numbers(load):
    raw, rows = load("w.xlsx", xlsx_bytes(WORKBOOK))
    assert (raw.format, raw.sheet, raw.rows, raw.encoding, raw.delimiter) == (
        "xlsx",
        "Incidents",
        4,
        None,
        None,
    )
    assert raw.columns == ("date", "country", "count", "ratio", "flag", "when", "at")
    assert rows == [
        (3, "2024-01-05", "MD", "12", "0.5", "true", "2024-01-05T13:30:15", "x"),
        (4, "2024-01-06", "UA", "12", "1e+20", "false", "07:05:00", None),
        (5, None, None, None, None, None, None, None),
        (6, None, "RO", "-3", "0.1", None, "2024-02-01T00:00:01", None),
    ]


def test_xlsx_named_sheet(load):
    raw, rows = load("w.xlsx", xlsx_bytes(WORKBOOK), sheet="Flows")
    assert (raw.sheet, raw.columns, rows) == (
        "Flows",
        ("date", "arrivals"),
        [(2, "2024-01-01", "5")],
    )


def test_xlsx_unknown_sheet_lists_the_sheets(refused):
    error = refused("w.xlsx", xlsx_bytes(WORKBOOK), sheet="Summary")
    assert str(error) == "w.xlsx has no sheet 'Summary'; its sheets are 'Incidents', 'Flows'."


def test_xlsx_values_right_of_the_header_are_refused(refused):
    error = refused("w.xlsx", xlsx_bytes({"S": [["a", "b"], [1, 2], [3, 4, None, "note"]]}))
    assert str(error) == (
        "w.xlsx has values outside its header's columns (A–B) in sheet 'S'; the first is "
        "in cell D3. Give them a header or remove them."
    )
    assert error.problems == (
        Problem(3, "D", "note", "A value right of the last header column (B)."),
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "w.xlsx has no header row: sheet 'S' is empty."),
        (
            [["a", "b", " a"]],
            "w.xlsx has the column 'a' more than once in its header; rename one so that "
            "every column has its own name.",
        ),
        (
            [[dt.date(2024, 1, 1), "MD"]],
            "w.xlsx has no header row: its first row looks like data ('2024-01-01' is a "
            "date). Add a row of column names at the top.",
        ),
    ],
)
def test_xlsx_without_a_usable_header_is_refused(refused, rows, message):
    assert str(refused("w.xlsx", xlsx_bytes({"S": rows}))) == message


def test_xlsx_with_a_wrong_stored_dimension_is_read_whole(load):
    """Some writers store <dimension ref="A1"/>; read-only openpyxl would stop at A1."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"S": [["a", "b"], [1, 2], [3, 4]]})))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B3" />', b'<dimension ref="A1" />')
                assert b'<dimension ref="A1" />' in data
            target.writestr(member, data)
    raw, rows = load("w.xlsx", buffer.getvalue())
    assert (raw.columns, rows) == (("a", "b"), [(2, "1", "2"), (3, "3", "4")])


def bomb(member_size: int) -> bytes:
    """A valid-looking workbook whose extra member is ``member_size`` zero bytes."""
    buffer = io.BytesIO(xlsx_bytes({"S": [["a"], [1]]}))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(member_size))
    return buffer.getvalue()


def test_xlsx_zip_bomb_is_refused_before_parsing(refused, monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("openpyxl must not see a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    error = refused("w.xlsx", bomb(50 * MB))
    message = str(error)
    assert message.startswith("w.xlsx contains xl/media/zeros.bin compressed 1,0")
    assert message.endswith(
        "unpacking to 50 MB); the limit is 100:1. It was refused as a possible zip bomb."
    )


def test_xlsx_total_unpacked_size_is_limited(refused):
    error = refused("w.xlsx", bomb(2 * MB), limits=ReadLimits(max_uncompressed_bytes=MB))
    assert str(error).startswith("w.xlsx would unpack to 2 MB; the limit is 1 MB.")


def test_damaged_workbook_is_unreadable(refused):
    data = bytearray(xlsx_bytes({"S": [["a"], [1]]}))
    sheet_xml = data.find(b"xl/worksheets/sheet1.xml")
    data[sheet_xml + 40 : sheet_xml + 400] = bytes(360)
    error = refused("w.xlsx", bytes(data))
    assert str(error).startswith("w.xlsx could not be opened as an Excel workbook: ")


# --- Parquet ----------------------------------------------------------------------------


def test_parquet_round_trip_as_text(load):
    table = pa.table(
        {
            "day": pa.array([dt.date(2024, 1, 5), None]),
            "at": pa.array([dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6, 10, 0, 1)]),
            "count": pa.array([12.0, float("nan")]),
            "ratio": pa.array([0.1, 2.5]),
            "name": pa.array([" Chişinău ", ""]),
            "flag": pa.array([True, False]),
            "n": pa.array([1, None], pa.int64()),
        }
    )
    raw, rows = load("p.parquet", parquet_bytes(table))
    assert (raw.format, raw.rows, raw.columns) == ("parquet", 2, tuple(table.column_names))
    assert rows == [
        (2, "2024-01-05", "2024-01-05", "12", "0.1", "Chişinău", "true", "1"),
        (3, None, "2024-01-06T10:00:01", None, "2.5", None, "false", None),
    ]


def test_parquet_line_is_record_number_plus_one_across_row_groups(load, con):
    table = pa.table({"i": pa.array(range(50_000))})
    raw, _ = load("p.parquet", parquet_bytes(table, row_group_size=1_000))
    assert raw.rows == 50_000
    mismatches = con.execute("SELECT count(*) FROM raw WHERE line <> CAST(c0 AS BIGINT) + 2")
    assert mismatches.fetchall() == [(0,)]


def test_parquet_with_duplicate_columns_after_stripping_is_refused(refused):
    table = pa.table({"a": [1], " a": [2]})
    assert str(refused("p.parquet", parquet_bytes(table))).startswith(
        "p.parquet has the column 'a' more than once in its header"
    )


# --- the relation itself ----------------------------------------------------------------


def test_reading_again_replaces_the_table_and_drop_table_removes_all(tmp_path, con):
    con.execute("CREATE TEMP TABLE raw AS SELECT 1 AS x")  # someone else's table
    path = tmp_path / "a.csv"
    path.write_text('a,b\n1,2\n\n3,"x\ny"\n')
    read_table(con, path)
    read_table(con, path)
    assert con.execute("SELECT count(*) FROM raw").fetchall() == [(2,)]
    drop_table(con)
    left = con.execute(
        "SELECT table_name FROM duckdb_tables() UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    assert left == []


def test_a_failed_read_leaves_nothing_behind(tmp_path, con):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(UnreadableFileError):
        read_table(con, path)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def test_file_order_is_kept_even_if_the_connection_allows_reordering(tmp_path, con):
    con.execute("SET preserve_insertion_order = false")
    path = tmp_path / "a.csv"
    path.write_text("a\n" + "".join(f"{i}\n" for i in range(1000)))
    read_table(con, path)
    rows = con.execute("SELECT line, c0 FROM raw").fetchall()
    assert all(line == int(value) + 2 for line, value in rows)
    setting = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    assert setting == [(False,)]


# --- properties -------------------------------------------------------------------------

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(data=st.binary(max_size=400), extension=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_arbitrary_bytes_are_read_or_refused_cleanly(tmp_path, data, extension):
    _read_or_refuse(tmp_path, "f" + extension, data)


@PROPERTY
@given(
    text=st.text(alphabet=st.sampled_from('ab,;|\t"\n\r ĂşţЖé\u00a0'), max_size=200),
    encoding=st.sampled_from(["utf-8", "cp1250", "cp1251", "utf-16"]),
)
def test_arbitrary_text_is_read_or_refused_cleanly(tmp_path, text, encoding):
    _read_or_refuse(tmp_path, "f.csv", text.encode(encoding, errors="replace"))


@PROPERTY
@given(st.data())
def test_corrupted_workbooks_and_parquet_are_read_or_refused_cleanly(tmp_path, data):
    original = data.draw(st.sampled_from([VALID_XLSX, VALID_PARQUET]))
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    _read_or_refuse(tmp_path, "f.xlsx" if original is VALID_XLSX else "f.parquet", damaged)


VALID_XLSX = xlsx_bytes({"S": [["a", "b"], [1, "x"], [dt.date(2024, 1, 1), 2.5]]})
VALID_PARQUET = parquet_bytes(pa.table({"a": [1, 2], "b": ["x", None]}))


def _read_or_refuse(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(bytes(data))
    connection = duckdb.connect()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # approximate line numbers
            raw = read_table(connection, path)
        rows = connection.execute(f"SELECT count(*) FROM {raw.table}").fetchall()[0][0]
        assert rows == raw.rows
    except UnreadableFileError:
        pass
    finally:
        connection.close()
