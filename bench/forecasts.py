"""Forecast speed and accuracy on the demo store as `make run` builds it (issue 5).

* Time per series for each model's backtest, against seasonal naive in the same run.
* The real refresh of every series (230 regions, 10 countries and the total × 12 crime
  types) on 2 worker processes, timed end to end, with what it chose.
* Accuracy of that refresh, two ways. In the backtest: the share of non-sparse series
  whose chosen model has a lower MASE than seasonal naive, the geometric mean of the
  ratio, and the chosen model's interval coverage. This is optimistic (the model was
  chosen on the same backtest), so also **held out**: for a sample of non-sparse series
  the choice is made without the last 6 months, and the chosen model's forecast of those
  months is compared with seasonal naive's.

Targets: beats naive on ≥ 70 % of non-sparse series; 80 % coverage in 70–90 %; all demo
series in ≤ 3 min on 2 cores.
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

HOLDOUT = 6


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


def backtest_accuracy(forecasts) -> dict:
    """Chosen model against seasonal naive in the refresh's own backtests (non-sparse series)."""
    key = ["level", "area", "crime_type"]
    ok = forecasts.series[forecasts.series["status"] == OK]
    picks = ok[[*key, "chosen", "lag"]].rename(columns={"lag": "chosen_lag"})
    scores = forecasts.scores.merge(picks, on=key)
    same_lag = (scores["lag"] == scores["chosen_lag"]) | (
        scores["lag"].isna() & scores["chosen_lag"].isna()
    )
    chosen = scores[(scores["model"] == scores["chosen"]) & same_lag].set_index(key)
    naive = scores[scores["model"] == "seasonal_naive"].set_index(key)["mase"]
    ratio = chosen["mase"] / naive.reindex(chosen.index)
    return {
        "non_sparse": len(chosen),
        "beats_naive": float((ratio < 1).mean()),
        "relative_mase_geomean": float(np.exp(np.log(ratio[ratio > 0]).mean())),
        "coverage_80": float(chosen["coverage_80"].mean()),
        "coverage_95": float(chosen["coverage_95"].mean()),
    }


def holdout_accuracy(store: Store, sample: int, seed: int = 0) -> dict:
    """Choose without the last 6 months, then forecast them: chosen model against naive."""
    regions = load_regions()[["region_code", "country"]]
    panel = count_panel(store, regions)
    flows = flow_panel(store, regions)
    ok = [c for c in panel.columns if classify(panel[c].iloc[:-HOLDOUT]).status == OK]
    rng = np.random.default_rng(seed)
    picked = [ok[i] for i in sorted(rng.choice(len(ok), min(sample, len(ok)), replace=False))]
    wins, ratios, inside = [], [], []
    for level, area, crime in picked:
        series = panel[(level, area, crime)]
        train, test = series.iloc[:-HOLDOUT], series.iloc[-HOLDOUT:].to_numpy()
        flow = flows.get((level, area))
        result = forecast_series(train, horizon=HOLDOUT, exog=flow)
        naive = seasonal_naive(train, HOLDOUT).frame["mean"].to_numpy()
        chosen = result.forecast
        mae_chosen = float(np.mean(np.abs(chosen["mean"].to_numpy() - test)))
        mae_naive = float(np.mean(np.abs(naive - test)))
        wins.append(mae_chosen < mae_naive)
        if mae_naive > 0 and mae_chosen > 0:
            ratios.append(mae_chosen / mae_naive)
        inside.append(
            np.mean(
                (chosen["lower_80"].to_numpy() <= test) & (test <= chosen["upper_80"].to_numpy())
            )
        )
    return {
        "series": len(picked),
        "beats_naive": float(np.mean(wins)),
        "relative_mae_geomean": float(np.exp(np.mean(np.log(ratios)))),
        "coverage_80": float(np.mean(inside)),
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
        "backtest": backtest_accuracy(forecasts),
        "holdout": holdout_accuracy(store, holdout_sample),
        "interactive": interactive_times(store, forecasts, repeat),
    }


def report(result: dict) -> list[str]:
    """The lines `python -m bench` prints."""
    seconds, ratio = result["model_seconds"], result["model_ratio"]
    backtest, holdout = result["backtest"], result["holdout"]
    return [
        "backtest of one series per model: "
        + ", ".join(f"{name} {seconds[name]:.3f} s ({ratio[name]:.1f}×)" for name in seconds)
        + " (ratios against seasonal naive)",
        f"refresh of all {result['series']:,} series (regions, countries, total × crime types) "
        f"on {result['workers']} processes: {result['refresh_s']:.0f} s (target ≤ 180 s); "
        f"statuses {result['statuses']}; chosen {result['chosen']}; largest gap after "
        f"reconciliation {result['incoherence']:.1e}",
        f"in the backtest, chosen model beats seasonal naive on {backtest['beats_naive']:.0%} "
        f"of {backtest['non_sparse']} non-sparse series (target ≥ 70 %), relative MASE "
        f"{backtest['relative_mase_geomean']:.2f}, 80 % coverage {backtest['coverage_80']:.0%} "
        f"(target 70–90 %), 95 % {backtest['coverage_95']:.0%}",
        f"held out (last {HOLDOUT} months, {holdout['series']} non-sparse series): beats "
        f"seasonal naive on {holdout['beats_naive']:.0%}, relative MAE "
        f"{holdout['relative_mae_geomean']:.2f}, 80 % coverage {holdout['coverage_80']:.0%}",
        f"one series as the page asks for it: fitted on the spot at most "
        f"{result['interactive']['live_max_s']:.2f} s, from the cache at most "
        f"{result['interactive']['cached_max_s']:.3f} s (target ≤ 0.5 s)",
    ]


__all__ = ["run", "report"]
