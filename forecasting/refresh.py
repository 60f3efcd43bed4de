"""Forecasts for every series at once: regions, countries and the total, per crime type.

:func:`refresh` reads the store once (incidents per region, crime type and month; flows per
crossing point and country), forecasts each series with :func:`forecast_series` (the same
call the page and the CLI make for one series) on worker processes, and reconciles the
means so that regions add up to their country and countries to the total
(:mod:`forecasting.reconcile`). The result, a :class:`ForecastSet`, is what the cache
(:mod:`forecasting.cache`) keeps, so that pages look forecasts up instead of fitting.

Monthly only: the weekly view fits on demand, and a 52-week season makes every weekly
series several times dearer than a monthly one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import numpy as np
import pandas as pd

from forecasting.forecast import LOW_VOLUME, forecast_series
from forecasting.reconcile import COUNTRY, REGION, TOTAL, TOTAL_AREA, incoherence, reconcile
from forecasting.selection import FREQUENCIES, period_window
from forecasting.series import OK, classify, latest_stretch
from forecasting.wording import from_json, note, to_json
from threatmon.coverage import REPORTED, coverage_grid
from threatmon.filters import Filters
from threatmon.periods import PERIOD
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import load_regions
from threatmon.store.reader import Store

#: Months forecast for every series: the longest horizon the page offers.
HORIZON = 12
LEVELS = (REGION, COUNTRY, TOTAL)
SERIES_COLUMNS = (
    "level",
    "area",
    "crime_type",
    "status",
    "chosen",
    "lag",
    "message",
    "notes",
    "checked",
    "held_80",
    "held_95",
)
KEY = ["level", "area", "crime_type"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ForecastSet:
    """Forecasts of all series of a store, with the evidence behind each.

    Attributes
    ----------
    series : DataFrame
        One row per series: ``level`` (region, country, total), ``area`` (region code,
        ISO2 or ``"ALL"``), ``crime_type``, ``status`` (see :func:`classify`), ``chosen``,
        ``lag``, ``message``, ``notes`` (the message's notes as JSON, see
        :func:`forecasting.wording.to_json`) and the track record of the intervals
        (``checked``, ``held_80``, ``held_95``; NaN without a backtest).
    forecasts : DataFrame
        ``level, area, crime_type, period, mean, lower_80, upper_80, lower_95, upper_95,
        base_mean``: reconciled means (``base_mean`` is the chosen model's own), bounds
        moved with them.
    scores : DataFrame
        The backtest scorecard of every series: key, ``model, lag, mase, coverage_80,
        coverage_95, n``.
    checks : DataFrame
        Key, ``period`` (the latest complete month), ``actual``, the one-step forecast of
        it from the months before (``mean`` and bounds) and ``model``.
    meta : dict
        ``first``, ``last`` (the months covered), ``horizon``, ``series``, ``seconds``,
        ``workers``, ``incoherence`` (largest parent-minus-children gap after
        reconciliation, over the parents reconciled), ``not_reported`` (series never
        reported, so not forecast) and whatever the caller adds (the cache adds the fingerprint).
    """

    series: pd.DataFrame
    forecasts: pd.DataFrame
    scores: pd.DataFrame
    checks: pd.DataFrame
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Task:
    level: str
    area: str
    crime_type: str
    counts: np.ndarray
    flows: np.ndarray | None
    cost: float


# -- reading the store once ---------------------------------------------------------------------


def count_panel(store: Store, regions: pd.DataFrame) -> pd.DataFrame:
    """Incidents per complete month: one column per (level, area, crime type), NaN where
    not reported.

    A region's month is reported where its country's regional (admin-1) figures cover
    it; the cache's country is the sum of its regions, so it is reported where they are
    (a country's national figures are forecast on demand, see
    :func:`forecasting.cache.forecast_for`). The total of a crime type adds up the
    countries that reported it at some time in the window, and is reported only in the
    months each of them did: a sum over a changing set of countries would show one
    falling silent as a drop. A column that is never reported is all NaN (not forecast).
    """
    first, last, end = period_window(store, "M")
    window = Filters(start=first.date(), end=end.date())
    counts = store.aggregate(window, by=("region_code", "crime_type"), freq="M")
    index = pd.date_range(first, last, freq=FREQUENCIES["M"], name="period")
    wide = counts.pivot_table(
        index="period", columns=["region_code", "crime_type"], values="count", aggfunc="sum"
    )
    columns = pd.MultiIndex.from_product(
        [regions["region_code"], CRIME_TYPE_KEYS], names=["area", "crime_type"]
    )
    wide = wide.reindex(index=index, columns=columns, fill_value=0).fillna(0).astype("float64")
    country_of = regions.set_index("region_code")["country"]
    countries = sorted(regions["country"].unique())
    reported = _reported(store.coverage_cells(window), countries, index, end)
    by_country = (
        wide.T.groupby(
            [wide.columns.get_level_values(0).map(country_of), wide.columns.get_level_values(1)]
        )
        .sum()
        .T
    )
    by_country.columns.names = ["area", "crime_type"]
    by_country = by_country.reindex(columns=reported.columns, fill_value=0.0)
    totals = {}
    for crime in CRIME_TYPE_KEYS:
        mine = reported.xs(crime, axis=1, level="crime_type")
        active = mine.columns[mine.any(axis=0)]
        summed = by_country.xs(crime, axis=1, level="crime_type")[active].sum(axis=1)
        every = mine[active].all(axis=1) if len(active) else pd.Series(False, index=index)
        totals[crime] = summed.where(every)
    total = pd.DataFrame(totals, index=index)
    total.columns = pd.MultiIndex.from_product([[TOTAL_AREA], total.columns])
    region_mask = reported.reindex(
        columns=pd.MultiIndex.from_arrays(
            [wide.columns.get_level_values(0).map(country_of), wide.columns.get_level_values(1)]
        )
    ).to_numpy()
    wide = wide.where(region_mask)
    by_country = by_country.where(reported.to_numpy())
    out = pd.concat({REGION: wide, COUNTRY: by_country, TOTAL: total}, axis=1)
    out.columns.names = ["level", "area", "crime_type"]
    return out


def _reported(
    cells: pd.DataFrame, countries: list[str], index: pd.DatetimeIndex, end: pd.Timestamp
) -> pd.DataFrame:
    """Months × (country, crime type): True where the country's regional figures cover it."""
    grid = coverage_grid(
        cells, "M", index[0], end, level="admin1", countries=countries, crime_types=CRIME_TYPE_KEYS
    )
    wide = grid.assign(hit=grid["coverage"] == REPORTED).pivot_table(
        index=PERIOD, columns=["country", "crime_type"], values="hit", aggfunc="all"
    )
    columns = pd.MultiIndex.from_product([countries, CRIME_TYPE_KEYS], names=["area", "crime_type"])
    wide.columns.names = ["area", "crime_type"]
    return wide.reindex(index=index, columns=columns, fill_value=False).astype(bool)


def flow_panel(store: Store, regions: pd.DataFrame) -> dict[tuple[str, str], pd.Series | None]:
    """The flows each area's forecasts may use, as :func:`~forecasting.selection.flow_series`.

    Keys are ``(level, area)``; None where no flows are recorded for the area.
    """
    first, last, end = period_window(store, "M")
    window = Filters(start=first.date(), end=end.date())
    index = pd.date_range(first, last, freq=FREQUENCIES["M"], name="period")

    def dense(frame: pd.DataFrame) -> pd.Series:
        totals = frame.groupby("period")["arrivals"].sum()
        return totals.reindex(index, fill_value=0).astype("float64").rename("arrivals")

    by_country = store.flows(window, by=("country",), freq="M")
    by_point = store.flows(window, by=("crossing_point",), freq="M")
    everything = dense(by_country)
    countries = {c: dense(rows) for c, rows in by_country.groupby("country")}

    def of_country(country: str) -> pd.Series | None:
        if country in countries:
            return countries[country]
        return everything if country == "UA" else None

    out: dict[tuple[str, str], pd.Series | None] = {(TOTAL, TOTAL_AREA): everything}
    for country in regions["country"].unique():
        out[(COUNTRY, country)] = of_country(country)
    crossings = load_crossing_points()
    recorded = set(by_point["crossing_point"])
    for code, country in zip(regions["region_code"], regions["country"], strict=True):
        mine = crossings.loc[
            (crossings["region_a"] == code) | (crossings["region_b"] == code),
            "crossing_point_id",
        ]
        if recorded.intersection(mine):
            out[(REGION, code)] = dense(by_point[by_point["crossing_point"].isin(mine)])
        else:
            out[(REGION, code)] = of_country(country)
    return out


# -- forecasting every series -------------------------------------------------------------------


def _forecast_task(task: _Task, index: pd.DatetimeIndex) -> dict:
    series = pd.Series(task.counts, index=index)
    exog = None if task.flows is None else pd.Series(task.flows, index=index)
    result = forecast_series(series, horizon=HORIZON, exog=exog)
    # Frames come back without their key columns; _assemble adds them once for all
    # series (an assign per frame and series cost more than a fallback forecast).
    return {
        "key": (task.level, task.area, task.crime_type),
        "series": {
            "status": result.status,
            "chosen": result.chosen,
            "lag": result.lag,
            "message": result.message,
            "notes": to_json(result.notes),
            **(result.track or {"checked": np.nan, "held_80": np.nan, "held_95": np.nan}),
        },
        "forecast": result.forecast,
        "scores": result.scores,
        "check": result.check,
    }


def _run_chunk(chunk: list[_Task], index: pd.DatetimeIndex) -> list[dict]:
    return [_forecast_task(task, index) for task in chunk]


def _limit_threads() -> None:
    # Each worker fits small matrices; BLAS threads on top of worker processes only
    # contend for the same cores (a SARIMAX backtest ran 8x slower under load).
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _tasks(panel: pd.DataFrame, flows: dict) -> list[_Task]:
    tasks = []
    for (level, area, crime), column in panel.items():
        values = column.to_numpy(dtype=float)
        if np.isnan(values).all():
            continue  # never reported: nothing to forecast (NOTHING_REPORTED)
        stretch, _ = latest_stretch(column)
        flow = flows.get((level, area))
        ok = classify(stretch).status == OK
        # Dearest first, so that no worker is left with a slow series at the end: SARIMAX
        # (flows, and enough counts to try them) about 0.5 s, other full backtests 0.08 s,
        # intermittent and short series 0.05 s.
        busy = ok and flow is not None and float(np.mean(stretch.to_numpy()[-12:])) >= LOW_VOLUME
        cost = 10.0 if busy else 1.6 if ok else 1.0
        flow_values = None if flow is None or not ok else flow.to_numpy(dtype=float)
        tasks.append(_Task(level, area, crime, values, flow_values, cost))
    return sorted(tasks, key=lambda task: -task.cost)


def _chunks(tasks: list[_Task], size: int) -> Iterable[list[_Task]]:
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]


