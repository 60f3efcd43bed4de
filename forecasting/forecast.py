"""One series, one call: classify, backtest the candidates, choose, calibrate, forecast.

:func:`forecast_series` is what the dashboard and the CLI call for a single series; it
never fits a model blindly:

* series that are all zero or too sparse get the recent mean with Poisson intervals,
  series too short to backtest the recent level (mean of the last 3 periods) with
  intervals from its changes; the message says which and why;
* intermittent series (judged on the last two seasons) are offered Croston (SBA) and the
  two baselines; a series that was zero for a season or more and then rose is modelled
  from the rise (:func:`forecasting.series.active_start`);
* the others are offered the no-change forecast, seasonal naive, the recent level, damped
  ETS (on the log scale when the counts span orders of magnitude), the combination of
  these (their median) and, with migration flows and at least :data:`LOW_VOLUME` counts a
  month, SARIMAX with the flows at each lag.

A period nobody reported is missing, not zero: a series with gaps is modelled on its
latest stretch reported without one, and forecast from its last reported period on
(:func:`forecasting.series.latest_stretch`).

Each candidate is backtested over the horizon shown (12 months) from 16 origins, and so
is the combination (:mod:`forecasting.combination`). The default, the recent level
(Croston for an intermittent series), is kept unless another candidate beats it by more
than :data:`DEFAULT_MARGIN` in this series' backtest: a few years of origins cannot tell
smaller differences from chance. Held out on the real monthly series of ``make bench``
the recent level was the most accurate single method, and choosing freely by backtest
made the forecasts worse, not better (0.99 against 0.84 of seasonal naive's error on the
Frontex routes).

A series has **skill** when the chosen forecast beats both baselines (no change, seasonal
naive) in the backtest; when nothing does, the no-change forecast is shown (seasonal naive
when its backtest error is under half of no change's) and the message says so. The
chosen forecast's intervals are then calibrated on its backtest errors
(:mod:`forecasting.calibration`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecasting.backtest import (
    BACKTEST_COLUMNS,
    SCORE_COLUMNS,
    SIMPLICITY,
    BacktestSettings,
    backtest_columns,
    model_inputs,
    score_columns,
)
from forecasting.calibration import Calibration, calibration, held_by_calibrated
from forecasting.combination import COMBINATION, combination_columns, combine, members
from forecasting.models import (
    BASELINES,
    CROSTON_SBA,
    ETS,
    FALLBACK,
    LEVEL,
    MODELS,
    NAIVE,
    PERIOD,
    SEASONAL_NAIVE,
    Forecast,
    fallback,
    level,
)
from forecasting.series import (
    INTERMITTENT,
    MIN_NON_ZERO,
    MONTHS,
    OK,
    QUARTERS,
    TOO_SHORT,
    WEEKS,
    YEARS,
    check_counts,
    classify,
    gap_notes,
    latest_stretch,
    period_unit,
)
from forecasting.wording import Amount, Count, Model, Note, Per, Share, note


@dataclass(frozen=True)
class SeriesForecast:
    """The forecast of one series with the evidence behind the model choice.

    Attributes
    ----------
    forecast : DataFrame
        ``period, mean, lower_80, upper_80, lower_95, upper_95`` (floats, >= 0).
    backtest : DataFrame
        The tidy rolling-origin backtest, the combination's rows included (empty for the
        fallbacks).
    scores : DataFrame
        ``model, lag, rel_mae, mase, coverage_80, coverage_95, n`` per candidate (empty for
        the fallbacks).
    chosen : str
        Name of the model that made ``forecast`` (``"combination"`` for the mean of
        ``members``).
    lag : float
        Lag of the flows used as regressor, NaN if none.
    message : str
        What the output shows: the path taken, the choice, the skill and any fit warnings.
    check : DataFrame
        One row: the latest period's ``actual`` next to the one-period-ahead forecast the
        chosen model made from the periods before it (``period, actual, mean`` and the
        bounds). The early warning flags series whose latest count falls outside it.
    status : str
        What :func:`forecasting.series.classify` found.
    skill : bool or None
        Whether the chosen forecast beat both baselines in the backtest; None without one.
    members : tuple
        ``(model, lag)`` of the combination's members (empty unless it was chosen).
    held_out : dict or None
        The same choice made without the last backtest horizon and scored on it
        (``model, lag, vs_no_change, vs_seasonal_naive``: error ratios); None without
        enough origins.
    notes : tuple of Note
        What ``message`` says, as :class:`~forecasting.wording.Note` objects the
        dashboard puts into the reader's language (``message`` stays the command line's).
    track : dict or None
        How often the intervals shown held in the backtest: ``checked`` (forecasts of
        past periods), ``held_80`` and ``held_95`` (how many of them fell inside), each
        origin judged with intervals calibrated on the other origins
        (:func:`~forecasting.calibration.held_by_calibrated`); None without a backtest.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    scores: pd.DataFrame
    chosen: str
    lag: float
    message: str
    check: pd.DataFrame
    status: str = OK
    skill: bool | None = None
    members: tuple = field(default_factory=tuple)
    held_out: dict | None = None
    notes: tuple[Note, ...] = ()
    track: dict | None = None


