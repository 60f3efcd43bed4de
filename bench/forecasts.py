"""Forecast speed and accuracy on the demo store as `make run` builds it (issue 5).

* Time per series for each model's backtest, against seasonal naive in the same run.
* The real refresh of every series (230 regions, 10 countries and the total × 12 crime
  types) on 2 worker processes, timed end to end, with what it chose.
* Accuracy **held out**, never on the backtest the choice was made on (that figure flatters
  whatever won it): for a sample of non-sparse series the forecast is made without the
  last 12 months and compared with them, against seasonal naive's and no change's.

Accuracy on real series, which matters more than on the synthetic demo, is in
:mod:`bench.accuracy`.

Targets: beats seasonal naive on ≥ 70 % of non-sparse series; 80 % coverage in 70–90 %;
all demo series in ≤ 3 min on 2 cores.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from bench.common import median_seconds
from forecasting import cache
from forecasting.backtest import rolling_backtest
from forecasting.forecast import default_settings, forecast_series
from forecasting.models import seasonal_naive
from forecasting.refresh import count_panel, flow_panel, refresh
from forecasting.selection import Selection, flow_series, incident_series
from forecasting.series import OK, classify
from threatmon.registry.regions import load_regions
from threatmon.store.reader import Store

HOLDOUT = 12


def model_times(store: Store, repeat: int) -> dict[str, float]:
    """Seconds to backtest each model alone on one well-counted series."""
    selection = Selection(country="PL", crime_types=("migrant_smuggling",))
    series = incident_series(store, selection)
    flows, _ = flow_series(store, selection)
    base = default_settings(series)
    times = {}
    for model in ("seasonal_naive", "naive", "level", "ets", "sarimax", "croston_sba"):
        flow = model == "sarimax"
        # SARIMAX runs as the flow model beside no change (which costs nothing).
        settings = replace(base, models=("naive",) if flow else (model,), exog_lags=(2,))
        exog = flows if flow else None
        times[model] = median_seconds(
            lambda settings=settings, exog=exog: rolling_backtest(series, settings, exog=exog),
            repeat,
        )
    return times


def holdout_accuracy(store: Store, sample: int, seed: int = 0) -> dict:
    """Forecast without the last 12 months, then compare with them (non-sparse series)."""
    regions = load_regions()[["region_code", "country"]]
    panel = count_panel(store, regions)
    flows = flow_panel(store, regions)
    ok = [c for c in panel.columns if classify(panel[c].iloc[:-HOLDOUT]).status == OK]
    rng = np.random.default_rng(seed)
    picked = [ok[i] for i in sorted(rng.choice(len(ok), min(sample, len(ok)), replace=False))]
    wins, ratios, versus_naive, inside80, inside95 = [], [], [], [], []
    for level, area, crime in picked:
        series = panel[(level, area, crime)]
        train, test = series.iloc[:-HOLDOUT], series.iloc[-HOLDOUT:].to_numpy()
        flow = flows.get((level, area))
        result = forecast_series(train, horizon=HOLDOUT, exog=flow)
        seasonal = seasonal_naive(train, HOLDOUT).frame["mean"].to_numpy()
        chosen = result.forecast
        mae = float(np.mean(np.abs(chosen["mean"].to_numpy() - test)))
        mae_seasonal = float(np.mean(np.abs(seasonal - test)))
        mae_naive = float(np.mean(np.abs(train.iloc[-1] - test)))
        wins.append(mae < mae_seasonal)
        if mae_seasonal > 0 and mae > 0:
            ratios.append(mae / mae_seasonal)
        if mae_naive > 0 and mae > 0:
            versus_naive.append(mae / mae_naive)
        for bound, inside in (("80", inside80), ("95", inside95)):
            low, high = chosen[f"lower_{bound}"].to_numpy(), chosen[f"upper_{bound}"].to_numpy()
            inside.append(np.mean((low <= test) & (test <= high)))
    return {
        "series": len(picked),
        "beats_naive": float(np.mean(wins)),
        "relative_mae_geomean": float(np.exp(np.mean(np.log(ratios)))),
        "relative_to_no_change": float(np.exp(np.mean(np.log(versus_naive)))),
        "coverage_80": float(np.mean(inside80)),
        "coverage_95": float(np.mean(inside95)),
    }


#: Interactive selections timed: a country with flows, the whole area, a sparse region.
INTERACTIVE = (
    Selection(country="PL", crime_types=("migrant_smuggling",)),
    Selection(crime_types=("human_trafficking",)),
    Selection(region="UA-51", crime_types=("drug_trafficking",)),
    Selection(region="MD-CA", crime_types=("firearms_trafficking",)),
)


def interactive_times(store: Store, forecasts, repeat: int) -> dict:
    """One series as the page gets it: fitted on the spot, and looked up in the cache."""
    live, cached = [], []
    for selection in INTERACTIVE:
        series = incident_series(store, selection)
        flows, _ = flow_series(store, selection)
        live.append(
            median_seconds(lambda s=series, f=flows: forecast_series(s, horizon=6, exog=f), repeat)
        )
    cache.save(forecasts, store, cache.fingerprint(store))
    for selection in INTERACTIVE:
        cached.append(median_seconds(lambda s=selection: cache.forecast_for(store, s, 6), repeat))
    return {"live_max_s": max(live), "live_s": live, "cached_max_s": max(cached)}


def run(store: Store, repeat: int, holdout_sample: int = 120, workers: int = 2) -> dict:
    """Model times, the full refresh of every series, and its accuracy."""
    times = model_times(store, repeat)
    started = time.perf_counter()
    forecasts = refresh(store, workers=workers)
    wall = time.perf_counter() - started
    statuses = forecasts.series["status"].value_counts().to_dict()
    chosen = forecasts.series["chosen"].value_counts().to_dict()
    return {
        "model_seconds": times,
        "model_ratio": {k: v / times["seasonal_naive"] for k, v in times.items()},
        "series": len(forecasts.series),
        "workers": workers,
        "refresh_s": wall,
        "statuses": statuses,
        "chosen": chosen,
        "incoherence": forecasts.meta["incoherence"],
        "holdout": holdout_accuracy(store, holdout_sample),
        "interactive": interactive_times(store, forecasts, repeat),
    }


def report(result: dict) -> list[str]:
    """The lines `python -m bench` prints."""
    seconds, ratio = result["model_seconds"], result["model_ratio"]
    holdout = result["holdout"]
    return [
        "backtest of one series per model (16 origins, 12 months ahead; SARIMAX with flows "
        "at one lag, 4 origins): "
        + ", ".join(f"{name} {seconds[name]:.3f} s ({ratio[name]:.1f}×)" for name in seconds)
        + " (ratios against seasonal naive)",
        f"refresh of all {result['series']:,} series (regions, countries, total × crime types) "
        f"on {result['workers']} processes: {result['refresh_s']:.0f} s (target ≤ 180 s); "
        f"statuses {result['statuses']}; chosen {result['chosen']}; largest gap after "
        f"reconciliation {result['incoherence']:.1e}",
        f"held out (forecast without the last {HOLDOUT} months, {holdout['series']} "
        f"non-sparse series): beats seasonal naive on {holdout['beats_naive']:.0%} (target "
        f"≥ 70 %), MAE {holdout['relative_mae_geomean']:.2f} × seasonal naive's and "
        f"{holdout['relative_to_no_change']:.2f} × no change's (geometric means), intervals "
        f"held {holdout['coverage_80']:.0%} (80 %, target 70–90 %) and "
        f"{holdout['coverage_95']:.0%} (95 %)",
        f"one series as the page asks for it: fitted on the spot at most "
        f"{result['interactive']['live_max_s']:.2f} s, from the cache at most "
        f"{result['interactive']['cached_max_s']:.3f} s (target ≤ 0.5 s)",
    ]


__all__ = ["run", "report"]
