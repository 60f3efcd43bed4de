"""The `threatmon` command: same code path as the pages, clear errors, JSON for scripts."""

import json

import pandas as pd
import pytest

from threatmon.cli import main
from threatmon.store.migrations import SCHEMA_VERSION
from threatmon.store.reader import Store
from threatmon.store.writer import write_session


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A tiny demo store built through the CLI itself."""
    path = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    assert main(["demo", "--db", str(path), "--scale", "0.01", "--seed", "5"]) == 0
    return path


def test_demo_store_is_labelled(demo_db):
    store = Store(demo_db)
    meta = store.meta()
    assert (meta["demo"], meta["demo_seed"], meta["demo_scale"]) == ("true", "5", "0.01")
    assert store.coverage()["records"] > 0


def test_info_json(demo_db, capsys):
    assert main(["info", "--db", str(demo_db), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["demo"] is True
    assert info["first"] == "2021-01-01" or info["first"].startswith("2021-01")


def test_batches_and_undo(demo_db, tmp_path, capsys):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    assert main(["batches", "--db", str(copy), "--json"]) == 0
    batches = json.loads(capsys.readouterr().out)
    assert {b["kind"] for b in batches} == {"incidents", "flows"}
    flows_batch = next(b["batch_id"] for b in batches if b["kind"] == "flows")
    assert main(["undo", str(flows_batch), "--db", str(copy), "--user", "ana"]) == 0
    assert f"Batch {flows_batch} (" in capsys.readouterr().out
    assert Store(copy).flows().empty
    assert main(["undo", str(flows_batch), "--db", str(copy)]) == 2
    assert "was already undone" in capsys.readouterr().err


def test_demo_refuses_to_replace_real_data(tmp_path, capsys):
    path = tmp_path / "real.duckdb"
    frame = pd.DataFrame(
        {
            "date": ["2024-01-01"],
            "country": ["MD"],
            "region_code": ["MD-CA"],
            "crime_type": ["cbrne"],
            "count": [1],
        }
    )
    with write_session(path, user="ana") as writer:
        writer.add_incidents(frame, file_name="real.csv", sha256="e" * 64)
    assert main(["demo", "--db", str(path), "--scale", "0.01"]) == 2
    assert capsys.readouterr().err.startswith(
        f"error: {path} exists and does not hold demo data; refusing to replace it."
    )
    assert Store(path).coverage()["records"] == 1


def test_missing_store_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["info", "--db", str(tmp_path / "none.duckdb"), "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["error"] == "NoStoreError"
    assert payload["message"].startswith("No store at ")


def test_migrate_creates_an_empty_store(tmp_path, capsys):
    path = tmp_path / "new.duckdb"
    assert main(["migrate", "--db", str(path)]) == 0
    assert f"is at schema version {SCHEMA_VERSION}." in capsys.readouterr().out
    assert Store(path).coverage()["records"] == 0


def test_inspect_one_batch(demo_db, capsys):
    assert main(["batches", "1", "--db", str(demo_db), "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["batch"]["batch_id"] == 1
    assert detail["audit"][0]["action"] == "load"
    assert sum(row["records"] for row in detail["breakdown"]) == detail["batch"]["rows_loaded"]
    assert main(["batches", "99", "--db", str(demo_db)]) == 2
    assert "No batch 99 in this store." in capsys.readouterr().err


def test_hotspots_json_gives_one_record_per_region(demo_db, capsys):
    # The tiny demo's daily rows cover drug trafficking in Ukraine every month, not every
    # crime type: hot spots are only tested where every selected type and month has data.
    args = ["hotspots", "--db", str(demo_db), "--country", "UA", "--crime-type"]
    args += ["drug_trafficking", "--permutations", "99", "--json"]
    assert main(args) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 27
    assert list(records[0]) == [
        "region_code",
        "name",
        "value",
        "gi_z",
        "p_sim",
        "p_fdr",
        "hot_cold",
        "emerging_category",
        "moran_cluster",
        "note",
    ]
    assert {r["hot_cold"] for r in records} <= {"hot", "cold", "none", "no data", "no neighbour"}
    assert all(r["region_code"].startswith("UA-") for r in records)


def test_hotspots_text_is_marked_demo_and_uses_the_same_code_path(demo_db, capsys):
    from geo.analysis import region_hotspots
    from threatmon.filters import Filters

    args = [
        "hotspots",
        "--db",
        str(demo_db),
        "--country",
        "UA",
        "--crime-type",
        "drug_trafficking",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--measure",
        "count",
        "--permutations",
        "99",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("DEMO — synthetic data")
    assert (
        "Hot spots 2025-01-01 to 2025-12-31 (incidents; Gi* with 99 permutations, FDR 5 %; "
        "contiguity; emerging by M):" in out
    )
    expected = region_hotspots(
        Store(demo_db),
        Filters(
            countries=("UA",),
            crime_types=("drug_trafficking",),
            start="2025-01-01",
            end="2025-12-31",
        ),
        measure="count",
        permutations=99,
    )
    first = expected.iloc[0]
    assert f"{first.region_code:<10} {first['name'][:28]:<28}" in out
    hot = int((expected["hot_cold"] == "hot").sum())
    assert f"{hot} hot and " in out


def test_hotspots_with_a_distance_band(demo_db, capsys):
    args = ["hotspots", "--db", str(demo_db), "--country", "UA", "--permutations", "99"]
    assert main([*args, "--crime-type", "drug_trafficking", "--band-km", "40"]) == 0
    assert "neighbours within 40 km;" in capsys.readouterr().out


def test_alerts_json_and_text(demo_db, capsys):
    from forecasting.warning.alerts import early_warning

    assert main(["alerts", "--db", str(demo_db), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    expected = early_warning(Store(demo_db))
    assert len(records) == len(expected)
    if records:
        assert records[0]["rank"] == 1 and records[0]["link"].startswith("maps?")
    assert main(["alerts", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DEMO — synthetic data")
    if records:
        assert f"  1. {records[0]['sentence']}" in out
    else:
        assert "No alerts: no series stands out in the latest complete month." in out


def test_forecast_of_a_series_file_gives_forecasts_backtest_and_choice(tmp_path, capsys):
    import numpy as np

    months = pd.date_range("2020-01-01", periods=60, freq="MS")
    rng = np.random.default_rng(3)
    level = 50 + 15 * np.sin(2 * np.pi * np.arange(60) / 12)
    frame = pd.DataFrame({"month": months.strftime("%Y-%m-%d"), "cases": rng.poisson(level)})
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    args = ["forecast", "--series", str(path), "--date-col", "month", "--value-col", "cases"]
    assert main([*args, "--horizon", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["series"] == "cases.csv"
    assert [row["period"] for row in out["forecast"]] == ["2025-01", "2025-02", "2025-03"]
    assert set(out["forecast"][0]) == {
        "period",
        "mean",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
    }
    assert all(row["lower_95"] >= 0 for row in out["forecast"])
    assert set(out["backtest"][0]) == {
        "model",
        "lag",
        "rel_mae",
        "mase",
        "coverage_80",
        "coverage_95",
    }
    assert out["chosen"] in {row["model"] for row in out["backtest"]}
    assert out["skill"] in (True, False)
    assert set(out["held_out"]) == {"model", "lag", "vs_no_change", "vs_seasonal_naive"}


def test_forecast_of_the_store_and_usage_errors(demo_db, capsys):
    args = ["forecast", "--db", str(demo_db), "--country", "MD"]
    assert main([*args, "--crime-type", "migrant_smuggling"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DEMO — synthetic data")
    assert (
        "Forecast of MD, migrant_smuggling (regressor: arrivals from Ukraine into MD), "
        "6 months ahead."
    ) in out
    assert main(args) == 2
    assert "forecasting the store needs --crime-type KEY" in capsys.readouterr().err
    assert main(["forecast", "--series", "x.csv"]) == 2
    assert "--series needs --date-col and --value-col" in capsys.readouterr().err


def test_forecast_reports_bad_cells_of_a_series_file(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("month,cases\n2024-01-01,3\n2024-02-01,lots\n", encoding="utf-8")
    args = ["forecast", "--series", str(path), "--date-col", "month", "--value-col", "cases"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "bad.csv: 1 problem(s); nothing was forecast." in err
    assert "row 3, column 'cases': Not a number. Got 'lots'." in err


@pytest.mark.slow
def test_forecast_all_fills_the_cache_that_forecast_and_alerts_then_use(demo_db, tmp_path, capsys):
    from forecasting import cache

    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    assert main(["forecast", "--all", "--db", str(copy), "--workers", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    # Every series but those never reported (not forecast: no data is not zero).
    assert summary["series"] + summary["not_reported"] == (230 + 10 + 1) * 12
    assert summary["incoherence"] < 1e-6
    assert summary["cache"] == str(copy) + ".forecasts"
    assert cache.status(Store(copy)).state == cache.CURRENT
    # A region: the demo holds national figures (Georgia's), so a country's forecast is
    # fitted on demand rather than read from the cache (forecasting.cache.forecast_for).
    args = ["forecast", "--db", str(copy), "--region", "MD-CA", "--crime-type", "migrant_smuggling"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["forecast"]) == 6
    assert out["reconciled"] is True
    cached = cache.load(Store(copy)).forecasts.query(
        "area == 'MD-CA' and crime_type == 'migrant_smuggling'"
    )
    assert [row["mean"] for row in out["forecast"]] == cached["mean"].head(6).tolist()
    assert main(["alerts", "--db", str(copy)]) == 0
    assert "Surges only" not in capsys.readouterr().out
    assert main(["alerts", "--db", str(demo_db)]) == 0
    assert "Surges only: the forecasts of all series are not current" in capsys.readouterr().out


def test_forecast_all_usage_errors(demo_db, capsys):
    assert main(["forecast", "--all", "--db", str(demo_db), "--workers", "0"]) == 2
    assert "error: --workers must be at least 1." in capsys.readouterr().err
