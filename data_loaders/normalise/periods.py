"""The period each value of a file's date column stands for: a day, an ISO week, a month,
a quarter or a year, with one granularity per file.

National statistics come as periods (``2025``, ``2025-Q2``, ``2025-06``, ``2025M06``,
``June 2025``, ``2025-W24``); event lists as days, read by :mod:`.dates` with its
conventions unchanged (the order of day and month, Excel serials, times of day). Every
readable value yields its period's first day and granularity. A four-digit number is a
year, never an Excel serial (as a serial it would fall in 1902–1927).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from data_loaders.normalise.dates import (
    NO_DATES,
    DateConvention,
    detect_date_convention,
    parse_dates,
)
from data_loaders.normalise.text import MISSING, as_text, fold, join_names
from threatmon.contract import EARLIEST_DATE, LATEST_DATE
from threatmon.granularity import GRANULARITIES, granularity_of, period_end, period_label

_FIRST_YEAR, _LAST_YEAR = EARLIEST_DATE.year, LATEST_DATE.year
_LATEST = LATEST_DATE.date()

#: Granularity → how a report names its periods.
PLURALS: dict[str, str] = {
    "day": "days",
    "week": "ISO weeks",
    "month": "months",
    "quarter": "quarters",
    "year": "years",
}

NOT_A_DATE_OR_PERIOD = (
    "Not a date or period in any accepted format: days as YYYY-MM-DD, dd.mm.yyyy, "
    "dd/mm/yyyy or an Excel serial number; ISO weeks as 2025-W24; months as 2025-06, "
    "2025M06, 06/2025 or June 2025; quarters as 2025-Q2; years as 2025."
)
NOT_A_CALENDAR_PERIOD = (
    "The dates do not span one calendar period: a day, an ISO week (Monday to Sunday), "
    "a month, a quarter or a year."
)
ONE_GRANULARITY = "A file holds one granularity: load the rows of each in a file of its own."

# Period forms: (label in reports, granularity, pattern). Named groups: y year, q quarter,
# m month (a number), n month (a name), w week. Tried in order; the first match wins.
_FORMS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (label, granularity, re.compile(pattern, re.IGNORECASE))
    for label, granularity, pattern in (
        # A spreadsheet's number column writes a year as 2025.0.
        ("yyyy", "year", r"(?P<y>[0-9]{4})(?:\.0+)?"),
        ("yyyy-Qn", "quarter", r"(?P<y>[0-9]{4})-Q(?P<q>[0-9])"),
        ("yyyyQn", "quarter", r"(?P<y>[0-9]{4})Q(?P<q>[0-9])"),
        ("yyyy Qn", "quarter", r"(?P<y>[0-9]{4}) Q(?P<q>[0-9])"),
        ("Qn yyyy", "quarter", r"Q(?P<q>[0-9]) (?P<y>[0-9]{4})"),
        ("Qn-yyyy", "quarter", r"Q(?P<q>[0-9])-(?P<y>[0-9]{4})"),
        ("yyyy-Www", "week", r"(?P<y>[0-9]{4})-W(?P<w>[0-9]{1,2})"),
        ("yyyyWww", "week", r"(?P<y>[0-9]{4})W(?P<w>[0-9]{1,2})"),
        ("yyyy-mm", "month", r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})"),
        ("yyyy/mm", "month", r"(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})"),
        ("yyyyMmm", "month", r"(?P<y>[0-9]{4})M(?P<m>[0-9]{1,2})"),  # Eurostat
        ("mm/yyyy", "month", r"(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})"),
        ("mm.yyyy", "month", r"(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4})"),
        ("month yyyy", "month", r"(?P<n>[^\W\d_][^\W\d_.]*\.?) ?(?P<y>[0-9]{4})"),
        ("yyyy month", "month", r"(?P<y>[0-9]{4}) (?P<n>[^\W\d_][^\W\d_.]*\.?)"),
    )
)


def _month_names() -> dict[str, int]:
    """Folded month names and abbreviations in English, Romanian, Ukrainian and Russian."""
    names = {
        "en": "january february march april may june july august september october "
        "november december",
        "en_short": "jan feb mar apr may jun jul aug sep oct nov dec",
        "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie "
        "octombrie noiembrie decembrie",
        "ro_short": "ian feb mar apr mai iun iul aug sep oct noi dec",
        "uk": "січень лютий березень квітень травень червень липень серпень вересень "
        "жовтень листопад грудень",
        # "за червня 2025" in running text: the genitive.
        "uk_genitive": "січня лютого березня квітня травня червня липня серпня вересня "
        "жовтня листопада грудня",
        "ru": "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
    }
    index: dict[str, int] = {"sept": 9}
    for words in names.values():
        for month, word in enumerate(words.split(), start=1):
            if index.setdefault(fold(word), month) != month:
                raise ValueError(f"The month name {word!r} names two months.")
    return index


_MONTHS = _month_names()


@dataclass(frozen=True)
class Period:
    """One calendar period: its first day and granularity."""

    start: dt.date
    granularity: str

    @property
    def end(self) -> dt.date:
        """The period's last day."""
        return period_end(self.start, self.granularity)

    @property
    def label(self) -> str:
        """``2025``, ``2025-Q2``, ``2025-06``, ``2025-W24`` or ``2025-06-14``."""
        return period_label(self.start, self.granularity)


