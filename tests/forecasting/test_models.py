"""Forecast models: exact baselines on tiny inline series, recovery of a known signal, counts."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecasting.models import (
    FORECAST_COLUMNS,
    MODELS,
    Z80,
    croston_sba,
    ets,
    fallback,
    future_periods,
    level,
    naive,
    sarimax,
    seasonal_naive,
)
from forecasting.models.scale import choose_scale, seasonal_profile


def monthly(values, start="2020-01-01") -> pd.Series:
    """Counts on consecutive month starts."""
    index = pd.date_range(start, periods=len(values), freq="MS", name="period")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def trend_season(n=60, noise=3.0, seed=0) -> tuple[pd.Series, np.ndarray]:
    """Level 100, +1 a month, seasonal amplitude 20, normal noise; the truth for 12 more."""
    t = np.arange(n + 12)
    truth = 100 + 1.0 * t + 20 * np.sin(2 * np.pi * t / 12)
    noisy = truth[:n] + np.random.default_rng(seed).normal(0, noise, n)
    return monthly(noisy), truth[n:]


def test_future_periods_follow_the_last_month():
    got = future_periods(monthly([1, 2, 3], start="2025-11-01").index, 3)
    assert list(got.strftime("%Y-%m-%d")) == ["2026-02-01", "2026-03-01", "2026-04-01"]


def test_future_periods_of_a_weekly_series():
    index = pd.date_range("2026-01-05", periods=3, freq="7D")
    assert future_periods(index, 2)[-1] == pd.Timestamp("2026-02-02")


def test_seasonal_naive_repeats_the_last_season_with_the_standard_interval():
    history = monthly(list(range(12)) + [v + 2 for v in range(12)])
    result = seasonal_naive(history, 14)
    assert result.model == "seasonal_naive"
    assert list(result.frame.columns) == list(FORECAST_COLUMNS)
    assert result.frame["mean"].tolist() == [float(v + 2) for v in range(12)] + [2.0, 3.0]
    # Every seasonal difference is 2, so sigma = 2; the second season gets sqrt(2) * sigma.
    width = (result.frame["upper_80"] - result.frame["mean"]).to_numpy()
    np.testing.assert_allclose(width[:12], 2 * Z80)
    np.testing.assert_allclose(width[12:], 2 * Z80 * np.sqrt(2))


def test_seasonal_naive_needs_a_season_and_a_period():
    with pytest.raises(
        ValueError, match=r"^seasonal_naive needs at least 13 periods of history\. "
    ):
        seasonal_naive(monthly(range(12)), 3)


def test_bad_horizon_is_named():
    with pytest.raises(
        ValueError, match=r"^`horizon` must be an integer greater than 0\. Got 0\.$"
    ):
        fallback(monthly([1, 2]), 0)


def test_fallback_is_the_last_season_mean_with_poisson_intervals():
    history = monthly([100] * 6 + [2] * 6 + [4] * 6)
    frame = fallback(history, 2).frame
    assert frame["mean"].tolist() == [3.0, 3.0]
    assert frame["lower_95"].iloc[0] == stats.poisson.ppf(0.025, 3.0)
    assert frame["upper_80"].iloc[0] == stats.poisson.ppf(0.9, 3.0)


def test_fallback_of_zeros_is_zero():
    frame = fallback(monthly([0, 0, 0]), 2).frame
    assert (frame.drop(columns="period").to_numpy() == 0).all()


def test_no_change_repeats_the_latest_period_with_multiplicative_intervals():
    history = monthly([10, 100, 1000, 300, 30, 3000, 500, 50, 2000, 800])
    frame = naive(history, 4).frame
    assert frame["mean"].tolist() == [800.0] * 4
    assert choose_scale(history.to_numpy()).log
    # Symmetric on the log scale (of 1 + y): as far above in ratio as below.
    up = (1 + frame["upper_80"]) / (1 + frame["mean"])
    down = (1 + frame["mean"]) / (1 + frame["lower_80"])
    np.testing.assert_allclose(up, down)
    assert (np.diff(frame["upper_95"]) > 0).all()


def test_the_recent_level_is_the_mean_of_the_last_three_periods_without_a_season():
    history = monthly([4, 6, 5, 7, 5, 3, 4, 6, 5, 4])
    frame = level(history, 3).frame
    assert frame["mean"].tolist() == pytest.approx([5.0] * 3)
    assert (frame["lower_80"] < 5.0).all() and (frame["upper_80"] > 5.0).all()


def test_the_season_is_kept_where_it_stands_out_and_dropped_where_noise_made_it():
    t = np.arange(72)
    clear = 20 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 2, 72)
    profile = seasonal_profile(clear, 12)
    np.testing.assert_allclose(profile, 20 * np.sin(2 * np.pi * np.arange(12) / 12), atol=3)
    noise = np.random.default_rng(1).normal(0, 2, 72)
    assert np.abs(seasonal_profile(noise, 12)).max() < 0.5
    assert (seasonal_profile(clear[:24], 12) == 0).all()  # two seasons and a period needed


def test_croston_sba_on_a_regular_intermittent_series():
    # A demand of 3 every third month: size 3, interval 3, SBA rate (1 - 0.1 / 2) * 3 / 3.
    history = monthly([0, 0, 3] * 10)
    frame = croston_sba(history, 4).frame
    np.testing.assert_allclose(frame["mean"], 0.95)
    assert frame["lower_80"].iloc[0] == 0.0
    assert frame["upper_95"].iloc[0] == 3.0


def test_croston_intervals_hold_their_mean_after_a_quiet_stretch():
    # Thousands at a time for two years, then two quiet years: the mean (the smoothed
    # size over the smoothed interval) must not sit above an interval of 0 to 0.
    history = monthly([5000, 0, 0, 7000, 0, 6000] * 4 + [0] * 24)
    frame = croston_sba(history, 3).frame
    assert (frame["mean"] > 1000).all()
    assert (frame["lower_80"] <= frame["mean"]).all()
    assert (frame["mean"] < frame["upper_80"]).all()
    assert (frame["upper_80"] <= frame["upper_95"]).all()


def test_normal_quantiles_are_written_out_right():
    assert Z80 == pytest.approx(stats.norm.ppf(0.9), abs=1e-12)


def test_ets_recovers_trend_and_season():
    history, truth = trend_season()
    result = ets(history, 12)
    assert result.model == "ets"
    # Within 10 %: the damped trend (phi at most 0.9) falls short of a straight line on
    # purpose, real series rarely keep one.
    np.testing.assert_allclose(result.frame["mean"], truth, rtol=0.1)
    inside = result.frame["lower_95"].le(truth) & result.frame["upper_95"].ge(truth)
    assert inside.mean() >= 0.9


def test_sarimax_recovers_trend_and_season():
    history, truth = trend_season()
    result = sarimax(history, 12)
    np.testing.assert_allclose(result.frame["mean"], truth, rtol=0.06)


def test_fixed_params_skip_estimation_and_reproduce_the_fit():
    history, _ = trend_season()
    first = ets(history, 6)
    again = ets(history, 6, params=first.params)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    fitted = sarimax(history, 6)
    refiltered = sarimax(history, 6, params=fitted.params)
    pd.testing.assert_frame_equal(fitted.frame, refiltered.frame)


def test_sarimax_uses_the_regressor():
    rng = np.random.default_rng(3)
    flows = rng.normal(1000, 300, 66)
    counts = monthly(20 + 0.05 * flows[:60] + rng.normal(0, 1, 60))
    x = pd.Series(flows[:60], index=counts.index)
    future = pd.Series(flows[60:])
    mean = sarimax(counts, 6, x, future).frame["mean"].to_numpy()
    np.testing.assert_allclose(mean, 20 + 0.05 * flows[60:], atol=6)


def test_sarimax_regressor_comes_in_pairs():
    history, _ = trend_season()
    with pytest.raises(ValueError, match=r"^`exog_history` and `exog_future` must be given"):
        sarimax(history, 3, exog_history=history)


def test_sarimax_regressor_needs_one_value_per_horizon():
    history, _ = trend_season()
    with pytest.raises(ValueError, match=r"^`exog_future` must have 3 values .* Got 2\.$"):
        sarimax(history, 3, history, pd.Series([1.0, 2.0]))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", sorted(MODELS))
def test_counts_are_never_negative_and_intervals_hold_the_mean(name, seed):
    rng = np.random.default_rng(seed)
    rate = [0.3, 1.0, 3.0, 3000.0][seed]
    history = monthly(rng.poisson(rate, 36) * rng.lognormal(0, 0.5, 36))
    frame = MODELS[name](history, 6).frame
    values = frame.drop(columns="period").to_numpy()
    assert np.isfinite(values).all()
    assert (values >= 0).all()
    ordered = frame[["lower_95", "lower_80", "mean", "upper_80", "upper_95"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= 0).all()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_inputs_are_not_mutated(name):
    history, _ = trend_season(36)
    before = history.copy()
    MODELS[name](history, 3)
    pd.testing.assert_series_equal(history, before)
