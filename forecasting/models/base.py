"""What every model shares: the :class:`Forecast` it returns, the columns of a forecast
(clipped at 0, since counts are never negative, and ordered so that the mean lies inside
its intervals), the periods ahead and the input checks."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from forecasting.series import season_length
from threatmon.errors import TooFewPeriodsError

PERIOD = "period"
BOUNDS = ("lower_80", "upper_80", "lower_95", "upper_95")
FORECAST_COLUMNS = (PERIOD, "mean", *BOUNDS)

#: Standard normal quantiles of the 80 % and 95 % two-sided intervals (0.9 and 0.975);
#: written out because importing scipy.stats costs a command-line forecast half a second.
Z80 = 1.2815515655446004
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Forecast:
    """One model's forecast.

    Attributes
    ----------
    columns : dict of arrays
        ``period, mean, lower_80, upper_80, lower_95, upper_95``; floats, all >= 0. The
        backtest reads these arrays; building a DataFrame for each of its fits took a
        tenth of a forecast's time, so :attr:`frame` is only built when asked for.
    model : str
        The model's name, e.g. ``"ets"``.
    note : str
        Warnings raised while fitting, or why a simpler method was used; "" if none.
    params : tuple of float or None
        Fitted parameters to pass back as ``params=`` (fixed) or ``start_params=``.
    """

    columns: dict[str, np.ndarray]
    model: str
    note: str = ""
    params: tuple[float, ...] | None = None

    @cached_property
    def frame(self) -> pd.DataFrame:
        """``period, mean, lower_80, upper_80, lower_95, upper_95`` as a DataFrame."""
        return pd.DataFrame(self.columns)


Model = Callable[..., Forecast]


#: Months per period and the pandas name of the period starts, by season length.
_CALENDAR_PERIODS = {1: (12, "YS"), 4: (3, "QS"), 12: (1, "MS")}


def future_periods(index: pd.DatetimeIndex, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` periods after the last one of a regular yearly, quarterly, monthly or
    weekly index."""
    return _future_periods(index[-1], horizon, season_length(index))


@lru_cache(maxsize=4096)
def _future_periods(last: pd.Timestamp, horizon: int, m: int) -> pd.DatetimeIndex:
    # Cached: a backtest asks for the same few ranges dozens of times per series, and
    # building one costs more than the filter step it serves.
    if m in _CALENDAR_PERIODS:
        months, starts = _CALENDAR_PERIODS[m]
        first = last + pd.DateOffset(months=months)
        return pd.date_range(first, periods=horizon, freq=starts, name=PERIOD)
    first = last + pd.Timedelta(days=7)
    return pd.date_range(first, periods=horizon, freq=pd.Timedelta(days=7), name=PERIOD)


def clipped_columns(periods, mean, lower_80, upper_80, lower_95, upper_95) -> dict[str, np.ndarray]:
    """A forecast's columns from its periods, mean and bounds.

    Counts are never negative, so neither is any forecast of them or its bounds; and the
    bounds are ordered around the mean (``lower_95 <= lower_80 <= mean <= upper_80 <=
    upper_95``), widening an interval that would leave out its own mean.
    """

    def clip(values) -> np.ndarray:
        return np.clip(np.asarray(values, dtype=float), 0.0, None)

    mean = clip(mean)
    lower_80 = np.minimum(clip(lower_80), mean)
    upper_80 = np.maximum(clip(upper_80), mean)
    lower_95 = np.minimum(clip(lower_95), lower_80)
    upper_95 = np.maximum(clip(upper_95), upper_80)
    columns = {"mean": mean, "lower_80": lower_80, "upper_80": upper_80}
    columns |= {"lower_95": lower_95, "upper_95": upper_95}
    if not isinstance(periods, pd.DatetimeIndex):
        periods = pd.DatetimeIndex(periods)
    return {PERIOD: periods.values, **columns}


def normal_columns(periods, mean, sd) -> dict[str, np.ndarray]:
    """The columns with normal intervals, ``mean ± z * sd``, for models with an error model."""
    mean, sd = np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    return clipped_columns(
        periods,
        mean,
        mean - Z80 * sd,
        mean + Z80 * sd,
        mean - Z95 * sd,
        mean + Z95 * sd,
    )


def scaled_columns(periods, mean, centre, sd, scale) -> dict[str, np.ndarray]:
    """The columns with intervals ``centre ± z * sd`` on the model's scale, taken back to
    counts: on the log scale they are multiplicative, never below 0 and wider above."""
    centre, sd = np.asarray(centre, dtype=float), np.asarray(sd, dtype=float)
    return clipped_columns(
        periods,
        mean,
        scale.back(centre - Z80 * sd),
        scale.back(centre + Z80 * sd),
        scale.back(centre - Z95 * sd),
        scale.back(centre + Z95 * sd),
    )


@contextmanager
def recorded_warnings(notes: list[str]):
    """Silence warnings while fitting but keep their text for the forecast's note."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).splitlines()[0]}"
        if text not in notes:
            notes.append(text)


def check_history(history: pd.Series, horizon: int, minimum: int, model: str) -> np.ndarray:
    """The history's values, once the horizon and the history's length suit ``model``."""
    if horizon < 1:
        raise ValueError(f"`horizon` must be an integer greater than 0. Got {horizon!r}.")
    if len(history) < minimum:
        raise TooFewPeriodsError(
            f"{model} needs at least {minimum} periods of history. Got {len(history)}.",
            needed=minimum,
            found=len(history),
        )
    return history.to_numpy(dtype=float)
