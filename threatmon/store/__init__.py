"""The incident store behind one interface, on a DuckDB file or a PostgreSQL database, with
its schema, queries, writes and audit log; callers never ask which backend holds it."""

from threatmon.store.location import DEFAULT_DB_PATH, StoreLocation
from threatmon.store.reader import Store
from threatmon.store.writer import (
    LOCK_TIMEOUT,
    StoreWriter,
    interrupted_writes,
    undo_as,
    write_session,
)


def open_store(
    location: StoreLocation | str | None = None,
    *,
    scope: tuple[str, ...] = (),
    withheld: tuple[str, ...] = (),
) -> Store:
    """The store at ``location`` (else ``$THREATMON_DB``, else the default file), as a
    reader with this country ``scope`` and these ``withheld`` crime types sees it."""
    return Store(location, scope, withheld)


__all__ = [
    "DEFAULT_DB_PATH",
    "LOCK_TIMEOUT",
    "Store",
    "StoreLocation",
    "StoreWriter",
    "interrupted_writes",
    "open_store",
    "undo_as",
    "write_session",
]
