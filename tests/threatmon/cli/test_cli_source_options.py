"""`threatmon ingest --date-order/--thousands`, saved with a source and reused, on both backends."""

import json

import pytest

from threatmon.cli import main
from threatmon.store.reader import Store

MAPPING = "Ziua=date,Unde=region_code,Ce=crime_type,Cate=count"
# Month-first dates that do not show it, and counts grouped with commas.
FIRST = 'Ziua,Unde,Ce,Cate\n01/02/2026,MD-CA,cbrne,"1,192"\n03/04/2026,MD-CA,cbrne,2\n'
LATER = 'Ziua,Unde,Ce,Cate\n05/06/2026,MD-CA,cbrne,"2,048"\n'


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _ingest(capsys, *args) -> tuple[int, dict]:
    code = main(["ingest", *map(str, args), "--json"])
    return code, json.loads(capsys.readouterr().out.splitlines()[0])


def test_options_are_saved_with_the_source_and_reused(tmp_path, store_location, capsys):
    db = str(store_location)
    first = _file(tmp_path, "first.csv", FIRST)
    code, refused = _ingest(capsys, first, "--db", db, "--map", MAPPING)
    assert code == 1
    assert [p["column"] for p in refused["problems"]] == ["date", "count"]
    assert refused["problems"][0]["reason"].startswith(
        "The order of day and month cannot be decided: 2 distinct slashed dates"
    )
    code, loaded = _ingest(
        capsys,
        first,
        "--db",
        db,
        "--map",
        MAPPING,
        "--date-order",
        "mdy",
        "--thousands",
        ",",
        "--source",
        "us-events",
        "--save-mapping",
    )
    assert code == 0, loaded["problems"]
    assert (loaded["date_order"], loaded["thousands"]) == ("mdy", ",")
    assert loaded["date_format"] == "mm/dd/yyyy (month first, as given)"
    store = Store(store_location)
    assert store.saved_source("us-events") == (
        "incidents",
        {"Ziua": "date", "Unde": "region_code", "Ce": "crime_type", "Cate": "count"},
        {"date_order": "mdy", "thousands": ","},
    )
    # The next extract of that source needs only its name.
    code, later = _ingest(
        capsys, _file(tmp_path, "later.csv", LATER), "--db", db, "--source", "us-events"
    )
    assert code == 0, later["problems"]
    assert (later["date_order"], later["thousands"]) == ("mdy", ",")
    rows = store.query("SELECT date, count FROM incidents WHERE batch_id = ?", [later["batch_id"]])
    assert (f"{rows['date'][0]:%Y-%m-%d}", int(rows["count"][0])) == ("2026-05-06", 2048)


def test_options_given_on_the_command_line_win_over_the_saved_ones(
    tmp_path, store_location, capsys
):
    db = str(store_location)
    main(
        [
            "ingest",
            _file(tmp_path, "first.csv", FIRST),
            "--db",
            db,
            "--map",
            MAPPING,
            "--date-order",
            "mdy",
            "--thousands",
            ",",
            "--source",
            "us-events",
            "--save-mapping",
        ]
    )
    capsys.readouterr()
    code, result = _ingest(
        capsys,
        _file(tmp_path, "later.csv", LATER),
        "--db",
        db,
        "--source",
        "us-events",
        "--date-order",
        "dmy",
        "--dry-run",
    )
    assert code == 0
    assert (result["date_order"], result["thousands"]) == ("dmy", ",")
    assert result["date_format"] == "dd/mm/yyyy (day first, as given)"
    # A dry run saves nothing: the profile keeps mdy.
    assert Store(store_location).saved_source("us-events")[2] == {
        "date_order": "mdy",
        "thousands": ",",
    }


def test_a_header_only_file_exits_1_and_makes_no_batch(tmp_path, store_location, capsys):
    db = str(store_location)
    code, result = _ingest(
        capsys, _file(tmp_path, "empty.csv", "date,region_code,crime_type,count\n"), "--db", db
    )
    assert code == 1
    assert result["status"] == "rejected"
    assert result["batch_id"] is None
    assert result["problems"] == [
        {
            "row": None,
            "column": None,
            "header": None,
            "value": None,
            "reason": "No data rows; nothing loaded.",
            "suggestion": None,
        }
    ]
    assert (
        main(
            [
                "ingest",
                _file(tmp_path, "empty.csv", "date,region_code,crime_type,count\n"),
                "--db",
                db,
            ]
        )
        == 1
    )
    assert "  - file: No data rows; nothing loaded." in capsys.readouterr().out
    assert not Store(store_location).exists() or Store(store_location).batches().empty


def test_bad_option_values_are_usage_errors(tmp_path, capsys):
    path = _file(tmp_path, "first.csv", FIRST)
    for option, value in (("--date-order", "ymd"), ("--thousands", "_")):
        with pytest.raises(SystemExit) as caught:
            main(["ingest", path, option, value, "--db", str(tmp_path / "s.duckdb")])
        assert caught.value.code == 2
    assert "invalid choice: 'ymd'" in capsys.readouterr().err


ARTICLES = "Data,Raion,Articol,Cazuri\n2026-03-31,MD-CA,362^1,4\n2026-03-31,MD-CU,165,2\n"
ARTICLES_LATER = "Data,Raion,Articol,Cazuri\n2026-04-30,MD-CA,362^1,3\n"
ARTICLE_MAPPING = "Data=date,Raion=region_code,Articol=crime_type,Cazuri=count"


def test_the_crosswalk_is_saved_with_the_source_and_reused(tmp_path, store_location, capsys):
    db = str(store_location)
    first = _file(tmp_path, "md.csv", ARTICLES)
    code, refused = _ingest(capsys, first, "--db", db, "--map", ARTICLE_MAPPING)
    assert code == 1
    code, loaded = _ingest(
        capsys,
        first,
        "--db",
        db,
        "--map",
        ARTICLE_MAPPING,
        "--crosswalk",
        "md-cc",
        "--source",
        "md-police",
        "--save-mapping",
    )
    assert code == 0, loaded["problems"]
    assert Store(store_location).saved_source("md-police")[2] == {"crosswalk": "md-cc"}
    code, later = _ingest(
        capsys, _file(tmp_path, "md-later.csv", ARTICLES_LATER), "--db", db, "--source", "md-police"
    )
    assert code == 0, later["problems"]
    rows = Store(store_location).query(
        "SELECT crime_type FROM incidents WHERE batch_id = ?", [later["batch_id"]]
    )
    assert rows["crime_type"].tolist() == ["migrant_smuggling"]
