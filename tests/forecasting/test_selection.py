import numpy as np
import pandas as pd
import pytest

from forecasting.selection import Selection, flow_series, incident_series
from threatmon.filters import Filters
from threatmon.store.reader import Store


@pytest.fixture(scope="module")
def store(demo_store_path):
    return Store(demo_store_path)


def test_incident_series_is_dense_monthly_and_matches_the_store(store):
    series = incident_series(store, Selection(country="MD", crime_types=("migrant_smuggling",)))
    assert series.index.freqstr == "MS"
    assert series.index[0] == pd.Timestamp("2021-01-01")
    assert series.index[-1] == pd.Timestamp("2026-10-01")  # the last complete month
    assert len(series) == 70
    expected = store.aggregate(
        Filters(
            countries=("MD",),
            crime_types=("migrant_smuggling",),
            start="2021-01-01",
            end="2026-10-31",
        ),
        by=(),
        freq=None,
    )["count"].iloc[0]
    assert series.sum() == expected


def test_a_region_uses_the_arrivals_through_its_own_crossings(store):
    flows, text = flow_series(store, Selection(region="MD-CA"))
    assert text.startswith("arrivals from Ukraine through the ")
    assert text.endswith(" crossing points of MD-CA")
    assert flows.index.equals(incident_series(store, Selection(region="MD-CA")).index)
    assert flows.sum() > 0


def test_countries_use_their_arrivals_and_the_baltics_have_none(store):
    moldova, text = flow_series(store, Selection(country="MD"))
    assert text == "arrivals from Ukraine into MD"
    everything, text_all = flow_series(store, Selection())
    assert text_all == "all arrivals from Ukraine"
    assert everything.sum() > moldova.sum() > 0
    assert flow_series(store, Selection(country="UA"))[1] == "all arrivals from Ukraine"
    none, text_ee = flow_series(store, Selection(country="EE"))
    assert none is None
    assert text_ee == "no migration flows are recorded for EE"


def test_a_region_without_crossings_falls_back_to_its_country(store):
    _, text = flow_series(store, Selection(region="MD-CU"))  # Chișinău has no crossing
    assert text == "arrivals from Ukraine into MD"


def test_a_selection_is_a_country_or_a_region():
    with pytest.raises(ValueError, match="Give a country or a region, not both."):
        Selection(country="MD", region="MD-CA")


def test_weekly_series_cover_complete_monday_to_sunday_weeks(store):
    selection = Selection(country="MD", crime_types=("migrant_smuggling",))
    weekly = incident_series(store, selection, freq="W")
    assert weekly.index.freqstr == "W-MON"
    # The demo starts on Friday 2021-01-01 and ends on Saturday 2026-10-31.
    assert weekly.index[0] == pd.Timestamp("2021-01-04")
    assert weekly.index[-1] == pd.Timestamp("2026-10-19")
    expected = store.aggregate(
        Filters(
            countries=("MD",),
            crime_types=("migrant_smuggling",),
            start="2021-01-04",
            end="2026-10-25",
        ),
        by=(),
        freq=None,
    )["count"].iloc[0]
    # Daily rows cover a month when it has one; a week is reported when the months of
    # its Monday and Sunday are, and a gap (never a zero) otherwise.
    monthly = incident_series(store, selection, freq="M")
    reported = monthly.notna()
    mondays, sundays = weekly.index, weekly.index + pd.Timedelta(days=6)
    both = reported.reindex(mondays.to_period("M").start_time).to_numpy() & reported.reindex(
        sundays.to_period("M").start_time
    ).to_numpy(dtype=bool)
    np.testing.assert_array_equal(weekly.notna().to_numpy(), both)
    assert weekly.sum() <= expected and weekly.notna().sum() > 0
    flows, _ = flow_series(store, selection, freq="W")
    assert flows.index.equals(weekly.index)


def test_an_unknown_frequency_is_refused(store):
    with pytest.raises(ValueError, match="`freq` must be one of M, W. Got 'D'."):
        incident_series(store, Selection(), freq="D")
