"""ICCS codes and labels, national crosswalks and categories outside the 12 crime types."""

import json
import shutil

import pytest

from data_loaders.ingest import IngestOptions, ingest_file
from data_loaders.normalise import resolve_crime_types
from data_loaders.normalise.text import Resolution
from threatmon.cli import main
from threatmon.errors import Problem
from threatmon.store.reader import Store

# Modelled on a national statistics release by ICCS category (one region per row here).
ICCS_RELEASE = (
    "date,country,region,iccs,count\n"
    "2021-12-31,MD,Cahul,ICCS0101,7\n"
    "2021-12-31,MD,Cahul,ICCS0601,143\n"
    "2021-12-31,MD,Cahul,ICCS030221,4\n"
    "2021-12-31,MD,Cahul,ICCS09051,2\n"
    "2021-12-31,MD,Cahul,ICCS0502,880\n"
    "2021-12-31,MD,Cahul,ICCS05021,31\n"
    "2021-12-31,MD,Ungheni,ICCS0101,6\n"
)
# Modelled on a prosecutors' yearly table by criminal-code article.
ARTICLES_UA = (
    "date,country,region,article,count\n"
    "2024-12-31,UA,Kyiv City,149,212\n"
    "2024-12-31,UA,Kyiv City,332,1480\n"
    "2024-12-31,UA,Kyiv City,115,5210\n"
    "2024-12-31,UA,Kyiv City,301-1,35\n"
)
HOMICIDE = (
    "ICCS0101 Intentional homicide (lines 2, 8): outside the 12 crime types; "
    "use --skip-out-of-scope to load the rest."
)
THEFT = (
    "ICCS0502 Theft (line 6): spans vehicle_crime (ICCS05021) and categories outside "
    "the 12 crime types; use --skip-out-of-scope to load the rest."
)


@pytest.fixture
def db(tmp_path, demo_store_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, path)
    return path


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- resolution ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("0601", "drug_trafficking"),
        ("ICCS0601", "drug_trafficking"),
        ("06012", "drug_trafficking"),
        ("ICCS030221", "child_sexual_exploitation"),
        ("ICCS09051", "organised_crime"),
        ("ICCS07041", "financial_crime"),
        ("09012", "firearms_trafficking"),
        ("Smuggling of migrants", "migrant_smuggling"),
        ("Participation in an organized criminal group", "organised_crime"),
        ("Child pornography", "child_sexual_exploitation"),
    ],
)
def test_iccs_codes_and_labels_map_to_the_key_they_lie_in(value, key):
    assert resolve_crime_types([value])[value] == Resolution(key)


def test_a_section_above_several_keys_names_them():
    assert resolve_crime_types(["09"])["09"] == Resolution(
        None,
        "spans several crime types (firearms_trafficking (ICCS09012), terrorism (ICCS0906), "
        "cybercrime (ICCS0903), cbrne (ICCS09019), organised_crime (ICCS0905))",
        category="ICCS09 Acts against public safety and state security",
    )


def test_codes_and_labels_outside_the_keys_are_categories():
    found = resolve_crime_types(["ICCS0101", "0101", "Intentional homicide", "ICCS0401"])
    assert {value: r.category for value, r in found.items()} == {
        "ICCS0101": "ICCS0101 Intentional homicide",
        "0101": "ICCS0101 Intentional homicide",
        "Intentional homicide": "ICCS0101 Intentional homicide",
        "ICCS0401": "ICCS0401 Robbery",
    }
    assert {r.reason for r in found.values()} == {"outside the 12 crime types"}
    assert {r.value for r in found.values()} == {None}


def test_articles_need_a_crosswalk():
    assert resolve_crime_types(["332"])["332"] == Resolution(
        None,
        "Not a known crime type.",
        "A criminal-code article? Choose a crosswalk: ua-cc, md-cc.",
    )
    found = resolve_crime_types(["332", "ст. 149", "115", "Homicide"], crosswalk="ua-cc")
    assert found["332"] == Resolution("migrant_smuggling")
    assert found["ст. 149"] == Resolution("human_trafficking")
    assert found["115"] == Resolution(None, "outside the 12 crime types", category="UA CC art. 115")
    assert found["Homicide"].reason == "Not a known crime type."  # not a recognised category


def test_moldovan_articles_in_any_notation():
    found = resolve_crime_types(["362^1", "362¹", "362/1", "165", "362"], crosswalk="md-cc")
    assert [r.value for r in found.values()] == [
        "migrant_smuggling",
        "migrant_smuggling",
        "migrant_smuggling",
        "human_trafficking",
        None,
    ]
    assert found["362"].category == "MD CC art. 362"


def test_unknown_values_stay_errors():
    assert resolve_crime_types(["migrant smugling"])["migrant smugling"] == Resolution(
        None, "Not a known crime type.", "Did you mean migrant_smuggling (Migrant smuggling)?"
    )


# -- ingest -------------------------------------------------------------------------------------


def test_categories_outside_the_keys_are_refused_by_name_and_lines(tmp_path, db):
    path = write(tmp_path, "release.csv", ICCS_RELEASE)
    before = Store(db).coverage()["records"]
    result = ingest_file(path, user="ana", db=db)
    assert result.status == "rejected"
    assert result.problems == (
        Problem(2, "crime_type", "ICCS0101", HOMICIDE),
        Problem(6, "crime_type", "ICCS0502", THEFT),
    )
    assert result.problem_count == 2
    assert result.skipped == {}
    assert Store(db).coverage()["records"] == before


