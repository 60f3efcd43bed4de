"""The overview in plain words: which changes are more than chance, and the clearest of them.

A change between two periods is *clear* when the change level
(:func:`trends.changes.change_levels`) calls it moderate or large: it passed the
low-count guard (enough incidents, and a binomial test that makes a change of that size
unlikely by chance). The guard's two refusals are said as they are meant: "could be
chance" (enough incidents, but a change of that size happens by chance alone) and "too
few to tell". Everything here returns codes and :class:`threatmon.messages.Message`
values; the dashboard writes them in the reader's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from threatmon.messages import Message
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends.changes import (
    FLAG_LOW_COUNTS,
    FLAG_NOT_SIGNIFICANT,
    LARGE_DECREASE,
    LARGE_INCREASE,
    LEVEL_RANK,
    MODERATE_DECREASE,
    MODERATE_INCREASE,
    NO_DATA,
    change_levels,
)

CLEAR_RISE = "clear_rise"
CLEAR_FALL = "clear_fall"
LITTLE_CHANGE = "little_change"
COULD_BE_CHANCE = "could_be_chance"
TOO_FEW = "too_few"
NOT_COMPARABLE = "no_data"
#: What a change is, in words (message keys ``reading.<code>``), from clear to unknown.
READINGS: tuple[str, ...] = (
    CLEAR_RISE,
    CLEAR_FALL,
    LITTLE_CHANGE,
    COULD_BE_CHANCE,
    TOO_FEW,
    NOT_COMPARABLE,
)
#: The sentences of :func:`headlines`.
HEADLINE_KEYS: tuple[str, ...] = (
    "summary.rise",
    "summary.rise_chance",
    "summary.fall",
    "summary.fall_chance",
    "summary.new",
    "summary.new_chance",
)
#: Every message key of this module (the catalogues' ``msg.`` family checks against it).
MESSAGE_KEYS: tuple[str, ...] = (*(f"reading.{code}" for code in READINGS), *HEADLINE_KEYS)

_RISES = (LARGE_INCREASE, MODERATE_INCREASE)
_FALLS = (LARGE_DECREASE, MODERATE_DECREASE)


def readings(levels: pd.DataFrame) -> pd.Series:
    """What each row of a :func:`~trends.changes.change_levels` frame is, in one code.

    :data:`CLEAR_RISE` / :data:`CLEAR_FALL` for a moderate or large change;
    :data:`COULD_BE_CHANCE` and :data:`TOO_FEW` for the guard's two flags ("not
    significant", "low counts"); :data:`LITTLE_CHANGE` for a limited change that passed
    it; :data:`NOT_COMPARABLE` where a period was not reported. Same index as ``levels``.
    """
    level = levels["level"].astype(str)
    flag = levels["flag"].astype(str)
    code = np.select(
        [
            level == NO_DATA,
            level.isin(_RISES),
            level.isin(_FALLS),
            flag == FLAG_NOT_SIGNIFICANT,
            flag == FLAG_LOW_COUNTS,
        ],
        [NOT_COMPARABLE, CLEAR_RISE, CLEAR_FALL, COULD_BE_CHANCE, TOO_FEW],
        default=LITTLE_CHANGE,
    )
    return pd.Series(code, index=levels.index, dtype=object)


def change_readings(
    current,
    previous,
    *,
    min_total: int = LOW_COUNT_THRESHOLD,
    alpha: float | None = CHANGE_ALPHA,
) -> list[str]:
    """:func:`readings` of pairs of counts (two periods of equal length), e.g. the key
    figures' ``current_previous`` and ``previous``: NaN on either side is
    :data:`NOT_COMPARABLE`."""
    frame = pd.DataFrame(
        {
            "row": range(len(current)),
            "current": np.asarray(current, dtype="float64"),
            "previous": np.asarray(previous, dtype="float64"),
        }
    )
    levels = change_levels(
        frame[["row", "current"]].rename(columns={"current": "count"}),
        frame[["row", "previous"]].rename(columns={"previous": "count"}),
        ["row"],
        min_total=min_total,
        alpha=alpha,
        value="count",
    )
    return readings(levels.sort_values("row")).tolist()


def headlines(levels: pd.DataFrame, *, rises: int = 3, falls: int = 2) -> list[Message]:
    """The clearest rises and falls of a :func:`~trends.changes.change_levels` frame by
    ``region_code`` and ``crime_type``, as sentences.

    Up to ``rises`` clear rises and ``falls`` clear falls, in the table's order (large
    before moderate, then by absolute change). A direction without any clear change gets
    its largest "could be chance" one instead (a change of a moderate or large size that
    the binomial test could not tell from chance), said as such; rows with too few
    incidents or without data are never headlines. Rises first.

    Each message has ``region``, ``crime``, ``current``, ``previous`` and ``pct`` (the
    absolute percentage change, rounded; ``summary.new`` for a rise from zero has none).
    """
    ranked = levels.assign(
        _rank=levels["level"].astype(str).map(LEVEL_RANK),
        _size=-levels["change"].abs().fillna(0),
    ).sort_values(["_rank", "_size"], kind="stable")
    level = ranked["level"].astype(str)
    chance = ranked["flag"].astype(str) == FLAG_NOT_SIGNIFICANT
    out = []
    for wanted, clear_levels, sign in ((rises, _RISES, 1), (falls, _FALLS, -1)):
        clear = ranked[level.isin(clear_levels)].head(wanted)
        if clear.empty and wanted > 0:
            unsure = ranked[chance & (np.sign(ranked["change"]) == sign)]
            unsure = unsure.sort_values("_size", kind="stable").head(1)
            out += [_headline(row, clear=False) for _, row in unsure.iterrows()]
        out += [_headline(row, clear=True) for _, row in clear.iterrows()]
    return out


def _headline(row: pd.Series, *, clear: bool) -> Message:
    params = {
        "region": row["region_code"],
        "crime": row["crime_type"],
        "current": int(row["current"]),
        "previous": int(row["previous"]),
    }
    if row["previous"] == 0:
        return Message("summary.new" if clear else "summary.new_chance", params)
    direction = "rise" if row["change"] > 0 else "fall"
    key = f"summary.{direction}" if clear else f"summary.{direction}_chance"
    return Message(key, {**params, "pct": int(round(abs(float(row["pct_change"]))))})
