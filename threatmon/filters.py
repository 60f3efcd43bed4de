"""The one filter object every query takes, validated when it is built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from threatmon.errors import FilterError, Problem
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions


def _as_tuple(values) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(dict.fromkeys(str(v) for v in values))


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Filters:
    """What to select: an empty tuple means "all"; dates are inclusive.

    >>> Filters(countries=["MD"], crime_types=["migrant_smuggling"], start="2024-01-01")
    Filters(countries=('MD',), regions=(), crime_types=('migrant_smuggling',), \
start=datetime.date(2024, 1, 1), end=None)
    """

    countries: tuple[str, ...] = field(default=())
    regions: tuple[str, ...] = field(default=())
    crime_types: tuple[str, ...] = field(default=())
    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        object.__setattr__(self, "countries", _as_tuple(self.countries))
        object.__setattr__(self, "regions", _as_tuple(self.regions))
        object.__setattr__(self, "crime_types", _as_tuple(self.crime_types))
        for name in ("start", "end"):
            raw = getattr(self, name)
            try:
                object.__setattr__(self, name, _as_date(raw))
            except ValueError:
                problems.append(Problem(None, name, raw, "Not an ISO date (YYYY-MM-DD)."))
        problems += [
            Problem(None, "countries", c, "Not one of the project's countries.")
            for c in self.countries
            if c not in PROJECT_COUNTRIES
        ]
        known_regions = set(load_regions()["region_code"])
        problems += [
            Problem(None, "regions", r, "Not a region code of the registry.")
            for r in self.regions
            if r not in known_regions
        ]
        problems += [
            Problem(None, "crime_types", c, "Not a crime-type key.")
            for c in self.crime_types
            if c not in CRIME_TYPE_KEYS
        ]
        start, end = self.start, self.end
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            problems.append(
                Problem(
                    None,
                    "end",
                    end.isoformat(),
                    f"End date is before start date {start.isoformat()}.",
                )
            )
        if problems:
            raise FilterError(f"Invalid filter: {problems[0]}", problems)

    def replace(self, **changes) -> Filters:
        """A copy with some fields changed (validated again)."""
        values = {
            "countries": self.countries,
            "regions": self.regions,
            "crime_types": self.crime_types,
            "start": self.start,
            "end": self.end,
        }
        values.update(changes)
        return Filters(**values)

    def previous_period(self) -> Filters:
        """The period of the same length that ends the day before ``start``.

        Needs both dates. A selection of whole months is compared with the same
        number of whole months before it (Jan–Jun against Jul–Dec), otherwise with
        the same number of days.
        """
        if self.start is None or self.end is None:
            raise FilterError(
                "A comparison period needs both a start and an end date.",
                [Problem(None, "start", None, "Start or end date is missing.")],
            )
        if is_whole_months(self.start, self.end):
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = _add_months(self.start, -months)
            return self.replace(start=start, end=self.start - dt.timedelta(days=1))
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return self.replace(start=end - length, end=end)

    def year_earlier(self) -> Filters:
        """The same calendar span one year earlier (29 February becomes 28 February)."""
        if self.start is None or self.end is None:
            raise FilterError(
                "A comparison period needs both a start and an end date.",
                [Problem(None, "start", None, "Start or end date is missing.")],
            )
        return self.replace(start=_minus_year(self.start), end=_minus_year(self.end))


def is_whole_months(start: dt.date, end: dt.date) -> bool:
    """True when ``start`` is a first and ``end`` a last day of a month."""
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def comparison_windows(filters: Filters) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """The selected period and its two comparison periods as (start, end) pairs:
    ``current``, ``previous`` (as many months just before) and ``year_earlier``."""
    previous, year = filters.previous_period(), filters.year_earlier()
    return {
        "current": (filters.start, filters.end),
        "previous": (previous.start, previous.end),
        "year_earlier": (year.start, year.end),
    }
