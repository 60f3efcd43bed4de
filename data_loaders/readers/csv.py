"""CSV and text files: UTF-8 straight into DuckDB, anything else through a UTF-8 copy; rows
that do not fit the header refused by their lines.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from pathlib import Path

import duckdb

from data_loaders.readers.dialect import Dialect, decode_head, sniff
from data_loaders.readers.encoding import encoding_from_head, guess_legacy_encoding, transcode
from data_loaders.readers.lines import content_lines, line_offsets, lines_at
from data_loaders.readers.messages import MAX_REPORTED, delimiter_name, first_line, plural
from data_loaders.readers.relation import RawTable, create_view
from data_loaders.readers.scan import HEAD, Scan
from data_loaders.readers.sql import ident, literal, trim_sql
from threatmon.errors import Problem, UnreadableFileError


class _NotUtf8(Exception):
    """DuckDB met bytes that are not UTF-8 in a file whose head was."""


def read_csv(con, path, name, head, sheet, limits, table, on_header=None) -> RawTable:
    """UTF-8 straight into DuckDB; anything else through a temporary UTF-8 copy.

    ``on_header`` is called with the header, once, before the rows are read."""
    del sheet, limits  # not used by CSV; the signature is shared by every reader
    announced: list[tuple[str, ...]] = []

    def announce(dialect: Dialect) -> None:
        if on_header is not None and not announced:
            announced.append(tuple(dialect.header))
            on_header(announced[0])

    encoding = encoding_from_head(head, path.stat().st_size)
    if encoding in ("utf-8", "utf-8-sig"):
        dialect = sniff(decode_head(head, encoding, path), name)
        announce(dialect)
        # Hash and count line breaks in a thread while DuckDB reads the same bytes.
        scan = Scan(path, dialect.newline)
        try:
            rows = _load_csv(con, path, name, dialect, table)
        except _NotUtf8:
            encoding = None
        finally:
            scan.wait()
        if encoding is not None:
            return _finish_csv(con, path, name, dialect, table, rows, encoding, scan.result())
    if encoding is None:
        encoding = guess_legacy_encoding(path, name)
    with tempfile.TemporaryDirectory(prefix="threatmon-read-") as tmp:
        source = Path(tmp) / "utf8.csv"
        transcoded = transcode(path, source, encoding, name)
        with open(source, "rb") as handle:
            dialect = sniff(decode_head(handle.read(HEAD), "utf-8", source), name)
        announce(dialect)
        try:
            rows = _load_csv(con, source, name, dialect, table)
        except _NotUtf8:  # pragma: no cover - we wrote this file as UTF-8 ourselves
            raise UnreadableFileError(f"{name} could not be converted to UTF-8.") from None
        return _finish_csv(con, source, name, dialect, table, rows, encoding, transcoded)


def _finish_csv(con, source, name, dialect, table, rows, encoding, scanned) -> RawTable:
    ncols = len(dialect.header)
    lines = content_lines(source, scanned.newlines, dialect.newline)
    offsets: list[tuple[int, int]] | None = [(0, dialect.header_end + 1)]
    if lines != dialect.header_end + rows:
        offsets = line_offsets(source, dialect, rows)
        if offsets is None:
            warnings.warn(
                f"{name}: its quoting could not be followed line by line, so line numbers "
                "in messages may be off after the first blank line or multi-line value.",
                stacklevel=4,
            )
            offsets = [(0, dialect.header_end + 1)]
    rows = _drop_trailing_empty_rows(con, table, ncols, rows)
    create_view(con, table, ncols, offsets)
    return RawTable(
        table,
        "csv",
        rows,
        dialect.header,
        encoding,
        dialect.delimiter,
        None,
        scanned.sha256,
        scanned.suspect,
        scanned.longest_line,
    )


def _load_csv(con, source: Path, name: str, dialect: Dialect, table: str) -> int:
    ncols = len(dialect.header)
    cells = ident(table + "__cells")
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ncols))
    values = ", ".join(f"{trim_sql(f'c{i}')} AS c{i}" for i in range(ncols))
    # Every option is explicit so that DuckDB's sniffer never guesses.
    options = (
        f"header = false, skip = {dialect.skip}, auto_detect = false, "
        f"delim = {literal(dialect.delimiter)}, quote = '\"', escape = '\"', "
        f"columns = {{{columns}}}"
    )
    reader = f"read_csv({literal(str(source))}, {options})"
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
        raise UnreadableFileError(f"{name} could not be read as CSV: {first_line(exc)}") from exc
    return con.execute(f"SELECT count(*) FROM {cells}").fetchall()[0][0]


def _rejected_rows(con, source: Path, options: str, table: str) -> list[tuple]:
    """(byte position of the line, error type, message, text) of rows DuckDB rejects."""
    rejects, scans = ident(table + "__rejects"), ident(table + "__rejects_scan")
    options += (
        f", store_rejects = true, rejects_table = {literal(table + '__rejects')}, "
        f"rejects_scan = {literal(table + '__rejects_scan')}, rejects_limit = {MAX_REPORTED}"
    )
    try:
        con.execute(f"SELECT count(*) FROM read_csv({literal(str(source))}, {options})").fetchall()
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
    lines = lines_at(source, [position for position, *_ in found], dialect.newline)
    width = len(dialect.header)
    problems, summary = [], []
    for line, (_, kind, message, text) in zip(lines, found, strict=True):
        if problems and problems[-1].row == line:
            continue  # DuckDB may report one line twice
        fields = re.search(r"Found: (\d+)", message or "")
        if fields:
            n = int(fields.group(1))
            reason = f"{plural(n, 'field')} where the header has {width}."
            summary.append(f"line {line} has {plural(n, 'field')}")
        elif kind == "UNQUOTED VALUE":
            reason = "A quoted value is not closed, or text follows its closing quote."
            summary.append(f"line {line} has a quote that is not closed")
        else:
            reason = f"{(message or kind).splitlines()[0].rstrip('.')}."
            summary.append(f"line {line}: {reason.rstrip('.')}")
        problems.append(Problem(line, None, (text or "").strip("\r\n")[:200], reason))
    more = " (or more)" if len(found) >= MAX_REPORTED else ""
    shown = ", ".join(summary[:3]) + (", …" if len(summary) > 3 else "")
    return UnreadableFileError(
        f"{name} has {plural(len(problems), 'row')}{more} that "
        f"{'does' if len(problems) == 1 else 'do'} not fit its header of "
        f"{width} fields separated by {delimiter_name(dialect.delimiter)}: {shown}. Check "
        "the delimiter, and that values containing it are quoted.",
        problems,
    )


def _drop_trailing_empty_rows(con, table: str, ncols: int, rows: int) -> int:
    """Spreadsheets save rows of empty cells after the data (``,,,``); drop those."""
    if rows == 0:
        return 0
    cells = ident(table + "__cells")
    empty = " AND ".join(f"c{i} IS NULL" for i in range(ncols))
    last = con.execute(f"SELECT count(*) FROM {cells} WHERE rowid = ? AND {empty}", [rows - 1])
    if not last.fetchall()[0][0]:
        return rows
    keep = con.execute(f"SELECT coalesce(max(rowid) + 1, 0) FROM {cells} WHERE NOT ({empty})")
    rows = keep.fetchall()[0][0]
    con.execute(f"DELETE FROM {cells} WHERE rowid >= ?", [rows])
    return rows
