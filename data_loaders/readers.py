"""Read an uploaded extract (CSV, XLSX or Parquet) into DuckDB as a table of strings.

:func:`read_table` is the one door every upload goes through. It decides the format
from the file's content (magic bytes) and checks it against the extension, then
loads every column as trimmed ``VARCHAR`` (empty → NULL) next to a ``line`` column,
so the ingest can validate with SQL and report problems by the line an analyst sees
in the file. Typing and the data contract are the ingest's business, not this one's.
Each format is one function in ``_READERS``; a new format is one more entry.

How ``line`` is computed
------------------------
Numbering rows while DuckDB reads a CSV (``row_number() OVER ()`` or ``WITH
ORDINALITY``) serialises its parallel reader: on 10M rows it took 3–6 s more than
the read itself. Instead the cells go into a hidden TEMP table ``<table>__cells``
whose ``rowid`` follows the file order (DuckDB keeps insertion order), and
``<table>`` is a TEMP VIEW adding ``line = rowid + offset``. That costs nothing
until queried. ``offset`` is constant in the common case and is then checked, not
assumed: the number of line breaks in the file must equal header + data rows.
When it does not (blank lines, which DuckDB skips, or a quoted value spanning
lines), one extra pass over the bytes records where the offset changes, and the
view joins those few change points with an ASOF join. A record spanning several
lines gets the number of the line it starts on; the lines after it keep their
exact numbers. Only malformed quoting (a lone ``"`` inside an unquoted value,
which DuckDB accepts) defeats this; then a warning says that line numbers may be
off. For XLSX ``line`` is the sheet's row number; for Parquet the record number
+ 1, so that messages read like those for CSV (the first record is "line 2").

CSV encodings
-------------
DuckDB reads only UTF-8 offline (its ``encodings`` extension is downloaded at run
time). A UTF-8 BOM means ``utf-8-sig``, a UTF-16 BOM ``utf-16``; a head that
decodes as UTF-8 is tried as UTF-8 and DuckDB checks every byte. Anything else is
Windows-1250, 1251 or 1252, chosen by which reading one language explains best
(:func:`_plausibility`), and transcoded to a temporary UTF-8 file chunk by chunk.

Values
------
Trimmed of surrounding whitespace and NULL when empty. In CSV and Parquet text a
value is trimmed when it starts with whitespace or ends with a space (trim() on
every value doubled the 10M-row read time); a value ending in a tab or NBSP with
no space keeps it. XLSX cells are converted in Python and fully stripped.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import math
import re
import tempfile
import threading
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from threatmon.errors import Problem, UnreadableFileError

__all__ = ["ACCEPTED_EXTENSIONS", "RawTable", "ReadLimits", "drop_table", "read_table"]

_MB = 1024 * 1024
_CHUNK = 8 * _MB  # streaming unit: transcoding, hashing, counting
_HEAD = _MB  # what is sniffed for the format, encoding, delimiter and header
_MAX_COLUMNS = 1000
_MAX_REPORTED = 100  # problems listed per error; DuckDB stops collecting rejects there too
_ARROW_BATCH = 65_536  # rows per Arrow batch inserted into DuckDB (XLSX, Parquet)
# Whitespace trimmed from values. NBSP comes with copy-pasted names and Excel exports.
_WS = " \t\r\n\u00a0"

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
_ENCODING_NAMES = {
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1252": "Windows-1252 (Western European)",
    "utf-16": "UTF-16",
}


@dataclass(frozen=True)
class ReadLimits:
    """What an upload may cost before it is refused, checked when built.

    Parameters
    ----------
    max_bytes : int
        Largest file accepted, in bytes (default 100 MB).
    max_uncompressed_bytes : int
        XLSX only: largest sum of the ZIP members' uncompressed sizes (default 500 MB).
    max_compression_ratio : float
        XLSX only: a member compressed more than this (uncompressed / compressed) is
        refused as a possible zip bomb (default 100). Members under 1 MB are exempt:
        small XML parts compress very well and cannot be bombs.
    """

    max_bytes: int = 100 * _MB
    max_uncompressed_bytes: int = 500 * _MB
    max_compression_ratio: float = 100.0

    def __post_init__(self) -> None:
        for field in ("max_bytes", "max_uncompressed_bytes", "max_compression_ratio"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"`{field}` must be greater than 0. Got {value!r}.")


@dataclass(frozen=True)
class RawTable:
    """What :func:`read_table` loaded.

    Attributes
    ----------
    table : str
        Name of the TEMP relation created in the connection: ``line BIGINT`` then
        ``c0, c1, …`` (VARCHAR), one per file column in order.
    format : str
        ``"csv"``, ``"xlsx"`` or ``"parquet"``.
    rows : int
        Data rows (header excluded; trailing fully-empty rows dropped).
    columns : tuple of str
        Header names as in the file, stripped of whitespace and BOM; ``columns[i]``
        is the name of ``c{i}``. Empty names are possible (an unnamed column).
    encoding : str or None
        CSV: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1250"``, ``"cp1251"`` or
        ``"cp1252"``; None otherwise.
    delimiter : str or None
        CSV: ``","``, ``";"``, ``"\\t"`` or ``"|"``; None otherwise.
    sheet : str or None
        XLSX: the sheet read; None otherwise.
    sha256 : str
        Hex digest of the file's bytes, computed in the same pass as the read (the
        store records it to refuse loading the same file twice).
    """

    table: str
    format: str
    rows: int
    columns: tuple[str, ...]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sha256: str


def read_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits = ReadLimits(),  # noqa: B008 - frozen, so sharing the default is safe
    table: str = "raw",
) -> RawTable:
    """Load a CSV, XLSX or Parquet file into ``con`` as strings with line numbers.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Where the TEMP relation is created; one connection per thread.
    path : Path
        The uploaded file.
    file_name : str, optional
        The name the analyst gave the file (uploads live under temporary names);
        used for the extension and in messages. Defaults to ``path.name``.
    sheet : str, optional
        XLSX: the sheet to read, by name; the first worksheet by default. Ignored
        for CSV and Parquet.
    limits : ReadLimits
        Size limits; files over them are refused before they are parsed.
    table : str
        Name of the relation to create, replacing any previous one of that name.

    Returns
    -------
    RawTable
        ``table`` is a TEMP VIEW ``(line BIGINT, c0 VARCHAR, …)`` over the TEMP
        TABLE ``<table>__cells``; :func:`drop_table` removes both.

    Raises
    ------
    UnreadableFileError
        The file cannot be read as a table: unsupported extension, content that
        does not match it, too large, a zip bomb, empty, no header, a duplicate
        column name, an undecodable encoding, or rows whose number of fields
        differs from the header's (``problems`` then lists them by line).
    """
    path = Path(path)
    name = file_name or path.name
    fmt = _format_for_extension(name)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UnreadableFileError(
            f"{name} is {_size(size)}; the limit is {_size(limits.max_bytes)}."
        )
    if size == 0:
        raise UnreadableFileError(f"{name} is empty.")
    with open(path, "rb") as handle:
        head = handle.read(_HEAD)
    found = _content_kind(path, head, size)
    if found != fmt:
        raise UnreadableFileError(_mismatch_message(name, fmt, found))
    drop_table(con, table)
    try:
        with _insertion_order_kept(con):
            return _READERS[fmt](con, path, name, head, sheet, limits, table)
    except BaseException:
        drop_table(con, table)
        raise


def drop_table(con: duckdb.DuckDBPyConnection, table: str = "raw") -> None:
    """Remove what :func:`read_table` created under ``table`` (no error if absent)."""
    kinds = dict(
        con.execute(
            "SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE database_name = 'temp' "
            "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() "
            "WHERE database_name = 'temp' AND NOT internal"
        ).fetchall()
    )
    # The view first: it depends on the hidden tables.
    for name in (table, *(f"{table}{suffix}" for suffix in _HIDDEN_SUFFIXES)):
        if name in kinds:
            con.execute(f"DROP {kinds[name]} temp.main.{_ident(name)}")


_HIDDEN_SUFFIXES = ("__cells", "__lines", "__rejects", "__rejects_scan")


# --- format detection -------------------------------------------------------------


def _format_for_extension(name: str) -> str:
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


def _content_kind(path: Path, head: bytes, size: int) -> str:
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
    if b"\x00" in head:
        return False
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13, 26))
    return controls <= len(head) // 100


def _mismatch_message(name: str, expected: str, found: str) -> str:
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


# --- CSV ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    header: tuple[str, ...]
    skip: int  # DuckDB's `skip`: blank lines before the header + the header record
    header_end: int  # physical line on which the header record ends
    newline: bytes


class _NotUtf8(Exception):
    """DuckDB met bytes that are not UTF-8 in a file whose head was."""


def _read_csv(con, path, name, head, sheet, limits, table) -> RawTable:
    """UTF-8 straight into DuckDB; anything else through a temporary UTF-8 copy."""
    del sheet, limits  # not used by CSV; the signature is shared by every reader
    encoding = _encoding_from_head(head, path.stat().st_size)
    if encoding in ("utf-8", "utf-8-sig"):
        dialect = _sniff(_decode_head(head, encoding, path), name)
        # Hash and count line breaks in a thread while DuckDB reads the same bytes.
        scan = _Scan(path, dialect.newline)
        try:
            rows = _load_csv(con, path, name, dialect, table)
        except _NotUtf8:
            encoding = None
        finally:
            scan.wait()
        if encoding is not None:
            return _finish_csv(con, path, name, dialect, table, rows, encoding, scan.result())
    if encoding is None:
        encoding = _guess_legacy_encoding(path, name)
    with tempfile.TemporaryDirectory(prefix="threatmon-read-") as tmp:
        source = Path(tmp) / "utf8.csv"
        transcoded = _transcode(path, source, encoding, name)
        with open(source, "rb") as handle:
            dialect = _sniff(_decode_head(handle.read(_HEAD), "utf-8", source), name)
        try:
            rows = _load_csv(con, source, name, dialect, table)
        except _NotUtf8:  # pragma: no cover - we wrote this file as UTF-8 ourselves
            raise UnreadableFileError(f"{name} could not be converted to UTF-8.") from None
        return _finish_csv(con, source, name, dialect, table, rows, encoding, transcoded)


def _finish_csv(con, source, name, dialect, table, rows, encoding, scanned) -> RawTable:
    ncols = len(dialect.header)
    lines = _content_lines(source, scanned.newlines, dialect.newline)
    offsets: list[tuple[int, int]] | None = [(0, dialect.header_end + 1)]
    if lines != dialect.header_end + rows:
        offsets = _line_offsets(source, dialect, rows)
        if offsets is None:
            warnings.warn(
                f"{name}: its quoting could not be followed line by line, so line numbers "
                "in messages may be off after the first blank line or multi-line value.",
                stacklevel=4,
            )
            offsets = [(0, dialect.header_end + 1)]
    rows = _drop_trailing_empty_rows(con, table, ncols, rows)
    _create_view(con, table, ncols, offsets)
    return RawTable(
        table, "csv", rows, dialect.header, encoding, dialect.delimiter, None, scanned.sha256
    )


def _encoding_from_head(head: bytes, size: int) -> str | None:
    """The encoding the head shows; None means a legacy code page (decided later)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == size)
    except UnicodeDecodeError:
        return None
    # Still tentative: DuckDB checks the rest and we fall back if it finds otherwise.
    return "utf-8"


