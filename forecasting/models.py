"""Forecast models for count series, all behind one interface.

Every model is a function

``model(history, horizon, exog_history=None, exog_future=None, *, params=None,
start_params=None, exog_future_sd=None) -> Forecast``

``history`` holds float counts on consecutive month starts (or weeks); the season length
(12 or 52) follows from the index. ``exog_history`` / ``exog_future`` are the regressor
*already lagged* by the caller, aligned with ``history`` and with the ``horizon`` periods
after it; only :func:`sarimax` uses them. ``params`` (from a previous :class:`Forecast`)
skips estimation and only filters the new history with those parameters, which is how the
backtest reuses the fit of its first origin; ``start_params`` only warm-starts estimation.
``exog_future_sd`` is the standard error of regressor values that are themselves forecasts
(0 where the lagged flow is observed); SARIMAX widens its intervals by it.

Counts are counts: every mean and interval bound is clipped at 0. Means are never rounded.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from forecasting.series import season_length

PERIOD = "period"
BOUNDS = ("lower_80", "upper_80", "lower_95", "upper_95")
FORECAST_COLUMNS = (PERIOD, "mean", *BOUNDS)

SEASONAL_NAIVE = "seasonal_naive"
ETS = "ets"
SARIMAX = "sarimax"
CROSTON_SBA = "croston_sba"
FALLBACK = "fallback"

#: The one SARIMAX specification tried: few parameters keep ~500 series within minutes,
#: and the seasonal MA on the seasonal difference is the "airline" part that fits most
#: monthly crime counts; the AR(1) takes up short-run persistence.
SARIMAX_ORDER = (1, 0, 0)
SARIMAX_SEASONAL_ORDER = (0, 1, 1)
#: Smoothing constant of Croston's method; 0.1 is the usual choice for monthly counts.
CROSTON_ALPHA = 0.1

_Z80 = float(stats.norm.ppf(0.9))
_Z95 = float(stats.norm.ppf(0.975))


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


# -- helpers -----------------------------------------------------------------------------------


def future_periods(index: pd.DatetimeIndex, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` periods after the last one of a regular monthly or weekly index."""
    return _future_periods(index[-1], horizon, season_length(index))


@lru_cache(maxsize=4096)
def _future_periods(last: pd.Timestamp, horizon: int, m: int) -> pd.DatetimeIndex:
    # Cached: a backtest asks for the same few ranges dozens of times per series, and
    # building one costs more than the filter step it serves.
    if m == 12:
        first = last + pd.DateOffset(months=1)
        return pd.date_range(first, periods=horizon, freq="MS", name=PERIOD)
    first = last + pd.Timedelta(days=7)
    return pd.date_range(first, periods=horizon, freq=pd.Timedelta(days=7), name=PERIOD)


def _columns(periods, mean, lower_80, upper_80, lower_95, upper_95) -> dict[str, np.ndarray]:
    columns = {"mean": mean, "lower_80": lower_80, "upper_80": upper_80}
    columns |= {"lower_95": lower_95, "upper_95": upper_95}
    # Counts are never negative, so neither is any forecast of them or its bounds.
    clipped = {k: np.clip(np.asarray(v, dtype=float), 0.0, None) for k, v in columns.items()}
    return {PERIOD: pd.DatetimeIndex(periods).to_numpy(), **clipped}


def _normal_columns(periods, mean, sd) -> dict[str, np.ndarray]:
    mean, sd = np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    return _columns(
        periods,
        mean,
        mean - _Z80 * sd,
        mean + _Z80 * sd,
        mean - _Z95 * sd,
        mean + _Z95 * sd,
    )


