"""Change levels: how much a count changed between two periods, and whether it means anything.

The levels follow ACLED Trendfinder's "Change Level" categories (percentage change
against a comparison period, with a guard against low baselines), made symmetric and
given a statistical low-count guard; see :func:`change_levels` and
``docs/dashboard.md``. Every function takes arrays or DataFrames and returns new ones;
no argument is ever modified.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from threatmon.periods import VALUE
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD

LARGE_INCREASE = "large increase"
MODERATE_INCREASE = "moderate increase"
LIMITED_CHANGE = "limited change"
MODERATE_DECREASE = "moderate decrease"
LARGE_DECREASE = "large decrease"
#: The change levels from the largest increase to the largest decrease.
LEVELS: tuple[str, ...] = (
    LARGE_INCREASE,
    MODERATE_INCREASE,
    LIMITED_CHANGE,
    MODERATE_DECREASE,
    LARGE_DECREASE,
)
#: The level of a row whose periods were not both reported: nothing to compare.
NO_DATA = "no data"
#: Order of the ranked table: the strongest signals first, increases before decreases.
LEVEL_RANK: dict[str, int] = {
    LARGE_INCREASE: 0,
    LARGE_DECREASE: 1,
    MODERATE_INCREASE: 2,
    MODERATE_DECREASE: 3,
    LIMITED_CHANGE: 4,
    NO_DATA: 5,
}
#: The thresholds of a moderate and a large change, in % (ACLED Trendfinder's).
MODERATE_PCT = 10.0
LARGE_PCT = 25.0
FLAG_LOW_COUNTS = "low counts"
FLAG_NOT_SIGNIFICANT = "not significant"


def percent_change(current, previous) -> np.ndarray:
    """``100 * (current - previous) / previous``; NaN where ``previous`` is 0 or either
    side is missing (not reported)."""
    current = np.asarray(current, dtype="float64")
    previous = np.asarray(previous, dtype="float64")
    change = (current - previous) * 100
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(previous > 0, change / np.where(previous > 0, previous, 1), np.nan)
    return pct.astype("float64")


def binomial_p_values(current, previous) -> np.ndarray:
    """Two-sided exact conditional binomial test of equal rates for two Poisson counts.

    Given ``n = current + previous`` events in two periods of equal length, under
    "no change" ``current`` is Binomial(n, 1/2). Identical to
    ``scipy.stats.binomtest(current, n, 0.5).pvalue`` (the distribution is symmetric,
    so the two-sided p-value is twice the smaller tail, capped at 1), but vectorised,
    and built on ``scipy.special.bdtr`` (the binomial CDF): importing ``scipy.stats``
    would add about two seconds to the dashboard's first page load. NaN where ``n``
    is 0.
    """
    # Imported here, by the first test: every page imports this module through the frame,
    # and pages that test no change (Upload, Audit, Coverage) never pay the 0.4 s import.
    from scipy import special

    current = np.asarray(current, dtype="int64")
    previous = np.asarray(previous, dtype="int64")
    total = current + previous
    smaller = np.minimum(current, previous)
    safe_total = np.where(total > 0, total, 1)
    p = np.minimum(1.0, 2.0 * special.bdtr(smaller, safe_total, 0.5))
    # Exactly half of the events in each period: the observed value is the mode, p = 1.
    p = np.where(current == previous, 1.0, p)
    return np.where(total > 0, p, np.nan)


def change_levels(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    keys: Sequence[str],
    min_total: int = LOW_COUNT_THRESHOLD,
    alpha: float | None = CHANGE_ALPHA,
    *,
    value: str = VALUE,
    moderate: float = MODERATE_PCT,
    large: float = LARGE_PCT,
) -> pd.DataFrame:
    """Classify the change from ``previous`` to ``current`` per key, Trendfinder style.

    Levels by percentage change ``pct = 100 * (current - previous) / previous``:

    ============================  ===============================
    large increase                pct > +``large``
    moderate increase             +``moderate`` <= pct <= +``large``
    limited change                -``moderate`` < pct < +``moderate``
    moderate decrease             -``large`` <= pct <= -``moderate``
    large decrease                pct < -``large``
    ============================  ===============================

    A zero previous count with a positive current count is an unbounded increase
    (``pct`` is NaN, the level "large increase" when the guard passes).

    Low-count guard: a row is only classified as a moderate or large change when
    ``current + previous >= min_total`` **and** the exact conditional binomial test
    (:func:`binomial_p_values`; periods of equal length) gives ``p < alpha``.
    Otherwise it is "limited change" with ``flag`` "low counts" (too few events) or
    "not significant" (enough events, but a change of that size is plausible by
    chance). So 1 -> 3 (+200 %) is "limited change, low counts", and 100 -> 80 (-20 %,
    p = 0.16) is "limited change, not significant" while 1000 -> 800 is a moderate
    decrease. ``alpha=None`` drops the test and keeps only the count guard (ACLED's
    own guard is a count guard).

    Parameters
    ----------
    current, previous : DataFrame
        ``keys`` and ``value`` (the totals of two periods of equal length); a key
        combination missing from one side counts 0 there, and a missing ``value`` (NaN:
        that period was not reported) makes the row :data:`NO_DATA`.
    keys : sequence of str
        The columns that identify a row, e.g. ``["region_code", "crime_type"]``.
    min_total : int
        Minimum ``current + previous`` before a change can be classified.
    alpha : float or None
        Significance level of the binomial test; None: no test, counts only.
    moderate, large : float
        The percentage thresholds (ACLED: 10 and 25).

    Returns
    -------
    DataFrame
        ``keys``, ``current``, ``previous``, ``change``, ``pct_change``, ``p_value``,
        ``level`` (ordered categorical, :data:`LEVELS` from increase to decrease, then
        :data:`NO_DATA`), ``flag`` ("", "low counts" or "not significant"), ranked: large
        changes first, then moderate, then limited (increases before decreases within a
        size), then by absolute change, largest first, then by keys; rows without data
        last. The counts are int64, or float64 with NaN where a period was not reported
        (``change``, ``pct_change`` and ``p_value`` are then NaN too).
    """
    keys = list(keys)
    if not keys:
        raise ValueError("`keys` must name at least one column. Got [].")
    if alpha is not None and not 0 < alpha < 1:
        raise ValueError(f"`alpha` must be between 0 and 1. Got {alpha!r}.")
    if not 0 <= moderate <= large:
        raise ValueError(
            f"Thresholds must satisfy 0 <= moderate <= large. Got moderate={moderate!r}, "
            f"large={large!r}."
        )
    cur = current[[*keys, value]].groupby(keys)[value].sum(min_count=1).rename("current")
    prev = previous[[*keys, value]].groupby(keys)[value].sum(min_count=1).rename("previous")
    index = cur.index.union(prev.index)
    # A key absent from one side had no incident there; a NaN given is no data.
    out = pd.concat(
        [cur.reindex(index, fill_value=0), prev.reindex(index, fill_value=0)], axis=1
    ).reset_index()
    missing = (out["current"].isna() | out["previous"].isna()).to_numpy()
    out = out.astype({"current": "float64" if missing.any() else "int64"})
    out = out.astype({"previous": out["current"].dtype})

    c = out["current"].fillna(0).to_numpy(dtype="int64")
    p = out["previous"].fillna(0).to_numpy(dtype="int64")
    pct = percent_change(c, p)
    # Unbounded growth from zero counts as beyond any threshold.
    growth = np.where(p > 0, pct, np.where(c > 0, np.inf, 0.0))
    p_value = binomial_p_values(c, p)
    enough = (c + p) >= min_total
    significant = enough if alpha is None else enough & (np.nan_to_num(p_value, nan=1.0) < alpha)

    raw = np.select(
        [growth > large, growth >= moderate, growth < -large, growth <= -moderate],
        [LARGE_INCREASE, MODERATE_INCREASE, LARGE_DECREASE, MODERATE_DECREASE],
        default=LIMITED_CHANGE,
    )
    level = np.where(significant, raw, LIMITED_CHANGE)
    guarded = (raw != LIMITED_CHANGE) & ~significant
    flag = np.where(~enough, FLAG_LOW_COUNTS, np.where(guarded, FLAG_NOT_SIGNIFICANT, ""))

    level = np.where(missing, NO_DATA, level)
    flag = np.where(missing, "", flag)
    change = c - p
    out["change"] = np.where(missing, np.nan, change) if missing.any() else change
    out["pct_change"] = np.where(missing, np.nan, pct)
    out["p_value"] = np.where(missing, np.nan, p_value)
    out["level"] = pd.Categorical(level, categories=[*LEVELS, NO_DATA], ordered=True)
    out["flag"] = flag.astype(object)
    return _rank(out, keys)


def _rank(levels: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rank = levels["level"].astype(str).map(LEVEL_RANK)
    ordered = levels.assign(_rank=rank, _abs=-levels["change"].abs().fillna(0))
    ordered = ordered.sort_values(["_rank", "_abs", *keys], kind="stable")
    return ordered.drop(columns=["_rank", "_abs"]).reset_index(drop=True)
