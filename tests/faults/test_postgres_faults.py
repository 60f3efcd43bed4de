"""Faults of a PostgreSQL store: a table locked by another program, the connection lost
in the middle of a load, the database server's disk full. Each ends with a clear
message, an unchanged store, and a next load that works."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from pathlib import Path

import psycopg
import pytest

from data_loaders.demo import DemoSettings, build_demo_store
from data_loaders.ingest import ingest_file
from tests.factories import random_incidents
from tests.faults.helpers import good_csv, pg_fingerprint
from threatmon.errors import DiskFullError, StoreError, StoreLockedError
from threatmon.store import postgres
from threatmon.store.postgres import pools
from threatmon.store.reader import Store
from threatmon.store.writer import write_session


def _daily_rows(n: int):
    """Random incident rows outside Hungary, whose regions the demo holds as monthly tables
    (a day row there would revise them and be refused)."""
    rows = random_incidents(n)
    return rows[rows["country"] != "HU"]


def csv_file(tmp_path, n: int = 2):
    path = tmp_path / f"upload-{n}.csv"
    path.write_bytes(good_csv(n))
    return path


@pytest.fixture
def holding_a_lock(postgres_demo_url):
    """Another program's session holding an exclusive lock on the incidents table."""
    con = psycopg.connect(f"{postgres_demo_url}&application_name=nightly-maintenance")
    con.execute("BEGIN")
    con.execute("LOCK TABLE incidents IN EXCLUSIVE MODE")
    yield con
    con.close()


@pytest.mark.slow
def test_a_table_locked_by_another_program_stops_a_load(
    postgres_demo_url, holding_a_lock, tmp_path, monkeypatch
):
    monkeypatch.setattr("threatmon.store.writer.LOCK_TIMEOUT", 0.5)
    before = pg_fingerprint(postgres_demo_url)
    holder = holding_a_lock.info.backend_pid
    with pytest.raises(StoreLockedError) as caught:
        ingest_file(csv_file(tmp_path), user="ana", db=postgres_demo_url)
    assert str(caught.value) == (
        f"The store at {postgres_demo_url} is locked by another program "
        f"(nightly-maintenance, server PID {holder}); nothing was changed. Ask whoever runs "
        "it to end that transaction (pg_stat_activity shows it), then try again."
    )
    assert (caught.value.program, caught.value.pid) == ("nightly-maintenance", holder)
    holding_a_lock.execute("ROLLBACK")
    assert pg_fingerprint(postgres_demo_url) == before
    assert ingest_file(csv_file(tmp_path), user="ana", db=postgres_demo_url).status == "loaded"


def test_a_table_locked_for_everything_makes_a_read_say_so_instead_of_hanging(
    postgres_demo_url, monkeypatch
):
    monkeypatch.setattr(pools, "READ_LOCK_TIMEOUT", 0.5)
    con = psycopg.connect(f"{postgres_demo_url}&application_name=schema-change")
    con.execute("BEGIN")
    con.execute("LOCK TABLE incidents_monthly IN ACCESS EXCLUSIVE MODE")
    try:
        with pytest.raises(StoreLockedError) as caught:
            Store(postgres_demo_url).aggregate()
        assert str(caught.value) == (
            f"The store at {postgres_demo_url} is locked by another program (schema-change, "
            f"server PID {con.info.backend_pid}), so it cannot be read now. Ask whoever runs "
            "it to end that transaction (pg_stat_activity shows it), then try again."
        )
    finally:
        con.close()
    assert not Store(postgres_demo_url).aggregate().empty


def test_a_connection_lost_in_the_middle_of_a_load_changes_nothing(postgres_demo_url):
    before = pg_fingerprint(postgres_demo_url)
    inside, cut = threading.Event(), threading.Event()
    outcome: dict = {}

    def load() -> None:
        try:
            with write_session(postgres_demo_url, user="ana") as writer:
                writer.add_incidents(_daily_rows(500), file_name="a.csv", sha256="e" * 64)
                outcome["pid"] = writer._con.con.info.backend_pid
                inside.set()
                cut.wait(timeout=30)
                writer.add_incidents(_daily_rows(5), file_name="b.csv", sha256="f" * 64)
        except Exception as exc:  # noqa: BLE001 - examined below
            outcome["error"] = exc

    thread = threading.Thread(target=load)
    thread.start()
    assert inside.wait(timeout=30)
    # What a restart of the database server, or a network cut, does to the session.
    with psycopg.connect(postgres_demo_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [outcome["pid"]])
    cut.set()
    thread.join(timeout=30)
    error = outcome["error"]
    assert isinstance(error, StoreError)
    assert str(error).startswith(
        f"Lost the connection to the store at {postgres_demo_url} during the change ("
    )
    assert str(error).endswith("); nothing was changed. Try again when the database is back.")
    assert pg_fingerprint(postgres_demo_url) == before
    with write_session(postgres_demo_url, user="ana") as writer:
        writer.add_incidents(_daily_rows(5), file_name="b.csv", sha256="f" * 64)
    assert len(Store(postgres_demo_url).batches()) == len(before["batches"]) + 1


@pytest.fixture
def small_database_disk():
    """A cluster whose table files live on a 64 MB tmpfs (root only), holding the demo."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    # Not under pytest's folder: the server runs as "postgres", which cannot enter it.
    mount = Path(tempfile.mkdtemp(prefix="threatmon-pg-disk-"))
    mount.chmod(0o755)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    from devtools.local_postgres import running_cluster

    try:
        with running_cluster(mount) as url:
            build_demo_store(url, DemoSettings(seed=7, scale=0.02))
            yield url, mount
            postgres.close_readers(url)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


@pytest.mark.slow
def test_a_full_disk_on_the_database_server_changes_nothing(small_database_disk):
    url, mount = small_database_disk
    before = pg_fingerprint(url)
    ballast = mount / "ballast"
    info = os.statvfs(mount)
    with open(ballast, "wb") as handle:
        for _ in range(info.f_bavail * info.f_frsize // (1 << 20) - 1):
            handle.write(b"\0" * (1 << 20))  # tmpfs allocates on write: leave 1 MB or less
    with pytest.raises(DiskFullError) as caught:
        with write_session(url, user="ana") as writer:
            writer.add_incidents(_daily_rows(200_000), file_name="big.csv", sha256="9" * 64)
    assert str(caught.value) == (
        f"The database server at {url} ran out of disk space; nothing was changed. "
        "Ask its administrator to free some."
    )
    assert "No space left on device" in caught.value.reason
    ballast.unlink()
    assert pg_fingerprint(url) == before
    with write_session(url, user="ana") as writer:
        writer.add_incidents(_daily_rows(5), file_name="small.csv", sha256="8" * 64)
    assert len(Store(url).batches()) == len(before["batches"]) + 1
