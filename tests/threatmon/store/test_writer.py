"""Writes are all-or-nothing, serialised, audited, and never block readers."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from tests.factories import random_incidents
from threatmon.errors import (
    BatchNotFoundError,
    DuplicateBatchError,
    StoreBusyError,
    ValidationError,
)
from threatmon.store.audit import verify_chain
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

SHA_A, SHA_B = "a" * 64, "b" * 64


@pytest.fixture
def store(store_location, incidents_few):
    """A store with one batch of three incidents, on each backend."""
    with write_session(store_location, user="ana") as writer:
        writer.add_incidents(incidents_few, file_name="few.csv", sha256=SHA_A)
    return Store(store_location)


def leftovers(store: Store) -> list:
    """Files a write session left beside a DuckDB store (PostgreSQL has no such files)."""
    return [] if store.location.file is None else list(store.location.file.parent.glob("*.tmp"))


def test_invalid_rows_change_nothing(store, incidents_few):
    version = store.version
    bad = incidents_few.assign(count=[1, -1, 1])
    with pytest.raises(ValidationError), write_session(store.location, user="ana") as writer:
        writer.add_incidents(bad, file_name="bad.csv", sha256=SHA_B)
    assert store.version == version
    assert len(store.batches()) == 1
    assert leftovers(store) == []


def test_an_exception_inside_the_session_publishes_nothing(store, incidents_few):
    version = store.version
    with pytest.raises(RuntimeError), write_session(store.location, user="ana") as writer:
        writer.add_incidents(incidents_few, file_name="other.csv", sha256=SHA_B)
        raise RuntimeError("power cut")
    assert store.version == version
    assert store.coverage()["records"] == 3


def test_same_file_twice_is_a_duplicate(store, incidents_few):
    with (
        pytest.raises(DuplicateBatchError) as caught,
        write_session(store.location, user="ana") as writer,
    ):
        writer.add_incidents(incidents_few, file_name="few-again.csv", sha256=SHA_A)
    assert str(caught.value) == (
        "few-again.csv was already loaded as batch 1 (same sha256); nothing was added. "
        "Undo that batch first to load it again."
    )
    assert caught.value.batch_id == "1"


def test_undo_removes_rows_and_is_audited(store, incidents_few):
    with write_session(store.location, user="bob") as writer:
        summary = writer.undo(1)
    assert summary == {
        "batch_id": 1,
        "kind": "incidents",
        "file_name": "few.csv",
        "rows_removed": 3,
    }
    assert store.coverage()["records"] == 0
    assert store.aggregate().empty, "the monthly rollup follows the undo"
    batch = store.batches().iloc[0]
    assert (batch["status"], batch["undone_by"]) == ("undone", "bob")
    assert store.audit()["action"].tolist() == ["migrate", "load", "undo"]
    # The same file may be loaded again once its batch is undone.
    with write_session(store.location, user="ana") as writer:
        assert writer.add_incidents(incidents_few, file_name="few.csv", sha256=SHA_A) == 2
    with (
        pytest.raises(BatchNotFoundError, match=r"Batch 1 \(few.csv\) was already undone."),
        write_session(store.location, user="bob") as writer,
    ):
        writer.undo(1)
    with (
        pytest.raises(BatchNotFoundError, match="No batch 99 in this store."),
        write_session(store.location, user="bob") as writer,
    ):
        writer.undo(99)


def test_audit_chain_detects_tampering(store):
    log = store.audit()
    assert verify_chain(log) is None
    tampered = log.copy()
    tampered.loc[0, "user_name"] = "mallory"
    assert verify_chain(tampered) == 1


@pytest.mark.slow
def test_readers_keep_working_while_another_process_writes(store, tmp_path):
    """A writer in another process holds its session open; this process still reads."""
    frame = random_incidents(200, seed=9)
    frame_path = tmp_path / "more.parquet"
    frame.to_parquet(frame_path)
    script = textwrap.dedent(f"""
        import time, pandas as pd
        from threatmon.store.writer import write_session
        with write_session({str(store.location)!r}, user="cli") as writer:
            writer.add_incidents(pd.read_parquet({str(frame_path)!r}), file_name="more.parquet",
                                 sha256="c" * 64)
            print("writing", flush=True)
            time.sleep(1.5)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    # The writer holds its lock now; reads see the previous generation, without waiting.
    started = time.perf_counter()
    assert store.coverage()["records"] == 3
    assert time.perf_counter() - started < 1.0
    assert child.wait(timeout=60) == 0
    assert store.coverage()["records"] == 203


