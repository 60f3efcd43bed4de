"""Fixtures of the fault tests (issue 7): each fault ends with a clear message and an
unchanged store.

Every test works on its own copy of the session's demo store (``$THREATMON_DB``),
provokes the fault for real where the machine allows (other processes, a full file
system, a killed server), and checks three things: the exact message, that the store
is as it was (``helpers.fingerprint``), and that the next load succeeds with nothing
left behind (``helpers.leftovers``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.faults.helpers import APP, UPLOAD_PAGE, child

_HOLD_FOR_WRITING = """
    import sys, time, duckdb
    # What a DuckDB shell or a notebook does: open the file read-write, and keep it.
    con = duckdb.connect(sys.argv[-1])
    print("held", flush=True)
    time.sleep(120)
"""

_LOAD_IN_PROGRESS = """
    import sys, time
    from threatmon.store.writer import write_session
    with write_session(sys.argv[-1], user="other analyst"):
        print("writing", flush=True)
        time.sleep(120)
"""


@pytest.fixture
def foreign_writer():
    """``foreign_writer(path)``: another program holding ``path`` open for writing, as a
    context manager yielding its process."""

    def hold(path: Path):
        return child(_HOLD_FOR_WRITING.replace("sys.argv[-1]", repr(str(path))), "held")

    return hold


@pytest.fixture
def load_in_progress():
    """``load_in_progress(path)``: another Threat Monitor load holding the write lock of
    ``path``, as a context manager yielding its process."""

    def hold(path: Path):
        return child(_LOAD_IN_PROGRESS.replace("sys.argv[-1]", repr(str(path))), "writing")

    return hold


@pytest.fixture
def upload_page():
    """``upload_page()``: the dashboard switched to the Upload page of the store at
    $THREATMON_DB (``store_copy`` or another fixture's), as the demo's administrator (a
    demo store without accounts signs nobody in)."""

    def open_page() -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        at.switch_page(UPLOAD_PAGE).run()
        assert not at.exception, at.exception
        return at

    return open_page
