"""Which country × crime type cells two periods can be compared on, and what is left out.

No data is not zero: a country that sent nothing for a crime type in some month of a
window is unknown there, so a comparison of that window with another would set a total
against a gap. The overview compares a country × crime type only when every month of
both windows was reported, and names the rest (:func:`left_out`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from threatmon.coverage import REPORTED
from threatmon.periods import PERIOD, Window, month_starts

CELL = ["country", "crime_type"]
#: The columns of :func:`left_out`.
LEFT_OUT_COLUMNS: tuple[str, ...] = ("country", "crime_type", "missing", "never")


def full_grid(countries: Sequence[str], crime_types: Sequence[str], start, end) -> pd.DataFrame:
    """A monthly coverage grid where every cell is reported (for figures read without
    coverage, e.g. a frame built by hand)."""
    months = month_starts(start, end)
    keys = pd.MultiIndex.from_product(
        [list(countries), list(crime_types), months], names=[*CELL, PERIOD]
    ).to_frame(index=False)
    return keys.assign(units=1, covered=1, coverage=REPORTED)


def window_covered(grid: pd.DataFrame, window: Window) -> pd.DataFrame:
    """``country``, ``crime_type`` and ``covered`` (every month of ``window`` reported) for
    every cell of the grid."""
    months = month_starts(*window)
    inside = grid[grid[PERIOD].isin(months)]
    reported = (
        inside.assign(hit=inside["coverage"] == REPORTED)
        .groupby(CELL, sort=True)["hit"]
        .agg(["sum", "size"])
    )
    covered = (reported["sum"] == len(months)) & (reported["size"] == len(months))
    cells = grid[CELL].drop_duplicates().set_index(CELL)
    out = cells.join(covered.rename("covered"), how="left").fillna({"covered": False})
    return out.reset_index().astype({"covered": bool})


def comparable(grid: pd.DataFrame, *windows: Window) -> pd.DataFrame:
    """``country``, ``crime_type`` and ``comparable`` (every month of every window
    reported) for every cell of the grid."""
    out = grid[CELL].drop_duplicates().reset_index(drop=True).assign(comparable=True)
    for window in windows:
        covered = window_covered(grid, window)
        out = out.merge(covered, on=CELL, how="left")
        out["comparable"] = out["comparable"] & out["covered"].fillna(False).astype(bool)
        out = out.drop(columns="covered")
    return out


def left_out(
    grid: pd.DataFrame,
    windows: Mapping[str, Window],
    pairs: Sequence[tuple[str, str]],
    *,
    reported_ever: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The cells of the grid left out of at least one comparison, and why.

    Parameters
    ----------
    grid : DataFrame
        The monthly coverage grid (:func:`threatmon.coverage.coverage_grid`, countries'
        totals) over all the windows.
    windows : mapping
        Window name to (start, end).
    pairs : sequence of (str, str)
        The compared windows, by name (``("current", "previous")``, …).
    reported_ever : set of (country, crime_type), optional
        The cells with any coverage in the store; a left-out cell outside it was never
        reported. By default a cell is "never" reported when none of its months in the
        windows is.

    Returns
    -------
    DataFrame
        ``country``, ``crime_type``, ``missing`` (a tuple of the unreported months of
        the compared windows, in order) and ``never`` (bool), by country and crime type.
    """
    names = list(dict.fromkeys(name for pair in pairs for name in pair))
    months = sorted({m for name in names for m in month_starts(*windows[name])})
    out_of = pd.Series(False, index=pd.MultiIndex.from_frame(grid[CELL].drop_duplicates()))
    for a, b in pairs:
        flags = comparable(grid, windows[a], windows[b]).set_index(CELL)["comparable"]
        out_of = out_of | ~flags.reindex(out_of.index, fill_value=False)
    cells = out_of[out_of].index
    inside = grid[grid[PERIOD].isin(months) & (grid["coverage"] != REPORTED)]
    missing = inside.groupby(CELL, sort=True)[PERIOD].agg(lambda s: tuple(sorted(s)))
    rows = []
    for country, crime in cells:
        gaps = missing.get((country, crime), ())
        if reported_ever is not None:
            never = (country, crime) not in reported_ever
        else:
            never = len(gaps) == len(months)
        rows.append((country, crime, tuple(pd.Timestamp(m) for m in gaps), never))
    frame = pd.DataFrame(rows, columns=list(LEFT_OUT_COLUMNS))
    return frame.sort_values(CELL, kind="stable").reset_index(drop=True)


def month_runs(months: Sequence) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Consecutive months as (first, last) runs: Mar, Apr, May, Aug → (Mar, May), (Aug, Aug)."""
    runs: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for month in sorted(pd.Timestamp(m) for m in months):
        if runs and runs[-1][1] + pd.DateOffset(months=1) == month:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def left_out_groups(frame: pd.DataFrame, crime_types: Sequence[str]) -> list[dict]:
    """:func:`left_out` grouped for a sentence: a country all of whose ``crime_types``
    were left out for the same reason is one item (``crime_types`` empty), otherwise one
    item per reason with the crime types it holds.

    Returns
    -------
    list of dict
        ``country``, ``crime_types`` (tuple; empty: the whole country), ``never`` (bool)
        and ``missing`` (tuple of months), by country.
    """
    items: list[dict] = []
    for country, part in frame.groupby("country", sort=True):
        reasons = part.groupby(["never", "missing"], sort=False)["crime_type"].agg(tuple)
        whole = len(reasons) == 1 and set(part["crime_type"]) >= set(crime_types)
        for (never, missing), crimes in reasons.items():
            items.append(
                {
                    "country": country,
                    "crime_types": () if whole else tuple(crimes),
                    "never": bool(never),
                    "missing": missing,
                }
            )
    return items
