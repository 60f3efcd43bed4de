"""Croston's method (Syntetos–Boylan corrected), for intermittent counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import Forecast, check_history, clipped_columns, future_periods
from forecasting.series import season_length

CROSTON_SBA = "croston_sba"
#: Smoothing constant of Croston's method; 0.1 is the usual choice for monthly counts.
CROSTON_ALPHA = 0.1


def croston_sba(
    history: pd.Series,
    horizon: int,
    exog_history: pd.Series | None = None,
    exog_future: pd.Series | None = None,
    *,
    params=None,
    start_params=None,
    exog_future_sd=None,
) -> Forecast:
    """Croston's method with the Syntetos–Boylan bias correction, for intermittent counts.

    Sizes of the non-zero counts and the intervals between them are smoothed separately
    (``alpha = 0.1``); the flat forecast is ``(1 - alpha / 2) * size / interval``.
    Croston has no error model, so the intervals are the empirical 2.5/10/90/97.5 %
    quantiles of the last two seasons of counts: they keep the zeros and the spikes an
    intermittent series really shows, which a normal or Poisson interval would not.
    """
    m = season_length(history.index)
    y = check_history(history, horizon, 1, CROSTON_SBA)
    non_zero = np.flatnonzero(y > 0)
    if len(non_zero) == 0:
        rate = 0.0
    else:
        size, interval = y[non_zero[0]], float(non_zero[0] + 1)
        for previous, current in zip(non_zero[:-1], non_zero[1:], strict=True):
            size += CROSTON_ALPHA * (y[current] - size)
            interval += CROSTON_ALPHA * ((current - previous) - interval)
        rate = (1 - CROSTON_ALPHA / 2) * size / interval
    recent = y[-2 * m :]
    q = np.quantile(recent, [0.1, 0.9, 0.025, 0.975])
    ones = np.ones(horizon)
    frame = clipped_columns(
        future_periods(history.index, horizon),
        rate * ones,
        q[0] * ones,
        q[1] * ones,
        q[2] * ones,
        q[3] * ones,
    )
    return Forecast(frame, CROSTON_SBA)
