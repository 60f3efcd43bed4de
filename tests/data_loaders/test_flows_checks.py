"""Crossing points are checked against the registry; cumulative flow series are flagged."""

import json

import duckdb
import pytest

from data_loaders.cumulative import cumulative_warnings
from data_loaders.ingest import IngestOptions, ingest_file
from data_loaders.normalise import resolve_crossing_points
from threatmon.cli import main
from threatmon.errors import Problem
from threatmon.rules import CUMULATIVE_MIN_PERIODS
from threatmon.store.reader import Store

FLOWS = IngestOptions(kind="flows")


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _resolve(value: str, country: str | None):
    return resolve_crossing_points([(value, country)])[(value, country)]


# -- resolution -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("UA-PL-SHEHYNI", "PL", "UA-PL-SHEHYNI"),
        ("ua pl shehyni", "UA", "UA-PL-SHEHYNI"),
        ("Shehyni – Medyka", "PL", "UA-PL-SHEHYNI"),
        ("MEDYKA-SHEHYNI", "PL", "UA-PL-SHEHYNI"),  # the Polish side's order, no diacritics
        ("Шегині – Medyka", "UA", "UA-PL-SHEHYNI"),  # the local name
        ("Leuseni - Albita", "MD", "MD-RO-LEUSENI"),  # folded diacritics
        ("Albița – Leușeni", "RO", "MD-RO-LEUSENI"),
        ("Giurgiulești – Galați", "MD", "MD-RO-GIURGIULESTI"),  # English name beats local
        ("Galați – Giurgiulești (rail)", "RO", "MD-RO-GIURGIULESTI-RAIL"),
        ("md-ro-leuseni", None, "MD-RO-LEUSENI"),
    ],
)
def test_ids_and_names_in_any_language_resolve(value, country, expected):
    assert _resolve(value, country).value == expected


def test_an_unknown_point_gets_the_nearest_names():
    medyka = _resolve("Medyka", "PL")
    assert (medyka.value, medyka.reason, medyka.suggestion) == (
        None,
        "Not a known crossing point.",
        "Did you mean UA-PL-SHEHYNI Shehyni – Medyka?",
    )
    assert _resolve("UA-PL-SHEHINY", "PL").suggestion == (
        "Did you mean UA-PL-SHEHYNI Shehyni – Medyka?"
    )
    nothing = _resolve("NOT-A-REAL-POINT", "PL")
    assert (nothing.value, nothing.reason, nothing.suggestion) == (
        None,
        "Not a known crossing point.",
        None,
    )


def test_a_point_on_another_border_names_its_two_countries():
    wrong = _resolve("UA-PL-SHEHYNI", "MD")
    assert (wrong.value, wrong.reason, wrong.suggestion) == (
        None,
        "UA-PL-SHEHYNI is on the border between Ukraine and Poland, but the row's country is MD.",
        "Check the row's country or the crossing point.",
    )


# -- ingest ---------------------------------------------------------------------------------


def test_flows_with_unknown_or_misplaced_points_are_rejected(tmp_path):
    db = tmp_path / "store.duckdb"
    text = (
        "date,country,crossing_point,arrivals\n"
        "2022-03-01,PL,NOT-A-REAL-POINT,100\n"
        "2022-03-01,PL,Medyka,200\n"
        "2022-03-01,MD,UA-PL-SHEHYNI,300\n"
        "2022-03-01,PL,Shehyni – Medyka,400\n"
        "2022-03-01,PL,,500\n"
    )
    result = ingest_file(_write(tmp_path, "f.csv", text), user="ana", db=db, options=FLOWS)
    assert result.status == "rejected"
    assert result.problems == (
        Problem(2, "crossing_point", "NOT-A-REAL-POINT", "Not a known crossing point.", None),
        Problem(
            3,
            "crossing_point",
            "Medyka",
            "Not a known crossing point.",
            "Did you mean UA-PL-SHEHYNI Shehyni – Medyka?",
        ),
        Problem(
            4,
            "crossing_point",
            "UA-PL-SHEHYNI",
            "UA-PL-SHEHYNI is on the border between Ukraine and Poland, but the row's "
            "country is MD.",
            "Check the row's country or the crossing point.",
        ),
    )
    assert not Store(db).exists() or Store(db).flows().empty


def test_flows_store_the_registry_id_for_a_name(tmp_path):
    db = tmp_path / "store.duckdb"
    text = (
        "date,country,crossing_point,arrivals\n"
        "2022-03-01,Polska,Medyka – Shehyni,400\n"
        "2022-03-01,RO,Siret - Porubne,50\n"
    )
    result = ingest_file(_write(tmp_path, "f.csv", text), user="ana", db=db, options=FLOWS)
    assert result.status == "loaded", result.problems
    stored = Store(db).query("SELECT crossing_point FROM flows ORDER BY arrivals")
    assert stored["crossing_point"].tolist() == ["UA-RO-PORUBNE", "UA-PL-SHEHYNI"]


def test_incident_points_are_checked_against_the_incident_country(tmp_path):
    db = tmp_path / "store.duckdb"
    # No country column: the region's code decides the country (MD here).
    text = (
        "date,region_code,crime_type,count,crossing_point\n"
        "2026-01-05,MD-CA,migrant_smuggling,1,Giurgiulești – Galați\n"
        "2026-01-05,MD-CA,migrant_smuggling,1,UA-PL-SHEHYNI\n"
        "2026-01-05,MD-CA,migrant_smuggling,1,\n"
    )
    result = ingest_file(_write(tmp_path, "i.csv", text), user="ana", db=db)
    assert [(p.row, p.column, p.value, p.reason) for p in result.problems] == [
        (
            3,
            "crossing_point",
            "UA-PL-SHEHYNI",
            "UA-PL-SHEHYNI is on the border between Ukraine and Poland, but the row's "
            "country is MD.",
        )
    ]
    fixed = text.replace("UA-PL-SHEHYNI", "MD-RO-LEUSENI")
    loaded = ingest_file(_write(tmp_path, "i2.csv", fixed), user="ana", db=db)
    assert loaded.status == "loaded", loaded.problems
    stored = Store(db).query("SELECT crossing_point FROM incidents ORDER BY crossing_point")
    assert stored["crossing_point"].tolist()[:2] == ["MD-RO-GIURGIULESTI", "MD-RO-LEUSENI"]


