"""SQL for the store's read API, built as (sql, params) so benchmarks can run the same text raw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from threatmon.filters import Filters

FREQUENCIES: dict[str, str] = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
INCIDENT_DIMENSIONS: tuple[str, ...] = ("country", "region_code", "crime_type")
# Only the base table knows these; asking for them bypasses the monthly rollup.
DETAIL_DIMENSIONS: tuple[str, ...] = ("crossing_point", "source")
MEASURES: dict[str, str] = {
    "count": "count",
    "records": "records",
    "victims": "victims",
    "suspects": "suspects",
}
FLOW_DIMENSIONS: tuple[str, ...] = ("country", "crossing_point")
FLOW_MEASURES: tuple[str, ...] = ("arrivals", "departures")


def _check_choice(name: str, value: str, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, allowed))}. Got {value!r}.")


def _in_clause(column: str, values: Sequence[str], params: list) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' * len(values))})"


def where_clause(
    filters: Filters, date_column: str, params: list, *, incidents: bool = True
) -> str:
    clauses = []
    if filters.countries:
        clauses.append(_in_clause("country", filters.countries, params))
    if incidents and filters.regions:
        clauses.append(_in_clause("region_code", filters.regions, params))
    if incidents and filters.crime_types:
        clauses.append(_in_clause("crime_type", filters.crime_types, params))
    if filters.start is not None:
        clauses.append(f"{date_column} >= ?")
        params.append(filters.start)
    if filters.end is not None:
        clauses.append(f"{date_column} <= ?")
        params.append(filters.end)
    return ("WHERE " + " AND ".join(clauses)) if clauses else ""


def uses_rollup(filters: Filters, by: Sequence[str], freq: str | None) -> bool:
    """Whether the monthly rollup can answer exactly: months or coarser, whole-month dates."""
    if freq in ("D", "W") or any(b in DETAIL_DIMENSIONS for b in by):
        return False
    if filters.start is not None and filters.start.day != 1:
        return False
    return filters.end is None or (filters.end + dt.timedelta(days=1)).day == 1


def aggregate_sql(
    filters: Filters, by: Sequence[str] = (), freq: str | None = "M", measure: str = "count"
) -> tuple[str, list]:
    """SQL summing ``measure`` over the selection, grouped by ``by`` and period.

    The result has a ``period`` column (first day of the period) unless ``freq`` is
    None, then the ``by`` columns, then the measure, ordered by all of them.
    """
    by = tuple(by)
    for name in by:
        _check_choice("by", name, INCIDENT_DIMENSIONS + DETAIL_DIMENSIONS)
    if len(set(by)) != len(by):
        raise ValueError(f"`by` must not repeat a column. Got {list(by)!r}.")
    if freq is not None:
        _check_choice("freq", freq, tuple(FREQUENCIES))
    _check_choice("measure", measure, tuple(MEASURES))
    params: list = []
    if uses_rollup(filters, by, freq):
        table, date_column = "incidents_monthly", "month"
        value = f"sum({MEASURES[measure]})"
    else:
        table, date_column = "incidents", "date"
        value = "count(*)" if measure == "records" else f"sum({measure})"
    select = []
    if freq is not None:
        select.append(f"date_trunc('{FREQUENCIES[freq]}', {date_column})::DATE AS period")
    select += list(by)
    select.append(f"coalesce({value}, 0)::BIGINT AS {measure}")
    where = where_clause(filters, date_column, params)
    positions = ", ".join(str(i + 1) for i in range(len(select) - 1))
    group_order = f"GROUP BY {positions} ORDER BY {positions}" if positions else ""
    sql = f"SELECT {', '.join(select)} FROM {table} {where} {group_order}"
    return " ".join(sql.split()), params


def flows_sql(
    filters: Filters, by: Sequence[str] = ("country",), freq: str | None = "M"
) -> tuple[str, list]:
    """SQL summing arrivals and departures over the selection (regions and crime types ignored)."""
    by = tuple(by)
    for name in by:
        _check_choice("by", name, FLOW_DIMENSIONS)
    if freq is not None:
        _check_choice("freq", freq, tuple(FREQUENCIES))
    params: list = []
    select = []
    if freq is not None:
        select.append(f"date_trunc('{FREQUENCIES[freq]}', date)::DATE AS period")
    select += list(by)
    keys = len(select)
    select += ["sum(arrivals)::BIGINT AS arrivals", "sum(departures)::BIGINT AS departures"]
    where = where_clause(filters, "date", params, incidents=False)
    positions = ", ".join(str(i + 1) for i in range(keys))
    group_order = f"GROUP BY {positions} ORDER BY {positions}" if keys else ""
    sql = f"SELECT {', '.join(select)} FROM flows {where} {group_order}"
    return " ".join(sql.split()), params


def points_sql(filters: Filters, decimals: int = 2) -> tuple[str, list]:
    """SQL summing geocoded incidents on a grid of rounded coordinates (for heat maps).

    Two decimals is about 1 km: fine enough for a heat layer, and it keeps the map's
    payload to one point per occupied cell instead of one per stored row.
    """
    if not 0 <= decimals <= 5:
        raise ValueError(f"`decimals` must be between 0 and 5. Got {decimals}.")
    params: list = []
    where = where_clause(filters, "date", params)
    located = "latitude IS NOT NULL AND longitude IS NOT NULL"
    where = f"{where} AND {located}" if where else f"WHERE {located}"
    sql = (
        f"SELECT round(latitude, {int(decimals)}) AS latitude, "
        f"round(longitude, {int(decimals)}) AS longitude, sum(count)::BIGINT AS count "
        f"FROM incidents {where} GROUP BY 1, 2 ORDER BY 1, 2"
    )
    return sql, params


#: The rollup's granularities: those that add up into months.
ROLLUP_GRANULARITIES: tuple[str, ...] = ("day", "month")

REBUILD_ROLLUP_SQL = """
CREATE OR REPLACE TABLE incidents_monthly AS
SELECT date_trunc('month', date)::DATE AS month, country, level, region_code, crime_type,
       sum(count)::BIGINT AS count, count(*)::BIGINT AS records,
       sum(victims)::BIGINT AS victims, sum(suspects)::BIGINT AS suspects
FROM incidents
WHERE granularity IN ('day', 'month')
GROUP BY ALL
ORDER BY month, country, level, region_code, crime_type
"""
