"""`threatmon hotspots` where countries report differently: no data is not a cold spot."""

import json

import numpy as np
import pandas as pd
import pytest

from threatmon.cli import main
from threatmon.registry.regions import load_regions
from threatmon.store.writer import write_session

MONTHS = pd.date_range("2025-01-01", "2025-12-01", freq="MS")
COLUMNS = ["date", "period_end", "country", "region_code", "crime_type", "count"]
RANGE = ["--from", "2025-01-01", "--to", "2025-12-31", "--permutations", "99"]


def _refuse(constant: str):
    raise ValueError(f"not standard JSON: {constant}")


def _rows(country: str, regional: bool, months=MONTHS) -> list[tuple]:
    rng = np.random.default_rng(5)
    rows = []
    for month in months:
        end = month + pd.offsets.MonthEnd(0)
        if not regional:
            rows.append((month, end, country, None, "migrant_smuggling", 40))
            continue
        for code in load_regions().query("country == @country")["region_code"]:
            rows.append((month, end, country, code, "migrant_smuggling", int(rng.poisson(3))))
    return rows


def _store(path, *parts) -> str:
    with write_session(path, user="tester") as writer:
        for i, rows in enumerate(parts):
            frame = pd.DataFrame(rows, columns=COLUMNS)
            writer.add_incidents(frame, file_name=f"p{i}.csv", sha256=f"{i + 1:064d}")
    return str(path)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Moldova monthly by region; Ukraine national figures only; Romania stops in June."""
    path = tmp_path_factory.mktemp("hot") / "mixed.duckdb"
    return _store(
        path,
        _rows("MD", True),
        _rows("UA", False),
        _rows("RO", True, MONTHS[:6]),
    )


def test_json_gives_no_data_with_nulls_for_regions_without_coverage(mixed, capsys):
    args = ["hotspots", "--db", mixed, "--country", "MD", "--country", "UA", "--country", "RO"]
    assert main([*args, *RANGE, "--json"]) == 0
    records = json.loads(capsys.readouterr().out, parse_constant=_refuse)
    assert len(records) == 37 + 27 + 42
    by_code = {record["region_code"]: record for record in records}
    assert by_code["UA-30"] == {
        "region_code": "UA-30",
        "name": by_code["UA-30"]["name"],
        "value": None,
        "gi_z": None,
        "p_sim": None,
        "p_fdr": None,
        "hot_cold": "no data",
        "emerging_category": None,
        "moran_cluster": "no data",
        "note": "Ukraine sent only national figures for this selection",
    }
    assert by_code["RO-CJ"]["note"] == (
        "Romania reported Migrant smuggling by region for 6 of 12 months"
    )
    moldova = [r for r in records if r["region_code"].startswith("MD-")]
    assert all(r["value"] is not None and r["gi_z"] is not None for r in moldova)
    assert {r["hot_cold"] for r in moldova} <= {"hot", "cold", "none"}
    # The tested regions first, those without data after them.
    assert [r["region_code"][:3] for r in records[:37]] == ["MD-"] * 37


def test_text_shows_a_dash_not_a_zero_and_says_what_was_left_out(mixed, capsys):
    assert main(["hotspots", "--db", mixed, "--country", "MD", "--country", "UA", *RANGE]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("UA-30 "))
    # value, gi_z and p_fdr: none, not 0 (the name is in 28 columns from column 11)
    assert line[40:].split()[:3] == ["-", "-", "-"]
    assert " - " in line and "Ukraine sent only national figures for this selection" in line
    assert out.rstrip().endswith(
        "27 regions have no data for the selection (no regional figures for every selected "
        "crime type and period): left out of the analysis, not counted as zeros."
    )


def test_national_figures_only_give_no_hotspots_and_a_clear_message(tmp_path, capsys):
    db = _store(tmp_path / "national.duckdb", _rows("MD", False), _rows("UA", False))
    args = ["hotspots", "--db", db, "--country", "MD", *RANGE]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "error: A hotspot analysis needs at least 3 regions with regional figures for every "
        "selected crime type and period; 0 of the 37 selected regions have them. The others "
        "are shown as no data.\n"
    )
    assert main([*args, "--json"]) == 2
    error = json.loads(capsys.readouterr().out)
    assert error["error"] == "TooFewRegionsError"
    assert error["message"].startswith("A hotspot analysis needs at least 3 regions with")