def _decode_head(head: bytes, encoding: str, path: Path) -> tuple[str, bool]:
    complete = len(head) == path.stat().st_size
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(head, final=complete), complete


def _sniff(head: tuple[str, bool], name: str) -> _Dialect:
    text, complete = head
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut < 0:
            raise UnreadableFileError(
                f"{name} has no line break in its first {_size(_HEAD)}: it is not a CSV file."
            )
        text = text[: cut + 1]
    newline = "\n" if "\n" in text or "\r" not in text else "\r"
    best = None
    for priority, delimiter in enumerate((",", ";", "\t", "|")):
        try:
            parsed = _parse_head(text, delimiter)
        except csv.Error as exc:
            raise UnreadableFileError(f"{name} could not be read as CSV: {exc}.") from exc
        if parsed is None:
            raise UnreadableFileError(f"{name} has no header row: it has only empty lines.")
        header, skip, header_end, rows = parsed
        header = _fit_trailing_delimiter(header, rows)
        agreeing = sum(len(row) == len(header) for row in rows) / len(rows) if rows else 1.0
        # Quote-aware field counts: the delimiter that splits the header into the most
        # fields and every sampled row into as many wins.
        key = (len(header) > 1, agreeing, len(header), -priority)
        if best is None or key > best[0]:
            best = (key, delimiter, header, skip, header_end)
    _, delimiter, header, skip, header_end = best
    columns = _check_header(name, [_clean_name(cell) for cell in header])
    return _Dialect(delimiter, columns, skip, header_end, newline.encode())


