"""The briefing's ranked change table: the largest rises and falls by region × crime type
between the period and the previous one, with their size and, in plain words, whether
they are more than chance.

The rows are the Overview's change table (:func:`trends.overview.store_overview`,
``changes``: :func:`trends.changes.change_levels` with the exact binomial test), so only
regions whose country reported figures by region for every month of both periods are
compared (:mod:`trends.comparable`); the others have no level and are left out, never
counted as 0.
"""

from __future__ import annotations

import pandas as pd

from threatmon.periods import span_text
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends.changes import FLAG_LOW_COUNTS, LIMITED_CHANGE, NO_DATA

__all__ = ["CHANGE_COLUMNS", "change_table"]

#: Columns of :func:`change_table`, in order.
CHANGE_COLUMNS = (
    "",
    "region",
    "crime type",
    "before",
    "now",
    "change",
    "level",
    "more than chance?",
)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _chance(row, alpha: float) -> str:
    """Whether a change of this size is more than chance, in words."""
    if row.flag == FLAG_LOW_COUNTS:
        return "too few incidents to tell"
    if pd.notna(row.p_value) and row.p_value < alpha:
        return f"yes ({_p(row.p_value)})"
    return f"no, could be chance ({_p(row.p_value)})"


def _change(row) -> str:
    change = int(row.change)
    if row.previous == 0:
        return f"{change:+,} (new)"
    return f"{change:+,} ({row.pct_change:+.0f} %)"


def change_table(
    changes: pd.DataFrame,
    current: tuple,
    previous: tuple,
    *,
    top: int = 5,
    alpha: float = CHANGE_ALPHA,
    min_total: int = LOW_COUNT_THRESHOLD,
) -> tuple[pd.DataFrame, str]:
    """The ``top`` largest rises, then the ``top`` largest falls, and the note on them.

    Parameters
    ----------
    changes : DataFrame
        The labelled change levels of :func:`trends.overview.overview_summary`
        (``region_code``, ``region``, ``crime``, ``current``, ``previous``, ``change``,
        ``pct_change``, ``p_value``, ``level``, ``flag``); not modified.
    current, previous : tuple of date-like
        The two periods compared (for the note).
    top : int
        Rows of each direction.
    alpha, min_total : float, int
        The test's level and the low-count guard the levels were computed with.

    Returns
    -------
    (DataFrame, str)
        :data:`CHANGE_COLUMNS`, all text: ``""`` is "rise" or "fall"; the rises by change,
        largest first, then the falls, largest first; rows without data in either period
        never appear.
    """
    known = changes[(changes["level"].astype(str) != NO_DATA) & changes["change"].notna()]
    rises = known[known["change"] > 0].sort_values("change", ascending=False, kind="stable")
    falls = known[known["change"] < 0].sort_values("change", ascending=True, kind="stable")
    rows = []
    for direction, frame in (("rise", rises.head(top)), ("fall", falls.head(top))):
        for row in frame.itertuples(index=False):
            level = str(row.level)
            rows.append(
                (
                    direction,
                    f"{row.region} ({str(row.region_code)[:2]})",
                    str(row.crime),
                    f"{int(row.previous):,}",
                    f"{int(row.current):,}",
                    _change(row),
                    "limited" if level == LIMITED_CHANGE else level,
                    _chance(row, alpha),
                )
            )
    note = (
        f"Largest changes: the {top} largest rises and the {top} largest falls in incidents "
        f"by region and crime type, {span_text(*current)} (now) against "
        f"{span_text(*previous)} (before). Only regions whose country reported figures by "
        "region for every month of both periods are compared; the others are left out, not "
        "counted as 0. “More than chance” is the exact binomial test of the two counts "
        f"(yes when p < {alpha:g}); below {min_total} incidents in the two periods together "
        "there are too few to tell. Levels as on the Overview: large above 25 %, moderate "
        "10–25 %, and only when more than chance; otherwise limited."
    )
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS)), note
