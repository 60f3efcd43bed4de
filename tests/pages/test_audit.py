"""The Audit page: the same check as `threatmon audit verify`, its findings with their
reasons, and entries the command line wrote shown with who ran it."""

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from threatmon.cli import main
from threatmon.settings import DB_ENV_VAR

APP = Path(__file__).resolve().parents[2] / "dashboard.py"
GOOD = "date,region,crime,count\n2026-01-05,Cahul,cbrne,1\n"


@pytest.fixture
def app(tmp_path, monkeypatch, sign_in, capsys):
    """The Audit page of a new store holding one file that root loaded as ana."""
    monkeypatch.setenv("THREATMON_BACKGROUND_FORECASTS", "0")
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    db = tmp_path / "store.duckdb"
    source = tmp_path / "good.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert main(["ingest", str(source), "--db", str(db), "--user", "ana"]) == 0
    capsys.readouterr()
    monkeypatch.setenv(DB_ENV_VAR, str(db))
    at = sign_in(AppTest.from_file(str(APP), default_timeout=120), "boss", "admin")
    at.db = db
    return at


def run_audit_page(at):
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    return at


def test_an_intact_trail_and_who_ran_the_cli(app):
    at = run_audit_page(app)
    assert [s.value for s in at.success] == [
        "The store log is intact: every entry matches its hash chain.",
        "The access log is intact: every entry matches its hash chain.",
    ]
    assert [w.value for w in at.warning] == [
        "No audit key is configured (THREATMON_AUDIT_KEY): an edit re-sealed by someone "
        "with access to the files cannot be detected."
    ]
    (shown,) = [d.value for d in at.dataframe if "action" in d.value.columns]
    loads = shown[shown["action"] == "load"]
    assert loads["user_name"].tolist() == ["ana (via CLI as root)"]


def test_a_deleted_load_entry_is_shown_with_its_reason(app):
    copy = app.db.with_name("tampered.duckdb")
    shutil.copyfile(app.db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM audit WHERE action = 'load'")
    os.replace(copy, app.db)
    at = run_audit_page(app)
    assert [e.value for e in at.error] == [
        "The store log was changed behind the dashboard's back. Findings: 1."
    ]
    assert (
        "store log (no_load_entry): Batch 1 (good.csv) is in the store, but the log has no "
        "load entry for it: the entry was deleted, or the batch was added outside Threat Monitor."
    ) in [c.value for c in at.caption]
