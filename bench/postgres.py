"""The same store on both backends: `python -m bench.postgres [--scale 2] [--repeat 5]`.

Builds the demo at ``--scale`` into a DuckDB file and into a PostgreSQL database, then
times the read and write paths the pages and the CLI use on each, in the same run, and
prints PostgreSQL's time as a ratio of DuckDB's. Without ``--url`` a throwaway cluster
is started from Debian's server binaries (``devtools.local_postgres``; fsync off, so
its writes are faster than a production server's).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import psycopg

from bench.common import CACHE_DIR, median_seconds
from data_loaders.demo import DemoSettings, build_demo_store
from data_loaders.ingest import ingest_file
from threatmon.disclosure.sensitive import SENSITIVE_TYPES
from threatmon.filters import Filters
from threatmon.store.postgres import close_readers, redact
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

SEED = 20260224


@contextlib.contextmanager
def _database(url: str | None) -> Iterator[str]:
    """A fresh database: on the server of ``url``, or on a throwaway local cluster."""
    from devtools.local_postgres import running_cluster, scratch_database

    with contextlib.ExitStack() as stack:
        server = url or stack.enter_context(running_cluster())
        yield stack.enter_context(scratch_database(server, "bench"))


def _extract(end, rows: int, folder: Path) -> Path:
    """A clean CSV extract of ``rows`` incidents in the store's last month."""
    days = pd.date_range(pd.Timestamp(end) - pd.Timedelta(days=27), periods=28, freq="D")
    frame = pd.DataFrame(
        {
            "date": [days[i % len(days)].date().isoformat() for i in range(rows)],
            "country": ["MD"] * rows,
            "region_code": ["MD-CA", "MD-CU", "MD-BA", "MD-ST"] * (rows // 4)
            + ["MD-CA"] * (rows % 4),
            "crime_type": ["migrant_smuggling", "drug_trafficking"] * (rows // 2)
            + ["cbrne"] * (rows % 2),
            "count": [1 + i % 3 for i in range(rows)],
            "incident_id": [f"BENCH-{time.time_ns()}-{i}" for i in range(rows)],
        }
    )
    path = folder / f"extract-{rows}.csv"
    frame.to_csv(path, index=False)
    return path


def _cases(store: Store) -> dict[str, Callable[[], object]]:
    end = store.coverage()["last"]
    two_years = Filters(start=(pd.Timestamp(end) - pd.DateOffset(years=2, days=-1)).date(), end=end)
    year = Filters(start=(pd.Timestamp(end) - pd.DateOffset(years=1, days=-1)).date(), end=end)
    viewer = Store(store.location, withheld=SENSITIVE_TYPES)
    scoped = Store(store.location, scope=("MD",))
    by_region = ("country", "region_code", "crime_type")
    return {
        "version check (every rerun)": lambda: store.version,
        "overview: 2 years by region × type, monthly (rollup)": lambda: store.aggregate(
            two_years, by=by_region, freq="M"
        ),
        "  the same for a viewer (sensitive types withheld)": lambda: viewer.aggregate(
            two_years, by=by_region, freq="M"
        ),
        "  the same for an MD-scoped analyst": lambda: scoped.aggregate(
            two_years, by=by_region, freq="M"
        ),
        "weekly totals by country, all years (base table)": lambda: store.aggregate(
            Filters(), by=("country",), freq="W"
        ),
        "map heat points, last 12 months": lambda: store.points(year),
        "crossing points, last 12 months": lambda: store.aggregate(
            year, by=("crossing_point",), freq=None
        ),
        "export of MD incidents, last 12 months": lambda: store.incidents(
            Filters(countries=("MD",), start=year.start, end=end)
        ),
        "loads table": lambda: store.batches(),
    }


def _writes(location, end, folder: Path, rows: int) -> dict[str, float]:
    extract = _extract(end, rows, folder)
    started = time.perf_counter()
    result = ingest_file(extract, user="bench", db=location)
    loaded = time.perf_counter() - started
    assert result.status == "loaded", result.message
    started = time.perf_counter()
    with write_session(location, user="bench") as writer:
        writer.undo(result.batch_id)
    undone = time.perf_counter() - started
    return {f"ingest of a {rows:,}-row CSV": loaded, f"undo of that {rows:,}-row batch": undone}


def run(scale: float, repeat: int, url: str | None = None) -> dict:
    """Median timings on both backends; the PostgreSQL database is dropped afterwards."""
    settings = DemoSettings(seed=SEED, scale=scale)
    results: dict = {"scale": scale, "cases": {}}
    with tempfile.TemporaryDirectory(prefix="threatmon-bench-") as scratch, _database(url) as pg:
        folder = Path(scratch)
        duck = folder / "store.duckdb"
        built = {}
        for name, location in (("duckdb", duck), ("postgresql", pg)):
            summary = build_demo_store(location, settings)
            built[name] = summary["write_seconds"]
        results["rows"] = summary["rows"]
        results["cases"]["demo store written (rows already generated)"] = built
        stores = {"duckdb": Store(duck), "postgresql": Store(pg)}
        cases = {name: _cases(store) for name, store in stores.items()}
        for case in cases["duckdb"]:
            timing = {}
            for name in stores:
                cases[name][case]()  # warm: open the connection or pool outside the timing
                timing[name] = median_seconds(cases[name][case], repeat)
            results["cases"][case] = timing
        end = stores["duckdb"].coverage()["last"]
        for rows in (1_000, 50_000):
            writes = {
                name: _writes(store.location, end, folder, rows) for name, store in stores.items()
            }
            for case in writes["duckdb"]:
                results["cases"][case] = {name: writes[name][case] for name in writes}
        results["postgresql"] = redact(pg)
        with psycopg.connect(pg) as con:
            results["postgresql_size_mb"] = round(
                con.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
            )
        results["duckdb_size_mb"] = round(duck.stat().st_size / 2**20)
        close_readers(pg)
    return results


def report(results: dict) -> list[str]:
    """The table printed by the command."""
    lines = [
        f"scale {results['scale']:g}: {results['rows']:,} incident rows; "
        f"DuckDB file {results['duckdb_size_mb']} MB, PostgreSQL database "
        f"{results['postgresql_size_mb']} MB",
        f"{'case':<56} {'DuckDB':>10} {'PostgreSQL':>11} {'ratio':>7}",
    ]
    for case, timing in results["cases"].items():
        duck, pg = timing["duckdb"], timing["postgresql"]
        lines.append(
            f"{case:<56} {_time(duck):>10} {_time(pg):>11} {pg / duck if duck else 0:>6.1f}×"
        )
    return lines


def _time(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.postgres")
    parser.add_argument("--scale", type=float, default=2.0, help="demo scale (2 ≈ 1M rows)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per read (median)")
    parser.add_argument(
        "--url",
        help="a PostgreSQL server to create the bench database on (default: a throwaway "
        "local cluster)",
    )
    args = parser.parse_args()
    results = run(args.scale, args.repeat, args.url)
    print("\n".join(report(results)))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    out = CACHE_DIR / f"postgres-{args.scale:g}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
