"""`threatmon ingest` and `export`: exit codes, JSON, atomicity under SIGKILL, readers meanwhile."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from threatmon.cli import main
from threatmon.store.reader import Store

GOOD = "date,region,crime,count\n2026-01-05,Cahul,cbrne,1\n2026-01-06,Bălți,cybercrime,2\n"
BAD = "date,region,crime,count\n2026-01-05,Cahull,cbrne,1\n"


@pytest.fixture
def db(tmp_path, demo_store_path):
    """A private copy of the small demo store."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, path)
    return path


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_loaded_rejected_duplicate_exit_codes_and_json(tmp_path, db, capsys):
    good, bad = _file(tmp_path, "good.csv", GOOD), _file(tmp_path, "bad.csv", BAD)
    assert main(["ingest", good, "--db", str(db), "--json", "--user", "ana"]) == 0
    loaded = json.loads(capsys.readouterr().out)
    assert (loaded["status"], loaded["rows_in_file"], loaded["rows_loaded"]) == ("loaded", 2, 2)
    assert {"batch_id", "encoding", "date_format", "problems"} <= set(loaded)
    assert main(["ingest", good, "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "duplicate"
    assert main(["ingest", bad, "--db", str(db), "--json"]) == 1
    rejected = json.loads(capsys.readouterr().out)
    assert rejected["status"] == "rejected"
    assert rejected["problems"] == [
        {
            "row": 2,
            "column": "region_code",
            "header": "region",
            "value": "Cahull",
            "reason": "Not a known region.",
            "suggestion": "Did you mean MD-CA Cahul?",
        }
    ]


YEARLY = (
    "year,geo,iccs,offences\n"
    "2021,RO,ICCS0601,4987\n"
    "2021,RO,ICCS08051,0\n"
    "2022,RO,ICCS0601,5120\n"
    "2022,RO,ICCS0101,304\n"
)
MONTHLY = (
    "date,country,raion,crime,count\n"
    "2025-06,MD,Cahul,Migrant smuggling,0\n"
    "2025-06,MD,Republica Moldova,Migrant smuggling,7\n"
    "2025-07,MD,Cahul,Migrant smuggling,1\n"
)


def test_a_yearly_national_table_end_to_end(tmp_path, capsys):
    path = _file(tmp_path, "ro-iccs.csv", YEARLY)
    db = str(tmp_path / "store.duckdb")
    assert main(["ingest", path, "--db", db, "--json", "--skip-out-of-scope"]) == 0
    loaded = json.loads(capsys.readouterr().out)
    assert (loaded["status"], loaded["rows_loaded"]) == ("loaded", 3)
    assert (loaded["granularity"], loaded["level"]) == ("year", {"admin1": 0, "national": 3})
    assert (loaded["date_format"], loaded["replaced"]) == ("yyyy (years)", [])
    assert loaded["skipped"] == {"ICCS0101 Intentional homicide": {"rows": 1, "count": 304}}
    stored = Store(db).query("SELECT date, level, region_code, count FROM incidents ORDER BY 1, 4")
    assert stored["level"].tolist() == ["national"] * 3
    assert stored["region_code"].isna().all()
    assert stored["count"].tolist() == [0, 4987, 5120]


def test_a_monthly_table_end_to_end_and_its_summary_line(tmp_path, capsys):
    path = _file(tmp_path, "md-raioane.csv", MONTHLY)
    db = str(tmp_path / "store.duckdb")
    assert main(["ingest", path, "--db", db, "--json", "--dry-run"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert (checked["status"], checked["granularity"]) == ("valid", "month")
    assert checked["level"] == {"admin1": 2, "national": 1}
    assert main(["ingest", path, "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "md-raioane.csv: loaded (3 rows, format csv, encoding utf-8, delimiter ',', "
        "dates yyyy-mm (months), granularity month, level admin1 2, national 1)"
    )


def test_a_mixed_file_is_rejected_with_exit_code_1(tmp_path, capsys):
    path = _file(tmp_path, "mixed.csv", MONTHLY + "2025-07-14,MD,Cahul,Migrant smuggling,1\n")
    assert main(["ingest", path, "--db", str(tmp_path / "s.duckdb"), "--json"]) == 1
    rejected = json.loads(capsys.readouterr().out)
    assert rejected["granularity"] is None
    assert rejected["problems"][0]["reason"].startswith(
        "The rows stand for periods of different lengths: months (e.g. '2025-06' on line 2) "
        "and days (e.g. '2025-07-14' on line 5)."
    )


def test_several_files_one_line_each(tmp_path, db, capsys):
    good, bad = _file(tmp_path, "good.csv", GOOD), _file(tmp_path, "bad.csv", BAD)
    assert main(["ingest", good, bad, "--db", str(db), "--json"]) == 1
    statuses = [json.loads(line)["status"] for line in capsys.readouterr().out.splitlines()]
    assert statuses == ["loaded", "rejected"]


def test_human_readable_report(tmp_path, db, capsys):
    assert main(["ingest", _file(tmp_path, "bad.csv", BAD), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "bad.csv: rejected" in out
    assert (
        "  - line 2, column 'region' (region_code): Not a known region. Got 'Cahull'. Did you "
        "mean MD-CA Cahul?"
    ) in out


def test_usage_errors_exit_2(tmp_path, db, capsys):
    assert main(["ingest", str(tmp_path / "missing.csv"), "--db", str(db)]) == 2
    assert main(["ingest", _file(tmp_path, "g.csv", GOOD), "--map", "oops", "--db", str(db)]) == 2
    assert "--map entries look like SOURCE=TARGET. Got 'oops'." in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["ingest", "--kind", "weather", "x.csv"])
    assert caught.value.code == 2


def test_dry_run_and_saved_mapping(tmp_path, db, capsys):
    text = "Ziua,Unde,Ce,Cate\n2026-01-05,MD-CA,cbrne,1\n"
    path = _file(tmp_path, "odd.csv", text)
    mapping = "Ziua=date,Unde=region_code,Ce=crime_type,Cate=count"
    version = Store(db).version
    assert main(["ingest", path, "--db", str(db), "--map", mapping, "--dry-run"]) == 0
    assert "valid" in capsys.readouterr().out
    assert Store(db).version == version
    assert (
        main(
            [
                "ingest",
                path,
                "--db",
                str(db),
                "--map",
                mapping,
                "--source",
                "md-igp",
                "--save-mapping",
            ]
        )
        == 0
    )
    assert Store(db).saved_mapping("md-igp") == (
        "incidents",
        {"Ziua": "date", "Unde": "region_code", "Ce": "crime_type", "Cate": "count"},
    )
    again = _file(tmp_path, "odd2.csv", text.replace("2026-01-05", "2026-01-07"))
    assert main(["ingest", again, "--db", str(db), "--source", "md-igp"]) == 0


def test_export_csv_to_stdout_and_xlsx(tmp_path, db, capsysbinary):
    assert (
        main(
            [
                "export",
                "--level",
                "aggregate",
                "--db",
                str(db),
                "--country",
                "MD",
                "--from",
                "2026-01-01",
                "--to",
                "2026-03-31",
            ]
        )
        == 0
    )
    text = capsysbinary.readouterr().out.decode("utf-8-sig")
    assert text.startswith("# RESTRICTED — law-enforcement use only\n# DEMO")
    out = tmp_path / "incidents.xlsx"
    assert (
        main(
            [
                "export",
                "--level",
                "incidents",
                "--format",
                "xlsx",
                "--out",
                str(out),
                "--db",
                str(db),
                "--country",
                "MD",
                "--from",
                "2026-01-01",
            ]
        )
        == 0
    )
    assert set(pd.read_excel(out, sheet_name="incidents")["country"]) == {"MD"}


_SLOW_INGEST = """
import sys, time
from threatmon.store import writer
original = writer.StoreWriter.add_rows
def slow(self, *args, **kwargs):
    batch = original(self, *args, **kwargs)
    print("inserted", flush=True)
    time.sleep(float(sys.argv[1]))
    return batch
writer.StoreWriter.add_rows = slow
from threatmon.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _slow_cli(seconds, *args):
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_SLOW_INGEST), str(seconds), *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.mark.slow
def test_killed_mid_load_leaves_the_store_unchanged(tmp_path, db):
    version, records = Store(db).version, Store(db).coverage()["records"]
    child = _slow_cli(60, "ingest", _file(tmp_path, "good.csv", GOOD), "--db", str(db))
    assert child.stdout.readline().strip() == "inserted"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    store = Store(db)
    assert (store.version, store.coverage()["records"]) == (version, records)
    assert main(["ingest", _file(tmp_path, "good.csv", GOOD), "--db", str(db)]) == 0
    assert store.coverage()["records"] == records + 2


@pytest.mark.slow
def test_the_dashboard_reads_while_the_cli_loads(tmp_path, db):
    store = Store(db)
    records = store.coverage()["records"]
    child = _slow_cli(2, "ingest", _file(tmp_path, "good.csv", GOOD), "--db", str(db))
    assert child.stdout.readline().strip() == "inserted"
    # The loader holds the write lock now; the dashboard's queries still answer.
    assert store.coverage()["records"] == records
    assert not store.aggregate(by=("country",), freq="Y").empty
    assert child.wait(timeout=60) == 0
    assert store.coverage()["records"] == records + 2


def test_an_export_from_the_shell_is_in_the_access_log(db, private_accounts, capsysbinary):
    from threatmon.access.accounts import Accounts

    args = ["export", "--level", "aggregate", "--db", str(db), "--country", "MD"]
    assert main(args) == 0
    (entry,) = Accounts(private_accounts).access_log().itertuples(index=False)
    assert (entry.action, entry.target) == ("export", "cli:aggregate")
    details = json.loads(entry.details)
    assert (details["via"], details["fmt"], details["country"]) == ("cli", "csv", ["MD"])


def test_a_dry_run_of_a_revising_file_says_what_the_load_says(tmp_path, capsys):
    db = str(tmp_path / "fresh.duckdb")
    header = "month,raion,crime,count\n"
    first = _file(tmp_path, "m1.csv", header + "2025-07,Cahul,Migrant smuggling,2\n")
    revised = _file(tmp_path, "m2.csv", header + "2025-07,Cahul,Migrant smuggling,4\n")
    assert main(["ingest", first, "--db", db, "--user", "ana"]) == 0
    assert capsys.readouterr().out.startswith("m1.csv: loaded (1 row, format csv, ")
    assert main(["ingest", revised, "--db", db, "--dry-run"]) == 1
    dry_run = capsys.readouterr().out
    assert main(["ingest", revised, "--db", db]) == 1
    assert capsys.readouterr().out == dry_run
    assert dry_run.startswith("m2.csv: rejected (1 row, ")
    assert (
        "covers the same place, crime type and period as this file: MD-CA migrant smuggling "
        "2025-07. Got '2025-07'." in dry_run
    )
    assert main(["ingest", revised, "--db", db, "--dry-run", "--replace"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "  1 row is valid; nothing was written (dry run). Would replace 1 row of earlier "
        "loads, kept until the new batch is undone: batch 1 (1 row)."
    )
    assert len(Store(db).batches()) == 1


UCDP_LIKE = (
    "id,date,region,adm_1,latitude,longitude,country,crime,count\n"
    "1,2022-03-01,Europe,Zaporizhzhya oblast,47.8388,35.1396,Ukraine,terrorism,1\n"
    "2,2022-03-02,Europe,Kiev Special Republican city,50.4501,30.5234,Ukraine,terrorism,1\n"
    "3,2022-03-03,Europe,,46.6354,32.6169,Ukraine,terrorism,1\n"
)


def test_ingest_without_map_chooses_the_region_column_and_places_by_coordinates(
    tmp_path, db, capsys
):
    path = _file(tmp_path, "ucdp.csv", UCDP_LIKE)
    assert main(["ingest", path, "--db", str(db), "--dry-run", "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert (checked["status"], checked["region_column"], checked["placed_by_coordinates"]) == (
        "valid",
        "adm_1",
        1,
    )
    assert checked["region_column_reason"] == (
        "Region column 'adm_1': 2 of 2 distinct values are regions of Ukraine; 'region' holds "
        "world regions (Europe)."
    )
    assert main(["ingest", path, "--db", str(db), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("level admin1 3, placed by coordinates 1)")
    assert lines[2] == f"  {checked['region_column_reason']}"