# -- cumulative series ----------------------------------------------------------------------


def _days(values, country="PL", point="UA-PL-SHEHYNI", start=1):
    return "".join(f"2022-03-{start + i:02d},{country},{point},{v}\n" for i, v in enumerate(values))


HEADER = "date,country,crossing_point,arrivals\n"
RUNNING = [100, 250, 250, 400, 620, 700, 810, 900, 990]


def test_a_series_that_never_decreases_is_flagged_but_loaded(tmp_path):
    db = tmp_path / "store.duckdb"
    text = HEADER + _days(RUNNING) + _days([5, 3, 8, 2, 9, 4, 7, 6, 1], point="UA-PL-YAHODYN")
    result = ingest_file(_write(tmp_path, "f.csv", text), user="ana", db=db, options=FLOWS)
    assert result.status == "loaded"
    assert result.warnings == (
        "Arrivals into Poland at UA-PL-SHEHYNI never decrease over 9 dates (2022-03-01 to "
        "2022-03-09, from 100 to 990): they look like running totals, not arrivals per date. "
        "If they are, load the differences between consecutive dates instead.",
    )
    assert Store(db).flows(freq=None)["arrivals"].tolist() == [sum(RUNNING) + 45]


def test_the_country_total_is_a_series_of_its_own(tmp_path):
    text = HEADER + "".join(f"2022-03-{d:02d},HU,,{1000 * d}\n" for d in range(1, 11))
    result = ingest_file(
        _write(tmp_path, "f.csv", text),
        user="ana",
        db=tmp_path / "s.duckdb",
        options=FLOWS,
        dry_run=True,
    )
    assert result.status == "valid"
    assert result.warnings == (
        "Arrivals into Hungary (country total) never decrease over 10 dates (2022-03-01 to "
        "2022-03-10, from 1,000 to 10,000): they look like running totals, not arrivals per "
        "date. If they are, load the differences between consecutive dates instead.",
    )


@pytest.mark.parametrize(
    "values",
    [
        RUNNING[: CUMULATIVE_MIN_PERIODS - 1],  # too short to tell
        [100, 250, 250, 400, 390, 700, 810, 900, 990],  # one fall
        [300] * 9,  # flat: no growth
    ],
)
def test_short_falling_or_flat_series_are_not_flagged(tmp_path, values):
    result = ingest_file(
        _write(tmp_path, "f.csv", HEADER + _days(values)),
        user="ana",
        db=tmp_path / "s.duckdb",
        options=FLOWS,
        dry_run=True,
    )
    assert (result.status, result.warnings) == ("valid", ())


def test_rows_of_one_series_and_date_are_summed_before_the_check():
    # Two rows a day (say two shifts) that each fall now and then, but whose sum rises. A
    # file cannot hold them any more (one row per key, see test_revisions.py); a table
    # given to the check directly still can.
    rows = [(10, 5), (8, 9), (12, 6), (11, 9), (15, 6), (16, 7), (14, 10), (20, 5)]
    con = duckdb.connect(":memory:")
    con.execute(
        "CREATE TABLE shifts (date DATE, country VARCHAR, crossing_point VARCHAR, arrivals BIGINT)"
    )
    for day, pair in enumerate(rows, start=1):
        for arrivals in pair:
            con.execute(
                "INSERT INTO shifts VALUES (?, 'SK', 'UA-SK-UZHHOROD', ?)",
                [f"2022-03-{day:02d}", arrivals],
            )
    warnings = cumulative_warnings(con, "shifts")
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "Arrivals into Slovakia at UA-SK-UZHHOROD never decrease over 8 dates"
    )


def test_the_cli_reports_the_warning_in_json_and_text(tmp_path, capsys):
    path = _write(tmp_path, "f.csv", HEADER + _days(RUNNING))
    db = str(tmp_path / "s.duckdb")
    assert main(["ingest", path, "--kind", "flows", "--db", db, "--json", "--dry-run"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "valid"
    assert payload["warnings"] == [
        "Arrivals into Poland at UA-PL-SHEHYNI never decrease over 9 dates (2022-03-01 to "
        "2022-03-09, from 100 to 990): they look like running totals, not arrivals per date. "
        "If they are, load the differences between consecutive dates instead."
    ]
    assert main(["ingest", path, "--kind", "flows", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "  warning: Arrivals into Poland at UA-PL-SHEHYNI never decrease over 9 dates" in out


def test_a_rejected_point_in_the_cli_json(tmp_path, capsys):
    path = _write(tmp_path, "f.csv", HEADER + "2022-03-01,PL,Medyka,200\n")
    db = str(tmp_path / "s.duckdb")
    assert main(["ingest", path, "--kind", "flows", "--db", db, "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["problems"] == [
        {
            "row": 2,
            "column": "crossing_point",
            "header": None,
            "value": "Medyka",
            "reason": "Not a known crossing point.",
            "suggestion": "Did you mean UA-PL-SHEHYNI Shehyni – Medyka?",
        }
    ]
    assert payload["warnings"] == []
