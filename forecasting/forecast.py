"""One series, one call: classify, backtest the candidates, choose by MASE, forecast.

:func:`forecast_series` is what the dashboard calls for a single series; it never fits a
model blindly: series too short, all zero or too sparse get the fallback (mean of the last
season with Poisson intervals), intermittent series are only offered Croston (SBA) and
seasonal naive, and the message says which path was taken and why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecasting.backtest import (
    BACKTEST_COLUMNS,
    SCORE_COLUMNS,
    BacktestSettings,
    choose,
    model_inputs,
    rolling_backtest,
    score,
)
from forecasting.models import CROSTON_SBA, ETS, FALLBACK, MODELS, SEASONAL_NAIVE, fallback
from forecasting.series import INTERMITTENT, OK, classify, period_unit, season_length


@dataclass(frozen=True)
class SeriesForecast:
    """The forecast of one series with the evidence behind the model choice.

    Attributes
    ----------
    forecast : DataFrame
        ``period, mean, lower_80, upper_80, lower_95, upper_95`` (floats, >= 0).
    backtest : DataFrame
        The tidy rolling-origin backtest (empty for the fallback).
    scores : DataFrame
        ``model, lag, mase, coverage_80, coverage_95, n`` per candidate (empty for the
        fallback).
    chosen : str
        Name of the model that made ``forecast``.
    lag : float
        Lag of the flows used as regressor, NaN if none.
    message : str
        What the output shows: the path taken, the choice and any fit warnings.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    scores: pd.DataFrame
    chosen: str
    lag: float
    message: str


def default_settings(series: pd.Series, horizon: int = 6) -> BacktestSettings:
    """Backtest settings matching the series' frequency: train on at least two seasons.

    Weekly series leave SARIMAX out: a seasonal MA at lag 52 makes a 53-dimensional state,
    and one weekly series took about 14 s instead of 0.2 s.
    """
    m = season_length(series.index)
    settings = BacktestSettings(horizon=horizon, season_length=m, min_train=2 * m)
    if m > 12:
        settings = replace(settings, models=(SEASONAL_NAIVE, ETS))
    return settings


def forecast_series(
    series: pd.Series,
    *,
    horizon: int = 6,
    exog: pd.Series | None = None,
    settings: BacktestSettings | None = None,
) -> SeriesForecast:
    """Forecast one count series ``horizon`` periods ahead with the model its backtest favours.

    Parameters
    ----------
    series : Series
        Non-negative counts on consecutive month starts (or weeks).
    horizon : int
        Periods to forecast.
    exog : Series, optional
        Migration flows (not lagged) on the same kind of index; tried as SARIMAX regressor
        at the lags of ``settings.exog_lags``. Flows after the series' last period are not
        used, as in the backtest.
    settings : BacktestSettings, optional
        Defaults to :func:`default_settings`; its horizon must equal ``horizon``.

    Returns
    -------
    SeriesForecast
    """
    if settings is None:
        settings = default_settings(series, horizon)
    elif settings.horizon != horizon:
        raise ValueError(
            f"`horizon` is {horizon} but `settings.horizon` is {settings.horizon}; "
            "they must be equal."
        )
    found = classify(series, horizon)
    if found.status not in (OK, INTERMITTENT):
        result = fallback(series, horizon)
        return SeriesForecast(
            result.frame, _empty_backtest(), _empty_scores(), FALLBACK, np.nan, found.message
        )
    if found.status == INTERMITTENT:
        # Smooth-series models would chase the zeros; Croston is built for them.
        settings = replace(settings, models=(CROSTON_SBA, SEASONAL_NAIVE))
        exog = None
    backtest = rolling_backtest(series, settings, exog)
    scores = score(backtest)
    row = choose(scores)
    model, lag = str(row["model"]), float(row["lag"])
    train, x_train, x_future, future_sd = model_inputs(
        series, len(series), horizon, lag, exog, settings.exog_future
    )
    result = MODELS[model](train, horizon, x_train, x_future, exog_future_sd=future_sd)
    message = _message(found.message, row, scores, backtest, period_unit(series.index))
    if result.note:
        message += f" Fit warnings: {result.note.rstrip('.')}."
    return SeriesForecast(result.frame, backtest, scores, model, lag, message)


def _message(prefix: str, row: pd.Series, scores, backtest, unit: str) -> str:
    label = str(row["model"])
    if not np.isnan(row["lag"]):
        label += f" with flows lagged {int(row['lag'])} {unit}"
    naive = scores.loc[scores["model"] == SEASONAL_NAIVE, "mase"]
    versus = f"; seasonal naive {naive.iloc[0]:.2f}" if len(naive) else ""
    n_origins = backtest["cutoff"].nunique()
    text = (
        f"Chosen by backtest over {n_origins} origins: {label} "
        f"(MASE {row['mase']:.2f}{versus}; 80 % interval coverage {row['coverage_80']:.0%}, "
        f"95 % {row['coverage_95']:.0%})."
    )
    return f"{prefix} {text}" if prefix else text


def _empty_backtest() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float) for c in BACKTEST_COLUMNS})


def _empty_scores() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float) for c in SCORE_COLUMNS})