def _fit_trailing_delimiter(header: list[str], rows: list[list[str]]) -> list[str]:
    """Some exports end every data line (or only the header) with the delimiter.

    When all sampled rows have one empty field more than the header, the header gets
    an unnamed last column; when the header alone has an empty last field, it goes.
    """
    if rows and all(len(row) == len(header) + 1 and not row[-1] for row in rows):
        return [*header, ""]
    if rows and not header[-1] and all(len(row) == len(header) - 1 for row in rows):
        return header[:-1]
    return header


def _parse_head(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    header, skip, header_end, rows = None, 0, 0, []
    for row in reader:
        if header is None:
            skip += 1
            if row:
                header, header_end = row, reader.line_num
        elif row:
            rows.append(row)
            if len(rows) >= 200:
                break
    if header is None:
        return None
    return header, skip, header_end, rows


def _load_csv(con, source: Path, name: str, dialect: _Dialect, table: str) -> int:
    ncols = len(dialect.header)
    cells = _ident(table + "__cells")
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ncols))
    values = ", ".join(f"{_trim_sql(f'c{i}')} AS c{i}" for i in range(ncols))
    # Every option is explicit so that DuckDB's sniffer never guesses.
    options = (
        f"header = false, skip = {dialect.skip}, auto_detect = false, "
        f"delim = {_literal(dialect.delimiter)}, quote = '\"', escape = '\"', "
        f"columns = {{{columns}}}"
    )
    reader = f"read_csv({_literal(str(source))}, {options})"
    try:
        con.execute(f"CREATE TEMP TABLE {cells} AS SELECT {values} FROM {reader}")
    except duckdb.InvalidInputException as exc:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{cells}")
        if "Invalid unicode" in str(exc):
            raise _NotUtf8 from None
        # Collecting rejected rows costs ~10% on every read, so it is done only now
        # that the file is known to have some: a second read lists them all.
        found = _rejected_rows(con, source, options, table)
        if any(kind == "INVALID ENCODING" for _, kind, _, _ in found):
            raise _NotUtf8 from None
        if found:
            raise _ragged_rows_error(source, name, dialect, found) from None
        raise UnreadableFileError(f"{name} could not be read as CSV: {_first_line(exc)}") from exc
    return con.execute(f"SELECT count(*) FROM {cells}").fetchall()[0][0]


def _rejected_rows(con, source: Path, options: str, table: str) -> list[tuple]:
    """(byte position of the line, error type, message, text) of rows DuckDB rejects."""
    rejects, scans = _ident(table + "__rejects"), _ident(table + "__rejects_scan")
    options += (
        f", store_rejects = true, rejects_table = {_literal(table + '__rejects')}, "
        f"rejects_scan = {_literal(table + '__rejects_scan')}, rejects_limit = {_MAX_REPORTED}"
    )
    try:
        con.execute(f"SELECT count(*) FROM read_csv({_literal(str(source))}, {options})").fetchall()
        return con.execute(
            f"SELECT line_byte_position, error_type, error_message, csv_line FROM {rejects} "
            "ORDER BY line_byte_position"
        ).fetchall()
    except duckdb.InvalidInputException:
        return []  # an error DuckDB cannot skip: the caller reports the first one
    finally:
        for hidden in (rejects, scans):
            con.execute(f"DROP TABLE IF EXISTS temp.main.{hidden}")


