"""The process's pools of connections to a PostgreSQL store: the readers', shared between
threads, and the accounts' read-write one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg_pool import ConnectionPool

from threatmon.errors import StoreError
from threatmon.store.postgres.connection import (
    GENERATION_KEY,
    _first_line,
    locked_by_another_program,
    open_checked,
    redact,
    to_pyformat,
    translate_query,
)

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
