import json
import re
from pathlib import Path

import pandas as pd
import pytest

from forecasting import cache
from forecasting.refresh import ForecastSet
from forecasting.selection import Selection
from threatmon.errors import TooFewPeriodsError
from threatmon.settings import BACKGROUND_ENV_VAR
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

MONTHS = pd.date_range("2024-01-01", "2026-10-01", freq="MS")


def _store(path, sha="e" * 64) -> Store:
    frame = pd.DataFrame(
        {
            "date": MONTHS,
            "country": "MD",
            "region_code": "MD-CA",
            "crime_type": "migrant_smuggling",
            "count": 3,
        }
    )
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="cache.csv", sha256=sha)
    return Store(path)


def _forecasts(area="MD-CA", level="region", shift=0.0) -> ForecastSet:
    key = {"level": level, "area": area, "crime_type": "migrant_smuggling"}
    periods = pd.date_range("2026-11-01", periods=12, freq="MS")
    forecast = pd.DataFrame(
        {
            **key,
            "period": periods,
            "mean": 3.0 + shift,
            "lower_80": 1.0,
            "upper_80": 5.0,
            "lower_95": 0.0,
            "upper_95": 7.0,
            "base_mean": 3.0,
            "model": "fallback",
            "lag": float("nan"),
        }
    )
    series = pd.DataFrame(
        [
            key
            | {
                "status": "ok",
                "chosen": "ets",
                "lag": float("nan"),
                "message": "Chosen by backtest.",
            }
        ]
    )
    scores = pd.DataFrame(
        [
            key
            | {
                "model": "ets",
                "lag": float("nan"),
                "mase": 0.8,
                "coverage_80": 0.8,
                "coverage_95": 0.95,
                "n": 24,
            }
        ]
    )
    checks = pd.DataFrame(
        [
            key
            | {
                "period": pd.Timestamp("2026-10-01"),
                "actual": 3.0,
                "mean": 3.0,
                "lower_80": 1.0,
                "upper_80": 5.0,
                "lower_95": 0.0,
                "upper_95": 7.0,
                "model": "ets",
            }
        ]
    )
    return ForecastSet(series, forecast, scores, checks, {"horizon": 12, "series": 1})


def test_saved_forecasts_are_current_until_the_store_changes(tmp_path):
    store = _store(tmp_path / "store.duckdb")
    assert cache.status(store).state == cache.STALE
    assert cache.load(store) is None
    key = cache.fingerprint(store)
    folder = cache.save(_forecasts(), store, key)
    assert folder == tmp_path / "store.duckdb.forecasts" / key
    assert cache.status(store).state == cache.CURRENT
    loaded = cache.load(store)
    pd.testing.assert_frame_equal(loaded.forecasts, _forecasts().forecasts)
    assert loaded.meta["fingerprint"] == key
    with write_session(store.location, user="tester") as writer:
        frame = pd.DataFrame(
            {
                "date": [pd.Timestamp("2026-10-05")],
                "country": ["MD"],
                "region_code": ["MD-CU"],
                "crime_type": ["cybercrime"],
                "count": [1],
            }
        )
        writer.add_incidents(frame, file_name="more.csv", sha256="f" * 64)
    assert cache.fingerprint(store) != key
    assert cache.status(store).state == cache.STALE
    assert cache.load(store) is None


def test_saving_a_new_generation_drops_the_old_one(tmp_path):
    store = _store(tmp_path / "store.duckdb")
    cache.save(_forecasts(), store, "old")
    cache.save(_forecasts(), store, "new")
    assert sorted(p.name for p in cache.cache_root(store).iterdir()) == ["new"]


def test_a_cached_series_is_looked_up_with_its_reconciliation_said(tmp_path):
    found = cache.lookup(
        _forecasts(shift=1.5),
        Selection(region="MD-CA", crime_types=("migrant_smuggling",)),
        horizon=6,
    )
    assert len(found.forecast) == 6
    assert list(found.forecast.columns) == [
        "period",
        "mean",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
    ]
    assert found.chosen == "ets"
    assert found.message == (
        "Chosen by backtest. Reconciled so that regions add up to countries and countries "
        "to the total: the first month moved by +1.5 from the model's own 3.0."
    )
    assert found.scores["model"].tolist() == ["ets"]
    assert found.check["actual"].tolist() == [3.0]


def test_lookup_misses_are_none():
    forecasts = _forecasts()
    crime = ("migrant_smuggling",)
    assert cache.lookup(forecasts, Selection(region="MD-CU", crime_types=crime), 6) is None
    assert cache.lookup(forecasts, Selection(region="MD-CA", crime_types=crime), 13) is None
    assert cache.lookup(forecasts, Selection(region="MD-CA"), 6) is None


def test_a_refresh_already_running_is_refused_with_its_process(tmp_path):
    store = _store(tmp_path / "store.duckdb")
    root = cache.cache_root(store)
    root.mkdir()
    (root / "refresh.lock").write_text(json.dumps({"pid": 1, "started": 0}))
    message = f"Forecasts of {store.location} are already being refreshed by process 1."
    with pytest.raises(RuntimeError, match=re.escape(message)):
        cache.run(store, workers=1)
    assert cache.status(store).state == cache.RUNNING  # pid 1 is always alive


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    store = _store(tmp_path / "store.duckdb")
    root = cache.cache_root(store)
    root.mkdir()
    (root / "refresh.lock").write_text(json.dumps({"pid": 2**22 + 12345, "started": 0}))
    assert cache.status(store).state == cache.STALE
    regions = pd.DataFrame({"region_code": ["MD-CA", "MD-CU"], "country": ["MD", "MD"]})
    result = cache.run(store, workers=1, regions=regions)
    # Two regions, their country and the total of the one crime type reported.
    assert len(result.series) == 2 + 1 + 1
    assert cache.status(store).state == cache.CURRENT
    assert not (root / "refresh.lock").exists()
    live = cache.forecast_for(
        store, Selection(region="MD-CA", crime_types=("migrant_smuggling",)), 6
    )
    assert live.cached