#: The backtest of each frequency. Months: 12 months ahead (the longest horizon shown)
#: from 16 origins 2 months apart, so that the last three years of origins decide; one
#: season and a month of training at least. Weeks: 13 weeks ahead from 12 origins 4 weeks
#: apart, without SARIMAX (a seasonal MA at lag 52 makes a 53-dimensional state, and one
#: weekly series took about 14 s instead of 0.2 s). Quarters: a year ahead from 8
#: consecutive origins. Years: national yearly figures rarely go back more than 15 years,
#: so 3 years ahead from up to 5 consecutive origins, trained on at least 10 years; a year
#: has no season, so seasonal naive would only repeat no change and is left out, and
#: there is no SARIMAX (its seasonal part needs a season).
BACKTESTS = {
    YEARS: BacktestSettings(
        horizon=3,
        n_origins=5,
        step=1,
        min_train=10,
        season_length=1,
        models=(NAIVE, LEVEL, ETS),
        flow_model=None,
    ),
    QUARTERS: BacktestSettings(horizon=4, n_origins=8, step=1, min_train=9, season_length=4),
    MONTHS: BacktestSettings(horizon=12, n_origins=16, step=2, min_train=13, season_length=12),
    WEEKS: BacktestSettings(
        horizon=13, n_origins=12, step=4, min_train=53, season_length=52, flow_model=None
    ),
}

#: Periods ahead a forecast looks when no horizon is asked for: three years, four quarters,
#: six months, six weeks.
DEFAULT_HORIZONS = {YEARS: 3, QUARTERS: 4, MONTHS: 6, WEEKS: 6}

#: How much better (in ``rel_mae``) a candidate must score than the default to replace it.
DEFAULT_MARGIN = 0.20
#: How many times smaller seasonal naive's backtest error must be than no change's for it
#: to be the baseline shown when nothing has skill.
SEASONAL_EDGE = 2.0
#: Below this many counts per period on average over the last season, monthly
#: differences are mostly chance (Poisson noise alone is ±√30 ≈ 18 % at 30) and the
#: message says to read the forecast as a level, with its total over the next season.
LOW_VOLUME = 30


def default_settings(series: pd.Series) -> BacktestSettings:
    """The backtest settings of the series' frequency (see :data:`BACKTESTS`)."""
    return BACKTESTS[period_unit(series.index)]


