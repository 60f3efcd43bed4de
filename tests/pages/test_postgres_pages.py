"""Every page on a PostgreSQL store: the same figures as on the DuckDB file of the same demo."""

import importlib.util
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_loaders import templates
from threatmon.settings import DB_ENV_VAR
from threatmon.store.reader import Store
from ui import upload as up

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard.py"
TIMEOUT = 90  # the first run imports plotly and scipy; xdist workers share two cores


def _dashboard_module():
    spec = importlib.util.spec_from_file_location("dashboard_on_postgres", APP)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


dashboard = _dashboard_module()


def shown(at) -> dict:
    """What a page shows that comes from the store: metrics, captions, tables' sizes."""
    return {
        "metrics": [(m.label, m.value) for m in at.metric],
        "warnings": [w.value for w in at.warning],
        "tables": [len(frame.value) for frame in at.dataframe],
        "errors": [e.value for e in at.error],
    }


def run_page(location, spec, monkeypatch) -> AppTest:
    monkeypatch.setenv(DB_ENV_VAR, str(location))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(spec.path).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    "spec",
    [spec for spec in dashboard.PAGES if spec.path != "pages/upload.py"],
    ids=lambda spec: spec.title,
)
@pytest.mark.slow
def test_a_page_shows_the_same_on_both_backends(
    spec, demo_store_path, postgres_demo_url, monkeypatch
):
    on_duckdb = shown(run_page(demo_store_path, spec, monkeypatch))
    on_postgres = shown(run_page(postgres_demo_url, spec, monkeypatch))
    assert on_postgres == on_duckdb
    assert on_postgres["errors"] == []


@pytest.mark.parametrize(
    ("role", "scope", "page"),
    [("viewer", (), "pages/overview.py"), ("analyst", ("MD",), "pages/map.py")],
    ids=["viewer-overview", "MD-analyst-map"],
)
@pytest.mark.slow
def test_a_restricted_reader_sees_the_same_on_both_backends(
    role, scope, page, demo_store_path, postgres_demo_url, sign_in, monkeypatch
):
    seen = {}
    for backend, location in (("duckdb", demo_store_path), ("postgresql", postgres_demo_url)):
        monkeypatch.setenv(DB_ENV_VAR, str(location))
        at = sign_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "reader", role, scope)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, at.exception
        seen[backend] = shown(at)
    assert seen["postgresql"] == seen["duckdb"]
    assert seen["postgresql"]["errors"] == []


@pytest.mark.slow
def test_an_upload_through_the_page_lands_in_the_database(postgres_demo_url, sign_in, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, postgres_demo_url)
    store = Store(postgres_demo_url)
    before = store.version, len(store.batches())
    at = sign_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "tester", "admin")
    at.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key=up.KEY_FILE).set_value(
        ("template.csv", templates.template_csv("incidents"), "text/csv")
    ).run()
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    batches = store.batches()
    new_id = int(batches["batch_id"].max())
    assert len(batches) == before[1] + 1
    assert store.version != before[0]
    assert any(f"Loaded 2 rows as batch {new_id}" in s.value for s in at.success)
    at.selectbox(key=up.KEY_UNDO_BATCH).set_value(new_id).run()
    at.checkbox(key=up.KEY_UNDO_CONFIRM).check().run()
    at.button(key="upload_undo").click().run()
    assert not at.exception, at.exception
    assert store.batches().set_index("batch_id").loc[new_id, "status"] == "undone"
    assert store.audit()["action"].tolist()[-2:] == ["load", "undo"]
