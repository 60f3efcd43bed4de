"""`threatmon coverage`: one record per country × crime type × level × granularity."""

import datetime as dt
import json

import pandas as pd
import pytest

from threatmon.cli import main
from threatmon.coverage import DeclaredCoverage
from threatmon.store.writer import write_session

H, T, D = "human_trafficking", "terrorism", "drug_trafficking"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Moldova monthly by region with a silent March; Ukraine quarterly national, and
    drug trafficking declared without rows."""
    path = tmp_path_factory.mktemp("coverage") / "store.duckdb"
    moldova = pd.DataFrame(
        {
            "date": ["2025-01-01", "2025-02-01", "2025-04-01"],
            "period_end": ["2025-01-31", "2025-02-28", "2025-04-30"],
            "country": "MD",
            "region_code": "MD-CU",
            "crime_type": H,
            "count": [3, 0, 1],
        }
    )
    ukraine = pd.DataFrame(
        {
            "date": ["2024-01-01"],
            "period_end": ["2024-12-31"],
            "country": "UA",
            "region_code": [None],
            "crime_type": T,
            "count": [7],
        }
    )
    covers = [
        DeclaredCoverage("UA", D, "national", "quarter", dt.date(2025, 1, 1), dt.date(2025, 6, 1))
    ]
    with write_session(path, user="ana") as writer:
        writer.add_incidents(moldova, file_name="md.csv", sha256="a" * 64)
        writer.add_incidents(ukraine, file_name="ua.csv", sha256="b" * 64, covers=covers)
    return str(path)


def test_json_records(db, capsys):
    assert main(["coverage", "--db", db, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records == [
        {
            "country": "MD",
            "crime_type": H,
            "level": "admin1",
            "granularity": "month",
            "first": "2025-01",
            "last": "2025-04",
            "periods": 3,
            "gaps": [["2025-03", "2025-03"]],
            "sources": ["md.csv"],
            "rows": 3,
            "declared": False,
        },
        {
            "country": "UA",
            "crime_type": D,
            "level": "national",
            "granularity": "quarter",
            "first": "2025-Q1",
            "last": "2025-Q2",
            "periods": 2,
            "gaps": [],
            "sources": ["ua.csv"],
            "rows": 0,
            "declared": True,
        },
        {
            "country": "UA",
            "crime_type": T,
            "level": "national",
            "granularity": "year",
            "first": "2024",
            "last": "2024",
            "periods": 1,
            "gaps": [],
            "sources": ["ua.csv"],
            "rows": 1,
            "declared": False,
        },
    ]


def test_filters(db, capsys):
    assert main(["coverage", "--db", db, "--country", "UA", "--crime-type", T, "--json"]) == 0
    assert [r["crime_type"] for r in json.loads(capsys.readouterr().out)] == [T]
    assert main(["coverage", "--db", db, "--country", "LV", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_text_table(db, capsys):
    assert main(["coverage", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "country", "crime", "type", "level", "granularity", "first", "last", "gaps", "sources"
    ]  # fmt: skip
    assert lines[1].split() == [
        "MD", H, "admin1", "month", "2025-01", "2025-04", "2025-03", "md.csv"
    ]  # fmt: skip
    assert lines[2].split() == [
        "UA", D, "national", "quarter", "2025-Q1", "2025-Q2", "none", "ua.csv"
    ]  # fmt: skip
    assert lines[-1] == (
        "3 record(s); a gap is a period nothing was reported for (unknown, not 0)."
    )
    assert main(["coverage", "--db", db, "--country", "LV"]) == 0
    assert capsys.readouterr().out.startswith("Nothing was reported for this selection in ")


def test_an_unknown_country_is_a_usage_error(db, capsys):
    assert main(["coverage", "--db", db, "--country", "FR"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: Invalid filter: column 'countries': Not one of the project's countries. Got 'FR'.\n"
    )
    assert main(["coverage", "--db", db, "--crime-type", "theft", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)
    assert error["problems"][0]["reason"] == "Not a crime-type key."


MONTHLY = "date,region_code,crime_type,count\n2025-01,MD-CU,cbrne,2\n2025-03,MD-BA,cybercrime,1\n"


def test_ingest_covers_declares_and_the_crime_types_are_saved(tmp_path, capsys):
    path = tmp_path / "md.csv"
    path.write_text(MONTHLY)
    db = str(tmp_path / "store.duckdb")
    code = main(
        [
            "ingest", str(path), "--db", db, "--covers", "2025-01..2025-03",
            "--covers-crime-types", "cbrne,terrorism", "--source", "md", "--save-mapping",
            "--json",
        ]
    )  # fmt: skip
    assert code == 0
    assert json.loads(capsys.readouterr().out)["declared_coverage"] == 2
    # The saved crime types apply to the next file's --covers.
    later = tmp_path / "md-q2.csv"
    later.write_text(MONTHLY.replace("2025-01", "2025-04").replace("2025-03", "2025-06"))
    code = main(
        ["ingest", str(later), "--db", db, "--covers", "2025-04..2025-06", "--source", "md"]
    )
    assert code == 0
    assert "Declared 2 crime type(s) reported in full for MD from 2025-04 to 2025-06" in (
        capsys.readouterr().out
    )
    assert main(["coverage", "--db", db, "--crime-type", "terrorism", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert (record["first"], record["last"], record["gaps"]) == ("2025-01", "2025-06", [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--covers", "2025-06..2025-01"],
            "error: The covered period ends (2025-01) before it starts (2025-06).\n",
        ),
        (["--covers", "2025-13..2025-14"], "error: '2025-13' is not a period or a date. Give "),
        (["--covers-crime-types", "theft"], "error: 'theft' is not a crime type key. Known: "),
    ],
)
def test_ingest_covers_usage_errors(tmp_path, capsys, args, message):
    path = tmp_path / "md.csv"
    path.write_text(MONTHLY)
    assert main(["ingest", str(path), "--db", str(tmp_path / "s.duckdb"), *args]) == 2
    assert capsys.readouterr().err.startswith(message)
