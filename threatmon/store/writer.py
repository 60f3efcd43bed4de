"""The write side of the store: serialised, all-or-nothing, copy-on-write.

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
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import psycopg

from threatmon.access.roles import Permission, Principal
from threatmon.contract import (
    FLOW_COLUMNS,
    INCIDENT_COLUMNS,
    validate_flows,
    validate_incidents,
)
from threatmon.errors import (
    AccessDeniedError,
    BatchNotFoundError,
    DiskFullError,
    DuplicateBatchError,
    Problem,
    StoreBusyError,
    StoreError,
    ValidationError,
)
from threatmon.store import audit, postgres
from threatmon.store.faults import (
    changed_by_another_program,
    held_by_another_program,
    out_of_room,
    process_alive,
)
from threatmon.store.migrations import migrate
from threatmon.store.queries import REBUILD_ROLLUP_SQL
from threatmon.store.reader import resolve_location

LOCK_SUFFIX = ".lock"
TEMP_SUFFIX = ".tmp"
#: Seconds a write session waits for another load before giving up (StoreBusyError).
LOCK_TIMEOUT = 60.0


class StoreWriter:
    """Changes made inside one :func:`write_session`; all of them land, or none."""

    def __init__(self, connection: duckdb.DuckDBPyConnection | postgres.Transaction, user: str):
        self._con = connection
        self.user = user
        self.changed = False
        self._incidents_changed = False
        #: (first, last) dates of every incident batch loaded or undone in this session.
        self.touched: list[tuple[dt.date, dt.date]] = []

    def set_meta(self, key: str, value: str) -> None:
        """Record a fact about the store (``demo``, ``demo_seed``…)."""
        self._con.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, str(value)],
        )
        self.changed = True

    def save_mapping(self, name: str, kind: str, mapping: dict[str, str]) -> None:
        """Save (or replace) a column mapping under a source name, audited."""
        if not name.strip():
            raise ValueError("A saved mapping needs a name. Got ''.")
        self._con.execute(
            "INSERT INTO column_mappings VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
            "SET kind = excluded.kind, mapping = excluded.mapping, "
            "saved_by = excluded.saved_by, saved_at = excluded.saved_at",
            [
                name.strip(),
                kind,
                json.dumps(mapping, ensure_ascii=False, sort_keys=True),
                self.user,
                _now(),
            ],
        )
        self.audit("save_mapping", f"mapping:{name.strip()}", {"kind": kind, "mapping": mapping})

    def audit(self, action: str, target: str | None = None, details: dict | None = None) -> int:
        """Append an audit entry in the same transaction as the change it describes."""
        self.changed = True
        return audit.append(self._con, self.user, action, target, details)

    def active_batch_with_sha(self, sha256: str, kind: str) -> int | None:
        """The id of an active batch that loaded the same bytes, if any."""
        rows = self._con.execute(
            "SELECT batch_id FROM batches WHERE sha256 = ? AND kind = ? AND status = 'active' "
            "ORDER BY batch_id LIMIT 1",
            [sha256, kind],
        ).fetchall()
        return int(rows[0][0]) if rows else None

    def add_incidents(
        self, frame: pd.DataFrame, *, file_name: str, sha256: str, rows_in_file: int | None = None
    ) -> int:
        """Validate and append incidents as one new batch; return the batch id.

        Raises
        ------
        ValidationError
            If any row breaks the contract, or re-sends an ``incident_id`` that an
            active batch already holds (nothing is written).
        DuplicateBatchError
            If an active batch already loaded a file with this sha256.
        """
        clean = validate_incidents(frame)
        return self.add_rows(
            "incidents", clean, file_name=file_name, sha256=sha256, rows_in_file=rows_in_file
        )

    def add_flows(
        self, frame: pd.DataFrame, *, file_name: str, sha256: str, rows_in_file: int | None = None
    ) -> int:
        """Validate and append migration flows as one new batch; return the batch id."""
        clean = validate_flows(frame)
        return self.add_rows(
            "flows", clean, file_name=file_name, sha256=sha256, rows_in_file=rows_in_file
        )

    def add_rows(
        self, kind: str, rows, *, file_name: str, sha256: str, rows_in_file: int | None = None
    ) -> int:
        """Append rows that already passed the contract as one new batch.

        ``rows`` is a validated DataFrame or an Arrow table / RecordBatchReader with
        exactly the contract columns (the ingest pipeline validates files in DuckDB
        and streams them here without a pandas copy). The table's own constraints
        (NOT NULL, counts ≥ 1) still guard the store.
        """
        columns = {"incidents": INCIDENT_COLUMNS, "flows": FLOW_COLUMNS}[kind]
        existing = self.active_batch_with_sha(sha256, kind)
        if existing is not None:
            raise DuplicateBatchError(
                f"{file_name} was already loaded as batch {existing} (same sha256); "
                "nothing was added. Undo that batch first to load it again.",
                batch_id=str(existing),
            )
        batch_id = int(self._con.execute("SELECT nextval('batch_ids')").fetchall()[0][0])
        self._insert(kind, columns, rows, batch_id)
        loaded, first, last = self._con.execute(
            f"SELECT count(*), min(date), max(date) FROM {kind} WHERE batch_id = ?", [batch_id]
        ).fetchall()[0]
        self._con.execute(
            "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, NULL)",
            [
                batch_id,
                kind,
                file_name,
                sha256,
                self.user,
                _now(),
                int(rows_in_file if rows_in_file is not None else loaded),
                int(loaded),
                first,
                last,
            ],
        )
        if kind == "incidents":
            self._refuse_resent_incident_ids(batch_id)
            self._incidents_changed = True
            if first is not None:
                self.touched.append((first, last))
        self.audit(
            "load",
            f"batch:{batch_id}",
            {"kind": kind, "file_name": file_name, "sha256": sha256, "rows": int(loaded)},
        )
        return batch_id

    def undo(self, batch_id: int, principal: Principal | None = None) -> dict:
        """Remove an active batch's rows, mark it undone and audit it; return its summary.

        With ``principal`` given (the dashboard), their role and scope must allow it:
        an analyst undoes only their own loads, and only loads inside their scope.
        Without it (the CLI, run by the server's operator) any batch may be undone.
        """
        rows = self._con.execute(
            "SELECT kind, file_name, rows_loaded, status, user_name, first_date, last_date "
            "FROM batches WHERE batch_id = ?",
            [int(batch_id)],
        ).fetchall()
        if not rows:
            raise BatchNotFoundError(f"No batch {batch_id} in this store.")
        kind, file_name, rows_loaded, status, loaded_by, first, last = rows[0]
        if principal is not None:
            self._may_undo(principal, int(batch_id), kind, loaded_by)
        if status != "active":
            raise BatchNotFoundError(f"Batch {batch_id} ({file_name}) was already undone.")
        self._con.execute(f"DELETE FROM {kind} WHERE batch_id = ?", [int(batch_id)])
        self._con.execute(
            "UPDATE batches SET status = 'undone', undone_at = ?, undone_by = ? WHERE batch_id = ?",
            [_now(), self.user, int(batch_id)],
        )
        if kind == "incidents":
            self._incidents_changed = True
            if first is not None:
                self.touched.append((first, last))
        summary = {
            "batch_id": int(batch_id),
            "kind": kind,
            "file_name": file_name,
            "rows_removed": int(rows_loaded),
        }
        self.audit("undo", f"batch:{batch_id}", summary)
        return summary

    def _may_undo(self, principal: Principal, batch_id: int, kind: str, loaded_by: str) -> None:
        countries = {
            row[0]
            for row in self._con.execute(
                f"SELECT DISTINCT country FROM {kind} WHERE batch_id = ?", [batch_id]
            ).fetchall()
        }
        outside = sorted(c for c in countries if not principal.in_scope(c))
        if outside:
            # Said as "no such batch": a scoped reader must not learn what lies outside.
            raise BatchNotFoundError(f"No batch {batch_id} in this store.")
        if principal.can(Permission.UNDO_ANY):
            return
        principal.require(Permission.UNDO_OWN)
        if loaded_by != principal.name:
            raise AccessDeniedError(
                f"Batch {batch_id} was loaded by {loaded_by}; {principal.name} "
                f"({principal.role.value}) may undo only their own loads."
            )

    def _refuse_resent_incident_ids(self, batch_id: int) -> None:
        # Policy (docs/ingest.md): an incident_id already held by an active batch is an
        # error, never an overwrite or a second copy; undo the old batch to replace it.
        clashes = self._con.execute(
            "SELECT n.incident_id, min(o.batch_id) FROM incidents n "
            "JOIN incidents o ON o.incident_id = n.incident_id AND o.batch_id <> n.batch_id "
            "WHERE n.batch_id = ? GROUP BY 1 ORDER BY 1 LIMIT 1000",
            [batch_id],
        ).fetchall()
        if clashes:
            problems = [
                Problem(
                    None,
                    "incident_id",
                    incident_id,
                    f"incident_id is already loaded in batch {old}.",
                    f"Undo batch {old} first to replace it, or remove the row.",
                )
                for incident_id, old in clashes
            ]
            raise ValidationError(
                f"{len(problems)} incident_id(s) were loaded before; nothing was written. "
                f"First: {problems[0]}",
                problems,
            )

    def _insert(self, table: str, columns: tuple[str, ...], rows, batch_id: int) -> None:
        if isinstance(self._con, postgres.Transaction):
            self._con.copy_rows(table, columns, rows, batch_id)
            self.changed = True
            return
        self._con.register("incoming_rows", rows)
        try:
            names = ", ".join(columns)
            # Rows stored in date order keep DuckDB's zone maps tight for date filters;
            # most extracts already arrive sorted, and then sorting again is wasted time.
            ordered = not isinstance(rows, pd.DataFrame) or rows["date"].is_monotonic_increasing
            order = "" if ordered else " ORDER BY date"
            self._con.execute(
                f"INSERT INTO {table} (batch_id, {names}) "
                f"SELECT {int(batch_id)}, {names} FROM incoming_rows{order}"
            )
        finally:
            self._con.unregister("incoming_rows")
        self.changed = True


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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


def interrupted_writes(path: str | os.PathLike | None = None) -> list[int]:
    """Process ids of write sessions that died before publishing (a killed server or CLI,
    a crash): their copies are still beside the store, and nothing of them was published.

    The next write session removes the copies; until then the Upload page says that a
    load was interrupted, so that nobody takes a file still shown in their browser for
    a loaded one.
    """
    location = resolve_location(path)
    if isinstance(location, str):
        # A PostgreSQL transaction that dies leaves nothing to find: it rolls back.
        return []
    path = location
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
    probe = duckdb.connect(":memory:")
    try:
        if path.exists():
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
    path: str | os.PathLike | None = None,
    *,
    user: str,
    fresh: bool = False,
    timeout: float | None = None,
) -> Iterator[StoreWriter]:
    """Open the store for one all-or-nothing change.

    Parameters
    ----------
    path : path-like, optional
        The store; resolved like :func:`threatmon.store.reader.resolve_db_path`.
    user : str
        Who makes the change (recorded in batches and the audit log).
    fresh : bool
        Start from an empty store instead of a copy of the current one (the demo
        builder uses this to replace a demo store in one step).
    timeout : float, optional
        Seconds to wait for another writer before raising :class:`StoreBusyError`
        (default :data:`LOCK_TIMEOUT`).

    The change is published when the ``with`` block ends without an exception;
    an exception (or a killed process) leaves the live store untouched.

    Raises
    ------
    StoreBusyError
        Another load held the write lock for ``timeout`` seconds.
    StoreLockedError
        Another program holds the store file open for writing, or changed it meanwhile.
    DiskFullError
        The disk (or a quota or file size limit) ran out of room; nothing was published.

    A PostgreSQL store (``postgresql://`` URL) is changed in one transaction instead,
    after the others' (:func:`_postgres_session`); the lock file and the copy are DuckDB's.
    """
    location = resolve_location(path)
    if isinstance(location, str):
        with _postgres_session(location, user, fresh, timeout) as writer:
            yield writer
        return
    path = location
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(path, LOCK_TIMEOUT if timeout is None else timeout):
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
            writer = StoreWriter(connection, user)
            connection.execute("BEGIN TRANSACTION")
            if is_new:
                writer.set_meta("created_at", _now().isoformat(timespec="seconds"))
            if applied:
                writer.audit("migrate", None, {"versions": applied})
            yield writer
            if writer._incidents_changed:
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


@contextlib.contextmanager
def _postgres_session(
    url: str, user: str, fresh: bool, timeout: float | None
) -> Iterator[StoreWriter]:
    """One transaction on a PostgreSQL store: every load, undo or save in it lands, or none.

    Write sessions queue on an advisory lock held to the commit, so two analysts loading
    at once both land whole, one after the other, and each sees the other's batch (the
    duplicate and incident_id checks run after the wait). Readers keep seeing the last
    committed state until the commit; the ``generation`` counter tells them to refresh.
    """
    label = postgres.redact(url)
    try:
        con = postgres.connect(url)
    except psycopg.Error as exc:
        raise StoreError(f"Cannot reach the store at {label}: {exc}".strip()) from exc
    committing = False
    waiting = LOCK_TIMEOUT if timeout is None else timeout
    try:
        # Every lock of the session, the migrations' too, is waited for this long at most.
        con.execute(f"SET lock_timeout = '{int(waiting * 1000)}ms'")
        applied = postgres.migrate(con)
        postgres.tune(con)
        with con.transaction():
            postgres.wait_for_writers(con, label, waiting)
            transaction = postgres.Transaction(con)
            writer = StoreWriter(transaction, user)
            if fresh:
                postgres.empty_store(transaction)
            if fresh or 1 in applied:
                writer.set_meta("created_at", _now().isoformat(timespec="seconds"))
            if applied:
                writer.audit("migrate", None, {"versions": applied})
            yield writer
            if writer.touched:
                transaction.rebuild_rollup(
                    min(first for first, _ in writer.touched),
                    max(last for _, last in writer.touched),
                )
            if writer.changed:
                postgres.refresh_statistics(transaction)
                postgres.next_generation(transaction)
            committing = True
    except psycopg.errors.LockNotAvailable as exc:
        raise postgres.locked_by_another_program(url, writing=True) from exc
    except psycopg.errors.DiskFull as exc:
        raise DiskFullError(
            f"The database server at {label} ran out of disk space; nothing was changed. "
            "Ask its administrator to free some.",
            label,
            str(exc).strip().splitlines()[0],
        ) from exc
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if committing:
            # The server may have committed before the line went: say so, not "nothing".
            raise StoreError(
                f"Lost the connection to the store at {label} while committing ({reason}). "
                "The change may or may not have landed: check `threatmon batches` before "
                "trying again."
            ) from exc
        raise StoreError(
            f"Lost the connection to the store at {label} during the change ({reason}); "
            "nothing was changed. Try again when the database is back."
        ) from exc
    finally:
        con.close()


def undo_as(path: str | os.PathLike | None, batch_id: int, principal: Principal) -> dict:
    """Undo one batch for ``principal`` if their role and scope allow it (the dashboard's
    undo; the CLI's ``threatmon undo`` is the same write without the role check)."""
    with write_session(path, user=principal.name) as writer:
        return writer.undo(batch_id, principal)
