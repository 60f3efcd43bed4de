"""Projection mode on a 1080p projector, in a real browser (Debian's chromium).

What a case meeting projects must fit the screen without scrolling: the marking, the
DEMO banner, the title and the whole map with its legends, and no legend may cover a
region. The wheel must not zoom the map. Each viewport's screenshot is kept in
``maps/`` of ``$THREATMON_TEST_ARTIFACTS`` (default ``<repo>/test-artifacts``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WAIT = 90_000
MAPS = "iframe[title*='streamlit_folium']"
LINK = "/maps?projection=1&layers=incidents,arrivals,heat"
#: The elements Streamlit may scroll: none of them may have anything to scroll.
SCROLLERS = ("html", "[data-testid='stAppViewContainer']", "[data-testid='stMain']")
#: Each region's box against each legend's, in the map's own coordinates.
COVERED = """() => {
  const legends = [...document.querySelectorAll('.tm-title, .tm-legend, .tm-side')]
    .map(e => e.getBoundingClientRect());
  const regions = [...document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')];
  const hits = [];
  for (const path of regions) {
    const r = path.getBoundingClientRect();
    for (const l of legends) {
      if (r.left < l.right && l.left < r.right && r.top < l.bottom && l.top < r.bottom) {
        hits.push([Math.round(r.left), Math.round(r.top), Math.round(l.left), Math.round(l.top)]);
      }
    }
  }
  return {regions: regions.length, legends: legends.length, hits};
}"""


def _artifact(name: str) -> Path:
    configured = os.environ.get("THREATMON_TEST_ARTIFACTS", "").strip()
    folder = (Path(configured) if configured else ROOT / "test-artifacts") / "maps"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _settled(frame, page) -> None:
    """Wait until fitting the bounds has stopped animating (the scale bar stops changing)."""
    scale = frame.locator(".leaflet-control-scale-line").first
    readings = [scale.inner_text()]
    while len(readings) < 4 or len(set(readings[-4:])) > 1:
        assert len(readings) < 120, f"The map kept zooming: {readings[-8:]}"
        page.wait_for_timeout(400)
        readings.append(scale.inner_text())


def _inside(box: dict, outer: dict, slack: float = 0.5) -> bool:
    return (
        box["x"] >= outer["x"] - slack
        and box["y"] >= outer["y"] - slack
        and box["x"] + box["width"] <= outer["x"] + outer["width"] + slack
        and box["y"] + box["height"] <= outer["y"] + outer["height"] + slack
    )


#: The visible place names by kind, and every pair of them whose boxes overlap.
LABELS = """() => {
    const kind = el => el.classList.contains('tm-label-country') ? 'country'
        : el.classList.contains('tm-label-capital') ? 'capital' : 'city';
    const shown = [...document.querySelectorAll('.tm-label')]
        .filter(el => getComputedStyle(el).visibility !== 'hidden')
        .map(el => [kind(el), el.innerText, el.getBoundingClientRect()]);
    const overlaps = [];
    shown.forEach(([, a, p], i) => shown.slice(i + 1).forEach(([, b, q]) => {
        if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) {
            overlaps.push([a, b]);
        }
    }));
    return {visible: shown.map(([k, text]) => [k, text]), overlaps};
}"""


@pytest.mark.parametrize("height", [1080, 950], ids=["full-screen", "maximised-window"])
def test_projection_mode_fits_a_1080p_screen_and_no_legend_covers_a_region(
    server, browser, leaving, height
):
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1920, "height": height})
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(server + LINK, wait_until="domcontentloaded")
        page.wait_for_selector(MAPS, timeout=WAIT)
        frame = page.frame_locator(MAPS).first
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=WAIT)
        frame.locator(".tm-side").wait_for(timeout=WAIT)
        _settled(frame, page)
        # A fresh server's first session: Streamlit's "Page not found" never shows.
        assert page.get_by_role("dialog").count() == 0
        page.screenshot(path=_artifact(f"projection-1920x{height}.png"))

        viewport = {"x": 0, "y": 0, "width": 1920, "height": height}
        for selector in SCROLLERS:
            scroll, client = page.locator(selector).first.evaluate(
                "e => [e.scrollHeight, e.clientHeight]"
            )
            assert scroll <= client + 1, f"{selector} scrolls: {scroll} > {client}"
        iframe = page.locator(MAPS).first.bounding_box()
        assert _inside(iframe, viewport) and iframe["height"] >= 600
        for selector in (".tm-title", ".tm-legend", ".tm-side"):
            box = frame.locator(selector).bounding_box()
            assert _inside(box, iframe), f"{selector} is cut off: {box} not in {iframe}"
        for text in ("RESTRICTED — law-enforcement use only", "synthetic data generated by"):
            assert _inside(page.get_by_text(text).first.bounding_box(), viewport)

        covered = frame.locator("body").evaluate(COVERED)
        assert covered["regions"] >= 230 and covered["legends"] == 3
        assert covered["hits"] == [], "legends cover regions"
        assert frame.locator(".tm-label-country").count() == 10
        # No place name over another: every country and capital shown, apart.
        shown = frame.locator("body").evaluate(LABELS)
        assert sum(kind == "country" for kind, _ in shown["visible"]) == 10
        assert sum(kind == "capital" for kind, _ in shown["visible"]) == 10
        assert shown["overlaps"] == [], "place names overlap"
        assert frame.locator(".tm-size-legend").count() == 2
        assert frame.locator(".tm-heat-legend").count() == 1

        # The wheel scrolls the page; it never zooms the map.
        before = frame.locator("body").evaluate("() => window.map.getZoom()")
        page.mouse.move(iframe["x"] + iframe["width"] / 2, iframe["y"] + iframe["height"] / 2)
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(800)
        assert frame.locator("body").evaluate("() => window.map.getZoom()") == before
    finally:
        page.close()
    assert leaving(requests) == []
