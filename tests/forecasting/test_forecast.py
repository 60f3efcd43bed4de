"""One series end to end: the fallback paths with their messages, intermittent and full paths,
and constructed series where each safeguard for real data matters."""

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import BacktestSettings
from forecasting.forecast import default_settings, forecast_series
from forecasting.models import FORECAST_COLUMNS, MODELS
from forecasting.models.scale import choose_scale
from forecasting.series import classify


def monthly(values, start="2020-01-01") -> pd.Series:
    """Counts on consecutive month starts."""
    index = pd.date_range(start, periods=len(values), freq="MS", name="period")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def seasonal_counts(n=60, seed=0) -> pd.Series:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return monthly(np.round(100 + t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, n)))


def assert_fallback(result, message, model="fallback"):
    assert result.chosen == model
    assert np.isnan(result.lag)
    assert result.message == message
    assert result.backtest.empty and result.scores.empty
    assert list(result.forecast.columns) == list(FORECAST_COLUMNS)


def test_too_short_series_gets_the_recent_level():
    result = forecast_series(monthly([4, 6, 5, 7, 5, 3, 4, 6, 5, 4] * 2))
    assert_fallback(
        result,
        "Only 20 months of data; at least 25 are needed to choose a model by backtest. "
        "Showing the mean of the last 3 months, with intervals from its changes.",
        model="level",
    )
    assert result.forecast["mean"].tolist() == pytest.approx([5.0] * 6)
    assert (result.forecast["upper_80"] > result.forecast["mean"]).all()


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


def test_intermittent_series_compares_croston_and_the_baselines_only():
    rng = np.random.default_rng(4)
    values = rng.poisson(2, 48) * (rng.random(48) < 0.4)
    result = forecast_series(monthly(values), exog=monthly(rng.normal(100, 10, 48)))
    assert set(result.scores["model"]) == {"croston_sba", "naive", "seasonal_naive", "combination"}
    assert result.chosen in ("croston_sba", "naive", "seasonal_naive", "combination")
    assert np.isnan(result.lag)
    found = classify(monthly(values), 12, 13)
    assert found.status == result.status == "intermittent"
    assert result.message.startswith(
        f"{found.n_zero} of the last 24 months are zero (ADI {found.adi:.2f}): intermittent "
        "series, so only Croston (SBA) and the no-change and seasonal naive forecasts were "
        "compared. "
    )
    assert "error of the 12-month total" in result.message


def test_full_path_chooses_a_model_and_says_so():
    series = seasonal_counts(70)
    before = series.copy()
    result = forecast_series(series)
    pd.testing.assert_series_equal(series, before)
    assert (result.chosen, result.skill) == ("ets", True)
    assert list(result.scores.columns[:4]) == ["model", "lag", "rel_mae", "mase"]
    assert result.backtest["cutoff"].nunique() == 16
    assert set(result.backtest["h"]) == set(range(1, 13))
    assert result.forecast["period"].iloc[0] == pd.Timestamp("2025-11-01")
    assert (result.forecast.drop(columns="period").to_numpy() >= 0).all()
    assert result.message.startswith(
        "Chosen by backtest over 16 origins, 12 months ahead: ETS (error "
    )
    assert "Intervals are calibrated on the backtest errors. Held out: " in result.message


def test_the_choice_is_also_scored_on_months_it_never_saw():
    result = forecast_series(seasonal_counts(70))
    held = result.held_out
    assert set(held) == {"model", "lag", "vs_no_change", "vs_seasonal_naive"}
    # Chosen from the origins whose forecast months all precede the latest origin.
    assert held["model"] == "ets" and held["vs_no_change"] < 0.5
    assert result.message.endswith(
        "Held out: chosen the same way without the last 12 months, ETS forecast them with "
        f"{held['vs_no_change']:.2f} × the no-change forecast's error and "
        f"{held['vs_seasonal_naive']:.2f} × seasonal naive's."
    )
    short = forecast_series(seasonal_counts(40))  # 8 origins, 2 of them before the latest's
    assert short.held_out is None


def test_flows_at_lag_two_are_scored_and_named_in_the_message():
    rng = np.random.default_rng(0)
    flows = monthly(rng.normal(1000, 300, 74), start="2019-11-01")
    counts = monthly(np.round(20 + 0.05 * flows.to_numpy()[:72] + rng.normal(0, 1, 72)))
    before = flows.copy()
    result = forecast_series(counts, exog=flows)
    pd.testing.assert_series_equal(flows, before)
    best = result.scores.iloc[0]
    assert (best["model"], best["lag"]) == ("sarimax", 2.0)
    # Twelve months ahead the flows of two months earlier are known for two of them only:
    # not enough to beat the recent level by the margin a backtest can tell from chance.
    assert result.chosen == "level"
    assert f"SARIMAX with flows lagged 2 months scored {best['rel_mae']:.2f}, less than 20 %" in (
        result.message
    )


