"""Validated ingest of a large CSV against DuckDB's raw `read_csv` of the same file.

Targets (issue 3): ≤ 2× the raw read, peak memory ≤ 2 GB at 10M rows. The ingest runs
in a child process so that its peak RSS is its own; the raw read runs in another
child so both pay the same interpreter start-up.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import CACHE_DIR
from threatmon.store.reader import Store

_RAW = """
import json, resource, sys, time
import duckdb
started = time.perf_counter()
con = duckdb.connect(":memory:")
con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?)", [sys.argv[1]])
rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# The same raw read written to a DuckDB *file*: what persisting costs before anything
# is checked (compression and writing row groups), the floor under any store load.
_RAW_TO_FILE = """
import json, resource, sys, time
import duckdb
started = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?)", [sys.argv[1]])
con.execute("CHECKPOINT")
rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_INGEST = """
import json, resource, sys, time
from data_loaders.ingest import ingest_file
from data_loaders.readers import ReadLimits
from data_loaders.ingest import IngestOptions
started = time.perf_counter()
result = ingest_file(sys.argv[1], user="bench", db=sys.argv[2],
                     options=IngestOptions(limits=ReadLimits(max_bytes=10 * 1024**3)))
assert result.status == "loaded", result.message
print(json.dumps({"seconds": time.perf_counter() - started, "rows": result.rows_loaded,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def extract_csv(store: Store) -> Path:
    """The store's incidents as one CSV file (contract columns), written once and cached."""
    path = CACHE_DIR / f"{store.location.file.stem}-incidents.csv"
    if not path.exists():
        columns = (
            "date, country, region_code, crime_type, count, crossing_point, latitude, "
            "longitude, victims, suspects, source, incident_id"
        )
        store.query(f"COPY (SELECT {columns} FROM incidents) TO '{path}' (HEADER)")
    return path


def _child(code: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(store: Store) -> dict:
    """Raw read and validated ingest (into an empty store) of the same CSV."""
    csv = extract_csv(store)
    raw = _child(_RAW, str(csv))
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as scratch:
        to_file = _child(_RAW_TO_FILE, str(csv), str(Path(scratch) / "raw.duckdb"))
        ingest = _child(_INGEST, str(csv), str(Path(scratch) / "store.duckdb"))
    return {
        "csv_mb": csv.stat().st_size / 1e6,
        "rows": raw["rows"],
        "raw_s": raw["seconds"],
        "raw_peak_mb": raw["peak_mb"],
        "ingest_s": ingest["seconds"],
        "ingest_peak_mb": ingest["peak_mb"],
        "raw_to_file_s": to_file["seconds"],
        "ratio": ingest["seconds"] / raw["seconds"],
        "ratio_to_file": ingest["seconds"] / to_file["seconds"],
    }