def test_a_refresh_killed_midway_is_started_again(tmp_path, monkeypatch):
    import subprocess

    store = _store(tmp_path / "store.duckdb")
    root = cache.cache_root(store)
    root.mkdir()
    (root / "refresh.lock").write_text(json.dumps({"pid": 2**22 + 12345, "started": 0}))
    launched = []
    monkeypatch.setattr(
        subprocess,
        "Popen",
        lambda command, **kw: (
            launched.append(command) or type("Child", (), {"pid": 1, "wait": lambda self: 0})()
        ),
    )
    monkeypatch.setenv(BACKGROUND_ENV_VAR, "1")
    assert cache.start_background(store)
    assert launched and launched[0][-5:] == [
        "forecast",
        "--all",
        "--background",
        "--db",
        str(store.location.file.resolve()),
    ]
    assert json.loads((root / "refresh.lock").read_text())["pid"] == 1


def test_the_dashboard_does_not_start_refreshes_when_told_not_to(tmp_path, monkeypatch):
    store = _store(tmp_path / "store.duckdb")
    monkeypatch.setenv(BACKGROUND_ENV_VAR, "0")
    assert not cache.start_background(store)
    assert not cache.cache_root(store).exists()


def test_status_messages_read_well():
    assert cache.RefreshStatus(cache.RUNNING, 120, 2892).message == (
        "Forecasts of all series are being refreshed after the last load: 120 of 2,892 series."
    )
    assert cache.RefreshStatus(cache.FAILED, error="disk full").message == (
        "Refreshing the forecasts of all series failed: disk full"
    )


@pytest.mark.slow
def test_the_background_refresh_runs_to_completion_once(tmp_path, monkeypatch):
    """What the dashboard does after a load: one detached `forecast --all`, then current."""
    import time

    from data_loaders.demo import DemoSettings, build_demo_store

    path = tmp_path / "demo.duckdb"
    build_demo_store(path, DemoSettings(seed=5, scale=0.01))
    store = Store(path)
    monkeypatch.setenv(BACKGROUND_ENV_VAR, "1")
    assert cache.start_background(store)
    pid = json.loads((cache.cache_root(store) / "refresh.lock").read_text())["pid"]
    # The lock is taken before the process starts, so a page rerun starts nothing more.
    assert cache.status(store).state == cache.RUNNING
    assert not cache.start_background(store)
    deadline = time.monotonic() + 240
    while cache.status(store).state == cache.RUNNING and time.monotonic() < deadline:
        time.sleep(1)
    log = (cache.cache_root(store) / "refresh.log").read_text()
    assert cache.status(store).state == cache.CURRENT, log
    loaded = cache.load(store)
    # Every series is forecast, but those never reported (no data is not zero).
    assert len(loaded.series) + loaded.meta["not_reported"] == (230 + 10 + 1) * 12
    assert not (cache.cache_root(store) / "refresh.lock").exists()
    # The finished refresh is reaped, not left as a zombie under the server.
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists()


def test_a_country_with_national_figures_is_fitted_from_them_not_from_the_cache(tmp_path):
    """The cache's countries add up their regions; a national figure is the country's total."""
    store = _store(tmp_path / "store.duckdb")
    national = pd.DataFrame(
        {
            "date": MONTHS,
            "period_end": MONTHS + pd.offsets.MonthEnd(0),
            "country": "MD",
            "region_code": None,
            "crime_type": "migrant_smuggling",
            "count": 10,
        }
    )
    with write_session(store.location, user="tester") as writer:
        writer.add_incidents(national, file_name="national.csv", sha256="n" * 64)
    cache.save(_forecasts(area="MD", level="country"), store, cache.fingerprint(store))
    country = Selection(country="MD", crime_types=("migrant_smuggling",))
    found = cache.forecast_for(store, country, horizon=6)
    assert not found.cached
    assert set(found.history) == {10.0}
    region = Selection(region="MD-CA", crime_types=("migrant_smuggling",))
    assert set(cache.forecast_for(store, region, horizon=6).history) == {3.0}


def test_a_country_without_national_figures_is_read_from_the_cache_beside_one_with_them(
    tmp_path,
):
    """Romania's yearly national figure leaves Moldova's forecast (a sum of its regions,
    as the cache's is) to the cache."""
    store = _store(tmp_path / "store.duckdb")
    yearly = pd.DataFrame(
        {
            "date": ["2025-01-01"],
            "granularity": ["year"],
            "country": ["RO"],
            "region_code": [None],
            "crime_type": ["migrant_smuggling"],
            "count": [40],
        }
    )
    with write_session(store.location, user="tester") as writer:
        writer.add_incidents(yearly, file_name="ro.csv", sha256="y" * 64)
    cache.save(_forecasts(area="MD", level="country"), store, cache.fingerprint(store))
    moldova = Selection(country="MD", crime_types=("migrant_smuggling",))
    assert cache.forecast_for(store, moldova, horizon=6).cached
    # Romania's own series is fitted live: a yearly figure covers no month, so nothing.
    romania = Selection(country="RO", crime_types=("migrant_smuggling",))
    with pytest.raises(TooFewPeriodsError, match="Nothing was reported for this series"):
        cache.forecast_for(store, romania, horizon=6)
