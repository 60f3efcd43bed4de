"""The combination: the median of the candidates' forecasts, a candidate of its own.

Combining the forecasts of a few reasonable methods was the robust winner of the
M-competitions: when the backtest cannot tell the methods apart reliably (a few years of
origins, a series that changes regime), the combination is rarely far from the best and
never as wrong as the worst. Here it is the median, period by period, of every candidate
fitted without flows: the no-change forecast (on the route × nationality series held back
for judging, the best of the simple methods), seasonal naive, the recent level and ETS
(Croston and the two baselines for an intermittent series). With four members the median
is the mean of the middle two, so one member that runs away (ETS extrapolating a surge,
seasonal naive repeating last year's crisis) cannot drag it along; held out on the real
series of ``make bench`` it beat the mean of the same members (0.90 against 0.92 of
seasonal naive's error on the Frontex routes).

Its intervals come from its members': on the log scale each member's 95 % interval implies
a spread, and the combination takes their median around its own forecast, before the
calibration (:mod:`forecasting.calibration`) scales them to its backtest errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models import BOUNDS, PERIOD, SARIMAX, Z80, Z95, Forecast
from forecasting.models.base import clipped_columns

COMBINATION = "combination"
#: Smallest spread on the log scale (a tenth of a per cent) so that a flat forecast with
#: zero-width intervals still has a shape to calibrate.
MIN_SPREAD = 1e-3


def members(columns: dict[str, np.ndarray]) -> list[tuple[str, float]]:
    """``(model, lag)`` of the combination: every candidate of the backtest without flows.

    ``columns`` as :func:`forecasting.backtest.backtest_columns` gives them. SARIMAX stays
    out: it is the flow model, tried to see whether the flows help, and its variants at
    several lags would outvote the others. Empty when fewer than three candidates were
    backtested (a median of two is their mean, which is not robust).
    """
    plain = np.isnan(np.asarray(columns["lag"], dtype=float))
    names = pd.unique(np.asarray(columns["model"], dtype=object)[plain])
    pairs = [(str(name), np.nan) for name in names if name not in (COMBINATION, SARIMAX)]
    return pairs if len(pairs) >= 3 else []


def log_spread(columns) -> np.ndarray:
    """The standard deviation on the log scale that a 95 % interval implies."""
    upper = np.log1p(np.asarray(columns["upper_95"], dtype=float))
    lower = np.log1p(np.asarray(columns["lower_95"], dtype=float))
    return np.maximum((upper - lower) / (2 * Z95), MIN_SPREAD)


def around(mean: np.ndarray, spread: np.ndarray) -> dict[str, np.ndarray]:
    """Bounds symmetric on the log scale around ``mean``, ``z * spread`` either side."""
    centre = np.log1p(np.clip(mean, 0.0, None))
    return {
        "lower_80": np.expm1(centre - Z80 * spread),
        "upper_80": np.expm1(centre + Z80 * spread),
        "lower_95": np.expm1(centre - Z95 * spread),
        "upper_95": np.expm1(centre + Z95 * spread),
    }


def combine(forecasts: list[Forecast]) -> Forecast:
    """The median of the members' forecasts, with intervals from their median log spread."""
    mean = np.median([f.columns["mean"] for f in forecasts], axis=0)
    spread = np.median([log_spread(f.columns) for f in forecasts], axis=0)
    bounds = around(mean, spread)
    periods = forecasts[0].columns[PERIOD]
    frame = clipped_columns(periods, mean, *(bounds[b] for b in BOUNDS))
    notes = "; ".join(sorted({f.note for f in forecasts if f.note}))
    return Forecast(frame, COMBINATION, notes)


def combination_columns(
    columns: dict[str, np.ndarray], chosen: list[tuple[str, float]]
) -> dict[str, np.ndarray]:
    """The combination's backtest: the members' rows combined per origin and horizon.

    ``columns`` as :func:`forecasting.backtest.backtest_columns` gives them; every member
    has a row for the same origins and horizons, in the same order.
    """
    lags = np.asarray(columns["lag"], dtype=float)
    parts = []
    for model, lag in chosen:
        same_lag = np.isnan(lags) if np.isnan(lag) else lags == lag
        parts.append(np.flatnonzero((columns["model"] == model) & same_lag))
    mean = np.median([columns["mean"][rows] for rows in parts], axis=0)
    spread = np.median(
        [log_spread({b: columns[b][rows] for b in BOUNDS}) for rows in parts], axis=0
    )
    first = parts[0]
    out = {c: np.asarray(v)[first] for c, v in columns.items()}
    bounds = clipped_columns(out[PERIOD], mean, *(around(mean, spread)[b] for b in BOUNDS))
    out.update({b: bounds[b] for b in BOUNDS})
    out["mean"] = mean
    out["model"] = np.full(len(first), COMBINATION, dtype=object)
    out["lag"] = np.full(len(first), np.nan)
    out["note"] = np.full(len(first), "", dtype=object)
    return out
