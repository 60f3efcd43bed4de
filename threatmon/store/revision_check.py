"""The revisions a load of a file would refuse or replace, found without writing.

A load finds them in its write session, joining the new batch with the store's rows
(:mod:`threatmon.store.revisions`, :mod:`threatmon.store.incident_revisions`). A dry run
writes nothing, so it asks the same question in the DuckDB connection that checked the
file: the file's keys, summarised from its typed rows, against the store's active rows
that could share them (the file's countries, crime types and dates), read through the
store's read API on either backend. The predicate, and the naming of what overlaps, are
the load's own, so a dry run is refused exactly as the load would be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from threatmon.errors import ThreatmonError
from threatmon.store import incident_revisions, revisions

if TYPE_CHECKING:
    from threatmon.store.reader import Store

#: The file's rows stand in for a new batch under this id, which no batch has.
FILE_BATCH = -1
#: The checking connection's tables: the file's keys, the store's rows that could share
#: them (with how many rows each stands for) and those rows' batches.
_FILE, _HELD, _BATCHES = "revision_file", "revision_store", "revision_batches"
_INCIDENT_KEY = "country, level, region_code, crime_type, date, period_end, granularity"
_FLOW_KEY = "country, crossing_point, date"


def pending_revisions(
    store: Store,
    con: duckdb.DuckDBPyConnection,
    kind: str,
    *,
    replace: bool = False,
    staged: str = "staged",
) -> list[dict[str, int]]:
    """What loading the clean rows of ``staged`` (in ``con``) as ``kind`` would supersede.

    Returns ``[{"batch_id": n, "rows": n}, …]`` per older batch, as the load reports it
    (empty: nothing). Raises the load's :class:`~threatmon.errors.ValidationError` when
    rows revise active rows of older batches and ``replace`` is not set.
    """
    if not store.exists():
        return []
    module = incident_revisions if kind == "incidents" else revisions
    try:
        candidates = _incident_rows if kind == "incidents" else _flow_rows
        batch_ids = candidates(store, con, staged)
        if batch_ids is None:
            return []
        batches = store.query(
            "SELECT batch_id, file_name, loaded_at FROM batches WHERE batch_id IN "
            f"({', '.join('?' * len(batch_ids))})",
            batch_ids,
        )
    except ThreatmonError:
        # As for duplicates: a store this version cannot read holds nothing to compare.
        return []
    _table(
        con,
        _BATCHES,
        batches,
        "batch_id::BIGINT AS batch_id, file_name::VARCHAR AS file_name, "
        "loaded_at::TIMESTAMP AS loaded_at",
    )
    found = module.held_overlaps(con, module.held_sql(_FILE, _HELD, "TRUE"), [], _BATCHES)
    if not found:
        return []
    if not replace:
        raise revisions.refusal(kind, found)
    rows = con.execute(
        f"SELECT batch_id, sum(n_rows) FROM ({module.held_sql(_FILE, _HELD, 'TRUE', ('n_rows',))}) "
        "GROUP BY batch_id ORDER BY batch_id"
    ).fetchall()
    return [{"batch_id": int(old), "rows": int(n)} for old, n in rows]


def _incident_rows(store: Store, con, staged: str) -> list[int] | None:
    """Put the file's figures and the store's that could overlap them into ``con``; return
    the batches of the latter (None: none could)."""
    longer, first, last, countries, crime_types = con.execute(
        "SELECT bool_or(granularity <> 'day'), min(date), max(period_end), "
        "list(DISTINCT country ORDER BY country), list(DISTINCT crime_type ORDER BY crime_type) "
        f"FROM {staged}"
    ).fetchall()[0]
    if first is None:
        return None
    # Two days never revise each other: a file of days can only revise longer figures.
    days = "" if longer else " AND granularity <> 'day'"
    held = store.query(
        f"SELECT batch_id, {_INCIDENT_KEY}, count(*) AS n_rows FROM incidents "
        f"WHERE country IN ({', '.join('?' * len(countries))}) "
        f"AND crime_type IN ({', '.join('?' * len(crime_types))}) "
        f"AND date <= ? AND period_end >= ?{days} GROUP BY batch_id, {_INCIDENT_KEY}",
        [*countries, *crime_types, last, first],
    )
    if held.empty:
        return None
    _table(
        con,
        _HELD,
        held,
        "batch_id::BIGINT AS batch_id, country::VARCHAR AS country, level::VARCHAR AS level, "
        "region_code::VARCHAR AS region_code, crime_type::VARCHAR AS crime_type, "
        "date::DATE AS date, period_end::DATE AS period_end, "
        "granularity::VARCHAR AS granularity, n_rows::BIGINT AS n_rows",
    )
    # The file's day rows matter only against the store's longer figures; each key-day once.
    store_longer = con.execute(
        f"SELECT count(*) FROM {_HELD} WHERE granularity <> 'day'"
    ).fetchall()[0][0]
    keep = "" if store_longer else "WHERE granularity <> 'day'"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_FILE} AS SELECT DISTINCT {FILE_BATCH}::BIGINT "
        f"AS batch_id, {_INCIDENT_KEY} FROM {staged} {keep}"
    )
    return sorted({int(b) for b in held["batch_id"]})


def _flow_rows(store: Store, con, staged: str) -> list[int] | None:
    """Put the file's keys and the store's rows that could share them into ``con``;
    return the batches of the latter (None: none could)."""
    first, last, countries = con.execute(
        f"SELECT min(date), max(date), list(DISTINCT country ORDER BY country) FROM {staged}"
    ).fetchall()[0]
    if first is None:
        return None
    held = store.query(
        f"SELECT batch_id, {_FLOW_KEY}, count(*) AS n_rows FROM flows "
        f"WHERE country IN ({', '.join('?' * len(countries))}) AND date >= ? AND date <= ? "
        f"GROUP BY batch_id, {_FLOW_KEY}",
        [*countries, first, last],
    )
    if held.empty:
        return None
    _table(
        con,
        _HELD,
        held,
        "batch_id::BIGINT AS batch_id, country::VARCHAR AS country, "
        "crossing_point::VARCHAR AS crossing_point, date::DATE AS date, "
        "n_rows::BIGINT AS n_rows",
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_FILE} AS SELECT DISTINCT {FILE_BATCH}::BIGINT "
        f"AS batch_id, {_FLOW_KEY} FROM {staged}"
    )
    return sorted({int(b) for b in held["batch_id"]})


def _table(con: duckdb.DuckDBPyConnection, name: str, frame, columns: str) -> None:
    """``frame`` as the temporary table ``name`` of ``con``, typed by ``columns``."""
    view = f"{name}_frame"
    con.register(view, frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {columns} FROM {view}")
    finally:
        con.unregister(view)
