"""Forecasts of every series kept beside the store, refreshed in the background after a load.

The cache is a folder next to the store file (``threatmon.duckdb.forecasts/``) holding one
sub-folder per :func:`fingerprint` of the store's contents: parquet files of a
:class:`~forecasting.refresh.ForecastSet`. A load or an undo changes the fingerprint, so
the old forecasts stop counting as current the moment the new store is published; they
are never mixed with new data.

:func:`start_background` launches ``threatmon forecast --all --background`` as a separate
process (it survives page reruns and never holds the dashboard's GIL) unless the cache is
current or a refresh is already running; :func:`status` reads its progress file. One
refresh runs at a time per store: a lock file holds the running process id.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.forecast import SeriesForecast
from forecasting.models import FORECAST_COLUMNS
from forecasting.reconcile import COUNTRY, REGION, TOTAL, TOTAL_AREA
from forecasting.refresh import HORIZON, ForecastSet, refresh
from forecasting.selection import Selection
from forecasting.wording import Amount, from_json, note
from threatmon.filters import Filters
from threatmon.settings import current_settings
from threatmon.store import Store

#: Bump when models, settings or the refresh change what a forecast would be.
FORECAST_VERSION = 5
_PARTS = ("series", "forecasts", "scores", "checks")

CURRENT, RUNNING, STALE, FAILED = "current", "running", "stale", "failed"


@dataclass(frozen=True)
class RefreshStatus:
    """Where the forecasts of a store stand.

    ``state`` is ``current`` (forecasts match the store), ``running`` (a refresh is under
    way: ``done`` of ``total`` series), ``stale`` (none match and none is running) or
    ``failed`` (the last refresh for these contents failed: ``error``).
    """

    state: str
    done: int = 0
    total: int = 0
    started: float | None = None
    error: str = ""

    @property
    def message(self) -> str:
        """One sentence for the page."""
        if self.state == RUNNING:
            share = f"{self.done:,} of {self.total:,} series" if self.total else "starting"
            return f"Forecasts of all series are being refreshed after the last load: {share}."
        if self.state == FAILED:
            return f"Refreshing the forecasts of all series failed: {self.error}"
        if self.state == STALE:
            return "Forecasts of all series have not been computed for the latest load yet."
        return "Forecasts of all series are up to date."


def cache_root(store: Store) -> Path:
    """The cache folder beside the store file.

    A PostgreSQL store has no file to sit beside: each dashboard machine keeps its own
    cache under ``$THREATMON_CACHE_DIR`` (default ``data/cache``), one folder per database
    (see :meth:`threatmon.store.StoreLocation.scratch_folder`).
    """
    return store.location.scratch_folder(".forecasts")


def fingerprint(store: Store) -> str:
    """What the store holds, in 16 hex digits: its active batches and the forecast version."""
    batches = store.query(
        "SELECT batch_id, kind, sha256, status FROM batches ORDER BY batch_id"
    ).to_dict(orient="records")
    meta = {k: v for k, v in store.meta().items() if k.startswith("demo")}
    text = json.dumps([FORECAST_VERSION, HORIZON, batches, meta], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- reading and writing ----------------------------------------------------------------------


def save(forecasts: ForecastSet, store: Store, key: str) -> Path:
    """Write ``forecasts`` under ``key`` atomically and drop every other generation."""
    root = cache_root(store)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{key}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for part in _PARTS:
        getattr(forecasts, part).to_parquet(staging / f"{part}.parquet", index=False)
    (staging / "meta.json").write_text(json.dumps(forecasts.meta | {"fingerprint": key}))
    final = root / key
    shutil.rmtree(final, ignore_errors=True)
    # A rename within one folder is atomic: readers see no folder or a complete one.
    staging.rename(final)
    for old in root.iterdir():
        if old.is_dir() and old.name != key:
            shutil.rmtree(old, ignore_errors=True)
    return final


def load(store: Store, key: str | None = None) -> ForecastSet | None:
    """The forecasts matching the store's current contents, or None.

    Always None for a restricted store (a country scope, withheld crime types): the
    cache holds every series (and their totals), fitted on data such a reader may not see.
    """
    if store.restricted:
        return None
    folder = cache_root(store) / (key or fingerprint(store))
    if not (folder / "meta.json").exists():
        return None
    parts = {part: pd.read_parquet(folder / f"{part}.parquet") for part in _PARTS}
    meta = json.loads((folder / "meta.json").read_text())
    return ForecastSet(**parts, meta=meta)


# -- looking one series up ---------------------------------------------------------------------


def series_key(selection: Selection) -> tuple[str, str]:
    """``(level, area)`` of a selection in the cache."""
    if selection.region:
        return REGION, selection.region
    if selection.country:
        return COUNTRY, selection.country
    return TOTAL, TOTAL_AREA


def lookup(forecasts: ForecastSet, selection: Selection, horizon: int) -> SeriesForecast | None:
    """The cached forecast of one area × one crime type, ``horizon`` months; None if absent."""
    if len(selection.crime_types) != 1 or not 1 <= horizon <= forecasts.meta["horizon"]:
        return None
    level, area = series_key(selection)
    crime = selection.crime_types[0]

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        mask = (frame["level"] == level) & (frame["area"] == area)
        return frame[mask & (frame["crime_type"] == crime)].reset_index(drop=True)

    series = rows(forecasts.series)
    if series.empty:
        return None
    info = series.iloc[0]
    forecast = rows(forecasts.forecasts).head(horizon)
    scores = rows(forecasts.scores).drop(columns=["level", "area", "crime_type"])
    check = rows(forecasts.checks).drop(columns=["level", "area", "crime_type"])
    message = str(info["message"])
    notes = from_json(info.get("notes"))
    shift = float(forecast["mean"].iloc[0] - forecast["base_mean"].iloc[0])
    if abs(shift) >= 0.05:
        message += (
            f" Reconciled so that regions add up to countries and countries to the total: "
            f"the first month moved by {shift:+.1f} from the model's own "
            f"{forecast['base_mean'].iloc[0]:.1f}."
        )
        notes += (
            note(
                "reconciled_shift",
                shift=Amount(shift, 1, sign=True),
                own=Amount(float(forecast["base_mean"].iloc[0]), 1),
            ),
        )
    track = None
    if pd.notna(info.get("checked")):
        track = {k: int(info[k]) for k in ("checked", "held_80", "held_95")}
    return SeriesForecast(
        forecast[list(FORECAST_COLUMNS)],
        pd.DataFrame(),
        scores,
        str(info["chosen"]),
        float(info["lag"]) if pd.notna(info["lag"]) else np.nan,
        message,
        check,
        str(info["status"]),
        notes=notes,
        track=track,
    )


# -- running a refresh ---------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_json(path: Path, payload: dict) -> None:
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(payload))
    temporary.replace(path)


def status(store: Store) -> RefreshStatus:
    """Current, running (with progress), failed or stale; see :class:`RefreshStatus`."""
    key = fingerprint(store)
    root = cache_root(store)
    if (root / key / "meta.json").exists():
        return RefreshStatus(CURRENT)
    lock = _read_json(root / "refresh.lock")
    if lock and _alive(int(lock["pid"])):
        progress = _read_json(root / "progress.json") or {}
        return RefreshStatus(
            RUNNING, progress.get("done", 0), progress.get("total", 0), lock.get("started")
        )
    failed = _read_json(root / "failed.json")
    if failed and failed.get("fingerprint") == key:
        return RefreshStatus(FAILED, error=str(failed.get("error", "")))
    return RefreshStatus(STALE)


def run(
    store: Store, *, workers: int = 2, echo=None, regions: pd.DataFrame | None = None
) -> ForecastSet:
    """Refresh all forecasts of ``store`` now, with the lock and progress file; save them.

    ``echo(done, total)`` is called as the refresh goes (the CLI prints it); ``regions``
    narrows the hierarchy as in :func:`~forecasting.refresh.refresh` (tests only). Raises
    RuntimeError if another process is refreshing the same store.
    """
    root = cache_root(store)
    root.mkdir(parents=True, exist_ok=True)
    lock_path = root / "refresh.lock"
    key = fingerprint(store)
    started = time.time()
    try:
        descriptor = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        holder = _read_json(lock_path)
        if holder and holder["pid"] in (os.getpid(), os.getppid()):
            descriptor = os.open(lock_path, os.O_WRONLY | os.O_TRUNC)  # taken for us
        elif holder and _alive(int(holder["pid"])):
            raise RuntimeError(
                f"Forecasts of {store.location} are already being refreshed by process "
                f"{holder['pid']}."
            ) from None
        else:
            lock_path.unlink(missing_ok=True)  # left by a process that died
            descriptor = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    with os.fdopen(descriptor, "w") as handle:
        json.dump({"pid": os.getpid(), "fingerprint": key, "started": started}, handle)

    def progress(done: int, total: int) -> None:
        _write_json(root / "progress.json", {"done": done, "total": total, "fingerprint": key})
        if echo:
            echo(done, total)

    try:
        result = refresh(store, workers=workers, progress=progress, regions=regions)
        save(result, store, key)
        (root / "failed.json").unlink(missing_ok=True)
        return result
    except Exception as error:
        _write_json(root / "failed.json", {"fingerprint": key, "error": str(error)})
        raise
    finally:
        lock_path.unlink(missing_ok=True)
        (root / "progress.json").unlink(missing_ok=True)


def background_allowed() -> bool:
    """False when ``$THREATMON_BACKGROUND_FORECASTS`` is 0 (the test suite sets it)."""
    return current_settings().background_forecasts


def start_background(store: Store) -> bool:
    """Start ``threatmon forecast --all`` for ``store`` unless not needed; True if started.

    The lock is taken here, before the process starts, so that the reruns of a page in
    the meantime see a refresh running instead of starting another.
    """
    if not background_allowed() or status(store).state != STALE:
        return False
    root = cache_root(store)
    root.mkdir(parents=True, exist_ok=True)
    lock_path = root / "refresh.lock"
    holder = _read_json(lock_path)
    if holder and not _alive(int(holder["pid"])):
        lock_path.unlink(missing_ok=True)  # left by a refresh that was killed
    try:
        descriptor = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w") as handle:
        json.dump({"pid": os.getpid(), "started": time.time()}, handle)
    arguments, location = store.location.for_child_process()
    command = [sys.executable, "-m", "threatmon.cli", "forecast", "--all", "--background"]
    command += arguments
    # Only the latest run is kept: the log is there to explain a failed refresh.
    with open(root / "refresh.log", "wb") as log:
        child = subprocess.Popen(
            command,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives a restart of the dashboard's session
            env=os.environ | {"OMP_NUM_THREADS": "1"} | location,
        )
    _write_json(lock_path, {"pid": child.pid, "started": time.time()})
    # Waited for by a thread of its own, so that the finished refresh is reaped instead of
    # staying a zombie under the dashboard's server until the server stops.
    threading.Thread(target=child.wait, name="forecast-refresh-reaper", daemon=True).start()
    return True


@dataclass(frozen=True)
class SelectionForecast:
    """A selection's forecast as the page and the CLI show it, and where it came from."""

    history: pd.Series
    flows: pd.Series | None
    flows_text: str
    result: SeriesForecast
    cached: bool


