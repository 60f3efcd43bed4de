import re

import numpy as np
import pandas as pd
import pytest

from forecasting.effect import RegressorEffect, regressor_effect
from forecasting.wording import Amount, Earlier, Per

N = 70
MONTHS = pd.date_range("2019-01-01", periods=N, freq="MS")


def _pair(beta: float, lag: int = 2, seed: int = 0):
    """Counts = level + summer peak + ``beta`` per 1,000 arrivals ``lag`` months earlier + noise.

    Flows start ``lag`` months before the counts, so every count has its lagged arrivals;
    their shocks are independent from month to month, so a wrong lag finds little.
    """
    rng = np.random.default_rng(seed)
    season = np.sin(2 * np.pi * np.arange(N + lag) / 12)
    arrivals = 5000 + 1500 * season + rng.normal(0, 1000, N + lag)
    flows = pd.Series(arrivals, index=pd.date_range(MONTHS[0], periods=N + lag, freq="MS"))
    flows.index = flows.index - pd.DateOffset(months=lag)
    counts = 40 + 8 * season[lag:] + beta * arrivals[:N] / 1000 + rng.normal(0, 2, N)
    return pd.Series(np.clip(np.round(counts), 0, None), index=MONTHS), flows


def test_a_known_effect_is_recovered_and_called_a_link_not_a_cause():
    counts, flows = _pair(beta=3.0)
    before = (counts.copy(), flows.copy())
    effect = regressor_effect(counts, flows, lag=2)
    pd.testing.assert_series_equal(counts, before[0])
    pd.testing.assert_series_equal(flows, before[1])
    assert isinstance(effect, RegressorEffect)
    assert effect.lag == 2 and effect.n == N - 12
    assert 0 < effect.lower < 3.0 < effect.upper
    assert effect.lower < effect.per_thousand < effect.upper
    assert effect.p_value < 0.001
    said, verdict = effect.notes
    assert said.key == "effect_more"
    assert said.values["when"] == Earlier(2, "months")
    assert said.values["per"] == Per("months")
    # Two significant digits of the largest number, rounded where the page would.
    assert said.values["b"] == Amount(round(effect.per_thousand, 1), 1)
    assert verdict.key == "effect_shown"  # a link, not a cause (ui words it)
    assert effect.sized and not effect.includes_zero
    # The wrong lag finds a much weaker effect than the right one.
    wrong = regressor_effect(counts, flows, lag=1)
    assert abs(wrong.per_thousand) < effect.per_thousand / 2


def test_unrelated_series_show_no_effect():
    counts, flows = _pair(beta=0.0, seed=3)
    effect = regressor_effect(counts, flows, lag=2)
    assert effect.lower < 0 < effect.upper
    assert effect.p_value > 0.05
    assert [n.key for n in effect.notes] == ["effect_more", "effect_zero_inside"]
    assert effect.includes_zero


def test_a_negative_effect_reads_as_fewer_incidents():
    counts, flows = _pair(beta=-3.0, lag=0, seed=1)
    effect = regressor_effect(counts, flows, lag=0)
    assert effect.upper < 0
    said = effect.notes[0]
    assert said.key == "effect_fewer" and said.values["when"] == Earlier(0, "months")
    # The interval is stated in the same terms as the estimate, without minus signs.
    assert 0 < said.values["low"].value <= said.values["b"].value <= said.values["high"].value


def test_counts_whose_lagged_arrivals_are_unknown_are_left_out():
    counts, flows = _pair(beta=3.0)
    # Flows now start with the counts: the first two counts have no arrivals 2 months earlier.
    effect = regressor_effect(counts, flows.loc[MONTHS[0] :], lag=2)
    assert effect.n == N - 2 - 12


def _raises(message: str, counts, flows, lag):
    with pytest.raises(ValueError, match=re.escape(message)):
        regressor_effect(counts, flows, lag)


def test_errors_are_explained():
    counts, flows = _pair(beta=3.0)
    _raises("`lag` must be an integer, 0 or more. Got -1.", counts, flows, -1)
    _raises("`flows` are needed to estimate the effect of arrivals.", counts, None, 2)
    _raises(
        "`flows` must be a pandas Series on a DatetimeIndex of periods.",
        counts,
        flows.to_numpy(),
        2,
    )
    gap = flows.copy()
    gap[pd.Timestamp("2021-03-01")] = np.nan
    _raises("`flows` has no value for 2021-03-01, needed with lag 2.", counts, gap, 2)
    _raises(
        "The effect of arrivals 2 months earlier needs at least 30 months after lagging and "
        "comparing each month with a year earlier; there are 26.",
        counts.iloc[:40],
        flows.loc[MONTHS[0] :],
        2,
    )
    weeks = pd.date_range("2020-01-06", periods=120, freq="W-MON")
    _raises(
        "The effect of arrivals 0 weeks earlier needs at least 110 weeks after lagging and "
        "comparing each week with a year earlier; there are 68.",
        pd.Series(1.0, index=weeks),
        pd.Series(1.0, index=weeks),
        0,
    )
    negative = counts.copy()
    negative.iloc[0] = -1.0
    _raises("`counts` has a negative count at 2019-01-01: -1.0.", negative, flows, 2)
    steady = pd.Series(np.tile(np.arange(12.0), 8)[: N + 2], index=flows.index)
    _raises("`flows` do not change from one year to the next; no effect to fit.", counts, steady, 2)
