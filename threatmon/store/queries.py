"""SQL for the store's read API, built as (sql, params) so benchmarks can run the same text raw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from threatmon.filters import Filters
from threatmon.granularity import GRANULARITIES, NESTED_IN

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
#: The granularities in the monthly rollup: those that add up into months.
ROLLUP_GRANULARITIES: tuple[str, ...] = ("day", "month")
FLOW_MEASURES: tuple[str, ...] = ("arrivals", "departures")
#: The granularities other than days; a store of days alone reads as it always did.
LONGER: tuple[str, ...] = GRANULARITIES[1:]


@dataclass(frozen=True)
class Held:
    """What a store holds beside regional day rows, so that its reads need only the SQL
    those rows call for: ``longer`` granularities, and whether any figure is ``national``.

    A store of regional days alone (the usual one) is read with the very queries it was
    read with before figures for longer periods and countries existed; the general SQL
    (:data:`EVERYTHING`) costs milliseconds more of planning for every query.
    """

    longer: tuple[str, ...] = LONGER
    national: bool = True


#: Assume everything: the SQL is right for any store.
EVERYTHING = Held()
#: What a store holds, in one round trip: longer granularities, then national figures.
HELD_SQL = (
    "SELECT (SELECT string_agg(DISTINCT granularity, ',') FROM incidents "
    "WHERE granularity <> 'day') AS longer, "
    "EXISTS (SELECT 1 FROM incidents WHERE level = 'national') AS national"
)


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
    """Whether the monthly rollup can answer exactly: months or coarser, whole-month dates.

    The rollup holds the days and months; a view that admits weeks, quarters or years
    adds those from the base table (see :func:`aggregate_sql`).
    """
    if freq in ("D", "W") or any(b in DETAIL_DIMENSIONS for b in by):
        return False
    if filters.start is not None and filters.start.day != 1:
        return False
    return filters.end is None or (filters.end + dt.timedelta(days=1)).day == 1


def shown_granularities(freq: str | None) -> tuple[str, ...]:
    """The granularities a view at ``freq`` shows: those whose periods nest in its periods
    (None, no time split: all of them)."""
    return GRANULARITIES if freq is None else NESTED_IN[freq]


def _granularity_clause(granularities: Sequence[str]) -> str:
    # Only literals of GRANULARITIES reach the SQL. "<> 'day'" lets PostgreSQL use the
    # partial index of the figures longer than a day.
    listed = ", ".join(f"'{g}'" for g in granularities)
    longer = "" if "day" in granularities else " AND granularity <> 'day'"
    return f"granularity IN ({listed}){longer}"


def _base_where(filters: Filters, params: list, granularities: Sequence[str], held: Held) -> str:
    """Rows of ``granularities`` whose whole period lies in the filters' dates."""
    where = where_clause(filters, "date", params)
    clauses = [where[len("WHERE ") :]] if where else []
    if filters.end is not None and held.longer:
        clauses.append("period_end <= ?")
        params.append(filters.end)
    present = ("day", *held.longer)
    if any(g not in granularities for g in present):
        clauses.append(_granularity_clause([g for g in granularities if g in present]))
    return ("WHERE " + " AND ".join(clauses)) if clauses else ""


def _cell(freq: str | None, column: str) -> str:
    # Without a time split, the national-or-regions choice is made per year.
    return f"date_trunc('{FREQUENCIES[freq] if freq else 'year'}', {column})::DATE"


@dataclass(frozen=True)
class _Part:
    """One table's share of a view's rows: the rollup's days and months, or the base
    table's rows of the granularities the rollup lacks."""

    table: str
    date_column: str
    value: str  # the measure of one row
    total: str  # the measure summed
    where: str


def _parts(
    filters: Filters,
    by: Sequence[str],
    freq: str | None,
    measure: str,
    params: list,
    held: Held,
    level: str | None,
    figures_only: bool = False,
) -> list[_Part]:
    granularities = shown_granularities(freq)
    of_level = [f"level = '{level}'"] if level else []  # a literal of LEVELS only
    if figures_only:
        # Figures for periods: the rollup merges them with days, so the base table answers.
        of_level.append("granularity <> 'day'")
    parts = []
    if uses_rollup(filters, by, freq) and not figures_only:
        where = where_clause(filters, "month", params)
        clauses = ([where[len("WHERE ") :]] if where else []) + of_level
        column = MEASURES[measure]
        parts.append(_Part("incidents_monthly", "month", column, f"sum({column})", _where(clauses)))
        granularities = tuple(
            g for g in granularities if g not in ROLLUP_GRANULARITIES and g in held.longer
        )
    if granularities:
        where = _base_where(filters, params, granularities, held)
        clauses = ([where[len("WHERE ") :]] if where else []) + of_level
        value, total = ("1", "count(*)") if measure == "records" else (measure, f"sum({measure})")
        parts.append(_Part("incidents", "date", value, total, _where(clauses)))
    return parts


