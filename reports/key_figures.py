"""The briefing's key figures in words: the Overview's KPIs, where a comparison without
comparable data says so rather than counting a gap as 0."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def delta_text(change: float, pct: float) -> str:
    """ "+12.5 % (+25)", "+4 (from 0)", "no change", or "no comparable data" when the two
    periods share no reported cell."""
    if pd.isna(change):
        return "no comparable data"
    change = int(change)
    if change == 0:
        return "no change"
    if pd.isna(pct):
        return f"{change:+,} (from 0)"
    return f"{pct:+.1f} % ({change:+,})"


def key_figures(
    summary: Mapping[str, pd.DataFrame], previous: str, year: str, same: bool
) -> list[tuple[str, str, str]]:
    """(label, count, change) of the total and the top movers of
    :func:`trends.overview.overview_summary`; ``previous`` and ``year`` name the
    comparison periods, ``same`` when they are one (a 12-month selection)."""

    def change(row) -> str:
        text = f"{delta_text(row['change_previous'], row['pct_previous'])} vs {previous}"
        if same:  # a 12-month period: the previous period is the year before
            return text
        return text + f"; {delta_text(row['change_year'], row['pct_year'])} vs {year}"

    def count(value) -> str:
        return "no data" if pd.isna(value) else f"{int(value):,}"

    total = summary["total"].iloc[0]
    rows = [("Total incidents", count(total["current"]), change(total))]
    for _, mover in summary["movers"].iterrows():
        rows.append((str(mover["crime"]), count(mover["current"]), change(mover)))
    return rows
