"""Which format a file is: from its extension, then from its content (magic bytes), and the
message when the two disagree.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from threatmon.errors import UnreadableFileError

_FORMAT_BY_EXTENSION = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
}
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(_FORMAT_BY_EXTENSION)
_PREFERRED_EXTENSION = {"csv": ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}
_LABEL = {"csv": "CSV", "xlsx": "XLSX", "parquet": "Parquet"}
_LOOKS_LIKE = {
    "csv": "a CSV file",
    "xlsx": "an Excel workbook (XLSX)",
    "parquet": "a Parquet file",
    "xls": "a legacy Excel workbook (XLS) or a password-protected workbook",
    "xlsb": "a binary Excel workbook (XLSB)",
    "ods": "an OpenDocument spreadsheet (ODS)",
    "docx": "a Word document (DOCX)",
    "zip": "a ZIP archive",
    "zip-damaged": "a damaged or incomplete ZIP archive",
    "pdf": "a PDF document",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "gzip": "a gzip-compressed file",
    "7z": "a 7-Zip archive",
    "rar": "a RAR archive",
    "html": "a web page (HTML)",
    "xml": "an XML file",
    "binary": "a binary file",
}
_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),  # OLE2: .xls, and encrypted .xlsx too
    (b"PAR1", "parquet"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "rar"),
)
_SAVE_AS_XLSX = "Open it in Excel and save it as .xlsx (Excel Workbook), without a password."


def format_for_extension(name: str) -> str:
    ext = Path(name).suffix.lower()
    if ext == ".xls":
        raise UnreadableFileError(
            f"{name} is a legacy Excel workbook (.xls), which cannot be read. {_SAVE_AS_XLSX}"
        )
    if ext not in _FORMAT_BY_EXTENSION:
        got = f"the extension {ext}" if ext else "no extension"
        raise UnreadableFileError(
            f"{name} has {got}; upload one of: {', '.join(ACCEPTED_EXTENSIONS)}."
        )
    return _FORMAT_BY_EXTENSION[ext]


def content_kind(path: Path, head: bytes, size: int) -> str:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            if kind == "parquet" and not _ends_with(path, size, b"PAR1"):
                return "parquet-truncated"
            return kind
    if not _looks_like_text(head):
        return "binary"
    start = head[:256].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if start.startswith(b"<?xml"):
        return "xml"
    return "csv"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        # It starts like a ZIP archive but its directory (at the end) is missing or
        # broken: most often a workbook whose upload or copy was cut short.
        return "zip-damaged"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        return "docx"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    return "zip"


def _ends_with(path: Path, size: int, magic: bytes) -> bool:
    if size < 2 * len(magic):
        return False
    with open(path, "rb") as handle:
        handle.seek(size - len(magic))
        return handle.read() == magic


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    # A stray NUL or control character in text is reported by its line when the values
    # are checked (data_loaders.readers.hygiene); binary formats hold them by the hundred.
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13, 26))
    return controls <= len(head) // 100


def mismatch_message(name: str, expected: str, found: str) -> str:
    if found == "parquet-truncated":
        return (
            f"{name} is not a complete Parquet file: it does not end with the Parquet "
            "footer (PAR1). The upload may have been cut off; export or upload it again."
        )
    if found == "zip-damaged" and expected == "xlsx":
        return (
            f"{name} is not a complete Excel workbook (XLSX): it starts like one, but its "
            "end is missing or damaged. The upload may have been cut off; save it again "
            "in Excel, or upload it again."
        )
    what = f"{name} is not {_LOOKS_LIKE[expected]}: it looks like {_LOOKS_LIKE[found]}."
    if found in _LABEL:
        return (
            f"{what} Save it as {_LABEL[expected]}, or upload it with the "
            f"{_PREFERRED_EXTENSION[found]} extension."
        )
    if found == "xls":
        return f"{what} {_SAVE_AS_XLSX}"
    return f"{what} Upload a CSV, XLSX or Parquet file."
