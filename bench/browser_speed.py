"""What one person waits for in a real browser: pages, a map colour, a layer, a region click.

``python -m bench.browser_speed [--scale 20] [--repeat 5] [--root CHECKOUT]``

One Chromium page (Debian's chromium through Playwright, as ``bench.load --driver
browser``) against a dashboard server started here, without a file watcher:

- **first page of a freshly started server**: from starting the server process to the
  Overview's first metric drawn in the browser (imports, store, queries, drawing).
  Target ≤ 5 s at 10M rows. ``--first-page-only`` measures only this, on ``--repeat``
  servers started one after another (and prints the server's CPU seconds until then);
  with ``--page 'maps?projection=1'`` the first page is a shared map link, timed until
  the map's regions are drawn in its frame (a meeting that starts the server).
- **warm page to content** for Overview, Map and Forecasts: from the click on the menu
  to the page's main element drawn and Streamlit idle. Target ≤ 1.5 s.
- **map colour change**: a new measure picked in the map's "Colour regions by" menu, until the
  redrawn map (a new component frame) shows its legend and Streamlit is idle; alternates
  between two measures, each drawn before in this server. Target ≤ 1 s. The two
  measures' first drawing in this server is timed apart ("first time": the server builds
  the map; later it may keep it, ``ui/map_cache.py``).
- **adding a layer**: "Crossing points: arrivals" added in "Layers", until the map
  is redrawn; removed again (untimed) before the next one.
- **region click**: a click on a region of the map until its drill-down (the region's
  heading under the map) is drawn and Streamlit is idle; a different region each time.
  Target ≤ 1 s.

The baseline, measured in the same run on a second server started the same way with the
same browser: a trivial Streamlit page (a title, a button, a line of text) — its first
page after the server starts, and a click on its button until the rerun's text is drawn.
That is what the framework alone costs on this machine at this moment; each timing is
printed beside its ratio to the baseline's round trip, so runs on a noisy machine stay
comparable. The server's CPU seconds per interaction are printed too (the browser's are
not in them). ``--root`` runs another checkout's dashboard (e.g. a worktree of the
commit before) with this bench, so before and after share one baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import CACHE_DIR, demo_store
from bench.load import CHROMIUM, ROOT, RUNNING, WALK, Server, cpu_seconds, loadavg
from devtools.chromium import CHROMIUM_ARGS

TIMEOUT_MS = 180_000
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
#: Two measures the colour change alternates between (their English menu labels).
MEASURES = ("Incidents", "Change against the previous period")
DEFAULT_MEASURE = "Incidents per 100,000 inhabitants (smoothed, empirical Bayes)"
LAYER = "Crossing points: arrivals from Ukraine"

TARGETS = {
    "first page, fresh server": 5.0,
    "Overview": 1.5,
    "Map": 1.5,
    "Forecasts": 1.5,
    "map colour change": 1.0,
    "map colour change, first time": 1.0,
    "add a layer": 1.0,
    "region click": 1.0,
}

TRIVIAL_APP = """
import streamlit as st

st.title("Baseline")
if st.button("Again"):
    st.session_state["n"] = st.session_state.get("n", 0) + 1
st.markdown(f"Run {st.session_state.get('n', 0)}")
"""


class _Trivial(Server):
    """A server running :data:`TRIVIAL_APP` instead of the dashboard."""

    def __init__(self, port: int, folder: Path):
        (folder / "dashboard.py").write_text(TRIVIAL_APP)
        super().__init__(Path(os.devnull), port, root=folder)


def _start_server(server: Server) -> float:
    """Start ``server`` and return the monotonic time its process was started."""
    started = time.monotonic()
    server.__enter__()
    return started


async def _idle(page) -> None:
    await page.locator(RUNNING).wait_for(state="detached", timeout=TIMEOUT_MS)


async def _first_page(page, base: str, selector: str, started: float) -> float:
    await page.goto(base, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    await page.locator(selector).first.wait_for(timeout=TIMEOUT_MS)
    await _idle(page)
    return time.monotonic() - started


async def _trivial_click(page, n: int) -> float:
    began = time.perf_counter()
    await page.get_by_role("button", name="Again").click()
    await page.get_by_text(f"Run {n}", exact=True).wait_for(timeout=TIMEOUT_MS)
    await _idle(page)
    return time.perf_counter() - began


async def _menu(page, name: str, selector: str) -> float:
    began = time.perf_counter()
    await page.locator("[data-testid='stSidebarNav']").get_by_text(name, exact=True).click()
    await page.locator(selector).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    await _idle(page)
    return time.perf_counter() - began


async def _mark_map(page) -> None:
    """Mark the map's frame and its legend, so that a redrawn map is told from them."""
    await page.locator(MAP_FRAME).first.wait_for(timeout=TIMEOUT_MS)
    # A frame still loading its scripts has no legend to mark yet: the one it draws
    # later would pass for the redrawn map's.
    await page.wait_for_function(
        """selector => [...document.querySelectorAll(selector)].some(
            f => f.contentDocument && f.contentDocument.querySelector('.tm-legend'))""",
        arg=MAP_FRAME,
        timeout=TIMEOUT_MS,
    )
    await page.eval_on_selector_all(
        MAP_FRAME,
        """fs => fs.forEach(f => {
            f.dataset.old = '1';
            const legend = f.contentDocument && f.contentDocument.querySelector('.tm-legend');
            if (legend) legend.dataset.old = '1';
        })""",
    )


