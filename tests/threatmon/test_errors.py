"""The expected-outcome errors: their family, their fields, and the domain calls raising them.

Each domain test uses a small inline fixture and the exact message the dashboard shows, so
the message text stays what it was when these outcomes were plain ValueErrors.
"""

import datetime as dt
import pickle
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from threatmon.errors import (
    EmptyStoreError,
    InsufficientDataError,
    NoStoreError,
    NoVariationError,
    SeriesGapError,
    StoreError,
    ThreatmonError,
    TooFewPeriodsError,
    TooFewRegionsError,
)
from threatmon.filters import Filters

MONTHS = pd.date_range("2020-01-01", periods=60, freq="MS")


def _exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


@pytest.mark.parametrize(
    "error",
    [
        InsufficientDataError("Too little."),
        TooFewRegionsError("Too few regions.", needed=3, found=2),
        TooFewPeriodsError("Too few months.", needed=14, found=12),
        SeriesGapError("A gap.", series="flows", period=dt.date(2021, 3, 1)),
        NoVariationError("Flat.", series="flows"),
        EmptyStoreError("Empty.", path="/tmp/x.duckdb"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_expected_outcomes_are_project_errors_and_still_value_errors(error):
    # ValueError stays a base: callers that still catch it behave as before.
    assert isinstance(error, InsufficientDataError)
    assert isinstance(error, ThreatmonError)
    assert isinstance(error, ValueError)
    # The message is the text alone, whatever fields the error carries.
    assert str(error) == error.args[0]
    # Pickled and back (a forecast refresh worker's error reaches the parent like this).
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert vars(again) == vars(error)


def test_an_empty_store_is_a_store_error_and_a_missing_one_is_not_an_outcome():
    error = EmptyStoreError("Empty.", path="/tmp/x.duckdb")
    assert isinstance(error, StoreError)
    assert error.path == "/tmp/x.duckdb"
    assert not issubclass(NoStoreError, InsufficientDataError)
    assert not issubclass(NoStoreError, ValueError)


# -- too few regions -----------------------------------------------------------------------------


def test_hotspots_on_two_regions_raise_too_few_regions():
    from geo.analysis import region_hotspots

    filters = Filters(
        regions=("MD-CA", "MD-CU"), start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)
    )
    message = (
        "A hotspot analysis needs at least 3 regions; the selection has 2. "
        "Select a country or several regions."
    )
    # Refused before the store is read: no store is needed to see it.
    with pytest.raises(TooFewRegionsError, match=_exact(message)) as caught:
        region_hotspots(None, filters)
    assert (caught.value.needed, caught.value.found) == (3, 2)


def test_weights_on_one_region_raise_too_few_regions():
    from geo.weights import contiguity_weights

    one = gpd.GeoDataFrame({"region_code": ["A"]}, geometry=[box(28, 47, 29, 48)], crs=4326)
    message = "Spatial weights need at least two regions. Got 1."
    with pytest.raises(TooFewRegionsError, match=_exact(message)) as caught:
        contiguity_weights(one)
    assert (caught.value.needed, caught.value.found) == (2, 1)


# -- too few periods -----------------------------------------------------------------------------


def test_emerging_hot_spots_on_one_period_raise_too_few_periods():
    from geo.emerging import emerging_hot_spots, mann_kendall
    from geo.weights import contiguity_weights

    shapes = [box(28 + i, 47, 29 + i, 48) for i in range(3)]
    regions = gpd.GeoDataFrame({"region_code": ["A", "B", "C"]}, geometry=shapes, crs=4326)
    panel = pd.DataFrame({"region_code": ["A", "B", "C"], "period": "2024-01", "value": 1.0})
    message = "Emerging hot spot analysis needs at least two periods. Got 1."
    with pytest.raises(TooFewPeriodsError, match=_exact(message)) as caught:
        emerging_hot_spots(panel, contiguity_weights(regions))
    assert (caught.value.needed, caught.value.found) == (2, 1)
    message = "The Mann–Kendall test needs at least two periods. Got 1."
    with pytest.raises(TooFewPeriodsError, match=_exact(message)):
        mann_kendall([1.0])


def test_a_granger_test_on_two_years_raises_too_few_periods():
    from forecasting.linkage import granger

    months = MONTHS[:24]
    counts = pd.Series(np.arange(24, dtype=float) % 7, index=months)
    flows = pd.Series(np.arange(24, dtype=float) % 5, index=months)
    message = (
        "A Granger test with 3 lags needs at least 14 months after comparing each month "
        "with a year earlier; there are 12."
    )
    with pytest.raises(TooFewPeriodsError, match=_exact(message)) as caught:
        granger(counts, flows, max_lag=3)
    assert (caught.value.needed, caught.value.found) == (14, 12)


def test_a_backtest_of_a_short_series_raises_too_few_periods():
    from forecasting.backtest import BacktestSettings, rolling_backtest

    series = pd.Series(np.arange(24, dtype=float) % 6, index=MONTHS[:24])
    settings = BacktestSettings(models=("seasonal_naive",))
    message = (
        "The series has 24 periods; a backtest with min_train=13 and horizon=12 needs at least 25."
    )
    with pytest.raises(TooFewPeriodsError, match=_exact(message)) as caught:
        rolling_backtest(series, settings)
    assert (caught.value.needed, caught.value.found) == (25, 24)


# -- the effect of flows: too short, a gap, no variation -----------------------------------------


def _counts_and_flows(n: int = 60) -> tuple[pd.Series, pd.Series]:
    months = MONTHS[:n]
    counts = pd.Series(10 + np.arange(n) % 4, index=months, dtype=float)
    flows = pd.Series(100 + (np.arange(n) * 7) % 11, index=months, dtype=float)
    return counts, flows


def test_the_effect_of_flows_on_too_few_months_raises_too_few_periods():
    from forecasting.effect import regressor_effect

    counts, flows = _counts_and_flows(40)
    message = (
        "The effect of arrivals 2 months earlier needs at least 30 months after lagging and "
        "comparing each month with a year earlier; there are 26."
    )
    with pytest.raises(TooFewPeriodsError, match=_exact(message)) as caught:
        regressor_effect(counts, flows, 2)
    assert (caught.value.needed, caught.value.found) == (30, 26)


def test_the_effect_of_flows_with_a_gap_raises_series_gap():
    from forecasting.effect import regressor_effect

    counts, flows = _counts_and_flows()
    flows[pd.Timestamp("2021-03-01")] = np.nan
    message = "`flows` has no value for 2021-03-01, needed with lag 2."
    with pytest.raises(SeriesGapError, match=_exact(message)) as caught:
        regressor_effect(counts, flows, 2)
    assert (caught.value.series, caught.value.period) == ("flows", dt.date(2021, 3, 1))


def test_the_effect_of_flat_flows_raises_no_variation():
    from forecasting.effect import regressor_effect

    counts, _ = _counts_and_flows()
    flat = pd.Series(100.0, index=counts.index)
    message = "`flows` do not change from one year to the next; no effect to fit."
    with pytest.raises(NoVariationError, match=_exact(message)) as caught:
        regressor_effect(counts, flat, 1)
    assert caught.value.series == "flows"


# -- a store without incidents -------------------------------------------------------------------


@pytest.fixture
def empty_store(tmp_path):
    from threatmon.store.reader import Store
    from threatmon.store.writer import write_session

    path = tmp_path / "empty.duckdb"
    with write_session(path, user="tester") as writer:
        writer.set_meta("note", "empty")
    return Store(path)


def test_a_series_from_an_empty_store_raises_empty_store(empty_store):
    from forecasting.selection import period_window

    message = f"The store at {empty_store.location} holds no incidents."
    with pytest.raises(EmptyStoreError, match=_exact(message)) as caught:
        period_window(empty_store, "M")
    assert caught.value.path == str(empty_store.location)


def test_a_briefing_of_an_empty_store_raises_empty_store(empty_store):
    from reports.content import briefing_filters

    message = f"The store at {empty_store.location} holds no incidents; nothing to brief on."
    with pytest.raises(EmptyStoreError, match=_exact(message)) as caught:
        briefing_filters(empty_store, Filters())
    assert isinstance(caught.value, StoreError)
    assert caught.value.path == str(empty_store.location)
