"""The store on PostgreSQL: connecting by URL and the schema, from the same migrations.

DuckDB in a file stays the embedded default. A deployment with several dashboard
instances points ``$THREATMON_DB`` at a PostgreSQL database instead
(``postgresql://user@host/threatmon``); every instance then shares it, and PostgreSQL's
transactions (not a lock file and a copy) keep concurrent loads whole.

The schema comes from :data:`threatmon.store.migrations.MIGRATIONS`, the very statements
DuckDB runs, translated where the dialects differ (:func:`translate`): there is one
history of the schema, not two to keep in step. PostgreSQL runs DDL inside transactions,
so each migration lands with its ``schema_migrations`` row or not at all, and an advisory
lock makes instances that start together apply it once.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from collections.abc import Callable, Sequence

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg_pool import ConnectionPool

from threatmon.errors import NoStoreError, StoreBusyError, StoreError, StoreLockedError
from threatmon.store.migrations import MIGRATIONS, SCHEMA_VERSION

URL_SCHEMES: tuple[str, ...] = ("postgresql://", "postgres://")
#: pg_advisory_xact_lock key held while migrating ("TMIG" in ASCII).
MIGRATION_LOCK = 0x544D4947
#: pg_advisory_xact_lock key held by a write session ("TMWR"): loads queue, one at a time.
WRITE_LOCK = 0x544D5752
#: The ``meta`` key counting published changes; a reader's cache key (Store.version).
GENERATION_KEY = "generation"
#: Readers' connections per store and process (the whole store's pool: the one the
#: background work and open-access deployments use).
POOL_SIZE = 4
#: A restricted reader's pool (one per country scope and role in use) holds at most this
#: many, and closes them after :data:`IDLE_SECONDS` unused: with a dozen scopes on three
#: instances, fixed pools would use up PostgreSQL's default 100 connections.
RESTRICTED_POOL_SIZE = 2
IDLE_SECONDS = 120.0
#: Seconds a reader waits for a lock another program holds on a table before saying so
#: (a page must not hang on somebody's open ``LOCK TABLE``).
READ_LOCK_TIMEOUT = 15.0
#: The tables of the store (the accounts' tables live beside them in the same database).
STORE_TABLES: tuple[str, ...] = (
    "meta",
    "batches",
    "incidents",
    "flows",
    "incidents_monthly",
    "audit",
    "column_mappings",
    "schema_migrations",
)

# Physical tuning, not schema: DuckDB needs no indexes (zone maps), PostgreSQL does for
# a batch's rows (undo, the rollup), date ranges and the incident_id checks of a load.
INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS incidents_batch ON incidents (batch_id)",
    "CREATE INDEX IF NOT EXISTS incidents_date ON incidents (date)",
    "CREATE INDEX IF NOT EXISTS incidents_incident_id ON incidents (incident_id)",
    "CREATE INDEX IF NOT EXISTS flows_batch ON flows (batch_id)",
    "CREATE INDEX IF NOT EXISTS incidents_monthly_month ON incidents_monthly (month)",
)

_USER_PASSWORD = re.compile(r"^([a-z]+://[^:/@?#]*):[^@/?#]*@", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)

# PostgreSQL's round() takes NUMERIC only; DuckDB's also takes DOUBLE.
_ROUND = re.compile(r"\bround\(([a-z_]+), (\d+)\)")
# PostgreSQL's date_trunc() of a DATE goes through TIMESTAMP WITH TIME ZONE (the session's
# zone, and slower); through TIMESTAMP it is DuckDB's calendar arithmetic.
_DATE_TRUNC = re.compile(r"\bdate_trunc\(('[a-z]+'), ([a-z_]+)\)")

# DuckDB's names for types PostgreSQL spells differently.
_TYPE_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bDOUBLE\b(?! PRECISION)"), "DOUBLE PRECISION"),
)


def is_postgres_url(location: object) -> bool:
    """Whether a store location (``--db`` or ``$THREATMON_DB``) names a PostgreSQL database."""
    return isinstance(location, str) and location.strip().lower().startswith(URL_SCHEMES)


def translate(statement: str) -> str:
    """A migration statement written for DuckDB, as PostgreSQL must read it."""
    for pattern, replacement in _TYPE_NAMES:
        statement = pattern.sub(replacement, statement)
    return statement


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``: what messages and logs may show."""
    # Textual, not urlsplit/urlunsplit: those drop the empty host of "postgresql:///db".
    url = _USER_PASSWORD.sub(r"\1:***@", url.strip(), count=1)
    # libpq also takes the password as a query parameter (?password=…).
    return _QUERY_PASSWORD.sub(r"\1***", url)


