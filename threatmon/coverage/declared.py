"""Coverage a batch declares beyond its rows.

A source that omits zeros ("only combinations with incidents are listed") can say what
its extract covers in full; for those countries, crime types, level and periods a row it
does not hold is a zero rather than unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from threatmon.errors import Problem, ValidationError
from threatmon.granularity import GRANULARITIES, LEVELS, period_end, period_start
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import PROJECT_COUNTRIES

#: The stored columns of one declaration, in table order after ``batch_id``.
DECLARED_COLUMNS: tuple[str, ...] = (
    "country",
    "crime_type",
    "level",
    "granularity",
    "date",
    "period_end",
)


@dataclass(frozen=True)
class DeclaredCoverage:
    """A batch reports ``crime_type`` in ``country`` at ``level`` for every ``granularity``
    period from the one holding ``first`` to the one holding ``last``, zeros omitted.

    A daily extract declares ``granularity="day"``: its coverage is then every month from
    ``first``'s to ``last``'s (coverage of daily rows is counted in months).
    """

    country: str
    crime_type: str
    level: str
    granularity: str
    first: dt.date
    last: dt.date

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day covered, on whole periods (months for daily rows)."""
        unit = "month" if self.granularity == "day" else self.granularity
        start = period_start(self.first, unit)
        return start, period_end(period_start(self.last, unit), unit)


def _problems(declared: DeclaredCoverage, position: int) -> list[Problem]:
    checks = (
        ("country", declared.country, tuple(PROJECT_COUNTRIES), "Not a project country."),
        ("crime_type", declared.crime_type, CRIME_TYPE_KEYS, "Not a crime type key."),
        ("level", declared.level, LEVELS, "Not a level (admin1 or national)."),
        ("granularity", declared.granularity, GRANULARITIES, "Not a granularity."),
    )
    problems = [
        Problem(position, column, value, reason)
        for column, value, allowed, reason in checks
        if value not in allowed
    ]
    if declared.last < declared.first:
        problems.append(
            Problem(
                position,
                "last",
                declared.last.isoformat(),
                f"The coverage ends before it starts ({declared.first.isoformat()}).",
            )
        )
    return problems


def declared_frame(declarations: Sequence[DeclaredCoverage]) -> pd.DataFrame:
    """The declarations as stored rows (:data:`DECLARED_COLUMNS`), on whole periods.

    Raises
    ------
    ValidationError
        Naming each declaration (by position) whose country, crime type, level or
        granularity is unknown, or that ends before it starts; nothing is stored.
    """
    problems = [p for i, d in enumerate(declarations) for p in _problems(d, i)]
    if problems:
        raise ValidationError(
            f"{len(problems)} problem(s) in the declared coverage. First: {problems[0]}",
            problems,
        )
    rows = []
    for declared in dict.fromkeys(declarations):
        start, end = declared.span()
        rows.append(
            (
                declared.country,
                declared.crime_type,
                declared.level,
                declared.granularity,
                start,
                end,
            )
        )
    return pd.DataFrame(rows, columns=list(DECLARED_COLUMNS))
