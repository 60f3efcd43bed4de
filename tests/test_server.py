"""`streamlit run dashboard.py` really serves: the process starts and answers on loopback."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.fixture
def server(demo_store_path):
    """A dashboard server on a free loopback port, stopped after the test."""
    port = _free_port()
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
        env={**os.environ, "THREATMON_DB": str(demo_store_path)},
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
    yield base
    process.terminate()
    process.wait(timeout=20)


def test_the_dashboard_is_served(server):
    status, html = _get(server + "/")
    assert status == 200
    assert '<div id="root">' in html or 'id="root"' in html


def test_streamlit_is_configured_to_stay_offline():
    """Usage statistics and the welcome message's public-IP lookup would reach the internet."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["logger"]["hideWelcomeMessage"] is True
    assert config["server"]["enableXsrfProtection"] is True
