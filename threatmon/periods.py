"""Calendar periods: months, whole-month windows and the default period of a selection.

The dashboard, the briefing and the command line all compare whole calendar months,
so the arithmetic that turns days into months (and data coverage into the default
period) is stated once, here. The frames are the store's long monthly aggregate:
``period`` (the first day of the month), one column per key, ``count``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

#: The monthly aggregate's columns: the month (its first day) and the incident count.
PERIOD = "period"
VALUE = "count"
#: Months in the default period of the dashboard, the briefing and the command line.
DEFAULT_MONTHS = 12

Window = tuple[dt.date | pd.Timestamp | str, dt.date | pd.Timestamp | str]


def month_start(day) -> pd.Timestamp:
    """The first day of the month of ``day`` as a Timestamp."""
    stamp = pd.Timestamp(day)
    return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)


def month_starts(start, end) -> pd.DatetimeIndex:
    """The first days of every month from ``start``'s month to ``end``'s month, inclusive."""
    first, last = month_start(start), month_start(end)
    if last < first:
        return pd.DatetimeIndex([], name=PERIOD)
    return pd.date_range(first, last, freq="MS", name=PERIOD)


def month_end(day) -> dt.date:
    """The last day of the month of ``day``."""
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def last_complete_months(last_date, months: int = DEFAULT_MONTHS) -> tuple[dt.date, dt.date]:
    """The last ``months`` whole calendar months of data ending on or before ``last_date``.

    Parameters
    ----------
    last_date : date-like
        The last day with data in the store.
    months : int
        How many months the window spans.

    Returns
    -------
    tuple of date
        First day of the first month and last day of the last month. The month of
        ``last_date`` counts as complete only when ``last_date`` is its last day.

    Examples
    --------
    >>> last_complete_months("2026-10-31")
    (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    >>> last_complete_months("2026-10-30", months=3)
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    """
    if months < 1:
        raise ValueError(f"`months` must be an integer greater than 0. Got {months!r}.")
    last = pd.Timestamp(last_date)
    end_month = month_start(last)
    if (last + pd.Timedelta(days=1)).day != 1:
        end_month -= pd.DateOffset(months=1)
    start = end_month - pd.DateOffset(months=months - 1)
    end = end_month + pd.offsets.MonthEnd(0)
    return start.date(), end.date()


def latest_reported_day(cells: pd.DataFrame) -> dt.date | None:
    """The last day the store's monthly coverage reaches: a monthly table's last month to
    its end, a daily extract to its last row's day.

    ``cells`` is :meth:`threatmon.store.reader.Store.coverage_cells`. Figures a monthly
    view cannot show (weeks, quarters, years) do not extend it: a yearly figure for 2025
    does not make December 2025 a month with data. :func:`last_complete_months` of this
    day is the latest complete month; None when no daily or monthly figure is held.

    Examples
    --------
    A monthly table whose last row is June 2025 covers June to its last day, so June is
    complete; a daily extract ending on 10 June 2025 leaves May the latest complete month.
    """
    days = cells.loc[cells["granularity"] == "day", "last_day"]
    months = cells.loc[cells["granularity"] == "month", "end"]
    reached = pd.concat([pd.to_datetime(days), pd.to_datetime(months)])
    return None if reached.empty else pd.Timestamp(reached.max()).date()


def default_period(
    first: dt.date, last: dt.date, months: int = DEFAULT_MONTHS
) -> tuple[dt.date, dt.date]:
    """The default period: the last ``months`` complete months of data.

    Clipped to the month of ``first``; with less than one complete month of data, the
    month of ``last`` itself. The sidebar, the briefing and the command line all start
    from it, so they show the same months for the same data.

    Examples
    --------
    >>> default_period(dt.date(2021, 1, 1), dt.date(2026, 10, 31))
    (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    >>> default_period(dt.date(2026, 9, 3), dt.date(2026, 10, 20))
    (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
    """
    start, end = last_complete_months(last, months)
    first_month = month_start(first).date()
    if end < first_month:  # less than one complete month of data
        end = month_end(last)
    return max(start, first_month), end


def complete_months(
    frame: pd.DataFrame,
    start,
    end,
    keys: Sequence[str] = (),
    *,
    value: str = VALUE,
    categories: Mapping[str, Sequence] | None = None,
) -> pd.DataFrame:
    """A dense monthly series: every month of ``start``..``end`` for every key combination.

    Parameters
    ----------
    frame : DataFrame
        Columns ``period`` (month starts), ``keys`` and ``value``; absent months mean 0.
        Rows outside the range are dropped; several rows for one month and key are summed.
    start, end : date-like
        The range; only their months matter.
    keys : sequence of str
        Columns that identify one series (e.g. ``["crime_type"]``).
    categories : mapping, optional
        For a key, the full list of values to include even when absent from ``frame``
        (their series are all zeros). By default, the values present in ``frame``.

    Returns
    -------
    DataFrame
        ``period``, ``keys``, ``value`` (int64), sorted by keys then period.
    """
    keys = list(keys)
    months = month_starts(start, end)
    data = frame[frame[PERIOD].between(months.min(), months.max())] if len(months) else frame[:0]
    summed = data.groupby([PERIOD, *keys], as_index=True)[value].sum() if len(data) else None
    levels = [months]
    for key in keys:
        given = (categories or {}).get(key)
        values = list(given) if given is not None else sorted(frame[key].dropna().unique())
        levels.append(pd.Index(values, name=key))
    full = pd.MultiIndex.from_product(levels, names=[PERIOD, *keys])
    if summed is None:
        dense = pd.Series(0, index=full, dtype="int64", name=value)
    else:
        dense = summed.reindex(full, fill_value=0).astype("int64")
    out = dense.reset_index()
    return out.sort_values([*keys, PERIOD], kind="stable").reset_index(drop=True)
