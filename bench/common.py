"""Shared bench helpers: timing with medians, and demo stores cached between runs."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from data_loaders.demo import DemoSettings, build_demo_store
from data_loaders.demo.store import GENERATOR_VERSION
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

CACHE_DIR = Path(os.environ.get("THREATMON_BENCH_DIR", "bench/results"))


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls (the machine is noisy; medians resist outliers)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def demo_store(scale: float, seed: int = 20260224) -> Store:
    """A demo store at ``scale``, built once and reused while seed and scale are unchanged."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # The generator's version in the name: a store cached by an older generator is not reused.
    path = CACHE_DIR / f"demo-v{GENERATOR_VERSION}-scale{scale:g}-seed{seed}.duckdb"
    marker = path.with_suffix(".json")
    if not (path.exists() and marker.exists()):
        print(f"building demo store at scale {scale:g} (once; cached in {path}) …", flush=True)
        summary = build_demo_store(path, DemoSettings(seed=seed, scale=scale))
        marker.write_text(json.dumps(summary, default=str))
    else:
        # A store cached by an older checkout may predate a migration.
        with write_session(path, user="bench"):
            pass
    return Store(path)
