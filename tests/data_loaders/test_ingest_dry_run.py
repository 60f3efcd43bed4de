"""A dry run says what the load would about revisions: the same refusal, or what it would
replace, and writes nothing."""

import pytest

from data_loaders.ingest import IngestOptions, ingest_file
from tests.factories import BACKENDS
from threatmon.store.reader import Store

INCIDENTS = IngestOptions()
REPLACE = IngestOptions(replace=True)
MONTHS = "month,raion,crime,count\n"
# Migrant smuggling in Cahul by month, then re-sent with July revised and August added.
JUNE_JULY = MONTHS + "2025-06,Cahul,Migrant smuggling,0\n2025-07,Cahul,Migrant smuggling,2\n"
JULY_AUGUST = MONTHS + "2025-07,Cahul,Migrant smuggling,4\n2025-08,Cahul,Migrant smuggling,1\n"
FLOWS = IngestOptions(kind="flows")
FLOWS_REPLACE = IngestOptions(kind="flows", replace=True)
FLOW_HEADER = "date,country,crossing_point,arrivals\n"
FLOWS_FIRST = FLOW_HEADER + (
    "2022-03-01,PL,,98000\n2022-03-02,PL,,102000\n2022-03-02,PL,UA-PL-SHEHYNI,22500\n"
)
FLOWS_REVISED = FLOW_HEADER + "2022-03-02,PL,,104500\n2022-03-03,PL,,97250\n"


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """An empty store on each backend."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "store.duckdb")


def _ingest(tmp_path, db, name, text, options=INCIDENTS, dry_run=False):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest_file(path, user="ana", db=db, options=options, dry_run=dry_run)


def _state(db) -> tuple:
    """What the store holds: its batches and every row, superseded ones too."""
    store = Store(db)
    tables = ("batches", "incidents", "incidents_superseded", "flows", "flows_superseded")
    return tuple(
        sorted(store.query(f"SELECT * FROM {table}").astype(str).values.tolist(), key=repr)
        for table in tables
    )


def _dry_run_then_load(tmp_path, db, name, text, options):
    """The dry run of a file, the store after it, and the load of the same file."""
    dry = _ingest(tmp_path, db, name, text, options, dry_run=True)
    after_dry_run = _state(db)
    return dry, after_dry_run, _ingest(tmp_path, db, name, text, options)


def test_a_dry_run_of_revised_months_is_refused_as_the_load_is(tmp_path, db):
    first = _ingest(tmp_path, db, "m1.csv", JUNE_JULY)
    assert first.status == "loaded", first.problems
    before = _state(db)
    dry, after, load = _dry_run_then_load(tmp_path, db, "m2.csv", JULY_AUGUST, INCIDENTS)
    assert after == before
    assert (dry.status, load.status) == ("rejected", "rejected")
    assert dry.to_json() == load.to_json()
    assert dry.message == (
        "Rejected: 1 problem; nothing was written. This file revises incidents already "
        f"loaded in batch {first.batch_id}: use --replace to supersede them."
    )
    (problem,) = dry.problems
    assert (problem.column, problem.value) == ("date", "2025-07")
    assert problem.reason.startswith(f"1 figure of batch {first.batch_id} (m1.csv, loaded ")
    assert problem.reason.endswith(
        "covers the same place, crime type and period as this file: "
        "MD-CA migrant smuggling 2025-07."
    )
    assert _state(db) == before


def test_a_dry_run_with_replace_says_what_the_load_would_replace(tmp_path, db):
    first = _ingest(tmp_path, db, "m1.csv", JUNE_JULY)
    before = _state(db)
    dry = _ingest(tmp_path, db, "m2.csv", JULY_AUGUST, REPLACE, dry_run=True)
    assert _state(db) == before
    assert dry.status == "valid"
    assert dry.replaced == ({"batch_id": first.batch_id, "rows": 1},)
    assert dry.to_json()["replaced"] == [{"batch_id": first.batch_id, "rows": 1}]
    assert dry.message == (
        "2 rows are valid; nothing was written (dry run). Would replace 1 row of earlier "
        f"loads, kept until the new batch is undone: batch {first.batch_id} (1 row)."
    )
    load = _ingest(tmp_path, db, "m2.csv", JULY_AUGUST, REPLACE)
    assert load.status == "loaded"
    assert load.replaced == dry.replaced


def test_a_dry_run_of_a_year_over_months_is_refused_as_the_load_is(tmp_path):
    db = str(tmp_path / "store.duckdb")
    first = _ingest(tmp_path, db, "m1.csv", JUNE_JULY)
    year = "year,raion,crime,count\n2025,Cahul,Migrant smuggling,9\n"
    dry, after, load = _dry_run_then_load(tmp_path, db, "y.csv", year, INCIDENTS)
    assert after == _state(db)
    assert dry.status == "rejected"
    assert dry.to_json() == load.to_json()
    (problem,) = dry.problems
    assert problem.value == "2025-06 to 2025-07"
    assert f"2 figures of batch {first.batch_id} (m1.csv" in problem.reason
    assert problem.reason.endswith(
        "this file: MD-CA migrant smuggling 2025-06, MD-CA migrant smuggling 2025-07."
    )


def test_a_dry_run_counts_every_incident_a_month_would_replace(tmp_path):
    db = str(tmp_path / "store.duckdb")
    days = "date,raion,crime,count\n" + (
        "2025-07-03,Cahul,Migrant smuggling,1\n"
        "2025-07-03,Cahul,Migrant smuggling,1\n"
        "2025-07-09,Cahul,Migrant smuggling,2\n"
        "2025-08-09,Cahul,Migrant smuggling,2\n"
    )
    first = _ingest(tmp_path, db, "days.csv", days)
    assert first.rows_loaded == 4
    dry, _, load = _dry_run_then_load(tmp_path, db, "m2.csv", JULY_AUGUST, INCIDENTS)
    assert dry.to_json() == load.to_json()
    assert dry.problems[0].value == "2025-07-03 to 2025-08-09"
    assert dry.problems[0].reason.startswith(f"3 figures of batch {first.batch_id} ")
    dry, _, load = _dry_run_then_load(tmp_path, db, "m2.csv", JULY_AUGUST, REPLACE)
    assert (dry.status, load.status) == ("valid", "loaded")
    assert dry.replaced == load.replaced == ({"batch_id": first.batch_id, "rows": 4},)


def test_a_dry_run_of_days_over_days_revises_nothing(tmp_path):
    db = str(tmp_path / "store.duckdb")
    day = "date,raion,crime,count\n2025-07-03,Cahul,Migrant smuggling,1\n"
    _ingest(tmp_path, db, "a.csv", day)
    again = day + "2025-07-04,Cahul,Migrant smuggling,1\n"
    dry = _ingest(tmp_path, db, "b.csv", again, dry_run=True)
    assert (dry.status, dry.replaced) == ("valid", ())
    # A day over a month is a revision: the month would count it twice.
    _ingest(tmp_path, db, "m.csv", MONTHS + "2025-09,Cahul,Migrant smuggling,3\n")
    late = "date,raion,crime,count\n2025-09-30,Cahul,Migrant smuggling,1\n"
    dry, _, load = _dry_run_then_load(tmp_path, db, "late.csv", late, INCIDENTS)
    assert dry.status == "rejected"
    assert dry.to_json() == load.to_json()


def test_a_dry_run_of_revised_flow_days_is_refused_as_the_load_is(tmp_path):
    db = str(tmp_path / "store.duckdb")
    first = _ingest(tmp_path, db, "pl.csv", FLOWS_FIRST, FLOWS)
    before = _state(db)
    dry, after, load = _dry_run_then_load(tmp_path, db, "pl-2.csv", FLOWS_REVISED, FLOWS)
    assert after == before
    assert dry.status == "rejected"
    assert dry.to_json() == load.to_json()
    (problem,) = dry.problems
    assert problem.reason.startswith(
        f"1 country × crossing point × day key already loaded in batch {first.batch_id} "
    )
    dry = _ingest(tmp_path, db, "pl-2.csv", FLOWS_REVISED, FLOWS_REPLACE, dry_run=True)
    assert _state(db) == before
    assert (dry.status, dry.replaced) == ("valid", ({"batch_id": first.batch_id, "rows": 1},))
    load = _ingest(tmp_path, db, "pl-2.csv", FLOWS_REVISED, FLOWS_REPLACE)
    assert load.replaced == dry.replaced


def test_a_dry_run_against_no_store_or_other_places_is_valid(tmp_path):
    db = str(tmp_path / "store.duckdb")
    assert _ingest(tmp_path, db, "m1.csv", JUNE_JULY, dry_run=True).status == "valid"
    _ingest(tmp_path, db, "m1.csv", JUNE_JULY)
    elsewhere = JULY_AUGUST.replace("Cahul", "Soroca")
    other_crime = JULY_AUGUST.replace("Migrant smuggling", "Drug trafficking")
    for text in (elsewhere, other_crime):
        dry = _ingest(tmp_path, db, "m2.csv", text, dry_run=True)
        assert (dry.status, dry.replaced) == ("valid", ()), dry.problems
    assert len(Store(db).batches()) == 1