def _ragged_rows_error(source, name, dialect, found) -> UnreadableFileError:
    # DuckDB's own line numbers skip the lines inside quoted values, and its byte
    # positions are sometimes one past the line's start: counting line breaks
    # strictly before the position gives the physical line either way.
    lines = _lines_at(source, [position for position, *_ in found], dialect.newline)
    width = len(dialect.header)
    problems, summary = [], []
    for line, (_, kind, message, text) in zip(lines, found, strict=True):
        if problems and problems[-1].row == line:
            continue  # DuckDB may report one line twice
        fields = re.search(r"Found: (\d+)", message or "")
        if fields:
            n = int(fields.group(1))
            reason = f"{_plural(n, 'field')} where the header has {width}."
            summary.append(f"line {line} has {_plural(n, 'field')}")
        elif kind == "UNQUOTED VALUE":
            reason = "A quoted value is not closed, or text follows its closing quote."
            summary.append(f"line {line} has a quote that is not closed")
        else:
            reason = f"{(message or kind).splitlines()[0].rstrip('.')}."
            summary.append(f"line {line}: {reason.rstrip('.')}")
        problems.append(Problem(line, None, (text or "").strip("\r\n")[:200], reason))
    more = " (or more)" if len(found) >= _MAX_REPORTED else ""
    shown = ", ".join(summary[:3]) + (", …" if len(summary) > 3 else "")
    return UnreadableFileError(
        f"{name} has {_plural(len(problems), 'row')}{more} that "
        f"{'does' if len(problems) == 1 else 'do'} not fit its header of "
        f"{width} fields separated by {_delimiter_name(dialect.delimiter)}: {shown}. Check "
        "the delimiter, and that values containing it are quoted.",
        problems,
    )


def _trim_sql(column: str) -> str:
    # A full trim() on every value doubled the read time of 10M rows. Comparing with
    # '!' catches any leading whitespace or control character and ends_with a
    # trailing space, both cheap; only values caught are trimmed (of all of _WS).
    # A value ending in a tab or NBSP with no space before it keeps it.
    return (
        f"CASE WHEN {column} < '!' OR ends_with({column}, ' ') "
        f"THEN nullif(trim({column}, {_literal(_WS)}), '') ELSE {column} END"
    )


@dataclass
class _Bytes:
    """What one pass over a file's bytes learnt."""

    sha256: str
    newlines: int


class _Scan:
    """sha256 and line-break count of a file, computed in a thread.

    File reads, numpy and hashlib release the GIL on large buffers, so this
    overlaps with DuckDB's own read of the same file.
    """

    def __init__(self, path: Path, newline: bytes):
        self._path, self._newline = path, newline[0]
        self._result: _Bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="threatmon-scan", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            digest, count = hashlib.sha256(), 0
            for _, part in _byte_chunks(self._path):
                digest.update(part)
                count += int(np.count_nonzero(part == self._newline))
            self._result = _Bytes(digest.hexdigest(), count)
        except BaseException as exc:  # handed to the caller's thread by result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> _Bytes:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _byte_chunks(path: Path) -> Iterator[tuple[int, np.ndarray]]:
    """(offset, bytes as uint8) of a file, through one reused buffer.

    Reading into the same buffer keeps memory flat; a memory map was slightly
    faster but counted the whole file in the process's resident memory.
    """
    buffer = bytearray(_CHUNK)
    array = np.frombuffer(buffer, dtype=np.uint8)
    offset = 0
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            yield offset, array[:n]
            offset += n


