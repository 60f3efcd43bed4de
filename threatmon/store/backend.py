"""What a backend provides to the store's one interface, and which serves a location: the
one place in the code that tells a DuckDB file from a PostgreSQL database."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import pandas as pd

from threatmon.store import duckdb as duckdb_backend

if TYPE_CHECKING:
    from threatmon.store.location import StoreLocation
    from threatmon.store.writer import StoreWriter


class IncidentIds(Protocol):
    """Where a check in a validating DuckDB connection finds the stored incidents."""

    def table(self, file_ids: Callable[[], list[str] | None]) -> str | None:
        """A table of the connection with the stored incidents (``incident_id`` and
        ``batch_id``), or None when there is nothing to check against. ``file_ids`` gives
        the file's incident_ids (None: the file has none), for a backend that asks only
        for those."""
        ...


class Reads(Protocol):
    """A backend's reads, as :class:`threatmon.store.reader.Store` uses them."""

    def query(self, sql: str, params: Sequence | None = None) -> pd.DataFrame: ...

    def version(self) -> str: ...

    def exists(self) -> bool: ...

    def incident_ids(self, con: duckdb.DuckDBPyConnection) -> IncidentIds: ...


@dataclass(frozen=True)
class Backend:
    """A backend's entry points; each takes the location's file or URL (``target``)."""

    #: (target, scope, withheld) -> its reads.
    reads: Callable[[Any, tuple[str, ...], tuple[str, ...]], Reads]
    #: (target, make_writer, *, fresh, timeout) -> one all-or-nothing change.
    write_session: Callable[..., AbstractContextManager[StoreWriter]]
    #: target -> process ids of write sessions that died before publishing.
    interrupted_writes: Callable[[Any], list[int]]


DUCKDB = Backend(
    duckdb_backend.FileReader, duckdb_backend.write_session, duckdb_backend.interrupted_writes
)


@functools.cache
def postgres_backend() -> Backend:
    """The PostgreSQL backend, imported on first use: its modules import psycopg and
    psycopg_pool, which a DuckDB store (and the first page of a fresh server) never needs."""
    from threatmon.store.postgres import reader as postgres_reader
    from threatmon.store.postgres import writer as postgres_writer

    return Backend(
        postgres_reader.DatabaseReader,
        postgres_writer.write_session,
        postgres_writer.interrupted_writes,
    )


def backend_for(location: StoreLocation) -> tuple[Backend, Any]:
    """The backend serving ``location``, and what it takes for it (the file, or the URL)."""
    if location.url is not None:
        return postgres_backend(), location.url
    return DUCKDB, location.file
