"""`Store.aggregate()` against the same SQL run raw on a DuckDB connection (target ≤ 1.5×)."""

from __future__ import annotations

import duckdb

from bench.common import median_seconds
from threatmon.filters import Filters
from threatmon.store.reader import Store

# Queries the pages make: overview (rollup), a filtered country view (rollup), a weekly
# view that needs the base table, and a mid-month window (base table).
CASES = {
    "overview: region×crime×month, 3 years": (
        Filters(start="2023-11-01", end="2026-10-31"),
        ("region_code", "crime_type"),
        "M",
    ),
    "MD+UA migrant smuggling by region, month": (
        Filters(countries=["MD", "UA"], crime_types=["migrant_smuggling"]),
        ("region_code",),
        "M",
    ),
    "weekly by crime type, 1 year (base table)": (
        Filters(start="2025-11-01", end="2026-10-31"),
        ("crime_type",),
        "W",
    ),
    "mid-month window by country (base table)": (
        Filters(start="2026-03-15", end="2026-09-14"),
        ("country",),
        "M",
    ),
}


def run(store: Store, repeat: int) -> list[dict]:
    """Time every case both ways; return one row per case."""
    raw = duckdb.connect(str(store.location.file), read_only=True)
    rows = []
    try:
        for name, (filters, by, freq) in CASES.items():
            # The very SQL the store runs (fitted to what it holds).
            sql, params = store.aggregate_sql(filters, by, freq)

            def through_api(filters=filters, by=by, freq=freq):
                return store.aggregate(filters, by=by, freq=freq)

            def raw_sql(sql=sql, params=params):
                return raw.execute(sql, params).df()

            through_api(), raw_sql()  # warm both: file pages and the connection
            api = median_seconds(through_api, repeat)
            baseline = median_seconds(raw_sql, repeat)
            rows.append(
                {
                    "case": name,
                    "aggregate_ms": api * 1000,
                    "raw_duckdb_ms": baseline * 1000,
                    "ratio": api / baseline,
                }
            )
    finally:
        raw.close()
    return rows
