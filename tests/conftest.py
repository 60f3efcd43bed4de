"""Fixtures shared by the dashboard tests: one small demo store per test session, a server,
and the real browser (Playwright driving Debian's chromium) for the tests that need one.

The helpers are fixtures: test modules cannot import this file by name.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from data_loaders.demo import DemoSettings, build_demo_store
from devtools.chromium import CHROMIUM_ARGS
from tests.factories import BACKENDS, random_incidents

# Pages would start a refresh of all forecasts in a background process for every store a
# test opens; tests that need the forecasts of all series build them themselves.
os.environ.setdefault("THREATMON_BACKGROUND_FORECASTS", "0")

#: Fixtures that start Debian's chromium, or a PostgreSQL cluster, for the test using them.
BROWSER_FIXTURES = {"browser"}
POSTGRES_FIXTURES = {"postgres_server"}


def pytest_collection_modifyitems(items):
    """Mark what a test needs from the machine by the fixtures it uses, so that the marks
    cannot drift from the tests: ``make test-fast`` leaves out browser and postgres tests.
    Tests that pick a backend by parameter carry the mark on the parameter instead
    (tests/factories.py ``BACKENDS``)."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & POSTGRES_FIXTURES:
            item.add_marker(pytest.mark.postgres)


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


@pytest.fixture(autouse=True)
def nothing_kept_from_other_tests(request):
    """Each test that reads the session's demo store starts with nothing kept beside it
    (threatmon.store.kept): what another test's server derived is not this test's."""
    if "demo_store_path" in request.fixturenames:
        path = request.getfixturevalue("demo_store_path")
        shutil.rmtree(path.with_name(path.name + ".kept"), ignore_errors=True)


@pytest.fixture
def store_copy(demo_store_path, tmp_path, monkeypatch):
    """A private copy of the session's demo store, set as $THREATMON_DB (tests that write)."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, path)
    monkeypatch.setenv("THREATMON_DB", str(path))
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
    stopped on exit. Its output goes to a file, printed if it does not start: a pipe
    nobody reads blocks the server once 64 KB of log lines fill it."""
    port = port or _free_port()
    log = tempfile.TemporaryFile(mode="w+", prefix="threatmon-server-")
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
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group: a forecast refresh it started stops with it.
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if _get(f"{base}/_stcore/health") == (200, "ok"):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                log.seek(0)
                pytest.fail(f"server did not start:\n{log.read()}")
            time.sleep(0.3)
        yield base
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL to the whole group if it has not ended within 20 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


@pytest.fixture
def server(demo_store_path):
    """A dashboard server on the session's demo store, stopped after the test."""
    with running_server(demo_store_path) as base:
        yield base


@pytest.fixture(scope="session")
def start_server():
    """``start_server(db_path, port=None, **env)``: a context manager running a dashboard
    server (session scope, so module fixtures can start servers too)."""
    return running_server


@pytest.fixture
def free_port():
    """``free_port()``: a loopback port nobody listens on (for a server's own settings)."""
    return _free_port


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL cluster for this test process (see devtools/local_postgres.py)."""
    from devtools.local_postgres import running_cluster

    with running_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_demo_template(postgres_server):
    """The name of a database holding the small demo store (as ``demo_store_path``),
    built once per test process, to be copied by ``postgres_demo_url``."""
    import psycopg

    from devtools.local_postgres import database_url
    from threatmon.store.postgres import close_readers

    name = "demo_template"
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    url = database_url(postgres_server, name)
    build_demo_store(url, DemoSettings(seed=7, scale=0.02))
    close_readers(url)  # a template must have no open connections
    return name


@pytest.fixture
def postgres_demo_url(postgres_server, postgres_demo_template, request):
    """The URL of a private copy of the small demo store on PostgreSQL, dropped after."""
    from devtools.local_postgres import scratch_database

    with scratch_database(postgres_server, request.node.name, postgres_demo_template) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server, request):
    """The URL of a new, empty database for this test alone, dropped after it."""
    from devtools.local_postgres import scratch_database

    with scratch_database(postgres_server, request.node.name) as url:
        yield url


# -- the real browser --------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Streamlit's own tiny SVG/favicon requests and data: URLs stay local by construction.
LOCAL_SCHEMES = {"data", "blob", "about", "file", "chrome-extension"}


def outside(requests: list[str]) -> list[str]:
    """The requested URLs that left the machine (any host but 127.0.0.1)."""
    found = []
    for url in requests:
        parsed = urlparse(url)
        if parsed.scheme in LOCAL_SCHEMES:
            continue
        if parsed.hostname not in ("127.0.0.1",):
            found.append(url)
    return found


def dismiss_page_not_found(page) -> None:
    """Close Streamlit's spurious "Page not found" dialog if it is up."""
    # Streamlit bug #9992: the first session of a fresh server opened on a page other
    # than the default gets a "Page not found" dialog over the (correct) page.
    dialog = page.get_by_role("dialog")
    if dialog.count() and "Page not found" in dialog.first.inner_text():
        page.keyboard.press("Escape")
        dialog.first.wait_for(state="hidden", timeout=10_000)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, shared by the tests of one module."""
    # Imported here: most of the suite never opens a browser.
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield browser
        browser.close()


@pytest.fixture
def leaving():
    """``leaving(requests)``: the URLs among ``requests`` that left the machine."""
    return outside


@pytest.fixture
def dismiss_dialog():
    """``dismiss_dialog(page)``: close Streamlit's spurious "Page not found" dialog."""
    return dismiss_page_not_found


# The store suites' inputs and backends.


@pytest.fixture(params=BACKENDS)
def store_location(request, tmp_path):
    """Where a new store goes, on each backend in turn: a DuckDB file path, or the URL
    of an empty PostgreSQL database."""
    if request.param == "duckdb":
        return tmp_path / "store.duckdb"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_location(request, tmp_path_factory):
    """Like ``store_location``, shared by the tests of one module."""
    if request.param == "duckdb":
        yield tmp_path_factory.mktemp("store") / "store.duckdb"
        return
    from devtools.local_postgres import scratch_database

    with scratch_database(
        request.getfixturevalue("postgres_server"), request.module.__name__.rsplit(".")[-1]
    ) as url:
        yield url


@pytest.fixture
def make_incidents():
    """Factory for valid random incident frames."""
    return random_incidents


@pytest.fixture
def incidents_few():
    """Three hand-written incidents in two Moldovan regions."""
    return pd.DataFrame(
        {
            "date": ["2024-01-05", "2024-01-20", "2024-02-03"],
            "country": ["MD", "MD", "MD"],
            "region_code": ["MD-CA", "MD-CA", "MD-CU"],
            "crime_type": ["migrant_smuggling", "migrant_smuggling", "drug_trafficking"],
            "count": [1, 2, 5],
        }
    )