def test_the_backtest_follows_a_longer_forecast_horizon_when_the_series_allows():
    result = forecast_series(seasonal_counts(), horizon=18, settings=BacktestSettings(horizon=6))
    assert len(result.forecast) == 18
    assert set(result.backtest["h"]) == set(range(1, 19))
    short = forecast_series(
        seasonal_counts(40), horizon=18, settings=BacktestSettings(horizon=6, min_train=24)
    )
    assert len(short.forecast) == 18
    assert set(short.backtest["h"]) == set(range(1, 7))


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
    # Not even through the calibration of the intervals on the backtest errors.
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
        "Only 60 weeks of data; at least 66 are needed to choose a model by backtest. "
        "Showing the mean of the last 3 weeks, with intervals from its changes."
    )
    settings = default_settings(pd.Series(5.0, index=index))
    assert settings.flow_model is None
    assert settings.models == ("naive", "seasonal_naive", "level", "ets")


def test_a_series_that_repeats_itself_is_given_seasonal_naive_without_skill():
    # The rule "seasonal naive is never chosen for a non-sparse series" was tuned on the
    # synthetic demo; on real series the baselines must be allowed to win.
    pattern = [5.0, 7, 9, 12, 15, 18, 20, 17, 14, 10, 8, 6]
    result = forecast_series(monthly(pattern * 6))
    assert (result.chosen, result.skill) == ("seasonal_naive", False)
    assert result.forecast["mean"].tolist() == pattern[:6]
    assert result.message.startswith(
        "No skill: in the backtest over 16 origins, 12 months ahead no model beat the "
        "no-change forecasts (best other: "
    )
    assert (
        "shown: seasonal naive. Intervals are calibrated on the backtest errors." in result.message
    )


def test_intermittent_series_are_chosen_by_the_error_of_their_total():
    rng = np.random.default_rng(8)
    counts = rng.poisson(0.4, 72).astype(float)
    result = forecast_series(monthly(counts))
    assert result.status == "intermittent"
    best = result.scores.sort_values("rel_total").iloc[0]
    assert result.chosen in (best["model"], "croston_sba", "naive", "seasonal_naive")
    # Forecasting zero is the median of such a series; the total asks how many to expect.
    assert result.forecast["mean"].sum() > 0
    assert "Low volume: about 0 a month" in result.message


# -- constructed series: what each safeguard for real data is for ------------------------------


def test_a_surge_is_not_extrapolated():
    rng = np.random.default_rng(1)
    t = np.arange(96)
    counts = 1000 * np.exp(0.3 * np.sin(2 * np.pi * t / 12)) * rng.lognormal(0, 0.1, 96)
    counts[-5:] *= [2, 4, 8, 16, 32]  # the route doubled five months running
    series = monthly(np.round(counts))
    result = forecast_series(series, horizon=12)
    assert result.chosen == "level"
    # The forecast stays below the latest month: a surge is not a trend.
    assert result.forecast["mean"].max() < series.iloc[-1]
    assert result.forecast["mean"].min() > series.iloc[-6]
    # ETS itself damps the trend it picked up: it grows by half, not several times.
    alone = MODELS["ets"](series, 12).frame["mean"]
    assert alone.max() < 1.6 * series.iloc[-1]


def test_a_series_spanning_three_orders_of_magnitude_is_modelled_on_the_log_scale():
    rng = np.random.default_rng(3)
    t = np.arange(120)
    level = np.minimum(10 * np.exp(t * np.log(1000) / 72), 10_000)  # 10 to 10,000 a month
    counts = level * np.exp(0.25 * np.sin(2 * np.pi * t / 12)) * rng.lognormal(0, 0.1, 120)
    series = monthly(np.round(counts))
    assert choose_scale(series.to_numpy()).log
    result = forecast_series(series, horizon=12)
    forecast = result.forecast
    assert result.skill
    assert forecast["mean"].between(6_000, 16_000).all()
    # Intervals multiplicative: as far above the mean in ratio as below, never below 0.
    up = forecast["upper_80"] / forecast["mean"]
    down = forecast["mean"] / forecast["lower_80"]
    np.testing.assert_allclose(up, down, rtol=0.01)
    assert (forecast["lower_95"] > 1_000).all()


