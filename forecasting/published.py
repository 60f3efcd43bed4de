"""Forecasts of sensitive crime types made only from what viewers are shown.

Viewers never see a sensitive count below the country × quarter grid of the suppressed
tables (:mod:`data_loaders.sensitive`). Their forecast is drawn from the same published
figures: each quarter's project-wide (or scope-wide) total as the suppressed table shows
it, a gap where that total is itself hidden. Whatever is computed from published figures
alone can disclose nothing they do not, so neither the forecast nor its intervals need
suppressing again.

A quarterly series of three or four years is short. Two structural time-series models
(statsmodels' ``UnobservedComponents``, which fill gaps through the Kalman filter) are
compared by one-step-ahead forecasts from rolling origins over the last published
quarters: a *local level* (the level wanders, no trend) and a *local linear trend* (the
slope wanders too). The trend model is used only when its mean absolute error is at
least 10 % below the level model's: four origins cannot tell smaller differences from
chance, and a slope extended into the future is the bolder claim. Both are scored
against the naive forecast "next quarter as the last published one". No seasonal term:
with a dozen quarters a four-quarter season cannot be told from noise.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.statespace.structural import UnobservedComponents

from forecasting.models import FORECAST_COLUMNS, PERIOD

#: Model key → what statsmodels calls its level specification.
MODELS: dict[str, str] = {"local_level": "llevel", "local_linear_trend": "lltrend"}
#: Published quarters needed before a forecast is made at all.
MIN_QUARTERS = 8
#: Rolling origins of the one-step-ahead comparison (the last published quarters).
ORIGINS = 4
#: The trend model must bring the level model's one-step error down to this share.
TREND_MARGIN = 0.9


@dataclass(frozen=True)
class PublishedForecast:
    """One sensitive type's forecast from its published quarterly totals.

    ``history`` is indexed by the first day of each quarter (NaN where the total was
    hidden); ``forecast`` has the columns of :data:`forecasting.models.FORECAST_COLUMNS`
    (empty when there are too few published quarters, see ``message``). ``mae`` holds
    each model's and the naive forecast's mean absolute one-step error.
    """

    crime: str
    history: pd.Series
    forecast: pd.DataFrame
    model: str | None
    mae: dict[str, float]
    message: str


def quarterly_series(totals: pd.DataFrame, crime: str) -> pd.Series:
    """``crime``'s published totals as a float series on quarter starts, gaps as NaN.

    ``totals`` is :func:`data_loaders.sensitive.published_totals`' frame (``quarter``
    like "2026Q3", ``crime``, ``count``); quarters missing from it are gaps too.
    """
    rows = totals[totals["crime"] == crime]
    if rows.empty:
        raise ValueError(f"No published totals for {crime!r}.")
    quarters = pd.PeriodIndex(rows["quarter"], freq="Q")
    values = pd.Series(rows["count"].astype("float64").to_numpy(), index=quarters)
    full = pd.period_range(quarters.min(), quarters.max(), freq="Q")
    values = values.reindex(full)
    values.index = full.to_timestamp(how="start")
    return values


def _fit(history: np.ndarray, model: str):
    with warnings.catch_warnings():
        # Short series: the optimiser's convergence notes are expected, not news.
        warnings.simplefilter("ignore")
        spec = UnobservedComponents(history, level=MODELS[model])
        return spec.fit(disp=False, maxiter=200)


def one_step_errors(values: np.ndarray, origins: int = ORIGINS) -> dict[str, float]:
    """Mean absolute one-step-ahead error of each model and of the naive forecast.

    The origins are the last ``origins`` published quarters: each is forecast from
    everything published before it, with the model fitted again on that history.
    """
    published = np.flatnonzero(~np.isnan(values))
    targets = published[-origins:]
    errors: dict[str, list[float]] = {name: [] for name in (*MODELS, "naive")}
    for position in targets:
        history = values[:position]
        actual = values[position]
        earlier = history[~np.isnan(history)]
        errors["naive"].append(abs(actual - earlier[-1]))
        for name in MODELS:
            predicted = float(_fit(history, name).forecast(1)[0])
            errors[name].append(abs(actual - max(predicted, 0.0)))
    return {name: float(np.mean(found)) for name, found in errors.items()}


def published_forecast(totals: pd.DataFrame, crime: str, horizon: int = 2) -> PublishedForecast:
    """Forecast ``crime``'s next ``horizon`` quarterly totals from the published ones.

    Parameters
    ----------
    totals : DataFrame
        :func:`data_loaders.sensitive.published_totals`: ``quarter``, ``crime``,
        ``count`` (NaN where hidden). Not modified.
    crime : str
        The crime label as it appears in ``totals``.
    horizon : int
        Quarters ahead (1–8).

    Returns
    -------
    PublishedForecast
        Means and 80 % / 95 % intervals clipped at 0, on the first day of each quarter.
    """
    if not 1 <= horizon <= 8:
        raise ValueError(f"`horizon` must be between 1 and 8 quarters. Got {horizon}.")
    history = quarterly_series(totals, crime)
    values = history.to_numpy()
    published = int((~np.isnan(values)).sum())
    if published < MIN_QUARTERS:
        return PublishedForecast(
            crime,
            history,
            pd.DataFrame(columns=list(FORECAST_COLUMNS)),
            None,
            {},
            f"Only {published} quarters of {crime.lower()} are published; a forecast needs "
            f"{MIN_QUARTERS}.",
        )
    # The comparison needs history before its first origin: MIN_QUARTERS - ORIGINS.
    mae = one_step_errors(values)
    trend_wins = mae["local_linear_trend"] <= TREND_MARGIN * mae["local_level"]
    model = "local_linear_trend" if trend_wins else "local_level"
    fitted = _fit(values, model).get_forecast(horizon)
    mean = np.clip(fitted.predicted_mean, 0.0, None)
    bounds = {}
    for level, alpha in (("80", 0.2), ("95", 0.05)):
        interval = np.clip(np.asarray(fitted.conf_int(alpha=alpha)), 0.0, None)
        bounds[f"lower_{level}"], bounds[f"upper_{level}"] = interval[:, 0], interval[:, 1]
    start = history.index[-1].to_period("Q") + 1
    periods = pd.period_range(start, periods=horizon, freq="Q").to_timestamp(how="start")
    forecast = pd.DataFrame({PERIOD: periods, "mean": mean, **bounds})[list(FORECAST_COLUMNS)]
    skill = mae[model] / mae["naive"] if mae["naive"] > 0 else float("nan")
    message = (
        f"{_MODEL_NAMES[model].capitalize()} model, chosen over the "
        f"{_MODEL_NAMES[_other(model)]} by one-step forecasts of the last {ORIGINS} "
        f"published quarters: mean absolute error {mae[model]:,.0f} against "
        f"{mae['naive']:,.0f} for 'same as last quarter'"
        + (f" ({skill:.2f}×)." if np.isfinite(skill) else ".")
    )
    return PublishedForecast(crime, history, forecast, model, mae, message)


_MODEL_NAMES = {"local_level": "local level", "local_linear_trend": "local linear trend"}


def _other(model: str) -> str:
    return next(name for name in MODELS if name != model)
