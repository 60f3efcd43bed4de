"""Exponential smoothing (ETS) with a damped trend, for series with a season or two."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import (
    Forecast,
    check_history,
    future_periods,
    normal_columns,
    recorded_warnings,
)
from forecasting.series import season_length

ETS = "ets"


def ets(
    history: pd.Series,
    horizon: int,
    exog_history: pd.Series | None = None,
    exog_future: pd.Series | None = None,
    *,
    params=None,
    start_params=None,
    exog_future_sd=None,
) -> Forecast:
    """Exponential smoothing (statsmodels ``ETSModel``): additive error, damped additive trend.

    Additive seasonality when the history holds two full seasons, none otherwise (and
    never for yearly series). Fitted on
    the counts themselves, not on ``log1p``: the back-transformed mean of a log model is a
    median, biased low exactly for the small counts that matter here, and the exact
    (closed-form) intervals of the additive model come from ``get_prediction``. Initial
    states use the heuristic initialisation, which leaves 3–4 parameters to estimate
    instead of 17 and makes the fit about 20× faster.
    """
    m = season_length(history.index)
    y = check_history(history, horizon, 10, ETS)
    # A yearly series (m = 1) has no season within the period to smooth.
    seasonal = m > 1 and len(y) >= 2 * m
    notes: list[str] = []
    # ETSResults.get_prediction fails on a plain ndarray in statsmodels 0.15
    # ("'numpy.ndarray' object has no attribute 'index'"), so the data stay a Series.
    endog = pd.Series(y)
    # Imported here: statsmodels takes about a second to import, paid only when fitting.
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with recorded_warnings(notes):
        model = ETSModel(
            endog,
            error="add",
            trend="add",
            damped_trend=True,
            seasonal="add" if seasonal else None,
            seasonal_periods=m if seasonal else None,
            initialization_method="heuristic",
        )
        if params is not None and len(params) == len(model.param_names):
            result = model.smooth(np.asarray(params, dtype=float))
        else:
            start = None if start_params is None else np.asarray(start_params, dtype=float)
            result = model.fit(start_params=start, disp=False)
        prediction = result.get_prediction(start=len(y), end=len(y) + horizon - 1)
        mean = np.asarray(prediction.predicted_mean, dtype=float)
        sd = np.sqrt(np.asarray(prediction.forecast_variance, dtype=float))
    frame = normal_columns(future_periods(history.index, horizon), mean, sd)
    fitted = tuple(float(v) for v in np.asarray(result.params))
    return Forecast(frame, ETS, "; ".join(notes), fitted)