@contextmanager
def _recorded_warnings(notes: list[str]):
    """Silence warnings while fitting but keep their text for the forecast's note."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).splitlines()[0]}"
        if text not in notes:
            notes.append(text)


def _check(history: pd.Series, horizon: int, minimum: int, model: str) -> np.ndarray:
    if horizon < 1:
        raise ValueError(f"`horizon` must be an integer greater than 0. Got {horizon!r}.")
    if len(history) < minimum:
        raise ValueError(
            f"{model} needs at least {minimum} periods of history. Got {len(history)}."
        )
    return history.to_numpy(dtype=float)


# -- models ------------------------------------------------------------------------------------


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
    y = _check(history, horizon, m + 1, SEASONAL_NAIVE)
    steps = np.arange(horizon)
    mean = y[len(y) - m + steps % m]
    sigma = float(np.sqrt(np.mean((y[m:] - y[:-m]) ** 2)))
    sd = sigma * np.sqrt(steps // m + 1)
    return Forecast(
        _normal_columns(future_periods(history.index, horizon), mean, sd), SEASONAL_NAIVE
    )


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

    Additive seasonality when the history holds two full seasons, none otherwise. Fitted on
    the counts themselves, not on ``log1p``: the back-transformed mean of a log model is a
    median, biased low exactly for the small counts that matter here, and the exact
    (closed-form) intervals of the additive model come from ``get_prediction``. Initial
    states use the heuristic initialisation, which leaves 3–4 parameters to estimate
    instead of 17 and makes the fit about 20× faster.
    """
    m = season_length(history.index)
    y = _check(history, horizon, 10, ETS)
    seasonal = len(y) >= 2 * m
    notes: list[str] = []
    # ETSResults.get_prediction fails on a plain ndarray in statsmodels 0.15
    # ("'numpy.ndarray' object has no attribute 'index'"), so the data stay a Series.
    endog = pd.Series(y)
    # Imported here: statsmodels takes about a second to import, paid only when fitting.
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with _recorded_warnings(notes):
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
    frame = _normal_columns(future_periods(history.index, horizon), mean, sd)
    fitted = tuple(float(v) for v in np.asarray(result.params))
    return Forecast(frame, ETS, "; ".join(notes), fitted)


