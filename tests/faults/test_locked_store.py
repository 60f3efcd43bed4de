"""The store locked by another process: a program holding the file open for writing, and
another load holding the write lock. Real processes, real DuckDB and ``flock`` locks.

DuckDB 2.0 lets one process open a file read-write and takes an exclusive lock for
it; every other open of the file, even read-only, fails with "Could not set lock on
file … Conflicting lock is held in <program> (PID n)". Before, the dashboard showed
that text and a load crashed with a DuckDB stack trace (the copy itself succeeded and
could have missed what the other program had not checkpointed yet).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.faults.helpers import (
    APP,
    UPLOAD_PAGE,
    drop,
    fingerprint,
    good_csv,
    leftovers,
    load,
    texts,
)
from threatmon.cli import main
from threatmon.errors import StoreLockedError
from threatmon.store import writer
from threatmon.store.reader import Store


def _held(path: Path, holder, outcome: str) -> str:
    # DuckDB names the holder by its executable (python3.11 here, duckdb for the shell).
    program = Path(f"/proc/{holder.pid}/exe").readlink().name
    return (
        f"The store at {path} is open for writing in another program ({program}, PID "
        f"{holder.pid}){outcome}. Close that program (a DuckDB shell or a notebook, for "
        "example), then try again."
    )


def test_a_program_holding_the_store_stops_every_command_with_what_to_do(
    store_copy, tmp_path, foreign_writer, capsys
):
    """The CLI's load, dry run and reads say who holds the store; nothing changes; once
    that program has closed it, the same load goes through."""
    before = fingerprint(store_copy)
    upload = tmp_path / "good.csv"
    upload.write_bytes(good_csv())
    db = ["--db", str(store_copy)]
    with foreign_writer(store_copy) as holder:
        held_now = _held(store_copy, holder, ", so it cannot be read now")
        nothing = _held(store_copy, holder, "; nothing was changed")
        assert main(["ingest", str(upload), *db]) == 2
        assert capsys.readouterr().err == f"error: {nothing}\n"
        assert main(["ingest", str(upload), "--dry-run", *db]) == 2
        assert capsys.readouterr().err == f"error: {held_now}\n"
        assert main(["batches", *db]) == 2
        assert capsys.readouterr().err == f"error: {held_now}\n"
        assert main(["undo", "1", *db]) == 2
        assert capsys.readouterr().err == f"error: {nothing}\n"
    assert fingerprint(store_copy) == before
    assert leftovers(store_copy) == []
    assert main(["ingest", str(upload), *db]) == 0
    assert Store(store_copy).coverage()["records"] == before["tables"]["incidents"][0] + 2


@pytest.mark.slow
def test_the_dashboard_says_the_store_is_held_and_recovers(store_copy, foreign_writer):
    """While another program holds the store, the dashboard shows who holds it instead of
    any page; once it lets go, the same session shows the pages and loads a file."""
    before = fingerprint(store_copy)
    at = AppTest.from_file(str(APP), default_timeout=60)
    with foreign_writer(store_copy) as holder:
        at.run()
        assert not at.exception
        assert texts(at.error) == [_held(store_copy, holder, ", so it cannot be read now")]
    assert fingerprint(store_copy) == before
    at.run()
    assert not at.error
    at.switch_page(UPLOAD_PAGE).run()
    load(drop(at, "good.csv", good_csv()))
    assert any(text.startswith("Loaded 2 rows as batch") for text in texts(at.success))


@pytest.mark.slow
def test_a_program_that_opens_the_store_during_a_check_stops_the_load(
    store_copy, foreign_writer, upload_page
):
    """The file was checked while the store was free; another program opens the store
    before "Load" is pressed: the load is refused and says why, nothing changes."""
    at = drop(upload_page(), "good.csv", good_csv())
    assert any("2 rows are valid" in text for text in texts(at.success))
    before = fingerprint(store_copy)
    # The other program gets its lock although this process read the store: POSIX drops
    # all of a process's locks on a file when any descriptor of it closes (the check's).
    with foreign_writer(store_copy) as holder:
        load(at)
        message = _held(store_copy, holder, "; nothing was changed")
        assert message in texts(at.error)
    assert fingerprint(store_copy) == before
    assert leftovers(store_copy) == []
    load(at.run())
    assert any(text.startswith("Loaded 2 rows as batch") for text in texts(at.success))


def test_a_change_by_a_program_that_ignores_the_lock_is_not_overwritten(store_copy):
    """A program that wrote the store file while a load was being prepared (it took no
    lock: the hold is dropped when any descriptor closes, see
    threatmon.store.duckdb.writer._no_foreign_writer) keeps its change; the load is refused."""
    import duckdb

    with pytest.raises(StoreLockedError) as caught:
        with writer.write_session(store_copy, user="ana") as session:
            session.set_meta("note", "from the load")
            other = duckdb.connect(str(store_copy))
            other.execute("INSERT OR REPLACE INTO meta VALUES ('note', 'from the other program')")
            other.close()
    assert str(caught.value) == (
        f"The store at {store_copy} was changed by another program while this change was "
        "being written; nothing was changed, so that program's work is kept. Close that "
        "program (a DuckDB shell or a notebook, for example), then try again."
    )
    assert Store(store_copy).meta()["note"] == "from the other program"
    assert leftovers(store_copy) == []


# -- another load in progress ---------------------------------------------------------------


@pytest.fixture
def short_wait(monkeypatch):
    """Loads give up after half a second instead of a minute."""
    monkeypatch.setattr(writer, "LOCK_TIMEOUT", 0.5)


def _busy(path: Path) -> str:
    return (
        f"Another load is writing to {path}; gave up after 0.5 s. Try again when it has finished."
    )


@pytest.mark.slow
def test_another_load_in_progress_on_the_cli_and_the_page(
    store_copy, tmp_path, load_in_progress, upload_page, short_wait, capsys
):
    """Loads wait for the other one, then say so; the dashboard keeps reading meanwhile."""
    upload = tmp_path / "good.csv"
    upload.write_bytes(good_csv())
    before = fingerprint(store_copy)
    at = drop(upload_page(), "good.csv", good_csv())
    with load_in_progress(store_copy):
        assert main(["ingest", str(upload), "--db", str(store_copy)]) == 2
        assert capsys.readouterr().err == f"error: {_busy(store_copy)}\n"
        load(at)
        assert texts(at.error) == [_busy(store_copy)]
        assert Store(store_copy).coverage()["records"] == before["tables"]["incidents"][0]
    assert fingerprint(store_copy) == before


@pytest.mark.slow
def test_a_load_killed_while_holding_the_lock_leaves_no_stale_lock(
    store_copy, tmp_path, load_in_progress, short_wait, capsys
):
    """The lock is ``flock``: the kernel releases it with its holder, so the next load
    starts at once (the empty lock file stays, harmless)."""
    upload = tmp_path / "good.csv"
    upload.write_bytes(good_csv())
    before = fingerprint(store_copy)
    with load_in_progress(store_copy):
        pass  # leaving the block SIGKILLs it
    assert fingerprint(store_copy) == before
    assert main(["ingest", str(upload), "--db", str(store_copy)]) == 0
    assert "Loaded 2 rows as batch" in capsys.readouterr().out
    assert leftovers(store_copy) == []
