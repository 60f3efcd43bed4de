"""The seasonal naive model: the baseline every other model has to beat."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import Forecast, check_history, future_periods, normal_columns
from forecasting.series import season_length

SEASONAL_NAIVE = "seasonal_naive"


def seasonal_naive(
    history: pd.Series,
    horizon: int,
    exog_history: pd.Series | None = None,
    exog_future: pd.Series | None = None,
    *,
    params=None,
    start_params=None,
    exog_future_sd=None,
) -> Forecast:
    """Each period forecast as the same period one season earlier (the baseline).

    Intervals use the standard formula (Hyndman & Athanasopoulos, *FPP3* 5.5): with
    ``sigma`` the root mean square of the in-sample seasonal differences, the
    ``h``-step standard deviation is ``sigma * sqrt(k + 1)``, ``k = (h - 1) // m``,
    under a normal approximation. Needs one season plus one period of history.
    """
    m = season_length(history.index)
    y = check_history(history, horizon, m + 1, SEASONAL_NAIVE)
    steps = np.arange(horizon)
    mean = y[len(y) - m + steps % m]
    sigma = float(np.sqrt(np.mean((y[m:] - y[:-m]) ** 2)))
    sd = sigma * np.sqrt(steps // m + 1)
    return Forecast(
        normal_columns(future_periods(history.index, horizon), mean, sd), SEASONAL_NAIVE
    )
