"""The read side of the incident store: a DuckDB file opened read-only, reopened when replaced.

Writers never modify the live file in place (see :mod:`threatmon.store.writer`): they
write a copy and atomically rename it over the live path. A reader therefore
never blocks a writer and never sees half a load; it notices a new generation by
the file's inode and modification time, which also serve as the cache key
(:attr:`Store.version`) for the dashboard.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from threatmon.errors import BatchNotFoundError, NoStoreError, StoreError
from threatmon.filters import Filters
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import PROJECT_COUNTRIES
from threatmon.store.faults import held_by_another_program
from threatmon.store.migrations import SCHEMA_VERSION, current_version
from threatmon.store.postgres import (
    GENERATION_KEY,
    is_postgres_url,
    reader,
    redact,
    restricted_views,
)
from threatmon.store.queries import aggregate_sql, flows_sql, points_sql, where_clause

DEFAULT_DB_PATH = Path("data/threatmon.duckdb")
DB_ENV_VAR = "THREATMON_DB"
_ALIAS = "store"
_FILE_ALIAS = "stored"

# Tables with a country column are cut to the scope; the others are passed through,
# except that a scoped reader sees only the batches (and their audit entries) with
# rows inside the scope.
_COUNTRY_TABLES = ("incidents", "incidents_monthly", "flows")
_PLAIN_TABLES = ("meta", "column_mappings", "schema_migrations")


def resolve_location(location: str | os.PathLike | None = None) -> Path | str:
    """Where the store is: the argument, else ``$THREATMON_DB``, else ``data/threatmon.duckdb``.

    A ``postgresql://`` URL comes back as the URL (a string), anything else as the path of
    a DuckDB file.
    """
    raw = location if location else os.environ.get(DB_ENV_VAR)
    if is_postgres_url(raw):
        return raw.strip()
    return Path(raw) if raw else DEFAULT_DB_PATH


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """The store's DuckDB file: like :func:`resolve_location`, for what only a file has."""
    location = resolve_location(path)
    if isinstance(location, str):
        raise StoreError(
            f"{redact(location)} is a PostgreSQL store; this needs a DuckDB store file."
        )
    return location


def describe(location: Path | str) -> str:
    """A store location as messages show it (a URL's password hidden)."""
    return redact(location) if isinstance(location, str) else str(location)