def _transcode(path: Path, target: Path, encoding: str, name: str) -> _Bytes:
    """Write ``path`` as UTF-8 to ``target`` chunk by chunk (DuckDB reads only UTF-8)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    digest = hashlib.sha256()
    newlines = crs = 0
    with open(path, "rb") as source, open(target, "wb") as sink:
        while True:
            chunk = source.read(_CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start : exc.start + 1].hex().upper() or "?"
                line = newlines + chunk[: exc.start].count(b"\n") + 1
                where = f" on line {line}" if encoding != "utf-16" else ""
                raise UnreadableFileError(
                    f"{name} looks like {_ENCODING_NAMES[encoding]} text, but byte 0x{bad}"
                    f"{where} is not valid in it. Save the file as 'CSV UTF-8' and upload "
                    "that."
                ) from exc
            digest.update(chunk)
            encoded = text.encode("utf-8")
            newlines += encoded.count(b"\n")
            crs += encoded.count(b"\r")
            sink.write(encoded)
            if not chunk:
                break
    # A file of old-Mac line endings has only CRs; count those instead.
    return _Bytes(digest.hexdigest(), newlines if newlines or not crs else crs)


def _content_lines(source: Path, newlines: int, newline: bytes) -> int:
    """Physical lines up to the last one with content (trailing blank lines excluded)."""
    size = source.stat().st_size
    with open(source, "rb") as handle:
        handle.seek(max(0, size - 65536))
        tail = handle.read()
    kept = tail.rstrip(b"\r\n")
    trailing = tail[len(kept) :].count(newline)
    return newlines - trailing + (1 if kept or size > len(tail) else 0)


def _line_offsets(source: Path, dialect: _Dialect, rows: int) -> list[tuple[int, int]] | None:
    """Where ``line - rowid`` changes, following blank lines and quoted line breaks.

    A line with an odd number of quote characters opens (or closes) a quoted value:
    with RFC 4180 quoting (``""`` inside quotes) parity is exact. Lines are
    classified with numpy; only the rare "event" lines (blank, odd quotes) are
    walked in Python. Returns None when the records found disagree with DuckDB's
    count (malformed quoting).
    """
    newline, header_end = dialect.newline[0], dialect.header_end
    offsets: list[tuple[int, int]] = []
    rowid, in_quotes = -1, False  # the last record started; inside a quoted value?

    def start_records(line: int, count: int) -> None:
        nonlocal rowid
        if not offsets or offsets[-1][1] != line - (rowid + 1):
            offsets.append((rowid + 1, line - (rowid + 1)))
        rowid += count

    base = 0  # physical lines before the current block
    for block in _line_blocks(source, dialect.newline):
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.append(np.flatnonzero(data == newline), len(data))
        starts = np.append(0, ends[:-1] + 1)
        length = ends - starts
        first_byte = np.append(data, 0)[starts]  # padded: the last line may be empty
        blank = (length == 0) | ((length == 1) & (first_byte == 13))
        events = np.flatnonzero(blank)
        odd = np.zeros(len(ends), dtype=bool)
        if b'"' in block:
            quotes = np.append(0, np.cumsum(data == 34, dtype=np.int64))
            odd = (quotes[ends] - quotes[starts]) % 2 == 1
            events = np.union1d(events, np.flatnonzero(odd))
        previous = -1
        for i in [*events.tolist(), len(ends)]:
            # Lines strictly between two events: plain records, or continuation lines.
            first = max(previous + 1, header_end - base)
            if not in_quotes and first < i:
                start_records(base + first + 1, i - first)
            if i == len(ends):
                break
            previous = i
            if base + i + 1 <= header_end:
                continue
            if in_quotes:
                in_quotes = not odd[i]
            elif odd[i]:
                start_records(base + i + 1, 1)
                in_quotes = True
        base += len(ends)
    if rowid + 1 != rows:
        return None
    return offsets or [(0, header_end + 1)]


def _line_blocks(source: Path, newline: bytes) -> Iterator[bytes]:
    """The file in blocks of whole lines, each block without its last line break."""
    carry = b""
    with open(source, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            data = carry + chunk
            cut = data.rfind(newline)
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1 :]
            yield data[:cut]
    if carry:
        yield carry


def _lines_at(source: Path, positions: list[int], newline: bytes) -> list[int]:
    """Line number of each byte position (ascending), counting line breaks before it."""
    lines, count, pending = [], 0, [int(p or 0) for p in positions]
    for offset, part in _byte_chunks(source):
        end = offset + len(part)
        while pending and pending[0] < end:
            count_here = np.count_nonzero(part[: pending.pop(0) - offset] == newline[0])
            lines.append(count + int(count_here) + 1)
        count += int(np.count_nonzero(part == newline[0]))
        if not pending:
            break
    return lines + [count + 1] * len(pending)


def _drop_trailing_empty_rows(con, table: str, ncols: int, rows: int) -> int:
    """Spreadsheets save rows of empty cells after the data (``,,,``); drop those."""
    if rows == 0:
        return 0
    cells = _ident(table + "__cells")
    empty = " AND ".join(f"c{i} IS NULL" for i in range(ncols))
    last = con.execute(f"SELECT count(*) FROM {cells} WHERE rowid = ? AND {empty}", [rows - 1])
    if not last.fetchall()[0][0]:
        return rows
    keep = con.execute(f"SELECT coalesce(max(rowid) + 1, 0) FROM {cells} WHERE NOT ({empty})")
    rows = keep.fetchall()[0][0]
    con.execute(f"DELETE FROM {cells} WHERE rowid >= ?", [rows])
    return rows


# --- encodings ----------------------------------------------------------------------

_CYRILLIC = "".join(chr(c) for c in range(0x400, 0x500))
# Letters each code page's languages use beyond ASCII. A decoding is plausible when one
# language explains its non-ASCII letters: Hungarian "ő" read as cp1252 is "õ", which
# Portuguese has, but no cp1252 language has "õ" next to "ö" and "ű"→"û".
_LANGUAGES = {
    "cp1250": (
        "ąćęłńóśźż",  # Polish
        "áéíóöőúüű",  # Hungarian
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "ăâîşţ",  # Romanian (legacy cedilla forms: cp1250 has no ș ț)
        "čćđšž",  # Croatian, Slovene
        "äöüß",  # German
    ),
    "cp1251": (_CYRILLIC,),
    "cp1252": (
        "àâæçéèêëîïôœùûüÿ",  # French
        "äöüß",  # German
        "áéíñóúü",  # Spanish
        "áàâãçéêíóôõú",  # Portuguese
        "àèéìíîòóù",  # Italian
        "åæøéäö",  # Nordic
    ),
}
_WORD = re.compile(r"[^\W\d_]+")


def _guess_legacy_encoding(path: Path, name: str) -> str:
    """cp1250, cp1251 or cp1252, by how plausible the decoded text is.

    Scores up to 64 KB of the lines that are not plain ASCII, and scans on until it
    finds one that is not UTF-8 either: a file mixing both is refused.
    """
    sample, size = [], 0
    # The first line of each kind, to name them when both are found (1 = the header).
    first_utf8 = first_other = None
    line = 1
    for block in _line_blocks(path, b"\n"):
        start, line = line, line + block.count(b"\n") + 1
        if block.isascii():
            continue
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # the whole block is UTF-8; only where it starts matters
            if first_utf8 is None:
                first_utf8 = start + _first_non_ascii_line(block)
            continue
        for number, text in enumerate(block.split(b"\n"), start):
            if text.isascii():
                continue
            try:
                text.decode("utf-8")
                first_utf8 = first_utf8 or number
            except UnicodeDecodeError:
                first_other = first_other or number
                if size < 64 * 1024:
                    sample.append(text)
                    size += len(text)
            if size >= 64 * 1024:
                break
        if size >= 64 * 1024:
            break
    if first_utf8 and first_other:
        raise UnreadableFileError(
            f"{name} mixes UTF-8 text (line {first_utf8:,}) with text in another encoding "
            f"(line {first_other:,}), so its characters cannot be decoded reliably. Save it "
            "again as 'CSV UTF-8' and upload that."
        )
    data = b"\n".join(sample)
    texts = {enc: data.decode(enc, errors="replace") for enc in _LANGUAGES}
    scores = {enc: _plausibility(text, enc) for enc, text in texts.items()}
    # Ties: when both read the sample alike (German: ä ö ü ß) report the Western default;
    # otherwise Central European first, as most of this project's sources are.
    order = ["cp1250", "cp1252", "cp1251"]
    if texts["cp1250"] == texts["cp1252"]:
        order = ["cp1252", "cp1250", "cp1251"]
    return max(order, key=lambda enc: scores[enc])


def _first_non_ascii_line(block: bytes) -> int:
    """0-based index of the first line of ``block`` that is not plain ASCII."""
    return next(i for i, text in enumerate(block.split(b"\n")) if not text.isascii())


def _plausibility(text: str, encoding: str) -> float:
    """How well the languages of ``encoding`` explain the non-ASCII letters of ``text``.

    The sum of two shares: letters that some language of the code page uses (names
    from Poland, Romania and Hungary in one file), and letters that its single best
    language uses (Hungarian "ő" read as cp1252 is "õ", which Portuguese has, but no
    cp1252 language has "õ" next to "ö" and "û").
    """
    counts: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()):
        if word.isascii():
            continue
        foreign = [c for c in word if not c.isascii()]
        if encoding == "cp1251":
            # Cyrillic letters inside Latin words: Latin text misread as Cyrillic.
            implausible = len(foreign) < len(word)
        else:
            # Long words without one ASCII letter: Cyrillic text misread as Latin.
            implausible = len(word) >= 4 and len(foreign) == len(word)
        if implausible:
            counts["\x00"] += len(foreign)
        else:
            counts.update(foreign)
    pattern = _UNLIKELY.get(encoding)
    unlikely = len(pattern.findall(text.lower())) if pattern else 0
    # A symbol touching a letter ("£ód", Polish Ł read as cp1252) is a misread letter.
    unlikely += len(_SYMBOL_BY_LETTER.findall(text))
    total = sum(counts.values()) + 4 * text.count("\ufffd") + 2 * unlikely
    if total == 0:
        return 0.0
    languages = [set(language) for language in _LANGUAGES[encoding]]
    some = sum(counts[c] for c in set().union(*languages))
    best = max(sum(counts[c] for c in language) for language in languages)
    return (some + best) / total


_SYMBOL_BY_LETTER = re.compile(r"[^\x00-\x7f\w\s](?=[^\W\d_])|(?<=[^\W\d_])[^\x00-\x7f\w\s]")
# Spellings that a misreading produces and the languages do not use. Western letters
# read as cp1250: ñ → ń and à/å → ŕ/ĺ before vowels (Polish writes "ni" + vowel; ŕ ĺ
# are syllabic in Slovak), ì → ě after letters Czech never puts it after, è → č before
# v/m (Genève, système), õ → ő before a vowel, ã → ă before o/e. Central European letters
# read as cp1252: ń → ñ not before a vowel (Poznań), ő → õ and ă → ã before consonants
# Portuguese never puts after them.
_UNLIKELY = {
    "cp1250": re.compile(
        r"[ńŕĺ](?=[aeiouyáéíóú])|[ŕĺ]\b|(?<![bdfmnptv])ě|č(?=[vm])|[őű](?=[aeiouáéíóú])"
        r"|ă(?=[oe])"
    ),
    "cp1252": re.compile(r"ñ(?![aeiouáéíóú])|õ(?=[^\W\d_])(?![es])|ã(?=[^\W\d_])(?![oes])"),
}


# --- XLSX ---------------------------------------------------------------------------


def _read_xlsx(con, path, name, head, sheet, limits, table) -> RawTable:
    del head
    _check_zip(path, name, limits)
    sha256 = _sha256(path)
    import openpyxl  # imported here: only XLSX uploads pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any parser failure on untrusted bytes means "unreadable"
        raise UnreadableFileError(
            f"{name} could not be opened as an Excel workbook: {exc or type(exc).__name__}."
        ) from exc
    try:
        worksheet = _pick_sheet(workbook, name, sheet)
        try:
            rows, columns = _load_sheet(con, worksheet, name, table)
        except UnreadableFileError:
            raise
        except Exception as exc:
            raise UnreadableFileError(
                f"{name} could not be read as an Excel workbook: {exc or type(exc).__name__}."
            ) from exc
    finally:
        workbook.close()
    return RawTable(table, "xlsx", rows, columns, None, None, worksheet.title, sha256)


def _check_zip(path: Path, name: str, limits: ReadLimits) -> None:
    """Refuse zip bombs from the central directory, before anything is decompressed.

    zipfile stops decompressing a member at its declared size, so these declared
    sizes bound what openpyxl can ever inflate.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFileError(f"{name} is a damaged ZIP container: {exc}.") from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise UnreadableFileError(
            f"{name} would unpack to {_size(total)}; the limit is "
            f"{_size(limits.max_uncompressed_bytes)}. It was refused as a possible zip bomb."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _MB and ratio > limits.max_compression_ratio:
            raise UnreadableFileError(
                f"{name} contains {member.filename} compressed {ratio:,.0f}:1 "
                f"({_size(member.compress_size)} unpacking to {_size(member.file_size)}); "
                f"the limit is {limits.max_compression_ratio:g}:1. It was refused as a "
                "possible zip bomb."
            )


def _pick_sheet(workbook, name: str, sheet: str | None):
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "reset_dimensions")]
    if sheet is None:
        if not worksheets:
            raise UnreadableFileError(f"{name} has no worksheet.")
        return worksheets[0]
    for worksheet in worksheets:
        if worksheet.title == sheet:
            return worksheet
    listed = ", ".join(repr(ws.title) for ws in worksheets)
    raise UnreadableFileError(f"{name} has no sheet {sheet!r}; its sheets are {listed}.")


