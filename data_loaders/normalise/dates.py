"""One date convention per file, and the dates it reads."""

from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from data_loaders.normalise.text import MISSING, as_text, join_names

# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateConvention:
    """How the dates of one file are written.

    Attributes
    ----------
    name : str
        A short description for reports, e.g. ``"dd.mm.yyyy (day first)"`` or
        ``"mixed: yyyy-mm-dd (ISO) and dd.mm.yyyy (day first)"``.
    day_first : bool or None
        How dd/mm/yyyy vs mm/dd/yyyy dates are read: ``True`` day first, ``False``
        month first, ``None`` when the file has no such dates (ISO and Excel serials
        need no order; dotted dates are always day first) or when their order could
        not be decided.
    problem : str or None
        Why the file's slashed dates cannot be read at all: every one of them is valid
        in both orders and no order was given. One problem for the whole file, in
        place of one per date.
    """

    name: str
    day_first: bool | None
    problem: str | None = None


#: The orders a user may give for slashed dates: option value → day first.
DATE_ORDERS: dict[str, bool] = {"dmy": True, "mdy": False}
_ORDER_WORDS = {True: "day first", False: "month first"}
_UNDECIDED_EXAMPLES = 2

NOT_A_DATE = (
    "Not a date in any accepted format (YYYY-MM-DD, dd.mm.yyyy, dd/mm/yyyy, Excel serial number)."
)
#: The convention's name when no value is a date.
NO_DATES = "no dates recognised"
EXCEL_MAX_SERIAL = 109_575
"""The largest Excel serial accepted: 2200-01-01."""

