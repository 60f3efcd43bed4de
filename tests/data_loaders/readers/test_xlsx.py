"""XLSX: cells as text with sheet row numbers, sheets by name, zip bombs refused."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from data_loaders.readers import ReadLimits
from tests.data_loaders.readers.files import MB, xlsx_bytes
from threatmon.errors import Problem


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
