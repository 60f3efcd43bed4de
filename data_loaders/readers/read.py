"""Read an uploaded extract (CSV, XLSX or Parquet) into DuckDB as a table of strings.

:func:`read_table` is the one door every upload goes through. It decides the format
from the file's content (magic bytes) and checks it against the extension, then
loads every column as trimmed ``VARCHAR`` (empty → NULL) next to a ``line`` column,
so the ingest can validate with SQL and report problems by the line an analyst sees
in the file. Typing and the data contract are the ingest's business, not this one's.
Each format is one function in ``_READERS``; a new format is one more entry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from data_loaders.readers.content_type import content_kind, format_for_extension, mismatch_message
from data_loaders.readers.csv import read_csv
from data_loaders.readers.hygiene import MAX_VALUE_CHARS, refuse_unsafe_values
from data_loaders.readers.limits import ReadLimits
from data_loaders.readers.messages import human_size
from data_loaders.readers.parquet import read_parquet
from data_loaders.readers.relation import RawTable, drop_table
from data_loaders.readers.scan import HEAD
from data_loaders.readers.xlsx import read_xlsx
from threatmon.errors import UnreadableFileError
from threatmon.outside_text import neutral_name


def read_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits = ReadLimits(),  # noqa: B008 - frozen, so sharing the default is safe
    table: str = "raw",
    on_header: Callable[[tuple[str, ...]], None] | None = None,
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
    on_header : callable, optional
        Called once with the header cells as soon as they are known, before the rows are
        read, so that the caller can prepare meanwhile
        (:mod:`data_loaders.warm_up`).

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
        differs from the header's (``problems`` then lists them by line), or values
        holding control characters or bidirectional overrides, or longer than a
        spreadsheet cell (see :mod:`data_loaders.readers.hygiene`).
    """
    path = Path(path)
    name = neutral_name(file_name or path.name)
    fmt = format_for_extension(name)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UnreadableFileError(
            f"{name} is {human_size(size)}; the limit is {human_size(limits.max_bytes)}."
        )
    if size == 0:
        raise UnreadableFileError(f"{name} is empty.")
    with open(path, "rb") as handle:
        head = handle.read(HEAD)
    found = content_kind(path, head, size)
    if found != fmt:
        raise UnreadableFileError(mismatch_message(name, fmt, found))
    drop_table(con, table)
    try:
        with _insertion_order_kept(con):
            raw = _READERS[fmt](con, path, name, head, sheet, limits, table, on_header)
        long_lines = raw.longest_line is None or raw.longest_line > MAX_VALUE_CHARS
        refuse_unsafe_values(con, raw, name, controls=raw.suspect, lengths=long_lines)
        return raw
    except BaseException:
        drop_table(con, table)
        raise


_READERS: dict[str, Callable[..., RawTable]] = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "parquet": read_parquet,
}


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
