"""Load test: N browser sessions walking Overview → Map → Forecasts against one dashboard.

``python -m bench.load [--scale 20] [--sessions 20] [--minutes 10]``

Each session is a real Chromium page (Playwright, Debian's chromium, no network) in its
own browser context, so each is its own Streamlit session with its own websocket. It
moves through the pages with the sidebar's menu, as a person would, and a page's time
runs from the click to the moment the page has drawn its main element (the Overview's
first metric, the map's frame, the forecast chart) and Streamlit has stopped running.
A single session walks alone first: its times are the baseline the loaded ones are
divided by, measured in the same run on the same machine. The server's resident memory
(its process and children) is sampled every two seconds for the whole run; the report
gives it at the start, at the peak and at the end, and the growth over the second half
(a leak grows steadily; a warm cache levels off).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import async_playwright

from bench.common import CACHE_DIR, demo_store

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("THREATMON_CHROMIUM", "/usr/bin/chromium")
BROWSER_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
#: Menu entry → what shows that the page has drawn its main content.
WALK: tuple[tuple[str, str], ...] = (
    ("Overview", "[data-testid='stMetric']"),
    ("Map", "iframe[title='streamlit_folium.st_folium']"),
    ("Forecasts", "[data-testid='stPlotlyChart']"),
)
RUNNING = "[data-testid='stStatusWidget']"
TIMEOUT_MS = 120_000


@dataclass
class Timings:
    """Page times in seconds per page name, and the failures seen."""

    times: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name, _ in WALK})
    failures: list[str] = field(default_factory=list)

    def all(self) -> list[float]:
        return [t for values in self.times.values() for t in values]


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank; NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB (Linux /proc)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pids.extend(int(child) for child in children)
    return total / 1024


class Server:
    """A dashboard server on ``db`` for the duration of a ``with`` block."""

    def __init__(self, db: Path, port: int):
        self.db, self.port = db, port
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "THREATMON_DB": str(self.db), "THREATMON_BACKGROUND_FORECASTS": "0"}
        env["THREATMON_ACCOUNTS"] = str(CACHE_DIR / "load-test.accounts.sqlite")  # none: demo open
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "dashboard.py"),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("The dashboard did not start within 90 s.")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


async def _page_time(page, name: str, ready: str) -> float:
    started = time.perf_counter()
    await page.locator("[data-testid='stSidebarNav']").get_by_text(name, exact=True).click()
    await page.locator(ready).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    await page.locator(RUNNING).wait_for(state="detached", timeout=TIMEOUT_MS)
    return time.perf_counter() - started


async def _session(browser, base: str, until: float, timings: Timings, stagger: float) -> None:
    await asyncio.sleep(stagger)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        await page.goto(base, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        await page.locator(WALK[0][1]).first.wait_for(timeout=TIMEOUT_MS)
        while time.monotonic() < until:
            for name, ready in (*WALK[1:], WALK[0]):
                try:
                    timings.times[name].append(await _page_time(page, name, ready))
                except Exception as exc:  # a timeout under load is a result, not a crash
                    timings.failures.append(f"{name}: {type(exc).__name__}")
                if time.monotonic() >= until:
                    break
    finally:
        await context.close()


async def _run(base: str, sessions: int, seconds: float) -> Timings:
    timings = Timings()
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        until = time.monotonic() + seconds
        # Sessions arrive over the first 10 s, as people join a meeting, not all at once.
        stagger = 10.0 / max(sessions, 1)
        await asyncio.gather(
            *(_session(browser, base, until, timings, i * stagger) for i in range(sessions))
        )
        await browser.close()
    return timings


def _sample_memory(pid: int, samples: list[tuple[float, float]], stop: asyncio.Event):
    async def sample() -> None:
        started = time.monotonic()
        while not stop.is_set():
            samples.append((time.monotonic() - started, _rss_mb(pid)))
            try:
                await asyncio.wait_for(stop.wait(), timeout=2.0)
            except TimeoutError:
                pass

    return sample()


async def _measured(server: Server, sessions: int, seconds: float):
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_memory(server.process.pid, samples, stop))
    try:
        timings = await _run(server.base, sessions, seconds)
    finally:
        stop.set()
        await sampler
    return timings, samples


def summary(timings: Timings) -> dict:
    """p50 and p95 per page and over all pages, counts and failures."""
    result = {
        name: {"n": len(v), "p50": percentile(v, 0.5), "p95": percentile(v, 0.95)}
        for name, v in timings.times.items()
    }
    every = timings.all()
    result["all"] = {"n": len(every), "p50": percentile(every, 0.5), "p95": percentile(every, 0.95)}
    result["failures"] = len(timings.failures)
    return result


def memory_report(samples: list[tuple[float, float]]) -> dict:
    """Memory at start, peak and end, and the growth over the second half of the run (MB)."""
    if not samples:
        return {}
    half = [mb for at, mb in samples if at >= samples[-1][0] / 2]
    return {
        "start_mb": samples[0][1],
        "peak_mb": max(mb for _, mb in samples),
        "end_mb": samples[-1][1],
        "second_half_growth_mb": half[-1] - half[0] if half else float("nan"),
    }


def main() -> None:
    """Parse arguments, run the baseline and the loaded walk, print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--scale", type=float, default=20, help="demo scale (20 ≈ 10M incidents)")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    parser.add_argument("--minutes", type=float, default=10, help="length of the loaded run")
    parser.add_argument("--baseline-minutes", type=float, default=1, help="single-session run")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    store = demo_store(args.scale)
    coverage = store.coverage()
    print(
        f"store: scale {args.scale:g}, {coverage['records']:,} rows, "
        f"{coverage['incidents']:,} incidents"
    )
    with Server(store.path, args.port) as server:
        alone, _ = asyncio.run(_measured(server, 1, args.baseline_minutes * 60))
        loaded, samples = asyncio.run(_measured(server, args.sessions, args.minutes * 60))
    base, under = summary(alone), summary(loaded)
    memory = memory_report(samples)
    print(f"{'page':<10} {'alone p50':>10} {'p95':>7} {'loaded p50':>11} {'p95':>7} {'ratio':>6}")
    for name in [*(n for n, _ in WALK), "all"]:
        b, u = base[name], under[name]
        print(
            f"{name:<10} {b['p50']:>9.2f}s {b['p95']:>6.2f}s {u['p50']:>10.2f}s "
            f"{u['p95']:>6.2f}s {u['p95'] / b['p95']:>6.1f}  (n={u['n']})"
        )
    print(
        f"{args.sessions} sessions for {args.minutes:g} min: {under['failures']} page loads timed "
        f"out; server memory {memory.get('start_mb', 0):.0f} MB at start, "
        f"{memory.get('peak_mb', 0):.0f} MB at peak, {memory.get('end_mb', 0):.0f} MB at the end, "
        f"{memory.get('second_half_growth_mb', 0):+.0f} MB over the second half"
    )
    out = CACHE_DIR / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "scale": args.scale,
                "sessions": args.sessions,
                "minutes": args.minutes,
                "alone": base,
                "loaded": under,
                "failures": loaded.failures,
                "memory": memory,
                "memory_samples": samples,
            },
            indent=2,
        )
    )
    print(f"saved {out}")


if __name__ == "__main__":
    main()
