"""The calendar periods a stored figure can stand for: a day, an ISO week, a month, a
quarter or a year, and which of them add up exactly into which.

A row of the store holds its period's first day (``date``), last day (``period_end``)
and granularity. A view at one frequency shows only the rows whose periods nest in
its periods: a month adds up exactly into its quarter and year, an ISO week into
nothing coarser (weeks straddle months and years). Rows that do not nest are not
spread or dropped silently: the view says they exist at a coarser granularity.
"""

from __future__ import annotations

import datetime as dt

#: Granularities from the finest to the coarsest.
GRANULARITIES: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
#: Geographic levels of a figure: a first-level region (oblast, raion, județ…), or the country.
LEVELS: tuple[str, ...] = ("admin1", "national")
#: The frequency codes of the store's read API and the granularity of their periods.
FREQUENCY_GRANULARITY: dict[str, str] = {
    "D": "day",
    "W": "week",
    "M": "month",
    "Q": "quarter",
    "Y": "year",
}
#: The granularities whose periods each lie inside exactly one period of a frequency.
NESTED_IN: dict[str, tuple[str, ...]] = {
    "D": ("day",),
    "W": ("day", "week"),
    "M": ("day", "month"),
    "Q": ("day", "month", "quarter"),
    "Y": ("day", "month", "quarter", "year"),
}
#: The adjective used in sentences: "the data are yearly".
ADJECTIVE: dict[str, str] = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "quarter": "quarterly",
    "year": "yearly",
}


def period_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the ``granularity`` period holding ``day`` (ISO weeks start on Monday)."""
    if granularity == "day":
        return day
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if granularity == "year":
        return dt.date(day.year, 1, 1)
    raise ValueError(
        f"`granularity` must be one of {', '.join(GRANULARITIES)}. Got {granularity!r}."
    )


def period_end(start: dt.date, granularity: str) -> dt.date:
    """The last day of the ``granularity`` period that starts on ``start``."""
    if granularity == "day":
        return start
    if granularity == "week":
        return start + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}.get(granularity)
    if months is None:
        raise ValueError(
            f"`granularity` must be one of {', '.join(GRANULARITIES)}. Got {granularity!r}."
        )
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def granularity_of(start: dt.date, end: dt.date) -> str | None:
    """The granularity whose period runs exactly from ``start`` to ``end``; None if none does.

    ``2025-04-01``–``2025-06-30`` is a quarter; ``2025-06-02``–``2025-06-08`` an ISO week;
    ``2025-06-03``–``2025-06-09`` nothing (a week that does not start on a Monday).
    """
    for granularity in GRANULARITIES:
        if period_start(start, granularity) == start and period_end(start, granularity) == end:
            return granularity
    return None


def period_label(start: dt.date, granularity: str) -> str:
    """How the period is written in files and messages: ``2025``, ``2025-Q2``, ``2025-06``,
    ``2025-W24`` or ``2025-06-14``."""
    if granularity == "year":
        return f"{start.year}"
    if granularity == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if granularity == "month":
        return f"{start:%Y-%m}"
    if granularity == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m-%d}"