def to_pyformat(sql: str) -> str:
    """The store's SQL (DuckDB's ``?`` placeholders) as psycopg takes it with parameters:
    ``?`` outside string literals becomes ``%s`` and every literal ``%`` is doubled."""
    out = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


def translate_query(sql: str) -> str:
    """A query of the store's read and write API, as PostgreSQL must read it."""
    sql = _ROUND.sub(r"round(\1::NUMERIC, \2)::DOUBLE PRECISION", sql)
    sql = _DATE_TRUNC.sub(r"date_trunc(\1, \2::TIMESTAMP)", sql)
    return translate(sql)


def connect(url: str) -> psycopg.Connection:
    """A connection to the database of ``url`` (libpq's URL syntax), in autocommit mode:
    every change is made inside an explicit ``con.transaction()``, nothing half-open."""
    return psycopg.connect(url, autocommit=True)


def current_version(con: psycopg.Connection) -> int:
    """The schema version of a database; 0 before the first migration."""
    exists = con.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])


def migrate(con: psycopg.Connection) -> list[int]:
    """Apply the missing migrations, each in its own transaction; return the versions applied.

    Safe to call from several instances at once: the first takes the advisory lock and
    migrates, the others wait for it and then find nothing left to do.
    """
    applied = []
    for migration in MIGRATIONS:
        with con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            if current_version(con) >= migration.version:
                continue
            for statement in migration.statements:
                con.execute(translate(statement))
            con.execute(
                "INSERT INTO schema_migrations VALUES (%s, %s, now()::TIMESTAMP)",
                [migration.version, migration.description],
            )
        applied.append(migration.version)
    return applied


def tune(con: psycopg.Connection) -> None:
    """Create the indexes PostgreSQL needs (see :data:`INDEXES`), once, under the lock."""
    present = con.execute(
        "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = ANY(%s)",
        [[statement.split()[5] for statement in INDEXES]],
    ).fetchone()[0]
    if present == len(INDEXES):
        return  # CREATE INDEX IF NOT EXISTS would still lock each table first
    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        for statement in INDEXES:
            con.execute(statement)


def open_checked(url: str) -> psycopg.Connection:
    """A connection to a store database at this code's schema version, or a clear error."""
    try:
        con = connect(url)
    except psycopg.Error as exc:
        raise StoreError(f"Cannot reach the store at {redact(url)}: {_first_line(exc)}") from exc
    version = current_version(con)
    if version != SCHEMA_VERSION:
        con.close()
        if version == 0:
            raise NoStoreError(
                f"The database {redact(url)} holds no store yet. Create one with "
                "`threatmon migrate --db <url>`, or the demo with `threatmon demo --db <url>`."
            )
        raise StoreError(
            f"The store at {redact(url)} has schema version {version}; this code needs "
            f"{SCHEMA_VERSION}. Run `threatmon migrate --db <url>`."
        )
    return con


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# -- reading -----------------------------------------------------------------------------------

# PostgreSQL's type oids → the Arrow types DuckDB would have produced, so that a frame
# read from PostgreSQL has exactly the dtypes of the same query on DuckDB.
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    1700: pa.float64(),
    25: pa.string(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
}