def _has_national_figures(store: Store, selection: Selection) -> bool:
    """Whether the selection's countries (all, for the total) hold national figures of
    its crime types, which the cache's sums of regions leave out."""
    if not store.held().national:
        return False
    countries = (selection.country,) if selection.country else ()
    cells = store.coverage_cells(Filters(countries=countries, crime_types=selection.crime_types))
    return bool((cells["level"] == "national").any())


def forecast_for(
    store: Store, selection: Selection, horizon: int, freq: str = "M"
) -> SelectionForecast:
    """The cached, reconciled forecast when current, else one fitted now for this series.

    Monthly forecasts of one area and one crime type come from the cache once the
    background refresh has caught up with the store; weekly ones, and any selection
    while the refresh runs, are fitted on demand with the same :func:`forecast_series`.
    So are a country's and the total's when the store holds national figures for them:
    the cache's countries add up their regions, while a country's series counts its
    national figure where it has one (docs/architecture.md, "Figures: periods and
    levels"); a country without national figures is read from the cache.
    """
    from forecasting.forecast import forecast_series
    from forecasting.selection import flow_series, incident_series

    history = incident_series(store, selection, freq)
    flows, text = flow_series(store, selection, freq)
    national = selection.region is None and _has_national_figures(store, selection)
    if freq == "M" and not national:
        cached = load(store)
        found = None if cached is None else lookup(cached, selection, horizon)
        if found is not None:
            return SelectionForecast(history, flows, text, found, True)
    result = forecast_series(history, horizon=horizon, exog=flows)
    return SelectionForecast(history, flows, text, result, False)


def region_checks(forecasts: ForecastSet | None) -> pd.DataFrame | None:
    """The region rows of the checks, as :func:`forecasting.warning.alerts.early_warning`
    takes them."""
    if forecasts is None:
        return None
    checks = forecasts.checks
    return checks[checks["level"] == REGION].rename(columns={"area": "region_code"})