def refresh(
    store: Store,
    *,
    workers: int = 2,
    progress: Progress | None = None,
    regions: pd.DataFrame | None = None,
) -> ForecastSet:
    """Forecast, score and reconcile every region, country and total series per crime type.

    Parameters
    ----------
    store : Store
    workers : int
        Worker processes; 1 runs everything in this process.
    progress : callable, optional
        Called as ``progress(done, total)`` after each batch of series.
    regions : DataFrame, optional
        ``region_code, country``: the hierarchy; default every region of the registry.
        Tests pass a few regions to stay fast.

    Returns
    -------
    ForecastSet
    """
    if workers < 1:
        raise ValueError(f"`workers` must be an integer greater than 0. Got {workers!r}.")
    started = time.perf_counter()
    regions = (load_regions() if regions is None else regions)[["region_code", "country"]]
    panel = count_panel(store, regions)
    flows = flow_panel(store, regions)
    tasks = _tasks(panel, flows)
    total, done, results = len(tasks), 0, []
    if progress:
        progress(0, total)
    chunks = list(_chunks(tasks, 8))
    if workers == 1:
        for chunk in chunks:
            results += _run_chunk(chunk, panel.index)
            done += len(chunk)
            if progress:
                progress(done, total)
    else:
        context = get_context("spawn")  # no fork of a process holding DuckDB's threads
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_limit_threads) as pool:
            futures = [pool.submit(_run_chunk, chunk, panel.index) for chunk in chunks]
            for future in as_completed(futures):
                part = future.result()
                results += part
                done += len(part)
                if progress:
                    progress(done, total)
    return _assemble(results, regions, panel, workers, time.perf_counter() - started)


