"""The models by key: the names the backtest settings, the choice of model and the
forecast cache use."""

from __future__ import annotations

from forecasting.models.arima import SARIMAX, sarimax
from forecasting.models.base import Model
from forecasting.models.croston import CROSTON_SBA, croston_sba
from forecasting.models.level import LEVEL, level
from forecasting.models.naive import NAIVE, SEASONAL_NAIVE, naive, seasonal_naive
from forecasting.models.seasonal_mean import FALLBACK, fallback
from forecasting.models.smoothing import ETS, ets

#: The models by name, as the backtest settings refer to them.
MODELS: dict[str, Model] = {
    NAIVE: naive,
    SEASONAL_NAIVE: seasonal_naive,
    LEVEL: level,
    ETS: ets,
    SARIMAX: sarimax,
    CROSTON_SBA: croston_sba,
    FALLBACK: fallback,
}

#: The no-change baselines: a model has skill only if it beats both in the backtest.
BASELINES = (NAIVE, SEASONAL_NAIVE)
