"""Surges: a series whose latest month is far above its own recent months.

For each region × crime type, the latest month's count is compared with the
``baseline`` months before it. Under "nothing changed" the count follows the series'
own month-to-month variation: when the baseline months vary more than Poisson allows
(they usually do: seasons, reporting batches), negative binomial with the baseline's
mean and variance; otherwise the Gamma–Poisson posterior predictive of a Poisson rate
under Jeffreys' prior (Gamma with shape ½), given the baseline's total over its months:
negative binomial with ``r = ½ + total`` and success probability ``months / (months +
1)``. Close to Poisson with the baseline mean when the baseline holds many incidents,
it keeps a zero baseline from making any count "impossible": 6 incidents after 12 months
without one have a probability of about 5e-8, not 1e-75. No probability is reported
below :data:`P_FLOOR`.

No data is not zero. Only months the series' figures cover count: a month not reported
(a missing count) is left out of the baseline, never read as 0; a series is tested only
when its latest month is reported and at least :data:`MIN_BASELINE_MONTHS` of its
baseline months are, so a source's first months of coverage are a baseline, never a
surge, and nor is the first month after a long gap.

Two guards keep noise out of the list: at least ``min_count`` incidents in the latest
month (1 → 4 is not a surge to brief on), and the tail probability below ``alpha`` after
a Bonferroni correction for the number of series tested: with 2,760 series, 28 would
pass p < 0.01 by chance every month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from forecasting.warning.sentences import english
from threatmon.messages import Message, odds
from threatmon.periods import PERIOD, VALUE, complete_months
from threatmon.rules import SURGE_ALPHA, WARNING_BASELINE_MONTHS, WARNING_MIN_COUNT

#: Reported months of the baseline (of ``baseline``) a series needs to be tested.
MIN_BASELINE_MONTHS = 6
#: Jeffreys' prior on a Poisson rate: Gamma(shape ½, rate 0), proper after one month.
PRIOR_SHAPE = 0.5
PRIOR_RATE = 0.0
#: No probability is reported below this: beyond it the model says nothing a committee
#: could use, and a smaller figure reads as certainty.
P_FLOOR = 1e-9


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


def predictive_upper_tail(observed, total, months) -> np.ndarray:
    """P(X ≥ observed) under the Gamma–Poisson posterior predictive of the next month.

    A Poisson rate with Jeffreys' prior (:data:`PRIOR_SHAPE`, :data:`PRIOR_RATE`), after
    ``total`` incidents over ``months`` months: X is negative binomial with
    ``r = shape + total`` and success probability ``(rate + months) / (rate + months +
    1)``. 1 where ``observed`` is 0.
    """
    observed = np.asarray(observed, dtype="float64")
    r = PRIOR_SHAPE + np.asarray(total, dtype="float64")
    months = PRIOR_RATE + np.asarray(months, dtype="float64")
    tail = special.betainc(np.maximum(observed, 1e-12), r, 1.0 / (months + 1.0))
    return np.where(observed > 0, tail, 1.0)


def surges(
    monthly: pd.DataFrame,
    *,
    keys: tuple[str, ...] = ("region_code", "crime_type"),
    baseline: int = WARNING_BASELINE_MONTHS,
    min_count: int = WARNING_MIN_COUNT,
    alpha: float = SURGE_ALPHA,
    min_months: int = MIN_BASELINE_MONTHS,
) -> pd.DataFrame:
    """Series whose latest month is a significant surge over their trailing baseline.

    Parameters
    ----------
    monthly : DataFrame
        ``period`` (month starts), ``keys`` and ``count``: a missing count (NaN) is a
        month not reported; an absent row of a reported month is 0 (pass
        :func:`threatmon.coverage.with_coverage`'s frame). The latest month of the frame
        is the month tested.
    baseline : int
        Months before the latest one that form the expected level.
    min_count, alpha : int, float
        The guards (see the module docstring); ``alpha`` is family-wise.
    min_months : int
        Reported months of the baseline a series needs to be tested.

    Returns
    -------
    DataFrame
        ``keys``, ``period`` (the month tested), ``count``, ``expected`` (mean of the
        reported baseline months), ``ratio`` (NaN when ``expected`` is 0), ``p_value``
        (uncorrected, at least :data:`P_FLOOR`), ``p_adjusted`` (Bonferroni over the series
        tested), ``baseline_months`` (reported months of the baseline) and ``since`` (the
        first of them), ranked by ``p_value`` then ``ratio``; only surges.
    """
    if baseline < 3:
        raise ValueError(f"`baseline` must be at least 3 months. Got {baseline}.")
    columns = [*keys, PERIOD, VALUE, "expected", "ratio", "p_value", "p_adjusted"]
    columns += ["baseline_months", "since"]
    if monthly.empty:
        return pd.DataFrame(columns=columns)
    keys_list = list(keys)
    last = pd.Timestamp(monthly[PERIOD].max())
    first = (last.to_period("M") - baseline).start_time
    reported = monthly.dropna(subset=[VALUE])
    categories = {k: sorted(monthly[k].dropna().unique()) for k in keys_list}
    dense = complete_months(reported, first, last, keys_list, categories=categories)
    dense[VALUE] = dense[VALUE].astype("float64")
    gaps = monthly[monthly[VALUE].isna()][[*keys_list, PERIOD]].assign(_gap=True)
    if len(gaps):
        gaps[PERIOD] = pd.to_datetime(gaps[PERIOD])
        dense = dense.merge(gaps.drop_duplicates(), on=[*keys_list, PERIOD], how="left")
        dense[VALUE] = dense[VALUE].mask(dense["_gap"].fillna(False).astype(bool))
    is_last = dense[PERIOD] == last
    latest = dense[is_last].set_index(keys_list)[VALUE]
    before = dense[~is_last]
    history = before.groupby(keys_list)[VALUE]
    table = pd.DataFrame(
        {
            VALUE: latest,
            "expected": history.mean().reindex(latest.index),
            "variance": history.var(ddof=1).reindex(latest.index),
            "total": history.sum().reindex(latest.index),
            "baseline_months": history.count().reindex(latest.index).fillna(0).astype(int),
            "since": before.dropna(subset=[VALUE])
            .groupby(keys_list)[PERIOD]
            .min()
            .reindex(latest.index),
        }
    ).reset_index()
    # Only series reported now and over enough of their baseline are tested at all.
    table = table[table[VALUE].notna() & (table["baseline_months"] >= min_months)]
    table = table.reset_index(drop=True)
    table[PERIOD] = last
    over = (table["variance"] > table["expected"]) & (table["expected"] > 0)
    spread = count_upper_tail(table[VALUE], table["expected"], table["variance"].to_numpy())
    calm = predictive_upper_tail(table[VALUE], table["total"], table["baseline_months"])
    table["p_value"] = np.maximum(np.where(over, spread, calm), P_FLOOR)
    table["p_adjusted"] = np.minimum(1.0, table["p_value"] * len(table))
    table["ratio"] = table[VALUE] / table["expected"].where(table["expected"] > 0)
    found = table[(table[VALUE] >= min_count) & (table["p_adjusted"] < alpha)]
    found = found.sort_values(["p_value", "ratio"], ascending=[True, False], kind="stable")
    return found[columns].reset_index(drop=True)


def message(row, baseline: int = WARNING_BASELINE_MONTHS) -> Message:
    """The sentence of an alert row of :func:`surges`, as a message (``alert.surge*``)."""
    months = int(row.get("baseline_months", baseline))
    params = {
        "region": row["region_code"],
        "crime": row["crime_type"],
        "count": int(row[VALUE]),
        "month": pd.Timestamp(row[PERIOD]),
        "baseline": int(baseline),
        "months": months,
        "odds": odds(float(row["p_value"])),
    }
    partial = "_partial" if months < baseline else ""
    if row["expected"] == 0:
        return Message(
            f"alert.surge_first{partial}", {**params, "since": pd.Timestamp(row["since"])}
        )
    return Message(
        f"alert.surge{partial}",
        {**params, "ratio": float(row["ratio"]), "expected": float(row["expected"])},
    )


def describe(
    row, places: dict[str, str], crimes: dict[str, str], baseline: int = WARNING_BASELINE_MONTHS
) -> str:
    """One English sentence for an alert row of :func:`surges` (the CLI's, the briefing's).

    Examples
    --------
    Cahul (Moldova), Cybercrime: 6 incidents in October 2026, the first since October 2025
    (chance of this by coincidence: less than 1 in a million).
    """
    return english(message(row, baseline), places, crimes)
