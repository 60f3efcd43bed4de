"""A source's value aliases: saved with the source (audited), applied by the check before
validation, listed and removable; the problems they can solve and the suggestions they
accept."""

import json

import pytest

from data_loaders.ingest import IngestOptions, ingest_file, known_source_options
from data_loaders.value_aliases import (
    AliasCandidate,
    alias_candidates,
    alias_label,
    aliases_table,
    parse_aliases,
    suggested_target,
)
from threatmon.errors import Problem, ValidationError
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

# An agency's spellings: "Cahull" is a typo the check suggests a region for, "Sudul" is
# no name of any region, "contrabanda" no crime type.
EXTRACT = (
    "Data,Tara,Raion,Infractiune,Cazuri\n"
    "2026-01-05,MD,Cahull,migrant_smuggling,1\n"
    "2026-01-06,MD,Sudul,contrabanda,2\n"
    "2026-01-07,MD,cahull,migrant_smuggling,3\n"
)
MAPPING = {
    "Data": "date",
    "Tara": "country",
    "Raion": "region_code",
    "Infractiune": "crime_type",
    "Cazuri": "count",
}


def check(tmp_path, **options):
    path = tmp_path / "extract.csv"
    path.write_text(EXTRACT, encoding="utf-8")
    return ingest_file(
        path,
        user="ana",
        db=tmp_path / "store.duckdb",
        options=IngestOptions(mapping=MAPPING, **options),
        dry_run=True,
    )


def test_problems_name_the_files_header_and_the_contract_column(tmp_path):
    result = check(tmp_path)
    assert result.status == "rejected"
    first = result.problems[0]
    assert (first.row, first.column, first.header, first.value) == (
        2,
        "region_code",
        "Raion",
        "Cahull",
    )
    assert first.where == "'Raion' (region_code)"
    assert str(first) == (
        "row 2, column 'Raion' (region_code): Not a known region of Moldova. Got 'Cahull'. "
        "Did you mean MD-CA Cahul?"
    )
    assert result.to_json()["problems"][0]["header"] == "Raion"
    assert result.to_json()["problems"][0]["column"] == "region_code"


def test_the_candidates_are_one_per_column_and_value_with_the_suggested_value(tmp_path):
    result = check(tmp_path)
    assert alias_candidates(result.problems) == [
        AliasCandidate(
            "region_code", "Raion", "Cahull", "Not a known region of Moldova.", "MD-CA", (2,)
        ),
        AliasCandidate(
            "crime_type", "Infractiune", "contrabanda", "Not a known crime type.", None, (3,)
        ),
        AliasCandidate(
            "region_code", "Raion", "Sudul", "Not a known region of Moldova.", None, (3,)
        ),
        AliasCandidate(
            "region_code", "Raion", "cahull", "Not a known region of Moldova.", "MD-CA", (4,)
        ),
    ]


def test_aliases_resolve_the_values_before_the_check_and_the_file_keeps_its_values(tmp_path):
    aliases = {
        "region_code": {"Cahull": "MD-CA", "Sudul": "MD-CA"},
        "crime_type": {"Contrabanda": "financial_crime"},
    }
    result = check(tmp_path, value_aliases=aliases)
    assert result.status == "valid", result.problems
    # "cahull" is matched as "Cahull" is written: case and diacritics do not matter.
    assert result.preview["region_code"].tolist() == ["MD-CA", "MD-CA", "MD-CA"]
    assert result.preview["crime_type"].tolist() == [
        "migrant_smuggling",
        "financial_crime",
        "migrant_smuggling",
    ]


def test_an_alias_is_still_checked_against_the_rows_country(tmp_path):
    result = check(tmp_path, value_aliases={"region_code": {"Sudul": "RO-GL"}})
    sudul = next(p for p in result.problems if p.value == "Sudul")
    assert sudul.reason == "RO-GL is in Romania, but the row's country is MD."


def test_aliases_are_checked_when_given():
    with pytest.raises(ValueError, match="Value aliases are for the columns country, "):
        IngestOptions(value_aliases={"count": {"x": "1"}})
    with pytest.raises(ValueError, match="Not a region_code to alias 'Cahull' to. Got 'MD-ZZ'."):
        IngestOptions(value_aliases={"region_code": {"Cahull": "MD-ZZ"}})
    assert IngestOptions(value_aliases={}).value_aliases is None
    assert parse_aliases({"country": {"Moldavia": "MD"}}) == {"country": {"Moldavia": "MD"}}


