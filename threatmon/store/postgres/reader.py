"""Reading a store in a PostgreSQL database: its pool, shared by every ``Store`` of the same
database and restriction, and what the store's interface asks of a backend."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb
import pandas as pd

from threatmon.errors import StoreError
from threatmon.store.postgres.pools import reader

#: The table of the validating DuckDB connection that holds the stored incidents sharing
#: an incident_id with the file.
KNOWN_IDS = "known_incident_ids"


class DatabaseReader:
    """The store's reads on a database (see :class:`threatmon.store.reader.Store`)."""

    def __init__(self, url: str, scope: tuple[str, ...], withheld: tuple[str, ...]):
        views = restricted_views(scope, withheld) if scope or withheld else ()
        self._reader = reader(url, views)

    def query(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        return self._reader.query(sql, params)

    def version(self) -> str:
        return f"g{self._reader.generation()}"

    def exists(self) -> bool:
        try:
            self._reader.generation()
        except StoreError:
            return False
        return True

    def incident_ids(self, con: duckdb.DuckDBPyConnection) -> _AskedIds:
        return _AskedIds(self, con)


class _AskedIds:
    """A database is asked only for the file's incident_ids (an indexed lookup), once the
    file's are known, so that the same check names the file's lines."""

    def __init__(self, source: DatabaseReader, con: duckdb.DuckDBPyConnection):
        self._source = source
        self._con = con

    def table(self, file_ids: Callable[[], list[str] | None]) -> str | None:
        ids = file_ids()
        if ids is None:
            return None
        found = pd.DataFrame({"incident_id": pd.Series([], dtype=object), "batch_id": []})
        if ids:
            found = self._source.query(
                "SELECT incident_id, batch_id FROM incidents WHERE incident_id = ANY(?)", [ids]
            )
        self._con.register("known_incident_frame", found)
        try:
            self._con.execute(
                f"CREATE TEMP TABLE {KNOWN_IDS} AS SELECT incident_id::VARCHAR AS incident_id, "
                "batch_id::INTEGER AS batch_id FROM known_incident_frame"
            )
        finally:
            self._con.unregister("known_incident_frame")
        return KNOWN_IDS


def restricted_views(scope: Sequence[str], withheld: Sequence[str]) -> list[str]:
    """Temporary views shadowing the tables for a reader with a scope or withheld types."""
    country_rule = "country IN ({})".format(", ".join(f"'{c}'" for c in scope)) if scope else ""
    crime_rule = (
        "crime_type NOT IN ({})".format(", ".join(f"'{c}'" for c in withheld)) if withheld else ""
    )
    views = []
    tables = (
        "incidents",
        "incidents_monthly",
        "incidents_superseded",
        "coverage_declared",
        "flows",
        "flows_superseded",
    )
    for table in tables:
        rules = [country_rule, "" if table.startswith("flows") else crime_rule]
        where = " AND ".join(rule for rule in rules if rule) or "TRUE"
        views.append(f"CREATE TEMP VIEW {table} AS SELECT * FROM public.{table} WHERE {where}")
    views.append(
        "CREATE TEMP VIEW batches AS SELECT * FROM public.batches WHERE batch_id IN "
        "(SELECT batch_id FROM incidents UNION SELECT batch_id FROM flows "
        "UNION SELECT batch_id FROM coverage_declared)"
    )
    views.append(
        "CREATE TEMP VIEW audit AS SELECT * FROM public.audit WHERE target IS NULL "
        "OR target NOT LIKE 'batch:%' "
        "OR target IN (SELECT 'batch:' || batch_id FROM batches)"
    )
    return views
