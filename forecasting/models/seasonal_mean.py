"""The fallback: last season's mean with Poisson intervals, for series too short or too
sparse to choose a model."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecasting.models.base import Forecast, check_history, clipped_columns, future_periods
from forecasting.series import fallback_periods

FALLBACK = "fallback"


def fallback(
    history: pd.Series,
    horizon: int,
    exog_history: pd.Series | None = None,
    exog_future: pd.Series | None = None,
    *,
    params=None,
    start_params=None,
    exog_future_sd=None,
) -> Forecast:
    """The mean of the last season (three years for yearly series; all data, if shorter),
    with Poisson intervals.

    For series too short or too sparse to choose a model: no parameters to estimate, and a
    Poisson interval is the least one can say about a count with that mean.
    """
    recent = fallback_periods(history.index)
    y = check_history(history, horizon, 1, FALLBACK)
    rate = float(np.mean(y[-recent:]))
    quantiles = [0.1, 0.9, 0.025, 0.975]
    bounds = poisson_quantiles(quantiles, rate) if rate > 0 else np.zeros(4)
    ones = np.ones(horizon)
    frame = clipped_columns(
        future_periods(history.index, horizon),
        rate * ones,
        *(bound * ones for bound in bounds),
    )
    return Forecast(frame, FALLBACK)


def poisson_quantiles(quantiles, rate: float) -> np.ndarray:
    """The smallest counts ``k`` with ``P(X <= k) >= q`` for a Poisson ``rate``, per ``q``.

    Summed from the probabilities in log space (scipy.stats would cost a command-line
    forecast half a second to import).
    """
    top = int(rate + 12 * math.sqrt(rate) + 20)
    k = np.arange(top + 1)
    log_pmf = k * math.log(rate) - rate - np.array([math.lgamma(v + 1) for v in k])
    cdf = np.cumsum(np.exp(log_pmf))
    # A small tolerance keeps a quantile that falls exactly on a step where scipy has it.
    return np.searchsorted(cdf, np.asarray(quantiles, dtype=float) - 1e-12).astype(float)
