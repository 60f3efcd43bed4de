"""Rolling-origin backtest: settings, the exog rule, no look-ahead, scores and the choice."""

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import (
    BACKTEST_COLUMNS,
    BacktestSettings,
    choose,
    lagged_exog,
    origins,
    rolling_backtest,
    score,
)

FORECAST_VALUES = ["mean", "lower_80", "upper_80", "lower_95", "upper_95"]


def monthly(values, start="2020-01-01") -> pd.Series:
    """Values on consecutive month starts."""
    index = pd.date_range(start, periods=len(values), freq="MS", name="period")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def seasonal_counts(n=60, seed=0) -> pd.Series:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return monthly(np.round(100 + t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, n)))


def lag_two_counts(seed=0):
    """Counts = 20 + 0.05 * flows(t - 2) + noise; flows vary without a season."""
    rng = np.random.default_rng(seed)
    flows = monthly(rng.normal(1000, 300, 74), start="2019-11-01")
    driven = 20 + 0.05 * flows.shift(2).iloc[2:].to_numpy() + rng.normal(0, 1, 72)
    return monthly(np.round(driven)), flows


def test_settings_name_the_bad_value():
    with pytest.raises(
        ValueError, match=r"^`horizon` must be an integer greater than 0\. Got 0\.$"
    ):
        BacktestSettings(horizon=0)
    with pytest.raises(ValueError, match=r"^`exog_lags` must be 0 or greater\. Got -1\.$"):
        BacktestSettings(exog_lags=(1, -1))
    with pytest.raises(ValueError, match=r"^`models` must be non-empty names out of "):
        BacktestSettings(models=("prophet",))
    with pytest.raises(ValueError, match=r"^`exog_future` must be one of "):
        BacktestSettings(exog_future="oracle")


def test_settings_are_frozen_and_hold_tuples():
    settings = BacktestSettings(models=["ets"], exog_lags=[2])
    assert settings.models == ("ets",) and settings.exog_lags == (2,)
    with pytest.raises(AttributeError):
        settings.horizon = 3


def test_origins_step_back_from_the_end_and_respect_min_train():
    settings = BacktestSettings(horizon=6, n_origins=4, step=3, min_train=50)
    assert origins(70, settings) == [55, 58, 61, 64]
    assert origins(60, settings) == [51, 54]
    assert origins(55, settings) == []


def test_too_short_for_any_origin_is_named():
    settings = BacktestSettings(models=("seasonal_naive",))
    with pytest.raises(ValueError, match=r"^The series has 29 periods; .* needs at least 30\.$"):
        rolling_backtest(seasonal_counts(29), settings)


def test_settings_must_match_the_series_frequency():
    settings = BacktestSettings(season_length=52)
    with pytest.raises(ValueError, match=r"^`season_length` is 52 but the series is in months"):
        rolling_backtest(seasonal_counts(), settings)


def test_lagged_exog_uses_known_flows_then_the_last_season_mean():
    flows = monthly(range(1, 25))  # Jan 2020 .. Dec 2021, value = month number
    periods = pd.date_range("2021-11-01", periods=4, freq="MS")
    got = lagged_exog(flows, pd.Timestamp("2021-12-01"), periods, lag=2)
    # Nov, Dec use Sep, Oct 2021 (21, 22); Jan, Feb 2022 use Nov, Dec 2021 (23, 24), all known.
    assert got["value"].tolist() == [21.0, 22.0, 23.0, 24.0]
    assert got["sd"].tolist() == [0.0] * 4
    got = lagged_exog(flows, pd.Timestamp("2021-12-01"), periods, lag=1)
    # Feb 2022 needs Jan 2022, after the cutoff: the mean of Jan..Dec 2021 (13..24) = 18.5.
    assert got["value"].tolist() == [22.0, 23.0, 24.0, 18.5]
    assert got["sd"].iloc[-1] > 0


def test_lagged_exog_ignores_flows_after_the_cutoff():
    flows = monthly(range(1, 25))
    periods = pd.date_range("2021-05-01", periods=4, freq="MS")
    jumped = flows.where(flows.index <= "2021-06-01", 1e6)
    for rule in ("last_season_mean", "seasonal_naive"):
        plain = lagged_exog(flows, pd.Timestamp("2021-06-01"), periods, 0, rule)
        other = lagged_exog(jumped, pd.Timestamp("2021-06-01"), periods, 0, rule)
        pd.testing.assert_frame_equal(plain, other)


def test_lagged_exog_seasonal_naive_takes_the_same_month_a_year_earlier():
    flows = monthly(range(1, 25))
    periods = pd.date_range("2022-01-01", periods=2, freq="MS")
    got = lagged_exog(flows, pd.Timestamp("2021-12-01"), periods, 0, "seasonal_naive")
    assert got["value"].tolist() == [13.0, 14.0]


