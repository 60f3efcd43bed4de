"""Fixtures shared by the dashboard tests: one small demo store per test session, a server."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from data_loaders.demo import DemoSettings, build_demo_store

# Pages would start a refresh of all forecasts in a background process for every store a
# test opens; tests that need the forecasts of all series build them themselves.
os.environ.setdefault("THREATMON_BACKGROUND_FORECASTS", "0")


@pytest.fixture(autouse=True)
def private_accounts(tmp_path, monkeypatch):
    """Each test gets its own (initially absent) accounts file, wherever its store is.

    Without this, an account added by one test beside the shared demo store would make
    every later test ask for a sign-in.
    """
    path = tmp_path / "accounts.sqlite"
    monkeypatch.setenv("THREATMON_ACCOUNTS", str(path))
    return path


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory):
    """A small demo store (seed 7, 2 % of the default size), built once per test session."""
    path = tmp_path_factory.mktemp("store") / "demo.duckdb"
    build_demo_store(path, DemoSettings(seed=7, scale=0.02))
    return path


ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@contextlib.contextmanager
def running_server(db_path, port: int | None = None, **env):
    """A dashboard server on ``port`` (default: a free loopback port) for ``db_path``;
    stopped on exit."""
    port = port or _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={**os.environ, "THREATMON_DB": str(db_path), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(f"{base}/_stcore/health") == (200, "ok"):
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"server did not start:\n{process.stdout.read()}")
        time.sleep(0.3)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def server(demo_store_path):
    """A dashboard server on the session's demo store, stopped after the test."""
    with running_server(demo_store_path) as base:
        yield base


@pytest.fixture
def start_server():
    """``start_server(db_path, port=None, **env)``: a context manager running a dashboard
    server."""
    return running_server


@pytest.fixture
def free_port():
    """``free_port()``: a loopback port nobody listens on (for a server's own settings)."""
    return _free_port


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL cluster for this test process (see tests/postgres_cluster.py)."""
    from tests.postgres_cluster import running_cluster

    with running_cluster() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server, request):
    """The URL of a new, empty database for this test alone, dropped after it."""
    import re
    import uuid

    import psycopg

    from tests.postgres_cluster import database_url

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield database_url(postgres_server, name)
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