def forecast_series(
    series: pd.Series,
    *,
    horizon: int = 6,
    exog: pd.Series | None = None,
    settings: BacktestSettings | None = None,
) -> SeriesForecast:
    """Forecast one count series ``horizon`` periods ahead with the choice its backtest favours.

    Parameters
    ----------
    series : Series
        Non-negative counts on consecutive year, quarter or month starts, or weeks; NaN
        where nothing was reported. Such a series is forecast from its latest stretch
        reported without a gap (:func:`forecasting.series.latest_stretch`): the forecast
        starts after the last reported period, and the message names what was left out.
    horizon : int
        Periods to forecast.
    exog : Series, optional
        Migration flows (not lagged) on the same kind of index; tried as SARIMAX regressor
        at the lags of ``settings.exog_lags``. Flows after the series' last period are not
        used, as in the backtest.
    settings : BacktestSettings, optional
        Defaults to :func:`default_settings`. Its ``horizon`` is the backtest's; a longer
        forecast horizon lengthens it when the series allows.

    Returns
    -------
    SeriesForecast
        The chosen model (each member of a chosen combination) is estimated once on all
        periods but the latest, which gives the one-step check of the latest period
        without looking at it; the forecast then runs the same parameters through the
        whole series.
    """
    if not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"`horizon` must be an integer greater than 0. Got {horizon!r}.")
    if isinstance(series, pd.Series) and series.isna().any():
        gapped = series
        series, gaps = latest_stretch(series)
        result = forecast_series(series, horizon=horizon, exog=exog, settings=settings)
        return replace(
            result,
            message=f"{gaps} {result.message}".strip(),
            notes=gap_notes(gapped) + result.notes,
        )
    if settings is None:
        check_counts(series)
        settings = default_settings(series)
    if horizon > settings.horizon and len(series) >= settings.min_train + horizon:
        settings = replace(settings, horizon=int(horizon))
    found = classify(series, settings.horizon, settings.min_train)
    if found.status not in (OK, INTERMITTENT):
        sparse = found.status != TOO_SHORT or int((series > 0).sum()) < MIN_NON_ZERO
        model = FALLBACK if sparse else LEVEL
        active = series.iloc[found.start :]
        result = (fallback if sparse else level)(active, horizon)
        check = _check(active, [(model, np.nan)], None, settings.exog_future, Calibration())[0]
        return SeriesForecast(
            result.frame,
            _empty_backtest(),
            _empty_scores(),
            model,
            np.nan,
            found.message,
            check,
            found.status,
            notes=found.notes,
        )
    if found.status == INTERMITTENT:
        # Smooth-series models would chase the zeros; Croston is built for them.
        settings = replace(settings, models=(CROSTON_SBA, NAIVE, SEASONAL_NAIVE), flow_model=None)
        exog = None
        active = series
    else:
        active = series.iloc[found.start :]
    settings = _fitting(settings, len(active))
    if exog is not None and _low_volume(active):
        # At tens a month a regression on flows cannot be told from noise, and SARIMAX
        # is by far the dearest candidate (the refresh of all series must stay in 3 min).
        exog = None
    columns = backtest_columns(active, settings, exog)
    if columns is None:
        raise ValueError("No model has a backtest score to choose by.")
    chosen_members = members(columns)
    if chosen_members:
        extra = combination_columns(columns, chosen_members)
        columns = {c: np.concatenate([columns[c], extra[c]]) for c in columns}
    scores = score_columns(columns)
    intermittent = found.status == INTERMITTENT
    by = "rel_total" if intermittent else "rel_mae"
    default = CROSTON_SBA if intermittent else LEVEL
    # Plain records: a handful of rows, where each pandas operation cost more than the
    # arithmetic it did.
    records = scores.to_dict("records")
    row, skill = _choice(records, default, by)
    model, lag = str(row["model"]), float(row["lag"])
    parts = chosen_members if model == COMBINATION else [(model, lag)]
    lags = columns["lag"].astype(float)
    mask = (columns["model"] == model) & (np.isnan(lags) if np.isnan(lag) else lags == lag)
    rows = {c: v[mask] for c, v in columns.items()}
    calibrated = calibration(rows)
    # The check must not see the latest period, not even through the calibration.
    earlier = rows[PERIOD] < active.index[-1].to_datetime64()
    before = calibration({c: v[earlier] for c, v in rows.items()})
    check, params = _check(active, parts, exog, settings.exog_future, before)
    forecasts = []
    for (name, part_lag), part_params in zip(parts, params, strict=True):
        train, x_train, x_future, future_sd = model_inputs(
            active, len(active), horizon, part_lag, exog, settings.exog_future
        )
        forecasts.append(
            MODELS[name](
                train, horizon, x_train, x_future, params=part_params, exog_future_sd=future_sd
            )
        )
    result = calibrated.apply(combine(forecasts) if model == COMBINATION else forecasts[0])
    unit = period_unit(series.index)
    n_origins = len(np.unique(columns["cutoff"]))
    message = _message(
        found.message, row, skill, default, records, n_origins, chosen_members, unit, settings, by
    )
    notes = [
        *found.notes,
        *_choice_notes(row, skill, default, records, by, Count(settings.horizon, unit)),
    ]
    volume, volume_notes = _volume(active, result, rows, unit)
    message += volume
    notes += volume_notes
    held_out = _held_out(columns, default, by)
    if held_out is not None:
        notes.append(
            note(
                "held_out" if by == "rel_mae" else "held_out_total",
                model=_model(held_out["model"], held_out["lag"]),
                count=Count(settings.horizon, unit),
                ratio=Amount(held_out["vs_no_change"], 2),
            )
        )
        message += (
            f" Held out: chosen the same way without the last {settings.horizon} {unit}, "
            f"{_label(held_out['model'], held_out['lag'], unit, chosen_members)} forecast "
            f"{'them' if by == 'rel_mae' else 'their total'} with "
            f"{held_out['vs_no_change']:.2f} × the no-change forecast's error"
            + (
                f" and {held_out['vs_seasonal_naive']:.2f} × seasonal naive's."
                if held_out["vs_seasonal_naive"] == held_out["vs_seasonal_naive"]
                else "."
            )
        )
    if result.note:
        message += f" Fit warnings: {result.note.rstrip('.')}."
        notes.append(note("fit_warnings", text=result.note.rstrip(".")))
    return SeriesForecast(
        result.frame,
        pd.DataFrame(columns),
        scores,
        model,
        lag,
        message,
        check,
        found.status,
        skill,
        tuple(parts) if model == COMBINATION else (),
        held_out,
        tuple(notes),
        held_by_calibrated(rows),
    )


