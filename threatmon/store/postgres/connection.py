"""Connecting to a PostgreSQL store by URL, its SQL dialect, its schema and its locks.

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
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from threatmon.errors import NoStoreError, StoreBusyError, StoreError, StoreLockedError
from threatmon.store.migrations import MIGRATIONS, SCHEMA_VERSION

# psycopg is imported where a database is reached: a DuckDB store (and the first page of
# a fresh server on one) never pays for importing it.
if TYPE_CHECKING:
    import psycopg

URL_SCHEMES: tuple[str, ...] = ("postgresql://", "postgres://")
#: pg_advisory_xact_lock key held while migrating ("TMIG" in ASCII).
MIGRATION_LOCK = 0x544D4947
#: pg_advisory_xact_lock key held by a write session ("TMWR"): loads queue, one at a time.
WRITE_LOCK = 0x544D5752
#: The ``meta`` key counting published changes; a reader's cache key (Store.version).
GENERATION_KEY = "generation"
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
    "flows_superseded",
    "incidents_superseded",
    "coverage_declared",
)

# Physical tuning, not schema: DuckDB needs no indexes (zone maps), PostgreSQL does for
# a batch's rows (undo, the rollup), date ranges and the incident_id checks of a load.
INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS incidents_batch ON incidents (batch_id)",
    "CREATE INDEX IF NOT EXISTS incidents_date ON incidents (date)",
    "CREATE INDEX IF NOT EXISTS incidents_incident_id ON incidents (incident_id)",
    "CREATE INDEX IF NOT EXISTS flows_batch ON flows (batch_id)",
    "CREATE INDEX IF NOT EXISTS incidents_monthly_month ON incidents_monthly (month)",
    # A load's revision check looks for the active flow rows of its countries and days.
    "CREATE INDEX IF NOT EXISTS flows_key ON flows (country, date)",
    "CREATE INDEX IF NOT EXISTS flows_superseded_by ON flows_superseded (superseded_by)",
    # Figures longer than a day are few beside the incidents: a partial index finds them
    # for the revision check of every load (most find none) and for the quarters and
    # years that a view reads from `incidents` rather than the monthly rollup.
    "CREATE INDEX IF NOT EXISTS incidents_aggregated ON incidents "
    "(country, crime_type, date) WHERE granularity <> 'day'",
    "CREATE INDEX IF NOT EXISTS incidents_national ON incidents (country, crime_type, date) "
    "WHERE level = 'national'",
    "CREATE INDEX IF NOT EXISTS incidents_superseded_by ON incidents_superseded (superseded_by)",
    "CREATE INDEX IF NOT EXISTS coverage_declared_batch ON coverage_declared (batch_id)",
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
    import psycopg

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


# The audit log refuses UPDATE and DELETE on PostgreSQL (DuckDB has no triggers): whoever
# edits it must drop these first, and the MACs and the anchor (threatmon.store.audit_check)
# catch what they then do. TRUNCATE stays allowed: the demo's fresh start empties the store.
AUDIT_GUARD: tuple[str, ...] = (
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$""",
    "DROP TRIGGER IF EXISTS audit_no_update ON audit",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    "DROP TRIGGER IF EXISTS audit_no_delete ON audit",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
)


def guard_audit(con: psycopg.Connection) -> None:
    """Create the audit log's triggers (:data:`AUDIT_GUARD`) unless both are in place."""
    present = con.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('audit') "
        "AND tgname IN ('audit_no_update', 'audit_no_delete')"
    ).fetchone()[0]
    if present == 2:
        return
    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        for statement in AUDIT_GUARD:
            con.execute(statement)


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
    import psycopg

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


class Transaction:
    """One write session's connection, speaking the store's SQL (``?`` placeholders)."""

    def __init__(self, con: psycopg.Connection):
        self.con = con

    def execute(self, sql: str, params: Sequence | None = None) -> psycopg.Cursor:
        if params:
            return self.con.execute(to_pyformat(translate_query(sql)), list(params))
        return self.con.execute(translate_query(sql))

    def duckdb_connection(self) -> None:
        """None: rows reach PostgreSQL with ``COPY`` (:meth:`copy_rows`)."""
        return None

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
        # Days and months only: weeks, quarters and years do not add up into months.
        self.execute(
            "INSERT INTO incidents_monthly SELECT date_trunc('month', date)::DATE AS month, "
            "country, level, region_code, crime_type, sum(count)::BIGINT, count(*)::BIGINT, "
            "sum(victims)::BIGINT, sum(suspects)::BIGINT FROM incidents "
            # To the end of the last month: its other days are in the rows deleted above.
            "WHERE date >= date_trunc('month', ?::DATE) "
            "AND date < date_trunc('month', ?::DATE) + INTERVAL '1 month' "
            "AND granularity IN ('day', 'month') GROUP BY 1, 2, 3, 4, 5",
            [first, last],
        )


def wait_for_writers(con: psycopg.Connection, label: str, timeout: float) -> None:
    """Take the write lock inside the open transaction, or raise StoreBusyError.

    The same wait then bounds every table lock of the session: a program that holds one
    (an open ``LOCK TABLE``, a long ``ALTER``) makes the load fail with
    :func:`locked_by_another_program` instead of hanging.
    """
    import psycopg

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
    import psycopg

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
