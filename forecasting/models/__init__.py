"""Forecast models for count series, all behind one interface.

Every model is a function

``model(history, horizon, exog_history=None, exog_future=None, *, params=None,
start_params=None, exog_future_sd=None) -> Forecast``

``history`` holds float counts on consecutive month starts (or weeks); the season length
(12 or 52) follows from the index. ``exog_history`` / ``exog_future`` are the regressor
*already lagged* by the caller, aligned with ``history`` and with the ``horizon`` periods
after it; only :func:`sarimax` uses them. ``params`` (from a previous :class:`Forecast`)
skips estimation and only filters the new history with those parameters, which is how the
backtest reuses the fit of its first origin; ``start_params`` only warm-starts estimation.
``exog_future_sd`` is the standard error of regressor values that are themselves forecasts
(0 where the lagged flow is observed); SARIMAX widens its intervals by it.

Counts are counts: every mean and interval bound is clipped at 0. Means are never rounded.

One model per module (naive, smoothing, arima, croston, seasonal_mean), what they share
in :mod:`forecasting.models.base`, and :data:`MODELS` by key in
:mod:`forecasting.models.registry`; the names below are the package's public API.
"""

from forecasting.models.arima import SARIMAX, SARIMAX_ORDER, SARIMAX_SEASONAL_ORDER, sarimax
from forecasting.models.base import (
    BOUNDS,
    FORECAST_COLUMNS,
    PERIOD,
    Forecast,
    Model,
    future_periods,
)
from forecasting.models.croston import CROSTON_ALPHA, CROSTON_SBA, croston_sba
from forecasting.models.naive import SEASONAL_NAIVE, seasonal_naive
from forecasting.models.registry import MODELS
from forecasting.models.seasonal_mean import FALLBACK, fallback
from forecasting.models.smoothing import ETS, ets

__all__ = [
    "BOUNDS",
    "CROSTON_ALPHA",
    "CROSTON_SBA",
    "ETS",
    "FALLBACK",
    "FORECAST_COLUMNS",
    "MODELS",
    "PERIOD",
    "SARIMAX",
    "SARIMAX_ORDER",
    "SARIMAX_SEASONAL_ORDER",
    "SEASONAL_NAIVE",
    "Forecast",
    "Model",
    "croston_sba",
    "ets",
    "fallback",
    "future_periods",
    "sarimax",
    "seasonal_naive",
]
