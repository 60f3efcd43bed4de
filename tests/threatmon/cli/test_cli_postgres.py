"""The CLI on a PostgreSQL store: the same commands, by URL, with the password never shown."""

import json

import psycopg

from threatmon.cli import main
from threatmon.store.migrations import SCHEMA_VERSION
from threatmon.store.reader import Store

CSV = (
    "date,country,region_code,crime_type,count,incident_id\n"
    "2026-03-05,MD,MD-CA,migrant_smuggling,3,CLI-1\n"
    "2026-03-06,MD,MD-CU,drug_trafficking,1,CLI-2\n"
)


def with_password(url: str, password: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{password}@")


def test_demo_ingest_batches_undo_and_info_by_url(postgres_url, tmp_path, capsys):
    # The test cluster trusts its socket, so any password is accepted, and must not show.
    url = with_password(postgres_url, "s3cret")
    assert main(["demo", "--db", url, "--scale", "0.01", "--seed", "5", "--json"]) == 0
    built = json.loads(capsys.readouterr().out)
    assert built["db"] == with_password(postgres_url, "***")
    store = Store(url)
    assert store.is_demo()
    demo_rows = store.coverage()["records"]
    assert demo_rows == built["rows"]

    extract = tmp_path / "md.csv"
    extract.write_text(CSV)
    assert main(["ingest", str(extract), "--db", url, "--json"]) == 0
    loaded = json.loads(capsys.readouterr().out)
    assert loaded["status"] == "loaded"
    assert store.coverage()["records"] == demo_rows + 2

    # The same incident_ids again, in another file: refused with the file's lines.
    again = tmp_path / "md-again.csv"
    again.write_text(CSV.replace("2026-03-06", "2026-03-07"))
    assert main(["ingest", str(again), "--db", url, "--json"]) != 0
    refused = json.loads(capsys.readouterr().out)
    assert refused["status"] == "rejected"
    assert [(p["row"], p["column"], p["value"]) for p in refused["problems"]] == [
        (2, "incident_id", "CLI-1"),
        (3, "incident_id", "CLI-2"),
    ]
    assert store.coverage()["records"] == demo_rows + 2

    assert main(["batches", "--db", url, "--json"]) == 0
    batches = json.loads(capsys.readouterr().out)
    assert [b["file_name"] for b in batches][:1] == ["md.csv"]
    assert main(["undo", str(loaded["batch_id"]), "--db", url]) == 0
    capsys.readouterr()
    assert store.coverage()["records"] == demo_rows

    assert main(["info", "--db", url, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["db"] == with_password(postgres_url, "***")
    assert info["records"] == demo_rows
    assert "s3cret" not in json.dumps([built, loaded, refused, batches, info])


def test_migrate_creates_the_schema_once(postgres_url, capsys):
    assert main(["migrate", "--db", postgres_url]) == 0
    assert main(["migrate", "--db", postgres_url]) == 0
    said = capsys.readouterr().out.splitlines()[-1]
    assert said == f"{postgres_url} is at schema version {SCHEMA_VERSION}."
    with psycopg.connect(postgres_url) as con:
        migrations = con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        actions = [row[0] for row in con.execute("SELECT action FROM audit ORDER BY seq")]
    assert migrations == SCHEMA_VERSION
    assert actions == ["migrate"]
