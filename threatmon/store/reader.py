"""The store's one read interface, whichever backend holds it.

:class:`Store` answers the same queries with the same frames on a DuckDB file
(:mod:`threatmon.store.duckdb`) and a PostgreSQL database (:mod:`threatmon.store.postgres`);
its :attr:`Store.location` says where it is, and callers never ask which backend that is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence

import duckdb
import pandas as pd

from threatmon.contract import INCIDENT_COLUMNS
from threatmon.coverage.cells import DECLARED_SQL, ROW_CELLS_SQL, SOURCES_SQL, cells_from_rows
from threatmon.coverage.grid import is_covered
from threatmon.errors import BatchNotFoundError
from threatmon.filters import Filters
from threatmon.granularity import GRANULARITIES
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import PROJECT_COUNTRIES, country_of
from threatmon.store import kept
from threatmon.store.backend import IncidentIds, backend_for
from threatmon.store.location import StoreLocation
from threatmon.store.postgres import GENERATION_KEY
from threatmon.store.queries import (
    HELD_SQL,
    LONGER,
    Held,
    aggregate_sql,
    flows_sql,
    granularities_sql,
    not_allocated_sql,
    points_sql,
    unshown_sql,
    where_clause,
)


class Store:
    """Query API over one store; safe to share between threads (one cursor per query).

    Nothing is opened until the first query, so building a ``Store`` never fails
    and never touches the disk or the database.

    A store built with a country ``scope`` (see :meth:`scoped`) answers every query,
    including raw SQL through :meth:`query`, as if the store held only those countries:
    the tables are replaced by filtered views in the connection itself, so no caller
    can forget the filter. ``withheld`` crime types are left out of the incident tables
    the same way (viewers do not see sensitive crime types in any figure; they get them
    only as suppressed country tables, see :mod:`threatmon.disclosure.sensitive`).
    """

    def __init__(
        self,
        location: StoreLocation | str | os.PathLike | None = None,
        scope: Sequence[str] = (),
        withheld: Sequence[str] = (),
        *,
        keep_results: bool = False,
    ):
        #: Where the store is (``str()`` of it is the file's path or the URL).
        self.location = StoreLocation.resolve(location)
        self.scope: tuple[str, ...] = tuple(sorted(dict.fromkeys(scope)))
        self.withheld: tuple[str, ...] = tuple(sorted(dict.fromkeys(withheld)))
        unknown = [c for c in self.scope if c not in PROJECT_COUNTRIES]
        if unknown:
            raise ValueError(f"Not a project country: {', '.join(unknown)}.")
        unknown = [c for c in self.withheld if c not in CRIME_TYPE_KEYS]
        if unknown:
            raise ValueError(f"Not a crime type: {', '.join(unknown)}.")
        backend, target = backend_for(self.location)
        self._backend = backend.reads(target, self.scope, self.withheld)
        #: (version, what that generation holds), see :meth:`held`.
        self._held: tuple[str, Held] | None = None
        #: (version, the store's coverage cells), see :meth:`coverage_cells`.
        self._cells: tuple[str, pd.DataFrame] | None = None
        #: (version, the batches table), part of every kept answer's name.
        self._batches: tuple[str, pd.DataFrame] | None = None
        #: Whether what is derived from a generation is kept on disk for the next process
        #: (:mod:`threatmon.store.kept`); what was kept is read either way.
        self.keep_results = keep_results

    def __repr__(self) -> str:
        scope = f", scope={self.scope!r}" if self.scope else ""
        withheld = f", withheld={self.withheld!r}" if self.withheld else ""
        return f"Store({self.label!r}{scope}{withheld})"

    @property
    def label(self) -> str:
        """The store's location as messages may show it (never a password)."""
        return self.location.display

    def scoped(self, scope: Sequence[str]) -> Store:
        """The same store seen through a country scope; an empty scope means every country."""
        return Store(self.location, scope, self.withheld, keep_results=self.keep_results)

    @property
    def restricted(self) -> bool:
        """Whether this reader sees less than the whole store."""
        return bool(self.scope or self.withheld)

    def query(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        """Run read-only SQL and return a DataFrame (for the API below, tests and benchmarks).

        The SQL is DuckDB's, with ``?`` placeholders; on PostgreSQL it is translated where
        the dialects differ (:func:`threatmon.store.postgres.translate_query`), and the frame
        has the same dtypes.
        """
        return self._backend.query(sql, params)

    @property
    def version(self) -> str:
        """Changes whenever a writer publishes a new generation; use it in cache keys."""
        return self._backend.version()

    def exists(self) -> bool:
        """Whether a store file is present, or a database answers (either may be unusable)."""
        return self._backend.exists()

    def incident_ids(self, con: duckdb.DuckDBPyConnection) -> IncidentIds:
        """Where a file's check in the DuckDB connection ``con`` finds the incident_ids
        already stored (see :class:`threatmon.store.backend.IncidentIds`).

        Asked before the check starts: a store file is attached to ``con`` read-only at
        once (and a program holding it for writing is reported now), a database is asked
        later for the file's incident_ids only.
        """
        return self._backend.incident_ids(con)

    # -- incidents ----------------------------------------------------------------------------

    def aggregate(
        self,
        filters: Filters | None = None,
        by: Sequence[str] = ("region_code", "crime_type"),
        freq: str | None = "M",
        measure: str = "count",
    ) -> pd.DataFrame:
        """Sum ``measure`` over the selection by ``by`` and period.

        Parameters
        ----------
        filters : Filters, optional
            Countries, regions, crime types and inclusive dates; default everything.
        by : sequence of str
            Any of ``country``, ``region_code``, ``crime_type``, ``crossing_point``, ``source``.
        freq : {"D", "W", "M", "Q", "Y"} or None
            Period length; ``period`` holds the period's first day. None: no time split.
        measure : {"count", "records", "victims", "suspects"}
            ``count`` is the number of incidents, ``records`` the number of stored rows.

        Returns
        -------
        DataFrame
            Only stored groups (a reported 0 is a row), ordered by period then ``by``.

        Notes
        -----
        Each row of the store stands for a day, an ISO week, a month, a quarter or a year.
        A view shows the rows whose periods nest in its own (a monthly view: days and
        months; a yearly view: days, months, quarters and years; no time split: all), and
        only those whose whole period lies inside the filters' dates; :meth:`unshown`
        says what it left out. A breakdown by region, or a selection of regions, sums the
        regional figures. Otherwise a country's national figure for a period and crime
        type is the total, and its regions only where it has none (:meth:`not_allocated`
        compares the two).
        """
        while True:
            version = self.version
            sql, params = self.aggregate_sql(filters, by, freq, measure, version=version)
            frame = self.query(sql, params)
            # The SQL fits what the store held at `version`: asked again if a load landed
            # meanwhile (its first national figure would otherwise be added to its regions).
            if self.version == version:
                break
        if "period" in frame.columns:
            frame["period"] = pd.to_datetime(frame["period"])
        return frame

    def aggregate_sql(
        self,
        filters: Filters | None = None,
        by: Sequence[str] = ("region_code", "crime_type"),
        freq: str | None = "M",
        measure: str = "count",
        *,
        version: str | None = None,
    ) -> tuple[str, list]:
        """The SQL and parameters :meth:`aggregate` runs (for benchmarks): no more than
        what the store holds calls for (see :class:`threatmon.store.queries.Held`)."""
        held = self.held(version)
        return aggregate_sql(filters or Filters(), by, freq, measure, held)

    def held(self, version: str | None = None) -> Held:
        """What the store holds beside regional days: the longer granularities and whether
        there are national figures; asked once per generation (``version``)."""
        version = self.version if version is None else version
        cached = self._held
        if cached is not None and cached[0] == version:
            return cached[1]
        row = self.query(HELD_SQL).iloc[0]
        present = set(str(row["longer"]).split(",")) if pd.notna(row["longer"]) else set()
        held = Held(tuple(g for g in LONGER if g in present), bool(row["national"]))
        self._held = (version, held)
        return held

    def incidents(self, filters: Filters | None = None, limit: int | None = None) -> pd.DataFrame:
        """The stored incident rows of the selection, ordered by date (analysts' exports):
        the contract's columns (:data:`threatmon.contract.INCIDENT_COLUMNS`), then
        ``batch_id``. A national figure has no ``region_code``."""
        params: list = []
        where = where_clause(filters or Filters(), "date", params)
        sql = (
            f"SELECT {', '.join(INCIDENT_COLUMNS)}, batch_id FROM incidents {where} "
            "ORDER BY date, country, region_code NULLS FIRST, crime_type, period_end"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def unshown(self, filters: Filters | None = None, freq: str | None = "M") -> pd.DataFrame:
        """What a view at ``freq`` of the selection cannot show, its granularity not nesting
        in the view's periods (yearly figures in a monthly view, weeks in a quarterly one).

        Returns
        -------
        DataFrame
            ``country``, ``crime_type``, ``level``, ``granularity``, ``rows`` and their
            ``count``, for rows of the filters' countries, regions and crime types whose
            periods overlap the filters' dates; empty when the view shows everything.
        """
        sql, params = unshown_sql(filters or Filters(), freq)
        return self.query(sql, params)

    def not_allocated(self, filters: Filters | None = None, freq: str | None = "Y") -> pd.DataFrame:
        """The periods × countries × crime types of a view at ``freq`` that have both a
        national figure and regional ones, and what of the national figure the regions
        leave out.

        Returns
        -------
        DataFrame
            ``period``, ``country``, ``crime_type``, ``national``, ``regions`` (their sum)
            and ``not_allocated`` (``national`` − ``regions``; negative when the regions add
            to more than the national figure). Without a time split the periods are years.
        """
        sql, params = not_allocated_sql(filters or Filters(), freq)
        frame = self.query(sql, params)
        frame["period"] = pd.to_datetime(frame["period"])
        return frame

    def granularities(self, filters: Filters | None = None) -> pd.DataFrame:
        """What the selection holds: ``country``, ``crime_type``, ``level``, ``granularity``,
        the ``first`` and ``last`` day covered and the ``rows``."""
        sql, params = granularities_sql(filters or Filters())
        frame = self.query(sql, params)
        for name in ("first", "last"):
            frame[name] = pd.to_datetime(frame[name]).dt.date
        return frame

    def points(self, filters: Filters | None = None, decimals: int = 2) -> pd.DataFrame:
        """Geocoded incidents summed on a grid of ``decimals``-rounded coordinates.

        Returns ``latitude``, ``longitude`` and ``count``; rows without coordinates are
        left out (most national extracts geocode only some incidents).
        """
        sql, params = points_sql(filters or Filters(), decimals)
        return self.query(sql, params)

    def coverage(self) -> dict:
        """The first day of the first period and the last day of the last one, the row and
        incident totals, and the granularities held, finest first.

        ``last`` is a period's end, not its start: a monthly table whose last row is June
        covers June to its last day, so June is a complete month of data.

        ``incidents`` counts a national figure and its regions once (see :meth:`aggregate`).
        """
        # From the coverage cells, which every page reads anyway and which are kept for
        # the store's generation: a scan of their own cost 0.2–0.4 s at 10M rows.
        cells = self.coverage_cells()
        rows = cells[cells["rows"] > 0]  # a declared cell without rows holds no row
        total = self.aggregate(Filters(), by=(), freq=None)["count"].item()
        held = set(rows["granularity"])
        return {
            "first": rows["first_day"].min().date() if len(rows) else None,
            "last": rows["last_day"].max().date() if len(rows) else None,
            "records": int(rows["rows"].sum()),
            "incidents": int(total),
            "granularities": [g for g in GRANULARITIES if g in held],
        }

    def coverage_cells(self, filters: Filters | None = None) -> pd.DataFrame:
        """What was reported at all: country × crime type × level × period cells, each
        with the batch that covers it (:mod:`threatmon.coverage`).

        A cell is a loaded period (a week, month, quarter or year), or for daily incident
        rows a month with at least one row, or a period a batch declared it reports in
        full. Revisions and undo keep it exact: it is read from the active rows and the
        active batches' declarations. Read once per generation of the store.

        Parameters
        ----------
        filters : Filters, optional
            Countries (a region selection means its countries), crime types, and the
            dates the cells must overlap.

        Returns
        -------
        DataFrame
            :data:`threatmon.coverage.CELL_COLUMNS`: ``country``, ``crime_type``, ``level``,
            ``granularity``, ``start``, ``end``, ``first_day``, ``last_day``, ``batch_id``,
            ``source``, ``rows``, ``declared``.
        """
        version = self.version
        cached = self._cells
        if cached is None or cached[0] != version:
            cells = cells_from_rows(
                self._row_cells(version), self.query(DECLARED_SQL), self.query(SOURCES_SQL)
            )
            cached = self._cells = (version, cells)
        return _select_cells(cached[1], filters or Filters())

    def _row_cells(self, version: str) -> pd.DataFrame:
        """The rows' cells of generation ``version``: one scan of the rows per generation,
        kept on disk for the next process if :attr:`keep_results`."""
        return self.kept_frame("cells", None, lambda: self.query(ROW_CELLS_SQL), version)

    def kept_frame(
        self,
        kind: str,
        key: object,
        derive: Callable[[], pd.DataFrame],
        version: str | None = None,
    ) -> pd.DataFrame:
        """What ``derive()`` gives for this generation of the store, this reader and
        ``key`` (plain values: the arguments it derives from), read from disk if a
        process kept it, else derived and, if :attr:`keep_results`, kept
        (:mod:`threatmon.store.kept`). ``kind`` names what is derived."""
        version, name, folder = self._kept_entry(kind, key, version)
        return kept.kept_frame(folder, name, derive, self._still(version))

    def kept_frames(
        self,
        kind: str,
        key: object,
        derive: Callable[[], dict[str, pd.DataFrame]],
    ) -> dict[str, pd.DataFrame]:
        """As :meth:`kept_frame`, for an answer of several named frames."""
        version, name, folder = self._kept_entry(kind, key, None)
        return kept.kept_frames(folder, name, derive, self._still(version))

    def _kept_entry(self, kind: str, key: object, version: str | None):
        version = version or self.version
        batches = self._batches
        if batches is None or batches[0] != version:
            batches = self._batches = (version, self.query(kept.FINGERPRINT_SQL))
        name = kept.entry_name(version, batches[1], self.scope, self.withheld, kind, key)
        return version, name, self.location.scratch_folder(kept.SUFFIX)

    def _still(self, version: str) -> Callable[[], bool]:
        return lambda: self.keep_results and self.version == version

    def covered(
        self,
        country: str,
        crime_type: str,
        level: str | None,
        period_start,
        granularity: str,
    ) -> bool:
        """Whether ``country`` reported ``crime_type`` at ``level`` (``admin1``,
        ``national``, or None for either) for the whole ``granularity`` period holding
        ``period_start`` (:func:`threatmon.coverage.is_covered`); a country or crime type
        outside this reader's scope is never covered."""
        return is_covered(
            self.coverage_cells(), country, crime_type, level, period_start, granularity
        )

    # -- flows --------------------------------------------------------------------------------

    def flows(
        self,
        filters: Filters | None = None,
        by: Sequence[str] = ("country",),
        freq: str | None = "M",
    ) -> pd.DataFrame:
        """Arrivals and departures summed by ``by`` (``country``, ``crossing_point``) and period."""
        sql, params = flows_sql(filters or Filters(), by, freq)
        frame = self.query(sql, params)
        if "period" in frame.columns:
            frame["period"] = pd.to_datetime(frame["period"])
        return frame

    def flow_rows(self, filters: Filters | None = None) -> pd.DataFrame:
        """The stored flow rows of the selection's countries and dates, ordered (exports).

        Regions and crime types do not apply to flows and are ignored.
        """
        params: list = []
        where = where_clause(filters or Filters(), "date", params, incidents=False)
        return self.query(
            "SELECT date, country, crossing_point, arrivals, departures, batch_id "
            f"FROM flows {where} ORDER BY date, country, crossing_point NULLS FIRST",
            params,
        )

    def flow_coverage(self) -> dict:
        """The flows' first and last date, rows, receiving countries and total arrivals."""
        row = self.query(
            "SELECT min(date) AS first, max(date) AS last, count(*) AS records, "
            "coalesce(sum(arrivals), 0)::BIGINT AS arrivals, "
            "coalesce(string_agg(DISTINCT country, ',' ORDER BY country), '') AS countries "
            "FROM flows"
        ).iloc[0]
        return {
            "first": None if pd.isna(row["first"]) else pd.Timestamp(row["first"]).date(),
            "last": None if pd.isna(row["last"]) else pd.Timestamp(row["last"]).date(),
            "records": int(row["records"]),
            "countries": [c for c in str(row["countries"]).split(",") if c],
            "arrivals": int(row["arrivals"]),
        }

    # -- bookkeeping --------------------------------------------------------------------------

    def batches(self) -> pd.DataFrame:
        """Every load, newest first, including undone ones."""
        return self.query("SELECT * FROM batches ORDER BY batch_id DESC")

    def batch(self, batch_id: int) -> dict:
        """One load in detail: its row, what it holds by country and crime type, its audit.

        Raises
        ------
        BatchNotFoundError
            If no batch has that id.
        """
        row = self.query("SELECT * FROM batches WHERE batch_id = ?", [int(batch_id)])
        if row.empty:
            raise BatchNotFoundError(f"No batch {batch_id} in this store.")
        info = row.iloc[0].to_dict()
        if info["kind"] == "incidents":
            breakdown = self.query(
                "SELECT country, crime_type, count(*) AS records, sum(count)::BIGINT AS incidents "
                "FROM incidents WHERE batch_id = ? GROUP BY 1, 2 ORDER BY 1, 2",
                [int(batch_id)],
            )
        else:
            breakdown = self.query(
                "SELECT country, count(*) AS records, sum(arrivals)::BIGINT AS arrivals "
                "FROM flows WHERE batch_id = ? GROUP BY 1 ORDER BY 1",
                [int(batch_id)],
            )
        events = self.query(
            "SELECT * FROM audit WHERE target = ? ORDER BY seq", [f"batch:{int(batch_id)}"]
        )
        return {"batch": info, "breakdown": breakdown, "audit": events}

    def audit(self) -> pd.DataFrame:
        """The append-only audit log, oldest first."""
        return self.query("SELECT * FROM audit ORDER BY seq")

    def saved_mappings(self) -> pd.DataFrame:
        """Column mappings saved per source (name, kind, mapping JSON, who, when)."""
        return self.query("SELECT * FROM column_mappings ORDER BY name")

    def saved_mapping(self, name: str) -> tuple[str, dict[str, str]] | None:
        """(kind, mapping) saved under ``name``, or None."""
        frame = self.query("SELECT kind, mapping FROM column_mappings WHERE name = ?", [name])
        if frame.empty:
            return None
        return frame.iloc[0]["kind"], json.loads(frame.iloc[0]["mapping"])

    def saved_source(self, name: str) -> tuple[str, dict[str, str], dict[str, object]] | None:
        """(kind, mapping, upload options) of the source profile saved under ``name``, or None."""
        frame = self.query(
            "SELECT kind, mapping, options FROM column_mappings WHERE name = ?", [name]
        )
        if frame.empty:
            return None
        row = frame.iloc[0]
        return row["kind"], json.loads(row["mapping"]), json.loads(row["options"])

    def meta(self) -> dict[str, str]:
        """Key-value facts about the store, e.g. ``demo``, ``demo_seed``, ``created_at``."""
        frame = self.query(
            "SELECT key, value FROM meta WHERE key <> ? ORDER BY key", [GENERATION_KEY]
        )
        return dict(zip(frame["key"], frame["value"], strict=True))

    def is_demo(self) -> bool:
        """True when the store holds synthetic demo data (every page must then say so)."""
        return self.meta().get("demo") == "true"


def _select_cells(cells: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    keep = pd.Series(True, index=cells.index)
    countries = set(filters.countries)
    if filters.regions:
        countries |= {country_of(code) for code in filters.regions}
    if countries:
        keep &= cells["country"].isin(countries)
    if filters.crime_types:
        keep &= cells["crime_type"].isin(filters.crime_types)
    if filters.start is not None:
        keep &= cells["end"] >= pd.Timestamp(filters.start)
    if filters.end is not None:
        keep &= cells["start"] <= pd.Timestamp(filters.end)
    return cells[keep].reset_index(drop=True)
