"""A time series a user brings as CSV (``threatmon forecast --series FILE.csv``).

One period column, one value column and optionally one regressor column (migration
flows, say), one row per period of one frequency: years (``2022``), quarters
(``2022-Q3`` or ``2022Q3``), months (``2022-06``), ISO weeks (``2022-W24``), or dates
(ISO or day-first, as the ingest reads them) on the periods' starts: 1 January, the
first day of a quarter or a month, a Monday. A four-digit year is a year, never an
Excel serial.

Nothing is regrouped: a date inside a period, a period of another frequency, two ways
of writing periods in one file, a period given twice and a period missing (which is not
a zero) are each reported with the line, column, value and reason, and nothing is
forecast from a file with any of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data_loaders import normalise
from threatmon.errors import Problem, UnreadableFileError, ValidationError

#: The frequencies of ``--freq``, coarsest first.
FREQUENCIES = ("Y", "Q", "M", "W")
#: Cells that are dates rather than period strings.
DATE = "date"

_SINGULAR = {"Y": "year", "Q": "quarter", "M": "month", "W": "week"}
_PLURAL = {"Y": "years", "Q": "quarters", "M": "months", "W": "weeks"}
_ADJECTIVE = {"Y": "yearly", "Q": "quarterly", "M": "monthly", "W": "weekly"}
_STARTS_OF = {"Y": "a year", "Q": "a quarter", "M": "a month", "W": "an ISO week (a Monday)"}
_EXAMPLES = {"Y": "2022", "Q": "2022-Q3", "M": "2022-06", "W": "2022-W24"}
#: Period starts of each frequency, as pandas names them.
_PANDAS_STARTS = {"Y": "YS", "Q": "QS", "M": "MS", "W": "W-MON"}

#: Years a period string may name: pandas' timestamps end in 2262, and a series of crime
#: counts before 1900 is a typing error, not history.
FIRST_YEAR, LAST_YEAR = 1900, 2199

_YEAR = re.compile(r"[0-9]{4}")
_QUARTER = re.compile(r"([0-9]{4})-?[Qq]([0-9])")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{1,2})")
# A number of up to four digits (or four with a fraction, as "2022.0" from a float
# column) is no date: as an Excel serial it would land before 1928.
_SHORT_NUMBER = re.compile(r"[0-9]{1,4}(?:\.[0-9]*)?")

NOT_A_PERIOD = (
    "Not a period or a date: give years as 2022, quarters as 2022-Q3, months as 2022-06, "
    "ISO weeks as 2022-W24, or dates as 2022-06-01."
)


@dataclass(frozen=True)
class SeriesFile:
    """What :func:`read_series` read.

    Attributes
    ----------
    series : Series
        The values on consecutive period starts (a ``DatetimeIndex`` named ``period``
        that carries its frequency), in time order.
    exog : Series or None
        The regressor on the same index, if a column was named.
    freq : str
        ``"Y"``, ``"Q"``, ``"M"`` or ``"W"``: given, or read from the file.
    form : str
        How the file writes its periods: ``"period"`` (``2022-06``) or ``"date"``.
    """

    series: pd.Series
    exog: pd.Series | None
    freq: str
    form: str


@dataclass(frozen=True)
class _Cell:
    """One period cell: its kind (a frequency or ``DATE``) and start, or why it is unusable."""

    kind: str | None
    start: pd.Timestamp | None
    problem: str | None = None


def _period_cell(text: str) -> _Cell | None:
    """The cell of a period string, or None when ``text`` is not written as one."""
    if _YEAR.fullmatch(text):
        return _in_years(text, int(text), "Y", lambda: dt.date(int(text), 1, 1))
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        if not 1 <= quarter <= 4:
            return _Cell("Q", None, f"{text} is not a quarter: quarters run from Q1 to Q4.")
        return _in_years(text, year, "Q", lambda: dt.date(year, 3 * quarter - 2, 1))
    if match := _MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            return _Cell("M", None, f"{text} is not a month: months run from 01 to 12.")
        return _in_years(text, year, "M", lambda: dt.date(year, month, 1))
    if match := _WEEK.fullmatch(text):
        year, week = int(match[1]), int(match[2])
        weeks = dt.date(year, 12, 28).isocalendar().week if year >= 1 else 52
        if not 1 <= week <= weeks:
            return _Cell("W", None, f"{text} is not an ISO week: {year} has {weeks} weeks.")
        return _in_years(text, year, "W", lambda: dt.date.fromisocalendar(year, week, 1))
    if _SHORT_NUMBER.fullmatch(text):
        return _Cell(
            None,
            None,
            f"{text} is neither a year (2022) nor an Excel date serial (44713 is 2022-06-01).",
        )
    return None


def _in_years(text: str, year: int, kind: str, start) -> _Cell:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return _Cell(kind, None, f"{text} is outside the years {FIRST_YEAR} to {LAST_YEAR}.")
    return _Cell(kind, pd.Timestamp(start()))


#: A series file has no --date-order: dates whose order is unclear are written unambiguously.
DATE_ORDER_HINT = "A series file takes no date order: write its dates as YYYY-MM-DD."


def _cells(values: pd.Series) -> tuple[dict[str, _Cell], str | None]:
    """Each distinct raw period value read as a period string, else as a date; and, when
    the slashed dates show no day/month order, why (one problem for the file)."""
    cells: dict[str, _Cell] = {}
    dates: list[str] = []
    order_problem = None
    for raw in values.unique():
        text = raw.strip()
        if not text:
            cells[raw] = _Cell(None, None, "Value is missing.")
        elif (cell := _period_cell(text)) is not None:
            cells[raw] = cell
        else:
            dates.append(raw)
    if dates:
        convention, contradictions = normalise.detect_date_convention(dates)
        order_problem = convention.problem
        for raw, day in normalise.parse_dates(dates, convention).items():
            if day is not None:
                cells[raw] = _Cell(DATE, pd.Timestamp(day))
                continue
            reason = contradictions.get(raw) or order_problem or NOT_A_PERIOD
            # The ingest's wording lists date formats only; here periods are read too.
            if reason.startswith("Not a date in any accepted format"):
                reason = NOT_A_PERIOD
            cells[raw] = _Cell(None, None, reason)
    return cells, order_problem


def _period_of(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """The start of the period of ``freq`` that holds the day ``start``."""
    if freq == "W":
        return start - pd.Timedelta(days=start.weekday())
    return start.to_period({"Y": "Y", "Q": "Q", "M": "M"}[freq]).start_time


def _label(start: pd.Timestamp, freq: str) -> str:
    """A period start written as the period: 2022, 2022-Q3, 2022-06 or 2022-W24."""
    if freq == "Y":
        return f"{start.year}"
    if freq == "Q":
        return f"{start.year}-Q{start.quarter}"
    if freq == "M":
        return f"{start.year}-{start.month:02d}"
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def _inferred_freq(kinds: Counter, starts: list[pd.Timestamp], name: str) -> tuple[str, str]:
    """The frequency a file's own periods show (see :func:`read_series`), or "" and why not.

    The most common kind of period string wins (rows of other kinds are then refused);
    dates alone decide only when one frequency's starts hold them all.
    """
    periods = [kind for kind, _ in kinds.most_common() if kind != DATE]
    if periods:
        return periods[0], ""
    fitting = [f for f in FREQUENCIES if all(_period_of(s, f) == s for s in starts)]
    if len(fitting) == 1:
        return fitting[0], ""
    if fitting:
        return "", (
            f"{name}: every date starts {_join([_PLURAL[f] for f in fitting])} alike, so the "
            f"frequency is not clear; say which with --freq {_join(fitting, 'or')}."
        )
    return "", (
        f"{name}: the dates do not all start periods of one frequency (1 January, the first "
        "day of a quarter or a month, or a Monday); give --freq Y, Q, M or W to see the "
        "rows that do not fit."
    )


def _join(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _misfit(raw: str, cell: _Cell, freq: str) -> str | None:
    """Why a readable cell is no period of ``freq``; None when it is one."""
    if cell.kind == DATE:
        if _period_of(cell.start, freq) == cell.start:
            return None
        containing = _label(_period_of(cell.start, freq), freq)
        return (
            f"{cell.start.date()} is not the start of {_STARTS_OF[freq]}; with --freq {freq} "
            f"give {_PLURAL[freq]} as {containing}."
        )
    if cell.kind == freq:
        return None
    return (
        f"{raw.strip()} is a {_SINGULAR[cell.kind]}, but the series is {_ADJECTIVE[freq]} "
        f"(--freq {freq}); give {_PLURAL[freq]} as {_EXAMPLES[freq]}."
    )


def _period_problems(
    raws: pd.Series, line: pd.Series, cells: dict[str, _Cell], freq: str, column: str
) -> tuple[list[Problem], str]:
    """Every period cell that does not fit ``freq``, and the form the file writes periods in."""
    problems: list[Problem] = []
    fits: list = []
    for index, raw in raws.items():
        cell = cells[raw]
        reason = cell.problem or _misfit(raw, cell, freq)
        if reason:
            problems.append(Problem(int(line[index]), column, raw or None, reason))
        else:
            fits.append(index)
    form_of = {i: DATE if cells[raws[i]].kind == DATE else "period" for i in fits}
    forms = Counter(form_of.values())
    form = "period" if forms["period"] >= forms[DATE] else DATE
    majority = [i for i in fits if form_of[i] == form]
    if len(forms) > 1:
        example = majority[0]
        written = "dates" if form == DATE else _PLURAL[freq]
        for index in fits:
            if form_of[index] == form:
                continue
            raw = raws[index]
            mine = "a date" if form == "period" else f"a {_SINGULAR[freq]}"
            problems.append(
                Problem(
                    int(line[index]),
                    column,
                    raw,
                    f"{raw.strip()} is written as {mine} while {len(majority)} other rows are "
                    f"written as {written} like {raws[example].strip()} (line "
                    f"{int(line[example])}); write every period the same way.",
                )
            )
    return problems, form


def _order_problems(
    starts: pd.Series, raws: pd.Series, line: pd.Series, freq: str, column: str
) -> list[Problem]:
    """Periods given twice, and periods missing between the first and the last."""
    problems: list[Problem] = []
    first: dict[pd.Timestamp, object] = {}  # the row index where each period first appears
    for index, start in starts.items():
        if start in first:
            problems.append(
                Problem(
                    int(line[index]),
                    column,
                    raws[index],
                    f"{_label(start, freq)} appears again (first on line "
                    f"{int(line[first[start]])}); a series file gives each period once.",
                )
            )
        else:
            first[start] = index
    present = sorted(first)
    expected = pd.date_range(present[0], present[-1], freq=_PANDAS_STARTS[freq])
    missing = expected.difference(pd.DatetimeIndex(present))
    if missing.empty:
        return problems
    # Runs of consecutive missing periods, each reported at the row of the period after it.
    position = expected.get_indexer(missing)
    runs = np.split(position, np.flatnonzero(np.diff(position) != 1) + 1)
    for run in runs:
        gap = expected[run]
        after = expected[run[-1] + 1]
        span = _label(gap[0], freq)
        if len(gap) > 1:
            span = f"{span} to {_label(gap[-1], freq)} ({len(gap)} {_PLURAL[freq]}) are"
        else:
            span = f"{span} is"
        problems.append(
            Problem(
                int(line[first[after]]),
                column,
                raws[first[after]],
                f"{span} missing before {_label(after, freq)}; a missing period is not zero: "
                "give each its row, with 0 where none were recorded.",
            )
        )
    return problems


def read_series(
    path: str | Path,
    *,
    date_col: str,
    value_col: str,
    exog_col: str | None = None,
    freq: str | None = None,
) -> SeriesFile:
    """The series (and regressor) of a CSV file, one row per period, nothing regrouped.

    Parameters
    ----------
    freq : str, optional
        ``"Y"``, ``"Q"``, ``"M"`` or ``"W"``. When not given it is read from the file:
        the frequency of its period strings, or the one frequency whose period starts
        all its dates fall on (dates on 1 January start years, quarters and months
        alike, so such a file needs ``freq``).

    Raises
    ------
    UnreadableFileError
        The file cannot be read as CSV.
    ValidationError
        A column is missing; the file has no rows; a cell is no period of the frequency,
        no number or a negative one; periods are written two ways, given twice or
        missing; or the dates leave the frequency open.
    """
    if freq is not None and freq not in FREQUENCIES:
        raise ValueError(f"`freq` must be one of {', '.join(FREQUENCIES)}. Got {freq!r}.")
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UnreadableFileError(f"{path.name} could not be read as CSV: {exc}") from exc
    wanted = [c for c in (date_col, value_col, exog_col) if c]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{path.name} has no column {', '.join(map(repr, missing))}; it has "
            f"{', '.join(map(repr, frame.columns))}.",
            [Problem(None, column, None, "Column not found in the file.") for column in missing],
        )
    if frame.empty:
        raise ValidationError(f"{path.name} has no rows.", [])
    line = pd.Series(np.arange(len(frame)) + 2, index=frame.index)  # header is line 1
    raws = frame[date_col]
    cells, order_problem = _cells(raws)
    problems: list[Problem] = []
    columns = {}
    for column in (value_col, exog_col):
        if not column:
            continue
        numbers = pd.to_numeric(frame[column].str.replace(",", ".", regex=False), errors="coerce")
        for index in frame.index[numbers.isna() | (numbers < 0)]:
            raw = frame.at[index, column]
            if not raw.strip():
                reason = "Value is missing."  # a blank is no number, but not a typo either
            elif pd.isna(numbers[index]):
                reason = "Not a number."
            else:
                reason = "Value is negative."
            problems.append(Problem(int(line[index]), column, raw or None, reason))
        columns[column] = numbers
    unclear = ""
    readable = [cell for cell in cells.values() if cell.problem is None]
    if freq is None and readable:
        kinds = Counter(cells[raw].kind for raw in raws if cells[raw].problem is None)
        dates = [cell.start for cell in readable if cell.kind == DATE]
        freq, unclear = _inferred_freq(kinds, dates, path.name)
    form = "period"
    if not freq:
        problems += [
            Problem(int(line[i]), date_col, raw or None, cells[raw].problem)
            for i, raw in raws.items()
            if cells[raw].problem
        ]
        if unclear and not problems:  # the cells' own problems come first
            raise ValidationError(unclear)
    else:
        found, form = _period_problems(raws, line, cells, freq, date_col)
        problems += found
        if not found:
            starts = raws.map(lambda raw: cells[raw].start)
            problems += _order_problems(starts, raws, line, freq, date_col)
    if order_problem:
        # One problem for the file rather than one per undecidable date.
        problems = [p for p in problems if p.reason != order_problem]
        problems.append(Problem(None, date_col, None, order_problem, DATE_ORDER_HINT))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column != date_col, p.column or ""))
        raise ValidationError(
            f"{path.name}: {len(problems)} problem(s); nothing was forecast.", problems
        )
    starts = pd.DatetimeIndex(raws.map(lambda raw: cells[raw].start))
    order = np.argsort(starts.to_numpy(), kind="stable")
    index = pd.date_range(starts[order[0]], periods=len(order), freq=_PANDAS_STARTS[freq])
    index.name = "period"
    values = {
        column: pd.Series(numbers.to_numpy(dtype="float64")[order], index=index, name=column)
        for column, numbers in columns.items()
    }
    return SeriesFile(values[value_col], values.get(exog_col) if exog_col else None, freq, form)
