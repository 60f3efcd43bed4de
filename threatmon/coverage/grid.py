"""Coverage of a view's periods, and view frames whose uncovered cells are gaps.

A view at a frequency can only count what its periods hold whole (see
:mod:`threatmon.granularity`): a monthly view is covered by daily rows and monthly
tables, not by a quarterly national figure, which only a quarterly or yearly view
shows. A view period is *reported* when every month of it (every week of a weekly
view) that lies in the view's dates is covered, *partly* when some are, and *not
reported* when none is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from threatmon.granularity import GRANULARITIES, LEVELS, NESTED_IN, period_end, period_start
from threatmon.periods import PERIOD, VALUE

REPORTED = "reported"
PARTLY = "partly"
NOT_REPORTED = "not reported"
#: How a cell, region or total nobody reported is shown (maps, tables, exports): unknown,
#: never a count of 0.
NO_DATA = "no data"
#: The coverage of a view period, from the best to the worst.
STATES: tuple[str, ...] = (REPORTED, PARTLY, NOT_REPORTED)
#: pandas' period starts of each view frequency (a view without a time split is yearly).
_VIEW_FREQ = {"D": "MS", "W": "W-MON", "M": "MS", "Q": "QS", "Y": "YS", None: "YS"}
GRID_COLUMNS = ("country", "crime_type", PERIOD, "units", "covered", "coverage")


def cell_months(frame: pd.DataFrame) -> pd.DataFrame:
    """Each cell's months: (country, crime_type, month) of every month from start to end."""
    if frame.empty:
        return pd.DataFrame({"country": [], "crime_type": [], "unit": pd.to_datetime([])})
    starts = frame["start"].dt.year * 12 + frame["start"].dt.month - 1
    ends = frame["end"].dt.year * 12 + frame["end"].dt.month - 1
    lengths = (ends - starts + 1).to_numpy()
    index = np.repeat(np.arange(len(frame)), lengths)
    steps = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    months = np.repeat(starts.to_numpy(), lengths) + steps
    units = pd.to_datetime(
        {"year": months // 12, "month": months % 12 + 1, "day": np.ones_like(months)}
    )
    return pd.DataFrame(
        {
            "country": frame["country"].to_numpy()[index],
            "crime_type": frame["crime_type"].to_numpy()[index],
            "unit": units.to_numpy(),
        }
    )


def _covered_units(cells: pd.DataFrame, freq: str | None) -> pd.DataFrame:
    """(country, crime_type, unit) covered for a view at ``freq``: months, or weeks."""
    shown = NESTED_IN["Y" if freq is None else ("M" if freq == "D" else freq)]
    usable = cells[cells["granularity"].isin(shown)]
    if freq != "W":
        return cell_months(usable[usable["granularity"] != "week"]).drop_duplicates()
    weeks = usable[usable["granularity"] == "week"][["country", "crime_type", "start"]]
    weeks = weeks.rename(columns={"start": "unit"})
    day_months = cell_months(usable[usable["granularity"] == "day"]).drop_duplicates()
    # A week is covered by daily rows when the months of its Monday and Sunday both are.
    known = set(
        zip(day_months["country"], day_months["crime_type"], day_months["unit"], strict=True)
    )
    pieces = [weeks]
    if known:
        pairs = day_months[["country", "crime_type"]].drop_duplicates()
        first, last = day_months["unit"].min(), day_months["unit"] + pd.offsets.MonthEnd(0)
        mondays = pd.date_range(first - pd.Timedelta(days=6), last.max(), freq="W-MON")
        rows = []
        for country, crime_type in pairs.itertuples(index=False):
            for monday in mondays:
                sunday = monday + pd.Timedelta(days=6)
                if (country, crime_type, monday.replace(day=1)) in known and (
                    country,
                    crime_type,
                    sunday.replace(day=1),
                ) in known:
                    rows.append((country, crime_type, monday))
        pieces.append(pd.DataFrame(rows, columns=["country", "crime_type", "unit"]))
    return pd.concat(pieces, ignore_index=True).drop_duplicates()


def coverage_grid(
    cells: pd.DataFrame,
    freq: str | None,
    start,
    end,
    *,
    level: str | None = None,
    countries: Sequence[str] = (),
    crime_types: Sequence[str] = (),
) -> pd.DataFrame:
    """Coverage of every country × crime type × view period from ``start`` to ``end``.

    Parameters
    ----------
    cells : DataFrame
        :meth:`threatmon.store.reader.Store.coverage_cells`.
    freq : {"D", "W", "M", "Q", "Y"} or None
        The view's frequency (None: no time split, counted by years).
    start, end : date-like
        The view's first and last day; a period cut by them is judged on its part
        inside them.
    level : {"admin1", "national"} or None
        Only figures of this level cover (a map of regions needs ``admin1``); None: either.
    countries, crime_types : sequence of str
        The rows of the grid; empty: those of the cells.

    Returns
    -------
    DataFrame
        ``country``, ``crime_type``, ``period`` (the view period's first day), ``units``
        (its months, or weeks, inside the dates), ``covered`` (how many of them are
        covered) and ``coverage`` (:data:`REPORTED`, :data:`PARTLY` or
        :data:`NOT_REPORTED`).
    """
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    usable = cells if level is None else cells[cells["level"] == level]
    countries = list(countries) or sorted(cells["country"].unique())
    crime_types = list(crime_types) or sorted(cells["crime_type"].unique())
    unit_freq = "W-MON" if freq == "W" else "MS"
    unit_first = first - pd.Timedelta(days=first.weekday()) if freq == "W" else first.replace(day=1)
    units = pd.date_range(unit_first, last, freq=unit_freq)
    view = units.to_period(
        {"W": "W-SUN", "M": "M", "D": "M", "Q": "Q", "Y": "Y", None: "Y"}[freq]
    ).start_time
    calendar = pd.DataFrame({"unit": units, PERIOD: view})
    keys = pd.MultiIndex.from_product([countries, crime_types], names=["country", "crime_type"])
    base = keys.to_frame(index=False).merge(calendar, how="cross")
    # Only the grid's cells and dates are expanded into units: the rest could match no row
    # (the briefing's map asks for each country apart; unfiltered, each call expanded all).
    usable = usable[
        usable["country"].isin(countries)
        & usable["crime_type"].isin(crime_types)
        # Whole months either side: a month with one daily row is covered, and a week by
        # the months of its Monday and Sunday.
        & (usable["end"] >= unit_first.replace(day=1))
        & (usable["start"] <= last + pd.Timedelta(days=6) + pd.offsets.MonthEnd(0))
    ]
    covered = _covered_units(usable, freq)
    covered = covered[covered["country"].isin(countries) & covered["crime_type"].isin(crime_types)]
    marked = base.merge(covered.assign(hit=1), on=["country", "crime_type", "unit"], how="left")
    marked["hit"] = marked["hit"].fillna(0).astype("int64")
    grid = (
        marked.groupby(["country", "crime_type", PERIOD], sort=True)
        .agg(units=("unit", "size"), covered=("hit", "sum"))
        .reset_index()
    )
    grid["coverage"] = np.select(
        [grid["covered"] >= grid["units"], grid["covered"] > 0], [REPORTED, PARTLY], NOT_REPORTED
    )
    return grid[list(GRID_COLUMNS)]


def covered_keys(grid: pd.DataFrame, state: str = REPORTED) -> set[tuple[str, str, pd.Timestamp]]:
    """The (country, crime_type, period) of the grid in ``state``."""
    hit = grid[grid["coverage"] == state]
    return set(zip(hit["country"], hit["crime_type"], hit[PERIOD], strict=True))


def with_coverage(
    frame: pd.DataFrame,
    grid: pd.DataFrame,
    keys: Sequence[str],
    *,
    value: str = VALUE,
    regions: pd.DataFrame | None = None,
    partly_is_gap: bool = False,
) -> pd.DataFrame:
    """``frame`` (``period``, ``keys``, ``value``) on every key × period of the grid: 0
    where the period was reported without a row, missing (NaN) where it was not reported.

    Parameters
    ----------
    frame : DataFrame
        A view's aggregate at the grid's frequency.
    grid : DataFrame
        :func:`coverage_grid` of the same view.
    keys : sequence of str
        Any of ``country``, ``region_code``, ``crime_type`` (empty: one total). A key
        coarser than the grid's (a country summed over crime types, a total over
        countries) is reported when all its cells are, partly when some are.
    regions : DataFrame, optional
        ``region_code`` and ``country`` of every region, when ``keys`` has ``region_code``:
        a region is covered where its country's regional figures are.
    partly_is_gap : bool
        Treat a partly reported period as a gap too (by default it keeps what was
        reported, marked ``partly``).

    Returns
    -------
    DataFrame
        ``period``, ``keys``, ``value`` (float, NaN for a gap) and ``coverage``; ordered
        by ``keys`` then period.
    """
    keys = list(keys)
    expanded = grid
    if "region_code" in keys:
        if regions is None:
            raise ValueError("`regions` is needed for a breakdown by region_code.")
        expanded = grid.merge(regions[["region_code", "country"]], on="country", how="inner")
    group = [k for k in keys] + [PERIOD]
    summary = (
        expanded.groupby(group, sort=True)
        .agg(units=("units", "sum"), covered=("covered", "sum"))
        .reset_index()
    )
    summary["coverage"] = np.select(
        [summary["covered"] >= summary["units"], summary["covered"] > 0],
        [REPORTED, PARTLY],
        NOT_REPORTED,
    )
    data = frame[[*keys, PERIOD, value]].copy()
    data[PERIOD] = pd.to_datetime(data[PERIOD])
    out = summary[group + ["coverage"]].merge(data, on=group, how="left")
    values = out[value].astype("float64").fillna(0.0)
    gap = out["coverage"] == NOT_REPORTED
    if partly_is_gap:
        gap |= out["coverage"] == PARTLY
    out[value] = values.mask(gap)
    return (
        out[[PERIOD, *keys, value, "coverage"]].sort_values([*keys, PERIOD]).reset_index(drop=True)
    )


#: The view frequency whose periods are those of a granularity.
_FREQ_OF = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def is_covered(
    cells: pd.DataFrame,
    country: str,
    crime_type: str,
    level: str | None,
    period_start_day,
    granularity: str,
) -> bool:
    """Whether ``country`` reported ``crime_type`` at ``level`` for the whole
    ``granularity`` period holding ``period_start_day``.

    A day is covered when its month is (coverage of daily rows is counted in months);
    a longer period when every month of it (every week's months, for a week) is covered
    by figures that nest in it: a quarterly figure covers its quarter and year, never
    one of its months. ``level=None`` accepts either level's figures.

    Raises
    ------
    ValueError
        For an unknown level or granularity.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"Not a granularity: {granularity!r}.")
    if level is not None and level not in LEVELS:
        raise ValueError(f"Not a level: {level!r}.")
    first = period_start(pd.Timestamp(period_start_day).date(), granularity)
    last = first if granularity == "day" else period_end(first, granularity)
    grid = coverage_grid(
        cells,
        _FREQ_OF[granularity],
        first,
        last,
        level=level,
        countries=[country],
        crime_types=[crime_type],
    )
    return bool(len(grid)) and bool((grid["coverage"] == REPORTED).all())