def _assemble(
    results: list[dict], regions: pd.DataFrame, panel: pd.DataFrame, workers: int, seconds: float
) -> ForecastSet:
    order = {level: i for i, level in enumerate(LEVELS)}
    results = sorted(results, key=lambda r: (order[r["key"][0]], r["key"][1], r["key"][2]))

    def stack(part: str, **extra) -> pd.DataFrame:
        frames = [r[part] for r in results]
        sizes = np.array([len(frame) for frame in frames])
        keys = np.array([r["key"] for r in results], dtype=object).reshape(-1, 3)
        body = pd.concat([f for f in frames if len(f)], ignore_index=True)
        head = pd.DataFrame(np.repeat(keys, sizes, axis=0), columns=KEY)
        for name, values in extra.items():
            head[name] = np.repeat(np.asarray(values), sizes)
        return pd.concat([head, body], axis=1)

    series = pd.DataFrame([dict(zip(KEY, r["key"], strict=True)) | r["series"] for r in results])
    chosen = series["chosen"].to_numpy()
    lags = series["lag"].to_numpy(dtype=float)
    forecasts, left, gap = reconciled(stack("forecast", model=chosen, lag=lags), regions)
    if left:
        keys = list(zip(series["level"], series["area"], series["crime_type"], strict=True))
        series["message"] = [
            f"{message} {left[key]}".strip() if key in left else message
            for key, message in zip(keys, series["message"], strict=True)
        ]
        series["notes"] = [
            to_json((*from_json(notes), note("not_reconciled"))) if key in left else notes
            for key, notes in zip(keys, series["notes"], strict=True)
        ]
    meta = {
        "first": f"{panel.index[0]:%Y-%m}",
        "last": f"{panel.index[-1]:%Y-%m}",
        "horizon": HORIZON,
        "series": len(series),
        "seconds": round(seconds, 1),
        "workers": workers,
        "incoherence": gap,
        "not_reported": int(panel.isna().all(axis=0).sum()),
    }
    return ForecastSet(
        series[list(SERIES_COLUMNS)],
        forecasts,
        stack("scores"),
        stack("check"),
        meta,
    )


