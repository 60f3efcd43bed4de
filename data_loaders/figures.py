"""The periods of a file's rows, and the rules of figures for periods (a week, a month, a
quarter or a year) that event lists do not have.

Staging (:mod:`data_loaders.staging`) asks this module for the lookup table of the date
column (each distinct value, or each distinct date and period-end pair, with its period
or why it has none) and for the SQL of three rules:

- a file holds one granularity: one problem of the file names those found;
- a figure appears once per file: two rows of one country, level, region, category and
  period are refused (the store would count the figure twice);
- categories that share a crime type (criminal-code articles 305 and 307 are both drug
  trafficking) are parts of one figure: their rows are added up into one stored row.
"""

from __future__ import annotations

import pandas as pd

from data_loaders.normalise.periods import (
    Period,
    PeriodReading,
    mixed_granularity,
    read_periods,
    span,
)
from threatmon.contract import AGGREGATE_KEY
from threatmon.granularity import GRANULARITIES

#: Why a flow row holds no period: flows are counted per day and crossing point.
FLOW_DAYS = "Flows are counted per day: write the day (2026-01-15), not a period."
#: What to do about a figure given twice in one file.
REPEATED_FIGURE_HINT = (
    "A table of figures holds one row per country, region, category and period: remove "
    "the repeated row, or add the two up in one row."
)
#: A day's count of 0 is no event; a reported zero is a figure for a longer period.
ZERO_DAY_HINT = (
    "A row for a day stands for incidents that happened; a reported zero belongs to a "
    "week, month, quarter or year: write the period (2025-06, 2025) in the date column."
)
#: The columns a summed figure keeps only when all its parts agree on them.
#: What statistics offices write for a figure they do not have (Eurostat ":", "..", the
#: ellipsis, "n/a"): with an empty cell, a figure for a period that was not reported. A
#: dash is not among them: many offices write it for a magnitude of zero.
NOT_REPORTED_VALUES: tuple[str, ...] = (":", "..", "...", "\u2026", "n/a", "na", "not available")


def not_reported_sql(count: str, granularity: str) -> str:
    """SQL true for a row whose ``count`` cell says "not reported" and whose period is
    longer than a day (a day's row is an incident: an empty count there is an error)."""
    listed = ", ".join(f"'{value}'" for value in NOT_REPORTED_VALUES)
    return f"(({count} IS NULL OR lower({count}) IN ({listed})) AND {granularity} <> 'day')"


def not_reported_count_sql(raw, period_join: str, unreported: str, crime: str | None) -> str:
    """SQL counting the rows of ``raw`` (a RawTable) that are not empty and say "not
    reported", without those of categories skipped as outside the crime types (``crime``:
    the category column, when they are skipped)."""
    cells = ", ".join(f"r.c{i}" for i in range(len(raw.columns)))
    skipped = (
        f" AND r.{crime} NOT IN (SELECT raw FROM crime_map WHERE category IS NOT NULL)"
        if crime
        else ""
    )
    return (
        f"SELECT count(*) FROM {raw.table} r {period_join} "
        f"WHERE coalesce({cells}) IS NOT NULL AND {unreported}{skipped}"
    )


_KEPT_IF_SAME = ("crossing_point", "latitude", "longitude", "source", "incident_id")
#: The numbers added up over the parts (unknown when one part does not report them).
_ADDED = ("victims", "suspects")
#: What makes one stored figure (with the period, ``date`` and ``granularity``).
FIGURE_KEY = AGGREGATE_KEY


def period_table(
    dates: list[str],
    pairs: list[tuple[str, str | None]] | None,
    order: str | None,
    kind: str,
) -> tuple[pd.DataFrame, PeriodReading, tuple[str, ...]]:
    """The lookup table of a file's periods.

    Parameters
    ----------
    dates : list of str
        The distinct values of the date column.
    pairs : list of (str, str or None), optional
        With a ``period_end`` column: the distinct (date, period end) pairs of the rows.
    order : {"dmy", "mdy"}, optional
    kind : {"incidents", "flows"}

    Returns
    -------
    DataFrame
        ``raw`` (and with pairs ``raw_end``), ``start``, ``end``, ``granularity``,
        ``reason`` (the date's problem) and ``end_reason`` (the period end's).
    PeriodReading
        How the values read (its ``name`` describes the file's forms).
    tuple of str
        The granularities of the rows, finest first (a row whose days' order is
        undecided counts as a day).
    """
    ends = sorted({end for _, end in pairs or () if end is not None})
    reading = read_periods(dates + [end for end in ends if end not in set(dates)], order)
    undecided = reading.convention.problem is not None
    rows: list[tuple] = []
    found: set[str] = set()
    for raw, raw_end in pairs if pairs is not None else [(raw, None) for raw in dates]:
        period, reason = reading.periods.get(raw), reading.problems.get(raw)
        end_reason = None
        if period is not None and raw_end is not None:
            end_period = reading.periods.get(raw_end)
            if end_period is None:
                # No end, or one whose day/month order is undecided (the file says so).
                period, end_reason = None, reading.problems.get(raw_end)
            else:
                period, end_reason = span(period, end_period)
        if period is not None and kind == "flows" and period.granularity != "day":
            period, reason = None, FLOW_DAYS
        if period is None and reason is None and end_reason is None and not undecided:
            reason = f"Not a valid date under the file's convention ({reading.name})."
        if period is not None:
            found.add(period.granularity)
        elif reason is None and raw_end is None and undecided:
            found.add("day")
        rows.append((raw, raw_end, period, reason, end_reason))
    frame = pd.DataFrame(
        {
            "raw": pd.Series([row[0] for row in rows], dtype="string"),
            "raw_end": pd.Series([row[1] for row in rows], dtype="string"),
            "start": pd.to_datetime(pd.Series([_day(row[2], "start") for row in rows])),
            "end": pd.to_datetime(pd.Series([_day(row[2], "end") for row in rows])),
            "granularity": pd.Series(
                [row[2].granularity if row[2] else None for row in rows], dtype="string"
            ),
            "reason": pd.Series([row[3] for row in rows], dtype="string"),
            "end_reason": pd.Series([row[4] for row in rows], dtype="string"),
        }
    )
    if pairs is None:
        frame = frame.drop(columns="raw_end")
    return frame, reading, tuple(g for g in GRANULARITIES if g in found)