class Store:
    """Query API over one store file; safe to share between threads (one cursor per query).

    Nothing is opened until the first query, so building a ``Store`` never fails
    and never touches the disk.

    A store built with a country ``scope`` (see :meth:`scoped`) answers every query,
    including raw SQL through :meth:`query`, as if the file held only those countries:
    the tables are replaced by filtered views in the connection itself, so no caller
    can forget the filter. ``withheld`` crime types are left out of the incident tables
    the same way (viewers do not see sensitive crime types in any figure; they get them
    only as suppressed country tables, see :mod:`threatmon.disclosure.sensitive`).
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        scope: Sequence[str] = (),
        withheld: Sequence[str] = (),
    ):
        #: The DuckDB file's Path, or the PostgreSQL URL (a string).
        self.path = resolve_location(path)
        self.scope: tuple[str, ...] = tuple(sorted(dict.fromkeys(scope)))
        self.withheld: tuple[str, ...] = tuple(sorted(dict.fromkeys(withheld)))
        unknown = [c for c in self.scope if c not in PROJECT_COUNTRIES]
        if unknown:
            raise ValueError(f"Not a project country: {', '.join(unknown)}.")
        unknown = [c for c in self.withheld if c not in CRIME_TYPE_KEYS]
        if unknown:
            raise ValueError(f"Not a crime type: {', '.join(unknown)}.")
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._reader = None
        if self.on_postgres:
            views = restricted_views(self.scope, self.withheld) if self.restricted else ()
            self._reader = reader(self.path, views)

    def __repr__(self) -> str:
        scope = f", scope={self.scope!r}" if self.scope else ""
        withheld = f", withheld={self.withheld!r}" if self.withheld else ""
        return f"Store({self.label!r}{scope}{withheld})"

    @property
    def on_postgres(self) -> bool:
        """Whether the store is a PostgreSQL database rather than a DuckDB file."""
        return isinstance(self.path, str)

    @property
    def label(self) -> str:
        """The store's location as messages may show it (never a password)."""
        return describe(self.path)

    def scoped(self, scope: Sequence[str]) -> Store:
        """The same file seen through a country scope; an empty scope means every country."""
        return Store(self.path, scope, self.withheld)

    @property
    def restricted(self) -> bool:
        """Whether this reader sees less than the whole file."""
        return bool(self.scope or self.withheld)

    # -- connection ---------------------------------------------------------------------------

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
        file_alias = _FILE_ALIAS if self.restricted else _ALIAS
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
        if self.restricted:
            _create_restricted_views(connection, self.scope, self.withheld)
        return connection

    def query(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        """Run read-only SQL and return a DataFrame (for the API below, tests and benchmarks).

        The SQL is DuckDB's, with ``?`` placeholders; on PostgreSQL it is translated where
        the dialects differ (:func:`threatmon.store.postgres.translate_query`), and the frame
        has the same dtypes.
        """
        if self._reader is not None:
            return self._reader.query(sql, params)
        cursor = self._cursor()
        try:
            return cursor.execute(sql, list(params or [])).df()
        finally:
            cursor.close()

    @property
    def version(self) -> str:
        """Changes whenever a writer publishes a new generation; use it in cache keys."""
        if self._reader is not None:
            return f"g{self._reader.generation()}"
        ino, mtime, size = self._current_stamp()
        return f"{ino}-{mtime}-{size}"

    def exists(self) -> bool:
        """Whether a store file is present, or a database answers (either may be unusable)."""
        if self._reader is not None:
            try:
                self._reader.generation()
            except StoreError:
                return False
            return True
        return self.path.exists()

    # -- incidents ----------------------------------------------------------------------------

    def aggregate(
        self,
        filters: Filters | None = None,
        by: Sequence[str] = ("region_code", "crime_type"),
        freq: str | None = "M",
        measure: str = "count",
    ) -> pd.DataFrame:
        """Sum ``measure`` over the selection by ``by`` and period.

        Parameters
        ----------
        filters : Filters, optional
            Countries, regions, crime types and inclusive dates; default everything.
        by : sequence of str
            Any of ``country``, ``region_code``, ``crime_type``, ``crossing_point``, ``source``.
        freq : {"D", "W", "M", "Q", "Y"} or None
            Period length; ``period`` holds the period's first day. None: no time split.
        measure : {"count", "records", "victims", "suspects"}
            ``count`` is the number of incidents, ``records`` the number of stored rows.

        Returns
        -------
        DataFrame
            Only non-empty groups (no zero rows), ordered by period then ``by``.
        """
        sql, params = aggregate_sql(filters or Filters(), by, freq, measure)
        frame = self.query(sql, params)
        if "period" in frame.columns:
            frame["period"] = pd.to_datetime(frame["period"])
        return frame

    def incidents(self, filters: Filters | None = None, limit: int | None = None) -> pd.DataFrame:
        """The stored incident rows of the selection, ordered by date (analysts' exports)."""
        params: list = []
        where = where_clause(filters or Filters(), "date", params)
        sql = (
            "SELECT date, country, region_code, crime_type, count, crossing_point, latitude, "
            "longitude, victims, suspects, source, incident_id, batch_id "
            f"FROM incidents {where} ORDER BY date, country, region_code, crime_type"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def points(self, filters: Filters | None = None, decimals: int = 2) -> pd.DataFrame:
        """Geocoded incidents summed on a grid of ``decimals``-rounded coordinates.

        Returns ``latitude``, ``longitude`` and ``count``; rows without coordinates are
        left out (most national extracts geocode only some incidents).
        """
        sql, params = points_sql(filters or Filters(), decimals)
        return self.query(sql, params)

    def coverage(self) -> dict:
        """First and last incident date and the row and incident totals."""
        row = self.query(
            "SELECT min(date) AS first, max(date) AS last, count(*) AS records, "
            "coalesce(sum(count), 0)::BIGINT AS incidents FROM incidents"
        ).iloc[0]
        return {
            "first": None if pd.isna(row["first"]) else pd.Timestamp(row["first"]).date(),
            "last": None if pd.isna(row["last"]) else pd.Timestamp(row["last"]).date(),
            "records": int(row["records"]),
            "incidents": int(row["incidents"]),
        }

    # -- flows --------------------------------------------------------------------------------

    def flows(
        self,
        filters: Filters | None = None,
        by: Sequence[str] = ("country",),
        freq: str | None = "M",
    ) -> pd.DataFrame:
        """Arrivals and departures summed by ``by`` (``country``, ``crossing_point``) and period."""
        sql, params = flows_sql(filters or Filters(), by, freq)
        frame = self.query(sql, params)
        if "period" in frame.columns:
            frame["period"] = pd.to_datetime(frame["period"])
        return frame

    # -- bookkeeping --------------------------------------------------------------------------

    def batches(self) -> pd.DataFrame:
        """Every load, newest first, including undone ones."""
        return self.query("SELECT * FROM batches ORDER BY batch_id DESC")

    def batch(self, batch_id: int) -> dict:
        """One load in detail: its row, what it holds by country and crime type, its audit.

        Raises
        ------
        BatchNotFoundError
            If no batch has that id.
        """
        row = self.query("SELECT * FROM batches WHERE batch_id = ?", [int(batch_id)])
        if row.empty:
            raise BatchNotFoundError(f"No batch {batch_id} in this store.")
        info = row.iloc[0].to_dict()
        if info["kind"] == "incidents":
            breakdown = self.query(
                "SELECT country, crime_type, count(*) AS records, sum(count)::BIGINT AS incidents "
                "FROM incidents WHERE batch_id = ? GROUP BY 1, 2 ORDER BY 1, 2",
                [int(batch_id)],
            )
        else:
            breakdown = self.query(
                "SELECT country, count(*) AS records, sum(arrivals)::BIGINT AS arrivals "
                "FROM flows WHERE batch_id = ? GROUP BY 1 ORDER BY 1",
                [int(batch_id)],
            )
        events = self.query(
            "SELECT * FROM audit WHERE target = ? ORDER BY seq", [f"batch:{int(batch_id)}"]
        )
        return {"batch": info, "breakdown": breakdown, "audit": events}

    def audit(self) -> pd.DataFrame:
        """The append-only audit log, oldest first."""
        return self.query("SELECT * FROM audit ORDER BY seq")

    def saved_mappings(self) -> pd.DataFrame:
        """Column mappings saved per source (name, kind, mapping JSON, who, when)."""
        return self.query("SELECT * FROM column_mappings ORDER BY name")

    def saved_mapping(self, name: str) -> tuple[str, dict[str, str]] | None:
        """(kind, mapping) saved under ``name``, or None."""
        frame = self.query("SELECT kind, mapping FROM column_mappings WHERE name = ?", [name])
        if frame.empty:
            return None
        return frame.iloc[0]["kind"], json.loads(frame.iloc[0]["mapping"])

    def meta(self) -> dict[str, str]:
        """Key-value facts about the store, e.g. ``demo``, ``demo_seed``, ``created_at``."""
        frame = self.query(
            "SELECT key, value FROM meta WHERE key <> ? ORDER BY key", [GENERATION_KEY]
        )
        return dict(zip(frame["key"], frame["value"], strict=True))

    def is_demo(self) -> bool:
        """True when the store holds synthetic demo data (every page must then say so)."""
        return self.meta().get("demo") == "true"


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
        rules = [country_rule, "" if table == "flows" else crime_rule]
        where = " AND ".join(rule for rule in rules if rule) or "TRUE"
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}.{table} WHERE {where}")
    for table in _PLAIN_TABLES:
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}.{table}")
    connection.execute(
        f"CREATE VIEW batches AS SELECT * FROM {source}.batches WHERE batch_id IN "
        "(SELECT batch_id FROM incidents UNION SELECT batch_id FROM flows)"
    )
    connection.execute(
        f"CREATE VIEW audit AS SELECT * FROM {source}.audit WHERE target IS NULL "
        "OR target NOT LIKE 'batch:%' "
        "OR target IN (SELECT 'batch:' || batch_id FROM batches)"
    )
