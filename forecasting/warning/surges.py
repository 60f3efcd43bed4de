"""Surges: a series whose latest month is far above its own recent months.

For each region × crime type, the latest month's count is compared with the mean of
the ``baseline`` months before it. Under "nothing changed" the count follows the
series' own month-to-month variation: Poisson with that mean, or, when the baseline
months vary more than Poisson allows (they usually do: seasons, reporting batches),
negative binomial with the baseline's mean and variance. The one-sided tail
probability says how surprising the latest month is. Two guards
keep noise out of the list: at least ``min_count`` incidents in the latest month (1 → 4
is not a surge to brief on), and the tail probability below ``alpha`` after a
Bonferroni correction for the number of series tested: with 2,760 series, 28 would
pass p < 0.01 by chance every month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from threatmon.periods import PERIOD, VALUE, complete_months
from threatmon.rules import SURGE_ALPHA, WARNING_BASELINE_MONTHS, WARNING_MIN_COUNT


def poisson_upper_tail(observed, expected) -> np.ndarray:
    """P(X ≥ observed) for X ~ Poisson(expected); 1 where ``observed`` is 0."""
    observed = np.asarray(observed, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    # P(X ≥ k) = P(X > k − 1) = 1 − CDF(k − 1) = pdtrc(k − 1, λ); scipy.special avoids
    # importing scipy.stats on the page path.
    tail = special.pdtrc(np.maximum(observed - 1, 0), np.maximum(expected, 1e-12))
    return np.where(observed > 0, tail, 1.0)


def count_upper_tail(observed, mean, variance) -> np.ndarray:
    """P(X ≥ observed) under Poisson(mean), or negative binomial where variance > mean."""
    observed = np.asarray(observed, dtype="float64")
    mean = np.maximum(np.asarray(mean, dtype="float64"), 1e-12)
    variance = np.asarray(variance, dtype="float64")
    poisson = poisson_upper_tail(observed, mean)
    over = variance > mean
    # Negative binomial with this mean and variance: r = mean² / (variance − mean),
    # success probability q = mean / variance; P(X ≥ x) = I_{1−q}(x, r).
    safe_var = np.where(over, variance, mean + 1.0)
    r = mean**2 / (safe_var - mean)
    q = mean / safe_var
    negative_binomial = special.betainc(np.maximum(observed, 1e-12), r, 1.0 - q)
    tail = np.where(over, negative_binomial, poisson)
    return np.where(observed > 0, tail, 1.0)


def surges(
    monthly: pd.DataFrame,
    *,
    keys: tuple[str, ...] = ("region_code", "crime_type"),
    baseline: int = WARNING_BASELINE_MONTHS,
    min_count: int = WARNING_MIN_COUNT,
    alpha: float = SURGE_ALPHA,
) -> pd.DataFrame:
    """Series whose latest month is a significant surge over their trailing baseline.

    Parameters
    ----------
    monthly : DataFrame
        ``period`` (month starts), ``keys`` and ``count``; absent months are 0. The
        latest month of the frame is the month tested.
    baseline : int
        Months before the latest one that form the expected level.
    min_count, alpha : int, float
        The guards (see the module docstring); ``alpha`` is family-wise.

    Returns
    -------
    DataFrame
        ``keys``, ``period`` (the month tested), ``count``, ``expected`` (baseline mean),
        ``ratio``, ``p_value`` (uncorrected), ``p_adjusted`` (Bonferroni), ranked by
        ``p_value`` then ``ratio``; only surges.
    """
    if baseline < 3:
        raise ValueError(f"`baseline` must be at least 3 months. Got {baseline}.")
    columns = [*keys, PERIOD, VALUE, "expected", "ratio", "p_value", "p_adjusted"]
    if monthly.empty:
        return pd.DataFrame(columns=columns)
    last = pd.Timestamp(monthly[PERIOD].max())
    first = (last.to_period("M") - baseline).start_time
    dense = complete_months(monthly, first, last, list(keys))
    is_last = dense[PERIOD] == last
    latest = dense[is_last].set_index(list(keys))[VALUE]
    history = dense[~is_last].groupby(list(keys))[VALUE]
    expected = history.mean().reindex(latest.index)
    variance = history.var(ddof=1).reindex(latest.index)
    table = pd.DataFrame({VALUE: latest, "expected": expected}).reset_index()
    table[PERIOD] = last
    table["p_value"] = count_upper_tail(table[VALUE], table["expected"], variance.to_numpy())
    table["p_adjusted"] = np.minimum(1.0, table["p_value"] * len(table))
    with np.errstate(divide="ignore"):
        table["ratio"] = table[VALUE] / table["expected"]
    found = table[(table[VALUE] >= min_count) & (table["p_adjusted"] < alpha)]
    found = found.sort_values(["p_value", "ratio"], ascending=[True, False], kind="stable")
    return found[columns].reset_index(drop=True)


def describe(
    row, names: dict[str, str], crimes: dict[str, str], baseline: int = WARNING_BASELINE_MONTHS
) -> str:
    """One sentence for an alert row of :func:`surges`."""
    region = names.get(row["region_code"], row["region_code"])
    crime = crimes.get(row["crime_type"], row["crime_type"]).lower()
    head = f"{region}: {int(row[VALUE])} {crime} incidents in {pd.Timestamp(row[PERIOD]):%B %Y}"
    if row["expected"] == 0:
        level = f"after none in the {baseline} months before"
    else:
        level = (
            f"{row['ratio']:.1f} times the monthly average of {row['expected']:.1f} over "
            f"the {baseline} months before"
        )
    return f"{head}, {level} (probability by chance {row['p_value']:.1g})."
