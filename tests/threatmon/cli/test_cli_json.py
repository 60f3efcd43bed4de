"""Every `--json` output of the CLI is standard JSON: no NaN or Infinity, null instead."""

import argparse
import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

from threatmon.access.accounts import Accounts
from threatmon.cli import build_parser, main
from threatmon.cli.common import json_text
from threatmon.coverage import DeclaredCoverage
from threatmon.filters import Filters
from threatmon.periods import last_complete_months
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

GOOD = "date,region,crime,count\n2026-01-05,Cahul,cbrne,1\n2026-01-06,Bălți,cybercrime,2\n"


def _refuse(constant: str):
    raise ValueError(f"not standard JSON: {constant}")


def strict_loads(text: str):
    """json.loads, but NaN, Infinity and -Infinity are errors (as in most other parsers)."""
    return json.loads(text, parse_constant=_refuse)


def _json_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set:
    """Every (sub)command path whose parser has a --json option."""
    found = set()
    for action in parser._actions:
        if "--json" in action.option_strings:
            found.add(prefix)
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _json_commands(sub, (*prefix, name))
    return found


#: The command paths exercised below; a new command with --json must be added here.
COVERED = {
    ("demo",),
    ("info",),
    ("coverage",),
    ("ingest",),
    ("batches",),
    ("undo",),
    ("hotspots",),
    ("forecast",),
    ("alerts",),
    ("users", "list"),
    ("audit", "verify"),
}


def test_every_command_with_json_output_is_covered():
    assert _json_commands(build_parser()) == COVERED


def test_json_text_writes_null_for_numbers_json_does_not_have():
    payload = {
        "ratio": math.inf,
        "low": -math.inf,
        "missing": math.nan,
        "numpy": [np.float64("inf"), np.float32(0.5), np.int64(3), np.bool_(True)],
        "nested": ({"x": float("nan")},),
        "pandas": [pd.NA, pd.NaT, pd.Timestamp("2026-01-05")],
    }
    assert strict_loads(json_text(payload)) == {
        "ratio": None,
        "low": None,
        "missing": None,
        "numpy": [None, 0.5, 3, True],
        "nested": [{"x": None}],
        "pandas": [None, None, "2026-01-05 00:00:00"],
    }


@pytest.fixture
def store_path(tmp_path, demo_store_path):
    """A copy of the small demo store with a surge after a reported year of nothing: its
    ratio to the expected 0 is infinite (`alerts --json` printed `"ratio": Infinity`)."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, path)
    store = Store(path)
    start, end = last_complete_months(store.coverage()["last"], 13)
    monthly = store.aggregate(
        Filters(countries=("MD",), start=start, end=end), by=("region_code", "crime_type")
    )
    seen = set(zip(monthly["region_code"], monthly["crime_type"], strict=True))
    region, crime = next(
        (region, crime)
        for region in ("MD-CA", "MD-CT", "MD-LE", "MD-TA", "MD-BS")
        for crime in ("cbrne", "terrorism", "firearms_trafficking")
        if (region, crime) not in seen
    )
    surge = pd.DataFrame(
        {
            "date": [pd.Timestamp(end).to_period("M").start_time],
            "country": ["MD"],
            "region_code": [region],
            "crime_type": [crime],
            "count": [40],
        }
    )
    # The batch declares it reports the crime type for all of Moldova's regions over the
    # 13 months, zeros omitted: the 12 months before are reported zeros, not unknown.
    covers = [DeclaredCoverage("MD", crime, "admin1", "day", start, end)]
    with write_session(path, user="tester") as writer:
        writer.add_incidents(surge, file_name="surge.csv", sha256="5" * 64, covers=covers)
    return path


def _run(capsys, *argv, code: int = 0) -> str:
    assert main(list(argv)) == code
    return capsys.readouterr().out


def test_every_json_output_parses_strictly(store_path, tmp_path, capsys):
    db = str(store_path)
    outputs = {}
    outputs["demo"] = _run(
        capsys, "demo", "--db", str(tmp_path / "demo.duckdb"), "--scale", "0.01", "--json"
    )
    outputs["info"] = _run(capsys, "info", "--db", db, "--json")
    outputs["coverage"] = _run(capsys, "coverage", "--db", db, "--json")
    csv = tmp_path / "good.csv"
    csv.write_text(GOOD, encoding="utf-8")
    outputs["ingest"] = _run(capsys, "ingest", str(csv), "--db", db, "--json")
    outputs["batches"] = _run(capsys, "batches", "--db", db, "--json")
    outputs["batch"] = _run(capsys, "batches", "1", "--db", db, "--json")
    ingested = strict_loads(outputs["ingest"])["batch_id"]
    outputs["undo"] = _run(capsys, "undo", str(ingested), "--db", db, "--json")
    outputs["hotspots"] = _run(
        capsys,
        "hotspots",
        "--db",
        db,
        "--country",
        "UA",
        "--crime-type",
        "drug_trafficking",
        "--permutations",
        "99",
        "--json",
    )
    outputs["forecast"] = _run(
        capsys,
        "forecast",
        "--db",
        db,
        "--country",
        "MD",
        "--crime-type",
        "migrant_smuggling",
        "--json",
    )
    outputs["alerts"] = _run(capsys, "alerts", "--db", db, "--json")
    accounts = tmp_path / "accounts.sqlite"
    Accounts(accounts).add("ana", "analyst", password="a long passphrase", by="tester")
    outputs["users"] = _run(capsys, "users", "list", "--accounts", str(accounts), "--json")
    outputs["error"] = _run(capsys, "info", "--db", str(tmp_path / "none.duckdb"), "--json", code=2)
    outputs["audit"] = _run(
        capsys, "audit", "verify", "--db", db, "--accounts", str(accounts), "--json"
    )
    assert strict_loads(outputs["users"])[0]["name"] == "ana"
    assert strict_loads(outputs["audit"])["ok"] is True
    for name, text in outputs.items():
        assert text.strip(), name
        for line in text.splitlines() if name == "ingest" else [text]:
            strict_loads(line)
    alerts = strict_loads(outputs["alerts"])
    after_nothing = [alert for alert in alerts if alert["expected"] == 0]
    assert after_nothing and all(alert["ratio"] is None for alert in after_nothing)


@pytest.mark.slow
def test_forecasts_of_all_series_and_the_alerts_after_them_parse_strictly(store_path, capsys):
    db = str(store_path)
    strict_loads(_run(capsys, "forecast", "--all", "--db", db, "--workers", "1", "--json"))
    strict_loads(_run(capsys, "alerts", "--db", db, "--json"))
