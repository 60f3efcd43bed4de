"""How many more incidents go with more arrivals: the SARIMAX regressor's effect, in words.

The forecasts' SARIMAX model is a regression of the counts on arrivals ``lag`` periods
earlier, with seasonal ARIMA (1,0,0)(0,1,1,m) errors. Its coefficient, scaled to 1,000
arrivals, is the effect the Forecasts page states with its 95 % interval. Like the tests
in :mod:`forecasting.linkage` it is a link between two series, not proof of a cause.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from forecasting.models import SARIMAX_ORDER, SARIMAX_SEASONAL_ORDER
from forecasting.series import check_counts, period_unit, season_length
from forecasting.wording import Amount, Earlier, Note, Per, note
from threatmon.errors import NoVariationError, SeriesGapError, TooFewPeriodsError

_Z95 = float(stats.norm.ppf(0.975))
_SINGULAR = {"months": "month", "weeks": "week"}


@dataclass(frozen=True)
class RegressorEffect:
    """The effect of 1,000 more arrivals ``lag`` periods earlier on incidents per period.

    ``notes`` say it in words (:mod:`forecasting.wording`); ``sized`` is False when the
    data are too few or too regular for an estimate (the numbers are then NaN).
    """

    lag: int
    per_thousand: float
    lower: float
    upper: float
    p_value: float
    n: int
    notes: tuple[Note, ...]

    @property
    def sized(self) -> bool:
        return bool(np.isfinite([self.per_thousand, self.lower, self.upper]).all())

    @property
    def includes_zero(self) -> bool:
        return self.sized and self.lower <= 0 <= self.upper


def _describe(lag: int, unit: str, b: float, lower: float, upper: float) -> tuple[Note, ...]:
    if not np.isfinite([b, lower, upper]).all():
        return (note("effect_unsized"),)
    # Two significant digits of the largest number: "0.83", "3.1", "25", never "0.00".
    largest = max(abs(b), abs(lower), abs(upper)) or 1.0
    decimals = int(min(6, max(0, 1 - np.floor(np.log10(largest)))))
    # A negative effect is stated as "fewer", and its interval in the same terms, so that
    # the estimate and its bounds never read with opposite signs.
    sign = 1 if b >= 0 else -1
    low, high = sorted((sign * lower, sign * upper))
    said = note(
        "effect_more" if b >= 0 else "effect_fewer",
        when=Earlier(lag, unit),
        b=Amount(_rounded(abs(b), decimals), decimals),
        low=Amount(_rounded(low, decimals), decimals),
        high=Amount(_rounded(high, decimals), decimals),
        per=Per(unit),
    )
    if lower <= 0 <= upper:
        return (said, note("effect_zero_inside"))
    return (said, note("effect_shown"))


def _rounded(value: float, decimals: int) -> float:
    # "+ 0.0" turns a rounded -0.0 into 0.0.
    return round(float(value), decimals) + 0.0


def regressor_effect(counts: pd.Series, flows: pd.Series, lag: int) -> RegressorEffect:
    """Incidents per period that go with 1,000 more arrivals ``lag`` periods earlier.

    Parameters
    ----------
    counts : Series
        Incident counts on consecutive month starts (or weeks); see ``check_counts``.
    flows : Series
        Arrivals on the same kind of index; it must cover every period ``lag`` before a
        count (leading counts whose lagged arrivals are unknown are left out).
    lag : int
        Periods between the arrivals and the counts they are compared with, 0 or more.

    Returns
    -------
    RegressorEffect
        Coefficient of ``x_t = flows_{t-lag} / 1000`` in the forecasts' SARIMAX model,
        its 95 % interval and p-value from the approximate (numerical Hessian) standard
        errors, the number of periods fitted, and notes saying what it means.

    Raises
    ------
    TooFewPeriodsError
        Fewer than ``2 * m + 6`` periods (``m`` the season length) remain after lagging
        and comparing with a year earlier.
    SeriesGapError
        ``flows`` have a gap where they are needed.
    NoVariationError
        ``flows`` do not change from one year to the next.
    ValueError
        ``lag`` is negative, ``counts`` are not valid counts or ``flows`` are missing
        (each type above is a ValueError too).
    """
    if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or lag < 0:
        raise ValueError(f"`lag` must be an integer, 0 or more. Got {lag!r}.")
    check_counts(counts, "counts")
    if flows is None:
        raise ValueError("`flows` are needed to estimate the effect of arrivals.")
    if not isinstance(flows, pd.Series) or not isinstance(flows.index, pd.DatetimeIndex):
        raise ValueError("`flows` must be a pandas Series on a DatetimeIndex of periods.")
    unit, m = period_unit(counts.index), season_length(counts.index)
    one = pd.DateOffset(months=1) if unit == "months" else pd.Timedelta(days=7)
    # Reindexing on the counts' periods moved back `lag` steps both lags and aligns.
    lagged = flows.astype("float64").reindex(counts.index - lag * one).to_numpy()
    known = np.flatnonzero(np.isfinite(lagged))
    start = int(known[0]) if len(known) else len(lagged)
    gaps = np.flatnonzero(~np.isfinite(lagged[start:]))
    if len(gaps):
        where = counts.index[start + gaps[0]] - lag * one
        raise SeriesGapError(
            f"`flows` has no value for {where.date()}, needed with lag {lag}.",
            series="flows",
            period=where.date(),
        )
    # Seasonal differencing done here, not by SARIMAX (D=1): the same regression with
    # SARIMA errors and the same coefficient, but faster and numerically steadier.
    y = counts.to_numpy(dtype=float)[start:]
    dy, dx = y[m:] - y[:-m], (lagged[start:][m:] - lagged[start:][:-m]) / 1000.0
    n, need = len(dy), 2 * m + 6
    if n < need:
        raise TooFewPeriodsError(
            f"The effect of arrivals {lag} {unit} earlier needs at least {need} {unit} after "
            f"lagging and comparing each {_SINGULAR[unit]} with a year earlier; there are {n}.",
            needed=need,
            found=n,
        )
    if not dx.any():
        raise NoVariationError(
            "`flows` do not change from one year to the next; no effect to fit.", series="flows"
        )
    # Imported here: statsmodels takes about a second to import, paid only when fitting.
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    scale = float(np.std(dy)) or 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SARIMAX(
            dy / scale,
            exog=dx,
            order=SARIMAX_ORDER,
            # (P, D, Q) with D = 0: the seasonal difference is already taken above.
            seasonal_order=(SARIMAX_SEASONAL_ORDER[0], 0, SARIMAX_SEASONAL_ORDER[2], m),
            concentrate_scale=True,
        )
        # "approx" (numerical Hessian): about 93 % coverage of the nominal 95 % intervals
        # on 70 simulated months, like "opg", at half the cost.
        result = model.fit(disp=False, cov_type="approx")
    b = float(np.asarray(result.params)[0]) * scale
    se = float(np.asarray(result.bse)[0]) * scale
    p_value = float(2 * stats.norm.sf(abs(b / se))) if se > 0 else float("nan")
    lower, upper = b - _Z95 * se, b + _Z95 * se
    return RegressorEffect(lag, b, lower, upper, p_value, n, _describe(lag, unit, b, lower, upper))
