"""Server-side render time of the overview page (AppTest runs the script without a browser)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from threatmon.settings import DB_ENV_VAR
from threatmon.store import Store

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard.py"

_FIRST_RENDER = """
import sys, time
started = time.perf_counter()
from streamlit.testing.v1 import AppTest
app = AppTest.from_file(sys.argv[1], default_timeout=120)
app.run()
assert not app.exception, app.exception
print(time.perf_counter() - started)
"""


def first_render_in_new_process(store: Store) -> float:
    """Seconds from a bare interpreter to a rendered page: imports, connection, queries."""
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_RENDER, str(DASHBOARD)],
        env={**os.environ, DB_ENV_VAR: str(store.location)},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def render_seconds(page: str | None, repeat: int) -> tuple[float, float]:
    """Median cold (caches cleared, new session) and warm (rerun) server-side renders.

    ``page`` None is the overview (the default page); another page is opened from a
    session whose overview ran first, with the caches cleared before that first run.
    """
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    cold, warm = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        st.cache_resource.clear()
        app = AppTest.from_file(str(DASHBOARD), default_timeout=300)
        if page:
            app.run()
            app.switch_page(page)
        started = time.perf_counter()
        app.run()
        cold.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(f"{page or 'overview'} failed: {app.exception[0].message}")
        started = time.perf_counter()
        app.run()
        warm.append(time.perf_counter() - started)
    return sorted(cold)[len(cold) // 2], sorted(warm)[len(warm) // 2]


def run(store: Store, repeat: int) -> dict:
    """Cold (caches cleared, fresh session) and warm (same session, rerun) render times."""
    os.environ[DB_ENV_VAR] = str(store.location)
    cold, warm = render_seconds(None, repeat)
    return {
        "cold_s": cold,
        "warm_s": warm,
        "new_process_s": first_render_in_new_process(store),
    }