def _load_sheet(con, worksheet, name: str, table: str) -> tuple[int, tuple[str, ...]]:
    # Dimensions stored in the file are often wrong (some writers store "A1"), and
    # read-only mode would then cut the sheet short: read what is really there.
    worksheet.reset_dimensions()
    rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
    header_row = 0
    for header_row, values in rows:  # noqa: B007 - the row found is used below
        texts = [_cell_text(v) for v in values]
        if any(t is not None for t in texts):
            break
    else:
        raise UnreadableFileError(f"{name} has no header row: sheet {worksheet.title!r} is empty.")
    width = max(i for i, t in enumerate(texts) if t is not None) + 1
    columns = _check_header(name, [_clean_name(t or "") for t in texts[:width]])
    cells = _ident(table + "__cells")
    con.execute(f"CREATE TEMP TABLE {cells} ({', '.join(f'c{i} VARCHAR' for i in range(width))})")
    batch: list[list[str | None]] = [[] for _ in range(width)]
    count = pending_empty = 0
    problems: list[Problem] = []
    for row_number, values in rows:
        texts = [_cell_text(v) for v in values]
        for column, text in enumerate(texts[width:], start=width):
            if text is not None and len(problems) < _MAX_REPORTED:
                problems.append(
                    Problem(
                        row_number,
                        _column_letter(column),
                        text,
                        f"A value right of the last header column ({_column_letter(width - 1)}).",
                    )
                )
        texts = (texts + [None] * width)[:width]
        if all(t is None for t in texts):
            # Only trailing empty rows are dropped; empty rows inside the data are kept
            # so that row numbers stay right.
            pending_empty += 1
            continue
        for values_of_column, text in zip(batch, texts, strict=True):
            values_of_column.extend([None] * pending_empty)
            values_of_column.append(text)
        count += pending_empty + 1
        pending_empty = 0
        if len(batch[0]) >= _ARROW_BATCH:
            _insert_batch(con, cells, batch)
    _insert_batch(con, cells, batch)
    if problems:
        raise UnreadableFileError(
            f"{name} has values outside its header's columns (A–{_column_letter(width - 1)}) "
            f"in sheet {worksheet.title!r}; the first is in cell "
            f"{problems[0].column}{problems[0].row}. Give them a header or remove them.",
            problems,
        )
    _create_view(con, table, width, [(0, header_row + 1)])
    return count, columns