async def _new_map(page) -> None:
    """Wait for a legend that was not there at :func:`_mark_map`, with its regions drawn:
    in a new frame (a new map) or in the same one (streamlit-folium swapped the regions'
    group, ``feature_group_to_add``)."""
    await page.wait_for_function(
        """selector => [...document.querySelectorAll(selector)].some(f => {
            const d = f.contentDocument;
            return d && d.querySelector('.tm-legend:not([data-old])')
                && d.querySelector('path.leaflet-interactive');
        })""",
        arg=MAP_FRAME,
        timeout=TIMEOUT_MS,
        polling="raf",
    )
    await _idle(page)


async def _pick(page, label: str, option: str) -> None:
    widget = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    await widget.locator("input").click()
    await page.get_by_role("option", name=option, exact=True).click()


async def _colour_change(page, measure: str) -> float:
    await _mark_map(page)
    began = time.perf_counter()
    await _pick(page, "Colour regions by", measure)
    await _new_map(page)
    return time.perf_counter() - began


async def _add_layer(page) -> float:
    await _mark_map(page)
    layers = page.locator("[data-testid='stMultiSelect']").filter(has_text="Layers").first
    began = time.perf_counter()
    await layers.locator("input").click()
    await page.get_by_role("option", name=LAYER).click()
    await page.keyboard.press("Escape")
    await _new_map(page)
    took = time.perf_counter() - began
    # Untimed: take it off again for the next round.
    await _mark_map(page)
    await layers.locator("input").click()
    await page.keyboard.press("Backspace")  # the last tag: the layer just added
    await page.keyboard.press("Escape")
    await _new_map(page)
    return took


