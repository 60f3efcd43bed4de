"""The `threatmon` command: same code path as the pages, clear errors, JSON for scripts."""

import json

import pandas as pd
import pytest

from data_loaders.store import Store
from data_loaders.writer import write_session
from threatmon.cli import main


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
    assert payload["error"] == "StoreError"
    assert payload["message"].startswith("No store at ")


def test_migrate_creates_an_empty_store(tmp_path, capsys):
    path = tmp_path / "new.duckdb"
    assert main(["migrate", "--db", str(path)]) == 0
    assert "is at schema version 2" in capsys.readouterr().out
    assert Store(path).coverage()["records"] == 0


def test_inspect_one_batch(demo_db, capsys):
    assert main(["batches", "1", "--db", str(demo_db), "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["batch"]["batch_id"] == 1
    assert detail["audit"][0]["action"] == "load"
    assert sum(row["records"] for row in detail["breakdown"]) == detail["batch"]["rows_loaded"]
    assert main(["batches", "99", "--db", str(demo_db)]) == 2
    assert "No batch 99 in this store." in capsys.readouterr().err
