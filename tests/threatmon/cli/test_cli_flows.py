"""`threatmon info` reports flows beside incidents; `threatmon export --kind flows`."""

import io
import json

import openpyxl
import pandas as pd
import pytest

from data_loaders.ingest import IngestOptions, ingest_file
from threatmon.cli import main
from threatmon.disclosure.marking import marking_text

FLOWS = (
    "date,country,crossing_point,arrivals,departures\n"
    "2022-03-01,PL,UA-PL-SHEHYNI,4000,300\n"
    "2022-03-02,PL,UA-PL-SHEHYNI,3500,\n"
    "2022-03-01,PL,,9000,1000\n"
    "2022-04-01,MD,MD-UA-PALANCA,800,650\n"
    "2022-04-02,MD,MD-UA-PALANCA,700,0\n"
)
INCIDENTS = "date,region_code,crime_type,count\n2026-01-05,MD-CA,migrant_smuggling,2\n"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "store.duckdb"
    for name, text, kind in (("f.csv", FLOWS, "flows"), ("i.csv", INCIDENTS, "incidents")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = ingest_file(tmp_path / name, user="ana", db=path, options=IngestOptions(kind=kind))
        assert result.status == "loaded", result.problems
    return str(path)


def test_info_reports_flows_beside_incidents(db, capsys):
    assert main(["info", "--db", db, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["first"], info["last"], info["records"], info["incidents"]) == (
        "2026-01-05",
        "2026-01-05",
        1,
        2,
    )
    assert info["flows"] == {
        "first": "2022-03-01",
        "last": "2022-04-02",
        "records": 5,
        "countries": ["MD", "PL"],
        "arrivals": 4000 + 3500 + 9000 + 800 + 700,
    }
    assert main(["info", "--db", db]) == 0
    assert "flows: {'first': datetime.date(2022, 3, 1)" in capsys.readouterr().out


def test_info_of_a_store_without_flows(tmp_path, capsys):
    path = tmp_path / "store.duckdb"
    (tmp_path / "i.csv").write_text(INCIDENTS, encoding="utf-8")
    assert ingest_file(tmp_path / "i.csv", user="ana", db=path).status == "loaded"
    assert main(["info", "--db", str(path), "--json"]) == 0
    flows = json.loads(capsys.readouterr().out)["flows"]
    assert flows == {"first": None, "last": None, "records": 0, "countries": [], "arrivals": 0}


def test_export_flow_rows_as_marked_csv(db, capsys):
    assert main(["export", "--kind", "flows", "--db", db, "--country", "PL"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].lstrip("\ufeff") == f"# {marking_text()}"
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), comment="#")
    assert list(frame.columns) == [
        "date",
        "country",
        "crossing_point",
        "arrivals",
        "departures",
        "batch_id",
    ]
    assert frame[["date", "crossing_point", "arrivals"]].fillna("").astype(str).values.tolist() == [
        ["2022-03-01", "", "9000"],
        ["2022-03-01", "UA-PL-SHEHYNI", "4000"],
        ["2022-03-02", "UA-PL-SHEHYNI", "3500"],
    ]


def test_export_monthly_flows_as_xlsx(db, tmp_path, capsys):
    out = tmp_path / "flows.xlsx"
    args = ["export", "--kind", "flows", "--level", "aggregate", "--format", "xlsx"]
    assert main([*args, "--out", str(out), "--db", db, "--from", "2022-04-01"]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["about", "flows_monthly"]
    assert book["about"]["A2"].value == marking_text()
    rows = list(book["flows_monthly"].values)
    assert rows == [
        ("month", "country", "crossing_point", "arrivals", "departures"),
        ("2022-04", "MD", "MD-UA-PALANCA", 1500, 650),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--kind", "flows", "--level", "incidents"],
            "error: --kind flows exports --level rows (the default) or --level aggregate.\n",
        ),
        (
            ["--kind", "flows", "--region", "MD-CA"],
            "error: --region and --crime-type do not apply to flows; filter by --country.\n",
        ),
        ([], "error: --level incidents or --level aggregate is needed for incidents.\n"),
    ],
)
def test_export_options_that_do_not_fit_are_usage_errors(db, capsys, args, message):
    assert main(["export", "--db", db, *args]) == 2
    assert capsys.readouterr().err == message
