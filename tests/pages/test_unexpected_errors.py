"""Pages explain expected outcomes politely, and let any other error show as one.

A page catches only the typed outcomes (too few regions, too few periods…): a plain
ValueError from a domain call is a bug, and must not turn into a fallback message.
"""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from threatmon.settings import DB_ENV_VAR

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard.py"
TIMEOUT = 180  # the forecasts page imports statsmodels and backtests every candidate model


@pytest.fixture
def app(demo_store_path, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    # The pages' results are cached for the process: a domain function patched here must
    # be called, not skipped for an answer another test left in the cache.
    st.cache_data.clear()
    # Deployed, a browser sees no error details (.streamlit/config.toml); here the test
    # reads the exception's own message to tell a bug from a polite fallback.
    shown = st.get_option("client.showErrorDetails")
    st.set_option("client.showErrorDetails", "full")
    yield AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    st.set_option("client.showErrorDetails", shown)
    st.cache_data.clear()  # nothing computed under a patch outlives this test


def _open(app, page: str, **params):
    app.query_params = {key: str(value) for key, value in params.items()}
    app.run()
    app.switch_page(page).run()
    return app


def _exceptions(app) -> list[str]:
    return [e.message for e in app.exception]


def test_the_map_falls_back_when_one_month_has_no_emerging_trend(app):
    _open(app, "pages/map.py", country="MD", measure="hotspot", **{"from": "2026-09"}, to="2026-09")
    assert not app.exception, app.exception
    infos = [i.value for i in app.info]
    assert (
        "Emerging hot spot analysis needs at least two periods. Got 1. "
        "Showing incidents per 100,000 inhabitants instead."
    ) in infos


def test_the_map_shows_a_bug_in_the_hotspot_analysis_as_an_exception(app, monkeypatch):
    import geo.analysis

    def broken(*args, **kwargs):
        raise ValueError("A bug, not a small selection.")

    monkeypatch.setattr(geo.analysis, "region_hotspots", broken)
    _open(app, "pages/map.py", country="MD", measure="hotspot")
    assert any("A bug, not a small selection." in text for text in _exceptions(app))
    assert not any("A bug" in i.value for i in app.info)


def test_the_forecasts_page_shows_a_bug_in_the_granger_test_as_an_exception(app, monkeypatch):
    from forecasting import linkage

    def broken(*args, **kwargs):
        raise ValueError("A bug, not too few months.")

    monkeypatch.setattr(linkage, "granger", broken)
    _open(app, "pages/forecasts.py", country="MD")
    assert any("A bug, not too few months." in text for text in _exceptions(app))
    assert not any("A bug" in i.value for i in app.info)
