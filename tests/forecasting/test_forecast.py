"""One series end to end: the fallback paths with their messages, intermittent and full paths."""

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import BacktestSettings
from forecasting.forecast import default_settings, forecast_series
from forecasting.models import FORECAST_COLUMNS
from forecasting.series import classify


def monthly(values, start="2020-01-01") -> pd.Series:
    """Counts on consecutive month starts."""
    index = pd.date_range(start, periods=len(values), freq="MS", name="period")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def seasonal_counts(n=60, seed=0) -> pd.Series:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return monthly(np.round(100 + t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, n)))


def assert_fallback(result, message):
    assert result.chosen == "fallback"
    assert np.isnan(result.lag)
    assert result.message == message
    assert result.backtest.empty and result.scores.empty
    assert list(result.forecast.columns) == list(FORECAST_COLUMNS)


def test_too_short_series_gets_the_fallback():
    result = forecast_series(monthly([4, 6, 5, 7, 5, 3, 4, 6, 5, 4] * 2))
    assert_fallback(
        result,
        "Only 20 months of data; at least 30 are needed to choose a model by backtest. "
        "Showing the mean of the last 12 months with Poisson intervals.",
    )
    assert result.forecast["mean"].tolist() == pytest.approx([58 / 12] * 6)


def test_all_zero_series_gets_a_zero_forecast():
    result = forecast_series(monthly([0] * 40))
    assert_fallback(
        result, "All 40 months are zero; there is nothing to model. The forecast is zero."
    )
    assert (result.forecast.drop(columns="period").to_numpy() == 0).all()


def test_single_spike_is_too_sparse_to_model():
    values = [0] * 40
    values[30] = 25
    result = forecast_series(monthly(values))
    assert_fallback(
        result,
        "Only 1 of 40 months are non-zero; too sparse to model. "
        "Showing the mean of the last 12 months with Poisson intervals.",
    )


def test_intermittent_series_compares_croston_and_seasonal_naive_only():
    rng = np.random.default_rng(4)
    values = rng.poisson(2, 48) * (rng.random(48) < 0.4)
    result = forecast_series(monthly(values), exog=monthly(rng.normal(100, 10, 48)))
    assert set(result.scores["model"]) == {"croston_sba", "seasonal_naive"}
    assert result.chosen in ("croston_sba", "seasonal_naive")
    assert np.isnan(result.lag)
    found = classify(monthly(values))
    assert found.status == "intermittent"
    assert result.message.startswith(
        f"{found.n_zero} of 48 months are zero (ADI {found.adi:.2f}): intermittent series, "
        "so only Croston (SBA) and seasonal naive were compared. Chosen by backtest over "
    )


def test_full_path_chooses_a_model_and_says_so():
    series = seasonal_counts(70)
    before = series.copy()
    result = forecast_series(series)
    pd.testing.assert_series_equal(series, before)
    assert result.chosen in ("ets", "sarimax")
    assert list(result.scores.columns[:5]) == ["model", "lag", "mase", "coverage_80", "coverage_95"]
    assert result.backtest["cutoff"].nunique() == 4
    assert result.forecast["period"].iloc[0] == pd.Timestamp("2025-11-01")
    assert (result.forecast.drop(columns="period").to_numpy() >= 0).all()
    assert result.message.startswith(f"Chosen by backtest over 4 origins: {result.chosen} (MASE ")


def test_flows_at_lag_two_are_named_in_the_message():
    rng = np.random.default_rng(0)
    flows = monthly(rng.normal(1000, 300, 74), start="2019-11-01")
    counts = monthly(np.round(20 + 0.05 * flows.to_numpy()[:72] + rng.normal(0, 1, 72)))
    before = flows.copy()
    result = forecast_series(counts, exog=flows)
    pd.testing.assert_series_equal(flows, before)
    assert (result.chosen, result.lag) == ("sarimax", 2.0)
    assert "sarimax with flows lagged 2 months (MASE " in result.message