def _frame(cursor: psycopg.Cursor) -> pd.DataFrame:
    names = [column.name for column in cursor.description]
    rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    arrays = []
    for column, values in zip(cursor.description, columns, strict=True):
        kind = _ARROW_TYPES.get(column.type_code)
        if kind == pa.float64() and column.type_code == 1700:
            values = [None if v is None else float(v) for v in values]
        arrays.append(pa.array(values, type=kind) if kind else pa.array(values))
    table = pa.Table.from_arrays(arrays, names=names) if names else pa.table({})
    # DuckDB's own conversion: the same dtypes (datetime64[us] dates, nullable Int64…) as
    # a DuckDB store gives, so no caller needs to know which backend answered.
    return duckdb.from_arrow(table).df()


class Reader:
    """Read-only access to a store database from one process, shared between threads.

    A small pool of connections; each is read-only and, for a restricted reader, carries
    temporary views named like the tables (PostgreSQL looks in ``pg_temp`` first), so
    raw SQL sees only what the reader may see, exactly as on DuckDB.
    """

    def __init__(self, url: str, views: Sequence[str] = ()):
        self.url = url
        self._views = tuple(views)
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    def _configure(self, con: psycopg.Connection) -> None:
        for statement in self._views:
            con.execute(statement)
        # After the views (temporary objects are written too): from here on, nothing.
        con.execute("SET default_transaction_read_only = on")
        con.execute(f"SET lock_timeout = '{int(READ_LOCK_TIMEOUT * 1000)}ms'")
        # The overview's group-by of two years of the rollup sorts a few MB: in memory.
        con.execute("SET work_mem = '32MB'")

    def _open(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None:
                # Checked once directly: the pool would retry a refused connection
                # quietly and end in a timeout that says nothing of the reason.
                open_checked(self.url).close()
                restricted = bool(self._views)
                pool = ConnectionPool(
                    self.url,
                    min_size=0 if restricted else 1,
                    max_size=RESTRICTED_POOL_SIZE if restricted else POOL_SIZE,
                    max_idle=IDLE_SECONDS,
                    kwargs={"autocommit": True},
                    configure=self._configure,
                    name="threatmon-store",
                    open=False,
                )
                pool.open(wait=True, timeout=30)
                self._pool = pool
            return self._pool

    def query(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        pool = self._open()
        try:
            with pool.connection() as con, con.cursor() as cursor:
                if params:
                    cursor.execute(to_pyformat(translate_query(sql)), list(params))
                else:
                    cursor.execute(translate_query(sql))
                return _frame(cursor)
        except psycopg.errors.LockNotAvailable as exc:
            raise locked_by_another_program(self.url, writing=False) from exc
        except psycopg.OperationalError as exc:
            raise StoreError(f"Lost the store at {redact(self.url)}: {_first_line(exc)}") from exc

    def generation(self) -> int:
        """The count of published changes (asked on every rerun: kept to one round trip)."""
        pool = self._open()
        try:
            with pool.connection() as con:
                row = con.execute(
                    "SELECT value FROM meta WHERE key = %s", [GENERATION_KEY]
                ).fetchone()
        except psycopg.errors.LockNotAvailable as exc:
            raise locked_by_another_program(self.url, writing=False) from exc
        except psycopg.OperationalError as exc:
            raise StoreError(f"Lost the store at {redact(self.url)}: {_first_line(exc)}") from exc
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


_READERS: dict[tuple[str, tuple[str, ...]], Reader] = {}
_READERS_LOCK = threading.Lock()


def reader(url: str, views: Sequence[str] = ()) -> Reader:
    """The process's one reader (one pool) for this database and these views: every
    ``Store`` of the same location and restriction shares it."""
    key = (url, tuple(views))
    with _READERS_LOCK:
        found = _READERS.get(key)
        if found is None:
            found = _READERS[key] = Reader(url, views)
        return found


_POOLS: dict[str, ConnectionPool] = {}


def shared_pool(url: str, check: Callable[[], psycopg.Connection]) -> ConnectionPool:
    """The process's pool of read-write connections to ``url`` (for the accounts, whose
    operations are short and many: one per click). ``check`` opens a first connection
    directly, so that a refused one is reported with libpq's reason."""
    with _READERS_LOCK:
        found = _POOLS.get(url)
        if found is None:
            check().close()
            found = _POOLS[url] = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                kwargs={"autocommit": True},
                name="threatmon-accounts",
                open=False,
            )
            found.open(wait=True, timeout=30)
        return found


def close_readers(url: str | None = None) -> None:
    """Close the pools of ``url`` (every pool when None): before the database is dropped,
    and at the end of tests."""
    with _READERS_LOCK:
        keys = [key for key in _READERS if url is None or key[0] == url]
        closing = [_READERS.pop(key) for key in keys]
        pools = [_POOLS.pop(key) for key in list(_POOLS) if url is None or key == url]
    for found in closing:
        found.close()
    for pool in pools:
        pool.close()


def restricted_views(scope: Sequence[str], withheld: Sequence[str]) -> list[str]:
    """Temporary views shadowing the tables for a reader with a scope or withheld types."""
    country_rule = "country IN ({})".format(", ".join(f"'{c}'" for c in scope)) if scope else ""
    crime_rule = (
        "crime_type NOT IN ({})".format(", ".join(f"'{c}'" for c in withheld)) if withheld else ""
    )
    views = []
    for table in ("incidents", "incidents_monthly", "flows"):
        rules = [country_rule, "" if table == "flows" else crime_rule]
        where = " AND ".join(rule for rule in rules if rule) or "TRUE"
        views.append(f"CREATE TEMP VIEW {table} AS SELECT * FROM public.{table} WHERE {where}")
    views.append(
        "CREATE TEMP VIEW batches AS SELECT * FROM public.batches WHERE batch_id IN "
        "(SELECT batch_id FROM incidents UNION SELECT batch_id FROM flows)"
    )
    views.append(
        "CREATE TEMP VIEW audit AS SELECT * FROM public.audit WHERE target IS NULL "
        "OR target NOT LIKE 'batch:%' "
        "OR target IN (SELECT 'batch:' || batch_id FROM batches)"
    )
    return views


# -- writing -----------------------------------------------------------------------------------


class Transaction:
    """One write session's connection, speaking the store's SQL (``?`` placeholders)."""

    def __init__(self, con: psycopg.Connection):
        self.con = con

    def execute(self, sql: str, params: Sequence | None = None) -> psycopg.Cursor:
        if params:
            return self.con.execute(to_pyformat(translate_query(sql)), list(params))
        return self.con.execute(translate_query(sql))

    def copy_rows(self, table: str, columns: Sequence[str], rows, batch_id: int) -> None:
        """Send validated rows (a DataFrame or Arrow batches) with ``COPY``, as CSV."""
        if isinstance(rows, pd.DataFrame):
            batches = pa.Table.from_pandas(rows[list(columns)], preserve_index=False).to_batches()
        elif isinstance(rows, pa.Table):
            batches = rows.select(list(columns)).to_batches()
        else:
            batches = rows
        names = ", ".join(("batch_id", *columns))
        options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        statement = f"COPY {table} ({names}) FROM STDIN (FORMAT csv)"
        with self.con.cursor().copy(statement) as copy:
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                ids = pa.array([batch_id] * batch.num_rows, type=pa.int32())
                framed = pa.RecordBatch.from_arrays(
                    [ids, *(batch.column(name) for name in columns)],
                    names=["batch_id", *columns],
                )
                buffer = io.BytesIO()
                pa_csv.write_csv(framed, buffer, options)
                copy.write(buffer.getvalue())

    def rebuild_rollup(self, first: dt.date, last: dt.date) -> None:
        """Recompute the monthly rollup from ``first``'s month to ``last`` (what the
        session's loads and undos touched); a full rebuild would read every row."""
        self.execute(
            "DELETE FROM incidents_monthly WHERE month BETWEEN date_trunc('month', ?::DATE) "
            "AND ?::DATE",
            [first, last],
        )
        self.execute(
            "INSERT INTO incidents_monthly SELECT date_trunc('month', date)::DATE AS month, "
            "country, region_code, crime_type, sum(count)::BIGINT, count(*)::BIGINT, "
            "sum(victims)::BIGINT, sum(suspects)::BIGINT FROM incidents "
            "WHERE date >= date_trunc('month', ?::DATE) AND date <= ?::DATE "
            "GROUP BY 1, 2, 3, 4",
            [first, last],
        )


def wait_for_writers(con: psycopg.Connection, label: str, timeout: float) -> None:
    """Take the write lock inside the open transaction, or raise StoreBusyError.

    The same wait then bounds every table lock of the session: a program that holds one
    (an open ``LOCK TABLE``, a long ``ALTER``) makes the load fail with
    :func:`locked_by_another_program` instead of hanging.
    """
    con.execute(f"SET LOCAL lock_timeout = '{int(timeout * 1000)}ms'")
    try:
        con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
    except psycopg.errors.LockNotAvailable:
        raise StoreBusyError(
            f"Another load is writing to {label}; gave up after {timeout:g} s. "
            "Try again when it has finished."
        ) from None


def lock_holders(url: str) -> list[tuple[str, int]]:
    """(program, server process id) of the sessions holding a lock on a store table that
    blocks writing or reading, other than Threat Monitor's own loads."""
    try:
        with connect(url) as con:
            rows = con.execute(
                "SELECT DISTINCT coalesce(nullif(a.application_name, ''), 'unknown'), a.pid "
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.granted AND c.relname = ANY(%s) AND a.pid <> pg_backend_pid() "
                "AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', "
                "'AccessExclusiveLock') ORDER BY 2",
                [list(STORE_TABLES)],
            ).fetchall()
    except psycopg.Error:
        return []
    return [(str(program), int(pid)) for program, pid in rows]


def locked_by_another_program(url: str, *, writing: bool) -> StoreLockedError:
    """The error for a table lock held elsewhere, naming the holder when the server can."""
    holders = lock_holders(url)
    program, pid = holders[0] if holders else (None, None)
    holder = f"{program}, server PID {pid}" if holders else "unknown"
    outcome = "; nothing was changed" if writing else ", so it cannot be read now"
    return StoreLockedError(
        f"The store at {redact(url)} is locked by another program ({holder}){outcome}. "
        "Ask whoever runs it to end that transaction (pg_stat_activity shows it), "
        "then try again.",
        redact(url),
        program,
        pid,
    )


def refresh_statistics(tx: Transaction) -> None:
    """Let the planner know what a load changed (autovacuum would, minutes later): with
    stale counts it picks sorts on disk and nested loops for the pages' next queries."""
    tx.execute("ANALYZE incidents, incidents_monthly, flows, batches")


def next_generation(tx: Transaction) -> None:
    """Count one more published change (the readers' cache key)."""
    tx.execute(
        "INSERT INTO meta VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
        "SET value = (meta.value::BIGINT + 1)::VARCHAR",
        [GENERATION_KEY],
    )


def empty_store(tx: Transaction) -> None:
    """Remove everything (the demo builder's fresh start), keeping the generation count."""
    generation = tx.execute("SELECT value FROM meta WHERE key = ?", [GENERATION_KEY]).fetchall()
    tx.execute(
        "TRUNCATE incidents, flows, incidents_monthly, batches, audit, column_mappings, meta"
    )
    tx.execute("ALTER SEQUENCE batch_ids RESTART")
    if generation:
        tx.execute("INSERT INTO meta VALUES (?, ?)", [GENERATION_KEY, generation[0][0]])
