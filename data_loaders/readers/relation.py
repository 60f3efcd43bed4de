"""The TEMP relation a read leaves in DuckDB: the hidden cells table, the view that adds
``line``, and their removal.

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
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from data_loaders.readers.sql import ident

ARROW_BATCH = 65_536  # rows per Arrow batch inserted into DuckDB (XLSX, Parquet)


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
    suspect : bool
        Whether a value may hold a control character or a bidirectional override (False
        only when the file's bytes were scanned and cannot).
    longest_line : int or None
        The longest line in bytes, which bounds every value's length; None: unknown.
    """

    table: str
    format: str
    rows: int
    columns: tuple[str, ...]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sha256: str
    suspect: bool = True
    longest_line: int | None = None


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
    for name in (table, *(f"{table}{suffix}" for suffix in HIDDEN_SUFFIXES)):
        if name in kinds:
            con.execute(f"DROP {kinds[name]} temp.main.{ident(name)}")


HIDDEN_SUFFIXES = ("__cells", "__lines", "__rejects", "__rejects_scan")


def create_view(con, table: str, ncols: int, offsets: list[tuple[int, int]]) -> None:
    cells = ident(table + "__cells")
    values = ", ".join(f"c.c{i}" for i in range(ncols))
    if len(offsets) == 1:
        con.execute(
            f"CREATE TEMP VIEW {ident(table)} AS "
            f"SELECT c.rowid + {int(offsets[0][1])} AS line, {values} FROM {cells} AS c"
        )
        return
    lines = ident(table + "__lines")
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
        f"CREATE TEMP VIEW {ident(table)} AS "
        f"SELECT c.rowid + j.line_offset AS line, {values} FROM {cells} AS c "
        f"ASOF JOIN {lines} AS j ON c.rowid >= j.first_rowid"
    )
