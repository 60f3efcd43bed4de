"""Intervals calibrated on the backtest: as wide as the model's errors there were.

A model's own intervals assume the model is right. On real series that change regime
they were far too narrow (80 % intervals held 67 % of what happened on the real series
held back for judging) or, on the raw scale of a series with a crisis in its past, far
too wide. So the chosen model's intervals keep their shape (how they widen with the
horizon) and get their width from the backtest: on the log scale, the errors divided by
the model's own spread at each horizon give the factors that make 80 % and 95 % of them
fall inside. Intervals stay symmetric on the log scale around the mean, so they hold it,
never go below 0 and are wider above, as counts are.

With few origins the factors are uncertain; they are pulled towards the model's own
(``Z80``, ``Z95``) as if the model's intervals had :data:`PRIOR_ORIGINS` origins of
their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.combination import around, log_spread
from forecasting.models import PERIOD, Z80, Z95, Forecast
from forecasting.models.base import clipped_columns

#: Weight of the model's own intervals, in origins.
PRIOR_ORIGINS = 2


@dataclass(frozen=True)
class Calibration:
    """Factors on the log-scale spread for the 80 % and 95 % intervals."""

    k80: float = Z80
    k95: float = Z95
    origins: int = 0

    def apply(self, forecast: Forecast) -> Forecast:
        """The forecast with its intervals rescaled; the mean is unchanged."""
        columns = forecast.columns
        spread = log_spread(columns)
        mean = np.asarray(columns["mean"], dtype=float)
        wide80 = around(mean, spread * self.k80 / Z80)
        wide95 = around(mean, spread * self.k95 / Z95)
        frame = clipped_columns(
            columns[PERIOD],
            mean,
            wide80["lower_80"],
            wide80["upper_80"],
            wide95["lower_95"],
            wide95["upper_95"],
        )
        return Forecast(frame, forecast.model, forecast.note, forecast.params)


def calibration(rows) -> Calibration:
    """The factors from one model's backtest rows: ``cutoff, actual, mean`` and the bounds,
    as a DataFrame or as plain arrays by column."""
    actual = np.asarray(rows["actual"], dtype=float)
    if len(actual) == 0:
        return Calibration()
    spread = log_spread(rows)
    errors = np.abs(np.log1p(actual) - np.log1p(np.asarray(rows["mean"], dtype=float)))
    ratio = errors / spread
    n = len(np.unique(np.asarray(rows["cutoff"])))
    k80 = float(np.quantile(ratio, 0.8))
    k95 = float(np.quantile(ratio, 0.95))
    share = n / (n + PRIOR_ORIGINS)
    k80 = share * k80 + (1 - share) * Z80
    k95 = share * k95 + (1 - share) * Z95
    # The 95 % interval is at least as much wider than the 80 % as a normal one is: its
    # quantile rests on the few largest errors.
    k95 = max(k95, k80 * Z95 / Z80)
    return Calibration(k80, k95, n)


def held_by_calibrated(rows) -> dict | None:
    """How many backtest forecasts fell inside the calibrated 80 % and 95 % intervals.

    Each origin's forecasts are judged with the factors calibrated on the *other* origins:
    calibrated on themselves, the intervals would hold about 80 % by construction and say
    nothing of how far to trust them. None with fewer than two origins.

    Returns
    -------
    dict or None
        ``checked`` (forecasts of past periods), ``held_80``, ``held_95``.
    """
    cutoffs = np.asarray(rows["cutoff"]) if len(rows["actual"]) else np.array([])
    origins = np.unique(cutoffs)
    if len(origins) < 2:
        return None
    actual = np.asarray(rows["actual"], dtype=float)
    spread = log_spread(rows)
    errors = np.abs(np.log1p(actual) - np.log1p(np.asarray(rows["mean"], dtype=float)))
    held_80 = held_95 = 0
    for origin in origins:
        at = cutoffs == origin
        factors = calibration({c: np.asarray(v)[~at] for c, v in rows.items()})
        # A hair of tolerance: a count exactly on a bound is inside, as in the scores.
        held_80 += int(np.sum(errors[at] <= spread[at] * factors.k80 * (1 + 1e-9)))
        held_95 += int(np.sum(errors[at] <= spread[at] * factors.k95 * (1 + 1e-9)))
    return {"checked": len(actual), "held_80": held_80, "held_95": held_95}
