"""The typed ``staged`` table of one raw file, and every problem in it, built in DuckDB.

Each contract column's *distinct* raw values are resolved in Python by
:mod:`data_loaders.normalise` into small lookup tables (a 10M-row file has a few
hundred distinct region names and dates); one join of the raw table with them gives
the typed rows, and one UNION of small queries lists every problem with its line,
column, value, reason and suggestion.

``staged`` keeps only the typed values and, per row, how many of its cells have a
problem: the reasons and suggestions of the cells (two text columns per checked column,
nearly all empty) would double its size. They are worked out again, for the rows with a
problem only, when a file has some.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_loaders import figures, lookups, placing
from data_loaders.mapping import ColumnMapping, contract_columns
from data_loaders.options import IngestOptions
from data_loaders.out_of_scope import LINES_LISTED as _LINES_LISTED
from data_loaders.out_of_scope import OutOfScope
from data_loaders.readers import RawTable
from data_loaders.readers.relation import drop_table
from data_loaders.value_aliases import resolve_values
from threatmon.contract import EARLIEST_DATE, FLOW_COLUMNS, INCIDENT_COLUMNS, LATEST_DATE
from threatmon.errors import Problem

# An incident count's minimum depends on its row's period (see Staging._number).
_NUMBER_MINIMUM = {"count": 0, "victims": 0, "suspects": 0, "arrivals": 0, "departures": 0}
_COORDINATES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}
#: Why an empty region cannot be a national row when the file has no country column.
NATIONAL_NEEDS_COUNTRY = (
    "Without a country column each row needs its region; add a country column for national figures."
)
#: What to do about a flow row that repeats another's country, crossing point and day.
REPEATED_KEY_HINT = (
    "A flow file holds one row per country, crossing point and day: "
    "remove the repeated row, or add the two up in one row."
)


class Staging:
    """Builds the typed ``staged`` table and finds the problems of one raw table."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        raw: RawTable,
        mapping: ColumnMapping,
        options: IngestOptions,
    ):
        self.con = con
        self.raw = raw
        self.options = options
        self.kind = options.kind
        self._granularities: tuple[str, ...] = ()
        self._undecided: list[Problem] = []
        #: Rows per level (incidents), once :meth:`problems` has counted them.
        self.level: dict[str, int] = {}
        #: Rows added into another row of the same figure (see :func:`figures.summed_sql`).
        self._parts = 0
        #: Problems of the whole file rather than of a cell (the order of its dates).
        self.file_problems: list[Problem] = []
        position = {name: i for i, name in enumerate(raw.columns)}
        self.source = {dst: f"c{position[src]}" for src, dst in mapping.columns.items()}
        self.required, _ = contract_columns(self.kind)
        self.columns = INCIDENT_COLUMNS if self.kind == "incidents" else FLOW_COLUMNS
        self._lookups: list[str] = []
        #: Rows of ``staged``, once :meth:`problems` has counted them.
        self._rows: int | None = None
        #: The columns with a ``__problem`` in the checking SQL (set by :meth:`build`).
        self._checked_columns: list[str] = []
        #: Rows whose region comes from their coordinates, once :meth:`problems` has counted.
        self.placed = 0
        self._placing = False  # ``placement_map`` is built and joined as ``pm``
        self._placement_rows = 0  # an empty map is not joined (placing.NO_PLACEMENT)

    # -- lookups ------------------------------------------------------------------------------

    def _distinct(self, column: str) -> list[str]:
        source = self.source[column]
        rows = self.con.execute(
            f"SELECT DISTINCT {source} FROM {self.raw.table} WHERE {source} IS NOT NULL"
        ).fetchall()
        return [row[0] for row in rows]

    def _register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(f"{name}_frame", frame)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_frame")
        self.con.unregister(f"{name}_frame")
        self._lookups.append(name)

    def _resolution_table(self, name: str, resolutions: dict) -> None:
        self._register(name, lookups.resolution_frame(resolutions))

    def _paired_resolution_table(self, name: str, resolutions: dict) -> None:
        self._register(name, lookups.paired_resolution_frame(resolutions))

    def build(self) -> str | None:
        """Create the lookup tables and ``staged``; return how the file writes its dates."""
        date_format = self._period_map()
        self.file_problems.extend(self._undecided)
        if "country" in self.source:
            countries = resolve_values("country", self.options, self._distinct("country"))
            self._resolution_table("country_map", countries)
        if "region_code" in self.source:
            self._region_map()
        if self.kind == "incidents" and {"latitude", "longitude"} <= self.source.keys():
            joins, _ = self._row_country()
            frame = placing.placement_frame(self.con, self.raw.table, self.source, joins)
            self._register("placement_map", frame)
            self._placing = True
            self._placement_rows = len(frame)
        if "crime_type" in self.source:
            crimes = resolve_values("crime_type", self.options, self._distinct("crime_type"))
            self._resolution_table("crime_map", crimes)
        for column in _NUMBER_MINIMUM:
            if column in self.source:
                self._number_map(column)
        if "crossing_point" in self.source:
            self._crossing_map()
        checks = self._staged_sql()
        self._checked_columns = [
            name.removesuffix("__problem")
            for name, *_ in self.con.execute(f"SELECT * FROM ({checks}) LIMIT 0").description
            if name.endswith("__problem")
        ]
        cells = " + ".join(f"({c}__problem IS NOT NULL)::INTEGER" for c in self._checked_columns)
        with lookups.raw_probes(self.con):
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE staged AS SELECT line, {', '.join(self.columns)}, "
                f"{cells or '0'} AS problem_cells{', placed' if self._placing else ''} "
                f"FROM ({checks})"
            )
        if len(self._granularities) > 1:
            end = self.source.get("period_end")
            rows = self.con.execute(
                figures.mixed_problem_sql(self.raw.table, self.source["date"], end)
            ).fetchall()
            self.file_problems.append(Problem(None, "date", None, figures.mixed_message(rows)))
        return date_format

    def _period_map(self) -> str:
        """``period_map``: each distinct date (and period end) with its period, or why none."""
        dates = self._distinct("date")
        pairs = None
        if "period_end" in self.source:
            date, end = self.source["date"], self.source["period_end"]
            pairs = self.con.execute(
                f"SELECT DISTINCT {date}, {end} FROM {self.raw.table} WHERE {date} IS NOT NULL"
            ).fetchall()
        frame, reading, self._granularities = figures.period_table(
            dates, pairs, self.options.date_order, self.kind
        )
        problem = reading.convention.problem
        # One problem for the file: the dates it is about get none of their own.
        self._undecided = [Problem(None, "date", None, problem)] if problem else []
        self._register("period_map", frame)
        return reading.name

    @property
    def granularity(self) -> str | None:
        """What every row stands for ("day" … "year"); None when none or several."""
        return self._granularities[0] if len(self._granularities) == 1 else None

    def _region_map(self) -> None:
        region = self.source["region_code"]
        if "country" in self.source:
            pairs_sql = (
                f"SELECT DISTINCT r.{region}, m.value FROM {self.raw.table} r "
                f"LEFT JOIN country_map m ON m.raw = r.{self.source['country']} "
                f"WHERE r.{region} IS NOT NULL"
            )
        else:
            pairs_sql = (
                f"SELECT DISTINCT {region}, NULL FROM {self.raw.table} WHERE {region} IS NOT NULL"
            )
        pairs = [(raw, country) for raw, country in self.con.execute(pairs_sql).fetchall()]
        resolved = resolve_values("region_code", self.options, pairs)
        self._paired_resolution_table("region_map", resolved)

    def _row_country(self) -> tuple[str, str]:
        """(joins, expression): the row's resolved country, as ``staged`` will hold it."""
        src, joins = self.source, []
        if "country" in src:
            joins.append(f"LEFT JOIN country_map cm ON cm.raw = r.{src['country']}")
            country = "cm.value"
        else:
            country = "NULL"
        if "region_code" in src:
            joins.append(
                f"LEFT JOIN region_map rm ON rm.raw = r.{src['region_code']} AND "
                f"rm.country IS NOT DISTINCT FROM {country}"
            )
            if "country" not in src:
                # Without a country column the region decides it (codes start with ISO2),
                # or names the country itself (a national row).
                country = "coalesce(rm.nation, substr(rm.value, 1, 2))"
        if self._placing:
            joins.append(placing.placement_join(src, empty=not self._placement_rows))
            if "country" not in src:
                # ... or the region the row's coordinates place it in.
                placed = "substr(pm.region, 1, 2)"
                country = f"coalesce({country}, {placed})" if "region_code" in src else placed
        return " ".join(joins), country

    def _crossing_map(self) -> None:
        # A point must lie on the border of the incident's country, or of the country a
        # flow arrives in, so each distinct value is resolved with its row's country.
        point = self.source["crossing_point"]
        joins, country = self._row_country()
        pairs = self.con.execute(
            f"SELECT DISTINCT r.{point}, {country} FROM {self.raw.table} r {joins} "
            f"WHERE r.{point} IS NOT NULL"
        ).fetchall()
        resolved = resolve_values("crossing_point", self.options, pairs)
        self._paired_resolution_table("crossing_map", resolved)

    def _number_map(self, column: str) -> None:
        values = self._distinct(column)
        minimum = _NUMBER_MINIMUM[column]
        self._register(
            f"{column}_map", lookups.number_frame(values, self.options.thousands, minimum)
        )

    def _staged_sql(self) -> str:
        """Typed values and, per checked column, ``<column>__problem`` and ``__hint``.

        Problems are computed in the same pass that types the values, so finding them
        costs one scan of ``staged`` instead of one joined scan of the raw table per rule.
        """
        src = self.source
        select = ["r.line"]
        joins = [self._period_join()]
        select += self._period_columns()
        joins_places, country = self._row_country()
        if joins_places:
            joins.append(joins_places)
        if "country" in src:
            select += self._resolved("country", "cm")
        elif self.kind == "incidents":
            select.append(f"{country} AS country")
        if self.kind == "incidents":
            select += self._region_columns()
            joins.append(f"LEFT JOIN crime_map ct ON ct.raw = r.{src['crime_type']}")
            # A category without a crime type is refused once for all its rows, or skipped.
            select += self._resolved("crime_type", "ct", unless="ct.category IS NOT NULL")
        done = {"date", "period_end", "granularity", "level", "country", "region_code"}
        for column in self.columns:
            if column in done or column == "crime_type":
                continue
            if column in _NUMBER_MINIMUM:
                select += self._number(column, joins)
            elif column in _COORDINATES:
                select += self._coordinate(column)
            elif column == "crossing_point" and column in src:
                select += self._crossing_point(joins)
            else:
                select.append(
                    f"r.{src[column]} AS {column}"
                    if column in src
                    else f"NULL::VARCHAR AS {column}"
                )
        # Rows with every cell empty (separator rows in spreadsheets) hold no incident;
        # they are skipped, not reported, and the result says how many.
        cells = ", ".join(f"r.c{i}" for i in range(len(self.raw.columns)))
        not_blank = f"WHERE coalesce({cells}) IS NOT NULL" if cells else ""
        if self.options.skip_out_of_scope and self.kind == "incidents":
            not_blank += " AND ct.category IS NULL"
        if self._unreported():
            not_blank += f" AND NOT {self._unreported()}"
        return f"SELECT {', '.join(select)} FROM {self.raw.table} r {' '.join(joins)} {not_blank}"

    def _unreported(self) -> str:
        """SQL of the rows (``r``, period ``d``) whose figure was not reported ("": none)."""
        if self.kind != "incidents" or "count" not in self.source or not self.raw.columns:
            return ""
        if self.granularity in (None, "day"):
            return ""  # a file of days (or of no readable date) has no figure to leave out
        granularity = f"coalesce(d.granularity, '{self.granularity or 'day'}')"
        return figures.not_reported_sql(f"r.{self.source['count']}", granularity)

    def not_reported(self) -> int:
        """Rows left out as not reported (:data:`data_loaders.figures.NOT_REPORTED_VALUES`)."""
        if not self._unreported():
            return 0
        crime = self.source["crime_type"] if self.options.skip_out_of_scope else None
        sql = figures.not_reported_count_sql(
            self.raw, self._period_join(), self._unreported(), crime
        )
        return int(self.con.execute(sql).fetchall()[0][0])

    def _period_join(self) -> str:
        date = f"d.raw = r.{self.source['date']}"
        if "period_end" in self.source:
            date += f" AND d.raw_end IS NOT DISTINCT FROM r.{self.source['period_end']}"
        return f"LEFT JOIN period_map d ON {date}"

    def _period_columns(self) -> list[str]:
        """``date`` (the period's first day) and, for incidents, ``period_end`` and
        ``granularity``, with the problems of the date and period-end cells."""
        src = self.source
        outside = f"'Date is outside {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d}.'"
        window = f"TIMESTAMP '{EARLIEST_DATE}' AND TIMESTAMP '{LATEST_DATE}'"
        columns = [
            "d.start::DATE AS date",
            f"CASE WHEN r.{src['date']} IS NULL THEN 'Value is missing.' "
            f"WHEN d.start IS NULL THEN d.reason "
            f"WHEN d.start NOT BETWEEN {window} THEN {outside} END AS date__problem",
            "NULL::VARCHAR AS date__hint",
        ]
        if self.kind != "incidents":
            return columns
        columns += ["d.end::DATE AS period_end", "d.granularity AS granularity"]
        if "period_end" in src:
            columns += [
                f"CASE WHEN r.{src['period_end']} IS NULL OR d.reason IS NOT NULL THEN NULL "
                f"WHEN d.end_reason IS NOT NULL THEN d.end_reason "
                f"WHEN d.end NOT BETWEEN {window} THEN {outside} END AS period_end__problem",
                "NULL::VARCHAR AS period_end__hint",
            ]
        return columns

    def _region_columns(self) -> list[str]:
        """``level`` and ``region_code``: no region (no column, an empty cell, the country's
        name) is a national figure, unless the row's coordinates place it in a region."""
        placed = "pm.region IS NOT NULL AND pm.stated IS NULL" if self._placing else "false"
        region = "pm.region" if self._placing else "NULL::VARCHAR"
        if "region_code" in self.source:
            placed = f"r.{self.source['region_code']} IS NULL AND {placed}"
        flag = [f"coalesce({placed}, false) AS placed"] if self._placing else []
        if "region_code" not in self.source:
            level = f"CASE WHEN {placed} THEN 'admin1' ELSE 'national' END AS level"
            return [level, f"CASE WHEN {placed} THEN {region} END AS region_code", *flag]
        raw = f"r.{self.source['region_code']}"
        # Without a country column an empty region leaves the row's country unknown.
        empty = "NULL" if "country" in self.source else "'Value is missing.'"
        hint = "NULL" if "country" in self.source else f"'{NATIONAL_NEEDS_COUNTRY}'"
        unknown = "rm.value IS NULL AND rm.nation IS NULL"
        # A stated region the coordinates lie far outside of: both are named.
        far = "WHEN rm.value IS NOT NULL AND pm.reason IS NOT NULL THEN pm." if flag else ""
        return [
            f"CASE WHEN {placed} THEN 'admin1' WHEN {raw} IS NULL OR rm.nation IS NOT NULL "
            "THEN 'national' ELSE 'admin1' END AS level",
            f"CASE WHEN {placed} THEN {region} ELSE rm.value END AS region_code",
            f"CASE WHEN {placed} THEN NULL WHEN {raw} IS NULL THEN {empty} WHEN {unknown} "
            f"THEN rm.reason {far and far + 'reason '}END AS region_code__problem",
            f"CASE WHEN {placed} THEN NULL WHEN {raw} IS NULL THEN {hint} WHEN {unknown} "
            f"THEN rm.suggestion {far and far + 'suggestion '}END AS region_code__hint",
            *flag,
        ]

    def _resolved(self, column: str, alias: str, unless: str = "false") -> list[str]:
        raw = f"r.{self.source[column]}"
        return [
            f"{alias}.value AS {column}",
            f"CASE WHEN {raw} IS NULL THEN 'Value is missing.' "
            f"WHEN {alias}.value IS NULL AND NOT ({unless}) THEN {alias}.reason END "
            f"AS {column}__problem",
            f"CASE WHEN {alias}.value IS NULL THEN {alias}.suggestion END AS {column}__hint",
        ]

    def _number(self, column: str, joins: list[str]) -> list[str]:
        if column not in self.source:
            return [f"NULL::BIGINT AS {column}"]
        raw = f"r.{self.source[column]}"
        alias = f"n_{column}"
        joins.append(f"LEFT JOIN {column}_map {alias} ON {alias}.raw = {raw}")
        missing = "'Value is missing.'" if column in self.required else "NULL"
        zero_day, hint = "", "NULL::VARCHAR"
        if column == "count" and self.kind == "incidents":
            # A reported zero is a figure for a period; a day's row is one or more incidents.
            day = f"coalesce(d.granularity, '{self.granularity or 'day'}') = 'day'"
            zero_day = f"WHEN {alias}.value < 1 AND {day} THEN 'Value is below 1.' "
            hint = f"CASE WHEN {alias}.value = 0 AND {day} THEN '{figures.ZERO_DAY_HINT}' END"
        return [
            f"{alias}.value::BIGINT AS {column}",
            f"CASE WHEN {raw} IS NULL THEN {missing} WHEN {alias}.reason IS NOT NULL "
            f"THEN {alias}.reason {zero_day}END AS {column}__problem",
            f"{hint} AS {column}__hint",
        ]

    def _crossing_point(self, joins: list[str]) -> list[str]:
        raw = f"r.{self.source['crossing_point']}"
        _, country = self._row_country()  # the aliases _staged_sql joined already
        joins.append(
            f"LEFT JOIN crossing_map xm ON xm.raw = {raw} AND "
            f"xm.country IS NOT DISTINCT FROM {country}"
        )
        # Optional: an empty cell is a flow's national total, or an incident away from
        # any crossing; only a value that names no point on the row's border is a problem.
        return [
            "xm.value AS crossing_point",
            f"CASE WHEN {raw} IS NOT NULL AND xm.value IS NULL THEN xm.reason END "
            "AS crossing_point__problem",
            f"CASE WHEN {raw} IS NOT NULL AND xm.value IS NULL THEN xm.suggestion END "
            "AS crossing_point__hint",
        ]

    def _coordinate(self, column: str) -> list[str]:
        if column not in self.source:
            return [f"NULL::DOUBLE AS {column}"]
        raw = f"r.{self.source[column]}"
        low, high = _COORDINATES[column]
        value = placing.number_sql(raw)
        # The latitude carries the refusal of a point to be placed (outside the project's
        # countries, or the row's), and of a row that has nothing else to place it by.
        where, hint = "", "NULL::VARCHAR"
        if self._placing and column == "latitude":
            asked = "pm.stated IS NULL" + (
                f" AND r.{self.source['region_code']} IS NULL"
                if "region_code" in self.source
                else ""
            )
            where = f"WHEN pm.reason IS NOT NULL AND {asked} THEN pm.reason "
            hint = f"CASE WHEN {asked} THEN pm.suggestion END"
            if not {"country", "region_code"} & self.source.keys():
                where = f"WHEN {raw} IS NULL THEN 'Value is missing.' " + where
                hint = f"CASE WHEN {raw} IS NULL THEN '{placing.POINT_NEEDED}' ELSE {hint} END"
        return [
            f"{value} AS {column}",
            f"CASE WHEN {raw} IS NOT NULL AND {value} IS NULL THEN 'Value is not a number.' "
            f"WHEN {value} < {low} OR {value} > {high} "
            f"THEN 'Value is outside {low:g} to {high:g}.' {where}END AS {column}__problem",
            f"{hint} AS {column}__hint",
        ]

    # -- problems -----------------------------------------------------------------------------

    def _cell_problems(self) -> str:
        """``staged_checks``: every checked column's value, problem and hint, for the rows
        of ``staged`` with a problem (the same SQL that typed them)."""
        with lookups.raw_probes(self.con):
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE staged_checks AS SELECT * FROM "
                f"({self._staged_sql()}) "
                "WHERE line IN (SELECT line FROM staged WHERE problem_cells > 0)"
            )
        return "staged_checks"

    def problems(
        self, existing_incidents: str | None, scope: tuple[str, ...] = ()
    ) -> tuple[list[Problem], int]:
        """Every problem (up to ``max_problems`` listed) and the total count.

        ``existing_incidents`` names the store's incidents table as this connection
        sees it (``incidents`` inside a write session, an attached copy in a dry run),
        so that re-sent ``incident_id`` values are found; None for an empty store.
        ``scope`` lists the countries the uploader may load (empty: any); each row of
        another country is a problem.
        """
        national = "count(*) FILTER (WHERE level = 'national')"
        placed = "count(*) FILTER (WHERE placed)" if self._placing else "0"
        cells, self._rows, nationals, self.placed = self.con.execute(
            f"SELECT coalesce(sum(problem_cells), 0), count(*), "
            f"{national if self.kind == 'incidents' else 0}, {placed} FROM staged"
        ).fetchall()[0]
        if self.kind == "incidents":
            self.level = {"admin1": int(self._rows) - int(nationals), "national": int(nationals)}
        total = len(self.file_problems) + int(cells)
        queries = (
            self._incident_id_queries(existing_incidents)
            + self._scope_queries(scope)
            + self._flow_key_queries()
            + self._figure_queries()
        )
        if queries:
            union = " UNION ALL ".join(f"({q})" for q in queries)
            total += int(self.con.execute(f"SELECT count(*) FROM ({union})").fetchall()[0][0])
        skip = self.options.skip_out_of_scope
        refused = [] if skip else [c.problem() for c in self.out_of_scope()]
        total += len(refused)
        if total == 0:
            return [], 0
        checks = self._cell_problems() if cells else None
        queries += [
            f"SELECT s.line, '{column}' AS col, r.{self.source[column]}::VARCHAR AS value, "
            f"s.{column}__problem AS reason, s.{column}__hint AS suggestion "
            f"FROM {checks} s JOIN {self.raw.table} r ON r.line = s.line "
            f"WHERE s.{column}__problem IS NOT NULL"
            for column in (self._checked_columns if checks else ())
        ]
        union = " UNION ALL ".join(f"({q})" for q in queries)
        rows = (
            self.con.execute(
                f"SELECT line, col, value, reason, suggestion FROM ({union}) "
                f"ORDER BY line, col LIMIT {int(self.options.max_problems)}"
            ).fetchall()
            if queries
            else []
        )
        problems = self.file_problems + [
            Problem(int(line) if line is not None else None, col, value, reason, suggestion)
            for line, col, value, reason, suggestion in rows
        ]
        if refused:
            problems = sorted(problems + refused, key=lambda p: (p.row or 0, p.column or ""))
            problems = problems[: int(self.options.max_problems)]
        return problems, total

    def out_of_scope(self) -> list[OutOfScope]:
        """The file's categories without a crime type, in the order they first appear.

        ``count`` adds the rows' counts that can be read (0 when there is no count
        column); a skipped row is not otherwise checked.
        """
        if self.kind != "incidents" or "crime_type" not in self.source:
            return []
        # Nearly every file has none: asking the small lookup spares a join of every row.
        if not self.con.execute(
            "SELECT count(*) FROM crime_map WHERE category IS NOT NULL"
        ).fetchall()[0][0]:
            return []
        crime = self.source["crime_type"]
        count_join, count_sum = "", "0"
        if "count" in self.source:
            count_join = f"LEFT JOIN count_map n ON n.raw = r.{self.source['count']}"
            count_sum = "coalesce(sum(n.value), 0)"
        cells = ", ".join(f"r.c{i}" for i in range(len(self.raw.columns)))
        rows = self.con.execute(
            f"SELECT ct.category, any_value(ct.reason), min(r.line), "
            f"arg_min(r.{crime}, r.line), list(r.line ORDER BY r.line)[1:{_LINES_LISTED}], "
            f"count(*), {count_sum} "
            f"FROM {self.raw.table} r JOIN crime_map ct ON ct.raw = r.{crime} {count_join} "
            f"WHERE ct.category IS NOT NULL AND coalesce({cells}) IS NOT NULL "
            f"GROUP BY ct.category ORDER BY min(r.line)"
        ).fetchall()
        return [
            OutOfScope(category, reason, int(first), str(value), tuple(lines), int(n), int(c))
            for category, reason, first, value, lines, n, c in rows
        ]

    def _scope_queries(self, scope: tuple[str, ...]) -> list[str]:
        if not scope:
            return []
        # Rows whose country could not be read already have their own problem.
        column = next(c for c in ("country", "region_code", "latitude") if c in self.source)
        allowed = ", ".join(f"'{code}'" for code in scope)  # validated project codes
        listed = ", ".join(scope)
        return [
            f"SELECT s.line, '{column}' AS col, r.{self.source[column]}::VARCHAR AS value, "
            f"'Outside your country scope: you may load {listed} only.' AS reason, "
            f"'Remove the rows of other countries, or ask an administrator.' AS suggestion "
            f"FROM staged s JOIN {self.raw.table} r ON r.line = s.line "
            f"WHERE s.country IS NOT NULL AND s.country NOT IN ({allowed})"
        ]

    def _incident_id_queries(self, existing_incidents: str | None) -> list[str]:
        if "incident_id" not in self.source:
            return []
        raw, ident = self.raw.table, self.source["incident_id"]
        queries = []
        # Grouping by hash is cheaper than counting distinct strings (1.4 s of CPU instead
        # of 1.7 s at 10M rows); a collision only runs the query below, which finds the
        # real repeats.
        repeated = self.con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {raw} WHERE {ident} IS NOT NULL "
            f"GROUP BY hash({ident}) HAVING count(*) > 1)"
        ).fetchall()[0][0]
        if repeated:
            queries.append(
                f"SELECT line, 'incident_id' AS col, value::VARCHAR AS value, "
                f"'incident_id appears more than once in this file (first on line ' "
                f"|| first_line || ').' AS reason, NULL::VARCHAR AS suggestion FROM ("
                f"SELECT r.line, r.{ident} AS value, min(r.line) OVER (PARTITION BY r.{ident}) "
                f"AS first_line FROM {raw} r WHERE r.{ident} IN (SELECT {ident} FROM {raw} "
                f"WHERE {ident} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)) "
                f"WHERE line > first_line"
            )
        if existing_incidents is not None and self.kind == "incidents":
            queries.append(
                f"SELECT r.line, 'incident_id' AS col, r.{ident}::VARCHAR AS value, "
                f"'incident_id is already loaded in batch ' || min(i.batch_id) || '.' "
                f"AS reason, 'Undo batch ' || min(i.batch_id) || ' first to replace it, "
                f"or remove the row.' AS suggestion FROM {raw} r "
                f"JOIN {existing_incidents} i ON i.incident_id = r.{ident} "
                f"GROUP BY r.line, r.{ident}"
            )
        return queries

    def _figure_queries(self) -> list[str]:
        """Figures for periods given twice; and how many rows are parts of another's."""
        if self.kind != "incidents" or self.granularity in (None, "day"):
            return []
        count, problems = figures.repeated_figures_sql(
            self.raw.table, self.source["date"], self.source["crime_type"]
        )
        if self.con.execute(count).fetchall()[0][0]:
            return [problems]
        self._parts = int(self.con.execute(figures.parts_sql()).fetchall()[0][0])
        return []

    def _flow_key_queries(self) -> list[str]:
        # A flow's revision key is country × crossing point × day (threatmon.store.revisions):
        # two rows of one key in a file would be summed by every read, one of them wrongly.
        if self.kind != "flows":
            return []
        # Only rows without a problem of their own: an unresolved crossing point is NULL
        # like a country total, and would pair with one.
        readable = "s.problem_cells = 0"
        repeated = self.con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM staged s WHERE {readable} "
            f"GROUP BY s.country, s.crossing_point, s.date HAVING count(*) > 1)"
        ).fetchall()[0][0]
        if not repeated:
            return []
        return [
            f"SELECT line, 'date' AS col, value, "
            f"'The same country, crossing point and day as line ' || first_line || '.' "
            f"AS reason, '{REPEATED_KEY_HINT}' AS suggestion FROM ("
            f"SELECT s.line, r.{self.source['date']}::VARCHAR AS value, "
            f"min(s.line) OVER (PARTITION BY s.country, s.crossing_point, s.date) AS first_line "
            f"FROM staged s JOIN {self.raw.table} r ON r.line = s.line WHERE {readable}) "
            f"WHERE line > first_line"
        ]

    # -- output -------------------------------------------------------------------------------

    def preview(self, rows: int) -> pd.DataFrame:
        """The first rows as they will be stored (with their file line)."""
        names = ", ".join(self.columns)
        return self.con.execute(
            f"SELECT line, {names} FROM staged ORDER BY line LIMIT {int(rows)}"
        ).df()

    def row_count(self) -> int:
        """Rows that pass (the file's rows less the entirely empty ones)."""
        if self._rows is not None:
            return int(self._rows)
        return int(self.con.execute("SELECT count(*) FROM staged").fetchall()[0][0])

    @property
    def parts(self) -> int:
        """Rows added into another row of the same figure when stored (categories that
        share a crime type), once :meth:`problems` has looked."""
        return self._parts

    def drop_inputs(self) -> None:
        """Drop the raw cells and the lookup tables, keeping ``staged`` (:meth:`rows`): a
        large file's cells are most of the memory the check holds."""
        drop_table(self.con, self.raw.table)
        for name in (*self._lookups, "staged_checks"):
            self.con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
        self._lookups = []

    def rows(self) -> duckdb.DuckDBPyRelation:
        """The rows to store in contract columns, as a relation of the checking connection:
        the staged rows, with the parts of one figure added up."""
        sql = f"SELECT {', '.join(self.columns)} FROM staged"
        if self._parts:
            sql = figures.summed_sql(self.columns)
        return self.con.sql(sql)

    def arrow_stream(self):
        """:meth:`rows` as a stream of Arrow record batches (for another connection)."""
        return self.rows().to_arrow_reader(1 << 17)