def _where(clauses: Sequence[str]) -> str:
    return ("WHERE " + " AND ".join(clauses)) if clauses else ""


def _selected_rows(
    filters: Filters,
    by: Sequence[str],
    freq: str | None,
    measure: str,
    columns: Sequence[str],
    params: list,
    held: Held,
    level: str | None = None,
) -> str:
    """SQL of the rows a view shows (``cell``, ``columns``, the measure as ``v``), of one
    ``level`` or both: the rollup's days and months when it is exact, and the base table's
    other granularities."""
    return _union(_parts(filters, by, freq, measure, params, held, level), freq, columns)


def _union(parts: Sequence[_Part], freq: str | None, columns: Sequence[str]) -> str:
    names = ", ".join(columns)
    return " UNION ALL ".join(
        f"SELECT {_cell(freq, part.date_column)} AS cell, {names}, {part.value} AS v "
        f"FROM {part.table} {part.where}"
        for part in parts
    )


def aggregate_sql(
    filters: Filters,
    by: Sequence[str] = (),
    freq: str | None = "M",
    measure: str = "count",
    held: Held = EVERYTHING,
) -> tuple[str, list]:
    """SQL summing ``measure`` over the selection, grouped by ``by`` and period.

    The result has a ``period`` column (first day of the period) unless ``freq`` is
    None, then the ``by`` columns, then the measure, ordered by all of them.

    A view at ``freq`` shows the rows whose periods nest in its periods
    (:data:`threatmon.granularity.NESTED_IN`: a monthly view shows days and months, not
    the years, which :meth:`Store.unshown` reports), and of those only the ones whose
    whole period lies inside the filters' dates. A breakdown by region, or a selection of
    regions, shows the regional figures only. Otherwise each period × country × crime
    type is its national figure where it has one, else the sum of its regions: national
    is the total, regions the breakdown, never both.

    ``held`` says what the store holds (see :class:`Held`); the SQL is right for any store
    with the default.
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
    keys = (["cell AS period"] if freq is not None else []) + list(by)
    select = ", ".join([*keys, f"coalesce(sum(v), 0)::BIGINT AS {measure}"])
    positions = ", ".join(str(i + 1) for i in range(len(keys)))
    group_order = f"GROUP BY {positions} ORDER BY {positions}" if positions else ""
    if "region_code" in by or filters.regions or not held.national:
        level = "admin1" if held.national else None
        parts = _parts(filters, by, freq, measure, params, held, level)
        if len(parts) == 1:
            # One table: the plain query (that of a store of regional days).
            part = parts[0]
            period = [f"{_cell(freq, part.date_column)} AS period"] if freq is not None else []
            flat = ", ".join([*period, *by, f"coalesce({part.total}, 0)::BIGINT AS {measure}"])
            sql = f"SELECT {flat} FROM {part.table} {part.where} {group_order}"
        else:
            sql = f"SELECT {select} FROM ({_union(parts, freq, by or ['1'])}) r {group_order}"
        return " ".join(sql.split()), params
    # The regional rows of the cells without a national figure, and the national rows. An
    # anti-join rather than a window over every row: with no national figure (the usual
    # store) it costs next to nothing, and the sums group by the same keys as ever.
    cell_keys = ["country", "crime_type"]
    columns = list(dict.fromkeys([*cell_keys, *by]))
    regional = _selected_rows(filters, by, freq, measure, columns, params, held, "admin1")
    # Only a national figure for a period is the total; a national day row is one incident
    # no region was given for, counted beside the regions' (docs/architecture.md).
    national_cells = _union(
        _parts(filters, by, freq, measure, params, held, "national", figures_only=True),
        freq,
        cell_keys,
    )
    national = _selected_rows(filters, by, freq, measure, columns, params, held, "national")
    same_cell = " AND ".join(f"n.{k} = a.{k}" for k in ["cell", *cell_keys])
    picked = ", ".join(f"a.{c}" for c in ["cell", *by, "v"])
    # A left join kept where it found nothing: both planners make it an anti-join, and
    # DuckDB drops it altogether when its statistics show no national row.
    sql = (
        f"SELECT {select} FROM ("
        f"SELECT {picked} FROM ({regional}) a LEFT JOIN (SELECT DISTINCT cell, "
        f"{', '.join(cell_keys)} FROM ({national_cells}) x) n ON {same_cell} "
        f"WHERE n.cell IS NULL "
        f"UNION ALL SELECT {picked} FROM ({national}) a) r {group_order}"
    )
    return " ".join(sql.split()), params


def unshown_sql(filters: Filters, freq: str | None) -> tuple[str, list]:
    """SQL of the active rows in the selection that a view at ``freq`` cannot show, their
    granularity not nesting in its periods, by country × crime type × level × granularity.

    "In the selection" is the filters' countries, regions and crime types, and a period
    overlapping their dates (a yearly figure for 2024 is reported in a monthly view of
    March to June 2024: the data there are yearly).
    """
    if freq is not None:
        _check_choice("freq", freq, tuple(FREQUENCIES))
    hidden = [g for g in GRANULARITIES if g not in shown_granularities(freq)]
    params: list = []
    clauses = [_granularity_clause(hidden)] if hidden else ["FALSE"]
    clauses += _overlapping(filters, params)
    sql = (
        "SELECT country, crime_type, level, granularity, count(*)::BIGINT AS rows, "
        "sum(count)::BIGINT AS count FROM incidents "
        f"WHERE {' AND '.join(clauses)} GROUP BY 1, 2, 3, 4 "
        f"ORDER BY 1, 2, 3, {_GRANULARITY_ORDER}"
    )
    return sql, params


def not_allocated_sql(filters: Filters, freq: str | None) -> tuple[str, list]:
    """SQL of the cells (period × country × crime type) of a view at ``freq`` that have
    both a national figure and regional ones: ``national``, ``regions`` (their sum) and
    ``not_allocated`` (the difference; negative when the regions add to more).

    The regions filter does not apply: the breakdown is of all the country's regions.
    Without a time split (``freq`` None) the cells are years.
    """
    if freq is not None:
        _check_choice("freq", freq, tuple(FREQUENCIES))
    params: list = []
    selection = _without_regions(filters)
    keys = ["country", "crime_type"]
    # Only a national figure for a period is a total to break down (as in aggregate_sql):
    # a national day row is one incident without a region, not a total.
    national = _union(
        _parts(selection, ("country",), freq, "count", params, EVERYTHING, "national", True),
        freq,
        [*keys, "'national' AS level"],
    )
    regions = _selected_rows(
        selection,
        ("country",),
        freq,
        "count",
        [*keys, "'admin1' AS level"],
        params,
        EVERYTHING,
        "admin1",
    )
    sql = (
        "SELECT cell AS period, country, crime_type, "
        "sum(CASE WHEN level = 'national' THEN v END)::BIGINT AS national, "
        "sum(CASE WHEN level = 'admin1' THEN v END)::BIGINT AS regions, "
        "(sum(CASE WHEN level = 'national' THEN v END) "
        "- sum(CASE WHEN level = 'admin1' THEN v END))::BIGINT AS not_allocated "
        f"FROM ({national} UNION ALL {regions}) r GROUP BY 1, 2, 3 "
        "HAVING count(DISTINCT level) = 2 ORDER BY 1, 2, 3"
    )
    return " ".join(sql.split()), params


def granularities_sql(filters: Filters) -> tuple[str, list]:
    """SQL of what the selection holds, by country × crime type × level × granularity:
    the first day, the last day and the rows (dates: periods overlapping the filters')."""
    params: list = []
    where = _where(_overlapping(filters, params))
    sql = (
        "SELECT country, crime_type, level, granularity, min(date) AS first, "
        "max(period_end) AS last, count(*)::BIGINT AS rows FROM incidents "
        f"{where} GROUP BY 1, 2, 3, 4 "
        f"ORDER BY 1, 2, 3, {_GRANULARITY_ORDER}"
    )
    return sql, params


# From the finest to the coarsest (alphabetical order would put the year before the week).
_GRANULARITY_ORDER = (
    "CASE granularity "
    + " ".join(f"WHEN '{g}' THEN {i}" for i, g in enumerate(GRANULARITIES))
    + " END"
)


def _overlapping(filters: Filters, params: list) -> list[str]:
    """Clauses of the filters' countries, regions and crime types, and of the periods
    that overlap the filters' dates (not only those inside them)."""
    where = where_clause(_without_dates(filters), "date", params)
    clauses = [where[len("WHERE ") :]] if where else []
    if filters.start is not None:
        clauses.append("period_end >= ?")
        params.append(filters.start)
    if filters.end is not None:
        clauses.append("date <= ?")
        params.append(filters.end)
    return clauses


def _without_dates(filters: Filters) -> Filters:
    return Filters(filters.countries, filters.regions, filters.crime_types)


def _without_regions(filters: Filters) -> Filters:
    return Filters(filters.countries, (), filters.crime_types, filters.start, filters.end)


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
    # National figures carry no place.
    located = "level = 'admin1' AND latitude IS NOT NULL AND longitude IS NOT NULL"
    where = f"{where} AND {located}" if where else f"WHERE {located}"
    sql = (
        f"SELECT round(latitude, {int(decimals)}) AS latitude, "
        f"round(longitude, {int(decimals)}) AS longitude, sum(count)::BIGINT AS count "
        f"FROM incidents {where} GROUP BY 1, 2 ORDER BY 1, 2"
    )
    return sql, params


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