#: Why a total is left as its model forecast it (see :func:`reconciled`).
NOT_RECONCILED = (
    "Not reconciled with the countries: they were not all reported up to the same month, "
    "so their forecasts cover other months than the total's."
)


def reconciled(
    base: pd.DataFrame, regions: pd.DataFrame
) -> tuple[pd.DataFrame, dict[tuple[str, str, str], str], float]:
    """Reconcile each crime type over its reported series only.

    Only series that were reported are forecast, each from the month after its last
    reported one. A country and its regions share their coverage (a region is reported
    where its country's regional figures are), so they are reconciled together; the
    total adds up the countries that reported the crime type (:func:`count_panel`) and
    joins them only when every one of them was reported up to the same month as the
    total, so that their forecasts cover the same months. Otherwise the total keeps its
    own model's forecast and its message says so (:data:`NOT_RECONCILED`).

    Returns
    -------
    (DataFrame, dict, float)
        The forecasts with ``base_mean`` (the model's own mean), the note of each series
        left unreconciled by key, and the largest parent-minus-children gap over the
        parents reconciled.
    """
    if base.empty:
        return base.assign(base_mean=base["mean"].astype(float)), {}, 0.0
    parts, notes, gap = [], {}, 0.0
    for crime, rows in base.groupby("crime_type", sort=False):
        start = rows.groupby(["level", "area"])["period"].min()
        countries = list(rows.loc[rows["level"] == COUNTRY, "area"].unique())
        total = rows[rows["level"] == TOTAL]
        same = bool(len(total)) and all(
            start[(COUNTRY, c)] == start[(TOTAL, TOTAL_AREA)] for c in countries
        )
        # Countries whose forecasts start in the same month are reconciled together
        # (without a total they are independent; grouping only saves calls).
        cohorts = {}
        for country in countries:
            cohorts.setdefault(start[(COUNTRY, country)], []).append(country)
        for cohort in cohorts.values():
            tree = regions[regions["country"].isin(cohort)]
            inside = ((rows["level"] == COUNTRY) & rows["area"].isin(cohort)) | (
                (rows["level"] == REGION) & rows["area"].isin(tree["region_code"])
            )
            if same:
                inside |= rows["level"] == TOTAL
            done = reconcile(rows[inside], tree)
            gap = max(gap, incoherence(done, tree))
            parts.append(done)
        if len(total) and not same:
            parts.append(total.assign(base_mean=total["mean"].astype(float)))
            if countries:
                notes[(TOTAL, TOTAL_AREA, crime)] = NOT_RECONCILED
    return pd.concat(parts).sort_index(), notes, gap
