"""Do crime counts follow migration flows? Lagged cross-correlation and Granger tests.

Both are computed on **seasonally differenced** series (each month minus the same
month a year earlier): two series that merely share a summer peak, or both grew
after February 2022, correlate strongly without one driving the other. Even then a
correlation or a Granger "cause" says only that past flows help predict counts; a
third factor (the war itself, border policy, reporting practice) can drive both.
:func:`explain` says so in plain words; :func:`flow_linkage` gathers what the Forecasts
page shows about one series, with the effect of arrivals at :func:`regressor_lag`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecasting.series import latest_stretch
from forecasting.wording import Amount, Count, Earlier, Note, PValue, note
from threatmon.errors import NoVariationError, SeriesGapError, TooFewPeriodsError

#: Months compared with the same month a year earlier before any test.
SEASON = 12


def _aligned(counts: pd.Series, flows: pd.Series, season: int) -> pd.DataFrame:
    """Both series on their common periods, seasonally differenced, without gaps."""
    for name, series in (("counts", counts), ("flows", flows)):
        if not isinstance(series.index, pd.DatetimeIndex):
            raise ValueError(f"`{name}` needs a DatetimeIndex of periods.")
    frame = pd.concat({"counts": counts, "flows": flows}, axis=1, join="inner")
    frame = frame.astype("float64").sort_index()
    return frame.diff(season).dropna()


def cross_correlation(
    counts: pd.Series, flows: pd.Series, *, max_lag: int = 6, season: int = SEASON
) -> pd.DataFrame:
    """Correlation of counts at month t with flows at month t − lag, for lag 0..max_lag.

    Returns
    -------
    DataFrame
        ``lag``, ``r`` (Pearson, NaN when a side is constant), ``n`` (pairs used) and
        ``band`` (±1.96/√n, the approximate 95 % band of r for unrelated series).
    """
    if max_lag < 0:
        raise ValueError(f"`max_lag` must be 0 or more. Got {max_lag}.")
    frame = _aligned(counts, flows, season)
    rows = []
    for lag in range(max_lag + 1):
        pairs = pd.concat([frame["counts"], frame["flows"].shift(lag)], axis=1).dropna()
        n = len(pairs)
        r = np.nan
        if n >= 3 and pairs.iloc[:, 0].std() > 0 and pairs.iloc[:, 1].std() > 0:
            r = float(np.corrcoef(pairs.iloc[:, 0], pairs.iloc[:, 1])[0, 1])
        rows.append({"lag": lag, "r": r, "n": n, "band": 1.96 / np.sqrt(n) if n else np.nan})
    return pd.DataFrame(rows)


def granger(
    counts: pd.Series, flows: pd.Series, *, max_lag: int = 3, season: int = SEASON
) -> pd.DataFrame:
    """Granger tests: do flows' past values improve a prediction of counts from their own?

    Returns
    -------
    DataFrame
        ``lag`` (1..max_lag: how many past months of both series the models use),
        ``f_stat`` and ``p_value`` of the F test, ``n`` (months used).

    Raises
    ------
    TooFewPeriodsError
        When fewer than ``3 * max_lag + 5`` months remain after differencing: the test
        would have too few degrees of freedom to mean anything.
    """
    from statsmodels.tsa.stattools import grangercausalitytests

    if max_lag < 1:
        raise ValueError(f"`max_lag` must be at least 1. Got {max_lag}.")
    frame = _aligned(counts, flows, season)
    needed = 3 * max_lag + 5
    if len(frame) < needed:
        raise TooFewPeriodsError(
            f"A Granger test with {max_lag} lags needs at least {needed} months after "
            f"comparing each month with a year earlier; there are {len(frame)}.",
            needed=needed,
            found=len(frame),
        )
    if frame["flows"].std() == 0 or frame["counts"].std() == 0:
        return pd.DataFrame(
            {"lag": range(1, max_lag + 1), "f_stat": np.nan, "p_value": np.nan, "n": len(frame)}
        )
    with warnings.catch_warnings():
        # statsmodels announces future changes of this function's output on every call.
        warnings.simplefilter("ignore", FutureWarning)
        results = grangercausalitytests(frame[["counts", "flows"]].to_numpy(), max_lag)
    rows = []
    for lag in range(1, max_lag + 1):
        f_stat, p_value, *_ = results[lag][0]["ssr_ftest"]
        rows.append({"lag": lag, "f_stat": float(f_stat), "p_value": float(p_value)})
    return pd.DataFrame(rows).assign(n=len(frame))


def explain(
    correlations: pd.DataFrame, tests: pd.DataFrame, alpha: float = 0.05
) -> tuple[Note, ...]:
    """What the numbers do and do not say, as notes for the steering committee."""
    known = correlations.dropna(subset=["r"])
    if known.empty:
        return (note("link_too_few"),)
    best = known.loc[known["r"].abs().idxmax()]
    outside = abs(best["r"]) > best["band"]
    said = [
        note(
            "link_best" if outside else "link_best_chance",
            when=Earlier(int(best["lag"]), "months"),
            r=Amount(float(best["r"]), 2, sign=True),
        )
    ]
    significant = tests.dropna(subset=["p_value"])
    significant = significant[significant["p_value"] < alpha]
    if len(significant):
        said.append(note("granger_yes", p=PValue(float(significant["p_value"].min()))))
    else:
        said.append(note("granger_no"))
    return tuple(said)


def regressor_lag(result) -> int | None:
    """The lag of flows the backtest favoured: the chosen one, else the best-scoring one.

    The effect of arrivals is stated at the lag the forecast itself uses, so the sentence
    and the chart tell one story; when another model won, at the regression's best lag.
    ``result`` is a :class:`~forecasting.forecast.ForecastResult` (``lag`` NaN when the
    chosen model uses no flows). None when no candidate used the flows.
    """
    if result.chosen == "sarimax" and result.lag == result.lag:
        return int(result.lag)
    scores = result.scores
    if scores.empty:
        return None
    lagged = scores[(scores["model"] == "sarimax") & scores["lag"].notna()]
    if lagged.empty:
        return None
    return int(lagged.sort_values("rel_mae", kind="stable")["lag"].iloc[0])


#: Lags of the flows the forecasts try as regressor (see forecasting.backtest).
REGRESSOR_LAGS = (1, 2, 3)


def _correlation_lag(correlations: pd.DataFrame) -> int | None:
    """The regressor lag where counts and flows correlate most, for a series whose backtest
    did not try the flows (fewer than 30 counts a month); None without a correlation."""
    tried = correlations[correlations["lag"].isin(REGRESSOR_LAGS)].dropna(subset=["r"])
    if tried.empty:
        return None
    return int(tried.loc[tried["r"].abs().idxmax(), "lag"])


def _uses_flows(result) -> int | None:
    """The lag of the flows the forecast itself uses (a member of a combination too)."""
    parts = [(result.chosen, result.lag), *getattr(result, "members", ())]
    for model, lag in parts:
        if model == "sarimax" and lag == lag:
            return int(lag)
    return None


def _r_at(correlations: pd.DataFrame, lag: int) -> float:
    found = correlations.loc[correlations["lag"] == lag, "r"]
    return float(found.iloc[0]) if len(found) else np.nan


def flow_linkage(
    history: pd.Series, flows: pd.Series | None, result, text: str, freq: str = "M"
) -> dict:
    """What the Forecasts page says about counts and migration flows of one series.

    Returns
    -------
    dict
        ``text`` (which flows were compared) always. With flows and a monthly series
        (the tests compare each month with a year earlier) also ``correlation``
        (:func:`cross_correlation`), ``granger`` (:func:`granger`) with the verdict
        ``explanation`` (:func:`explain`), or ``granger_error`` when there are too few
        months, and ``effect`` (:func:`~forecasting.effect.regressor_effect`) or
        ``effect_error`` at the lag the backtest favoured (:func:`regressor_lag`), or, when
        the backtest did not try the flows, at the regressor lag where the correlation is
        strongest. ``notes`` (the verdict) and ``effect_notes`` (the size of the effect)
        say it in words, and never contradict the forecast: when it uses the flows
        although a test finds no link, or no size can be estimated, they say why.
    """
    # scipy.stats, which the effect needs, takes seconds to import: only when it is used.
    from forecasting.effect import regressor_effect

    link: dict = {"text": text}
    if flows is None or freq != "M":
        return link
    # Months nobody reported are unknown: the comparisons run on the latest stretch
    # reported without a gap, the one the forecast was fitted on.
    history, _ = latest_stretch(history)
    link["correlation"] = cross_correlation(history, flows)
    used = _uses_flows(result)
    notes: list[Note] = []
    try:
        link["granger"] = granger(history, flows)
    except TooFewPeriodsError as exc:
        link["granger_error"] = str(exc)
        notes.append(
            note(
                "granger_too_few",
                needed=Count(exc.needed, "months"),
                found=Count(exc.found, "months"),
            )
        )
    if "granger" in link:
        link["explanation"] = explain(link["correlation"], link["granger"])
        notes += link["explanation"]
        if used is not None and any(n.key == "granger_no" for n in notes):
            # The backtest and the test answer different questions; say so, or the page
            # would state that flows do not help next to a forecast that uses them.
            notes.append(note("granger_no_but_used", lag=Count(used, "months")))
    link["notes"] = tuple(notes)
    lag = regressor_lag(result)
    if lag is None:
        lag = _correlation_lag(link["correlation"])
    effect_notes: list[Note] = []
    if lag is not None:
        try:
            link["effect"] = regressor_effect(history, flows, lag)
            effect_notes += link["effect"].notes
        except (TooFewPeriodsError, SeriesGapError, NoVariationError) as exc:
            link["effect_error"] = str(exc)
            effect_notes.append(_effect_problem(exc, lag))
    if used is not None and lag == used:
        effect = link.get("effect")
        r = Amount(_r_at(link["correlation"], used), 2, sign=True)
        if effect is None or not effect.sized:
            effect_notes = [n for n in effect_notes if n.key != "effect_unsized"]
            effect_notes.append(note("effect_used_unsized", r=r, lag=Count(used, "months")))
        elif effect.includes_zero:
            effect_notes.append(note("effect_used_zero_inside", lag=Count(used, "months")))
    link["effect_notes"] = tuple(effect_notes)
    return link


def _effect_problem(exc: Exception, lag: int) -> Note:
    """Why no effect was fitted, as a note."""
    if isinstance(exc, TooFewPeriodsError):
        return note(
            "effect_too_few",
            lag=Count(lag, "months"),
            needed=Count(exc.needed, "months"),
            found=Count(exc.found, "months"),
        )
    if isinstance(exc, SeriesGapError):
        return note("effect_gap", period=f"{exc.period:%Y-%m}", lag=Count(lag, "months"))
    return note("effect_no_variation")