def test_skip_out_of_scope_loads_the_rest_and_reports_each_category(tmp_path, db):
    path = write(tmp_path, "release.csv", ICCS_RELEASE)
    result = ingest_file(path, user="ana", db=db, options=IngestOptions(skip_out_of_scope=True))
    assert result.status == "loaded", result.problems
    assert result.rows_loaded == 4
    assert result.skipped == {
        "ICCS0101 Intentional homicide": {"rows": 2, "count": 13},
        "ICCS0502 Theft": {"rows": 1, "count": 880},
    }
    assert result.message == (
        f"Loaded 4 rows as batch {result.batch_id}. Skipped 3 rows in categories without a "
        "crime type: ICCS0101 Intentional homicide (2 rows, count 13); ICCS0502 Theft "
        "(1 row, count 880)."
    )
    stored = Store(db).query(
        "SELECT crime_type, count FROM incidents WHERE batch_id = ? ORDER BY crime_type",
        [result.batch_id],
    )
    assert stored.values.tolist() == [
        ["child_sexual_exploitation", 4],
        ["drug_trafficking", 143],
        ["organised_crime", 2],
        ["vehicle_crime", 31],
    ]


def test_a_skipped_row_is_not_checked_further(tmp_path, db):
    text = ICCS_RELEASE + "2021-12-31,MD,Cahull,ICCS0101,5\n"
    path = write(tmp_path, "release.csv", text)
    result = ingest_file(
        path, user="ana", db=db, options=IngestOptions(skip_out_of_scope=True), dry_run=True
    )
    assert result.status == "valid"
    assert result.skipped["ICCS0101 Intentional homicide"] == {"rows": 3, "count": 18}


def test_a_long_category_lists_ten_lines_and_how_many_more(tmp_path, db):
    rows = "".join(f"2021-12-31,MD,Cahul,0101,{n}\n" for n in range(1, 14))
    path = write(tmp_path, "release.csv", "date,country,region,iccs,count\n" + rows)
    result = ingest_file(path, user="ana", db=db, dry_run=True)
    assert [p.reason for p in result.problems] == [
        "ICCS0101 Intentional homicide (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 3 more): "
        "outside the 12 crime types; use --skip-out-of-scope to load the rest."
    ]


def test_a_crosswalk_reads_articles(tmp_path, db):
    path = write(tmp_path, "pgo.csv", ARTICLES_UA)
    refused = ingest_file(path, user="ana", db=db, options=IngestOptions(crosswalk="ua-cc"))
    assert refused.problems == (
        Problem(
            4,
            "crime_type",
            "115",
            "UA CC art. 115 (line 4): outside the 12 crime types; use --skip-out-of-scope "
            "to load the rest.",
        ),
    )
    loaded = ingest_file(
        path,
        user="ana",
        db=db,
        options=IngestOptions(crosswalk="ua-cc", skip_out_of_scope=True),
    )
    assert (loaded.status, loaded.rows_loaded) == ("loaded", 3)
    assert loaded.skipped == {"UA CC art. 115": {"rows": 1, "count": 5210}}
    stored = Store(db).query(
        "SELECT crime_type FROM incidents WHERE batch_id = ? ORDER BY crime_type",
        [loaded.batch_id],
    )
    assert stored["crime_type"].tolist() == [
        "child_sexual_exploitation",
        "human_trafficking",
        "migrant_smuggling",
    ]


def test_an_unknown_crosswalk_is_refused():
    with pytest.raises(KeyError, match="Unknown crosswalk 'pl-kk'"):
        IngestOptions(crosswalk="pl-kk")


# -- CLI ----------------------------------------------------------------------------------------


def test_cli_crosswalk_skip_and_json(tmp_path, db, capsys):
    path = write(tmp_path, "pgo.csv", ARTICLES_UA)
    assert main(["ingest", path, "--db", str(db), "--crosswalk", "ua-cc", "--json"]) == 1
    rejected = json.loads(capsys.readouterr().out)
    assert rejected["skipped"] == {}
    assert [p["reason"] for p in rejected["problems"]] == [
        "UA CC art. 115 (line 4): outside the 12 crime types; use --skip-out-of-scope "
        "to load the rest."
    ]
    args = ["ingest", path, "--db", str(db), "--crosswalk", "ua-cc", "--skip-out-of-scope"]
    assert main([*args, "--json"]) == 0
    loaded = json.loads(capsys.readouterr().out)
    assert (loaded["status"], loaded["rows_loaded"]) == ("loaded", 3)
    assert loaded["skipped"] == {"UA CC art. 115": {"rows": 1, "count": 5210}}


def test_cli_names_the_crosswalks_and_refuses_an_unknown_one(tmp_path, db, capsys):
    with pytest.raises(SystemExit) as info:
        main(["ingest", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--crosswalk {ua-cc,md-cc}" in text
    assert "ua-cc (Criminal Code of Ukraine No. 2341-III of 5 April 2001)" in text
    assert "--skip-out-of-scope" in text
    path = write(tmp_path, "pgo.csv", ARTICLES_UA)
    with pytest.raises(SystemExit) as info:
        main(["ingest", path, "--db", str(db), "--crosswalk", "pl-kk"])
    assert info.value.code == 2


def test_cli_text_report_says_what_was_skipped(tmp_path, db, capsys):
    path = write(tmp_path, "release.csv", ICCS_RELEASE)
    assert main(["ingest", path, "--db", str(db), "--skip-out-of-scope", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (
        "4 rows are valid; nothing was written (dry run). Skipped 3 rows in categories "
        "without a crime type: ICCS0101 Intentional homicide (2 rows, count 13); "
        "ICCS0502 Theft (1 row, count 880)." in out
    )
