"""Revisions of incident figures: a load that re-sends periods already loaded.

An incident row's revision key is country × level × region (none: the country) × crime
type, and two rows of the same key revise each other when their periods overlap and at
least one of them is longer than a day: a yearly national figure re-sent over monthly
ones, a month re-sent with a corrected count, a day's incident over a month already
reported as a total (it would be counted twice). Two day rows never revise each other:
each is an incident, told apart by its ``incident_id`` (see
:meth:`threatmon.store.writer.StoreWriter.add_rows`).

As for flows (:mod:`threatmon.store.revisions`), a new batch overlapping active rows of
older batches is refused, naming them, unless it is loaded to replace them: then those
rows move to ``incidents_superseded`` (marked with the replacing batch), where no read
sees them, and undoing the replacing batch moves them back. The statements run inside a
write session, on either backend, in the store's SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from threatmon.errors import Problem
from threatmon.granularity import GRANULARITIES, period_label
from threatmon.registry.crime_types import crime_type_label
from threatmon.store import revisions
from threatmon.store.revisions import REPLACE_HINT

#: Incident columns moved between ``incidents`` and ``incidents_superseded``, in order.
_COLUMNS = (
    "batch_id, date, period_end, granularity, level, country, region_code, crime_type, "
    "count, crossing_point, latitude, longitude, victims, suspects, source, incident_id"
)
#: Figures named in a refusal before "and N more".
FIGURES_LISTED = 5
#: The columns of an old row that a new one revises, as :func:`held_sql` selects them.
HELD_COLUMNS = (
    "batch_id",
    "country",
    "level",
    "region_code",
    "crime_type",
    "date",
    "period_end",
    "granularity",
)


def _overlap(a: str, b: str) -> str:
    """Rows ``a`` and ``b`` are the same figure for overlapping periods, not two days."""
    # coalesce rather than IS NOT DISTINCT FROM: PostgreSQL can hash-join an equality only.
    return (
        f"{a}.country = {b}.country AND {a}.crime_type = {b}.crime_type AND "
        f"{a}.level = {b}.level AND coalesce({a}.region_code, '') = "
        f"coalesce({b}.region_code, '') AND {a}.date <= {b}.period_end AND "
        f"{b}.date <= {a}.period_end AND ({a}.granularity <> 'day' OR {b}.granularity <> 'day')"
    )


def held_sql(new: str, old: str, new_rows: str, extra: tuple[str, ...] = ()) -> str:
    """Rows of ``old`` (alias ``o``) that a row of ``new`` (alias ``n``, those meeting
    ``new_rows``) revises, once each, in :data:`HELD_COLUMNS` and then ``extra``.

    A load asks it of ``incidents`` for both; a dry run of the file's figures against the
    store's rows that could overlap them, in its checking connection.
    """
    # Two joins, so that each can use what is small: the new rows longer than a day, or
    # the store's.
    columns = ", ".join(f"o.{column}" for column in (*HELD_COLUMNS, *extra))
    return (
        f"SELECT {columns} FROM {new} n JOIN {old} o "
        f"ON {_overlap('o', 'n')} AND o.batch_id <> n.batch_id "
        f"WHERE {new_rows} AND n.granularity <> 'day' "
        f"UNION "
        f"SELECT {columns} FROM {new} n JOIN {old} o "
        f"ON {_overlap('o', 'n')} AND o.batch_id <> n.batch_id "
        f"WHERE {new_rows} AND n.granularity = 'day' "
        f"AND o.granularity <> 'day'"
    )


@dataclass(frozen=True)
class Overlap:
    """The rows of an older active batch that figures of a new incident batch revise."""

    batch_id: int
    file_name: str
    loaded_at: dt.datetime
    #: How many of the batch's figures (place × crime type × period) are revised.
    keys: int
    #: The first :data:`FIGURES_LISTED` of them, named (``MD-CA migrant smuggling 2025-07``).
    figures: tuple[str, ...]
    #: The periods of the first and the last of them.
    first: str
    last: str

    def problem(self) -> Problem:
        """The refusal: which batch, which figures, and how to replace them instead."""
        shown = ", ".join(self.figures)
        if self.keys > len(self.figures):
            shown += f" and {self.keys - len(self.figures):,} more"
        value = self.first + (f" to {self.last}" if self.last != self.first else "")
        what = (
            "figure of batch {} ({}) covers the same place, crime type and period"
            if self.keys == 1
            else "figures of batch {} ({}) cover the same places, crime types and periods"
        )
        loaded = f"{self.file_name}, loaded {self.loaded_at:%Y-%m-%d %H:%M} UTC"
        return Problem(
            None,
            "date",
            value,
            f"{self.keys:,} {what.format(self.batch_id, loaded)} as this file: {shown}.",
            REPLACE_HINT,
        )


def may_overlap(con, batch_id: int) -> bool:
    """Whether batch ``batch_id`` or the rest of the store holds a figure longer than a
    day: without one, no row revises another (the usual load of incidents skips the join)."""
    # Two lookups, not one OR: PostgreSQL answers each from an index (a partial one).
    for clause in ("batch_id = ?", "batch_id <> ?"):
        found = con.execute(
            f"SELECT 1 FROM incidents WHERE granularity <> 'day' AND {clause} LIMIT 1",
            [batch_id],
        ).fetchall()
        if found:
            return True
    return False


def overlaps(con, batch_id: int) -> list[Overlap]:
    """The older active batches holding figures that incident batch ``batch_id`` revises."""
    if not may_overlap(con, batch_id):
        return []
    held = held_sql("incidents", "incidents", "n.batch_id = ?")
    return held_overlaps(con, held, [batch_id, batch_id], "batches")


def held_overlaps(con, held: str, params: list, batches: str) -> list[Overlap]:
    """The rows of ``held`` (a :func:`held_sql`) per older batch, named as a refusal
    names them; ``batches`` is the table with their file names and load times."""
    rows = con.execute(
        f"SELECT h.batch_id, b.file_name, b.loaded_at, h.country, h.level, h.region_code, "
        f"h.crime_type, h.date, h.granularity FROM ({held}) h "
        f"JOIN {batches} b ON b.batch_id = h.batch_id",
        params,
    ).fetchall()
    # Ordered here, not in SQL: a dry run (DuckDB) and a load (either backend, each with
    # its own collation) then name the same figures in the same order.
    rows.sort(
        key=lambda r: (
            int(r[0]),
            _as_date(r[7]),
            GRANULARITIES.index(r[8]),
            r[3],
            r[4] != "national",
            r[5] or "",
            r[6],
        )
    )
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(int(row[0]), []).append(row)
    overlaps_found = []
    for old, held_rows in found.items():
        _, file_name, loaded_at, *_ = held_rows[0]
        overlaps_found.append(
            Overlap(
                old,
                str(file_name),
                loaded_at,
                len(held_rows),
                tuple(_figure(*row[3:]) for row in held_rows[:FIGURES_LISTED]),
                period_label(_as_date(held_rows[0][7]), held_rows[0][8]),
                period_label(_as_date(held_rows[-1][7]), held_rows[-1][8]),
            )
        )
    return overlaps_found


def _figure(country, level, region_code, crime_type, start, granularity) -> str:
    """``MD-CA migrant smuggling 2025-07``, ``MD (national) migrant smuggling 2025``."""
    place = f"{country} (national)" if level == "national" else str(region_code)
    return f"{place} {crime_label(crime_type)} {period_label(_as_date(start), granularity)}"


def crime_label(key: str) -> str:
    """A crime type as a sentence names it: ``migrant smuggling``, ``CBRNE smuggling``."""
    try:
        label = crime_type_label(key)
    except KeyError:
        return key
    first, _, rest = label.partition(" ")
    # An acronym keeps its capitals.
    if not first.isupper():
        first = first.lower()
    return f"{first} {rest}" if rest else first


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _revised(alias: str) -> str:
    # The uncorrelated country filter first: without it DuckDB decorrelates the EXISTS over
    # every row of the store (0.6 s a statement at 500k rows, linear in the store's size).
    return (
        f"{alias}.batch_id <> ? AND {alias}.country IN "
        f"(SELECT country FROM incidents WHERE batch_id = ?) AND EXISTS "
        f"(SELECT 1 FROM incidents n WHERE n.batch_id = ? AND {_overlap(alias, 'n')})"
    )


def supersede(con, batch_id: int) -> tuple[list[dict[str, int]], tuple[dt.date, dt.date] | None]:
    """Move the older active rows that incident batch ``batch_id`` revises out of
    ``incidents``; return ``[{"batch_id": n, "rows": n}, …]`` per older batch and the
    first and last day of the rows moved (None: none was)."""
    if not may_overlap(con, batch_id):
        return [], None
    con.execute(
        f"INSERT INTO incidents_superseded ({_COLUMNS}, superseded_by) "
        f"SELECT {', '.join('o.' + c for c in _COLUMNS.split(', '))}, ? FROM incidents o "
        f"WHERE {_revised('o')}",
        [batch_id, batch_id, batch_id, batch_id],
    )
    con.execute(
        f"DELETE FROM incidents WHERE {_revised('incidents')}", [batch_id, batch_id, batch_id]
    )
    return superseded_by(con, batch_id), _span(con, batch_id)


def _span(con, batch_id: int) -> tuple[dt.date, dt.date] | None:
    first, last = con.execute(
        "SELECT min(date), max(period_end) FROM incidents_superseded WHERE superseded_by = ?",
        [batch_id],
    ).fetchall()[0]
    return None if first is None else (_as_date(first), _as_date(last))


def superseded_by(con, batch_id: int) -> list[dict[str, int]]:
    """Rows that batch ``batch_id`` superseded and that are still kept, per older batch."""
    return revisions.superseded_by(con, batch_id, "incidents")


def forget(con, batch_id: int) -> None:
    """Drop the superseded rows of a batch being undone: its rows never come back."""
    revisions.forget(con, batch_id, "incidents")


def restore(con, batch_id: int) -> tuple[list[dict[str, int]], tuple[dt.date, dt.date] | None]:
    """Undo what incident batch ``batch_id`` superseded (after its own rows were removed);
    return the rows put back, per batch, and the first and last day they cover (see
    :func:`threatmon.store.revisions.keep_revised`)."""
    revisions.keep_revised(con, batch_id, "incidents", _overlap)
    restored = superseded_by(con, batch_id)
    span = _span(con, batch_id)
    revisions.move_back(con, batch_id, "incidents", _COLUMNS)
    return restored, span
