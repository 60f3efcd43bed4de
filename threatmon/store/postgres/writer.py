"""Writing a store in a PostgreSQL database: one transaction per write session.

Write sessions queue on an advisory lock held to the commit, so two analysts loading at
once both land whole, one after the other, and each sees the other's batch (the
duplicate and incident_id checks run after the wait). Readers keep seeing the last
committed state until the commit; the ``generation`` counter tells them to refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg

from threatmon.errors import DiskFullError, StoreError
from threatmon.store.postgres.connection import (
    GENERATION_KEY,
    Transaction,
    connect,
    guard_audit,
    locked_by_another_program,
    migrate,
    redact,
    tune,
    wait_for_writers,
)

if TYPE_CHECKING:
    from threatmon.store.writer import StoreWriter


def interrupted_writes(url: str) -> list[int]:
    """Always none: a PostgreSQL transaction that dies leaves nothing to find, it rolls back."""
    return []


@contextmanager
def write_session(
    url: str,
    make_writer: Callable[[Transaction], StoreWriter],
    *,
    fresh: bool,
    timeout: float,
) -> Iterator[StoreWriter]:
    """One transaction on a PostgreSQL store: every load, undo or save in it lands, or none
    (see :func:`threatmon.store.writer.write_session`)."""
    label = redact(url)
    try:
        con = connect(url)
    except psycopg.Error as exc:
        raise StoreError(f"Cannot reach the store at {label}: {exc}".strip()) from exc
    committing = False
    try:
        # Every lock of the session, the migrations' too, is waited for this long at most.
        con.execute(f"SET lock_timeout = '{int(timeout * 1000)}ms'")
        applied = migrate(con)
        tune(con)
        guard_audit(con)
        with con.transaction():
            wait_for_writers(con, label, timeout)
            transaction = Transaction(con)
            writer = make_writer(transaction)
            if fresh:
                empty_store(transaction)
            writer.begin(new=fresh or 1 in applied, migrated=applied)
            yield writer
            if writer.touched:
                transaction.rebuild_rollup(
                    min(first for first, _ in writer.touched),
                    max(last for _, last in writer.touched),
                )
            if writer.changed:
                refresh_statistics(transaction)
                next_generation(transaction)
            committing = True
    except psycopg.errors.LockNotAvailable as exc:
        raise locked_by_another_program(url, writing=True) from exc
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


def refresh_statistics(tx: Transaction) -> None:
    """Let the planner know what a load changed (autovacuum would, minutes later): with
    stale counts it picks sorts on disk and nested loops for the pages' next queries."""
    tx.execute("ANALYZE incidents, incidents_monthly, incidents_superseded, flows, batches")


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
        "TRUNCATE incidents, incidents_superseded, coverage_declared, flows, flows_superseded, "
        "incidents_monthly, batches, audit, column_mappings, meta"
    )
    tx.execute("ALTER SEQUENCE batch_ids RESTART")
    if generation:
        tx.execute("INSERT INTO meta VALUES (?, ?)", [GENERATION_KEY, generation[0][0]])
