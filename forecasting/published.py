"""Forecasts of sensitive crime types made only from what viewers are shown.

Viewers never see a sensitive count below the country × quarter grid of the suppressed
tables (:mod:`threatmon.disclosure.sensitive`). Their forecast is drawn from the same published
figures: each quarter's project-wide (or scope-wide) total as the suppressed table shows
it, a gap where that total is itself hidden. Whatever is computed from published figures
alone can disclose nothing they do not, so neither the forecast nor its intervals need
suppressing again.

A quarterly series of three or four years is short. Three structural time-series models
(statsmodels' ``UnobservedComponents``, which pass over gaps through the Kalman filter)
are compared by one-step-ahead forecasts from rolling origins over the last published
quarters, each refitted on what came before its origin: a *local level* (the level
wanders), a *local linear trend* (the slope wanders too) and a *local level with a
quarterly season* (only from 12 published quarters: it needs two years before its first
origin). The simplest is kept unless a more complex one brings the mean absolute error
down by at least 10 %: four origins cannot tell smaller differences from chance, and a
slope or a season extended into the future is the bolder claim. All are reported against
two naive forecasts: "same as the last quarter" and "same quarter a year before".
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.statespace.structural import UnobservedComponents

from forecasting.models import FORECAST_COLUMNS, PERIOD

#: Model key → its ``UnobservedComponents`` specification, simplest first.
MODELS: dict[str, dict] = {
    "local_level": {"level": "llevel"},
    "local_linear_trend": {"level": "lltrend"},
    "local_level_seasonal": {"level": "llevel", "seasonal": 4},
}
NAIVE, SEASONAL_NAIVE = "naive", "seasonal_naive"
#: Published quarters needed before a forecast is made at all.
MIN_QUARTERS = 8
#: Published quarters needed before the seasonal model is a candidate.
MIN_SEASONAL_QUARTERS = 12
#: Rolling origins of the one-step-ahead comparison (the last published quarters).
ORIGINS = 4
#: A more complex model must bring the chosen one's one-step error down to this share.
COMPLEXITY_MARGIN = 0.9


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

    ``totals`` is :func:`threatmon.disclosure.sensitive.published_totals`' frame (``quarter``
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
        spec = UnobservedComponents(history, **MODELS[model])
        return spec.fit(disp=False, maxiter=200)


def candidates(values: np.ndarray) -> list[str]:
    """The models a series with these values can support, simplest first."""
    published = int((~np.isnan(values)).sum())
    return [
        name
        for name in MODELS
        if published >= (MIN_SEASONAL_QUARTERS if "seasonal" in MODELS[name] else MIN_QUARTERS)
    ]


def one_step_errors(values: np.ndarray, origins: int = ORIGINS) -> dict[str, float]:
    """Mean absolute one-step-ahead error of each candidate model and of the naive forecasts.

    The origins are the last ``origins`` published quarters: each is forecast from
    everything published before it, with the model fitted again on that history. The
    seasonal naive forecast is scored where the quarter a year before was published
    (NaN if nowhere).
    """
    published = np.flatnonzero(~np.isnan(values))
    targets = published[-origins:]
    models = candidates(values)
    errors: dict[str, list[float]] = {name: [] for name in (*models, NAIVE, SEASONAL_NAIVE)}
    for position in targets:
        history = values[:position]
        actual = values[position]
        earlier = history[~np.isnan(history)]
        errors[NAIVE].append(abs(actual - earlier[-1]))
        if position >= 4 and not np.isnan(values[position - 4]):
            errors[SEASONAL_NAIVE].append(abs(actual - values[position - 4]))
        for name in models:
            predicted = float(_fit(history, name).forecast(1)[0])
            errors[name].append(abs(actual - max(predicted, 0.0)))
    return {
        name: float(np.mean(found)) if found else float("nan") for name, found in errors.items()
    }


def choose(mae: dict[str, float]) -> str:
    """The simplest model no more complex candidate beats by :data:`COMPLEXITY_MARGIN`."""
    chosen = "local_level"
    for name in MODELS:
        if name in mae and mae[name] <= COMPLEXITY_MARGIN * mae[chosen]:
            chosen = name
    return chosen


def published_forecast(totals: pd.DataFrame, crime: str, horizon: int = 2) -> PublishedForecast:
    """Forecast ``crime``'s next ``horizon`` quarterly totals from the published ones.

    Parameters
    ----------
    totals : DataFrame
        :func:`threatmon.disclosure.sensitive.published_totals`: ``quarter``, ``crime``,
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
    mae = one_step_errors(values)
    model = choose(mae)
    fitted = _fit(values, model).get_forecast(horizon)
    mean = np.clip(fitted.predicted_mean, 0.0, None)
    bounds = {}
    for level, alpha in (("80", 0.2), ("95", 0.05)):
        interval = np.clip(np.asarray(fitted.conf_int(alpha=alpha)), 0.0, None)
        bounds[f"lower_{level}"], bounds[f"upper_{level}"] = interval[:, 0], interval[:, 1]
    start = history.index[-1].to_period("Q") + 1
    periods = pd.period_range(start, periods=horizon, freq="Q").to_timestamp(how="start")
    forecast = pd.DataFrame({PERIOD: periods, "mean": mean, **bounds})[list(FORECAST_COLUMNS)]
    tried = ", ".join(MODEL_NAMES[name] for name in MODELS if name in mae)
    message = (
        f"{MODEL_NAMES[model].capitalize()} model, the simplest of {tried} that no more "
        f"complex one beats by 10 % at forecasting each of the last {ORIGINS} published "
        f"quarters from the ones before it: mean absolute error {mae[model]:,.0f}, against "
        f"{mae[NAIVE]:,.0f} for 'same as the last quarter' and "
        f"{_or_dash(mae[SEASONAL_NAIVE])} for 'same quarter a year before'."
    )
    return PublishedForecast(crime, history, forecast, model, mae, message)


MODEL_NAMES = {
    "local_level": "local level",
    "local_linear_trend": "local linear trend",
    "local_level_seasonal": "local level with a quarterly season",
}


def _or_dash(value: float) -> str:
    return "–" if np.isnan(value) else f"{value:,.0f}"
