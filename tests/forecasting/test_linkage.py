import numpy as np
import pandas as pd
import pytest

from forecasting.linkage import cross_correlation, explain, granger

MONTHS = pd.date_range("2019-01-01", periods=84, freq="MS")


def _pair(lag: int, seed: int = 0, strength: float = 3.0):
    """Flows with their own ups and downs and a shared summer peak; counts follow at ``lag``."""
    rng = np.random.default_rng(seed)
    season = 10 * np.sin(2 * np.pi * np.arange(len(MONTHS)) / 12)
    flows = pd.Series(100 + season + np.cumsum(rng.normal(0, 5, len(MONTHS))), index=MONTHS)
    driven = flows.shift(lag).bfill()
    counts = 20 + season + strength * (driven - driven.mean()) / driven.std()
    counts = counts + rng.normal(0, 1, len(MONTHS))
    return counts, flows


def test_the_lag_at_which_counts_follow_flows_is_found():
    counts, flows = _pair(lag=2)
    before = counts.copy()
    table = cross_correlation(counts, flows, max_lag=6)
    pd.testing.assert_series_equal(counts, before)
    assert table["lag"].tolist() == list(range(7))
    best = table.loc[table["r"].abs().idxmax()]
    assert best["lag"] == 2
    assert best["r"] > best["band"]


def test_a_shared_season_alone_is_not_a_link():
    rng = np.random.default_rng(4)
    season = 10 * np.sin(2 * np.pi * np.arange(len(MONTHS)) / 12)
    counts = pd.Series(20 + season + rng.normal(0, 1, len(MONTHS)), index=MONTHS)
    flows = pd.Series(100 + season + rng.normal(0, 1, len(MONTHS)), index=MONTHS)
    # Raw, the two correlate strongly through the summer peak alone...
    assert np.corrcoef(counts, flows)[0, 1] > 0.9
    # ...seasonally differenced, they do not.
    table = cross_correlation(counts, flows, max_lag=3)
    assert (table["r"].abs() < 2.5 * table["band"]).all()


def test_granger_finds_flows_that_come_first():
    counts, flows = _pair(lag=1, seed=2)
    forward = granger(counts, flows, max_lag=2)
    assert forward["lag"].tolist() == [1, 2]
    assert forward["p_value"].min() < 0.01
    assert forward["n"].iloc[0] == 72


def test_granger_refuses_too_few_months():
    counts, flows = _pair(lag=1)
    with pytest.raises(
        ValueError,
        match="with 3 lags needs at least 14 months after comparing each month with a year "
        "earlier; there are 12.",
    ):
        granger(counts.iloc[:24], flows.iloc[:24], max_lag=3)


def test_the_explanation_says_what_a_test_cannot_show():
    counts, flows = _pair(lag=2, seed=1)
    text = explain(cross_correlation(counts, flows), granger(counts, flows))
    assert "arrivals 2 months later" in text
    assert "more than chance would give" in text
    assert "not that they cause crime" in text


def test_bad_input_is_refused():
    counts, flows = _pair(lag=0)
    with pytest.raises(ValueError, match="`flows` needs a DatetimeIndex of periods."):
        cross_correlation(counts, flows.reset_index(drop=True))
    with pytest.raises(ValueError, match="`max_lag` must be 0 or more. Got -1."):
        cross_correlation(counts, flows, max_lag=-1)
