"""The dashboard server killed during an upload, in a real browser.

The server is started with a ``sitecustomize`` module (on its ``PYTHONPATH``, set only
by this test) that stops the write session at the worst moment: the store's new
copy is complete, checkpointed and synced, only the rename that would publish it is
left. The hook writes the server's process id to a marker file and waits; the test
kills that process with SIGKILL, starts a server again on the same port, and the
same browser tab goes on: the upload is simply not there, the store is as it was,
and loading the file again works at once (no lock, no copy, no upload left behind).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.faults.helpers import ROOT, fingerprint, good_csv, leftovers
from threatmon.store.reader import Store

INTERRUPTED = "A load was interrupted before it finished"
WAIT = 90_000  # ms; a fresh server's first run imports plotly and the page's modules

_HOOK = """
import os
import time

from threatmon.store.duckdb import writer

_fsync = writer._fsync


def _fsync_then_wait(path):
    # Called on the finished copy, just before the rename that publishes it.
    _fsync(path)
    with open(os.environ["FAULT_PAUSED"], "w") as marker:
        marker.write(str(os.getpid()))
    time.sleep(300)


writer._fsync = _fsync_then_wait
"""


def _upload(page, path: Path, dismiss_dialog) -> None:
    dismiss_dialog(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(path)
    page.get_by_text("2 rows are valid").first.wait_for(timeout=WAIT)


def _idle(page) -> None:
    """Wait until the app has finished its current run (Streamlit's running indicator)."""
    page.wait_for_timeout(500)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=WAIT)


def _wait_for(marker: Path, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while not (marker.exists() and marker.read_text()):
        assert time.monotonic() < deadline, "the load never reached the rename"
        time.sleep(0.1)
    return int(marker.read_text())


def _folders_of(pid: int, root: Path) -> list[str]:
    """The private temporary folders of process ``pid`` under ``root``: "upload" (the
    upload's bytes) and "ingest" (the check's scratch)."""
    return sorted(p.name.split("-")[1] for p in root.glob(f"threatmon-*-{pid}-*"))


@pytest.mark.slow
def test_a_server_killed_before_publishing_an_upload_changes_nothing(
    store_copy, tmp_path, browser, start_server, free_port, dismiss_dialog
):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_HOOK)
    marker = tmp_path / "paused"
    extract = tmp_path / "good.csv"
    extract.write_bytes(good_csv())
    before = fingerprint(store_copy)
    port = free_port()
    # The servers' own temporary folder: an upload in another test process removes the
    # folders of dead processes from the shared one, this test's dead server's included.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        paused = {
            "PYTHONPATH": f"{hook}:{ROOT}",
            "FAULT_PAUSED": str(marker),
            "TMPDIR": str(scratch),
        }
        with start_server(store_copy, port=port, **paused) as base:
            page.goto(f"{base}/load", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Upload").wait_for(timeout=WAIT)
            _upload(page, extract, dismiss_dialog)
            page.get_by_role("button", name="Load into the store").click()
            server = _wait_for(marker)
            os.kill(server, signal.SIGKILL)
        # Killed with the new generation complete beside the store: nothing published.
        assert fingerprint(store_copy) == before
        assert leftovers(store_copy) == [f"{store_copy.name}.{server}.tmp"]
        assert _folders_of(server, scratch) == ["ingest", "upload"]

        with start_server(store_copy, port=port, TMPDIR=str(scratch)):
            # The same tab reconnects by itself and runs the page afresh. Its uploader may
            # still show the file (the browser keeps it), though this server never got it.
            page.get_by_text(INTERRUPTED).wait_for(timeout=WAIT)
            page.get_by_text("2 rows are valid").wait_for(state="detached", timeout=WAIT)
            assert page.locator("[data-testid='stException']").count() == 0
            assert page.locator("[data-testid='stAlertContentError']").count() == 0
            # As the warning says: remove the file the browser still shows, drop it again
            # (from another folder: the browser ignores the same path picked twice).
            stale = page.locator("[data-testid='stFileChipDeleteBtn'] button")
            if stale.count():
                stale.first.click()
                stale.first.wait_for(state="detached", timeout=WAIT)
            _idle(page)
            again = tmp_path / "again" / extract.name
            again.parent.mkdir()
            again.write_bytes(extract.read_bytes())
            _upload(page, again, dismiss_dialog)
            page.get_by_role("button", name="Load into the store").click()
            page.get_by_text("Loaded 2 rows as batch").first.wait_for(timeout=WAIT)
            page.get_by_text(INTERRUPTED).wait_for(state="detached", timeout=WAIT)
        assert Store(store_copy).coverage()["records"] == before["tables"]["incidents"][0] + 2
        assert leftovers(store_copy) == []
        assert _folders_of(server, scratch) == []
    finally:
        page.close()
