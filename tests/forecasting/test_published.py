"""Viewers' forecasts of sensitive types, made only from published quarterly totals."""

import numpy as np
import pandas as pd
import pytest

from forecasting.models import FORECAST_COLUMNS
from forecasting.published import (
    MIN_QUARTERS,
    one_step_errors,
    published_forecast,
    quarterly_series,
)


def totals(counts, crime="Human trafficking", first="2023Q1") -> pd.DataFrame:
    quarters = pd.period_range(first, periods=len(counts), freq="Q").astype(str)
    return pd.DataFrame({"quarter": quarters, "crime": crime, "count": counts})


def test_the_series_runs_on_quarter_starts_with_hidden_and_missing_quarters_as_gaps():
    frame = pd.concat(
        [
            totals([10.0, np.nan, 12.0]),
            pd.DataFrame({"quarter": ["2023Q4"], "crime": ["CSE"], "count": [3.0]}),
        ]
    )
    frame = frame[frame["quarter"] != "2023Q3"].reset_index(drop=True)  # missing altogether
    frame = pd.concat([frame, totals([20.0], first="2023Q4")], ignore_index=True)
    series = quarterly_series(frame, "Human trafficking")
    assert series.index.strftime("%Y-%m-%d").tolist() == [
        "2023-01-01",
        "2023-04-01",
        "2023-07-01",
        "2023-10-01",
    ]
    assert series.tolist()[0] == 10.0 and np.isnan(series.tolist()[1])
    assert np.isnan(series.tolist()[2]) and series.tolist()[3] == 20.0
    with pytest.raises(ValueError, match=r"^No published totals for 'Drugs'\.$"):
        quarterly_series(frame, "Drugs")


def test_a_steady_climb_is_forecast_by_the_trend_model_and_beats_naive():
    climb = [100.0 + 12 * i + (3 if i % 2 else -3) for i in range(14)]
    frame = totals(climb)
    found = published_forecast(frame, "Human trafficking", horizon=2)
    assert found.model == "local_linear_trend"
    assert found.mae["local_linear_trend"] < found.mae["naive"]
    assert list(found.forecast.columns) == list(FORECAST_COLUMNS)
    assert found.forecast["period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-07-01",
        "2026-10-01",
    ]
    mean = found.forecast["mean"].to_numpy()
    assert mean[0] == pytest.approx(climb[-1] + 12, abs=10)
    assert mean[1] > mean[0]
    f = found.forecast
    assert (f["lower_95"] <= f["lower_80"]).all() and (f["lower_80"] <= f["mean"]).all()
    assert (f["mean"] <= f["upper_80"]).all() and (f["upper_80"] <= f["upper_95"]).all()
    assert frame["count"].tolist() == climb  # input untouched
    assert found.message.startswith(
        "Local linear trend model, the simplest of local level, local linear trend, local "
        "level with a quarterly season that no more complex one beats by 10 % at "
        "forecasting each of the last 4 published quarters from the ones before it: mean "
        "absolute error "
    )


def test_a_level_series_with_noise_keeps_the_local_level_and_gaps_are_no_obstacle():
    rng = np.random.default_rng(7)
    level = list(60 + rng.normal(0, 6, 14).round())
    level[5] = np.nan  # a total hidden by suppression
    found = published_forecast(totals(level), "Human trafficking", horizon=4)
    assert found.model == "local_level"
    assert len(found.forecast) == 4
    assert found.forecast["mean"].between(45, 75).all()


def test_counts_near_zero_give_no_negative_bounds():
    found = published_forecast(totals([3, 1, 0, 2, 0, 1, 4, 0, 1, 0]), "Human trafficking")
    values = found.forecast.drop(columns="period").to_numpy()
    assert (values >= 0).all()


def test_too_few_published_quarters_give_no_forecast_and_say_so():
    counts = [50.0] * (MIN_QUARTERS - 2) + [np.nan, 55.0]
    found = published_forecast(totals(counts), "Human trafficking")
    assert found.model is None and found.forecast.empty
    assert found.message == (
        "Only 7 quarters of human trafficking are published; a forecast needs 8."
    )
    with pytest.raises(ValueError, match=r"^`horizon` must be between 1 and 8 quarters\. Got 9\.$"):
        published_forecast(totals([50.0] * 10), "Human trafficking", horizon=9)


def test_a_quarterly_season_is_kept_when_it_forecasts_much_better():
    season = [0.0, 40.0, 60.0, -30.0]
    seasonal = [300.0 + season[i % 4] + (4 if i % 3 else -4) for i in range(16)]
    found = published_forecast(totals(seasonal), "Human trafficking", horizon=4)
    assert found.model == "local_level_seasonal"
    assert found.mae["local_level_seasonal"] < 0.5 * found.mae["local_level"]
    assert found.mae["seasonal_naive"] < found.mae["naive"]
    # The next year repeats the pattern: Q3 highest, Q4 lowest.
    mean = found.forecast["mean"].to_numpy()
    assert found.forecast["period"].dt.quarter.tolist() == [1, 2, 3, 4]
    assert mean.argmax() == 2 and mean.argmin() == 3


def test_the_season_is_not_tried_on_fewer_than_twelve_published_quarters():
    from forecasting.published import candidates

    eleven = np.array([5.0] * 11 + [np.nan])
    assert candidates(eleven) == ["local_level", "local_linear_trend"]
    assert candidates(np.append(eleven, 6.0))[-1] == "local_level_seasonal"


def test_a_more_complex_model_needs_a_tenth_less_error():
    from forecasting.published import choose

    base = {"naive": 9.0, "seasonal_naive": float("nan")}
    assert choose({**base, "local_level": 10.0, "local_linear_trend": 9.5}) == "local_level"
    assert choose({**base, "local_level": 10.0, "local_linear_trend": 9.0}) == (
        "local_linear_trend"
    )
    three = {"local_level": 10.0, "local_linear_trend": 8.0, "local_level_seasonal": 7.5}
    assert choose({**base, **three}) == "local_linear_trend"
    assert choose({**base, **three, "local_level_seasonal": 7.2}) == "local_level_seasonal"


def test_each_origin_is_forecast_from_what_came_before_it():
    """A jump in the last quarter is scored as a miss, not learnt in advance."""
    values = np.array([10.0] * 9 + [40.0])
    errors = one_step_errors(values, origins=1)
    assert errors["naive"] == 30.0
    assert errors["local_level"] == pytest.approx(30.0, abs=0.5)
