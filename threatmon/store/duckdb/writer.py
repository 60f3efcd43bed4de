"""Writing a store in a DuckDB file: serialised, all-or-nothing, copy-on-write.

DuckDB lets one process write a file and forbids readers meanwhile, so writers
never open the live file. A write session takes an exclusive lock file, copies
the live store to a private temporary file, applies the whole change there in
one transaction, checkpoints, and atomically renames the copy over the live
path. Readers (the dashboard) keep reading the previous generation until they
notice the new one; a process killed mid-load leaves only a stale temporary
file, which the next writer removes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from threatmon.errors import StoreBusyError
from threatmon.store.faults import (
    changed_by_another_program,
    held_by_another_program,
    out_of_room,
    process_alive,
)
from threatmon.store.migrations import migrate
from threatmon.store.queries import REBUILD_ROLLUP_SQL

if TYPE_CHECKING:
    from threatmon.store.writer import StoreWriter

LOCK_SUFFIX = ".lock"
TEMP_SUFFIX = ".tmp"


class Transaction:
    """A write session's connection to its copy, as :class:`~threatmon.store.writer.StoreWriter`
    speaks to either backend.

    The session's transaction begins with the first statement made through this object
    (``begin`` is called then, once). Until then the connection may serve work that is
    not part of the change: an ingest checks its file there, in TEMP tables that DuckDB
    frees as soon as they are dropped (inside a transaction only at its end).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, begin: Callable[[], None]):
        self.con = con
        self._begin: Callable[[], None] | None = begin

    def begun(self) -> None:
        """Begin the session's transaction unless it has begun."""
        if self._begin is not None:
            begin, self._begin = self._begin, None
            begin()

    def execute(self, sql: str, params: Sequence | None = None) -> duckdb.DuckDBPyConnection:
        self.begun()
        if params:
            return self.con.execute(sql, list(params))
        return self.con.execute(sql)

    def duckdb_connection(self) -> duckdb.DuckDBPyConnection:
        return self.con

    def copy_rows(self, table: str, columns: Sequence[str], rows, batch_id: int) -> None:
        """Insert validated rows (a DataFrame, Arrow data, or a relation of this
        connection) as rows of ``batch_id``."""
        self.begun()
        # A relation of this connection becomes a view: its rows never leave DuckDB.
        self.con.register("incoming_rows", rows)
        try:
            names = ", ".join(columns)
            # Rows stored in date order keep DuckDB's zone maps tight for date filters;
            # most extracts already arrive sorted, and then sorting again is wasted time.
            ordered = not isinstance(rows, pd.DataFrame) or rows["date"].is_monotonic_increasing
            order = "" if ordered else " ORDER BY date"
            self.con.execute(
                f"INSERT INTO {table} (batch_id, {names}) "
                f"SELECT {int(batch_id)}, {names} FROM incoming_rows{order}"
            )
        finally:
            self.con.unregister("incoming_rows")


@contextlib.contextmanager
def _exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    lock_path = path.with_name(path.name + LOCK_SUFFIX)
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"Another load is writing to {path}; gave up after {timeout:g} s. "
                        "Try again when it has finished."
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _remove_stale_temporaries(path: Path) -> None:
    # We hold the lock, so no other writer is alive: every temporary is left over
    # from a process that died mid-load.
    for leftover in path.parent.glob(f"{path.name}.*{TEMP_SUFFIX}*"):
        _remove(leftover)


def interrupted_writes(path: Path) -> list[int]:
    """Process ids of write sessions that died before publishing (a killed server or CLI,
    a crash): their copies are still beside the store, and nothing of them was published.

    The next write session removes the copies; until then the Upload page says that a
    load was interrupted, so that nobody takes a file still shown in their browser for
    a loaded one.
    """
    found = []
    for copy in path.parent.glob(f"{path.name}.*{TEMP_SUFFIX}"):
        pid = copy.name[len(path.name) + 1 : -len(TEMP_SUFFIX)]
        if pid.isdigit() and not process_alive(int(pid)):
            found.append(int(pid))
    return sorted(found)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


@contextlib.contextmanager
def _no_foreign_writer(path: Path) -> Iterator[None]:
    """Hold DuckDB's shared lock on the live file; refuse if another program writes it.

    A program that opened the file for writing (a DuckDB shell, a notebook) holds
    DuckDB's exclusive lock: copying the file then could miss what that program has
    not checkpointed yet, and publishing would drop what it writes later. While we
    hold the shared lock it cannot start writing. POSIX drops all of a process's locks
    on a file when any descriptor of it closes, so the hold covers the step it wraps,
    not the whole session; the stamp check before publishing covers the rest.
    """
    if not path.exists():
        # Nothing to hold (a new store): opening a DuckDB costs about 10 ms.
        yield
        return
    probe = duckdb.connect(":memory:")
    try:
        try:
            probe.execute("ATTACH ? AS live (READ_ONLY)", [str(path)])
        except duckdb.Error as exc:
            locked = held_by_another_program(exc, path, writing=True)
            if locked is not None:
                raise locked from exc
            # Anything else (a damaged file the demo builder is about to replace)
            # is the copy's or the migration's to report, as before.
        yield
    finally:
        probe.close()


@contextlib.contextmanager
def write_session(
    path: Path,
    make_writer: Callable[[Transaction], StoreWriter],
    *,
    fresh: bool,
    timeout: float,
) -> Iterator[StoreWriter]:
    """One change of the store file, published by renaming a changed copy over it
    (see :func:`threatmon.store.writer.write_session`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(path, timeout):
        _remove_stale_temporaries(path)
        temporary = path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")
        is_new = fresh or not path.exists()
        connection = None
        published = False
        try:
            with _no_foreign_writer(path):
                copied = _stamp(path)
                if not is_new:
                    shutil.copyfile(path, temporary)
            connection = duckdb.connect(str(temporary))
            connection.execute("SET enable_progress_bar = false")
            applied = migrate(connection)

            def begin() -> None:
                connection.execute("BEGIN TRANSACTION")
                writer.begin(new=is_new, migrated=applied)

            transaction = Transaction(connection, begin)
            writer = make_writer(transaction)
            yield writer
            transaction.begun()
            if writer.incidents_changed:
                connection.execute(REBUILD_ROLLUP_SQL)
            connection.execute("COMMIT")
            if writer.changed:
                connection.execute("CHECKPOINT")
                connection.close()
                _fsync(temporary)
                with _no_foreign_writer(path):
                    # We held the write lock throughout, so no Threat Monitor writer
                    # changed the file: a program that ignores the lock did, and
                    # publishing our copy would silently drop its work.
                    if _stamp(path) != copied:
                        raise changed_by_another_program(path)
                    # A WAL beside the live file could only come from a foreign writer;
                    # it would be replayed into the wrong generation, so it must go.
                    _remove(path.with_name(path.name + ".wal"))
                    os.replace(temporary, path)
                published = True
        except (OSError, duckdb.Error) as exc:
            # Raised here or inside the caller's block (the rows being inserted): a full
            # disk is said as such; anything else goes on as it was.
            full = out_of_room(exc, temporary, path)
            if full is None:
                raise
            raise full from exc
        finally:
            if connection is not None:
                with contextlib.suppress(duckdb.Error):
                    connection.close()
            if not published:
                # Also when the copy itself failed half-way: a partial copy on a full
                # disk is the space the next attempt needs.
                _remove(temporary)
                _remove(temporary.with_name(temporary.name + ".wal"))