def _held_out(columns: dict[str, np.ndarray], default: str, by: str) -> dict | None:
    """The choice made without the latest origin's months, scored on them.

    The backtest's own scores flatter whatever won it. So the same choice is made again
    from the origins whose forecast months all lie before the latest origin's cutoff, and
    its forecast from the latest origin is compared with what happened: the error of the
    choice on months it never saw, against no change's and seasonal naive's there. None
    when fewer than 3 origins are left to choose by.
    """
    cutoffs = columns["cutoff"]
    latest = cutoffs.max()
    ends = {c: columns[PERIOD][cutoffs == c].max() for c in np.unique(cutoffs)}
    earlier = np.isin(cutoffs, [c for c, end in ends.items() if end <= latest])
    if len(np.unique(cutoffs[earlier])) < 3:
        return None
    subset = {c: v[earlier] for c, v in columns.items()}
    row, _ = _choice(score_columns(subset).to_dict("records"), default, by)
    model, lag = str(row["model"]), float(row["lag"])
    lags = columns["lag"].astype(float)
    at_latest = cutoffs == latest

    def error(name: str, of_lag: float = np.nan) -> float:
        same = np.isnan(lags) if np.isnan(of_lag) else lags == of_lag
        mask = at_latest & (columns["model"] == name) & same
        if not mask.any():
            return np.nan
        if by == "rel_total":
            return float(abs(np.sum(columns["actual"][mask] - columns["mean"][mask])))
        return float(np.mean(np.abs(columns["actual"][mask] - columns["mean"][mask])))

    chosen, naive_error, seasonal = error(model, lag), error(NAIVE), error(SEASONAL_NAIVE)
    floor = 1e-9 + 1e-3 * float(np.mean(np.abs(columns["actual"][at_latest])))
    return {
        "model": model,
        "lag": lag,
        "vs_no_change": (chosen + floor) / (naive_error + floor),
        "vs_seasonal_naive": (chosen + floor) / (seasonal + floor),
    }


def _fitting(settings: BacktestSettings, n: int) -> BacktestSettings:
    """The settings without the models the active part is too short for at every origin."""
    shortest = n - settings.horizon - (settings.n_origins - 1) * settings.step
    shortest = max(shortest, settings.min_train)
    needs = {SEASONAL_NAIVE: settings.season_length + 1, ETS: 10}
    models = tuple(m for m in settings.models if shortest >= needs.get(m, 1))
    return replace(settings, models=models or settings.models)


def _plain(record: dict) -> bool:
    return bool(np.isnan(record["lag"]))


def _best(records: list[dict], by: str) -> dict:
    """The record with the lowest ``by``; the simpler model wins ties (see ``choose``)."""
    rank = {m: i for i, m in enumerate(SIMPLICITY)}
    valid = [r for r in records if not np.isnan(r[by])]
    if not valid:
        raise ValueError("No model has a backtest score to choose by.")
    low = min(r[by] for r in valid)
    tied = [r for r in valid if np.isclose(r[by], low, rtol=1e-9, atol=1e-12)]
    return min(tied, key=lambda r: rank.get(r["model"], len(rank)))


def _choice(records: list[dict], default: str, by: str) -> tuple[dict, bool]:
    """The record shown and whether it has skill (beats both baselines in the backtest).

    The default unless another candidate beats it by :data:`DEFAULT_MARGIN`; if that does
    not beat the better baseline, the best candidate that does; if none does, a baseline
    (:func:`_shown_baseline`), without skill.
    """
    best = _best(records, by)
    kept = [r for r in records if r["model"] == default and _plain(r)]
    if kept and not best[by] * (1 + DEFAULT_MARGIN) < kept[0][by]:
        best = kept[0]
    baselines = [r for r in records if r["model"] in BASELINES and _plain(r)]
    if not baselines:
        return best, True
    baseline = _best(baselines, by)
    if best["model"] not in BASELINES and best[by] < baseline[by]:
        return best, True
    better = [r for r in records if r not in baselines and r[by] < baseline[by]]
    if better:
        return _best(better, by), True
    return _shown_baseline(baselines, by), False


