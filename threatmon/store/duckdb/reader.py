"""Reading a store in a DuckDB file: opened read-only, reopened when replaced.

Writers never modify the live file in place (see :mod:`threatmon.store.duckdb.writer`):
they write a copy and atomically rename it over the live path. A reader therefore never
blocks a writer and never sees half a load; it notices a new generation by the file's
inode and modification time, which also serve as the cache key (``Store.version``) for
the dashboard.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from threatmon.errors import NoStoreError, StoreError
from threatmon.store.faults import held_by_another_program
from threatmon.store.migrations import SCHEMA_VERSION, current_version

_ALIAS = "store"
_FILE_ALIAS = "stored"
#: The alias under which a validating connection sees the live store (:meth:`incident_ids`).
_LIVE_ALIAS = "live"

# Tables with a country column are cut to the scope; the others are passed through,
# except that a scoped reader sees only the batches (and their audit entries) with
# rows or declared coverage inside the scope.
_COUNTRY_TABLES = (
    "incidents",
    "incidents_monthly",
    "incidents_superseded",
    "coverage_declared",
    "flows",
    "flows_superseded",
)
_PLAIN_TABLES = ("meta", "column_mappings", "schema_migrations")


class FileReader:
    """The store's reads on a file (see :class:`threatmon.store.reader.Store`); safe to
    share between threads (one cursor per query). Nothing is opened until the first query.
    """

    def __init__(self, path: Path, scope: tuple[str, ...], withheld: tuple[str, ...]):
        self.path = path
        self.scope = scope
        self.withheld = withheld
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int, int] | None = None

    @property
    def _restricted(self) -> bool:
        return bool(self.scope or self.withheld)

    def _current_stamp(self) -> tuple[int, int, int]:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise NoStoreError(
                f"No store at {self.path}. Create the demo store with "
                f"`threatmon demo --db {self.path}`."
            ) from None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        stamp = self._current_stamp()
        with self._lock:
            if stamp != self._stamp or self._connection is None:
                # The old connection is dropped, not closed: another thread may still be
                # reading the previous generation through a cursor of it.
                self._connection = self._open_checked()
                self._stamp = stamp
            cursor = self._connection.cursor()
        cursor.execute(f"USE {_ALIAS}")
        return cursor

    def _open_checked(self) -> duckdb.DuckDBPyConnection:
        # duckdb.connect(path) would return the process-wide cached instance of the
        # *previous* file while any connection to it lives; attaching into a fresh
        # in-memory instance always opens the file that is at the path now.
        connection = duckdb.connect(":memory:")
        file_alias = _FILE_ALIAS if self._restricted else _ALIAS
        try:
            connection.execute(f"ATTACH ? AS {file_alias} (READ_ONLY)", [str(self.path)])
            connection.execute(f"USE {file_alias}")
        except duckdb.Error as exc:
            connection.close()
            locked = held_by_another_program(exc, self.path, writing=False)
            if locked is not None:
                raise locked from exc
            raise StoreError(f"Cannot open the store at {self.path}: {exc}") from exc
        version = current_version(connection)
        if version != SCHEMA_VERSION:
            connection.close()
            raise StoreError(
                f"The store at {self.path} has schema version {version}; this code needs "
                f"{SCHEMA_VERSION}. Run `threatmon migrate --db {self.path}`."
            )
        if self._restricted:
            _create_restricted_views(connection, self.scope, self.withheld)
        return connection

    def query(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        cursor = self._cursor()
        try:
            return cursor.execute(sql, list(params or [])).df()
        finally:
            cursor.close()

    def version(self) -> str:
        ino, mtime, size = self._current_stamp()
        return f"{ino}-{mtime}-{size}"

    def exists(self) -> bool:
        return self.path.exists()

    def incident_ids(self, con: duckdb.DuckDBPyConnection) -> _AttachedIds:
        """The live file attached to ``con`` read-only, now: a check then joins its
        incidents directly, whatever the file's incident_ids are."""
        if not self.exists():
            return _AttachedIds(None)
        try:
            con.execute(f"ATTACH ? AS {_LIVE_ALIAS} (READ_ONLY)", [str(self.path)])
        except duckdb.Error as exc:
            locked = held_by_another_program(exc, self.path, writing=False)
            if locked is None:
                raise
            raise locked from exc
        return _AttachedIds(f"{_LIVE_ALIAS}.incidents")


class _AttachedIds:
    def __init__(self, table: str | None):
        self._table = table

    def table(self, file_ids: Callable[[], list[str] | None]) -> str | None:
        return self._table


def _create_restricted_views(
    connection: duckdb.DuckDBPyConnection, scope: tuple[str, ...], withheld: tuple[str, ...]
) -> None:
    """Views named like the tables, in an in-memory catalogue named like the store's."""
    # Only validated project codes and registry keys reach this SQL.
    country_rule = "country IN ({})".format(", ".join(f"'{c}'" for c in scope)) if scope else ""
    crime_rule = (
        "crime_type NOT IN ({})".format(", ".join(f"'{c}'" for c in withheld)) if withheld else ""
    )
    source = f"{_FILE_ALIAS}.main"
    connection.execute(f"ATTACH ':memory:' AS {_ALIAS}")
    connection.execute(f"USE {_ALIAS}")
    for table in _COUNTRY_TABLES:
        rules = [country_rule, "" if table.startswith("flows") else crime_rule]
        where = " AND ".join(rule for rule in rules if rule) or "TRUE"
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}.{table} WHERE {where}")
    for table in _PLAIN_TABLES:
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}.{table}")
    connection.execute(
        f"CREATE VIEW batches AS SELECT * FROM {source}.batches WHERE batch_id IN "
        "(SELECT batch_id FROM incidents UNION SELECT batch_id FROM flows "
        "UNION SELECT batch_id FROM coverage_declared)"
    )
    connection.execute(
        f"CREATE VIEW audit AS SELECT * FROM {source}.audit WHERE target IS NULL "
        "OR target NOT LIKE 'batch:%' "
        "OR target IN (SELECT 'batch:' || batch_id FROM batches)"
    )