@dataclass(frozen=True)
class _Form:
    label: str
    granularity: str
    period: Period | None
    problem: str | None


def _year_problem(year: int, label: str) -> str | None:
    if _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    if label == "yyyy":
        return (
            f"A year outside {_FIRST_YEAR} to {_LAST_YEAR}; a four-digit number is read as a "
            "year, never as an Excel serial date."
        )
    return f"The year is outside {_FIRST_YEAR} to {_LAST_YEAR}."


def _form(text: str) -> _Form | None:
    """The period form ``text`` is written in and its period (or why it is none)."""
    for label, granularity, pattern in _FORMS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        found = match.groupdict()
        if found.get("n") is not None:
            month = _MONTHS.get(fold(found["n"]))
            if month is None:
                continue  # a word that is no month: not this form
            found["m"] = str(month)
        year = int(found["y"])
        problem = _year_problem(year, label)
        start = None
        if granularity == "year":
            start = dt.date(year, 1, 1)
        elif granularity == "quarter":
            quarter = int(found["q"])
            if not 1 <= quarter <= 4:
                problem = f"Not a real quarter: there is no Q{quarter} (quarters run Q1 to Q4)."
            else:
                start = dt.date(year, 3 * quarter - 2, 1)
        elif granularity == "month":
            month = int(found["m"])
            if not 1 <= month <= 12:
                problem = f"Not a real month: there is no month {month}."
            else:
                start = dt.date(year, month, 1)
        else:
            week = int(found["w"])
            weeks = dt.date(year, 12, 28).isocalendar().week
            if not 1 <= week <= weeks:
                problem = f"Not a real ISO week: {year} has {weeks} weeks."
            else:
                start = dt.date.fromisocalendar(year, week, 1)
        if problem is None and start is not None and period_end(start, granularity) > _LATEST:
            problem = f"The period ends after {_LATEST:%Y-%m-%d}."
        period = Period(start, granularity) if problem is None and start else None
        return _Form(label, granularity, period, problem)
    return None


@dataclass(frozen=True)
class PeriodReading:
    """How a file's date column reads.

    Attributes
    ----------
    name : str
        The forms found, for reports: a day convention's name as :mod:`.dates` gives it
        (``"dd.mm.yyyy (day first)"``), ``"yyyy (years)"``, ``"yyyy-mm or month yyyy
        (months)"``, or ``"mixed: …"`` when granularities mix.
    convention : DateConvention
        The convention of the values written as days (its ``problem``, when the order of
        day and month cannot be decided, is one problem of the file).
    periods : dict of str to Period or None
        Every distinct value's period; None when it has a problem, or when it is a day
        whose order of day and month is undecided.
    problems : dict of str to str
        Why each value with no period has none (the undecided days excepted).
    granularities : tuple of str
        The granularities of the values, in :data:`GRANULARITIES` order (an undecided
        day counts as a day). One granularity makes a valid file.
    """

    name: str
    convention: DateConvention
    periods: dict[str, Period | None]
    problems: dict[str, str]
    granularities: tuple[str, ...]

    @property
    def granularity(self) -> str | None:
        """The file's granularity; None when it has none or several."""
        return self.granularities[0] if len(self.granularities) == 1 else None