def test_backtest_is_tidy():
    settings = BacktestSettings(horizon=3, n_origins=2, models=("seasonal_naive", "ets"))
    backtest = rolling_backtest(seasonal_counts(), settings, series_id="MD-CU")
    assert list(backtest.columns) == ["series_id", *BACKTEST_COLUMNS]
    assert len(backtest) == 2 * 2 * 3
    assert backtest["cutoff"].drop_duplicates().tolist() == [
        pd.Timestamp("2024-06-01"),
        pd.Timestamp("2024-09-01"),
    ]
    assert backtest["lag"].isna().all()
    assert (backtest["period"] > backtest["cutoff"]).all()


def test_backtest_never_sees_the_future():
    counts, flows = lag_two_counts()
    settings = BacktestSettings(horizon=6, n_origins=3, step=6, exog_lags=(0, 2))
    plain = rolling_backtest(counts, settings, flows)
    cutoffs = sorted(plain["cutoff"].unique())
    for cutoff in cutoffs:
        later = counts.index > cutoff
        jumped = counts.where(~later, counts * 10)
        flows_jumped = flows.where(flows.index <= cutoff, flows * 10)
        other = rolling_backtest(jumped, settings, flows_jumped)
        made_before = plain["cutoff"] <= cutoff
        pd.testing.assert_frame_equal(
            plain.loc[made_before, FORECAST_VALUES], other.loc[made_before, FORECAST_VALUES]
        )
    # The jump is real: the last origin's actuals changed, its forecasts did not.
    assert len(cutoffs) == 3
    assert not plain["actual"].equals(other["actual"])


def test_score_is_mase_and_coverage_per_model():
    backtest = pd.DataFrame(
        {
            "model": ["seasonal_naive", "seasonal_naive", "ets", "ets"],
            "lag": [np.nan] * 4,
            "actual": [10.0, 20.0, 10.0, 20.0],
            "mean": [12.0, 20.0, 10.0, 16.0],
            "lower_80": [11.0, 19.0, 9.0, 15.0],
            "upper_80": [13.0, 21.0, 11.0, 17.0],
            "lower_95": [5.0, 15.0, 5.0, 15.0],
            "upper_95": [15.0, 25.0, 15.0, 25.0],
            "scale": [2.0, 4.0, 2.0, 4.0],
        }
    )
    scores = score(backtest)
    assert scores["model"].tolist() == ["seasonal_naive", "ets"]
    assert scores["mase"].tolist() == [0.5, 0.5]
    assert scores["coverage_80"].tolist() == [0.5, 0.5]
    assert scores["coverage_95"].tolist() == [1.0, 1.0]
    assert scores["n"].tolist() == [2, 2]
    assert choose(scores)["model"] == "seasonal_naive"


def test_choose_takes_the_lowest_mase_and_seasonal_naive_on_ties():
    scores = pd.DataFrame(
        {"model": ["ets", "sarimax", "seasonal_naive"], "lag": [np.nan, 2.0, np.nan]}
    )
    assert choose(scores.assign(mase=[0.9, 0.7, 0.8]))["model"] == "sarimax"
    assert choose(scores.assign(mase=[0.7, 0.7, 0.7]))["model"] == "seasonal_naive"
    with pytest.raises(ValueError, match=r"^No model has a backtest score to choose by\.$"):
        choose(scores.assign(mase=np.nan))


def test_trend_and_season_beat_the_seasonal_naive():
    scores = score(rolling_backtest(seasonal_counts(60), BacktestSettings()))
    naive = scores.set_index("model").loc["seasonal_naive", "mase"]
    best_model = scores.loc[scores["model"] != "seasonal_naive", "mase"].min()
    assert best_model < 0.6 * naive
    assert choose(scores)["model"] in ("ets", "sarimax")


def test_flows_at_lag_two_are_found():
    counts, flows = lag_two_counts()
    scores = score(rolling_backtest(counts, BacktestSettings(), flows))
    best = choose(scores)
    assert best["model"] == "sarimax"
    assert best["lag"] == 2.0
    # The flows' forecast error is in the intervals: coverage is not far below nominal.
    assert best["coverage_80"] >= 0.6
    assert best["coverage_95"] >= 0.85


def test_backtest_does_not_mutate_its_inputs():
    counts, flows = lag_two_counts()
    before, flows_before = counts.copy(), flows.copy()
    rolling_backtest(counts, BacktestSettings(n_origins=1, exog_lags=(1,)), flows)
    pd.testing.assert_series_equal(counts, before)
    pd.testing.assert_series_equal(flows, flows_before)