def _shown_baseline(baselines: list[dict], by: str) -> dict:
    """The baseline shown without skill: no change, unless seasonal naive halves its error.

    Held out on real series, seasonal naive shown because it had won a series' backtest
    had 1.8 times the error of the recent level (23 cases): last year's months repeat
    only while nothing changes. An intermittent series shows the better of the two by
    the error of its total, as no change would often forecast zero.
    """
    best = _best(baselines, by)
    naive = [r for r in baselines if r["model"] == NAIVE]
    if by != "rel_mae" or not naive or best[by] * SEASONAL_EDGE < naive[0][by]:
        return best
    return naive[0]


def _check(
    series: pd.Series,
    parts: list[tuple[str, float]],
    exog,
    rule: str,
    calibrated: Calibration,
) -> tuple[pd.DataFrame, list[tuple | None]]:
    """The latest period against the chosen forecast made from the periods before it."""
    size = len(series) - 1
    params: list[tuple | None] = []
    if size < 1:
        frame = pd.DataFrame({c: [np.nan] for c in ("mean", "lower_80", "upper_80")})
        frame = frame.assign(lower_95=np.nan, upper_95=np.nan)
        frame.insert(0, "period", series.index[-1:])
        params = [None] * len(parts)
    else:
        forecasts: list[Forecast] = []
        for name, lag in parts:
            train, x_train, x_future, future_sd = model_inputs(series, size, 1, lag, exog, rule)
            try:
                result = MODELS[name](train, 1, x_train, x_future, exog_future_sd=future_sd)
            except ValueError:  # too short for this model without the latest period
                result = MODELS[name](series, 1) if np.isnan(lag) else None
            if result is None:
                raise
            forecasts.append(result)
            params.append(result.params)
        one = combine(forecasts) if len(forecasts) > 1 else forecasts[0]
        frame = calibrated.apply(one).frame
    frame.insert(1, "actual", float(series.iloc[-1]))
    model = COMBINATION if len(parts) > 1 else parts[0][0]
    return frame.assign(model=model), params


_NAMES = {
    NAIVE: "no change",
    SEASONAL_NAIVE: "seasonal naive",
    LEVEL: "recent level",
    ETS: "ETS",
    CROSTON_SBA: "Croston (SBA)",
}


def _label(model: str, lag: float, unit: str, combined=()) -> str:
    if model == COMBINATION:
        inner = ", ".join(_label(m, g, unit) for m, g in combined)
        return f"the combination (median of {inner})"
    label = _NAMES.get(model, model.upper() if model == "sarimax" else model)
    if not np.isnan(lag):
        label += f" with flows lagged {int(lag)} {unit}"
    return label


def _model(model: str, lag: float) -> Model:
    return Model(str(model), None if np.isnan(lag) else int(lag))


def _choice_notes(row, skill, default, records, by, ahead: Count) -> list[Note]:
    """The choice in notes: what made the forecast and how it did against the baselines.

    An intermittent series is judged by the error of its total over ``ahead`` (``by`` is
    ``rel_total``), and its notes say so.
    """
    total = by == "rel_total"
    chosen = _model(row["model"], float(row["lag"]))
    top = _best(records, by)
    if skill:
        if total:
            notes = [note("skill_total", model=chosen, ratio=Amount(row[by], 2), ahead=ahead)]
        else:
            notes = [note("skill", model=chosen, ratio=Amount(row[by], 2))]
        if row["model"] == default and _model(top["model"], float(top["lag"])) != chosen:
            notes.append(
                note(
                    "default_kept",
                    model=_model(top["model"], float(top["lag"])),
                    margin=Share(DEFAULT_MARGIN),
                )
            )
        return notes
    others = [r for r in records if r["model"] not in BASELINES or not _plain(r)]
    notes = [note("no_skill", model=chosen)]
    if others:
        other = _best(others, by)
        notes.append(
            note(
                "no_skill_best_total" if total else "no_skill_best",
                model=_model(other["model"], float(other["lag"])),
                ratio=Amount(other[by], 2),
            )
        )
    return notes


