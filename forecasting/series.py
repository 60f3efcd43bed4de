"""Checks on one count series before it is forecast: regular index, and whether it can be modelled.

A series is a ``pd.Series`` of non-negative counts on a ``DatetimeIndex`` of consecutive
period starts: 1 January of consecutive years (season length 1, no season), quarter starts
(4), month starts (12) or weeks (52). :func:`classify` sorts it into ``ok``, ``too_short``,
``all_zero``, ``too_sparse`` or ``intermittent`` and words the message the dashboard shows
next to the forecast; :func:`period_labels` writes its periods as ``2025``, ``2025-Q1``,
``2025-06`` or ``2025-W03``.

A period nobody reported is missing (NaN), never 0: :func:`latest_stretch` cuts a series
with gaps to what can be modelled, the latest stretch reported without a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.wording import Count, Note, note
from threatmon.errors import TooFewPeriodsError

OK = "ok"
TOO_SHORT = "too_short"
ALL_ZERO = "all_zero"
TOO_SPARSE = "too_sparse"
INTERMITTENT = "intermittent"

#: Syntetos–Boylan cut-off of the average inter-demand interval.
ADI_CUTOFF = 1.32
#: Above this share of zero periods a series is intermittent whatever its ADI.
ZERO_SHARE_CUTOFF = 0.5
#: Fewer non-zero periods than this leave Croston nothing to smooth (one interval or none).
MIN_NON_ZERO = 3

YEARS, QUARTERS, MONTHS, WEEKS = "years", "quarters", "months", "weeks"
#: The unit of each frequency code, as ``--freq`` takes them.
UNITS = {"Y": YEARS, "Q": QUARTERS, "M": MONTHS, "W": WEEKS}
#: A year has no season within it: yearly series get no seasonal model.
SEASON_LENGTHS = {YEARS: 1, QUARTERS: 4, MONTHS: 12, WEEKS: 52}
#: Periods the fallback averages: the last season, but three years for yearly series,
#: where one "season" would be a single count.
FALLBACK_PERIODS = {YEARS: 3, QUARTERS: 4, MONTHS: 12, WEEKS: 52}


def period_unit(index: pd.DatetimeIndex) -> str:
    """``"years"``, ``"quarters"``, ``"months"`` or ``"weeks"``: the spacing of a regular index.

    A one-period index says nothing about its spacing unless it carries a frequency (as
    one made by ``pd.date_range`` does); without one it is taken as a month.

    Raises
    ------
    ValueError
        If the index is not a DatetimeIndex of consecutive year, quarter or month starts
        or of consecutive weeks (one period apart, no gaps, no duplicates).
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"The series index must be a DatetimeIndex. Got {type(index).__name__}.")
    # An index made by pd.date_range (or sliced from one) carries its frequency, which
    # vouches for regular spacing; this runs for every model fit, so that is checked first.
    freq = index.freq
    midnight = len(index) > 0 and index[0] == index[0].normalize()
    if isinstance(freq, pd.offsets.MonthBegin) and freq.n == 1 and midnight:
        return MONTHS
    if isinstance(freq, pd.offsets.Week) and freq.n == 1 and freq.weekday is not None:
        return WEEKS
    if isinstance(freq, pd.offsets.Tick) and freq.nanos == pd.Timedelta(days=7).value:
        return WEEKS
    quarterly = isinstance(freq, pd.offsets.QuarterBegin) and freq.startingMonth == 1
    if quarterly and freq.n == 1 and midnight:
        return QUARTERS
    if isinstance(freq, pd.offsets.YearBegin) and freq.n == 1 and freq.month == 1 and midnight:
        return YEARS
    if len(index) < 2:
        # One period says nothing about spacing; month starts are the house default.
        if len(index) == 1 and index[0].day != 1:
            raise ValueError(f"The series index must hold month starts. Got {index[0].date()}.")
        return MONTHS
    # Arithmetic on month numbers, not a comparison with pd.date_range: building the
    # expected range took a fifth of a backtest's time.
    if index.is_month_start.all() and (index == index.normalize()).all():
        months = (index.year * 12 + index.month - 1).to_numpy()
        steps = np.diff(months)
        if (steps == 1).all():
            return MONTHS
        if (steps == 3).all() and (months % 3 == 0).all():
            return QUARTERS
        if (steps == 12).all() and (months % 12 == 0).all():
            return YEARS
    steps = np.diff(index.as_unit("ns").asi8)
    if (steps == pd.Timedelta(days=7).value).all():
        return WEEKS
    return _irregular(index)


