"""A time series a user brings as CSV (``threatmon forecast --series FILE.csv``).

One date column, one value column and optionally one regressor column (migration
flows, say). Dates are ISO or day-first, as the ingest reads them; rows are summed
into months (or weeks) so a daily file works too. Every bad cell is reported with
its line, column, value and reason, and nothing is forecast from a file with any.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data_loaders import normalise
from threatmon.errors import Problem, UnreadableFileError, ValidationError

#: Period start of each frequency, as pandas names it.
FREQUENCIES: dict[str, str] = {"M": "MS", "W": "W-MON"}


def read_series(
    path: str | Path,
    *,
    date_col: str,
    value_col: str,
    exog_col: str | None = None,
    freq: str = "M",
) -> tuple[pd.Series, pd.Series | None]:
    """The series (and regressor) of a CSV file, summed per period, gaps filled with 0.

    Raises
    ------
    UnreadableFileError
        The file cannot be read as CSV.
    ValidationError
        A column is missing, or cells are not dates or not non-negative numbers.
    """
    if freq not in FREQUENCIES:
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
    problems: list[Problem] = []
    line = pd.Series(np.arange(len(frame)) + 2, index=frame.index)  # header is line 1
    convention, contradictions = normalise.detect_date_convention(frame[date_col].unique())
    parsed = normalise.parse_dates(list(frame[date_col].unique()), convention)
    dates = frame[date_col].map(parsed)
    if convention.problem:
        # Slashed dates in no decidable order: one problem for the file, not one per row.
        problems.append(
            Problem(
                None,
                date_col,
                None,
                convention.problem,
                "A series file takes no date order: write its dates as YYYY-MM-DD.",
            )
        )
    for index in frame.index[dates.isna()]:
        raw = frame.at[index, date_col]
        if convention.problem and raw.strip() and raw not in contradictions:
            continue
        reason = contradictions.get(raw) or (
            "Value is missing." if not raw.strip() else f"Not a date ({convention.name})."
        )
        problems.append(Problem(int(line[index]), date_col, raw or None, reason))
    columns = {}
    for column in (value_col, exog_col):
        if not column:
            continue
        numbers = pd.to_numeric(frame[column].str.replace(",", ".", regex=False), errors="coerce")
        for index in frame.index[numbers.isna() | (numbers < 0)]:
            raw = frame.at[index, column]
            reason = "Not a number." if pd.isna(numbers[index]) else "Value is negative."
            problems.append(Problem(int(line[index]), column, raw or None, reason))
        columns[column] = numbers
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise ValidationError(
            f"{path.name}: {len(problems)} problem(s); nothing was forecast.", problems
        )
    if frame.empty:
        raise ValidationError(f"{path.name} has no rows.", [])
    periods = pd.to_datetime(dates).dt.to_period("W-SUN" if freq == "W" else "M")
    index = periods.dt.start_time
    full = pd.date_range(index.min(), index.max(), freq=FREQUENCIES[freq], name="period")
    summed = {
        column: values.groupby(index.to_numpy()).sum().reindex(full, fill_value=0.0)
        for column, values in columns.items()
    }
    series = summed[value_col].astype("float64").rename(value_col)
    exog = summed[exog_col].astype("float64").rename(exog_col) if exog_col else None
    return series, exog
