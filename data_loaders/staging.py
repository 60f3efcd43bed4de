"""The typed ``staged`` table of one raw file, and every problem in it, built in DuckDB.

Each contract column's *distinct* raw values are resolved in Python by
:mod:`data_loaders.normalise` into small lookup tables (a 10M-row file has a few
hundred distinct region names and dates); one join of the raw table with them gives
the typed rows, and one UNION of small queries lists every problem with its line,
column, value, reason and suggestion.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_loaders import normalise
from data_loaders.contract import EARLIEST_DATE, FLOW_COLUMNS, INCIDENT_COLUMNS, LATEST_DATE
from data_loaders.errors import Problem
from data_loaders.mapping import ColumnMapping, contract_columns
from data_loaders.readers import RawTable
from data_loaders.store import Store

_NUMBER_MINIMUM = {"count": 1, "victims": 0, "suspects": 0, "arrivals": 0, "departures": 0}
_COORDINATES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


class Staging:
    """Builds the typed ``staged`` table and finds the problems of one raw table."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        raw: RawTable,
        mapping: ColumnMapping,
        *,
        kind: str,
        max_problems: int,
    ):
        self.con = con
        self.raw = raw
        self.kind = kind
        self.max_problems = max_problems
        position = {name: i for i, name in enumerate(raw.columns)}
        self.source = {dst: f"c{position[src]}" for src, dst in mapping.columns.items()}
        self.required, _ = contract_columns(self.kind)
        self.columns = INCIDENT_COLUMNS if self.kind == "incidents" else FLOW_COLUMNS
        self._lookups: list[str] = []

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
        self._register(
            name,
            pd.DataFrame(
                {
                    "raw": pd.Series(list(resolutions), dtype="string"),
                    "value": pd.Series([r.value for r in resolutions.values()], dtype="string"),
                    "reason": pd.Series([r.reason for r in resolutions.values()], dtype="string"),
                    "suggestion": pd.Series(
                        [r.suggestion for r in resolutions.values()], dtype="string"
                    ),
                }
            ),
        )

    def build(self) -> str | None:
        """Create the lookup tables and ``staged``; return the file's date convention."""
        date_format = None
        convention, contradictions = normalise.detect_date_convention(self._distinct("date"))
        parsed = normalise.parse_dates(self._distinct("date"), convention)
        date_format = convention.name
        self._register(
            "date_map",
            pd.DataFrame(
                {
                    "raw": pd.Series(list(parsed), dtype="string"),
                    "value": pd.to_datetime(pd.Series(list(parsed.values()), dtype="object")),
                    "reason": pd.Series(
                        [
                            contradictions.get(raw)
                            or (
                                None
                                if value is not None
                                else "Not a valid date under the file's convention "
                                f"({convention.name})."
                            )
                            for raw, value in parsed.items()
                        ],
                        dtype="string",
                    ),
                }
            ),
        )
        if "country" in self.source:
            self._resolution_table(
                "country_map", normalise.resolve_countries(self._distinct("country"))
            )
        if "region_code" in self.source:
            self._region_map()
        if "crime_type" in self.source:
            self._resolution_table(
                "crime_map", normalise.resolve_crime_types(self._distinct("crime_type"))
            )
        for column in _NUMBER_MINIMUM:
            if column in self.source:
                self._number_map(column)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {self._staged_sql()}")
        return date_format

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
        resolutions = normalise.resolve_regions(pairs)
        self._register(
            "region_map",
            pd.DataFrame(
                {
                    "raw": pd.Series([raw for raw, _ in resolutions], dtype="string"),
                    "country": pd.Series([c for _, c in resolutions], dtype="string"),
                    "value": pd.Series([r.value for r in resolutions.values()], dtype="string"),
                    "reason": pd.Series([r.reason for r in resolutions.values()], dtype="string"),
                    "suggestion": pd.Series(
                        [r.suggestion for r in resolutions.values()], dtype="string"
                    ),
                }
            ),
        )

    def _number_map(self, column: str) -> None:
        values = self._distinct(column)
        parsed = {raw: normalise.parse_count(raw) for raw in values}
        minimum = _NUMBER_MINIMUM[column]
        reasons = {}
        for raw, (number, reason) in parsed.items():
            if reason is None and number is not None and number < minimum:
                reason = f"Value is below {minimum}."
            reasons[raw] = reason
        self._register(
            f"{column}_map",
            pd.DataFrame(
                {
                    "raw": pd.Series(values, dtype="string"),
                    "value": pd.Series(
                        [None if reasons[v] else parsed[v][0] for v in values], dtype="Int64"
                    ),
                    "reason": pd.Series([reasons[v] for v in values], dtype="string"),
                }
            ),
        )

    def _staged_sql(self) -> str:
        raw = self.raw.table
        select = ["r.line"]
        joins = []
        src = self.source
        select.append("d.value::DATE AS date")
        joins.append(f"LEFT JOIN date_map d ON d.raw = r.{src['date']}")
        if self.kind == "incidents":
            if "country" in src:
                joins.append(f"LEFT JOIN country_map cm ON cm.raw = r.{src['country']}")
                country = "cm.value"
            else:
                country = "NULL"
            joins.append(
                f"LEFT JOIN region_map rm ON rm.raw = r.{src['region_code']} AND "
                f"rm.country IS NOT DISTINCT FROM {country}"
            )
            # Without a country column the region decides it (codes start with ISO2).
            select.append(
                f"coalesce({country}, substr(rm.value, 1, 2)) AS country"
                if country == "NULL"
                else f"{country} AS country"
            )
            select.append("rm.value AS region_code")
            joins.append(f"LEFT JOIN crime_map ct ON ct.raw = r.{src['crime_type']}")
            select.append("ct.value AS crime_type")
        else:
            joins.append(f"LEFT JOIN country_map cm ON cm.raw = r.{src['country']}")
            select.append("cm.value AS country")
        for column in self.columns:
            if column in ("date", "country", "region_code", "crime_type"):
                continue
            if column in _NUMBER_MINIMUM:
                if column in src:
                    joins.append(
                        f"LEFT JOIN {column}_map n_{column} ON n_{column}.raw = r.{src[column]}"
                    )
                    select.append(f"n_{column}.value::BIGINT AS {column}")
                else:
                    select.append(f"NULL::BIGINT AS {column}")
            elif column in _COORDINATES:
                select.append(
                    f"{self._coordinate(column)} AS {column}"
                    if column in src
                    else f"NULL::DOUBLE AS {column}"
                )
            else:
                select.append(
                    f"r.{src[column]} AS {column}"
                    if column in src
                    else f"NULL::VARCHAR AS {column}"
                )
        return f"SELECT {', '.join(select)} FROM {raw} r {' '.join(joins)}"

    def _coordinate(self, column: str) -> str:
        value = f"r.{self.source[column]}"
        # Semicolon-separated files from Excel in this region write decimal commas.
        return f"TRY_CAST(replace({value}, ',', '.') AS DOUBLE)"

    # -- problems -----------------------------------------------------------------------------

    def problems(self, store: Store | None) -> tuple[list[Problem], int]:
        """Every problem (up to ``max_problems`` listed) and the total count."""
        queries = self._problem_queries(store)
        if not queries:
            return [], 0
        union = " UNION ALL ".join(f"({q})" for q in queries)
        total = int(self.con.execute(f"SELECT count(*) FROM ({union})").fetchall()[0][0])
        if total == 0:
            return [], 0
        rows = self.con.execute(
            f"SELECT line, col, value, reason, suggestion FROM ({union}) "
            f"ORDER BY line, col LIMIT {int(self.max_problems)}"
        ).fetchall()
        return [
            Problem(int(line) if line is not None else None, col, value, reason, suggestion)
            for line, col, value, reason, suggestion in rows
        ], total

    def _problem_queries(self, store: Store | None) -> list[str]:
        raw, src = self.raw.table, self.source
        queries = []

        def q(
            column: str, value: str, reason: str, suggestion: str, where: str, join: str = ""
        ) -> None:
            queries.append(
                f"SELECT r.line, '{column}' AS col, {value}::VARCHAR AS value, "
                f"{reason}::VARCHAR AS reason, {suggestion}::VARCHAR AS suggestion "
                f"FROM {raw} r {join} WHERE {where}"
            )

        for column in self.required:
            if column in src:
                q(column, "NULL", "'Value is missing.'", "NULL", f"r.{src[column]} IS NULL")
        date = src["date"]
        q(
            "date",
            f"r.{date}",
            "m.reason",
            "NULL",
            "m.value IS NULL",
            f"JOIN date_map m ON m.raw = r.{date}",
        )
        q(
            "date",
            f"r.{date}",
            f"'Date is outside {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d}.'",
            "NULL",
            f"m.value < TIMESTAMP '{EARLIEST_DATE}' OR m.value > TIMESTAMP '{LATEST_DATE}'",
            f"JOIN date_map m ON m.raw = r.{date}",
        )
        if "country" in src:
            q(
                "country",
                f"r.{src['country']}",
                "m.reason",
                "m.suggestion",
                "m.value IS NULL",
                f"JOIN country_map m ON m.raw = r.{src['country']}",
            )
        if self.kind == "incidents":
            region = src["region_code"]
            country_join, country = "", "NULL"
            if "country" in src:
                country_join = f"LEFT JOIN country_map cm ON cm.raw = r.{src['country']} "
                country = "cm.value"
            q(
                "region_code",
                f"r.{region}",
                "m.reason",
                "m.suggestion",
                "m.value IS NULL",
                f"{country_join}JOIN region_map m ON m.raw = r.{region} AND "
                f"m.country IS NOT DISTINCT FROM {country}",
            )
            crime = src["crime_type"]
            q(
                "crime_type",
                f"r.{crime}",
                "m.reason",
                "m.suggestion",
                "m.value IS NULL",
                f"JOIN crime_map m ON m.raw = r.{crime}",
            )
        for column in _NUMBER_MINIMUM:
            if column in src:
                q(
                    column,
                    f"r.{src[column]}",
                    "m.reason",
                    "NULL",
                    "m.reason IS NOT NULL",
                    f"JOIN {column}_map m ON m.raw = r.{src[column]}",
                )
        for column, (low, high) in _COORDINATES.items():
            if column in src:
                value = self._coordinate(column)
                q(
                    column,
                    f"r.{src[column]}",
                    "'Value is not a number.'",
                    "NULL",
                    f"r.{src[column]} IS NOT NULL AND {value} IS NULL",
                )
                q(
                    column,
                    f"r.{src[column]}",
                    f"'Value is outside {low:g} to {high:g}.'",
                    "NULL",
                    f"{value} < {low} OR {value} > {high}",
                )
        if "incident_id" in src:
            ident = src["incident_id"]
            queries.append(
                f"SELECT line, 'incident_id' AS col, value::VARCHAR AS value, "
                f"'incident_id appears more than once in this file (first on line ' "
                f"|| first_line || ').' AS reason, NULL::VARCHAR AS suggestion FROM ("
                f"SELECT r.line, r.{ident} AS value, min(r.line) OVER (PARTITION BY r.{ident}) "
                f"AS first_line FROM {raw} r WHERE r.{ident} IN (SELECT {ident} FROM {raw} "
                f"WHERE {ident} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)) "
                f"WHERE line > first_line"
            )
            if store is not None and self.kind == "incidents":
                self.con.execute("ATTACH IF NOT EXISTS ? AS live (READ_ONLY)", [str(store.path)])
                queries.append(
                    f"SELECT r.line, 'incident_id' AS col, r.{ident}::VARCHAR AS value, "
                    f"'incident_id is already loaded in batch ' || min(i.batch_id) || '.' "
                    f"AS reason, 'Undo batch ' || min(i.batch_id) || ' first to replace it, "
                    f"or remove the row.' AS suggestion FROM {raw} r "
                    f"JOIN live.incidents i ON i.incident_id = r.{ident} GROUP BY r.line, "
                    f"r.{ident}"
                )
        return queries

    # -- output -------------------------------------------------------------------------------

    def preview(self, rows: int) -> pd.DataFrame:
        """The first rows as they will be stored (with their file line)."""
        return self.con.execute(f"SELECT * FROM staged ORDER BY line LIMIT {int(rows)}").df()

    def arrow_stream(self):
        """The staged rows in contract columns, as a stream of Arrow record batches."""
        names = ", ".join(self.columns)
        return self.con.sql(f"SELECT {names} FROM staged").to_arrow_reader(1 << 17)