def _irregular(index: pd.DatetimeIndex) -> str:
    raise ValueError(
        "The series index must be consecutive year, quarter or month starts or consecutive "
        f"weeks without gaps. Got {index[0].date()} .. {index[-1].date()} ({len(index)} periods)."
    )


def season_length(index: pd.DatetimeIndex) -> int:
    """1 for a yearly index, 4 quarterly, 12 monthly, 52 weekly (see :func:`period_unit`)."""
    return SEASON_LENGTHS[period_unit(index)]


def fallback_periods(index: pd.DatetimeIndex) -> int:
    """How many of the latest periods the fallback forecast averages (see FALLBACK_PERIODS)."""
    return FALLBACK_PERIODS[period_unit(index)]


def period_labels(index: pd.DatetimeIndex, unit: str | None = None) -> list[str]:
    """Period starts as people write the periods: 2025, 2025-Q1, 2025-06, 2025-W03.

    ``unit`` (``"years"``…) is read from the index when not given; a one-period forecast
    cannot show it. Weeks are ISO weeks, named by their ISO year (the Monday 2024-12-30
    is ``2025-W01``).
    """
    unit = unit or period_unit(index)
    if unit == YEARS:
        return [f"{t.year}" for t in index]
    if unit == QUARTERS:
        return [f"{t.year}-Q{t.quarter}" for t in index]
    if unit == MONTHS:
        return [f"{t.year}-{t.month:02d}" for t in index]
    return [f"{year}-W{week:02d}" for year, week, _ in (t.isocalendar() for t in index)]


def check_counts(series: pd.Series, name: str = "series") -> None:
    """Raise ValueError unless ``series`` holds finite, non-negative counts on a regular index."""
    if not isinstance(series, pd.Series):
        raise ValueError(f"`{name}` must be a pandas Series. Got {type(series).__name__}.")
    period_unit(series.index)
    values = series.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        missing = series.index[~np.isfinite(values)][0]
        raise ValueError(f"`{name}` has a missing value at {missing.date()}.")
    if (values < 0).any():
        where = series.index[values < 0][0]
        raise ValueError(
            f"`{name}` has a negative count at {where.date()}: {float(series[where])!r}."
        )


#: The sentence of a series with no reported period (it is not forecast).
NOTHING_REPORTED = (
    "Nothing was reported for this series: no period of it is covered, so there is "
    "nothing to forecast (a period nobody reported is unknown, not zero)."
)


def latest_stretch(series: pd.Series) -> tuple[pd.Series, str]:
    """The latest stretch of ``series`` reported without a gap, and what was left out.

    Missing values (NaN) are periods nobody reported. They are never filled, neither with
    zeros nor by interpolation: a model fitted across a gap would read the silence as a
    level. So the forecast starts after the last reported period, and models see only
    the periods since the last gap; when that stretch is too short to backtest,
    :func:`classify` says so and the short-series fallback (recent level or mean) is
    shown, computed from the latest reported periods.

    Parameters
    ----------
    series : Series
        Counts on consecutive period starts, NaN where not reported.

    Returns
    -------
    (Series, str)
        The stretch (a slice of ``series``: its index keeps its frequency) and a sentence
        naming the periods left out ("" when none was).

    Raises
    ------
    TooFewPeriodsError
        When no period is reported (:data:`NOTHING_REPORTED`).

    Examples
    --------
    >>> idx = pd.date_range("2024-01-01", periods=6, freq="MS")
    >>> part, note = latest_stretch(pd.Series([1.0, np.nan, np.nan, 4, 5, np.nan], index=idx))
    >>> list(part), note
    ([4.0, 5.0], 'Not reported from 2024-02 to 2024-03: modelled on the 2 months reported \
since 2024-04. Not reported after 2024-05: the forecast starts after it.')
    """
    start, end, said = _stretch(series)
    return series.iloc[start:end], " ".join(text for text, _ in said)


def gap_notes(series: pd.Series) -> tuple[Note, ...]:
    """What :func:`latest_stretch` left out of ``series``, as notes for the dashboard."""
    return tuple(said for _, said in _stretch(series)[2])


