"""The coverage cells' one scan of the rows, kept on disk per generation of the store.

:data:`threatmon.coverage.cells.ROW_CELLS_SQL` groups every incident row (0.4 s of CPU
at 10M rows, more wall time under load) and its answer is a few thousand cells. A
freshly started dashboard used to pay that scan on its first page; the answer is now
kept in a Parquet file beside the store (``threatmon.duckdb.cells/``, a database's under
``$THREATMON_CACHE_DIR``, see :meth:`threatmon.store.StoreLocation.scratch_folder`)
and read back in milliseconds by any process that sees the same generation. Only a
reader that asks for it writes the file (the dashboard's, ``Store(keep_cells=True)``): a
command such as ``threatmon briefing`` reads the store and writes nothing.

A file is only ever read for the generation it was written for: its name is a digest of
the store's version (a DuckDB file's inode, modification time and size; a database's
generation counter, which every write moves on), of the batches table (so a database
dropped and loaded again, whose counter starts over, is not taken for the old one) and
of the reader's scope and withheld crime types. A file that cannot be written or read is
no error: the rows are scanned as before.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

#: Moves on when the cached frame's meaning changes (the SQL, its columns).
CELLS_CACHE_VERSION = 1
#: The batches' columns that change whenever the rows do (load, undo, replace).
FINGERPRINT_SQL = (
    "SELECT batch_id, kind, sha256, status, loaded_at, undone_at, rows_loaded "
    "FROM batches ORDER BY batch_id"
)
SUFFIX = ".cells"


def _digest(value: object) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_name(version: str, batches: pd.DataFrame, scope, withheld) -> str:
    """The file name for one generation and reader (``<version digest>-<digest of the
    batches, scope and withheld crime types>.parquet``; a scoped reader may see fewer
    batches)."""
    generation = _digest([CELLS_CACHE_VERSION, version])
    reader = _digest([batches.to_dict(orient="records"), list(scope), list(withheld)])
    return f"{generation}-{reader}.parquet"


def row_cells(
    folder: Path,
    name: str,
    scan: Callable[[], pd.DataFrame],
    still_current: Callable[[], bool],
) -> pd.DataFrame:
    """The result of ``scan`` (the rows' cells) for the generation ``name`` stands for:
    read from ``folder`` if it was kept there, else scanned and kept.

    The answer is kept only if ``still_current()`` after the scan: a writer that published
    meanwhile may have given the scan the next generation's rows.
    """
    path = folder / name
    try:
        return _read(path)
    except (OSError, duckdb.Error):
        pass
    cells = scan()
    if still_current():
        try:
            _write(cells, folder, path)
        except (OSError, duckdb.Error):
            pass
    return cells


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(path)
    connection = duckdb.connect(":memory:")
    try:
        return connection.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
    finally:
        connection.close()


def _write(cells: pd.DataFrame, folder: Path, path: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f"{path.name}.tmp-{os.getpid()}"
    connection = duckdb.connect(":memory:")
    try:
        connection.register("cells", cells)
        # A path cannot be a parameter of COPY; the folder is the store's own.
        quoted = str(staging).replace("'", "''")
        connection.execute(f"COPY cells TO '{quoted}' (FORMAT parquet)")
    finally:
        connection.close()
    os.replace(staging, path)
    # Other generations' files are never read again.
    generation = path.name.split("-", 1)[0]
    for old in folder.glob("*.parquet"):
        if not old.name.startswith(generation + "-"):
            old.unlink(missing_ok=True)
