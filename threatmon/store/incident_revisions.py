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
from threatmon.granularity import period_label
from threatmon.store.revisions import REPLACE_HINT

#: Incident columns moved between ``incidents`` and ``incidents_superseded``, in order.
_COLUMNS = (
    "batch_id, date, period_end, granularity, level, country, region_code, crime_type, "
    "count, crossing_point, latitude, longitude, victims, suspects, source, incident_id"
)
#: Periods named in a refusal before "and N more".
PERIODS_LISTED = 5


def _overlap(a: str, b: str) -> str:
    """Rows ``a`` and ``b`` are the same figure for overlapping periods, not two days."""
    # coalesce rather than IS NOT DISTINCT FROM: PostgreSQL can hash-join an equality only.
    return (
        f"{a}.country = {b}.country AND {a}.crime_type = {b}.crime_type AND "
        f"{a}.level = {b}.level AND coalesce({a}.region_code, '') = "
        f"coalesce({b}.region_code, '') AND {a}.date <= {b}.period_end AND "
        f"{b}.date <= {a}.period_end AND ({a}.granularity <> 'day' OR {b}.granularity <> 'day')"
    )


def _held() -> str:
    """Old active rows overlapping a row of the new batch, once each (two joins, so that
    each can use what is small: the new batch's aggregated rows, or the store's)."""
    columns = (
        "o.batch_id, o.country, o.level, o.region_code, o.crime_type, o.date, o.period_end, "
        "o.granularity"
    )
    return (
        f"SELECT {columns} FROM incidents n JOIN incidents o "
        f"ON {_overlap('o', 'n')} AND o.batch_id <> n.batch_id "
        f"WHERE n.batch_id = ? AND n.granularity <> 'day' "
        f"UNION "
        f"SELECT {columns} FROM incidents n JOIN incidents o "
        f"ON {_overlap('o', 'n')} AND o.batch_id <> n.batch_id "
        f"WHERE n.batch_id = ? AND n.granularity = 'day' "
        f"AND o.granularity <> 'day'"
    )


@dataclass(frozen=True)
class Overlap:
    """The rows of an older active batch that figures of a new incident batch revise."""

    batch_id: int
    file_name: str
    loaded_at: dt.datetime
    keys: int
    countries: tuple[str, ...]
    periods: tuple[str, ...]

    def problem(self) -> Problem:
        """The refusal: which batch, what it overlaps, and how to replace it instead."""
        shown = ", ".join(self.periods[:PERIODS_LISTED])
        if len(self.periods) > PERIODS_LISTED:
            shown += f" and {len(self.periods) - PERIODS_LISTED} more"
        value = self.periods[0] + (f" to {self.periods[-1]}" if len(self.periods) > 1 else "")
        noun = "figure" if self.keys == 1 else "figures"
        return Problem(
            None,
            "date",
            value,
            f"{self.keys:,} country × level × region × crime type × period {noun} already "
            f"loaded in batch {self.batch_id} ({self.file_name}, loaded "
            f"{self.loaded_at:%Y-%m-%d %H:%M} UTC) overlap this file's: "
            f"{', '.join(self.countries)}; periods: {shown}.",
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
    held = con.execute(
        f"SELECT h.batch_id, b.file_name, b.loaded_at, h.country, h.date, h.granularity "
        f"FROM ({_held()}) h JOIN batches b ON b.batch_id = h.batch_id "
        f"ORDER BY h.batch_id, h.date, h.granularity, h.country",
        [batch_id, batch_id],
    ).fetchall()
    found: dict[int, dict] = {}
    for old, file_name, loaded_at, country, start, granularity in held:
        entry = found.setdefault(
            int(old),
            {"file_name": str(file_name), "loaded_at": loaded_at, "rows": 0, "c": {}, "p": {}},
        )
        entry["rows"] += 1
        entry["c"][country] = None
        entry["p"][period_label(_as_date(start), granularity)] = None
    return [
        Overlap(
            old,
            entry["file_name"],
            entry["loaded_at"],
            entry["rows"],
            tuple(sorted(entry["c"])),
            tuple(entry["p"]),
        )
        for old, entry in found.items()
    ]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _revised(alias: str) -> str:
    return (
        f"{alias}.batch_id <> ? AND EXISTS (SELECT 1 FROM incidents n WHERE n.batch_id = ? "
        f"AND {_overlap(alias, 'n')})"
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
        [batch_id, batch_id, batch_id],
    )
    con.execute(f"DELETE FROM incidents WHERE {_revised('incidents')}", [batch_id, batch_id])
    return superseded_by(con, batch_id), _span(con, batch_id)


def _span(con, batch_id: int) -> tuple[dt.date, dt.date] | None:
    first, last = con.execute(
        "SELECT min(date), max(period_end) FROM incidents_superseded WHERE superseded_by = ?",
        [batch_id],
    ).fetchall()[0]
    return None if first is None else (_as_date(first), _as_date(last))


def superseded_by(con, batch_id: int) -> list[dict[str, int]]:
    """Rows that batch ``batch_id`` superseded and that are still kept, per older batch."""
    rows = con.execute(
        "SELECT batch_id, count(*) FROM incidents_superseded WHERE superseded_by = ? "
        "GROUP BY batch_id ORDER BY batch_id",
        [batch_id],
    ).fetchall()
    return [{"batch_id": int(old), "rows": int(n)} for old, n in rows]


def forget(con, batch_id: int) -> None:
    """Drop the superseded rows of a batch being undone: its rows never come back."""
    con.execute("DELETE FROM incidents_superseded WHERE batch_id = ?", [batch_id])


def restore(con, batch_id: int) -> tuple[list[dict[str, int]], tuple[dt.date, dt.date] | None]:
    """Undo what incident batch ``batch_id`` superseded (after its own rows were removed);
    return the rows put back, per batch, and the first and last day they cover.

    A superseded row that an active row of a later batch now revises (that batch replaced
    the undone one's figure) stays superseded, by that later batch: the store is then as
    if the undone batch had never been loaded, and undoing the later batch brings it back.
    """
    con.execute(
        "UPDATE incidents_superseded SET superseded_by = (SELECT max(f.batch_id) FROM "
        f"incidents f WHERE {_overlap('f', 'incidents_superseded')}) WHERE superseded_by = ? "
        f"AND EXISTS (SELECT 1 FROM incidents f WHERE {_overlap('f', 'incidents_superseded')})",
        [batch_id],
    )
    restored = superseded_by(con, batch_id)
    span = _span(con, batch_id)
    con.execute(
        f"INSERT INTO incidents ({_COLUMNS}) SELECT {_COLUMNS} FROM incidents_superseded "
        "WHERE superseded_by = ?",
        [batch_id],
    )
    con.execute("DELETE FROM incidents_superseded WHERE superseded_by = ?", [batch_id])
    return restored, span
