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

Counts are counts: every mean and interval bound is clipped at 0, and every interval holds
its mean. Means are never rounded.

The models by module: the no-change and seasonal naive baselines (naive), the recent
level (level), damped ETS (smoothing), SARIMAX with the flows (arima), Croston (croston)
and the fallback (seasonal_mean); the scale and season they share in
:mod:`forecasting.models.scale`, the rest in :mod:`forecasting.models.base`, and
:data:`MODELS` by key in :mod:`forecasting.models.registry`; the names below are the
package's public API.
"""

from forecasting.models.arima import SARIMAX, SARIMAX_ORDER, SARIMAX_SEASONAL_ORDER, sarimax
from forecasting.models.base import (
    BOUNDS,
    FORECAST_COLUMNS,
    PERIOD,
    Z80,
    Z95,
    Forecast,
    Model,
    future_periods,
)
from forecasting.models.croston import CROSTON_ALPHA, CROSTON_SBA, croston_sba
from forecasting.models.level import LEVEL, LEVEL_PERIODS, level
from forecasting.models.naive import NAIVE, SEASONAL_NAIVE, naive, seasonal_naive
from forecasting.models.registry import BASELINES, MODELS
from forecasting.models.seasonal_mean import FALLBACK, fallback
from forecasting.models.smoothing import ETS, ets

__all__ = [
    "BASELINES",
    "BOUNDS",
    "CROSTON_ALPHA",
    "CROSTON_SBA",
    "ETS",
    "FALLBACK",
    "FORECAST_COLUMNS",
    "LEVEL",
    "LEVEL_PERIODS",
    "MODELS",
    "NAIVE",
    "PERIOD",
    "SARIMAX",
    "SARIMAX_ORDER",
    "SARIMAX_SEASONAL_ORDER",
    "SEASONAL_NAIVE",
    "Z80",
    "Z95",
    "Forecast",
    "Model",
    "croston_sba",
    "ets",
    "fallback",
    "future_periods",
    "level",
    "naive",
    "sarimax",
    "seasonal_naive",
]