def test_a_suggestion_is_accepted_only_when_it_names_one_value_of_the_column():
    def problem(column, suggestion):
        return Problem(2, column, "x", "Not a known region.", suggestion)

    assert suggested_target(problem("region_code", "Did you mean MD-CA Cahul?")) == "MD-CA"
    assert suggested_target(problem("country", "Did you mean MD (Moldova)?")) == "MD"
    assert suggested_target(problem("crime_type", "Did you mean cbrne (CBRNE)?")) == "cbrne"
    assert suggested_target(problem("region_code", "Did you mean MD-CA Cahul or MD-CU X?")) is None
    assert suggested_target(problem("region_code", "Add the country to the row.")) is None
    assert suggested_target(problem("crime_type", "Did you mean MD-CA Cahul?")) is None
    assert alias_label("region_code", "MD-CA") == "MD-CA Cahul"
    assert alias_label("country", "MD") == "MD (Moldova)"


def test_a_source_saves_lists_and_removes_its_aliases_with_audit_entries(store_location):
    db = store_location
    with write_session(db, user="ana") as writer:
        writer.save_mapping("md-police", "incidents", {"Raion": "region_code"}, {"thousands": "."})
        writer.save_value_alias("md-police", "incidents", "region_code", "Cahull", "MD-CA")
        writer.save_value_alias("md-police", "incidents", "crime_type", "contrabanda", "cbrne")
    kind, mapping, options = Store(db).saved_source("md-police")
    assert (kind, mapping) == ("incidents", {"Raion": "region_code"})
    assert options == {
        "thousands": ".",
        "value_aliases": {
            "crime_type": {"contrabanda": "cbrne"},
            "region_code": {"Cahull": "MD-CA"},
        },
    }
    assert aliases_table(options["value_aliases"]) == [
        ("region_code", "Cahull", "MD-CA"),
        ("crime_type", "contrabanda", "cbrne"),
    ]
    # What the CLI's --source and the page pass to the check.
    assert IngestOptions(**known_source_options(options)).aliases("region_code") == {
        "Cahull": "MD-CA"
    }
    with write_session(db, user="eva") as writer:
        writer.remove_value_alias("md-police", "crime_type", "contrabanda")
        writer.remove_value_alias("md-police", "crime_type", "not saved")  # nothing to do
    _, _, options = Store(db).saved_source("md-police")
    assert options == {"thousands": ".", "value_aliases": {"region_code": {"Cahull": "MD-CA"}}}
    audit = Store(db).audit()
    entries = audit[audit["action"].str.contains("value_alias")]
    assert entries[["user_name", "action", "target"]].values.tolist() == [
        ["ana", "save_value_alias", "mapping:md-police"],
        ["ana", "save_value_alias", "mapping:md-police"],
        ["eva", "remove_value_alias", "mapping:md-police"],
    ]
    assert json.loads(entries["details"].iloc[0]) == {
        "kind": "incidents",
        "column": "region_code",
        "value": "Cahull",
        "target": "MD-CA",
    }


def test_an_alias_of_a_new_source_saves_the_source_and_a_source_of_the_other_kind_refuses(
    tmp_path,
):
    db = tmp_path / "store.duckdb"
    with write_session(db, user="ana") as writer:
        writer.save_value_alias("new-agency", "incidents", "country", "Moldavia", "MD")
        writer.save_mapping("crossings", "flows", {})
    assert Store(db).saved_source("new-agency") == (
        "incidents",
        {},
        {"value_aliases": {"country": {"Moldavia": "MD"}}},
    )
    with pytest.raises(ValidationError, match="'crossings' is saved for flows, not incidents"):
        with write_session(db, user="ana") as writer:
            writer.save_value_alias("crossings", "incidents", "country", "Moldavia", "MD")


def test_the_cli_applies_the_aliases_of_its_source(tmp_path, capsys):
    from threatmon.cli import main

    db = tmp_path / "store.duckdb"
    path = tmp_path / "extract.csv"
    path.write_text(EXTRACT, encoding="utf-8")
    with write_session(db, user="ana") as writer:
        writer.save_mapping("md-police", "incidents", MAPPING)
        for value in ("Cahull", "Sudul"):
            writer.save_value_alias("md-police", "incidents", "region_code", value, "MD-CA")
        writer.save_value_alias("md-police", "incidents", "crime_type", "contrabanda", "cbrne")
    args = ["ingest", str(path), "--db", str(db), "--dry-run", "--json"]
    assert main([*args, "--source", "md-police"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "valid"
