"""Yearly, quarterly, monthly and weekly series: spacing, labels, seasons, backtests, forecasts."""

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import lagged_exog
from forecasting.forecast import BACKTESTS, DEFAULT_HORIZONS, forecast_series
from forecasting.models import ets, fallback, future_periods, seasonal_naive
from forecasting.series import period_labels, period_unit, season_length


def counts(start: str, freq: str, values) -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq=freq, name="period")
    return pd.Series(np.asarray(values, dtype=float), index=index)


# National yearly figures 2010-2024: a rising trend with noise, no season.
YEARLY = counts("2010-01-01", "YS", [12, 15, 17, 21, 19, 22, 27, 25, 28, 30, 33, 29, 35, 37, 41])


def test_each_frequency_has_its_unit_season_and_labels():
    quarters = counts("2023-07-01", "QS", [1, 2, 3])
    weeks = counts("2024-12-23", "W-MON", [1, 2, 3])
    months = counts("2025-11-01", "MS", [1, 2, 3])
    assert [period_unit(s.index) for s in (YEARLY, quarters, months, weeks)] == [
        "years",
        "quarters",
        "months",
        "weeks",
    ]
    assert [season_length(s.index) for s in (YEARLY, quarters, months, weeks)] == [1, 4, 12, 52]
    assert period_labels(YEARLY.index[:2]) == ["2010", "2011"]
    assert period_labels(quarters.index) == ["2023-Q3", "2023-Q4", "2024-Q1"]
    assert period_labels(months.index) == ["2025-11", "2025-12", "2026-01"]
    assert period_labels(weeks.index) == ["2024-W52", "2025-W01", "2025-W02"]


def test_spacing_is_read_without_a_frequency_attribute():
    def bare(*days):
        return pd.DatetimeIndex(list(days))

    assert period_unit(bare("2020-01-01", "2021-01-01", "2022-01-01")) == "years"
    assert period_unit(bare("2020-10-01", "2021-01-01")) == "quarters"
    assert period_unit(bare("2020-12-01", "2021-01-01")) == "months"
    with pytest.raises(ValueError, match=r"^The series index must be consecutive year, quarter"):
        period_unit(bare("2020-01-01", "2020-04-01", "2020-10-01"))  # a quarter missing
    with pytest.raises(ValueError, match=r"^The series index must be consecutive year, quarter"):
        period_unit(bare("2020-02-01", "2020-05-01"))  # three months apart, not quarter starts


def test_future_periods_of_years_and_quarters():
    assert list(future_periods(YEARLY.index, 3).year) == [2025, 2026, 2027]
    quarters = counts("2023-07-01", "QS", [1, 2, 3]).index
    assert period_labels(future_periods(quarters, 3)) == ["2024-Q2", "2024-Q3", "2024-Q4"]


def test_a_year_has_no_season():
    naive = seasonal_naive(YEARLY, 2).frame
    assert naive["mean"].tolist() == [41.0, 41.0]  # the same as last year
    sd = (naive["upper_95"] - naive["mean"]) / 1.959964
    assert sd.iloc[1] / sd.iloc[0] == pytest.approx(np.sqrt(2))  # a random walk's spread
    assert ets(YEARLY, 3).frame["mean"].iloc[0] > 41.0 - 5  # fitted without a season
    assert fallback(YEARLY, 2).frame["mean"].tolist() == [pytest.approx(113 / 3)] * 2


def test_a_yearly_series_from_2010_to_2024_is_backtested_over_3_origins():
    result = forecast_series(YEARLY, horizon=DEFAULT_HORIZONS["years"])
    assert period_labels(pd.DatetimeIndex(result.forecast["period"]), "years") == [
        "2025",
        "2026",
        "2027",
    ]
    # A year has no season: seasonal naive would repeat no change, and is left out.
    assert set(result.scores["model"]) == {"naive", "level", "ets", "combination"}
    assert result.backtest["cutoff"].dt.year.unique().tolist() == [2019, 2020, 2021]
    assert result.message.startswith("Chosen by backtest over 3 origins, 3 years ahead: ")
    values = result.forecast.drop(columns="period").to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()


def test_twelve_years_still_get_a_forecast_with_a_note():
    result = forecast_series(YEARLY.iloc[:12], horizon=3)
    assert result.chosen == "level"
    assert result.message == (
        "Only 12 years of data; at least 13 are needed to choose a model by backtest. "
        "Showing the mean of the last 3 years, with intervals from its changes."
    )
    assert result.forecast["mean"].tolist() == [pytest.approx((30 + 33 + 29) / 3)] * 3  # 2019-2021


def test_a_quarterly_series_has_a_season_of_four_and_flows_lagged_in_quarters():
    rng = np.random.default_rng(7)
    t = np.arange(32)
    values = rng.poisson(60 + t + 15 * np.sin(2 * np.pi * t / 4))
    series = counts("2017-01-01", "QS", values)
    flows = counts("2017-01-01", "QS", rng.poisson(1000, 32))
    result = forecast_series(series, horizon=4, exog=flows)
    assert BACKTESTS["quarters"].season_length == 4
    assert {lag for lag in result.scores["lag"] if lag == lag} == {1.0, 2.0, 3.0}
    assert period_labels(pd.DatetimeIndex(result.forecast["period"]), "quarters") == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]


def test_quarterly_flows_are_lagged_by_whole_quarters():
    flows = counts("2020-01-01", "QS", [10, 20, 30, 40, 50, 60, 70, 80])
    periods = pd.date_range("2021-07-01", periods=3, freq="QS")
    got = lagged_exog(flows, pd.Timestamp("2021-10-01"), periods, lag=2)
    # 2021-Q3 uses 2021-Q1 (50), 2021-Q4 uses 2021-Q2 (60), 2022-Q1 uses 2021-Q3 (70).
    assert got["value"].tolist() == [50.0, 60.0, 70.0]


def test_backtests_score_the_longest_horizon_shown():
    # The page shows up to 12 months or 13 weeks; the refresh forecasts 12 months.
    assert (BACKTESTS["months"].horizon, BACKTESTS["months"].min_train) == (12, 13)
    assert (BACKTESTS["weeks"].horizon, BACKTESTS["weeks"].flow_model) == (13, None)
    assert BACKTESTS["years"].models == ("naive", "level", "ets")
    assert DEFAULT_HORIZONS == {"years": 3, "quarters": 4, "months": 6, "weeks": 6}
