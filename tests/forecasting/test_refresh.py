import numpy as np
import pandas as pd
import pytest

from forecasting.cache import forecast_for
from forecasting.reconcile import COHERENCE_TOLERANCE, incoherence
from forecasting.refresh import HORIZON, refresh
from forecasting.selection import Selection
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

MONTHS = pd.date_range("2021-01-01", "2026-10-01", freq="MS")
REGIONS = pd.DataFrame(
    {"region_code": ["MD-CA", "MD-CU", "RO-SV", "RO-BT"], "country": ["MD", "MD", "RO", "RO"]}
)


def _incidents(seed: int = 3) -> pd.DataFrame:
    """Seasonal Poisson counts for two crime types in four regions; the rest absent."""
    rng = np.random.default_rng(seed)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(len(MONTHS)) / 12)
    rows = []
    for code, country in zip(REGIONS["region_code"], REGIONS["country"], strict=True):
        for crime, level in (("migrant_smuggling", 20), ("drug_trafficking", 8)):
            counts = rng.poisson(level * season)
            rows += [
                (m, country, code, crime, int(c)) for m, c in zip(MONTHS, counts, strict=True) if c
            ]
    frame = pd.DataFrame(rows, columns=["date", "country", "region_code", "crime_type", "count"])
    # A few days of the month after: incomplete, so never part of a series.
    frame.loc[len(frame)] = (pd.Timestamp("2026-11-02"), "MD", "MD-CA", "cybercrime", 1)
    return frame


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("refresh") / "store.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(_incidents(), file_name="refresh.csv", sha256="d" * 64)
    return Store(path)


@pytest.fixture(scope="module")
def forecasts(store):
    return refresh(store, workers=1, regions=REGIONS)


@pytest.mark.slow
def test_every_reported_region_country_and_total_series_is_forecast(forecasts):
    series = forecasts.series
    # Two crime types reported in four regions; the ten others were never reported and
    # are not forecast (no data is not zero).
    assert len(series) == (4 + 2 + 1) * 2
    assert series.groupby("level").size().to_dict() == {"country": 4, "region": 8, "total": 2}
    assert set(series["crime_type"]) == {"migrant_smuggling", "drug_trafficking"}
    assert forecasts.meta["not_reported"] == (4 + 2 + 1) * 10
    assert len(forecasts.forecasts) == len(series) * HORIZON
    assert forecasts.forecasts["period"].min() == pd.Timestamp("2026-11-01")
    assert set(series["status"]) == {"ok"}
    assert forecasts.meta["first"] == "2021-01" and forecasts.meta["last"] == "2026-10"


def test_forecasts_add_up_and_are_never_negative(forecasts):
    frame = forecasts.forecasts
    assert incoherence(frame, REGIONS) < COHERENCE_TOLERANCE
    assert forecasts.meta["incoherence"] < COHERENCE_TOLERANCE
    bounds = frame[["mean", "lower_80", "upper_80", "lower_95", "upper_95"]].to_numpy()
    assert (bounds >= 0).all()
    assert (frame["lower_95"] <= frame["mean"]).all() and (frame["mean"] <= frame["upper_95"]).all()
    # Reconciliation moved the country forecasts towards the sum of their regions.
    country = frame[(frame["level"] == "country") & (frame["crime_type"] == "migrant_smuggling")]
    assert (country["mean"] != country["base_mean"]).any()


def test_the_checks_forecast_the_latest_month(forecasts):
    checks = forecasts.checks
    assert len(checks) == len(forecasts.series)
    assert set(checks["period"]) == {pd.Timestamp("2026-10-01")}


def test_a_region_forecast_is_the_same_fit_as_the_single_series_path(store, forecasts):
    selection = Selection(region="MD-CA", crime_types=("migrant_smuggling",))
    live = forecast_for(store, selection, HORIZON)
    assert not live.cached
    mine = forecasts.series.query("area == 'MD-CA' and crime_type == 'migrant_smuggling'")
    assert live.result.chosen == mine["chosen"].iloc[0]
    cached = forecasts.forecasts.query("area == 'MD-CA' and crime_type == 'migrant_smuggling'")
    np.testing.assert_allclose(live.result.forecast["mean"], cached["base_mean"], rtol=1e-6)


@pytest.mark.slow
def test_two_worker_processes_give_the_same_forecasts(store, forecasts):
    parallel = refresh(store, workers=2, regions=REGIONS)
    pd.testing.assert_frame_equal(parallel.forecasts, forecasts.forecasts)
    pd.testing.assert_frame_equal(parallel.series, forecasts.series)


@pytest.mark.slow
def test_progress_is_reported_up_to_the_total(store):
    seen = []
    refresh(store, workers=1, regions=REGIONS.head(2), progress=lambda d, t: seen.append((d, t)))
    # Two regions, their country and the total, for the two crime types reported.
    assert seen[0] == (0, (2 + 1 + 1) * 2)
    assert seen[-1] == (8, 8)


def test_workers_must_be_positive(store):
    with pytest.raises(
        ValueError, match=r"^`workers` must be an integer greater than 0\. Got 0\.$"
    ):
        refresh(store, workers=0)


def test_the_flow_panel_matches_the_flows_of_each_single_selection(demo_store_path):
    from forecasting.refresh import flow_panel
    from forecasting.selection import flow_series
    from threatmon.registry.regions import load_regions

    store = Store(demo_store_path)
    regions = load_regions()[["region_code", "country"]]
    panel = flow_panel(store, regions)
    cases = {
        ("region", "MD-CA"): Selection(region="MD-CA"),  # its own crossing points
        ("region", "MD-CU"): Selection(region="MD-CU"),  # no crossing: Moldova's arrivals
        ("region", "UA-51"): Selection(region="UA-51"),
        ("region", "EE-37"): Selection(region="EE-37"),  # no flows recorded for Estonia
        ("country", "PL"): Selection(country="PL"),
        ("country", "UA"): Selection(country="UA"),
        ("country", "GE"): Selection(country="GE"),
        ("total", "ALL"): Selection(),
    }
    for key, selection in cases.items():
        expected, _ = flow_series(store, selection)
        if expected is None:
            assert panel[key] is None, key
        else:
            pd.testing.assert_series_equal(panel[key], expected, check_names=False, obj=str(key))