async def _region_click(page, index: int) -> float:
    frame_element = page.locator(MAP_FRAME).first
    await frame_element.scroll_into_view_if_needed()
    frame = page.frame_locator(MAP_FRAME).first
    # The index-th largest of the regions whose centre (where the click lands) is the
    # region itself, not a crossing circle or another region over it.
    regions = frame.locator(".leaflet-overlay-pane path.leaflet-interactive")
    order = await regions.evaluate_all(
        """paths => paths.map((p, i) => [p.getBoundingClientRect(), i, p])
            .filter(([r, , p]) => document.elementFromPoint(
                r.left + r.width / 2, r.top + r.height / 2) === p)
            .sort((a, b) => b[0].width * b[0].height - a[0].width * a[0].height)
            .map(x => x[1])"""
    )
    path = regions.nth(order[index])
    button = page.get_by_role("button", name="Filter every page to ")
    before = await button.all_inner_texts() if await button.count() else []
    began = time.perf_counter()
    await path.click(force=True)
    await page.wait_for_function(
        """before => {
            const found = [...document.querySelectorAll('button')]
                .map(b => b.innerText).filter(t => t.includes('Filter every page to '));
            return found.length && !before.includes(found[0]);
        }""",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    await _idle(page)
    return time.perf_counter() - began


#: What a page that stopped shows, in every map frame (:func:`_diagnose`).
FRAMES_STATE = """selector => [...document.querySelectorAll(selector)].map(f => {
    const d = f.contentDocument;
    return {
        old: Boolean(f.dataset.old),
        legends: d ? [...d.querySelectorAll('.tm-legend')].map(l => ({
            old: Boolean(l.dataset.old), text: l.textContent.slice(0, 60)})) : null,
        regions: d ? d.querySelectorAll('path.leaflet-interactive').length : null,
    };
})"""


async def _diagnose(page) -> None:
    """Save a screenshot and the map frames' state of a page whose wait ran out, and
    print where they are (the traceback says which wait)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    shot = CACHE_DIR / f"browser-speed-stopped-{stamp}.png"
    await page.screenshot(path=str(shot), full_page=True)
    state = {
        "url": page.url,
        "running": await page.locator(RUNNING).count(),
        "frames": await page.evaluate(FRAMES_STATE, MAP_FRAME),
        "text": (await page.locator("section.main, [data-testid='stMain']").first.inner_text())[
            :2000
        ],
    }
    out = CACHE_DIR / f"browser-speed-stopped-{stamp}.json"
    out.write_text(json.dumps(state, indent=2, ensure_ascii=False))
    print(f"stopped: {shot}, {out}: {json.dumps(state['frames'])}")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


async def _measured(action, pids: list[int]) -> tuple[float, float]:
    """Wall seconds of ``action`` and the server's CPU seconds over it."""
    cpu = sum(cpu_seconds(pid) for pid in pids)
    wall = await action()
    return wall, sum(cpu_seconds(pid) for pid in pids) - cpu


#: What "drawn" means for a first page opened at a map link (``--page maps?…``): the
#: regions' paths inside the map's frame, not only the frame.
MAP_DRAWN = ".leaflet-overlay-pane path.leaflet-interactive"


async def _first_map(page, url: str, started: float) -> float:
    await page.goto(url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    frame = page.frame_locator(MAP_FRAME).first
    await frame.locator(MAP_DRAWN).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    await _idle(page)
    return time.monotonic() - started


async def first_pages(db: Path, root: Path, port: int, repeat: int, link: str = "") -> dict:
    """Only the first page of a freshly started server, ``repeat`` servers one after another
    (``--first-page-only``): what a restart costs the first person, measured often enough
    for a median on a noisy machine. ``link`` opens another page first (a shared map link
    such as ``maps?projection=1``, timed until its regions are drawn)."""
    from playwright.async_api import async_playwright

    results: dict[str, list[tuple[float, float]]] = {}
    accounts = (CACHE_DIR / "load-test.accounts.sqlite").resolve()
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        for _ in range(repeat):
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            server = Server(db.resolve(), port, root=root, accounts=accounts)
            started = _start_server(server)
            try:
                if link:
                    first = await _first_map(page, f"{server.base}/{link}", started)
                else:
                    first = await _first_page(page, server.base, WALK[0].selector, started)
                results.setdefault("first page, fresh server", []).append(
                    (first, cpu_seconds(server.process.pid))
                )
            finally:
                server.__exit__(None, None, None)
            await context.close()
        await browser.close()
    return results


async def run(db: Path, root: Path, port: int, repeat: int) -> dict:
    """Every timing of one run (lists of (wall, server CPU) seconds per name)."""
    from playwright.async_api import async_playwright

    results: dict[str, list[tuple[float, float]]] = {}

    def keep(name: str, measured: tuple[float, float]) -> None:
        results.setdefault(name, []).append(measured)

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        with tempfile.TemporaryDirectory(prefix="threatmon-trivial-") as folder:
            trivial = _Trivial(port + 1, Path(folder))
            started = _start_server(trivial)
            try:
                pids = [trivial.process.pid]
                first = await _first_page(page, trivial.base, "h1", started)
                keep("baseline: first page, fresh server", (first, cpu_seconds(pids[0])))
                for n in range(1, repeat + 1):
                    keep(
                        "baseline: round trip",
                        await _measured(lambda n=n: _trivial_click(page, n), pids),
                    )
            finally:
                trivial.__exit__(None, None, None)

        # Absolute paths: the server runs in ``root``, which may be another checkout.
        accounts = (CACHE_DIR / "load-test.accounts.sqlite").resolve()
        server = Server(db.resolve(), port, root=root, accounts=accounts)
        started = _start_server(server)
        try:
            pids = [server.process.pid]
            first = await _first_page(page, server.base, WALK[0].selector, started)
            keep("first page, fresh server", (first, cpu_seconds(pids[0])))
            # One untimed walk: every page's first visit (imports, cold caches) is done.
            for step in (*WALK[1:], WALK[0]):
                await _menu(page, step.name, step.selector)
            for _ in range(repeat):
                for step in (*WALK[1:], WALK[0]):
                    keep(
                        step.name,
                        await _measured(lambda s=step: _menu(page, s.name, s.selector), pids),
                    )
            await _menu(page, "Map", WALK[1].selector)
            # Each measure's first drawing is cold (classes, the drawn map not yet kept):
            # timed apart, then back to the default (kept since the page was drawn).
            for measure in MEASURES:
                keep(
                    "map colour change, first time",
                    await _measured(lambda m=measure: _colour_change(page, m), pids),
                )
            await _colour_change(page, DEFAULT_MEASURE)
            for i in range(repeat):
                measure = MEASURES[i % 2]
                keep(
                    "map colour change",
                    await _measured(lambda m=measure: _colour_change(page, m), pids),
                )
            await _add_layer(page)  # untimed: the first is cold
            for _ in range(repeat):
                keep("add a layer", await _measured(lambda: _add_layer(page), pids))
            await _region_click(page, 0)  # untimed: the first is cold
            for i in range(repeat):
                keep(
                    "region click",
                    await _measured(lambda i=i: _region_click(page, 1 + i), pids),
                )
        except Exception:
            await _diagnose(page)
            raise
        finally:
            server.__exit__(None, None, None)
        await browser.close()
    return results


def report(results: dict, scale: float, rows: int) -> list[str]:
    """The printed table: median wall and server CPU, the target, the ratio to the baseline."""
    base = _median([wall for wall, _ in results["baseline: round trip"]])
    lines = [
        f"{'interaction':<36} {'median':>7} {'server CPU':>10} {'target':>7} "
        f"{'× baseline':>10}   (scale {scale:g}, {rows:,} rows)"
    ]
    for name, values in results.items():
        wall = _median([w for w, _ in values])
        cpu = _median([c for _, c in values])
        target = TARGETS.get(name)
        mark = "" if target is None else ("ok" if wall <= target else "OVER")
        lines.append(
            f"{name:<36} {wall:>6.2f}s {cpu:>9.2f}s "
            f"{'' if target is None else f'≤{target:g}s':>7} {wall / base:>10.1f}   {mark}"
            f"  (n={len(values)})"
        )
    return lines


def main() -> None:
    """Parse arguments, run every interaction, print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench.browser_speed")
    parser.add_argument("--scale", type=float, default=1, help="demo scale (20 ≈ 10M rows)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats of each")
    parser.add_argument("--port", type=int, default=8785)
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the checkout whose dashboard is measured"
    )
    parser.add_argument(
        "--first-page-only",
        action="store_true",
        help="only the first page of a fresh server, --repeat servers (no baseline)",
    )
    parser.add_argument(
        "--page",
        default="",
        help="with --first-page-only: the link opened (e.g. 'maps?projection=1'), "
        "timed until the map's regions are drawn; default the Overview",
    )
    args = parser.parse_args()
    if args.page and not args.first_page_only:
        parser.error("--page goes with --first-page-only")
    store = demo_store(args.scale)
    rows = store.coverage()["records"]
    load_start = loadavg()
    where = (store.location.file, args.root.resolve(), args.port, args.repeat)
    if args.first_page_only:
        results = asyncio.run(first_pages(*where, link=args.page))
    else:
        results = asyncio.run(run(*where))
    print(f"checkout {args.root.resolve()}; loadavg {load_start} → {loadavg()}")
    if args.first_page_only:
        for wall, cpu in results["first page, fresh server"]:
            print(
                f"first page{f' /{args.page}' if args.page else ''}, fresh server "
                f"{wall:6.2f} s (server CPU {cpu:.2f} s)"
            )
        values = results["first page, fresh server"]
        print(
            f"median {_median([w for w, _ in values]):.2f} s "
            f"(server CPU {_median([c for _, c in values]):.2f} s; target ≤5 s)"
        )
    else:
        for line in report(results, args.scale, rows):
            print(line)
    out = CACHE_DIR / f"browser-speed-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "scale": args.scale,
                "rows": rows,
                "root": str(args.root),
                "page": args.page,
                "results": results,
            },
            indent=2,
        )
    )
    print(f"saved {out}")


if __name__ == "__main__":
    main()
