"""The Coverage page's frames: a country × crime type heat table over months, the
countries that sent nothing for a run of months, and the coverage records as a table.

A month is *reported* when daily or monthly figures cover it, *partly* when only a
figure for a longer (or straddling) period does (a quarter, a year, a week that crosses
the month's edge: the total is known, the month's share is not), and *not reported*
otherwise. The level says which figures: regional (``admin1``) where regional figures
cover it, else national.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from threatmon.coverage.grid import NOT_REPORTED, PARTLY, REPORTED, cell_months, coverage_grid
from threatmon.granularity import LEVELS

#: The columns of :func:`heat_table`.
HEAT_COLUMNS: tuple[str, ...] = ("country", "crime_type", "period", "coverage", "level")
_RANK = {REPORTED: 0, PARTLY: 1, NOT_REPORTED: 2}


def heat_table(
    cells: pd.DataFrame,
    start,
    end,
    countries: Sequence[str],
    crime_types: Sequence[str],
) -> pd.DataFrame:
    """Coverage of every country × crime type × month from ``start`` to ``end``.

    Returns
    -------
    DataFrame
        :data:`HEAT_COLUMNS`: ``period`` is the month's first day, ``coverage`` one of
        ``reported``, ``partly``, ``not reported``, and ``level`` ``admin1`` or
        ``national`` (None where not reported); ordered by country, crime type, month.
    """
    countries, crime_types = list(countries), list(crime_types)
    pieces = []
    for level in LEVELS:
        grid = coverage_grid(
            cells, "M", start, end, level=level, countries=countries, crime_types=crime_types
        )
        hit = grid[grid["coverage"] == REPORTED]
        pieces.append(
            hit[["country", "crime_type", "period"]].assign(coverage=REPORTED, level=level)
        )
    longer = cells[cells["granularity"].isin(("week", "quarter", "year"))]
    for level in LEVELS:
        months = cell_months(longer[longer["level"] == level]).rename(columns={"unit": "period"})
        pieces.append(months.assign(coverage=PARTLY, level=level))
    found = pd.concat(pieces, ignore_index=True)
    found = found[found["country"].isin(countries) & found["crime_type"].isin(crime_types)]
    # The best state of each month, and regional figures before national ones.
    found = found.assign(
        _rank=found["coverage"].map(_RANK), _level=found["level"].map(LEVELS.index)
    ).sort_values(["_rank", "_level"], kind="stable")
    found = found.drop_duplicates(["country", "crime_type", "period"])
    months = pd.date_range(
        pd.Timestamp(start).replace(day=1), pd.Timestamp(end), freq="MS", name="period"
    )
    keys = pd.MultiIndex.from_product(
        [countries, crime_types, months], names=["country", "crime_type", "period"]
    ).to_frame(index=False)
    out = keys.merge(found[list(HEAT_COLUMNS)], on=["country", "crime_type", "period"], how="left")
    out["coverage"] = out["coverage"].fillna(NOT_REPORTED)
    out["level"] = out["level"].astype(object).where(out["level"].notna(), None)
    return out[list(HEAT_COLUMNS)].reset_index(drop=True)


def silent_runs(heat: pd.DataFrame) -> dict:
    """Which countries the figures rest on, and when the others were silent.

    Returns
    -------
    dict
        ``countries`` (every country of the table), ``reporting`` (those with at least
        one month reported or partly reported, for any crime type), ``silent`` (the
        countries that sent nothing at all) and ``gaps``: ``(country, first, last)``
        month runs in which a reporting country sent nothing for any crime type,
        between its first and last month with something.
    """
    countries = list(dict.fromkeys(heat["country"]))
    seen = heat[heat["coverage"] != NOT_REPORTED]
    reporting = [c for c in countries if c in set(seen["country"])]
    gaps = []
    for country in reporting:
        months = pd.DatetimeIndex(sorted(set(seen.loc[seen["country"] == country, "period"])))
        expected = pd.date_range(months[0], months[-1], freq="MS")
        missing = expected.difference(months)
        run: list[pd.Timestamp] = []
        for month in missing:
            if run and month != run[-1] + pd.offsets.MonthBegin(1):
                gaps.append((country, run[0], run[-1]))
                run = []
            run.append(month)
        if run:
            gaps.append((country, run[0], run[-1]))
    return {
        "countries": countries,
        "reporting": reporting,
        "silent": [c for c in countries if c not in reporting],
        "gaps": gaps,
    }


def heat_matrix(heat: pd.DataFrame, letters: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The heat table as one row per country × crime type and one column per month:
    the letters of the level (``letters``: level → letter, e.g. ``{"admin1": "R",
    "national": "N"}``; partly reported in lower case) and, alike, the states (for the
    colours). Columns are the months' first days, rows a (country, crime_type) index."""
    text = heat["level"].map(letters).fillna("")
    text = text.where(heat["coverage"] != PARTLY, text.str.lower())
    frame = heat.assign(text=text.where(heat["coverage"] != NOT_REPORTED, "–"))
    index = ["country", "crime_type"]
    order = list(dict.fromkeys(zip(heat["country"], heat["crime_type"], strict=True)))
    values = frame.pivot(index=index, columns="period", values="text").reindex(order)
    states = frame.pivot(index=index, columns="period", values="coverage").reindex(order)
    return values, states


def records_table(records: list[dict]) -> pd.DataFrame:
    """:func:`threatmon.coverage.coverage_records` as a table: gaps as ``from–to`` runs
    separated by ``;``, sources joined by ``,``."""
    columns = ["country", "crime_type", "level", "granularity", "first", "last", "gaps", "sources"]
    rows = [
        {
            **{name: record[name] for name in columns[:6]},
            "gaps": "; ".join(a if a == b else f"{a}–{b}" for a, b in record["gaps"]),
            "sources": ", ".join(record["sources"]),
        }
        for record in records
    ]
    return pd.DataFrame(rows, columns=columns)
