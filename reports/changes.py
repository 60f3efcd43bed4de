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

from reports.words import ENGLISH, Words
from threatmon.i18n import known
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends.changes import FLAG_LOW_COUNTS, LIMITED_CHANGE, NO_DATA

__all__ = ["CHANGE_COLUMNS", "change_table"]

#: Columns of :func:`change_table`, in order (in English; ``words`` names them).
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


def _columns(words: Words) -> list[str]:
    return [
        "",
        words.t("briefing.col.region"),
        words.t("briefing.col.crime_type"),
        words.t("briefing.col.before"),
        words.t("briefing.col.now"),
        words.t("briefing.col.change"),
        words.t("briefing.col.level"),
        words.t("briefing.col.more_than_chance"),
    ]


def _p(p: float, words: Words) -> str:
    if p < 0.001:
        return words.t("briefing.p_below", p=words.number(0.001, 3))
    return words.t("briefing.p_equal", p=words.number(p, 3))


def _chance(row, alpha: float, words: Words) -> str:
    """Whether a change of this size is more than chance, in words."""
    if row.flag == FLAG_LOW_COUNTS:
        return words.t("briefing.changes.too_few")
    if pd.notna(row.p_value) and row.p_value < alpha:
        return words.t("briefing.changes.yes", p=_p(row.p_value, words))
    return words.t("briefing.changes.no", p=_p(row.p_value, words))


def _change(row, words: Words) -> str:
    change = words.number(int(row.change), sign=True)
    if row.previous == 0:
        return words.t("briefing.changes.new", change=change)
    return f"{change} ({words.percent(row.pct_change, 0, sign=True)})"


def _level(level: str, words: Words) -> str:
    if level == LIMITED_CHANGE:
        return words.t("briefing.changes.limited")
    slug = level.replace(" ", "_")
    return words.t(f"level.{slug}") if known(f"level.{slug}") else level


def change_table(
    changes: pd.DataFrame,
    current: tuple,
    previous: tuple,
    *,
    top: int = 5,
    alpha: float = CHANGE_ALPHA,
    min_total: int = LOW_COUNT_THRESHOLD,
    words: Words = ENGLISH,
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
    directions = (
        (words.t("briefing.changes.rise"), rises.head(top)),
        (words.t("briefing.changes.fall"), falls.head(top)),
    )
    for direction, frame in directions:
        for row in frame.itertuples(index=False):
            level = str(row.level)
            rows.append(
                (
                    direction,
                    f"{row.region} ({str(row.region_code)[:2]})",
                    str(row.crime),
                    words.number(int(row.previous)),
                    words.number(int(row.current)),
                    _change(row, words),
                    _level(level, words),
                    _chance(row, alpha, words),
                )
            )
    note = words.t(
        "briefing.changes.note",
        top=top,
        now=words.span(*current),
        was=words.span(*previous),
        alpha=words.number(alpha, 2),
        min_total=min_total,
    )
    return pd.DataFrame(rows, columns=_columns(words)), note
