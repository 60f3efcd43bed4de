"""The recent level: the mean of the last few periods, seasonally adjusted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import Forecast, check_history, future_periods, scaled_columns
from forecasting.models.scale import (
    NOISE_WINDOW,
    at,
    prepared,
)
from forecasting.series import season_length

LEVEL = "level"
#: Periods averaged: three months (or quarters, weeks, years) damp a single odd month
#: without lagging far behind a shift of level.
LEVEL_PERIODS = 3


def level(
    history: pd.Series,
    horizon: int,
    exog_history: pd.Series | None = None,
    exog_future: pd.Series | None = None,
    *,
    params=None,
    start_params=None,
    exog_future_sd=None,
) -> Forecast:
    """The mean of the last 3 periods with the season taken out, and the season put back.

    On the scale and with the season of :mod:`forecasting.models.scale`. The no-change
    forecast follows every jump of a noisy series and seasonal naive repeats last year
    whatever has changed since; this sits between them, and held out on real monthly
    series (``make bench``) it was the most accurate single candidate. Intervals grow
    like a random walk's from the spread of its own one-step errors over the last three
    years; a history too short for one error gets the spread of its changes.
    """
    m = season_length(history.index)
    y = check_history(history, horizon, 1, LEVEL)
    scale, z, season = prepared(y, m)
    n = len(z)
    adjusted = z - at(season, 0, n)
    k = min(LEVEL_PERIODS, n)
    if n > k:
        means = np.convolve(adjusted, np.ones(k) / k, mode="valid")[:-1]
        residuals = adjusted[k:] - means
    else:
        residuals = np.diff(adjusted)
    sigma = float(np.sqrt(np.mean(residuals[-NOISE_WINDOW:] ** 2))) if len(residuals) else 0.0
    centre = float(np.mean(adjusted[-k:])) + at(season, n, horizon)
    sd = sigma * np.sqrt((1.0 + np.arange(1, horizon + 1)) / 2.0)
    mean = scale.mean(centre)
    frame = scaled_columns(future_periods(history.index, horizon), mean, centre, sd, scale)
    return Forecast(frame, LEVEL)
