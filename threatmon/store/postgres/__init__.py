"""The store on PostgreSQL: connecting by URL, its dialect, schema, pools and locks, and the
store's reader (:mod:`.reader`) and write session (:mod:`.writer`) on a database.

DuckDB in a file stays the embedded default. A deployment with several dashboard
instances points ``$THREATMON_DB`` at a PostgreSQL database instead
(``postgresql://user@host/threatmon``); every instance then shares it, and PostgreSQL's
transactions (not a lock file and a copy) keep concurrent loads whole. The accounts keep
their tables in the same database with the connection helpers named here.
"""

from threatmon.store.postgres.connection import (
    GENERATION_KEY,
    INDEXES,
    MIGRATION_LOCK,
    STORE_TABLES,
    URL_SCHEMES,
    WRITE_LOCK,
    Transaction,
    connect,
    current_version,
    is_postgres_url,
    lock_holders,
    locked_by_another_program,
    migrate,
    open_checked,
    redact,
    to_pyformat,
    translate,
    translate_query,
    tune,
    wait_for_writers,
)

# The pools import psycopg_pool (and psycopg): loaded on first use, so that a DuckDB store
# (and the first page of a fresh server on one) never imports them.
_POOL_NAMES = frozenset(
    {
        "IDLE_SECONDS",
        "POOL_SIZE",
        "READ_LOCK_TIMEOUT",
        "RESTRICTED_POOL_SIZE",
        "Reader",
        "close_readers",
        "shared_pool",
    }
)


def __getattr__(name: str):
    if name in _POOL_NAMES:
        from threatmon.store.postgres import pools

        return getattr(pools, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "GENERATION_KEY",
    "IDLE_SECONDS",
    "INDEXES",
    "MIGRATION_LOCK",
    "POOL_SIZE",
    "READ_LOCK_TIMEOUT",
    "RESTRICTED_POOL_SIZE",
    "STORE_TABLES",
    "URL_SCHEMES",
    "WRITE_LOCK",
    "Reader",
    "Transaction",
    "close_readers",
    "connect",
    "current_version",
    "is_postgres_url",
    "lock_holders",
    "locked_by_another_program",
    "migrate",
    "open_checked",
    "redact",
    "shared_pool",
    "to_pyformat",
    "translate",
    "translate_query",
    "tune",
    "wait_for_writers",
]
