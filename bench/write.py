"""A small load into a large store: what copy-on-write publishing costs.

Every write session copies the live file, changes the copy and renames it into
place (docs/architecture.md). The baseline is a plain copy of the same file in the
same run, so the ratio says how much of a load is more than the copy itself.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from threatmon.store.reader import Store
from threatmon.store.writer import write_session


def _small_extract(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.date_range("2026-10-01", periods=rows, freq="min").normalize(),
            "country": "MD",
            "region_code": "MD-CA",
            "crime_type": "migrant_smuggling",
            "count": 1,
        }
    )


def run(store: Store, rows: int = 1000) -> dict:
    """Seconds for a plain file copy and for a ``rows``-row load into a copy of ``store``."""
    with tempfile.TemporaryDirectory(dir=store.location.file.parent) as scratch:
        target = Path(scratch) / "store.duckdb"
        started = time.perf_counter()
        shutil.copyfile(store.location.file, target)
        copy_seconds = time.perf_counter() - started
        frame = _small_extract(rows)
        digest = hashlib.sha256(frame.to_csv().encode()).hexdigest()
        started = time.perf_counter()
        with write_session(target, user="bench") as writer:
            writer.add_incidents(frame, file_name="bench.csv", sha256=digest)
        load_seconds = time.perf_counter() - started
    return {
        "file_mb": store.location.file.stat().st_size / 1e6,
        "copy_s": copy_seconds,
        "load_s": load_seconds,
        "ratio": load_seconds / copy_seconds,
    }
