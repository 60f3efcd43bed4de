"""Format by content and extension: a mismatch says what the file looks like."""

import io
import zipfile

import pytest

from tests.data_loaders.readers.files import xlsx_bytes


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
