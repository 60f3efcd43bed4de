"""The map page in a real browser (Debian's chromium through Playwright), with no internet.

Only a browser shows whether Leaflet actually loaded and drew polygons and markers,
and whether anything was fetched from outside the machine: every request the page
and its component iframe make is recorded, and any host other than 127.0.0.1 fails
the test.
"""

from __future__ import annotations

import re


def _map_frame(page, dismiss_dialog):
    page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=60_000)
    dismiss_dialog(page)
    frame = page.frame_locator("iframe[title*='streamlit_folium']")
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    return frame


def test_the_map_draws_regions_and_crossings_without_leaving_the_machine(
    server, browser, leaving, dismiss_dialog
):
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{server}/maps?layers=incidents,arrivals", wait_until="domcontentloaded")
        frame = _map_frame(page, dismiss_dialog)
        # 230 regions, their country borders and the crossing-point circles are SVG paths.
        paths = frame.locator("path.leaflet-interactive")
        assert paths.count() >= 230
        assert frame.locator(".tm-legend").count() == 1
        assert "Incidents per 100,000 inhabitants" in frame.locator(".tm-legend").inner_text()
        page.get_by_text("DEMO", exact=False).first.wait_for(timeout=10_000)
        # A click on a region drills down to its trends under the map. Regions are
        # the first interactive paths (drawn before the crossing circles); Moldova's
        # first raion in code order is small, so a large one is clicked instead.
        paths.nth(100).click(force=True)
        drill = page.get_by_role("button", name=re.compile("Filter every page to "))
        drill.wait_for(timeout=90_000)
        region = drill.inner_text().split("Filter every page to ")[-1].strip()
        assert region in page.locator("h3").all_inner_texts()[0]
    finally:
        page.close()
    assert any("/app/static/vendor/leaflet/leaflet.js" in url for url in requests)
    assert leaving(requests) == []


def test_projection_mode_hides_the_sidebar_and_enlarges_the_map(
    server, browser, leaving, dismiss_dialog
):
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{server}/maps?projection=1&measure=hotspot", wait_until="domcontentloaded")
        frame = _map_frame(page, dismiss_dialog)
        assert frame.locator(".tm-title").count() == 1
        assert "Hot and cold spots" in frame.locator(".tm-title").inner_text()
        assert not page.locator("section[data-testid='stSidebar']").is_visible()
        height = page.locator("iframe[title*='streamlit_folium']").bounding_box()["height"]
        assert height >= 800
        assert page.get_by_text("DEMO", exact=False).first.is_visible()
        assert re.search(r"projection=1", page.url)
    finally:
        page.close()
    assert leaving(requests) == []


def test_the_exported_html_opens_offline(browser, tmp_path):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from geo.maps import region_map, standalone_html

    regions = gpd.GeoDataFrame(
        {"region_code": ["MD-AA", "MD-BB"], "name_en": ["Alpha", "Beta"]},
        geometry=[box(27, 46, 28, 47), box(28, 46, 29, 47)],
        crs="EPSG:4326",
    )
    values = pd.DataFrame({"region_code": ["MD-AA"], "value": [5.0], "tooltip": ["<b>A</b>"]})
    heat = pd.DataFrame({"latitude": [46.5], "longitude": [27.5], "count": [3]})
    path = tmp_path / "map.html"
    path.write_text(standalone_html(region_map(regions, values, measure="count", heat=heat)))
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(path.as_uri())
        page.locator("path.leaflet-interactive").first.wait_for(timeout=20_000)
        assert page.locator("path.leaflet-interactive").count() == 2
        assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    finally:
        page.close()
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