def _message(prefix, row, skill, default, records, n_origins, combined, unit, settings, by) -> str:
    def named(record: dict) -> str:
        return _label(str(record["model"]), float(record["lag"]), unit, combined)

    scope = f"backtest over {n_origins} origins, {settings.horizon} {unit} ahead"
    versus = [r for r in records if r["model"] == SEASONAL_NAIVE]
    seasonal = f"; seasonal naive {versus[0][by]:.2f}" if versus else ""
    error = "error" if by == "rel_mae" else f"error of the {settings.horizon}-{unit[:-1]} total"
    label = named(row)
    top = _best(records, by)
    if skill:
        text = (
            f"Chosen by {scope}: {label} ({error} {row[by]:.2f} × the no-change "
            f"forecast's{seasonal})."
        )
        if row["model"] == default and named(top) != label:
            text += (
                f" {named(top)[0].upper()}{named(top)[1:]} scored {top[by]:.2f}, less than "
                f"{DEFAULT_MARGIN * 100:.0f} % better, which a backtest of a few years cannot "
                "tell from chance."
            )
    else:
        others = [r for r in records if r["model"] not in BASELINES or not _plain(r)]
        best = ""
        if others:
            other = _best(others, by)
            best = (
                f" (best other: {named(other)}, {error} {other[by]:.2f} × the no-change "
                f"forecast's{seasonal})"
            )
        text = (
            f"No skill: in the {scope} no model beat the no-change forecasts{best}; shown: {label}."
        )
    text += " Intervals are calibrated on the backtest errors."
    return f"{prefix} {text}" if prefix else text


#: Periods of a season, over which volume is judged (yearly series are never low volume).
_SEASONS = {YEARS: 0, QUARTERS: 4, MONTHS: 12, WEEKS: 52}


def _low_volume(active: pd.Series) -> bool:
    """Fewer than :data:`LOW_VOLUME` counts per period over the last full season."""
    m = _SEASONS[period_unit(active.index)]
    recent = active.to_numpy(dtype=float)[-m:] if m else np.array([])
    return bool(m) and len(recent) == m and recent.mean() < LOW_VOLUME


def _volume(active: pd.Series, result: Forecast, rows: dict, unit: str) -> tuple[str, list[Note]]:
    """The low-volume note: the forecast as a level, with its total over the next season
    (the command line's sentence and the dashboard's notes)."""
    if not _low_volume(active):
        return "", []
    m = _SEASONS[unit]
    recent = active.to_numpy(dtype=float)[-m:]
    single = unit[:-1]
    ahead = min(m, len(result.columns["mean"]))
    total = float(np.sum(result.columns["mean"][:ahead]))
    text = (
        f" Low volume: about {recent.mean():.0f} a {single}, so differences between "
        f"{unit} are mostly chance; read the forecast as a level, {total:.0f} over the next "
        f"{ahead} {unit}"
    )
    notes = [
        note(
            "low_volume",
            mean=Amount(recent.mean()),
            per=Per(unit),
            total=Amount(total),
            ahead=Count(ahead, unit),
        )
    ]
    within = rows["h"] <= m
    cutoffs, origin = np.unique(rows["cutoff"][within], return_inverse=True)
    if ahead == m and len(cutoffs) >= 4:
        actual = np.bincount(origin, weights=rows["actual"][within].astype(float))
        forecast = np.bincount(origin, weights=rows["mean"][within].astype(float))
        errors = np.abs(np.log1p(actual) - np.log1p(forecast))
        k = float(np.quantile(errors, 0.8))
        low, high = np.expm1(np.log1p(total) - k), np.expm1(np.log1p(total) + k)
        text += f" (80 % interval {max(low, 0):.0f}–{high:.0f} from the backtest)"
        notes.append(note("low_volume_range", low=Amount(max(low, 0)), high=Amount(high)))
    return text + ".", notes


def _empty_backtest() -> pd.DataFrame:
    return _EMPTY_BACKTEST.copy()


def _empty_scores() -> pd.DataFrame:
    return _EMPTY_SCORES.copy()


# Built once: building an empty frame column by column cost as much as a fallback forecast.
_EMPTY_BACKTEST = pd.DataFrame({c: pd.Series(dtype=float) for c in BACKTEST_COLUMNS})
_EMPTY_SCORES = pd.DataFrame({c: pd.Series(dtype=float) for c in SCORE_COLUMNS})
