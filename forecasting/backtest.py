"""Rolling-origin backtests of the forecast models, their scores, and the choice between them.

At every origin (``cutoff`` = the last training period) each candidate model sees only the
series up to the cutoff and forecasts the next ``horizon`` periods; :func:`score` turns the
tidy result into one row per model (and regressor lag) and :func:`choose` picks the lowest
relative error, the simplest model winning ties.

The score that chooses is ``rel_mae``: at each origin the model's mean absolute error over
the horizon divided by the no-change forecast's at the same origin, averaged over the
origins as a weighted geometric mean (recent origins weigh up to twice the oldest). Below 1
beats "no change". Relative errors per origin keep a crisis year, whose errors are a
hundred times those of a quiet one, from deciding alone; MASE is reported beside it.

Nothing after a cutoff is used, regressor included. The rule for the migration flows
lagged by ``lag`` periods: the regressor of period ``t`` is the flow of ``t - lag``; for a
forecast made at cutoff ``T`` it is the observed flow when ``t - lag <= T`` (horizons
``h <= lag``) and otherwise a forecast of the flow made from flows up to ``T`` only (by
default the mean of the last season; see :class:`BacktestSettings`). Flows observed after
``T`` are cut off before the regressor is built, so they cannot leak in.

Every model is refitted at every origin, except SARIMAX: to stay fast its parameters are
estimated once, at the first (earliest) origin, and reused, by filtering only, at the later
origins. Parameters from an earlier window know even less of the future, so this never
looks ahead; it costs a little accuracy against refitting at every origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.models import (
    BOUNDS,
    CROSTON_SBA,
    ETS,
    FALLBACK,
    LEVEL,
    MODELS,
    NAIVE,
    PERIOD,
    SARIMAX,
    SEASONAL_NAIVE,
    future_periods,
)
from forecasting.series import check_counts, period_unit, season_length
from threatmon.errors import TooFewPeriodsError

CUTOFF = "cutoff"
BACKTEST_COLUMNS = (
    "model",
    "lag",
    CUTOFF,
    PERIOD,
    "h",
    "actual",
    "mean",
    *BOUNDS,
    "scale",
    "note",
)
SCORE_COLUMNS = (
    "model",
    "lag",
    "rel_mae",
    "mase",
    "coverage_80",
    "coverage_95",
    "n",
    "rel_total",
)
#: The model that takes the migration flows as regressor; tried only when flows are given.
FLOW_MODEL = SARIMAX
#: Models whose parameters the backtest estimates once, at the first origin (see above).
REUSED = frozenset({SARIMAX})
#: Order of preference on equal scores: the simpler model first.
SIMPLICITY = (NAIVE, SEASONAL_NAIVE, LEVEL, CROSTON_SBA, ETS, "combination", SARIMAX, FALLBACK)
#: Weight of the latest origin relative to the earliest in ``rel_mae`` (linear between).
RECENT_WEIGHT = 2.0
EXOG_FUTURE_RULES = ("last_season_mean", "seasonal_naive")


@dataclass(frozen=True)
class BacktestSettings:
    """How the rolling-origin backtest runs; validated when built.

    Attributes
    ----------
    horizon : int
        Periods forecast from each origin.
    n_origins : int
        Number of origins, the last one ``horizon`` periods before the end of the series.
    step : int
        Periods between consecutive origins.
    min_train : int
        Fewest training periods at an origin; earlier origins are dropped.
    season_length : int
        1 for yearly, 4 quarterly, 12 monthly, 52 weekly series; must match the series.
    models : tuple of str
        Candidate models, names of :data:`forecasting.models.MODELS`.
    flow_model : str or None
        The model tried when flows are given (SARIMAX), with the flows at each of
        ``exog_lags``; None never tries it. (Without the flows it is a candidate only if
        it is one of ``models``: the recent level and ETS are the comparison without.)
    flow_origins : int
        The flow model is backtested at the latest ``flow_origins`` origins only: SARIMAX
        takes 0.1–0.5 s to fit and 10 ms to filter where the other models take a
        millisecond, and the refresh of all demo series must stay within 3 minutes. The
        latest, because its parameters are estimated at the first of its origins, and a
        fit on two years and a half took several times as long as one on four.
    exog_lags : tuple of int
        Lags of the flows tried as regressor of ``flow_model``. The default leaves lag
        0 out: the flows of the months
        being forecast are never known when the forecast is made, so a same-month
        regressor only ever sees the stand-in values, never information.
    exog_future : str
        How flows after the cutoff are forecast: ``"last_season_mean"`` (flat, the mean
        of the last season) or ``"seasonal_naive"``. The flat mean is the default because
        a seasonal-naive guess of flows without a stable season has twice their variance.
    reuse_params : bool
        Estimate SARIMAX once at the first origin and only filter at later ones (see
        module doc).

    >>> BacktestSettings(horizon=3).horizon
    3
    """

    horizon: int = 12
    n_origins: int = 16
    step: int = 2
    min_train: int = 13
    season_length: int = 12
    models: tuple[str, ...] = (NAIVE, SEASONAL_NAIVE, LEVEL, ETS)
    flow_model: str | None = FLOW_MODEL
    exog_lags: tuple[int, ...] = (1, 2, 3)
    exog_future: str = "last_season_mean"
    reuse_params: bool = True
    flow_origins: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(self.models))
        object.__setattr__(self, "exog_lags", tuple(int(lag) for lag in self.exog_lags))
        for name in ("horizon", "n_origins", "step", "min_train", "season_length", "flow_origins"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"`{name}` must be an integer greater than 0. Got {value!r}.")
        unknown = [m for m in self.models if m not in MODELS]
        if unknown or not self.models or self.flow_model not in (None, *MODELS):
            raise ValueError(
                f"`models` must be non-empty names out of {sorted(MODELS)}. Got {self.models!r}."
            )
        negative = [lag for lag in self.exog_lags if lag < 0]
        if negative:
            raise ValueError(f"`exog_lags` must be 0 or greater. Got {negative[0]!r}.")
        if self.exog_future not in EXOG_FUTURE_RULES:
            raise ValueError(
                f"`exog_future` must be one of {EXOG_FUTURE_RULES}. Got {self.exog_future!r}."
            )


# -- building blocks ---------------------------------------------------------------------------


def origins(n: int, settings: BacktestSettings) -> list[int]:
    """Training lengths at the origins, ascending: ``n - horizon``, then back by ``step``."""
    last = n - settings.horizon
    found = [last - i * settings.step for i in range(settings.n_origins)]
    return sorted(size for size in found if size >= settings.min_train)


def _ordinals(index: pd.DatetimeIndex, m: int) -> np.ndarray:
    """Period numbers on one scale, so that period ``t - lag`` is ``ordinal - lag``."""
    if m in (1, 4, 12):
        # Months since 1970 straight from the datetime64 values: the .year / .month
        # accessors cost a fifth of a millisecond each, many times per series. Quarter
        # and year starts are whole multiples of 3 and 12 months after January 1970.
        months = index.to_numpy().astype("datetime64[M]").astype(np.int64)
        return months // (12 // m)
    return index.as_unit("ns").asi8 // pd.Timedelta(days=7).value


def lagged_exog(
    flows: pd.Series,
    cutoff: pd.Timestamp,
    periods: pd.DatetimeIndex,
    lag: int,
    rule: str = "last_season_mean",
) -> pd.DataFrame:
    """The flows lagged by ``lag`` for ``periods``, as known at ``cutoff``.

    Parameters
    ----------
    flows : Series
        Flows on the same regular index type as the counts; values after ``cutoff``
        are ignored.
    cutoff : Timestamp
        The last period whose flows may be used.
    periods : DatetimeIndex
        The periods that need a regressor value (training and forecast periods).
    lag : int
        The regressor of period ``t`` is the flow of ``t - lag``.
    rule : str
        How flows after ``cutoff`` are forecast: the mean of the last season of known
        flows, or their seasonal-naive forecast.

    Returns
    -------
    DataFrame
        On ``periods``: ``value`` (NaN where ``t - lag`` lies before the first known flow)
        and ``sd``, the standard error of a forecast value (0 where the flow is observed):
        the last season's standard deviation times ``sqrt(1 + 1/m)`` for the mean, the
        RMS seasonal difference times ``sqrt(k + 1)`` for seasonal naive.
    """
    known = flows[flows.index <= cutoff]
    m = season_length(periods)
    if len(known) == 0:
        return pd.DataFrame({"value": np.nan, "sd": np.nan}, index=periods)
    raw = known.to_numpy(float)
    # The flows' index is regular, so period ordinal ``o`` sits at position ``o - first``.
    first = int(_ordinals(known.index[:1], m)[0])
    last = first + len(raw) - 1
    recent = raw[-m:]
    spread = float(np.std(recent, ddof=1)) if len(recent) > 1 else 0.0
    mean_sd = spread * np.sqrt(1 + 1 / len(recent))
    diffs = raw[m:] - raw[:-m]
    naive_sd = float(np.sqrt(np.mean(diffs**2))) if len(diffs) else spread

    def at(ordinals: np.ndarray) -> np.ndarray:
        position = ordinals - first
        inside = (position >= 0) & (position < len(raw))
        return np.where(inside, raw[np.clip(position, 0, len(raw) - 1)], np.nan)

    source = _ordinals(periods, m) - lag
    observed = source <= last
    if rule == "seasonal_naive":
        # The same period of the last known season, stepping back whole seasons.
        seasons = np.where(observed, 0, (source - last - 1) // m + 1)
        value = at(source - m * seasons)
        sd = np.where(observed, 0.0, naive_sd * np.sqrt(seasons))
    else:
        value = np.where(observed, at(source), float(np.mean(recent)))
        sd = np.where(observed, 0.0, mean_sd)
    return pd.DataFrame({"value": value, "sd": sd}, index=periods, dtype=float)


#: Seasons of training data (before each origin) whose seasonal-naive error scales MASE.
SCALE_SEASONS = 3


def naive_scale(train: np.ndarray, m: int) -> float:
    """In-sample MAE of the seasonal naive forecast: the MASE denominator at one origin.

    Over the last :data:`SCALE_SEASONS` seasons of training data (and a season before
    them), not all of it: a crisis years back, with errors a hundred times today's, would
    otherwise make every error now look negligible. Falls back to the lag-1 naive MAE when
    the series repeats itself exactly every season, and to 1 (errors in counts) when it is
    constant.
    """
    recent = train[-(SCALE_SEASONS + 1) * max(m, 1) :]
    for lag in (m, 1):
        if len(recent) > lag:
            mae = float(np.mean(np.abs(recent[lag:] - recent[:-lag])))
            if mae > 0:
                return mae
    return 1.0


def _candidates(settings: BacktestSettings, has_exog: bool) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = [(model, np.nan) for model in settings.models]
    flow_model = settings.flow_model
    if has_exog and flow_model is not None:
        out += [(flow_model, float(lag)) for lag in settings.exog_lags]
    return out


def _check_settings(series: pd.Series, exog: pd.Series | None, settings: BacktestSettings):
    check_counts(series)
    m = season_length(series.index)
    if m != settings.season_length:
        raise ValueError(
            f"`season_length` is {settings.season_length} but the series is in "
            f"{period_unit(series.index)} (season length {m})."
        )
    if exog is not None:
        if not isinstance(exog, pd.Series):
            raise ValueError(f"`exog` must be a pandas Series. Got {type(exog).__name__}.")
        if period_unit(exog.index) != period_unit(series.index):
            raise ValueError("`exog` must have the same frequency as the series.")
        if not np.isfinite(exog.to_numpy(dtype=float)).all():
            raise ValueError("`exog` has missing values.")


def model_inputs(
    series: pd.Series,
    size: int,
    horizon: int,
    lag: float,
    exog: pd.Series | None,
    rule: str,
) -> tuple[pd.Series, pd.Series | None, pd.Series | None, np.ndarray | None]:
    """Training counts, lagged regressor and its future standard errors at an origin.

    The origin comes after ``size`` periods; see :func:`lagged_exog` for the regressor.

    Leading periods whose lagged flow is unknown (flows start later than the counts) are
    dropped from the training data.
    """
    train = series.iloc[:size]
    if exog is None or np.isnan(lag):
        return train, None, None, None
    cutoff = train.index[-1]
    future = future_periods(train.index, horizon)
    x = lagged_exog(exog, cutoff, train.index.append(future), int(lag), rule)
    x_train, x_future = x["value"].iloc[:size], x["value"].iloc[size:]
    future_sd = x["sd"].to_numpy()[size:]
    known = np.isfinite(x_train.to_numpy())
    first = int(np.argmax(known)) if known.any() else size
    return train.iloc[first:], x_train.iloc[first:], x_future, future_sd


# -- the backtest ------------------------------------------------------------------------------


def rolling_backtest(
    series: pd.Series,
    settings: BacktestSettings,
    exog: pd.Series | None = None,
    *,
    series_id=None,
) -> pd.DataFrame:
    """Forecasts of every candidate model from every origin, next to what happened.

    The tidy frame of :func:`backtest_columns`; see there.
    """
    columns = backtest_columns(series, settings, exog)
    if columns is None:
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in BACKTEST_COLUMNS})
    else:
        out = pd.DataFrame(columns)
    if series_id is not None:
        out.insert(0, "series_id", series_id)
    return out


def backtest_columns(
    series: pd.Series, settings: BacktestSettings, exog: pd.Series | None = None
) -> dict[str, np.ndarray] | None:
    """Forecasts of every candidate model from every origin, as plain arrays.

    Parameters
    ----------
    series : Series
        Counts on consecutive month starts (or weeks).
    settings : BacktestSettings
        Horizon, origins, candidate models and regressor lags.
    exog : Series, optional
        Migration flows (not yet lagged) on the same kind of index. With flows, the flow
        model (SARIMAX) is tried without regressor and with the flows at each of
        ``settings.exog_lags``.

    Returns
    -------
    DataFrame
        One row per model, lag, cutoff and horizon: ``model, lag`` (NaN for models
        without regressor), ``cutoff`` (last training period), ``period, h, actual, mean,
        lower_80, upper_80, lower_95, upper_95``, ``scale`` (the seasonal-naive in-sample
        MAE of the training data, the MASE denominator) and ``note`` (fit warnings). A
        candidate that cannot be fitted at some origin (too little data after lagging,
        a numerical failure) is left out entirely, so all candidates share the origins.

    Raises
    ------
    TooFewPeriodsError
        If no origin leaves ``min_train`` training periods and a full horizon.
    """
    _check_settings(series, exog, settings)
    n, h, m = len(series), settings.horizon, settings.season_length
    sizes = origins(n, settings)
    if not sizes:
        raise TooFewPeriodsError(
            f"The series has {n} periods; a backtest with min_train={settings.min_train} "
            f"and horizon={h} needs at least {settings.min_train + h}.",
            needed=settings.min_train + h,
            found=n,
        )
    values = series.to_numpy(dtype=float)
    parts = []
    warm: dict[tuple[str, bool], tuple[float, ...] | None] = {}
    for model, lag in _candidates(settings, exog is not None):
        fit = MODELS[model]
        params = None
        # A regression variant starts from the previous one's fit (another lag), or from
        # the fit without regressor with a coefficient of 0: about a third fewer iterations.
        start = None
        if model == SARIMAX and not np.isnan(lag):
            start = warm.get((model, True))
            plain = warm.get((model, False))
            if start is None and plain is not None:
                start = (*plain[:2], 0.0, *plain[2:])
        rows = []
        try:
            mine = sizes[-settings.flow_origins :] if model == settings.flow_model else sizes
            for size in mine:
                train, x_train, x_future, future_sd = model_inputs(
                    series, size, h, lag, exog, settings.exog_future
                )
                forecast = fit(
                    train,
                    h,
                    x_train,
                    x_future,
                    params=params,
                    start_params=start if params is None else None,
                    exog_future_sd=future_sd,
                )
                if params is None:
                    warm[(model, not np.isnan(lag))] = forecast.params
                if settings.reuse_params and model in REUSED and params is None:
                    params = forecast.params
                # Plain arrays, one DataFrame at the end: assembling a frame per origin
                # took a fifth of the backtest of a fast model.
                frame = forecast.columns
                rows.append(
                    {
                        "model": np.full(h, model, dtype=object),
                        "lag": np.full(h, lag),
                        CUTOFF: np.repeat(series.index[size - 1].to_datetime64(), h),
                        PERIOD: frame[PERIOD],
                        "h": np.arange(1, h + 1),
                        "actual": values[size : size + h],
                        **{c: frame[c] for c in ("mean", *BOUNDS)},
                        "scale": np.full(h, naive_scale(values[:size], m)),
                        "note": np.full(h, forecast.note, dtype=object),
                    }
                )
        except (ValueError, np.linalg.LinAlgError):
            continue
        parts += rows
    if not parts:
        return None
    return {c: np.concatenate([part[c] for part in parts]) for c in BACKTEST_COLUMNS}


def score(backtest: pd.DataFrame) -> pd.DataFrame:
    """Per model and lag (and ``series_id``, if present): rel_mae, MASE, coverage, n.

    ``rel_mae`` is the weighted geometric mean over the origins of the model's mean
    absolute error divided by the no-change forecast's at the same origin (seasonal
    naive's when no-change was not run; the plain error when neither was): below 1 beats
    "no change". Origins weigh from 1 (the earliest) to :data:`RECENT_WEIGHT` (the latest).
    ``rel_total`` is the same for the error of the total over the horizon (the sum of the
    forecasts against the sum of what happened): an intermittent series is chosen by it,
    as the mean absolute error of single periods favours forecasting zero, which is the
    median of such a series but says nothing about how many to expect.
    ``mase`` is the mean over all backtest forecasts of the absolute error divided by that
    origin's ``scale`` (the in-sample seasonal-naive MAE of its recent training data, see
    :func:`naive_scale`). ``coverage_80`` / ``coverage_95`` are the shares of actuals
    inside the model's own intervals. Sorted by ``rel_mae``.
    """
    keys = [k for k in ("series_id", "model", "lag") if k in backtest.columns]
    if backtest.empty:
        columns = [k for k in keys if k not in SCORE_COLUMNS] + list(SCORE_COLUMNS)
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    return score_columns({c: backtest[c].to_numpy() for c in backtest.columns}, keys)


def score_columns(columns: dict[str, np.ndarray], keys=("model", "lag")) -> pd.DataFrame:
    """:func:`score` of a backtest held as plain arrays (what :func:`backtest_columns` gives)."""
    keys = list(keys)
    # Plain arrays and integer codes: this runs for every forecast, and grouping a frame
    # with pandas took a third of a fast forecast's time.
    group, first = _codes(columns, keys)
    if len(keys) > 2:
        series_group, _ = _codes(columns, keys[:-2])
    else:
        series_group = np.zeros(len(group), int)
    cutoff_code = np.unique(columns[CUTOFF], return_inverse=True)[1].ravel()
    actual = np.asarray(columns["actual"], dtype=float)
    mean = np.asarray(columns["mean"], dtype=float)
    error = np.abs(actual - mean)
    inside80 = (columns["lower_80"] <= actual) & (actual <= columns["upper_80"])
    inside95 = (columns["lower_95"] <= actual) & (actual <= columns["upper_95"])
    n_groups = len(first)
    count = np.bincount(group, minlength=n_groups)

    def average(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values, minlength=n_groups) / count

    lags = np.asarray(columns["lag"], dtype=float)
    models = np.asarray(columns["model"], dtype=object)
    args = (models, lags, group, series_group, cutoff_code, actual)
    out = pd.DataFrame({k: columns[k][first] for k in keys})
    out["rel_mae"] = _relative_errors(*args, error)
    out["mase"] = average(error / np.asarray(columns["scale"], dtype=float))
    out["coverage_80"] = average(inside80.astype(float))
    out["coverage_95"] = average(inside95.astype(float))
    out["n"] = count
    out["rel_total"] = _relative_errors(*args, actual - mean, total=True)
    order = [*keys[:-2], "rel_mae"]
    return out.sort_values(order, kind="stable").reset_index(drop=True)


def _codes(columns, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Integer group codes in order of first appearance, and each group's first row."""
    size = len(columns[keys[0]]) if keys else 0
    if not keys:
        return np.zeros(size, int), np.zeros(1, int)
    code = np.zeros(size, dtype=np.int64)
    for key in keys:
        # NaN lags are one group of their own (factorize gives them -1).
        part, uniques = pd.factorize(np.asarray(columns[key]), use_na_sentinel=True)
        code = code * (len(uniques) + 1) + (part + 1)
    code, _ = pd.factorize(code)
    first = np.full(code.max() + 1, len(code))
    np.minimum.at(first, code, np.arange(len(code)))
    return code, first