def _stretch(series: pd.Series) -> tuple[int, int, list[tuple[str, Note]]]:
    """Start and end of the latest stretch reported without a gap, and what was left out
    (the command line's English sentence and the dashboard's note of each)."""
    values = series.to_numpy(dtype=float)
    known = ~np.isnan(values)
    if not known.any():
        raise TooFewPeriodsError(NOTHING_REPORTED, needed=1, found=0)
    end = int(np.flatnonzero(known)[-1]) + 1
    missing = np.flatnonzero(~known[:end])
    start = int(missing[-1]) + 1 if len(missing) else int(np.flatnonzero(known)[0])
    first_known = int(np.flatnonzero(known)[0])
    unit = period_unit(series.index)
    said: list[tuple[str, Note]] = []
    if start > first_known:
        gap_first = start - 1
        while not known[gap_first - 1]:
            gap_first -= 1
        labels = period_labels(series.index[[gap_first, start - 1, start]], unit)
        span = f"in {labels[0]}" if gap_first == start - 1 else f"from {labels[0]} to {labels[1]}"
        periods = unit if end - start > 1 else unit[:-1]
        modelled = Count(end - start, unit)
        if gap_first == start - 1:
            gap = note("gap_one", period=labels[0], modelled=modelled, since=labels[2])
        else:
            gap = note(
                "gap_span", first=labels[0], last=labels[1], modelled=modelled, since=labels[2]
            )
        said.append(
            (
                f"Not reported {span}: modelled on the {end - start} {periods} reported since "
                f"{labels[2]}.",
                gap,
            )
        )
    if end < len(values):
        last = period_labels(series.index[[end - 1]], unit)[0]
        said.append(
            (
                f"Not reported after {last}: the forecast starts after it.",
                note("gap_after", last=last),
            )
        )
    return start, end, said


@dataclass(frozen=True)
class SeriesClass:
    """What :func:`classify` found: the status, the message shown, and the numbers behind it.

    ``n_zero`` and ``adi`` describe the recent window (:data:`RECENT_SEASONS` seasons),
    on which intermittency is decided; ``start`` is the first period modelled (after a
    dormant stretch, see :func:`active_start`).
    """

    status: str
    message: str
    n: int
    n_zero: int
    adi: float
    start: int = 0
    notes: tuple[Note, ...] = ()


#: Seasons (two years of months or weeks, eight quarters; ten years) on which a series is
#: judged intermittent: a route that was quiet for years and now runs at hundreds a month
#: is not intermittent, whatever its whole history's share of zeros.
RECENT_SEASONS = 2
#: Periods of a yearly series on which intermittency is judged.
RECENT_YEARS = 10


def recent_window(unit: str) -> int:
    """Periods of the window on which intermittency is decided."""
    return RECENT_YEARS if unit == YEARS else RECENT_SEASONS * SEASON_LENGTHS[unit]


def active_start(values: np.ndarray, m: int) -> int:
    """The first period after the last stretch of at least a season of zeros (0 if none).

    A count that was zero for years and then rose is modelled from the rise: the zeros
    before say nothing about its level or season now. Two years for a yearly series.
    """
    dormant = max(m, 2)
    run, start = 0, 0
    for i, value in enumerate(np.asarray(values, dtype=float)):
        run = run + 1 if value == 0 else 0
        if run >= dormant:
            start = i + 1
    return start


