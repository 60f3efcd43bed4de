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
    with pytest.raises(ValueError, match=r"^The series has 24 periods; .* needs at least 25\.$"):
        rolling_backtest(seasonal_counts(24), settings)


def test_the_default_backtest_scores_the_horizon_shown_from_recent_origins():
    # 12 months ahead (the longest horizon the page shows), 16 origins 2 months apart.
    settings = BacktestSettings()
    assert (settings.horizon, settings.n_origins, settings.step) == (12, 16, 2)
    assert origins(100, settings) == list(range(58, 89, 2))
    assert settings.models == ("naive", "seasonal_naive", "level", "ets")


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
    settings = BacktestSettings(horizon=3, n_origins=2, step=3, models=("seasonal_naive", "ets"))
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


def test_score_is_relative_error_mase_and_coverage_per_model():
    cutoffs = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"] * 2)
    backtest = pd.DataFrame(
        {
            "model": ["naive"] * 4 + ["ets"] * 4,
            "lag": [np.nan] * 8,
            "cutoff": cutoffs,
            "actual": [10.0, 20.0, 10.0, 20.0] * 2,
            # naive misses by 2 at the first origin and 4 at the second; ets by 1 and 4.
            "mean": [12.0, 18.0, 14.0, 16.0, 11.0, 19.0, 10.0, 28.0],
            "lower_80": [11.0, 17.0, 13.0, 15.0, 9.0, 15.0, 9.0, 27.0],
            "upper_80": [13.0, 21.0, 15.0, 17.0, 11.0, 25.0, 11.0, 29.0],
            "lower_95": [5.0, 15.0, 5.0, 15.0, 5.0, 15.0, 5.0, 15.0],
            "upper_95": [15.0, 25.0, 15.0, 25.0, 15.0, 25.0, 15.0, 25.0],
            "scale": [2.0] * 8,
        }
    )
    scores = score(backtest).set_index("model")
    assert scores.index.tolist() == ["ets", "naive"]
    # ets / naive: 1/2 at the first origin (weight 1), 4/4 at the latest (weight 2).
    floor = [1e-3 * 16.0, 1e-3 * 16.0]
    first = np.log((1 + floor[0]) / (2 + floor[0]))
    assert scores.loc["ets", "rel_mae"] == pytest.approx(np.exp(first / 3))
    assert scores.loc["naive", "rel_mae"] == 1.0
    # The error of the totals: both 0 at the first origin; at the latest ets is 8 too low
    # (4 a period) where naive's misses cancel out.
    latest = np.log((4 + floor[0]) / (0 + floor[0]))
    assert scores.loc["ets", "rel_total"] == pytest.approx(np.exp(2 * latest / 3))
    assert scores.loc["ets", "mase"] == pytest.approx((1 + 1 + 0 + 8) / 4 / 2)
    assert scores.loc["ets", "coverage_80"] == 0.75
    assert scores.loc["naive", "coverage_95"] == 1.0
    assert scores["n"].tolist() == [4, 4]
    assert choose(scores.reset_index())["model"] == "ets"


def test_choose_takes_the_lowest_relative_error_and_the_simpler_model_on_ties():
    scores = pd.DataFrame(
        {"model": ["ets", "sarimax", "naive", "level"], "lag": [np.nan, 2.0, np.nan, np.nan]}
    )
    assert choose(scores.assign(rel_mae=[0.9, 0.7, 1.0, 0.8]))["model"] == "sarimax"
    assert choose(scores.assign(rel_mae=[0.7, 0.7, 0.7, 0.7]))["model"] == "naive"
    assert choose(scores.assign(rel_mae=[0.7, 0.7, 1.0, 0.7]))["model"] == "level"
    picked = choose(scores.assign(rel_mae=1.0, rel_total=[0.5, 0.9, 1.0, 0.6]), "rel_total")
    assert picked["model"] == "ets"
    with pytest.raises(ValueError, match=r"^No model has a backtest score to choose by\.$"):
        choose(scores.assign(rel_mae=np.nan))


def test_trend_and_season_beat_the_baselines():
    scores = score(rolling_backtest(seasonal_counts(60), BacktestSettings())).set_index("model")
    assert scores.loc["ets", "rel_mae"] < 0.6 * scores.loc["seasonal_naive", "rel_mae"]
    assert scores.loc["ets", "rel_mae"] < 0.6 * scores.loc["naive", "rel_mae"]
    assert choose(scores.reset_index())["model"] == "ets"


def test_flows_at_lag_two_are_found():
    counts, flows = lag_two_counts()
    settings = BacktestSettings(horizon=6, n_origins=4, step=3)
    scores = score(rolling_backtest(counts, settings, flows))
    best = choose(scores)
    assert best["model"] == "sarimax"
    assert best["lag"] == 2.0
    # The flows' forecast error is in the intervals: coverage is not far below nominal.
    assert best["coverage_80"] >= 0.6
    assert best["coverage_95"] >= 0.85
    # SARIMAX is tried with the flows only; the recent level and ETS compare without them.
    assert sorted(scores.loc[scores["model"] == "sarimax", "lag"]) == [1.0, 2.0, 3.0]


def test_the_flow_model_is_backtested_at_the_latest_four_origins():
    counts, flows = lag_two_counts()
    backtest = rolling_backtest(counts, BacktestSettings(exog_lags=(2,)), flows)
    cutoffs = backtest.groupby("model")["cutoff"].unique()
    assert len(cutoffs["level"]) == 16
    assert list(cutoffs["sarimax"]) == list(cutoffs["level"][-4:])


def test_backtest_does_not_mutate_its_inputs():
    counts, flows = lag_two_counts()
    before, flows_before = counts.copy(), flows.copy()
    rolling_backtest(counts, BacktestSettings(n_origins=1, exog_lags=(1,)), flows)
    pd.testing.assert_series_equal(counts, before)
    pd.testing.assert_series_equal(flows, flows_before)
