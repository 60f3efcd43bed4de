"""Flow series that look like running totals: they never decrease over many dates.

A source that publishes "arrivals since 24 February" mapped as daily arrivals would make
every later figure an overcount by all the days before it. The load is not refused (a
steady rise is possible), but the summary says so and how to load differences instead.
"""

from __future__ import annotations

import duckdb

from threatmon.registry.regions import country_name
from threatmon.rules import CUMULATIVE_MIN_PERIODS


def cumulative_warnings(con: duckdb.DuckDBPyConnection, table: str = "staged") -> list[str]:
    """One sentence per flow series of ``table`` that never decreases and grows.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    table : str
        A table with the flow contract's ``date``, ``country``, ``crossing_point`` and
        ``arrivals`` (several rows of one series and date are summed).

    Returns
    -------
    list of str
        For each series (country × crossing point, or the country total) with at least
        :data:`~threatmon.rules.CUMULATIVE_MIN_PERIODS` dates whose arrivals never fall
        from one date to the next and end higher than they start, e.g. ``"Arrivals into
        Poland at UA-PL-SHEHYNI never decrease over 9 dates (2022-03-01 to 2022-03-09,
        from 100 to 900): they look like running totals, not arrivals per date. If they
        are, load the differences between consecutive dates instead."``; sorted by
        country and crossing point (the country total first).
    """
    rows = con.execute(
        f"""
        WITH series AS (
            SELECT country, crossing_point, date, sum(arrivals) AS arrivals
            FROM {table} GROUP BY ALL
        ), steps AS (
            SELECT *, arrivals - lag(arrivals) OVER (
                PARTITION BY country, crossing_point ORDER BY date) AS step
            FROM series
        )
        SELECT country, crossing_point, count(*) AS n, min(date), max(date),
               arg_min(arrivals, date), arg_max(arrivals, date)
        FROM steps GROUP BY country, crossing_point
        HAVING count(*) >= {int(CUMULATIVE_MIN_PERIODS)} AND bool_and(coalesce(step, 0) >= 0)
           AND arg_max(arrivals, date) > arg_min(arrivals, date)
        ORDER BY country, crossing_point NULLS FIRST
        """
    ).fetchall()
    return [
        f"Arrivals into {country_name(country)} "
        + (f"at {point}" if point is not None else "(country total)")
        + f" never decrease over {n:,} dates ({first:%Y-%m-%d} to {last:%Y-%m-%d}, "
        f"from {low:,} to {high:,}): they look like running totals, not arrivals per date. "
        "If they are, load the differences between consecutive dates instead."
        for country, point, n, first, last, low, high in rows
    ]
