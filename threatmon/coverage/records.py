"""One coverage record per country × crime type × level × granularity: first, last,
gaps and sources (``threatmon coverage``, the Coverage page's list)."""

from __future__ import annotations

import pandas as pd

from threatmon.granularity import GRANULARITIES, period_label

RECORD_COLUMNS: tuple[str, ...] = (
    "country",
    "crime_type",
    "level",
    "granularity",
    "first",
    "last",
    "periods",
    "gaps",
    "sources",
    "rows",
    "declared",
)
_STEP = {"day": "MS", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}


def _label(day: pd.Timestamp, granularity: str) -> str:
    return period_label(day.date(), granularity)


def _gaps(starts: pd.DatetimeIndex, granularity: str) -> list[list[str]]:
    """Runs of missing periods between the first and the last, as [from, to] labels
    (months for daily rows)."""
    unit = "month" if granularity == "day" else granularity
    expected = pd.date_range(starts.min(), starts.max(), freq=_STEP[granularity])
    missing = expected.difference(starts)
    runs: list[list[str]] = []
    previous = None
    for day in missing:
        position = expected.get_loc(day)
        if previous is not None and position == previous + 1:
            runs[-1][1] = _label(day, unit)
        else:
            runs.append([_label(day, unit), _label(day, unit)])
        previous = position
    return runs


def coverage_records(cells: pd.DataFrame) -> list[dict]:
    """The records of a cell frame (:meth:`threatmon.store.reader.Store.coverage_cells`).

    ``first`` and ``last`` are ISO dates for daily rows (the first and last day of any
    row, or of a declared span) and period labels otherwise (``2022``, ``2025-Q2``,
    ``2025-06``, ``2025-W24``); ``periods`` counts the covered periods (months for daily
    rows); ``gaps`` lists the runs of uncovered periods between first and last as
    ``[from, to]``; ``sources`` the file names of the batches; ``declared`` whether a
    batch declared part of it (zeros omitted) rather than only holding rows.
    """
    records = []
    order = {name: i for i, name in enumerate(GRANULARITIES)}
    if cells.empty:
        return records
    groups = cells.groupby(["country", "crime_type", "level", "granularity"], sort=False)
    for (country, crime_type, level, granularity), part in groups:
        starts = pd.DatetimeIndex(part["start"].unique()).sort_values()
        if granularity == "day":
            first = part["first_day"].min().date().isoformat()
            last = part["last_day"].max().date().isoformat()
        else:
            first, last = _label(starts[0], granularity), _label(starts[-1], granularity)
        records.append(
            {
                "country": country,
                "crime_type": crime_type,
                "level": level,
                "granularity": granularity,
                "first": first,
                "last": last,
                "periods": len(starts),
                "gaps": _gaps(starts, granularity),
                "sources": sorted(s for s in part["source"].unique() if s),
                "rows": int(part["rows"].sum()),
                "declared": bool(part["declared"].any()),
            }
        )
    records.sort(key=lambda r: (r["country"], r["crime_type"], r["level"], order[r["granularity"]]))
    return records