def test_the_forecast_may_reach_beyond_the_backtest_horizon():
    result = forecast_series(seasonal_counts(), horizon=12, settings=BacktestSettings(horizon=6))
    assert len(result.forecast) == 12
    assert set(result.backtest["h"]) == set(range(1, 7))


def test_horizon_must_be_positive():
    with pytest.raises(
        ValueError, match=r"^`horizon` must be an integer greater than 0\. Got 0\.$"
    ):
        forecast_series(seasonal_counts(), horizon=0)


def test_the_check_forecasts_the_latest_period_without_seeing_it():
    series = seasonal_counts()
    spiked = series.copy()
    spiked.iloc[-1] = 10 * series.iloc[-1] + 100
    settings = BacktestSettings(models=("ets",))
    plain = forecast_series(series, settings=settings)
    jumped = forecast_series(spiked, settings=settings)
    assert jumped.check["period"].iloc[0] == series.index[-1]
    assert jumped.check["actual"].iloc[0] == spiked.iloc[-1]
    assert jumped.check["upper_95"].iloc[0] < spiked.iloc[-1]
    pd.testing.assert_frame_equal(
        plain.check.drop(columns="actual"), jumped.check.drop(columns="actual")
    )


def test_bad_index_is_named():
    series = seasonal_counts(40).drop(pd.Timestamp("2021-03-01"))
    with pytest.raises(ValueError, match=r"^The series index must be consecutive year, quarter"):
        forecast_series(series)


def test_negative_count_is_named():
    series = seasonal_counts(40)
    series.iloc[3] = -1.0
    with pytest.raises(ValueError, match=r"^`series` has a negative count at 2020-04-01: -1\.0\.$"):
        forecast_series(series)


@pytest.mark.parametrize("seed", range(5))
def test_random_poisson_series_never_get_negative_forecasts(seed):
    rng = np.random.default_rng(100 + seed)
    rate = [0.2, 0.8, 2.0, 6.0, 30.0][seed]
    result = forecast_series(monthly(rng.poisson(rate, 48)), horizon=4)
    values = result.forecast.drop(columns="period").to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    if len(result.backtest):
        bounds = result.backtest[["mean", "lower_80", "upper_80", "lower_95", "upper_95"]]
        assert (bounds.to_numpy() >= 0).all()


def test_weekly_series_count_in_weeks_and_leave_sarimax_out():
    index = pd.date_range("2025-01-06", periods=60, freq="7D")
    result = forecast_series(pd.Series(5.0, index=index), horizon=4)
    assert result.message == (
        "Only 60 weeks of data; at least 110 are needed to choose a model by backtest. "
        "Showing the mean of the last 52 weeks with Poisson intervals."
    )
    assert default_settings(pd.Series(5.0, index=index)).models == ("seasonal_naive", "ets")


def test_a_backtest_win_of_seasonal_naive_does_not_hand_it_a_non_sparse_series():
    pattern = [5.0, 7, 9, 12, 15, 18, 20, 17, 14, 10, 8, 6]
    series = monthly(pattern * 6)
    result = forecast_series(series)
    naive = result.scores.set_index("model").loc["seasonal_naive", "mase"]
    assert naive == 0.0  # the series repeats itself exactly: naive is perfect
    assert result.chosen in ("ets", "sarimax")
    assert result.message.endswith(
        "Seasonal naive did better in this backtest; such a win over a few months is mostly "
        "chance, so the best fitted model is used (see the scorecard)."
    )


def test_intermittent_series_may_still_be_given_seasonal_naive():
    rng = np.random.default_rng(8)
    counts = rng.poisson(0.4, 72).astype(float)
    result = forecast_series(monthly(counts))
    assert set(result.scores["model"]) == {"croston_sba", "seasonal_naive"}
    best = result.scores.sort_values("mase").iloc[0]["model"]
    assert result.chosen == best