def classify(series: pd.Series, horizon: int = 12, min_train: int | None = None) -> SeriesClass:
    """Sort a count series into ok, too short, all zero, too sparse or intermittent.

    Parameters
    ----------
    series : Series
        Counts on consecutive period starts; see :func:`check_counts`.
    horizon : int
        Periods the backtest forecasts from each origin.
    min_train : int, optional
        Fewest training periods of the backtest; one season and a period when not given.
        A series needs ``min_train + horizon`` periods to be backtested.

    Returns
    -------
    SeriesClass
        The checks run in this order: too short (fewer than ``min_train + horizon``
        periods), all zero, too sparse (fewer than 3 non-zero periods, e.g. a single
        spike), intermittent (in the recent window, see :func:`recent_window`: a share of
        zero periods above 0.5, or ADI above 1.32, ADI being the number of periods divided
        by the number of non-zero ones), then too short again for the active part (after
        a dormant stretch, see :func:`active_start`), else ok.

    Examples
    --------
    >>> idx = pd.date_range("2024-01-01", periods=5, freq="MS")
    >>> classify(pd.Series([1.0, 2, 3, 4, 5], index=idx)).message
    'Only 5 months of data; at least 25 are needed to choose a model by backtest. \
Showing the mean of the last 3 months, with intervals from its changes.'
    """
    if horizon < 1:
        raise ValueError(f"`horizon` must be an integer greater than 0. Got {horizon!r}.")
    check_counts(series)
    unit = period_unit(series.index)
    m = SEASON_LENGTHS[unit]
    values = series.to_numpy(dtype=float)
    n = len(values)
    n_non_zero = int((values > 0).sum())
    recent = values[-recent_window(unit) :]
    recent_zero = int((recent == 0).sum())
    adi = len(recent) / (len(recent) - recent_zero) if recent_zero < len(recent) else np.inf
    need = (m + 1 if min_train is None else min_train) + horizon
    short = f"Showing the mean of the last {min(n, 3)} {unit}, with intervals from its changes."
    fallback = f"Showing the mean of the last {min(n, FALLBACK_PERIODS[unit])} {unit} with "
    fallback += "Poisson intervals."
    level_note = note(
        "too_short_level", n=Count(n, unit), need=Count(need, unit), mean=Count(min(n, 3), unit)
    )
    mean_note = note(
        "too_short_mean",
        n=Count(n, unit),
        need=Count(need, unit),
        mean=Count(min(n, FALLBACK_PERIODS[unit]), unit),
    )
    if n < need:
        message = (
            f"Only {n} {unit} of data; at least {need} are needed to choose a model by "
            f"backtest. {short if n_non_zero >= MIN_NON_ZERO else fallback}"
        )
        said = level_note if n_non_zero >= MIN_NON_ZERO else mean_note
        return SeriesClass(TOO_SHORT, message, n, recent_zero, adi, notes=(said,))
    if n_non_zero == 0:
        message = f"All {n} {unit} are zero; there is nothing to model. The forecast is zero."
        said = note("all_zero", n=Count(n, unit))
        return SeriesClass(ALL_ZERO, message, n, recent_zero, adi, notes=(said,))
    if n_non_zero < MIN_NON_ZERO:
        message = f"Only {n_non_zero} of {n} {unit} are non-zero; too sparse to model. {fallback}"
        said = note(
            "too_sparse",
            non_zero=n_non_zero,
            n=Count(n, unit),
            mean=Count(min(n, FALLBACK_PERIODS[unit]), unit),
        )
        return SeriesClass(TOO_SPARSE, message, n, recent_zero, adi, notes=(said,))
    if recent_zero / len(recent) > ZERO_SHARE_CUTOFF or adi > ADI_CUTOFF:
        message = (
            f"{recent_zero} of the last {len(recent)} {unit} are zero (ADI {adi:.2f}): "
            "intermittent series, so only Croston (SBA) and the no-change and seasonal "
            "naive forecasts were compared."
        )
        said = note("intermittent", zero=recent_zero, recent=Count(len(recent), unit))
        return SeriesClass(INTERMITTENT, message, n, recent_zero, adi, notes=(said,))
    start = active_start(values, m)
    if start:
        labels = period_labels(series.index[[0, start - 1, start]], unit)
        dormant = f"Zero from {labels[0]} to {labels[1]}; modelled from {labels[2]}, "
        span = {"first": labels[0], "last": labels[1], "since": labels[2]}
        if n - start < need:
            message = (
                f"{dormant}{n - start} {unit}, and at least {need} are needed to choose a "
                f"model by backtest. {short}"
            )
            said = note(
                "dormant_short",
                **span,
                n=Count(n - start, unit),
                need=Count(need, unit),
                mean=Count(min(n, 3), unit),
            )
            return SeriesClass(TOO_SHORT, message, n, recent_zero, adi, start, (said,))
        message = f"{dormant}{n - start} {unit}."
        said = note("dormant", **span, n=Count(n - start, unit))
        return SeriesClass(OK, message, n, recent_zero, adi, start, (said,))
    return SeriesClass(OK, "", n, recent_zero, adi)
