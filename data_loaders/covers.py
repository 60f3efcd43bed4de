"""What a file declares it reports in full: ``--covers FROM..TO`` and the crime types.

A source that omits zeros ("only combinations with incidents are listed") says that, for
every country in its file, it reports every crime type (or those named) at the file's
level(s) and granularity from FROM to TO; a combination it does not list there is then a
zero, not unknown (:mod:`threatmon.coverage.declared`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from threatmon.coverage.declared import DeclaredCoverage
from threatmon.errors import Problem, ValidationError
from threatmon.granularity import ADJECTIVE, period_end, period_label, period_start
from threatmon.registry.crime_types import CRIME_TYPE_KEYS

#: How FROM and TO may be written, and the granularity each form names.
_FORMS = (
    (re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"), "day"),
    (re.compile(r"(?P<y>\d{4})-W(?P<w>\d{2})"), "week"),
    (re.compile(r"(?P<y>\d{4})-Q(?P<q>[1-4])"), "quarter"),
    (re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})"), "month"),
    (re.compile(r"(?P<y>\d{4})"), "year"),
)
USAGE = (
    "Give the covered period as FROM..TO: periods such as 2025-01..2025-06, "
    "2025-Q1..2025-Q2, 2025-W01..2025-W26, 2024..2025, or dates such as "
    "2025-01-01..2025-06-30."
)


def _period(text: str) -> tuple[dt.date, str]:
    """The first day of the period ``text`` names, and its granularity."""
    for pattern, granularity in _FORMS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = found.groupdict()
        year = int(parts["y"])
        try:
            if granularity == "day":
                return dt.date(year, int(parts["m"]), int(parts["d"])), granularity
            if granularity == "week":
                return dt.date.fromisocalendar(year, int(parts["w"]), 1), granularity
            if granularity == "quarter":
                return dt.date(year, 3 * int(parts["q"]) - 2, 1), granularity
            if granularity == "month":
                return dt.date(year, int(parts["m"]), 1), granularity
            return dt.date(year, 1, 1), granularity
        except ValueError:
            break
    raise ValueError(f"{text!r} is not a period or a date. {USAGE}")


def parse_covers(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``FROM..TO``: FROM's first day and TO's last.

    Raises
    ------
    ValueError
        When the text is not two periods or dates joined by ``..``, or TO ends before
        FROM starts.

    Examples
    --------
    >>> parse_covers("2025-01..2025-Q2")
    (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    """
    parts = text.strip().split("..")
    if len(parts) != 2 or not all(part.strip() for part in parts):
        raise ValueError(f"{text!r} is not FROM..TO. {USAGE}")
    (first, first_unit), (last, last_unit) = (_period(part.strip()) for part in parts)
    end = period_end(last, last_unit)
    if end < first:
        raise ValueError(
            f"The covered period ends ({parts[1].strip()}) before it starts ({parts[0].strip()})."
        )
    return first, end


def parse_crime_types(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Crime type keys from ``"k1,k2"`` (or a sequence of keys); empty: every crime type.

    Raises
    ------
    ValueError
        Naming the first key that is not a crime type key.
    """
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    keys = tuple(dict.fromkeys(item.strip() for item in items if item.strip()))
    for key in keys:
        if key not in CRIME_TYPE_KEYS:
            raise ValueError(
                f"{key!r} is not a crime type key. Known: {', '.join(CRIME_TYPE_KEYS)}."
            )
    return keys


def declarations(
    places: Iterable[tuple[str, str]],
    granularity: str,
    span: tuple[dt.date, dt.date],
    crime_types: Sequence[str] = (),
) -> list[DeclaredCoverage]:
    """What a file declares: each (country, level) of its rows × each crime type (all 12
    when none are named) at its ``granularity``, for the periods of ``span``."""
    first, last = span
    unit = "month" if granularity == "day" else granularity
    first, last = period_start(first, unit), period_start(last, unit)
    return [
        DeclaredCoverage(country, crime_type, level, granularity, first, last)
        for country, level in sorted(set(places))
        for crime_type in (crime_types or CRIME_TYPE_KEYS)
    ]


def file_covers(con, covers: str | None, crime_types: Sequence[str], granularity: str | None):
    """The declarations of a checked file whose rows are in the ``staged`` table of ``con``
    (empty without ``covers``).

    Raises
    ------
    ValidationError
        When the span does not fall on whole periods of the file's granularity (a
        quarterly file cannot declare 2025-01..2025-05: that would state zeros for a
        month it never reported).
    """
    if not covers:
        return []
    first, last = parse_covers(covers)
    unit = "month" if granularity == "day" else granularity
    if granularity is None or (
        period_start(first, unit) != first or period_end(period_start(last, unit), unit) != last
    ):
        reason = (
            f"The file's figures are {ADJECTIVE.get(granularity, 'of mixed periods')}: the "
            f"covered period must start and end with whole {unit or 'period'}s."
        )
        raise ValidationError(reason, [Problem(None, "covers", covers, reason)])
    places = con.execute("SELECT DISTINCT country, level FROM staged").fetchall()
    return declarations(places, granularity, (first, last), crime_types)


def covers_text(declared: Sequence[DeclaredCoverage], *, future: bool = False) -> str:
    """What was (or would be) declared, with a leading space; "" for nothing."""
    if not declared:
        return ""
    countries = ", ".join(sorted({d.country for d in declared}))
    types = len({d.crime_type for d in declared})
    unit = "month" if declared[0].granularity == "day" else declared[0].granularity
    span = (
        f"{period_label(declared[0].first, unit)} to "
        f"{period_label(period_start(declared[0].last, unit), unit)}"
    )
    verb = "Would declare" if future else "Declared"
    return (
        f" {verb} {types} crime type(s) reported in full for {countries} from {span} "
        "(a combination not listed there is a zero)."
    )
