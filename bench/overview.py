"""Server-side render time of the overview page (AppTest runs the script without a browser)."""

from __future__ import annotations

import os
import time

import streamlit as st
from streamlit.testing.v1 import AppTest

from data_loaders.store import DB_ENV_VAR, Store


def run(store: Store, repeat: int) -> dict:
    """Cold (caches cleared, fresh session) and warm (same session, rerun) render times."""
    os.environ[DB_ENV_VAR] = str(store.path)
    cold, warm = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        st.cache_resource.clear()
        app = AppTest.from_file("dashboard.py", default_timeout=120)
        started = time.perf_counter()
        app.run()
        cold.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(f"overview page failed: {app.exception[0].message}")
        started = time.perf_counter()
        app.run()
        warm.append(time.perf_counter() - started)
    cold.sort()
    warm.sort()
    return {"cold_s": cold[len(cold) // 2], "warm_s": warm[len(warm) // 2]}
