"""Flow extracts re-sent with revisions: refused, or replacing what they revise, undoably."""

import json

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings

from data_loaders.ingest import IngestOptions, ingest_file
from tests.factories import BACKENDS
from threatmon.cli import main
from threatmon.errors import Problem
from threatmon.filters import Filters
from threatmon.store import write_session
from threatmon.store.reader import Store

FLOWS = IngestOptions(kind="flows")
REPLACE = IngestOptions(kind="flows", replace=True)
HEADER = "date,country,crossing_point,arrivals\n"
HINT = (
    "Load the file with --replace (on the Upload page: Replace what this file revises) "
    "to supersede those rows, or remove them from the file."
)

# Daily arrivals into Poland as first sent, then re-sent with the last two days revised
# and a day added.
FIRST = HEADER + (
    "2022-03-01,PL,,98000\n"
    "2022-03-02,PL,,102000\n"
    "2022-03-03,PL,,95000\n"
    "2022-03-01,PL,UA-PL-SHEHYNI,21000\n"
    "2022-03-02,PL,UA-PL-SHEHYNI,22500\n"
)
REVISED = HEADER + (
    "2022-03-02,PL,,104500\n"
    "2022-03-03,PL,,97250\n"
    "2022-03-04,PL,,99000\n"
    "2022-03-02,PL,UA-PL-SHEHYNI,23000\n"
)


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """An empty store on each backend."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "store.duckdb")


def _load(tmp_path, db, name, text, options=FLOWS):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest_file(path, user="ana", db=db, options=options)


def _state(db) -> dict:
    """Everything a read of the flows can see."""
    store = Store(db)
    return {
        "rows": store.flow_rows().to_dict("list"),
        "daily": store.flows(Filters(), by=("country", "crossing_point"), freq="D").to_dict("list"),
        "monthly": store.flows(Filters(), by=("country",), freq="M").to_dict("list"),
        "coverage": store.flow_coverage(),
    }


def _loaded_at(db, batch_id) -> str:
    batch = Store(db).batch(batch_id)["batch"]
    return f"{pd.Timestamp(batch['loaded_at']):%Y-%m-%d %H:%M}"


def test_a_revised_extract_is_refused_naming_the_batch_and_the_overlap(tmp_path, db):
    first = _load(tmp_path, db, "pl-march.csv", FIRST)
    assert first.status == "loaded", first.problems
    before = _state(db)
    revised = _load(tmp_path, db, "pl-march-revised.csv", REVISED)
    assert revised.status == "rejected"
    assert revised.message == (
        "Rejected: 1 problem; nothing was written. This file revises flows already loaded "
        f"in batch {first.batch_id}: use --replace to supersede them."
    )
    assert revised.problems == (
        Problem(
            None,
            "date",
            "2022-03-02 to 2022-03-03",
            f"3 country × crossing point × day keys already loaded in batch {first.batch_id} "
            f"(pl-march.csv, loaded {_loaded_at(db, first.batch_id)} UTC): PL, "
            "2022-03-02 to 2022-03-03; crossing points: country total, UA-PL-SHEHYNI.",
            HINT,
        ),
    )
    assert revised.replaced == ()
    assert _state(db) == before
    assert Store(db).batches()["batch_id"].tolist() == [first.batch_id]


def test_replace_supersedes_the_revised_rows_in_one_audited_change(tmp_path, db):
    first = _load(tmp_path, db, "pl-march.csv", FIRST)
    revised = _load(tmp_path, db, "pl-march-revised.csv", REVISED, REPLACE)
    assert revised.status == "loaded", revised.problems
    assert revised.replaced == ({"batch_id": first.batch_id, "rows": 3},)
    assert revised.message == (
        f"Loaded 4 rows as batch {revised.batch_id}. Replaced 3 rows of earlier loads, kept "
        f"until this batch is undone: batch {first.batch_id} (3 rows)."
    )
    store = Store(db)
    totals = store.flows(Filters(), by=("crossing_point",), freq="D")
    national = totals[totals["crossing_point"].isna()]
    # Each day once: the revision instead of the first figure, never both added up.
    assert national["arrivals"].tolist() == [98000, 104500, 97250, 99000]
    rows = store.flow_rows()
    assert rows["batch_id"].tolist() == [first.batch_id, first.batch_id] + [revised.batch_id] * 4
    assert store.flow_coverage()["arrivals"] == 98000 + 21000 + 104500 + 23000 + 97250 + 99000
    load = store.batch(revised.batch_id)["audit"]
    assert json.loads(load.iloc[0]["details"])["replaced"] == [
        {"batch_id": first.batch_id, "rows": 3}
    ]


def test_undoing_the_replacing_batch_restores_the_rows_it_replaced(tmp_path, db):
    first = _load(tmp_path, db, "pl-march.csv", FIRST)
    after_first = _state(db)
    revised = _load(tmp_path, db, "pl-march-revised.csv", REVISED, REPLACE)
    with write_session(db, user="ana") as writer:
        summary = writer.undo(revised.batch_id)
    assert summary["restored"] == [{"batch_id": first.batch_id, "rows": 3}]
    assert _state(db) == after_first


def test_undoing_the_older_batch_removes_its_superseded_rows_too(tmp_path, db):
    first = _load(tmp_path, db, "pl-march.csv", FIRST)
    revised = _load(tmp_path, db, "pl-march-revised.csv", REVISED, REPLACE)
    with write_session(db, user="ana") as writer:
        writer.undo(first.batch_id)
    only_revised = _state(db)
    assert set(only_revised["rows"]["batch_id"]) == {revised.batch_id}
    with write_session(db, user="ana") as writer:
        summary = writer.undo(revised.batch_id)
    # The older batch is undone: nothing of it comes back.
    assert "restored" not in summary
    assert Store(db).flow_coverage()["records"] == 0


def test_a_chain_of_revisions_undone_from_the_middle(tmp_path, db):
    first = _load(tmp_path, db, "a.csv", HEADER + "2022-03-01,PL,,100\n2022-03-02,PL,,200\n")
    second = _load(tmp_path, db, "b.csv", HEADER + "2022-03-02,PL,,210\n", REPLACE)
    third = _load(
        tmp_path, db, "c.csv", HEADER + "2022-03-01,PL,,110\n2022-03-02,PL,,220\n", REPLACE
    )
    assert third.replaced == (
        {"batch_id": first.batch_id, "rows": 1},
        {"batch_id": second.batch_id, "rows": 1},
    )
    with write_session(db, user="ana") as writer:
        writer.undo(second.batch_id)
    # As if the second had never been loaded: the third replaced both days of the first.
    assert Store(db).flow_rows()["arrivals"].tolist() == [110, 220]
    with write_session(db, user="ana") as writer:
        summary = writer.undo(third.batch_id)
    assert summary["restored"] == [{"batch_id": first.batch_id, "rows": 2}]
    rows = Store(db).flow_rows()
    assert (rows["arrivals"].tolist(), rows["batch_id"].tolist()) == (
        [100, 200],
        [first.batch_id] * 2,
    )


def test_a_key_twice_in_one_file_is_refused_with_its_lines(tmp_path, db):
    text = HEADER + (
        "2022-03-01,PL,,98000\n"
        "2022-03-01,PL,UA-PL-SHEHYNI,21000\n"
        "2022-03-01,Polska,,97000\n"
        "2022-03-01,PL,UA-PL-SHEHYNI,20000\n"
        "2022-03-01,SK,,5000\n"
    )
    result = _load(tmp_path, db, "twice.csv", text)
    assert result.status == "rejected"
    hint = (
        "A flow file holds one row per country, crossing point and day: "
        "remove the repeated row, or add the two up in one row."
    )
    same = "The same country, crossing point and day as"
    assert result.problems == (
        Problem(4, "date", "2022-03-01", f"{same} line 2.", hint),
        Problem(5, "date", "2022-03-01", f"{same} line 3.", hint),
    )
    assert Store(db).exists() is False or Store(db).flow_coverage()["records"] == 0


def test_replace_applies_to_incident_figures_too():
    assert IngestOptions(kind="incidents", replace=True).replace is True


def test_the_cli_refuses_then_replaces_and_reports_in_json(tmp_path, db, capsys):
    first, revised = tmp_path / "pl-march.csv", tmp_path / "pl-march-revised.csv"
    first.write_text(FIRST, encoding="utf-8")
    revised.write_text(REVISED, encoding="utf-8")
    base = ["ingest", "--kind", "flows", "--db", db, "--json"]
    assert main([*base, str(first)]) == 0
    loaded = json.loads(capsys.readouterr().out)
    assert loaded["replaced"] == []
    assert main([*base, str(revised)]) == 1
    refused = json.loads(capsys.readouterr().out)
    assert (refused["status"], refused["replaced"], refused["problem_count"]) == (
        "rejected",
        [],
        1,
    )
    assert refused["problems"][0]["suggestion"] == HINT
    assert main([*base, "--replace", str(revised)]) == 0
    replaced = json.loads(capsys.readouterr().out)
    assert replaced["replaced"] == [{"batch_id": loaded["batch_id"], "rows": 3}]
    assert main(["undo", str(replaced["batch_id"]), "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        f"  restored 3 rows of batch {loaded['batch_id']} it had replaced"
    )


def test_the_cli_refuses_then_replaces_a_revised_monthly_figure(tmp_path, capsys):
    first, revised = tmp_path / "md-2026-03.csv", tmp_path / "md-2026-03-revised.csv"
    first.write_text("date,region_code,crime_type,count\n2026-03,MD-CA,cbrne,1\n")
    revised.write_text("date,region_code,crime_type,count\n2026-03,MD-CA,cbrne,2\n")
    db = str(tmp_path / "s.duckdb")
    base = ["ingest", "--db", db, "--json"]
    assert main([*base, str(first)]) == 0
    loaded = json.loads(capsys.readouterr().out)
    assert main([*base, str(revised)]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "rejected"
    assert main([*base, "--replace", str(revised)]) == 0
    replaced = json.loads(capsys.readouterr().out)
    assert replaced["replaced"] == [{"batch_id": loaded["batch_id"], "rows": 1}]
    assert Store(db).query("SELECT sum(count) AS n FROM incidents")["n"].iloc[0] == 2


# -- the property: a revision replaced, then undone, leaves the store as it was ---------------

POINTS = {"PL": (None, "UA-PL-SHEHYNI", "UA-PL-KRAKOVETS"), "SK": (None, "UA-SK-UZHHOROD")}
KEYS = [
    (day, country, point)
    for day in range(1, 6)
    for country, points in POINTS.items()
    for point in points
]
extracts = st.dictionaries(
    st.sampled_from(KEYS), st.integers(min_value=0, max_value=3_000_000), min_size=1, max_size=12
)


def _csv(extract: dict) -> str:
    return HEADER + "".join(
        f"2022-03-{day:02d},{country},{point or ''},{arrivals}\n"
        for (day, country, point), arrivals in sorted(extract.items(), key=str)
    )


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=extracts, second=extracts)
def test_replace_then_undo_restores_every_flows_read(
    backend, request, tmp_path_factory, first, second
):
    assume(_csv(first) != _csv(second))
    folder = tmp_path_factory.mktemp("revision")
    if backend == "postgresql":
        db = request.getfixturevalue("postgres_url")
        # One database for all examples: each starts from no active flows.
        active = Store(db).batches().query("status == 'active'") if Store(db).exists() else []
        for batch_id in active["batch_id"] if len(active) else []:
            with write_session(db, user="ana") as writer:
                writer.undo(int(batch_id))
    else:
        db = str(folder / "store.duckdb")
    a = _load(folder, db, "a.csv", _csv(first))
    assert a.status == "loaded", a.problems
    after_a = _state(db)
    b = _load(folder, db, "b.csv", _csv(second), REPLACE)
    assert b.status == "loaded", b.problems
    overlap = sum(1 for key in second if key in first)
    assert sum(item["rows"] for item in b.replaced) == overlap
    with write_session(db, user="ana") as writer:
        writer.undo(b.batch_id)
    assert _state(db) == after_a


def test_the_schema_keeps_superseded_rows_apart(tmp_path):
    db = str(tmp_path / "s.duckdb")
    _load(tmp_path, db, "a.csv", FIRST)
    _load(tmp_path, db, "b.csv", REVISED, REPLACE)
    kept = Store(db).query(
        "SELECT date::VARCHAR AS date, coalesce(crossing_point, '-') AS crossing_point, "
        "arrivals FROM flows_superseded ORDER BY date, 2"
    )
    assert kept.to_dict("list") == {
        "date": ["2022-03-02", "2022-03-02", "2022-03-03"],
        "crossing_point": ["-", "UA-PL-SHEHYNI", "-"],
        "arrivals": [102000, 22500, 95000],
    }
