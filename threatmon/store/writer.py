"""The store's one write interface: all-or-nothing changes, whichever backend holds it.

:func:`write_session` opens the store at a location for one change and yields a
:class:`StoreWriter`; every load, undo or save made through it lands, or none does. How a
change is kept whole is the backend's: a DuckDB file is changed in a private copy renamed
over it (:mod:`threatmon.store.duckdb.writer`), a PostgreSQL database in one transaction
(:mod:`threatmon.store.postgres.writer`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from threatmon.access.roles import Permission, Principal
from threatmon.contract import (
    FLOW_COLUMNS,
    INCIDENT_COLUMNS,
    validate_flows,
    validate_incidents,
)
from threatmon.coverage.declared import DECLARED_COLUMNS, DeclaredCoverage, declared_frame
from threatmon.errors import (
    AccessDeniedError,
    BatchNotFoundError,
    DuplicateBatchError,
    Problem,
    ValidationError,
)
from threatmon.outside_text import neutral_name
from threatmon.store import audit, audit_anchor, incident_revisions, revisions
from threatmon.store.backend import backend_for
from threatmon.store.derived import complete_incidents
from threatmon.store.location import StoreLocation

#: Seconds a write session waits for another load before giving up (StoreBusyError).
LOCK_TIMEOUT = 60.0


class Transaction(Protocol):
    """A write session's connection, speaking the store's SQL (DuckDB's, ``?`` placeholders)."""

    def execute(self, sql: str, params: Sequence | None = None):
        """Run one statement; the result has ``fetchall()``."""
        ...

    def copy_rows(self, table: str, columns: Sequence[str], rows, batch_id: int) -> None:
        """Append validated rows (a DataFrame, Arrow data, or a relation of
        :meth:`duckdb_connection`) as rows of ``batch_id``."""
        ...

    def duckdb_connection(self) -> duckdb.DuckDBPyConnection | None:
        """The session's own DuckDB connection; None when the store is not a DuckDB file."""
        ...


class StoreWriter:
    """Changes made inside one :func:`write_session`; all of them land, or none."""

    def __init__(self, connection: Transaction, user: str, key: bytes | None = None):
        self._con = connection
        self.user = user
        self._key = key
        self.changed = False
        #: (seq, anchor value) of every audit entry written, for the anchor file.
        self.logged: list[tuple[int, str]] = []
        #: Whether an incident batch was loaded or undone (the rollup must follow).
        self.incidents_changed = False
        #: (first, last) dates of every incident batch loaded or undone in this session.
        self.touched: list[tuple[dt.date, dt.date]] = []

    def begin(self, *, new: bool, migrated: list[int]) -> None:
        """Record what opening the store did: when a new store was created, and the
        migrations applied (both in the session's transaction)."""
        if new:
            self.set_meta("created_at", _now().isoformat(timespec="seconds"))
        if migrated:
            self.audit("migrate", None, {"versions": migrated})

    def set_meta(self, key: str, value: str) -> None:
        """Record a fact about the store (``demo``, ``demo_seed``…)."""
        self._con.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, str(value)],
        )
        self.changed = True

    def save_mapping(
        self,
        name: str,
        kind: str,
        mapping: dict[str, str],
        options: dict[str, object] | None = None,
    ) -> None:
        """Save (or replace) a source profile, audited: its column mapping and its upload
        options (a JSON object such as ``{"date_order": "mdy", "thousands": ","}``)."""
        if not name.strip():
            raise ValueError("A saved mapping needs a name. Got ''.")
        options = dict(options or {})
        self._con.execute(
            "INSERT INTO column_mappings (name, kind, mapping, saved_by, saved_at, options) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
            "SET kind = excluded.kind, mapping = excluded.mapping, "
            "saved_by = excluded.saved_by, saved_at = excluded.saved_at, "
            "options = excluded.options",
            [
                name.strip(),
                kind,
                json.dumps(mapping, ensure_ascii=False, sort_keys=True),
                self.user,
                _now(),
                json.dumps(options, ensure_ascii=False, sort_keys=True),
            ],
        )
        details = {"kind": kind, "mapping": mapping}
        if options:
            details["options"] = options
        self.audit("save_mapping", f"mapping:{name.strip()}", details)

    def audit(self, action: str, target: str | None = None, details: dict | None = None) -> int:
        """Append an audit entry in the same transaction as the change it describes."""
        self.changed = True
        seq, value = audit.append(self._con, self.user, action, target, details, key=self._key)
        self.logged.append((seq, value))
        return seq

    def duckdb_connection(self) -> duckdb.DuckDBPyConnection | None:
        """The session's own connection when the store is a DuckDB file, None otherwise.

        Rows checked in its TEMP tables are inserted without leaving DuckDB (a relation of
        this connection given to :meth:`add_rows`), about twice as fast as streaming them
        from another connection. What is done on it before the session's first write is
        outside the change's transaction; TEMP objects are never published.
        """
        return self._con.duckdb_connection()

    def active_batch_with_sha(self, sha256: str, kind: str) -> int | None:
        """The id of an active batch that loaded the same bytes, if any."""
        rows = self._con.execute(
            "SELECT batch_id FROM batches WHERE sha256 = ? AND kind = ? AND status = 'active' "
            "ORDER BY batch_id LIMIT 1",
            [sha256, kind],
        ).fetchall()
        return int(rows[0][0]) if rows else None

    def add_incidents(
        self,
        frame: pd.DataFrame,
        *,
        file_name: str,
        sha256: str,
        rows_in_file: int | None = None,
        replace: bool = False,
        covers: Sequence[DeclaredCoverage] = (),
    ) -> int:
        """Validate and append incidents as one new batch; return the batch id.

        ``covers`` declares what the batch reports in full beyond its rows (zeros omitted,
        see :mod:`threatmon.coverage.declared`).

        Raises
        ------
        ValidationError
            If any row breaks the contract, re-sends an ``incident_id`` that an active
            batch already holds, or (unless ``replace``) revises a figure an active batch
            holds (see :meth:`add_rows`); nothing is written.
        DuplicateBatchError
            If an active batch already loaded a file with this sha256.
        """
        clean = validate_incidents(frame)
        return self.add_rows(
            "incidents",
            clean,
            file_name=file_name,
            sha256=sha256,
            rows_in_file=rows_in_file,
            replace=replace,
            covers=covers,
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
        self,
        kind: str,
        rows,
        *,
        file_name: str,
        sha256: str,
        rows_in_file: int | None = None,
        replace: bool = False,
        covers: Sequence[DeclaredCoverage] = (),
    ) -> int:
        """Append rows that already passed the contract as one new batch.

        ``rows`` is a validated DataFrame, an Arrow table / RecordBatchReader with the
        contract columns (incident columns it derives none of are derived here, see
        :mod:`threatmon.store.derived`), or a DuckDB relation of
        :meth:`duckdb_connection` with every contract column (the ingest pipeline checks
        files in that connection, so their rows never leave DuckDB). The table's own
        constraints (NOT NULL, counts ≥ 1 for a day, a region iff the level is admin1)
        still guard the store.

        Rows that revise active rows of older batches are refused with a
        :class:`ValidationError` naming those batches, unless ``replace``: then the older
        rows are superseded in this change (:meth:`superseded_by` lists them) and undoing
        this batch restores them. A flow revises the same country × crossing point × day;
        an incident figure the same country × level × region × crime type for an
        overlapping period, one of the two longer than a day
        (:mod:`threatmon.store.incident_revisions`).
        """
        columns = {"incidents": INCIDENT_COLUMNS, "flows": FLOW_COLUMNS}[kind]
        file_name = neutral_name(file_name)
        if kind == "incidents" and not isinstance(rows, pd.DataFrame | duckdb.DuckDBPyRelation):
            rows = complete_incidents(rows)
        existing = self.active_batch_with_sha(sha256, kind)
        if existing is not None:
            raise DuplicateBatchError(
                f"{file_name} was already loaded as batch {existing} (same sha256); "
                "nothing was added. Undo that batch first to load it again.",
                batch_id=str(existing),
            )
        batch_id = int(self._con.execute("SELECT nextval('batch_ids')").fetchall()[0][0])
        self._insert(kind, columns, rows, batch_id)
        # An incident batch's last day is where its last period ends.
        last_day = "period_end" if kind == "incidents" else "date"
        loaded, first, last = self._con.execute(
            f"SELECT count(*), min(date), max({last_day}) FROM {kind} WHERE batch_id = ?",
            [batch_id],
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
        details = {"kind": kind, "file_name": file_name, "sha256": sha256, "rows": int(loaded)}
        if kind == "incidents":
            self._refuse_resent_incident_ids(batch_id)
            self.incidents_changed = True
            if first is not None:
                self.touched.append((first, last))
        if replace:
            if kind == "incidents":
                replaced, span = incident_revisions.supersede(self._con, batch_id)
                if span is not None:
                    self.touched.append(span)
            else:
                replaced = revisions.supersede(self._con, batch_id)
            if replaced:
                details["replaced"] = replaced
        else:
            self._refuse_revisions(kind, batch_id)
        if covers:
            self.declare_coverage(batch_id, covers)
            details["declared_coverage"] = len(covers)
        self.audit("load", f"batch:{batch_id}", details)
        return batch_id

    def declare_coverage(self, batch_id: int, covers: Sequence[DeclaredCoverage]) -> None:
        """Store what batch ``batch_id`` declares it reports in full (its undo removes it).

        Raises
        ------
        ValidationError
            If a declaration names an unknown country, crime type, level or granularity,
            or ends before it starts.
        """
        frame = declared_frame(covers)
        self._insert("coverage_declared", DECLARED_COLUMNS, frame, int(batch_id))

    def superseded_by(self, batch_id: int) -> list[dict[str, int]]:
        """The older rows batch ``batch_id`` replaced: ``[{"batch_id": n, "rows": n}, …]``."""
        rows = self._con.execute(
            "SELECT kind FROM batches WHERE batch_id = ?", [int(batch_id)]
        ).fetchall()
        module = incident_revisions if rows and rows[0][0] == "incidents" else revisions
        return module.superseded_by(self._con, batch_id)

    def _refuse_revisions(self, kind: str, batch_id: int) -> None:
        module = incident_revisions if kind == "incidents" else revisions
        found = module.overlaps(self._con, batch_id)
        if found:
            raise revisions.refusal(kind, found)

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
        if kind == "incidents":
            self._con.execute("DELETE FROM coverage_declared WHERE batch_id = ?", [int(batch_id)])
        if kind == "flows":
            revisions.forget(self._con, int(batch_id))
            restored = revisions.restore(self._con, int(batch_id))
        else:
            incident_revisions.forget(self._con, int(batch_id))
            restored, span = incident_revisions.restore(self._con, int(batch_id))
            self.incidents_changed = True
            self.touched += [pair for pair in ((first, last), span) if pair and pair[0]]
        self._con.execute(
            "UPDATE batches SET status = 'undone', undone_at = ?, undone_by = ? WHERE batch_id = ?",
            [_now(), self.user, int(batch_id)],
        )
        summary = {
            "batch_id": int(batch_id),
            "kind": kind,
            "file_name": file_name,
            "rows_removed": int(rows_loaded),
        }
        if restored:
            summary["restored"] = restored
        # The dashboard's undo names the role it ran under (read at the click).
        role = {"role": principal.role.value} if principal is not None else {}
        self.audit("undo", f"batch:{batch_id}", {**summary, **role})
        return summary

    def _may_undo(self, principal: Principal, batch_id: int, kind: str, loaded_by: str) -> None:
        # A batch's superseded rows are its rows too (an undo removes them).
        held = (
            f"SELECT country FROM {kind} WHERE batch_id = ? "
            f"UNION SELECT country FROM {kind}_superseded WHERE batch_id = ?"
        )
        countries = {row[0] for row in self._con.execute(held, [batch_id] * 2).fetchall()}
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
        self._con.copy_rows(table, columns, rows, batch_id)
        self.changed = True


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def write_session(
    location: StoreLocation | str | os.PathLike | None = None,
    *,
    user: str,
    fresh: bool = False,
    timeout: float | None = None,
) -> AbstractContextManager[StoreWriter]:
    """Open the store for one all-or-nothing change.

    Parameters
    ----------
    location : StoreLocation or path-like or URL, optional
        The store; resolved like :meth:`StoreLocation.resolve`.
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
        Another program holds the store open for writing, or changed it meanwhile.
    DiskFullError
        The disk (or a quota or file size limit) ran out of room; nothing was published.

    A DuckDB file is changed in a copy under a lock file; a PostgreSQL store (a
    ``postgresql://`` URL) in one transaction, after the others'.
    """
    backend, target = backend_for(StoreLocation.resolve(location))
    # Read before the session: a key file that cannot be read stops the change up front.
    key = audit.configured_key()
    session = backend.write_session(
        target,
        lambda connection: StoreWriter(connection, user, key),
        fresh=fresh,
        timeout=LOCK_TIMEOUT if timeout is None else timeout,
    )
    return _anchored(session, audit_anchor.configured_anchor())


@contextlib.contextmanager
def _anchored(
    session: AbstractContextManager[StoreWriter], anchor: Path | None
) -> Iterator[StoreWriter]:
    """``session``, whose audit entries are copied to the anchor file once it is published."""
    with session as writer:
        yield writer
    audit_anchor.record(anchor, audit.STORE_LOG, writer.logged)


def interrupted_writes(location: StoreLocation | str | os.PathLike | None = None) -> list[int]:
    """Process ids of write sessions that died before publishing (a killed server or CLI,
    a crash), whose leftovers the next write session removes; the Upload page says that a
    load was interrupted meanwhile. Always none on PostgreSQL (its transactions roll back).
    """
    backend, target = backend_for(StoreLocation.resolve(location))
    return backend.interrupted_writes(target)


def undo_as(
    location: StoreLocation | str | os.PathLike | None, batch_id: int, principal: Principal
) -> dict:
    """Undo one batch for ``principal`` if their role and scope allow it (the dashboard's
    undo; the CLI's ``threatmon undo`` is the same write without the role check)."""
    with write_session(location, user=principal.name) as writer:
        return writer.undo(batch_id, principal)
