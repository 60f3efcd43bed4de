"""Croston's method (Syntetos–Boylan corrected), for intermittent counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import Forecast, check_history, clipped_columns, future_periods
from forecasting.series import season_length

CROSTON_SBA = "croston_sba"
#: Smoothing constant of Croston's method; 0.1 is the usual choice for monthly counts.
CROSTON_ALPHA = 0.1
_QUANTILES = (0.1, 0.9, 0.025, 0.975)


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
    Croston has no error model. The intervals are the quantiles of a period that is zero
    with probability ``1 - 1 / interval`` (the smoothed interval between demands) and
    otherwise one of the non-zero counts of the last two seasons (of the whole history
    when those hold fewer than three). They keep the zeros and the spikes an intermittent
    series really shows, which a normal or Poisson interval would not, and they hold the
    mean: the zeros' share and the sizes come from the same smoothing as the mean, where
    the share of zeros of the last two seasons alone once gave a series quiet for two
    years a 0–0 interval around a mean of thousands.
    """
    m = season_length(history.index)
    y = check_history(history, horizon, 1, CROSTON_SBA)
    non_zero = np.flatnonzero(y > 0)
    interval = np.inf
    if len(non_zero) == 0:
        rate = 0.0
    else:
        size, interval = y[non_zero[0]], float(non_zero[0] + 1)
        for previous, current in zip(non_zero[:-1], non_zero[1:], strict=True):
            size += CROSTON_ALPHA * (y[current] - size)
            interval += CROSTON_ALPHA * ((current - previous) - interval)
        rate = (1 - CROSTON_ALPHA / 2) * size / interval
    recent = y[-2 * max(m, 2) :]
    sizes = recent[recent > 0]
    if len(sizes) < 3:
        sizes = y[y > 0] if (y > 0).any() else np.zeros(1)
    zero_share = 1.0 - 1.0 / max(float(interval), 1.0)
    levels = np.asarray(_QUANTILES)
    above = np.clip((levels - zero_share) / max(1.0 - zero_share, 1e-12), 0.0, 1.0)
    bounds = np.where(levels <= zero_share, 0.0, np.quantile(sizes, above))
    ones = np.ones(horizon)
    frame = clipped_columns(
        future_periods(history.index, horizon), rate * ones, *(b * ones for b in bounds)
    )
    return Forecast(frame, CROSTON_SBA)
