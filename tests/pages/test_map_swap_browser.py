"""A change of "Colour regions by" in a real browser: the regions' group swapped in the
map the browser has (streamlit-folium's ``feature_group_to_add``) always ends on the last
choice, however quickly the reader changes it or whatever frame is loading meanwhile.

Every legend, title and region fill is read in the component's frame; the page never
fetches anything from outside the machine.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

FRAME = "iframe[title*='streamlit_folium']"
RUNNING = "[data-testid='stStatusWidget']"
LAYER = "Crossing points: arrivals from Ukraine"
#: The legend's title and each region's fill, as the frame draws them.
DRAWN = """() => ({
    legends: [...document.querySelectorAll('.tm-legend')]
        .map(l => l.querySelector(':scope > div > div').textContent),
    titles: document.querySelectorAll('.tm-title').length,
    swatches: [...document.querySelectorAll('.tm-legend .tm-class span')]
        .map(s => getComputedStyle(s).backgroundColor),
    fills: [...document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')]
        .map(p => p.getAttribute('fill')).filter(f => f && !f.startsWith('url(')),
})"""

#: Records the title of every legend a frame draws, in ``window.tmLegends``.
DRAWN_IN_TURN = """() => {
    window.tmLegends = [];
    new MutationObserver(changes => changes.forEach(change => change.addedNodes.forEach(n => {
        const title = n.classList && n.classList.contains('tm-legend')
            && n.querySelector(':scope > div > div');
        if (title) window.tmLegends.push(title.textContent);
    }))).observe(document.body, {childList: true, subtree: true});
}"""


def _opened(page, server, dismiss_dialog, query: str = ""):
    page.goto(f"{server}/maps{query}", wait_until="domcontentloaded")
    page.wait_for_selector(FRAME, timeout=60_000)
    dismiss_dialog(page)
    frame = page.frame_locator(FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    return frame


def _pick(page, measure: str) -> None:
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Colour regions by")
    box.locator("input").click()
    page.get_by_role("option", name=measure, exact=True).click()


def _add_layer(page) -> None:
    """Add :data:`LAYER`: a new map, in a new frame (not waited for)."""
    page.locator(FRAME).first.evaluate("f => f.dataset.old = '1'")
    layers = page.locator("[data-testid='stMultiSelect']").filter(has_text="Layers").first
    layers.locator("input").click()
    page.get_by_role("option", name=LAYER).click()
    page.keyboard.press("Escape")


def _settled_on(page, frame, measure: str) -> dict:
    """What the map shows once the page has stopped running and the legend is
    ``measure``'s (waits for it, then checks that no late render changes it)."""
    page.locator(RUNNING).wait_for(state="detached", timeout=120_000)
    expect(frame.locator(".tm-legend")).to_contain_text(measure, timeout=30_000)
    page.wait_for_timeout(1_500)
    page.locator(RUNNING).wait_for(state="detached", timeout=120_000)
    return frame.locator("#map_div").evaluate(DRAWN)


def _assert_one_legend_of(drawn: dict, measure: str) -> None:
    # One legend and one title: the previous group's were removed with it.
    assert drawn["legends"] == [measure] and drawn["titles"] == 1
    # Every region is coloured by a class of that legend (the hatch of no data aside).
    assert drawn["fills"] and drawn["swatches"]
    swatches = {_rgb(colour) for colour in drawn["swatches"]}
    assert {_rgb(fill) for fill in drawn["fills"]} <= swatches


def _rgb(colour: str) -> tuple[int, ...]:
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(int(n) for n in re.findall(r"\d+", colour)[:3])


def test_quick_changes_of_measure_end_on_the_last_one(server, offline_page, dismiss_dialog):
    with offline_page() as page:
        frame = _opened(page, server, dismiss_dialog)
        chosen = (
            "Incidents",
            "Change against the previous period",
            "Incidents per 100,000 inhabitants (raw)",
            "Incidents",
            "Change against the previous period",
        )
        # One after another, without waiting for the map in between.
        for measure in chosen:
            _pick(page, measure)
        _assert_one_legend_of(_settled_on(page, frame, chosen[-1]), chosen[-1])
        # And back, drawn before in this server (the map kept, ui/map_cache.py).
        for measure in chosen[2:4]:
            _pick(page, measure)
        _assert_one_legend_of(_settled_on(page, frame, chosen[3]), chosen[3])
        # The national borders stay above the regions, hatch pattern and all.
        assert frame.locator(".leaflet-borders-pane path").count() > 0
        assert frame.locator(".leaflet-borders-pane").evaluate(
            "p => getComputedStyle(p).zIndex"
        ) > frame.locator(".leaflet-overlay-pane").evaluate("p => getComputedStyle(p).zIndex")
        assert frame.locator("pattern#tm-no-data").count() == 1


def test_a_measure_chosen_while_a_new_map_loads_is_the_one_drawn(
    server, offline_page, dismiss_dialog
):
    with offline_page() as page:
        frame = _opened(page, server, dismiss_dialog)
        # A layer makes a new map (a new frame); its first script is held back, so the
        # measure is chosen while the frame is still loading what it draws with.
        held = []
        page.route("**/app/static/vendor/leaflet/leaflet.js", lambda route: held.append(route))
        _add_layer(page)
        for _ in range(240):
            if held:
                break
            page.wait_for_timeout(250)
        assert held, "the new map's frame never asked for Leaflet"
        # Every legend the new frame draws, in order.
        loading = [f for f in page.frames if "streamlit_folium" in f.url][-1]
        loading.evaluate(DRAWN_IN_TURN)
        measure = "Change against the previous period"
        _pick(page, measure)
        page.locator(RUNNING).wait_for(state="detached", timeout=120_000)
        page.wait_for_timeout(1_000)  # the new measure's arguments reach the loading frame
        for route in held:
            route.continue_()
        page.unroute("**/app/static/vendor/leaflet/leaflet.js")
        drawn = _settled_on(page, frame, measure)
        _assert_one_legend_of(drawn, measure)
        assert frame.locator(".leaflet-symbols-pane path").count() > 0  # the layer added
        # The frame drew the measure of the arguments it was made with (what the race
        # is), then the current one: streamlit-folium dropped the arguments that came
        # while it loaded, and the map asked for them again (geo.maps._CurrentGroup).
        assert loading.evaluate("() => window.tmLegends") == [
            "Incidents per 100,000 inhabitants (smoothed, empirical Bayes)",
            measure,
        ]


def test_a_region_drilled_down_stays_through_a_colour_change_and_a_layer(
    server, offline_page, dismiss_dialog
):
    with offline_page() as page:
        frame = _opened(page, server, dismiss_dialog)
        page.locator(FRAME).first.scroll_into_view_if_needed()
        regions = frame.locator(".leaflet-overlay-pane path.leaflet-interactive")
        largest = regions.evaluate_all(
            "paths => paths.map(p => p.getBoundingClientRect())"
            ".map(r => r.width * r.height).reduce((b, a, i, all) => a > all[b] ? i : b, 0)"
        )
        regions.nth(largest).click(force=True)
        drill = page.get_by_role("button", name=re.compile("Filter every page to "))
        drill.wait_for(timeout=90_000)
        focus = drill.inner_text()
        heading = page.locator("h3").filter(has_text=re.compile(r"\(\w\w-")).inner_text()
        # The region is still the one selected: its drill-down stays, the same region's.
        measure = "Change against the previous period"
        _pick(page, measure)
        _settled_on(page, frame, measure)
        assert drill.inner_text() == focus
        assert page.locator("h3").filter(has_text=re.compile(r"\(\w\w-")).inner_text() == heading
        # So it does through a new map (a layer added), which the page draws anew.
        _add_layer(page)
        new = page.frame_locator(f"{FRAME}:not([data-old])")
        new.locator(".leaflet-symbols-pane path").first.wait_for(timeout=120_000)
        page.locator(RUNNING).wait_for(state="detached", timeout=120_000)
        assert drill.inner_text() == focus
        assert page.locator("h3").filter(has_text=re.compile(r"\(\w\w-")).inner_text() == heading