def _insert_batch(con, cells: str, batch: list[list[str | None]]) -> None:
    if not batch[0]:
        return
    arrow = pa.table({f"c{i}": pa.array(values, pa.string()) for i, values in enumerate(batch)})
    con.register("threatmon_xlsx_batch", arrow)
    try:
        con.execute(f"INSERT INTO {cells} SELECT * FROM threatmon_xlsx_batch")
    finally:
        con.unregister("threatmon_xlsx_batch")
    for values in batch:
        values.clear()


def _cell_text(value: object) -> str | None:
    """One cell as the text an analyst sees, normalised (dates ISO, 12.0 as "12")."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        # Excel stores times as fractions of a day; round the float noise to seconds.
        value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0, tzinfo=None)
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    return str(value).strip() or None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- Parquet ------------------------------------------------------------------------


def _read_parquet(con, path, name, head, sheet, limits, table) -> RawTable:
    del head, sheet, limits
    import pyarrow.parquet as pq

    # pyarrow decodes and DuckDB converts one stream of Arrow batches. DuckDB's own
    # reader is 3x faster but answers some damaged files with an InternalException,
    # which invalidates the whole database instance; pyarrow raises ordinary errors.
    cells = _ident(table + "__cells")
    try:
        parquet = pq.ParquetFile(path)
        columns = _check_header(name, [_clean_name(f.name) for f in parquet.schema_arrow])
        if not columns:
            raise UnreadableFileError(f"{name} has no columns.")
        names = [f"c{i}" for i in range(len(columns))]
        schema = pa.schema(
            [f.with_name(n) for f, n in zip(parquet.schema_arrow, names, strict=True)]
        )
        batches = (
            pa.RecordBatch.from_arrays(batch.columns, schema=schema)
            for batch in parquet.iter_batches(batch_size=_ARROW_BATCH)
        )
        con.register("threatmon_parquet", pa.RecordBatchReader.from_batches(schema, batches))
        try:
            types = con.execute("DESCRIBE threatmon_parquet").fetchall()
            values = ", ".join(f"{_parquet_text(c, t)} AS {c}" for c, t, *_ in types)
            con.execute(f"CREATE TEMP TABLE {cells} AS SELECT {values} FROM threatmon_parquet")
        finally:
            con.unregister("threatmon_parquet")
    except (duckdb.InternalException, duckdb.FatalException):
        raise  # a bug, not a bad file: let it be seen as one
    except (pa.ArrowException, OSError, ValueError, TypeError, IndexError, duckdb.Error) as exc:
        message = f"{name} could not be read as Parquet: {_first_line(exc)}"
        raise UnreadableFileError(message) from exc
    rows = con.execute(f"SELECT count(*) FROM {cells}").fetchall()[0][0]
    _create_view(con, table, len(columns), [(0, 2)])
    return RawTable(table, "parquet", rows, columns, None, None, None, _sha256(path))


def _parquet_text(column: str, column_type: str) -> str:
    """SQL rendering a Parquet column as the same text an XLSX cell would give."""
    if column_type == "VARCHAR":
        return _trim_sql(column)
    if column_type.startswith("TIMESTAMP") and "TIME ZONE" not in column_type:
        value = f"CAST({column} AS TIMESTAMP)"
        return (
            f"CASE WHEN CAST({value} AS TIME) = TIME '00:00:00' "
            f"THEN strftime({value}, '%Y-%m-%d') ELSE strftime({value}, '%Y-%m-%dT%H:%M:%S') END"
        )
    if column_type in ("FLOAT", "DOUBLE"):
        # Integer-valued floats (pandas writes int columns with gaps as float) as "12".
        return (
            f"CASE WHEN isnan({column}) THEN NULL "
            f"WHEN {column} = trunc({column}) AND abs({column}) < 9007199254740992 "
            f"THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END"
        )
    return f"CAST({column} AS VARCHAR)"


# --- shared -------------------------------------------------------------------------

_READERS: dict[str, Callable[..., RawTable]] = {
    "csv": _read_csv,
    "xlsx": _read_xlsx,
    "parquet": _read_parquet,
}

_LOOKS_LIKE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})([ T].*)?$")


def _clean_name(cell: str) -> str:
    return cell.strip().strip("\ufeff").strip()


def _check_header(name: str, columns: list[str]) -> tuple[str, ...]:
    if len(columns) > _MAX_COLUMNS:
        raise UnreadableFileError(
            f"{name} has {len(columns):,} columns; at most {_MAX_COLUMNS:,} can be read."
        )
    if columns and not any(columns):
        raise UnreadableFileError(f"{name} has no header row: its first row has no names.")
    dated = next((c for c in columns if _LOOKS_LIKE_DATE.match(c)), None)
    if dated is not None:
        raise UnreadableFileError(
            f"{name} has no header row: its first row looks like data ({dated!r} is a date). "
            "Add a row of column names at the top."
        )
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            raise UnreadableFileError(
                f"{name} has the column {column!r} more than once in its header; rename one "
                "so that every column has its own name."
            )
        seen.add(column)
    return tuple(columns)


def _create_view(con, table: str, ncols: int, offsets: list[tuple[int, int]]) -> None:
    cells = _ident(table + "__cells")
    values = ", ".join(f"c.c{i}" for i in range(ncols))
    if len(offsets) == 1:
        con.execute(
            f"CREATE TEMP VIEW {_ident(table)} AS "
            f"SELECT c.rowid + {int(offsets[0][1])} AS line, {values} FROM {cells} AS c"
        )
        return
    lines = _ident(table + "__lines")
    changes = pa.table(
        {
            "first_rowid": pa.array([r for r, _ in offsets], pa.int64()),
            "line_offset": pa.array([o for _, o in offsets], pa.int64()),
        }
    )
    con.register("threatmon_line_offsets", changes)
    try:
        con.execute(f"CREATE TEMP TABLE {lines} AS SELECT * FROM threatmon_line_offsets")
    finally:
        con.unregister("threatmon_line_offsets")
    con.execute(
        f"CREATE TEMP VIEW {_ident(table)} AS "
        f"SELECT c.rowid + j.line_offset AS line, {values} FROM {cells} AS c "
        f"ASOF JOIN {lines} AS j ON c.rowid >= j.first_rowid"
    )


@contextlib.contextmanager
def _insertion_order_kept(con) -> Iterator[None]:
    # rowid must follow the file order; DuckDB guarantees it only with this setting on.
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    if not kept:
        con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        if not kept:
            con.execute("SET preserve_insertion_order = false")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _size(n: int) -> str:
    for unit, scale in (("MB", _MB), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tabs", ",": "commas", ";": "semicolons", "|": "pipes"}[delimiter]


def _first_line(exc: BaseException) -> str:
    text = str(exc).split("\n", 1)[0].strip()
    return text.split("Error: ", 1)[-1] if "Error: " in text else text


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
