"""The two baselines every other model has to beat: no change, and the same period a
season earlier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import (
    Forecast,
    check_history,
    future_periods,
    normal_columns,
    scaled_columns,
)
from forecasting.models.scale import NOISE_WINDOW, choose_scale
from forecasting.series import season_length

NAIVE = "naive"
SEASONAL_NAIVE = "seasonal_naive"


def naive(
    history: pd.Series,
    horizon: int,
    exog_history: pd.Series | None = None,
    exog_future: pd.Series | None = None,
    *,
    params=None,
    start_params=None,
    exog_future_sd=None,
) -> Forecast:
    """The no-change forecast: every period ahead equals the latest one.

    On real series that shift level it is hard to beat: held back, the Frontex route ×
    nationality series were forecast better by it than by seasonal naive (0.60 of its
    error). Intervals are a random walk's, ``sigma * sqrt(h)`` with ``sigma`` the root mean
    square of the changes over the last three years, on the scale of
    :func:`~forecasting.models.scale.choose_scale` (multiplicative for counts that span
    orders of magnitude). Needs two periods.
    """
    y = check_history(history, horizon, 2, NAIVE)
    scale = choose_scale(y)
    z = scale.forward(y)
    changes = np.diff(z)[-NOISE_WINDOW:]
    sigma = float(np.sqrt(np.mean(changes**2)))
    sd = sigma * np.sqrt(np.arange(1, horizon + 1))
    mean = np.full(horizon, y[-1])
    frame = scaled_columns(future_periods(history.index, horizon), mean, z[-1], sd, scale)
    return Forecast(frame, NAIVE)


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
    """Each period ahead equals the same period one season earlier (the baseline).

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
