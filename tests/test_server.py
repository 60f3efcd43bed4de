"""`streamlit run dashboard.py` really serves: the process starts and answers on loopback."""

import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


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
