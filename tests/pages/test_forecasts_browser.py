"""The forecasts page in a real browser while the forecasts of all series are refreshed.

Only a browser runs the page's timer: the progress of the background refresh must
move on its own, and when the refresh ends the page must switch to the reconciled
forecasts without anyone reloading it. Nothing may be fetched from outside the machine.
"""

from __future__ import annotations

import shutil

from data_loaders.demo import DemoSettings, build_demo_store
from forecasting import cache
from threatmon.store.reader import Store


def test_the_page_follows_the_background_refresh_to_the_reconciled_forecast(
    browser, start_server, leaving, dismiss_dialog, tmp_path
):
    path = tmp_path / "demo.duckdb"
    build_demo_store(path, DemoSettings(seed=5, scale=0.01))
    requests: list[str] = []
    with start_server(path, THREATMON_BACKGROUND_FORECASTS="1") as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: requests.append(request.url))
        try:
            page.goto(f"{base}/outlook?country=PL", wait_until="domcontentloaded")
            page.get_by_text("Forecasts", exact=True).first.wait_for(timeout=90_000)
            dismiss_dialog(page)
            # The dashboard started the refresh; meanwhile this series is fitted alone.
            # Fitted on the spot: several times slower beside the rest of `make test`.
            page.get_by_text("fitted for this series alone just now").wait_for(timeout=240_000)
            assert cache.status(Store(path)).state in (cache.RUNNING, cache.CURRENT)
            # Without a reload, the page ends on the cached, reconciled forecast.
            page.get_by_text("From the forecasts of all series computed").wait_for(timeout=240_000)
            assert page.get_by_text("fitted for this series alone just now").count() == 0
        finally:
            page.close()
    assert cache.status(Store(path)).state == cache.CURRENT
    assert leaving(requests) == []
    shutil.rmtree(cache.cache_root(Store(path)), ignore_errors=True)