def sarimax(
    history: pd.Series,
    horizon: int,
    exog_history: pd.Series | None = None,
    exog_future: pd.Series | None = None,
    *,
    params=None,
    start_params=None,
    exog_future_sd=None,
) -> Forecast:
    """Seasonal ARIMA (1,0,0)(0,1,1,m), with one regressor when ``exog_history`` is given.

    The regressor is used as passed: lagging it, and deciding which future values are known,
    is the caller's job (see :mod:`forecasting.backtest`). Counts and regressor are divided
    by their standard deviations before fitting, which roughly halves the optimiser's
    function calls; the two scales are stored at the front of ``params`` so that reusing
    the parameters on a longer history keeps the first fit's units.

    For horizons up to one season the seasonal difference is taken here rather than in
    the state space, and the innovation variance is concentrated out of the likelihood:
    the same model and the same estimates, with a state a third the size and one parameter
    fewer, which makes a fit about 2.5 times faster. The forecast of the counts is then
    last season's count plus the forecast difference, with the difference's variance.
    """
    m = season_length(history.index)
    y = _check(history, horizon, 2 * m, SARIMAX)
    if (exog_history is None) != (exog_future is None):
        raise ValueError("`exog_history` and `exog_future` must be given together.")
    x = xf = None
    if exog_history is not None:
        if not exog_history.index.equals(history.index):
            raise ValueError("`exog_history` must have the same index as `history`.")
        if len(exog_future) != horizon:
            raise ValueError(
                f"`exog_future` must have {horizon} values (one per horizon). "
                f"Got {len(exog_future)}."
            )
        x = exog_history.to_numpy(dtype=float)
        xf = exog_future.to_numpy(dtype=float)
        if not (np.isfinite(x).all() and np.isfinite(xf).all()):
            raise ValueError("The regressor has missing values.")
    if params is not None:
        y_scale, x_scale, *model_params = params
    else:
        y_scale = float(np.std(y)) or 1.0
        x_scale = (float(np.std(x)) or 1.0) if x is not None else 1.0
        model_params = None
    differenced = horizon <= m
    notes: list[str] = []
    from statsmodels.tsa.statespace.sarimax import SARIMAX as _SARIMAX

    with _recorded_warnings(notes):
        if differenced:
            endog = (y[m:] - y[:-m]) / y_scale
            exog = None
            future_exog = None
            if x is not None:
                both = np.concatenate([x, xf]) / x_scale
                steps = both[m:] - both[:-m]
                exog, future_exog = steps[: len(y) - m], steps[len(y) - m :]
            model = _SARIMAX(
                endog,
                exog=exog,
                order=SARIMAX_ORDER,
                seasonal_order=(0, 0, SARIMAX_SEASONAL_ORDER[2], m),
                concentrate_scale=True,
            )
        else:
            future_exog = None if xf is None else xf / x_scale
            model = _SARIMAX(
                y / y_scale,
                exog=None if x is None else x / x_scale,
                order=SARIMAX_ORDER,
                seasonal_order=(*SARIMAX_SEASONAL_ORDER, m),
                concentrate_scale=True,
            )
        if model_params is not None:
            result = model.filter(np.asarray(model_params, dtype=float), cov_type="none")
        else:
            start = None if start_params is None else np.asarray(start_params[2:], dtype=float)
            # pgtol 1e-4 instead of 1e-5: a tenth fewer iterations; forecasts move by
            # about a hundredth of a standard deviation of the counts.
            result = model.fit(start_params=start, disp=False, cov_type="none", pgtol=1e-4)
        prediction = result.get_forecast(horizon, exog=future_exog)
        mean = np.asarray(prediction.predicted_mean, dtype=float) * y_scale
        variance = np.asarray(prediction.var_pred_mean, dtype=float) * y_scale**2
    if differenced:
        mean = mean + y[len(y) - m : len(y) - m + horizon]
    if x is not None and exog_future_sd is not None:
        # SARIMAX treats future regressor values as known; where they are forecasts, their
        # error passes into the counts through the coefficient (regression with SARIMA
        # errors), so its variance is added. Without this the 80 % intervals of lagged
        # models covered about a third of the backtest actuals.
        beta = float(np.asarray(result.params)[model.param_names.index("x1")])
        beta *= y_scale / x_scale
        variance = variance + (beta * np.asarray(exog_future_sd, dtype=float)) ** 2
    sd = np.sqrt(variance)
    frame = _normal_columns(future_periods(history.index, horizon), mean, sd)
    fitted = (y_scale, x_scale, *(float(v) for v in np.asarray(result.params)))
    return Forecast(frame, SARIMAX, "; ".join(notes), fitted)


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
    y = _check(history, horizon, 1, CROSTON_SBA)
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
    frame = _columns(
        future_periods(history.index, horizon),
        rate * ones,
        q[0] * ones,
        q[1] * ones,
        q[2] * ones,
        q[3] * ones,
    )
    return Forecast(frame, CROSTON_SBA)


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
    """The mean of the last season (or of all data, if shorter), with Poisson intervals.

    For series too short or too sparse to choose a model: no parameters to estimate, and a
    Poisson interval is the least one can say about a count with that mean.
    """
    m = season_length(history.index)
    y = _check(history, horizon, 1, FALLBACK)
    rate = float(np.mean(y[-m:]))
    quantiles = [0.1, 0.9, 0.025, 0.975]
    bounds = stats.poisson.ppf(quantiles, rate) if rate > 0 else np.zeros(4)
    ones = np.ones(horizon)
    frame = _columns(
        future_periods(history.index, horizon),
        rate * ones,
        *(bound * ones for bound in bounds),
    )
    return Forecast(frame, FALLBACK)


#: The models by name, as the backtest settings refer to them.
MODELS: dict[str, Model] = {
    SEASONAL_NAIVE: seasonal_naive,
    ETS: ets,
    SARIMAX: sarimax,
    CROSTON_SBA: croston_sba,
    FALLBACK: fallback,
}
