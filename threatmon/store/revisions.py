"""Revisions of migration flows: a load that re-sends days already loaded.

A flow row's revision key is receiving country × crossing point (NULL: the country's
total) × day. A new batch whose keys are already held by active rows of older batches is
refused, naming them, unless it is loaded to replace them: then those rows move to
``flows_superseded`` (marked with the replacing batch), where no read sees them, and
undoing the replacing batch moves them back. The statements run inside a write session,
on either backend, in the store's SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from threatmon.errors import Problem, ValidationError

#: Flow columns moved between ``flows`` and ``flows_superseded``, in the tables' order.
_COLUMNS = "batch_id, date, country, crossing_point, arrivals, departures"
#: Crossing points named in a refusal before "and N more".
POINTS_LISTED = 5
#: How a refusal names the NULL crossing point.
COUNTRY_TOTAL = "country total"
#: The CLI flag and the page option that allow a revision.
REPLACE_HINT = (
    "Load the file with --replace (on the Upload page: Replace what this file revises) "
    "to supersede those rows, or remove them from the file."
)


def refusal(kind: str, found) -> ValidationError:
    """The refusal of a load, or a dry run, whose rows revise the ``found`` overlaps of
    older batches (:class:`Overlap` of flows, or of incident figures)."""
    # Policy (docs/ingest.md, "Revisions"): a re-sent day or figure is never added on
    # top of the one it revises; the uploader says to replace it.
    ids = ", ".join(str(overlap.batch_id) for overlap in found)
    noun = "batch" if len(found) == 1 else "batches"
    return ValidationError(
        f"This file revises {kind} already loaded in {noun} {ids}: "
        "use --replace to supersede them.",
        [overlap.problem() for overlap in found],
    )


def _same_key(a: str, b: str) -> str:
    # coalesce rather than IS NOT DISTINCT FROM: PostgreSQL can hash-join an equality only.
    return (
        f"{a}.country = {b}.country AND {a}.date = {b}.date AND "
        f"coalesce({a}.crossing_point, '') = coalesce({b}.crossing_point, '')"
    )


@dataclass(frozen=True)
class Overlap:
    """The keys of a new flow batch that an older active batch already holds."""

    batch_id: int
    file_name: str
    loaded_at: dt.datetime
    keys: int
    first: dt.date
    last: dt.date
    countries: tuple[str, ...]
    crossing_points: tuple[str | None, ...]

    def problem(self) -> Problem:
        """The refusal: which batch, what it overlaps, and how to replace it instead."""
        points = [COUNTRY_TOTAL if p is None else p for p in self.crossing_points]
        shown = ", ".join(points[:POINTS_LISTED])
        if len(points) > POINTS_LISTED:
            shown += f" and {len(points) - POINTS_LISTED} more"
        days = f"{self.first:%Y-%m-%d}" + (
            f" to {self.last:%Y-%m-%d}" if self.last != self.first else ""
        )
        noun = "key" if self.keys == 1 else "keys"
        return Problem(
            None,
            "date",
            days,
            f"{self.keys:,} country × crossing point × day {noun} already loaded in batch "
            f"{self.batch_id} ({self.file_name}, loaded {self.loaded_at:%Y-%m-%d %H:%M} UTC): "
            f"{', '.join(self.countries)}, {days}; crossing points: {shown}.",
            REPLACE_HINT,
        )


def held_sql(new: str, old: str, new_rows: str, extra: tuple[str, ...] = ()) -> str:
    """The keys of ``old`` (alias ``o``) that a row of ``new`` (alias ``n``, those meeting
    ``new_rows``) re-sends, once each: batch_id, country, crossing_point, date, then
    ``extra``.

    A load asks it of ``flows`` for both; a dry run of the file's rows against the
    store's rows that could share their keys, in its checking connection.
    """
    columns = ", ".join(f"o.{c}" for c in ("batch_id", "country", "crossing_point", "date", *extra))
    return (
        f"SELECT DISTINCT {columns} FROM {new} n "
        f"JOIN {old} o ON {_same_key('o', 'n')} AND o.batch_id <> n.batch_id "
        f"WHERE {new_rows}"
    )


def overlaps(con, batch_id: int) -> list[Overlap]:
    """The older active batches holding keys of flow batch ``batch_id``, by batch id."""
    held = held_sql("flows", "flows", "n.batch_id = ?")
    return held_overlaps(con, held, [batch_id], "batches")


def held_overlaps(con, held: str, params: list, batches: str) -> list[Overlap]:
    """The keys of ``held`` (a :func:`held_sql`) per older batch, named as a refusal
    names them; ``batches`` is the table with their file names and load times."""
    summary = con.execute(
        f"SELECT h.batch_id, b.file_name, b.loaded_at, count(*), min(h.date), max(h.date) "
        f"FROM ({held}) h JOIN {batches} b ON b.batch_id = h.batch_id "
        f"GROUP BY h.batch_id, b.file_name, b.loaded_at ORDER BY h.batch_id",
        params,
    ).fetchall()
    if not summary:
        return []
    parts = con.execute(
        f"SELECT DISTINCT batch_id, country, crossing_point FROM ({held}) h", params
    ).fetchall()
    # Ordered here, not in SQL: a dry run (DuckDB) and a load (either backend, each with
    # its own collation) then name the same keys in the same order.
    parts.sort(key=lambda part: (int(part[0]), part[1], part[2] is not None, part[2] or ""))
    found = []
    for old, file_name, loaded_at, keys, first, last in summary:
        mine = [(country, point) for b, country, point in parts if b == old]
        found.append(
            Overlap(
                int(old),
                str(file_name),
                loaded_at,
                int(keys),
                _as_date(first),
                _as_date(last),
                tuple(dict.fromkeys(country for country, _ in mine)),
                tuple(dict.fromkeys(point for _, point in mine)),
            )
        )
    return found


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def supersede(con, batch_id: int) -> list[dict[str, int]]:
    """Move the older active rows that flow batch ``batch_id`` revises out of ``flows``;
    return ``[{"batch_id": n, "rows": n}, …]`` per older batch."""
    revised = (
        f"o.batch_id <> ? AND EXISTS (SELECT 1 FROM flows n WHERE n.batch_id = ? "
        f"AND {_same_key('o', 'n')})"
    )
    con.execute(
        f"INSERT INTO flows_superseded ({_COLUMNS}, superseded_by) "
        f"SELECT {', '.join('o.' + c for c in _COLUMNS.split(', '))}, ? FROM flows o "
        f"WHERE {revised}",
        [batch_id, batch_id, batch_id],
    )
    con.execute(
        "DELETE FROM flows WHERE batch_id <> ? AND EXISTS (SELECT 1 FROM flows n "
        f"WHERE n.batch_id = ? AND {_same_key('flows', 'n')})",
        [batch_id, batch_id],
    )
    return superseded_by(con, batch_id)


def superseded_by(con, batch_id: int, table: str = "flows") -> list[dict[str, int]]:
    """Rows of ``table`` that batch ``batch_id`` superseded and that are still kept, per
    older batch."""
    rows = con.execute(
        f"SELECT batch_id, count(*) FROM {table}_superseded WHERE superseded_by = ? "
        "GROUP BY batch_id ORDER BY batch_id",
        [batch_id],
    ).fetchall()
    return [{"batch_id": int(old), "rows": int(n)} for old, n in rows]


def forget(con, batch_id: int, table: str = "flows") -> None:
    """Drop the superseded rows of a batch being undone: its rows never come back."""
    con.execute(f"DELETE FROM {table}_superseded WHERE batch_id = ?", [batch_id])


def keep_revised(con, batch_id: int, table: str, revises) -> None:
    """Before an undo puts back what batch ``batch_id`` superseded in ``table``: a row an
    active row of a later batch now revises (``revises(active, kept)`` is that SQL
    condition) stays superseded, by that later batch, so the store is as if the undone
    batch had never been loaded (and undoing the later batch brings the row back)."""
    kept = f"{table}_superseded"
    con.execute(
        f"UPDATE {kept} SET superseded_by = (SELECT max(f.batch_id) FROM {table} f "
        f"WHERE {revises('f', kept)}) WHERE superseded_by = ? AND EXISTS "
        f"(SELECT 1 FROM {table} f WHERE {revises('f', kept)})",
        [batch_id],
    )


def move_back(con, batch_id: int, table: str, columns: str) -> None:
    """Put the rows still superseded by batch ``batch_id`` back into ``table``."""
    kept = f"{table}_superseded"
    con.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {kept} WHERE superseded_by = ?",
        [batch_id],
    )
    con.execute(f"DELETE FROM {kept} WHERE superseded_by = ?", [batch_id])


def restore(con, batch_id: int) -> list[dict[str, int]]:
    """Undo what flow batch ``batch_id`` superseded (after its own rows were removed);
    return the rows put back, per batch (see :func:`keep_revised`)."""
    keep_revised(con, batch_id, "flows", _same_key)
    restored = superseded_by(con, batch_id)
    move_back(con, batch_id, "flows", _COLUMNS)
    return restored