def _day(period: Period | None, which: str):
    if period is None:
        return None
    return period.start if which == "start" else period.end


def mixed_problem_sql(raw_table: str, date: str, end: str | None) -> str:
    """One row per granularity of ``staged``: its name, first line and that line's value."""
    value = f"r.{date}" if end is None else f"r.{date} || ' to ' || coalesce(r.{end}, '')"
    return (
        f"SELECT s.granularity, min(s.line), arg_min({value}, s.line) FROM staged s "
        f"JOIN {raw_table} r ON r.line = s.line WHERE s.granularity IS NOT NULL "
        "GROUP BY s.granularity ORDER BY min(s.line)"
    )


def mixed_message(rows: list[tuple[str, int, str]]) -> str:
    """The file's problem from the rows of :func:`mixed_problem_sql`."""
    return mixed_granularity([(g, value, int(line)) for g, line, value in rows])


def _readable_figures(raw_table: str) -> str:
    return (
        f"FROM staged s JOIN {raw_table} r ON r.line = s.line "
        "WHERE s.problem_cells = 0 AND s.granularity <> 'day'"
    )


def repeated_figures_sql(raw_table: str, date: str, crime: str) -> tuple[str, str]:
    """(how many repeated figures there are, the problems of the repeats).

    A figure is one country, level, region, *category as written* and period: rows of two
    categories that share a crime type are parts of one figure, not repeats. Rows with a
    problem of their own are left out (an unreadable region is NULL like a national row).
    """
    key = f"s.country, s.level, s.region_code, r.{crime}, s.date, s.granularity"
    count = (
        f"SELECT count(*) FROM (SELECT 1 {_readable_figures(raw_table)} "
        f"GROUP BY {key} HAVING count(*) > 1)"
    )
    problems = (
        f"SELECT line, 'date' AS col, value, "
        f"'The same country, region, category and period as line ' || first_line || '.' "
        f"AS reason, '{REPEATED_FIGURE_HINT}' AS suggestion FROM ("
        f"SELECT s.line, r.{date}::VARCHAR AS value, "
        f"min(s.line) OVER (PARTITION BY {key}) AS first_line {_readable_figures(raw_table)}) "
        f"WHERE line > first_line"
    )
    return count, problems


def parts_sql() -> str:
    """How many rows are added into another row of the same figure (0: none)."""
    key = ", ".join(f"s.{column}" for column in FIGURE_KEY)
    return (
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM staged s "
        f"WHERE s.granularity <> 'day' GROUP BY {key}, s.date, s.granularity HAVING n > 1)"
    )


def summed_sql(columns: tuple[str, ...]) -> str:
    """The rows of ``staged`` with the parts of each figure added up, in ``columns``.

    Day rows are kept as they are (each is its own incident).
    """
    key = (*FIGURE_KEY, "date", "granularity")
    select = []
    for column in columns:
        if column in key:
            select.append(column)
        elif column == "count":
            select.append("sum(count)::BIGINT AS count")
        elif column == "period_end":
            select.append("any_value(period_end) AS period_end")
        elif column in _ADDED:
            select.append(
                f"CASE WHEN count({column}) = count(*) THEN sum({column}) END::BIGINT AS {column}"
            )
        elif column in _KEPT_IF_SAME:
            select.append(
                f"CASE WHEN count({column}) = count(*) AND count(DISTINCT {column}) = 1 "
                f"THEN any_value({column}) END AS {column}"
            )
        else:
            raise ValueError(f"No rule adds up the column {column!r}.")
    names = ", ".join(columns)
    return (
        f"SELECT {names} FROM staged WHERE granularity = 'day' UNION ALL "
        f"SELECT {', '.join(select)} FROM staged WHERE granularity <> 'day' "
        f"GROUP BY {', '.join(key)}"
    )


__all__ = [
    "FIGURE_KEY",
    "FLOW_DAYS",
    "REPEATED_FIGURE_HINT",
    "ZERO_DAY_HINT",
    "mixed_message",
    "mixed_problem_sql",
    "parts_sql",
    "period_table",
    "repeated_figures_sql",
    "summed_sql",
]