def test_years_of_zeros_then_hundreds_a_month_is_not_intermittent():
    rng = np.random.default_rng(3)
    series = monthly(np.r_[np.zeros(60), rng.poisson(300, 30)], start="2015-01-01")
    result = forecast_series(series, horizon=12)
    assert result.status == "ok"
    assert "croston_sba" not in set(result.scores["model"])
    assert result.message.startswith("Zero from 2015-01 to 2019-12; modelled from 2020-01, ")
    assert result.forecast["mean"].between(200, 400).all()
    assert (result.forecast["lower_95"] > 100).all()
    assert (result.forecast["lower_80"] <= result.forecast["mean"]).all()
    assert (result.forecast["mean"] <= result.forecast["upper_80"]).all()


def test_a_series_whose_best_forecast_is_the_last_value_gets_it_and_says_so():
    # Level shifts without noise: nothing beats repeating the latest month.
    steps = np.repeat([200, 500, 350, 900, 600, 1200, 800, 400, 700, 300], 9).astype(float)
    result = forecast_series(monthly(steps, start="2017-01-01"), horizon=12)
    assert (result.chosen, result.skill) == ("naive", False)
    assert result.forecast["mean"].tolist() == [300.0] * 12
    assert result.message.startswith("No skill: in the backtest over 16 origins")
    assert "; shown: no change. Intervals" in result.message


def test_a_low_volume_series_is_read_as_a_level_with_its_yearly_total():
    rng = np.random.default_rng(5)
    t = np.arange(84)
    series = monthly(rng.poisson(12 + 3 * np.sin(2 * np.pi * t / 12)))
    result = forecast_series(series, horizon=12)
    total = result.forecast["mean"].sum()
    assert f"read the forecast as a level, {total:.0f} over the next 12 months (80 % " in (
        result.message
    )


@pytest.mark.parametrize("seed", range(4))
def test_every_interval_holds_its_mean_and_nests(seed):
    rng = np.random.default_rng(200 + seed)
    shape = [rng.poisson(3, 60), rng.poisson(300, 60) * (np.arange(60) > 30)]
    values = shape[seed % 2] * rng.lognormal(0, 0.5, 60)
    forecast = forecast_series(monthly(np.round(values)), horizon=12).forecast
    lower_95, lower_80, mean, upper_80, upper_95 = (
        forecast[c].to_numpy() for c in ("lower_95", "lower_80", "mean", "upper_80", "upper_95")
    )
    assert (lower_95 >= 0).all()
    assert (lower_95 <= lower_80).all() and (lower_80 <= mean).all()
    assert (mean <= upper_80).all() and (upper_80 <= upper_95).all()


# -- the notes the dashboard words, and the track record of the ranges -------------------------


def test_the_full_path_gives_its_notes_and_track_record():
    from forecasting.wording import Amount, Count, Model

    result = forecast_series(seasonal_counts(70))
    keys = [n.key for n in result.notes]
    assert keys[0] == "skill" and "held_out" in keys
    skill = result.notes[0]
    assert skill.values["model"] == Model("ets")
    assert skill.values["ratio"] == Amount(float(result.scores.iloc[0]["rel_mae"]), 2)
    held = result.notes[keys.index("held_out")]
    assert held.values["count"] == Count(12, "months")
    # 16 origins of 12 months, each judged by ranges calibrated on the 15 others.
    track = result.track
    assert track["checked"] == 16 * 12
    assert 0 <= track["held_80"] <= track["held_95"] <= track["checked"]


def test_notes_of_a_gap_come_first_and_fallbacks_carry_theirs():
    from forecasting.wording import Count

    series = seasonal_counts(70)
    series.iloc[20] = np.nan
    keys = [n.key for n in forecast_series(series).notes]
    assert keys[0] == "gap_one"
    gap = forecast_series(series).notes[0]
    assert gap.values["modelled"] == Count(49, "months")
    short = forecast_series(monthly([1.0, 2, 3, 4, 5]))
    assert [n.key for n in short.notes] == ["too_short_level"]
    assert short.track is None


def test_an_intermittent_series_is_said_to_be_judged_by_its_total():
    rng = np.random.default_rng(8)
    result = forecast_series(monthly(rng.poisson(0.4, 72).astype(float)))
    keys = [n.key for n in result.notes]
    assert keys[0] == "intermittent"
    assert ("skill_total" in keys) or ("no_skill" in keys)
    assert "skill" not in keys and "held_out" not in keys
    assert "low_volume" in keys
