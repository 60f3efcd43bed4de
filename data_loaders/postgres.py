"""The store on PostgreSQL: connecting by URL and the schema, from the same migrations.

DuckDB in a file stays the embedded default. A deployment with several dashboard
instances points ``$THREATMON_DB`` at a PostgreSQL database instead
(``postgresql://user@host/threatmon``); every instance then shares it, and PostgreSQL's
transactions (not a lock file and a copy) keep concurrent loads whole.

The schema comes from :data:`data_loaders.migrations.MIGRATIONS`, the very statements
DuckDB runs, translated where the dialects differ (:func:`translate`): there is one
history of the schema, not two to keep in step. PostgreSQL runs DDL inside transactions,
so each migration lands with its ``schema_migrations`` row or not at all, and an advisory
lock makes instances that start together apply it once.
"""

from __future__ import annotations

import re

import psycopg

from data_loaders.migrations import MIGRATIONS

URL_SCHEMES: tuple[str, ...] = ("postgresql://", "postgres://")
#: pg_advisory_xact_lock key held while migrating ("TMIG" in ASCII).
MIGRATION_LOCK = 0x544D4947

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