@pytest.mark.slow
def test_a_killed_writer_leaves_the_store_as_it_was(store, tmp_path, incidents_few):
    script = textwrap.dedent(f"""
        import time
        from threatmon.store.writer import write_session
        from tests.factories import random_incidents
        with write_session({str(store.location)!r}, user="cli") as writer:
            writer.add_incidents(random_incidents(1000), file_name="big.csv", sha256="d" * 64)
            print("loaded", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.stdout.readline().strip() == "loaded"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert store.coverage()["records"] == 3
    if store.location.file is not None:
        assert leftovers(store), "the dead writer's copy is left behind"
    # On PostgreSQL the server rolled the transaction back and freed its lock.
    with write_session(store.location, user="ana", timeout=10) as writer:
        writer.add_incidents(incidents_few, file_name="next.csv", sha256=SHA_B)
    assert leftovers(store) == [], "the next writer cleans it up"
    assert store.coverage()["records"] == 6


@pytest.mark.slow
def test_a_second_writer_waits_then_gives_up(store):
    script = textwrap.dedent(f"""
        import time
        from threatmon.store.writer import write_session
        with write_session({str(store.location)!r}, user="cli") as writer:
            print("locked", flush=True)
            time.sleep(3)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "locked"
    with (
        pytest.raises(StoreBusyError) as caught,
        write_session(store.location, user="x", timeout=0.3),
    ):
        pass
    assert str(caught.value) == (
        f"Another load is writing to {store.label}; gave up after 0.3 s. "
        "Try again when it has finished."
    )
    child.wait(timeout=30)


def test_new_store_is_migrated_and_dated(store_location):
    with write_session(store_location, user="ana"):
        pass
    store = Store(store_location)
    assert "created_at" in store.meta()
    assert store.audit()["action"].tolist() == ["migrate"]
    assert not store.is_demo()


def test_rows_checked_in_a_duckdb_session_are_inserted_from_its_own_connection(tmp_path):
    """Work on the session's connection before its first write is outside the change
    (TEMP tables number their rows from 0 as in any committed table); a relation of that
    connection is inserted as a batch; the TEMP table is not published."""
    path = tmp_path / "store.duckdb"
    with write_session(path, user="ana") as writer:
        con = writer.duckdb_connection()
        con.execute(
            "CREATE TEMP TABLE checked AS SELECT DATE '2026-01-05' AS date, "
            "DATE '2026-01-05' AS period_end, 'day' AS granularity, 'admin1' AS level, "
            "'MD' AS country, 'MD-CA' AS region_code, 'cbrne' AS crime_type, "
            "2 AS count, NULL AS crossing_point, NULL::DOUBLE AS latitude, "
            "NULL::DOUBLE AS longitude, NULL AS victims, NULL AS suspects, NULL AS source, "
            "'MD-1' AS incident_id"
        )
        assert con.execute("SELECT min(rowid) FROM checked").fetchall() == [(0,)]
        batch = writer.add_rows(
            "incidents", con.sql("SELECT * FROM checked"), file_name="a.csv", sha256=SHA_A
        )
    store = Store(path)
    assert store.query("SELECT batch_id, count, incident_id FROM incidents").values.tolist() == [
        [batch, 2, "MD-1"]
    ]
    assert store.audit()["action"].tolist() == ["migrate", "load"]
    assert (
        "checked"
        not in store.query("SELECT table_name FROM duckdb_tables()")["table_name"].tolist()
    )


def test_flows_batch(store_location):
    flows = pd.DataFrame({"date": ["2022-03-01"], "country": ["MD"], "arrivals": [5]})
    with write_session(store_location, user="ana") as writer:
        batch = writer.add_flows(flows, file_name="flows.csv", sha256=SHA_A)
    batches = Store(store_location).batches()
    assert batches.loc[0, ["batch_id", "kind", "rows_loaded"]].tolist() == [batch, "flows", 1]


def test_a_resent_incident_id_rejects_the_whole_load(store, incidents_few):
    with write_session(store.location, user="ana") as writer:
        writer.add_incidents(
            incidents_few.assign(incident_id=["A", "B", "C"]), file_name="ids.csv", sha256=SHA_B
        )
    version = store.version
    again = incidents_few.assign(incident_id=["X", "B", "Y"])
    with pytest.raises(ValidationError) as caught, write_session(store.location, user="ana") as w:
        w.add_incidents(again, file_name="ids-2.csv", sha256="f" * 64)
    assert str(caught.value) == (
        "1 incident_id(s) were loaded before; nothing was written. First: column "
        "'incident_id': incident_id is already loaded in batch 2. Got 'B'. Undo batch 2 "
        "first to replace it, or remove the row."
    )
    assert store.version == version


def test_two_loads_at_once_both_land_whole(store):
    """Two analysts press "Load" together: one waits for the other, neither half-lands."""
    import threading

    frames = {name: random_incidents(400, seed=seed) for name, seed in (("x", 1), ("y", 2))}
    before = store.coverage()["incidents"]
    inside = threading.Barrier(2)
    errors = []

    def load(name: str) -> None:
        try:
            inside.wait(timeout=10)
            with write_session(store.location, user=name, timeout=30) as writer:
                writer.add_incidents(frames[name], file_name=f"{name}.csv", sha256=name * 64)
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's name
            errors.append((name, exc))

    threads = [threading.Thread(target=load, args=(name,)) for name in frames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    batches = store.batches().set_index("file_name")
    assert sorted(batches.index) == ["few.csv", "x.csv", "y.csv"]
    assert sorted(batches["batch_id"]) == [1, 2, 3]
    for name, frame in frames.items():
        batch_id = int(batches.loc[f"{name}.csv", "batch_id"])
        held = store.query("SELECT count(*) AS n FROM incidents WHERE batch_id = ?", [batch_id])
        assert held["n"].item() == len(frame)
    added = sum(int(frame["count"].sum()) for frame in frames.values())
    assert store.coverage()["incidents"] == before + added
    assert store.aggregate(by=(), freq=None)["count"].item() == store.coverage()["incidents"]
    assert verify_chain(store.audit()) is None