def read_periods(values: Iterable[str], order: str | None = None) -> PeriodReading:
    """Read the distinct values of a date column as periods.

    Parameters
    ----------
    values : iterable of str
        Distinct raw values. Periods: years ``2025`` (``2025.0`` from a number cell);
        quarters ``2025-Q2``, ``2025Q2``, ``2025 Q2``, ``Q2 2025``, ``Q2-2025``; months
        ``2025-06``, ``2025/06``, ``2025M06`` (Eurostat), ``06/2025``, ``06.2025`` and a
        month's name or abbreviation in English, Romanian, Ukrainian or Russian before or
        after the year (``June 2025``, ``Jun 2025``, ``iunie 2025``, ``червень 2025``);
        ISO weeks ``2025-W24``, ``2025W24``. Letters in any case. Anything else is read
        as a day by :func:`~data_loaders.normalise.dates.detect_date_convention`.
    order : {"dmy", "mdy"}, optional
        The order of slashed days, as the user gives it.

    Returns
    -------
    PeriodReading
        Periods whose year is outside 2000–2100 (or that end after 2100-12-31), quarters
        beyond Q4, month 13 and week 54 have a problem; so have values in no form.
    """
    periods: dict[str, Period | None] = {}
    problems: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    days: list[str] = []
    found: set[str] = set()
    for raw in dict.fromkeys(values):
        text = as_text(raw).strip()
        form = _form(text) if text else None
        if form is None:
            days.append(raw)
            continue
        periods[raw] = form.period
        labels.setdefault(form.granularity, [])
        if form.label not in labels[form.granularity]:
            labels[form.granularity].append(form.label)
        if form.problem:
            problems[raw] = form.problem
        else:
            found.add(form.granularity)
    convention, day_problems = detect_date_convention(days, order)
    for raw, day in parse_dates(days, convention).items():
        periods[raw] = None if day is None else Period(day, "day")
        reason = day_problems.get(raw)
        if reason and reason.startswith("Not a date in any accepted format"):
            reason = NOT_A_DATE_OR_PERIOD
        if reason:
            problems[raw] = reason
        elif day is not None or convention.problem:
            found.add("day")
    # Every form written is named, the ones whose values all have a problem too.
    parts = [
        f"{' or '.join(labels[g])} ({PLURALS[g]})" for g in reversed(GRANULARITIES) if g in labels
    ]
    if convention.name != NO_DATES:
        parts.append(convention.name)
    if not parts:
        name = NO_DATES
    elif len(parts) == 1:
        name = parts[0]
    else:
        name = "mixed: " + join_names([part.removeprefix("mixed: ") for part in parts])
    return PeriodReading(
        name,
        convention,
        periods,
        problems,
        tuple(g for g in GRANULARITIES if g in found),
    )


def span(start: Period, end: Period) -> tuple[Period | None, str | None]:
    """The period from ``start``'s first day to ``end``'s last day, or why it is none.

    ``2025-04-01`` to ``2025-06-30`` is the quarter 2025-Q2, and so is ``2025-04`` to
    ``2025-06``; ``2025-06-03`` to ``2025-06-09`` is no calendar period (a week starts on
    a Monday).
    """
    first, last = start.start, end.end
    if last < first:
        return None, f"The period ends before it starts ({first:%Y-%m-%d})."
    granularity = granularity_of(first, last)
    if granularity is None:
        return None, NOT_A_CALENDAR_PERIOD
    return Period(first, granularity), None


def mixed_granularity(examples: Sequence[tuple[str, str, int]]) -> str:
    """The problem of a file whose rows stand for periods of several lengths.

    Parameters
    ----------
    examples : sequence of (granularity, value, line)
        One example per granularity found, in the order to name them.
    """
    named = [f"{PLURALS[g]} (e.g. {value!r} on line {line})" for g, value, line in examples]
    return f"The rows stand for periods of different lengths: {join_names(named)}. " + (
        ONE_GRANULARITY
    )


__all__ = [
    "MISSING",
    "NOT_A_CALENDAR_PERIOD",
    "NOT_A_DATE_OR_PERIOD",
    "ONE_GRANULARITY",
    "PLURALS",
    "Period",
    "PeriodReading",
    "mixed_granularity",
    "read_periods",
    "span",
]