# A time of day (dropped): 24-hour "14:30", "14:30:05.5", or 12-hour "12:00:00 AM" as
# American systems export it ("a.m." too); a 12-hour time has no hour 0 or 13.
_TIME = (
    r"(?:[T ](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?"
    r"| (?:0?[1-9]|1[0-2]):[0-5][0-9](?::[0-5][0-9])? ?(?:[AaPp][Mm]|[AaPp]\.[Mm]\.))?"
)
# Year first: ISO 8601 and, for Hungarian systems, "2024.03.25." / "2024. 03. 25.".
_YEAR_FIRST = re.compile(
    r"(?P<y>[0-9]{4})(?P<sep>[-./]) ?(?P<a>[0-9]{1,2})(?P=sep) ?(?P<b>[0-9]{1,2})\.?"
    + _TIME
    + r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_DOTTED = re.compile(r"(?P<a>[0-9]{1,2})\.(?P<b>[0-9]{1,2})\.(?P<y>[0-9]{4})" + _TIME)
_SLASHED = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<sep>[/-])(?P<b>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})" + _TIME
)
_SERIAL = re.compile(r"(?P<n>[0-9]{1,9})(?:\.(?P<frac>[0-9]+))?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclass(frozen=True)
class _Shape:
    family: str  # "year-first", "dotted", "slashed", "serial"
    year: int = 0
    a: int = 0  # year-first: month; dotted and slashed: first number
    b: int = 0
    sep: str = ""
    serial: int = 0


def _shape(text: str) -> _Shape | None:
    for family, pattern in (
        ("year-first", _YEAR_FIRST),
        ("dotted", _DOTTED),
        ("slashed", _SLASHED),
    ):
        m = pattern.fullmatch(text)
        if m:
            sep = m.groupdict().get("sep") or ""
            return _Shape(family, int(m["y"]), int(m["a"]), int(m["b"]), sep)
    m = _SERIAL.fullmatch(text)
    if m:
        return _Shape("serial", serial=int(m["n"]))
    return None


def _calendar_problem(year: int, month: int, day: int) -> str | None:
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return "Not a real date: the year is out of range."
    if not 1 <= month <= 12:
        return f"Not a real date: there is no month {month}."
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"Not a real date: {calendar.month_name[month]} {year} has {days} days."
    return None


def _serial_problem(serial: int) -> str | None:
    if serial == 60:
        return (
            "Excel serial number 60 stands for 29 February 1900, a day that never existed "
            "(Excel keeps a Lotus 1-2-3 leap-year bug)."
        )
    if not 1 <= serial <= EXCEL_MAX_SERIAL:
        return (
            f"A number outside the Excel serial dates accepted (1 to {EXCEL_MAX_SERIAL}, "
            "i.e. 1900-01-01 to 2200-01-01)."
        )
    return None


def _serial_date(serial: int) -> datetime.date:
    # Excel counts 1900 as a leap year: serials from 61 on are one day ahead of a
    # plain count from 1899-12-31, so they count from 1899-12-30 instead.
    if serial < 60:
        return _EXCEL_EPOCH + datetime.timedelta(days=serial + 1)
    return _EXCEL_EPOCH + datetime.timedelta(days=serial)


def _slashed_pattern(day_first: bool, sep: str) -> str:
    return sep.join(("dd", "mm", "yyyy") if day_first else ("mm", "dd", "yyyy"))


def detect_date_convention(
    values: Iterable[str], order: str | None = None
) -> tuple[DateConvention, dict[str, str]]:
    """Decide one date convention for a file from its distinct date values.

    Parameters
    ----------
    values : iterable of str
        Distinct raw date values. Accepted formats:

        - year first: ISO ``YYYY-MM-DD`` with an optional time (``T14:30``, a space
          and ``14:30:05``, fractions, ``Z`` or an offset; the time is dropped), and
          ``YYYY.MM.DD`` / ``YYYY/MM/DD`` as Hungarian systems write them;
        - ``dd.mm.yyyy``, always day first in this region;
        - ``dd/mm/yyyy`` or ``mm/dd/yyyy`` (or with ``-``), four-digit years only;
        - Excel serial numbers from 1 (1900-01-01) to 109575 (2200-01-01) in the 1900
          date system, with or without a fraction (the time of day, dropped).

        Dates may carry a time after a space, dropped: ``HH:MM[:SS]`` or a 12-hour
        ``H:MM[:SS] AM`` (``8/29/2014 12:00:00 AM``).
        Formats may be mixed in one file (ISO and dotted, or typed text dates beside
        Excel's numbers): each is unambiguous once the slashed order is decided.
    order : {"dmy", "mdy"}, optional
        The order of slashed dates as the user gives it (:data:`DATE_ORDERS`); without
        it the dates decide.

    Returns
    -------
    DateConvention
        The convention. With ``order``, slashed dates are read in that order. Without
        it, slashed dates are day first if some are only valid day first
        (``25/03/2024``) and none only month first; month first if the reverse; by
        majority if both occur (a tie goes to day first). When every one is valid in
        both orders (both numbers at most 12), nothing decides: ``day_first`` is None
        and ``problem`` says so, with how many and two examples, rather than a guess
        that would misdate most of the file.
    dict of str to str
        Every value that :func:`parse_dates` will map to ``None`` under the returned
        convention, with the reason: values in no accepted format, impossible dates
        (``31.02.2024``, ``2024-13-01``), slashed dates that contradict the decided
        order (``"Only valid as month-first (mm/dd/yyyy), but other rows are day-first
        (e.g. '25/03/2024')."``) or the given one, Excel serial 60 (Excel's fictitious
        1900-02-29) and serials out of range, and empty values. The slashed dates
        named by the convention's ``problem`` are the one exception: they have that
        problem instead.
    """
    if order is not None and order not in DATE_ORDERS:
        raise ValueError(f"The date order is one of {', '.join(DATE_ORDERS)}. Got {order!r}.")
    problems: dict[str, str] = {}
    families: dict[str, list[_Shape]] = defaultdict(list)
    # Slashed values by which order makes them a real date.
    only_day_first: list[str] = []
    only_month_first: list[str] = []
    both: list[str] = []
    slashed: dict[str, _Shape] = {}
    for raw in dict.fromkeys(values):
        text = as_text(raw).strip()
        if not text:
            problems[raw] = MISSING
            continue
        shape = _shape(text)
        if shape is None:
            problems[raw] = NOT_A_DATE
            continue
        families[shape.family].append(shape)
        problem = None
        if shape.family == "year-first":
            problem = _calendar_problem(shape.year, shape.a, shape.b)
        elif shape.family == "dotted":
            problem = _calendar_problem(shape.year, shape.b, shape.a)
        elif shape.family == "serial":
            problem = _serial_problem(shape.serial)
        else:
            slashed[raw] = shape
            day_first_ok = _calendar_problem(shape.year, shape.b, shape.a) is None
            month_first_ok = _calendar_problem(shape.year, shape.a, shape.b) is None
            if day_first_ok and not month_first_ok:
                only_day_first.append(raw)
            elif month_first_ok and not day_first_ok:
                only_month_first.append(raw)
            elif day_first_ok:
                both.append(raw)
        if problem:
            problems[raw] = problem

    day_first: bool | None = None
    undecided: str | None = None
    parts: list[str] = []
    if families["year-first"]:
        seps = dict.fromkeys(s.sep for s in families["year-first"])
        shown = " or ".join(sep.join(("yyyy", "mm", "dd")) for sep in seps)
        parts.append(f"{shown} ({'ISO' if list(seps) == ['-'] else 'year first'})")
    if families["dotted"]:
        parts.append("dd.mm.yyyy (day first)")
        day_first = True
    if slashed:
        sep = "/" if any(s.sep == "/" for s in slashed.values()) else "-"
        if order is not None:
            day_first = DATE_ORDERS[order]
            how = f"{_ORDER_WORDS[day_first]}, as given"
        elif only_day_first or only_month_first:
            day_first = len(only_day_first) >= len(only_month_first)
            how = _ORDER_WORDS[day_first]
        elif both:
            day_first = None
            undecided = _undecided(both)
            for raw, shape in slashed.items():
                if raw not in both:  # a date in neither order: say why in days
                    problems[raw] = _calendar_problem(shape.year, shape.b, shape.a)
        else:
            day_first = True  # every slashed date is impossible either way: say why in days
            how = _ORDER_WORDS[day_first]
        if day_first is None:
            parts.append(
                f"{_slashed_pattern(True, sep)} or {_slashed_pattern(False, sep)} (order unknown)"
            )
        else:
            parts.append(f"{_slashed_pattern(day_first, sep)} ({how})")
            problems.update(
                _slashed_problems(slashed, day_first, order, only_day_first, only_month_first)
            )
    if families["serial"]:
        parts.append("Excel serial numbers (1900 date system)")

    if not parts:
        name = NO_DATES
    elif len(parts) == 1:
        name = parts[0]
    else:
        name = "mixed: " + join_names(parts)
    return DateConvention(name, day_first, undecided), problems


def _undecided(ambiguous: list[str]) -> str:
    examples = ", ".join(repr(value) for value in ambiguous[:_UNDECIDED_EXAMPLES])
    count = len(ambiguous)
    dates = "date is" if count == 1 else "dates are"
    return (
        f"The order of day and month cannot be decided: {count:,} distinct slashed {dates} "
        f"valid both day first and month first (e.g. {examples}), and no date shows the "
        "order. Give the date order: dmy (day first) or mdy (month first), with "
        "--date-order or the Upload page's Date order option."
    )


def _slashed_problems(
    slashed: dict[str, _Shape],
    day_first: bool,
    order: str | None,
    only_day_first: list[str],
    only_month_first: list[str],
) -> dict[str, str]:
    """The slashed values that are no date in the decided (or given) order, with why."""
    problems = {}
    # The minority contradicts; on a tie (day first) the month-first-only ones.
    wrong = set(only_month_first if day_first else only_day_first)
    example = (only_day_first if day_first else only_month_first)[:1]
    for raw, shape in slashed.items():
        other = f"Only valid as {'month' if day_first else 'day'}-first " + (
            f"({_slashed_pattern(not day_first, shape.sep)})"
        )
        if raw in wrong and order is not None:
            problems[raw] = (
                f"{other}, but the date order given is {_ORDER_WORDS[day_first]} ({order})."
            )
            continue
        if raw in wrong and example:
            problems[raw] = (
                f"{other}, but other rows are {'day' if day_first else 'month'}-first "
                f"(e.g. {example[0]!r})."
            )
            continue
        month, day = (shape.b, shape.a) if day_first else (shape.a, shape.b)
        problem = _calendar_problem(shape.year, month, day)
        if problem:
            problems[raw] = problem
    return problems


def _parse_date(raw: object, convention: DateConvention) -> datetime.date | None:
    shape = _shape(as_text(raw).strip())
    if shape is None:
        return None
    if shape.family == "serial":
        return None if _serial_problem(shape.serial) else _serial_date(shape.serial)
    if shape.family == "year-first":
        year, month, day = shape.year, shape.a, shape.b
    elif shape.family == "dotted":
        year, month, day = shape.year, shape.b, shape.a
    elif convention.day_first is None:
        return None  # a slashed date needs an order, and this convention has none
    elif convention.day_first:
        year, month, day = shape.year, shape.b, shape.a
    else:
        year, month, day = shape.year, shape.a, shape.b
    if _calendar_problem(year, month, day):
        return None
    return datetime.date(year, month, day)


def parse_dates(
    values: Iterable[str], convention: DateConvention
) -> dict[str, datetime.date | None]:
    """Read date values under a convention from :func:`detect_date_convention`.

    Parameters
    ----------
    values : iterable of str
        Distinct raw date values.
    convention : DateConvention
        Decides the order of slashed dates; every other accepted format is read the
        same under any convention.

    Returns
    -------
    dict of str to datetime.date or None
        One entry per distinct value; ``None`` when it is not a real date under the
        convention (``31/02/2024``, ``2024-13-01``, Excel serial 60, text). These are
        exactly the values named by :func:`detect_date_convention` for the same values.
    """
    return {raw: _parse_date(raw, convention) for raw in dict.fromkeys(values)}