def _relative_errors(
    models, lags, group, series_group, cutoff_code, actual, error, total=False
) -> np.ndarray:
    """``rel_mae`` per group (see :func:`score`); ``rel_total`` with ``total``."""
    n_groups, n_cut = group.max() + 1, cutoff_code.max() + 1
    cell = group * n_cut + cutoff_code
    sums = np.bincount(cell, weights=error, minlength=n_groups * n_cut)
    if total:  # the error of the horizon's total, per period: |sum of errors| / h
        sums = np.abs(sums)
    levels = np.bincount(cell, weights=np.abs(actual), minlength=n_groups * n_cut)
    sizes = np.bincount(cell, minlength=n_groups * n_cut)
    present = (sizes > 0).reshape(n_groups, n_cut)
    with np.errstate(invalid="ignore", divide="ignore"):
        mae = (sums / sizes).reshape(n_groups, n_cut)
        level = (levels / sizes).reshape(n_groups, n_cut)
    group_series = np.zeros(n_groups, int)
    group_series[group] = series_group
    plain = np.isnan(lags)
    reference = np.ones((n_groups, n_cut))
    for name in (NAIVE, SEASONAL_NAIVE):
        rows = (models == name) & plain
        if rows.any():
            ref_groups = np.unique(group[rows])
            by_series = np.full((series_group.max() + 1, n_cut), np.nan)
            by_series[group_series[ref_groups]] = mae[ref_groups]
            reference = by_series[group_series]
            break
    # A small floor keeps a perfect forecast (error 0) from making the ratio 0 or infinite.
    floor = 1e-3 * (level + 1.0)
    log_ratio = np.log((mae + floor) / (reference + floor))
    valid = present & np.isfinite(log_ratio)
    position = np.cumsum(valid, axis=1) - 1
    total = valid.sum(axis=1, keepdims=True)
    weight = 1.0 + (RECENT_WEIGHT - 1.0) * position / np.maximum(total - 1, 1)
    weight = np.where(valid, weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.exp(np.sum(np.where(valid, weight * log_ratio, 0.0), axis=1) / weight.sum(axis=1))


def choose(scores: pd.DataFrame, by: str = "rel_mae") -> pd.Series:
    """The row of ``scores`` with the lowest ``by`` (``rel_mae``); the simpler model wins ties.

    Raises
    ------
    ValueError
        If no row has a score.
    """
    valid = scores[scores[by].notna()]
    if valid.empty:
        raise ValueError("No model has a backtest score to choose by.")
    best = valid[by].min()
    tied = valid[np.isclose(valid[by], best, rtol=1e-9, atol=1e-12)]
    rank = tied["model"].map({m: i for i, m in enumerate(SIMPLICITY)}).fillna(len(SIMPLICITY))
    return tied.loc[rank.sort_values(kind="stable").index[0]]
