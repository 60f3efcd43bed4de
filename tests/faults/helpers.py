"""Helpers of the fault tests: what "unchanged" and "left behind" mean, other processes,
and the Upload page's two actions. Fixtures are in this folder's conftest.py."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard.py"
UPLOAD_PAGE = "pages/upload.py"
# Two valid incidents; a different count in the last row makes each variant a new file.
GOOD = "date,region,crime,count\n2026-01-05,Cahul,cbrne,1\n2026-01-06,Bălți,cybercrime,{n}\n"
TABLES = (
    "incidents",
    "incidents_monthly",
    "flows",
    "batches",
    "audit",
    "meta",
    "column_mappings",
    "schema_migrations",
)


def good_csv(n: int = 2) -> bytes:
    """A valid two-row incidents file (``n`` in its last count)."""
    return GOOD.format(n=n).encode()


def fingerprint(path: Path) -> dict:
    """What "the store is unchanged" means: the same file (inode and bytes), and the same
    rows in every table (count and a hash of the sorted rows)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS s (READ_ONLY)", [str(path)])
        tables = {
            table: con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) "
                f"FROM (SELECT CAST(t AS VARCHAR) AS r FROM s.{table} t)"
            ).fetchone()
            for table in TABLES
        }
        batches = con.execute(
            "SELECT batch_id, status, rows_loaded FROM s.batches ORDER BY batch_id"
        ).fetchall()
    finally:
        con.close()
    return {"inode": path.stat().st_ino, "sha256": digest, "tables": tables, "batches": batches}


def leftovers(path: Path) -> list[str]:
    """Files beside the store that a finished or failed write should not leave (a copy
    being written, a WAL); the lock file stays by design (an empty file, locked by
    ``flock``, which the kernel releases when its holder dies), and so do the readers'
    caches (the coverage cells, the forecasts), each keyed by the store's version."""
    kept = {path.name + suffix for suffix in (".lock", ".kept", ".forecasts")}
    return sorted(
        p.name for p in path.parent.glob(path.name + ".*") if p.name not in kept and p != path
    )


@contextlib.contextmanager
def child(script: str, ready: str, env: dict | None = None):
    """Run ``script`` in another Python process until it prints ``ready``; SIGKILL it on
    exit (if still alive). Yields the process."""
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    try:
        line = process.stdout.readline().strip()
        if line != ready:
            process.kill()
            pytest.fail(f"child said {line!r}, not {ready!r}:\n{process.stderr.read()}")
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()


def drop(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    """Put ``data`` as ``name`` on the Upload page's file uploader and rerun."""
    from ui import upload as up

    at.file_uploader(key=up.KEY_FILE).set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


def load(at: AppTest) -> AppTest:
    """Press "Load into the store"."""
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def pg_fingerprint(url: str) -> dict:
    """ "Unchanged" for a PostgreSQL store: the same rows in every table (count and a hash
    of the sorted rows), the same batches, the same generation."""
    import psycopg

    with psycopg.connect(url) as con:
        tables = {
            table: con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), "
                f"'')) FROM {table} t"
            ).fetchone()
            for table in TABLES
        }
        batches = con.execute(
            "SELECT batch_id, status, rows_loaded FROM batches ORDER BY batch_id"
        ).fetchall()
    return {"tables": tables, "batches": batches}
