"""Forecast speed and accuracy on the demo store (issue 5).

Time per series for each model against seasonal naive measured in the same run, and
for a sample of region × crime-type series (or all of them) the full model choice
on 2 worker processes: seconds per series, the share of non-sparse series whose
chosen model beats seasonal naive in the backtest, the geometric mean of the chosen
model's MAE relative to seasonal naive's, and the 80 % / 95 % interval coverage.
Targets: beats naive on ≥ 70 % of non-sparse series; 80 % coverage in 70–90 %; all
demo series in ≤ 3 min on 2 cores.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd

from bench.common import median_seconds
from data_loaders.crime_types import CRIME_TYPE_KEYS
from data_loaders.regions import load_regions
from data_loaders.store import Store
from forecasting.backtest import rolling_backtest
from forecasting.forecast import default_settings, forecast_series
from forecasting.selection import Selection, flow_series, incident_series


def _one(args: tuple[str, str, str]) -> dict:
    path, region, crime = args
    store = Store(path)
    selection = Selection(region=region, crime_types=(crime,))
    series = incident_series(store, selection)
    flows, _ = flow_series(store, selection)
    started = time.perf_counter()
    result = forecast_series(series, horizon=6, exog=flows)
    seconds = time.perf_counter() - started
    row = {"region": region, "crime": crime, "seconds": seconds, "chosen": result.chosen}
    scores = result.scores
    if scores.empty:
        return row | {"sparse": True}
    best = scores[scores["model"] == result.chosen]
    if not np.isnan(result.lag):
        best = best[best["lag"] == result.lag]
    naive = scores[scores["model"] == "seasonal_naive"]
    row |= {
        "sparse": result.chosen == "croston_sba",
        "mase": float(best["mase"].iloc[0]),
        "naive_mase": float(naive["mase"].iloc[0]) if len(naive) else np.nan,
        "coverage_80": float(best["coverage_80"].iloc[0]),
        "coverage_95": float(best["coverage_95"].iloc[0]),
    }
    return row


def model_times(store: Store, repeat: int) -> dict[str, float]:
    """Seconds to backtest each model alone on one well-counted series."""
    selection = Selection(country="PL", crime_types=("migrant_smuggling",))
    series = incident_series(store, selection)
    flows, _ = flow_series(store, selection)
    base = default_settings(series)
    times = {}
    for model in ("seasonal_naive", "ets", "sarimax", "croston_sba"):
        settings = replace(base, models=(model,), exog_lags=(2,))
        exog = flows if model == "sarimax" else None
        times[model] = median_seconds(
            lambda settings=settings, exog=exog: rolling_backtest(series, settings, exog=exog),
            repeat,
        )
    return times


def run(store: Store, repeat: int, sample: int | None = 60, workers: int = 2) -> dict:
    """Model times, then the full choice over ``sample`` random series (None: all)."""
    times = model_times(store, repeat)
    codes = load_regions()["region_code"].tolist()
    pairs = [(str(store.path), region, crime) for region in codes for crime in CRIME_TYPE_KEYS]
    total = len(pairs)
    if sample is not None and sample < total:
        rng = np.random.default_rng(0)
        pairs = [pairs[i] for i in sorted(rng.choice(total, sample, replace=False))]
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one BLAS thread per worker process
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(_one, pairs, chunksize=4))
    wall = time.perf_counter() - started
    frame = pd.DataFrame(rows)
    dense = frame[~frame["sparse"]].dropna(subset=["mase", "naive_mase"])
    beats = float((dense["mase"] < dense["naive_mase"]).mean()) if len(dense) else np.nan
    relative = (
        float(np.exp(np.log(dense["mase"] / dense["naive_mase"]).mean())) if len(dense) else np.nan
    )
    return {
        "model_seconds": times,
        "model_ratio": {k: v / times["seasonal_naive"] for k, v in times.items()},
        "series": len(frame),
        "series_total": total,
        "wall_s": wall,
        "per_series_s": wall / len(frame),
        "all_series_estimate_s": wall / len(frame) * total,
        "non_sparse": len(dense),
        "beats_naive": beats,
        "relative_mae_geomean": relative,
        "coverage_80": float(dense["coverage_80"].mean()) if len(dense) else np.nan,
        "coverage_95": float(dense["coverage_95"].mean()) if len(dense) else np.nan,
        "chosen": frame["chosen"].value_counts().to_dict(),
    }
