"""Load test: N sessions walking Overview → Map → Forecasts against the dashboard.

``python -m bench.load [--scale 20] [--sessions 20] [--minutes 10] [--driver ws|browser]
[--think SECONDS] [--servers N] [--proxy] [--option runner.postScriptGC=false]``

Two drivers move N sessions through the pages, over and over, as a person would:

- ``ws`` (the default) speaks Streamlit's own websocket protocol (``bench/ws_session.py``):
  each session is one websocket that asks for a page as the sidebar menu does, and a
  page's time runs from that request to the ``script_finished`` of the run it started.
  No browser runs, so on a small machine the sessions cost the CPU almost
  nothing and the times are the server's.
- ``browser`` drives real Chromium pages (Playwright, Debian's chromium, one browser
  context each); a page's time runs from the click on the menu to the moment the page
  has drawn its main element (the Overview's first metric, the map's frame, the forecast
  chart) and Streamlit has stopped running. It includes drawing, but on two cores twenty
  Chromium renderers compete with the server, so it mostly measures the browsers.

Sessions arrive over the first 10 s and ask for the next page as soon as the last one
has finished, unless ``--think`` gives them time on each page. The server runs without a
file watcher, as deployed (``--option`` passes further Streamlit options).

A single session walks alone first: its times are the baseline the loaded ones are
divided by, measured in the same run on the same server. The server's resident memory
(its process and children) and CPU time are sampled every two seconds for the whole run;
the report gives memory at the start, at the peak and at the end, the growth over the
second half (a leak grows steadily; a warm cache levels off), the cores the server, this
driver and everything else on the machine used, and ``/proc/loadavg`` at start and end.

``--servers N`` starts N server processes on the same store (ports ``--port`` and up) and
deals the loaded sessions out round-robin, as a load balancer with sticky websockets would
(a Streamlit session lives in one process, so its websocket stays on one server). The
baseline still walks alone on server 0; servers 1 and up then walk the pages once each,
untimed, so they start the loaded phase warm as server 0 does (behind ``--proxy``, every
server does). Memory and CPU are sampled for every server: the report gives the sum and
each server.

``--proxy`` puts the deployment's nginx in front of the servers (deploy/nginx, run by
``devtools.nginx.running_proxy`` on loopback with a self-signed certificate, on the two
ports after the servers'), and every session, the baseline's too, goes through it over
TLS: it loads the page first, as a browser does, and keeps the routing cookie nginx
gives it, which decides its server. The report says how many websockets each server got.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import CACHE_DIR, demo_store
from devtools.chromium import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("THREATMON_CHROMIUM", "/usr/bin/chromium")


@dataclass(frozen=True)
class Step:
    """One page of the walk: its menu entry and what shows it has drawn."""

    name: str
    selector: str  # browser driver: the main element's CSS selector
    element: str  # ws driver: the main element's kind in the run's deltas


WALK: tuple[Step, ...] = (
    Step("Overview", "[data-testid='stMetric']", "metric"),
    Step(
        "Map",
        "iframe[title='streamlit_folium.st_folium']",
        "component:streamlit_folium.st_folium",
    ),
    Step("Forecasts", "[data-testid='stPlotlyChart']", "plotly_chart"),
)
RUNNING = "[data-testid='stStatusWidget']"
TIMEOUT_S = 120
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Timings:
    """Page times in seconds per page name, and the failures seen."""

    times: dict[str, list[float]] = field(default_factory=lambda: {s.name: [] for s in WALK})
    failures: list[str] = field(default_factory=list)
    #: ws driver: deltas and bytes per visit, per page; server CPU seconds per visit (alone).
    deltas: dict[str, list[int]] = field(default_factory=lambda: {s.name: [] for s in WALK})
    kbytes: dict[str, list[float]] = field(default_factory=lambda: {s.name: [] for s in WALK})
    cached: dict[str, list[int]] = field(default_factory=lambda: {s.name: [] for s in WALK})
    #: ws driver: (seconds since the phase started, page, page time) of every visit.
    visits: list[tuple[float, str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    server_cpu: dict[str, list[float]] = field(default_factory=lambda: {s.name: [] for s in WALK})

    def all(self) -> list[float]:
        return [t for values in self.times.values() for t in values]


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank; NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append(current)
        pending.extend(int(child) for child in children)
    return found


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB."""
    total = 0
    for current in _tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid``, its children and reaped children."""
    ticks = 0
    for current in _tree(pid):
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # utime, stime, cutime, cstime: fields 14-17 of proc(5), 12-15 after the name.
        ticks += sum(int(value) for value in fields[11:15])
    return ticks / TICK


def runnable_threads(pid: int) -> int:
    """Threads of ``pid`` and its children that are running or waiting for a core (state R).

    Sampled often, this tells the GIL from the machine: Python threads queueing for the GIL
    sleep (state S), so a server held back by the GIL shows about one runnable thread
    however many scripts are in progress; a server short of cores shows several.
    """
    count = 0
    for current in _tree(pid):
        try:
            threads = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                stat = Path(f"/proc/{current}/task/{thread}/stat").read_text()
            except OSError:
                continue
            count += stat.rsplit(")", 1)[1].split()[0] == "R"
    return count


def machine_runnable() -> int:
    """Threads running or waiting for a core on the whole machine (``procs_running``)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("procs_running"):
            return int(line.split()[1])
    return 0


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, /proc/stat), in seconds."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


def loadavg() -> str:
    """The first three fields of /proc/loadavg (1, 5 and 15 minute load)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass(frozen=True)
class Entry:
    """Where sessions connect: one server's own address, or the proxy in front of them all
    (``pids``: the server processes behind it)."""

    base: str
    pids: tuple[int, ...]
    ssl_context: ssl.SSLContext | None = None

    @property
    def proxied(self) -> bool:
        return self.ssl_context is not None

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)


class Server:
    """A dashboard server on ``db`` for the duration of a ``with`` block.

    By default its accounts file has no account (the demo store opens without sign-in) and
    it runs this checkout's dashboard; ``accounts`` and ``root`` choose others.
    """

    def __init__(
        self,
        db: Path,
        port: int,
        options: tuple[str, ...] = (),
        *,
        accounts: Path | None = None,
        root: Path = ROOT,
    ):
        self.db, self.port, self.options = db, port, options
        self.accounts = accounts or CACHE_DIR / "load-test.accounts.sqlite"
        self.root = root
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "THREATMON_DB": str(self.db), "THREATMON_BACKGROUND_FORECASTS": "0"}
        env["THREATMON_ACCOUNTS"] = str(self.accounts)
        # The checkout's own packages, whatever the environment's editable install points at.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.root), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(self.root / "dashboard.py"),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                # A deployed dashboard does not reload its sources; with the watcher on, an
                # edit to the tree during a run purges modules that running scripts import
                # (seen as KeyError 'data_loaders' under load) and re-imports them.
                "--server.fileWatcherType",
                "none",
                *(
                    part
                    for option in self.options
                    for part in (f"--{option.split('=', 1)[0]}", option.split("=", 1)[1])
                ),
            ],
            cwd=self.root,
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


# --- the browser driver ---------------------------------------------------------------


async def _page_time(page, step: Step) -> float:
    started = time.perf_counter()
    await page.locator("[data-testid='stSidebarNav']").get_by_text(step.name, exact=True).click()
    await page.locator(step.selector).first.wait_for(state="attached", timeout=TIMEOUT_S * 1000)
    await page.locator(RUNNING).wait_for(state="detached", timeout=TIMEOUT_S * 1000)
    return time.perf_counter() - started


async def _think(seconds: float) -> None:
    """A person reading the page: between half and one and a half times ``seconds``."""
    if seconds > 0:
        await asyncio.sleep(random.uniform(0.5, 1.5) * seconds)


async def _browser_session(
    browser, entry: Entry, until: float, timings: Timings, stagger: float, think: float
):
    await asyncio.sleep(stagger)
    context = await browser.new_context(
        viewport={"width": 1400, "height": 1000}, ignore_https_errors=entry.proxied
    )
    page = await context.new_page()
    try:
        await page.goto(entry.base, wait_until="domcontentloaded", timeout=TIMEOUT_S * 1000)
        await page.locator(WALK[0].selector).first.wait_for(timeout=TIMEOUT_S * 1000)
        await _think(think)
        while time.monotonic() < until:
            for step in (*WALK[1:], WALK[0]):
                try:
                    timings.times[step.name].append(await _page_time(page, step))
                except Exception as exc:  # a timeout under load is a result, not a crash
                    timings.failures.append(f"{step.name}: {type(exc).__name__}")
                if time.monotonic() >= until:
                    break
                await _think(think)
    finally:
        await context.close()


async def _browser_run(
    entries: list[Entry], sessions: int, seconds: float, think: float
) -> Timings:
    from playwright.async_api import async_playwright  # only this driver needs it

    timings = Timings()
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        until = time.monotonic() + seconds
        # Sessions arrive over the first 10 s, as people join a meeting, not all at once.
        stagger = 10.0 / max(sessions, 1)
        await asyncio.gather(
            *(
                _browser_session(
                    browser, entries[i % len(entries)], until, timings, i * stagger, think
                )
                for i in range(sessions)
            )
        )
        await browser.close()
    return timings


# --- the websocket driver -------------------------------------------------------------


async def _ws_session(
    entry: Entry, until: float, timings: Timings, stagger: float, alone: bool, think: float
):
    from websockets.exceptions import ConnectionClosed

    from bench.ws_session import Session

    await asyncio.sleep(stagger)
    try:
        async with Session(
            entry.base,
            timeout=TIMEOUT_S,
            ssl_context=entry.ssl_context,
            load_page=entry.proxied,  # a browser's routing cookie decides its server
        ) as session:
            first = await session.open()
            if first.problems or WALK[0].element not in first.elements:
                timings.failures.append(f"open: {first.problems or sorted(first.elements)}")
            await _think(think)  # reads the Overview before going on to the map
            while time.monotonic() < until:
                for step in (*WALK[1:], WALK[0]):
                    cpu = entry.cpu_seconds() if alone else 0.0
                    try:
                        visit = await session.visit(step.name)
                    except TimeoutError:  # a timeout under load is a result, not a crash
                        timings.failures.append(f"{step.name}: no answer within {TIMEOUT_S} s")
                        continue
                    if alone:
                        timings.server_cpu[step.name].append(entry.cpu_seconds() - cpu)
                    if visit.problems or step.element not in visit.elements:
                        detail = visit.problems or [f"no {step.element}"]
                        timings.failures.append(f"{step.name}: {'; '.join(detail)}")
                    else:
                        timings.times[step.name].append(visit.seconds)
                        timings.deltas[step.name].append(visit.deltas)
                        timings.kbytes[step.name].append(visit.bytes / 1024)
                        timings.cached[step.name].append(visit.cached)
                        at = time.monotonic() - timings.started
                        timings.visits.append((round(at, 2), step.name, round(visit.seconds, 3)))
                    if time.monotonic() >= until:
                        break
                    await _think(think)
    except (OSError, TimeoutError, ConnectionClosed) as exc:  # the session is lost: counted
        timings.failures.append(f"session lost: {type(exc).__name__} {exc}")


async def _ws_run(entries: list[Entry], sessions: int, seconds: float, think: float) -> Timings:
    timings = Timings()
    until = time.monotonic() + seconds
    stagger = 10.0 / max(sessions, 1)  # arrivals over the first 10 s, as for the browsers
    # Round-robin, sticky: session i keeps its websocket on server i mod N (behind the
    # proxy: on the server its routing cookie picks).
    await asyncio.gather(
        *(
            _ws_session(
                entries[i % len(entries)], until, timings, i * stagger, sessions == 1, think
            )
            for i in range(sessions)
        )
    )
    return timings


async def _warm(servers: list[Server]) -> list[str]:
    """One untimed walk on each of ``servers`` at once (imports, caches); the problems seen."""
    from bench.ws_session import Session

    async def walk(server: Server) -> list[str]:
        problems: list[str] = []
        async with Session(server.base, timeout=TIMEOUT_S) as session:
            problems += (await session.open()).problems
            for step in (*WALK[1:], WALK[0]):
                problems += (await session.visit(step.name)).problems
        return problems

    found = await asyncio.gather(*(walk(server) for server in servers))
    return [problem for problems in found for problem in problems]


# --- measuring ------------------------------------------------------------------------


@dataclass
class Sample:
    """One 2-second sample: seconds since start, server RSS (MB), cumulative CPU seconds.

    ``rss_mb`` and ``server_cpu`` are summed over the servers; ``*_each`` has each server's.
    """

    at: float
    rss_mb: float
    server_cpu: float
    machine_busy: float
    driver_cpu: float
    rss_mb_each: list[float] = field(default_factory=list)
    server_cpu_each: list[float] = field(default_factory=list)


def _driver_cpu() -> float:
    times = os.times()  # this process only: the server is a child, reaped at the end
    return times.user + times.system


async def _sample(pids: list[int], samples: list[Sample], stop: asyncio.Event) -> None:
    started = time.monotonic()
    while True:
        rss = [_rss_mb(pid) for pid in pids]
        cpu = [cpu_seconds(pid) for pid in pids]
        samples.append(
            Sample(
                time.monotonic() - started,
                sum(rss),
                sum(cpu),
                machine_busy_seconds(),
                _driver_cpu(),
                rss,
                cpu,
            )
        )
        if stop.is_set():
            return
        try:
            await asyncio.wait_for(stop.wait(), timeout=2.0)
        except TimeoutError:
            pass


async def _sample_threads(
    pids: list[int], counts: list[tuple[int, int]], stop: asyncio.Event
) -> None:
    """Every 0.2 s: (runnable threads of the servers, runnable threads on the machine)."""
    while not stop.is_set():
        counts.append((sum(runnable_threads(pid) for pid in pids), machine_runnable()))
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.2)
        except TimeoutError:
            pass


async def _measured(
    entries: list[Entry],
    sampled: list[Server],
    driver: str,
    sessions: int,
    seconds: float,
    think: float,
):
    """Run ``sessions`` on ``entries`` while sampling every server in ``sampled``."""
    samples: list[Sample] = []
    counts: list[tuple[int, int]] = []
    stop = asyncio.Event()
    pids = [server.process.pid for server in sampled]
    sampler = asyncio.create_task(_sample(pids, samples, stop))
    threads = asyncio.create_task(_sample_threads(pids, counts, stop))
    run = _ws_run if driver == "ws" else _browser_run
    try:
        timings = await run(entries, sessions, seconds, think)
    finally:
        stop.set()
        await sampler
        await threads
    return timings, samples, counts


def threads_report(counts: list[tuple[int, int]]) -> dict:
    """Mean runnable threads of the server and of the machine, and how often ≥ 2 ran."""
    if not counts:
        return {}
    server = [c for c, _ in counts]
    return {
        "server_runnable_mean": sum(server) / len(server),
        "server_runnable_2plus_share": sum(c >= 2 for c in server) / len(server),
        "machine_runnable_mean": sum(m for _, m in counts) / len(counts),
        "samples": len(counts),
    }


def summary(timings: Timings) -> dict:
    """p50 and p95 per page and over all pages, counts and failures (and ws payloads)."""
    result: dict = {}
    for name, values in timings.times.items():
        result[name] = {"n": len(values), "p50": percentile(values, 0.5)}
        result[name]["p95"] = percentile(values, 0.95)
        if timings.deltas[name]:
            result[name]["deltas_p50"] = percentile(timings.deltas[name], 0.5)
            result[name]["kbytes_p50"] = percentile(timings.kbytes[name], 0.5)
            result[name]["cached_refs_p50"] = percentile(timings.cached[name], 0.5)
        if timings.server_cpu[name]:
            result[name]["server_cpu_s_p50"] = percentile(timings.server_cpu[name], 0.5)
    every = timings.all()
    result["all"] = {"n": len(every), "p50": percentile(every, 0.5), "p95": percentile(every, 0.95)}
    result["failures"] = len(timings.failures)
    return result


def _memory(samples: list[Sample], rss) -> dict:
    half = [rss(s) for s in samples if s.at >= samples[-1].at / 2]
    return {
        "start_mb": rss(samples[0]),
        "peak_mb": max(rss(s) for s in samples),
        "end_mb": rss(samples[-1]),
        "second_half_growth_mb": half[-1] - half[0] if half else float("nan"),
    }


def memory_report(samples: list[Sample]) -> dict:
    """Memory at start, peak and end, and the growth over the second half of the run (MB).

    Summed over the servers; with more than one, ``per_server`` has each server's.
    """
    if not samples:
        return {}
    report = _memory(samples, lambda s: s.rss_mb)
    servers = len(samples[0].rss_mb_each)
    if servers > 1:
        report["per_server"] = [
            _memory(samples, lambda s, i=i: s.rss_mb_each[i]) for i in range(servers)
        ]
    return report


def cpu_report(samples: list[Sample]) -> dict:
    """Cores used on average by the server, this driver and the rest of the machine."""
    if len(samples) < 2:
        return {}
    first, last = samples[0], samples[-1]
    wall = last.at - first.at
    server = (last.server_cpu - first.server_cpu) / wall
    driver = (last.driver_cpu - first.driver_cpu) / wall
    machine = (last.machine_busy - first.machine_busy) / wall
    steps = [
        (b.server_cpu - a.server_cpu) / (b.at - a.at)
        for a, b in zip(samples, samples[1:], strict=False)
        if b.at > a.at
    ]
    report = {
        "wall_s": wall,
        "cores": os.cpu_count(),
        "server_cpu_s": last.server_cpu - first.server_cpu,
        "server_cores": server,
        "server_cores_p95_2s": percentile(steps, 0.95),
        "driver_cores": driver,
        "machine_busy_cores": machine,
        "other_cores": max(0.0, machine - server - driver),
    }
    if len(first.server_cpu_each) > 1:
        report["per_server"] = [
            {
                "server_cpu_s": b - a,
                "server_cores": (b - a) / wall,
                "server_cores_p95_2s": percentile(
                    [
                        (y.server_cpu_each[i] - x.server_cpu_each[i]) / (y.at - x.at)
                        for x, y in zip(samples, samples[1:], strict=False)
                        if y.at > x.at
                    ],
                    0.95,
                ),
            }
            for i, (a, b) in enumerate(
                zip(first.server_cpu_each, last.server_cpu_each, strict=True)
            )
        ]
    return report


def _phase(
    entries: list[Entry],
    sampled: list[Server],
    driver: str,
    sessions: int,
    minutes: float,
    think: float = 0,
) -> dict:
    load_start = loadavg()
    measured = _measured(entries, sampled, driver, sessions, minutes * 60, think)
    timings, samples, counts = asyncio.run(measured)
    return {
        "sessions": sessions,
        "minutes": minutes,
        "think_s": think,
        "loadavg_start": load_start,
        "loadavg_end": loadavg(),
        "pages": summary(timings),
        "failures": timings.failures,
        "visits": timings.visits,
        "memory": memory_report(samples),
        "cpu": cpu_report(samples),
        "threads": threads_report(counts),
        "samples": [vars(s) for s in samples],
    }


def _print_phase(label: str, phase: dict) -> None:
    cpu, memory = phase["cpu"], phase["memory"]
    print(
        f"{label}: {phase['sessions']} session(s), {phase['minutes']:g} min, "
        f"think {phase['think_s']:g} s, "
        f"{phase['pages']['all']['n']} pages, {phase['pages']['failures']} failed; "
        f"loadavg {phase['loadavg_start']} → {phase['loadavg_end']}"
    )
    if cpu:
        print(
            f"  server CPU {cpu['server_cpu_s']:.0f} s in {cpu['wall_s']:.0f} s = "
            f"{cpu['server_cores']:.2f} of {cpu['cores']} cores (p95 of 2-s samples "
            f"{cpu['server_cores_p95_2s']:.2f}); this driver {cpu['driver_cores']:.2f}, "
            f"everything else {cpu['other_cores']:.2f}; machine busy "
            f"{cpu['machine_busy_cores']:.2f} cores"
        )
    if phase["threads"]:
        threads = phase["threads"]
        print(
            f"  runnable threads (every 0.2 s): server {threads['server_runnable_mean']:.2f} on "
            f"average, ≥ 2 in {threads['server_runnable_2plus_share']:.0%} of samples; "
            f"whole machine {threads['machine_runnable_mean']:.2f}"
        )
    if memory:
        print(
            f"  server memory {memory['start_mb']:.0f} MB at start, {memory['peak_mb']:.0f} MB "
            f"at peak, {memory['end_mb']:.0f} MB at the end, "
            f"{memory['second_half_growth_mb']:+.0f} MB over the second half"
            + (" (sum of the servers)" if "per_server" in memory else "")
        )
    for i, (mem, core) in enumerate(
        zip(memory.get("per_server", []), cpu.get("per_server", []), strict=False)
    ):
        print(
            f"    server {i}: CPU {core['server_cpu_s']:.0f} s = {core['server_cores']:.2f} cores "
            f"(p95 {core['server_cores_p95_2s']:.2f}); memory {mem['start_mb']:.0f} / "
            f"{mem['peak_mb']:.0f} / {mem['end_mb']:.0f} MB, "
            f"{mem['second_half_growth_mb']:+.0f} MB over the second half"
        )
    for failure in sorted(set(phase["failures"]))[:10]:
        print(f"  failure ×{phase['failures'].count(failure)}: {failure}")


@contextlib.contextmanager
def _proxy(servers: list[Server], port: int):
    """The deployment's nginx in front of ``servers``, https on ``port``, http on the next."""
    from devtools.nginx import running_proxy

    with tempfile.TemporaryDirectory(prefix="threatmon-nginx-") as folder:
        with running_proxy([s.port for s in servers], Path(folder), port, port + 1) as proxy:
            yield proxy


def _websockets_per_server(lines: list[str]) -> dict[str, int]:
    """How many websockets nginx passed to each server, from its access log."""
    counts: dict[str, int] = {}
    for line in lines:
        if " /_stcore/stream " in line and "upstream=" in line:
            upstream = line.rsplit("upstream=", 1)[1]
            counts[upstream] = counts.get(upstream, 0) + 1
    return counts


def main() -> None:
    """Parse arguments, run the baseline and the loaded walk, print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--scale", type=float, default=20, help="demo scale (20 ≈ 10M incidents)")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    parser.add_argument("--minutes", type=float, default=10, help="length of the loaded run")
    parser.add_argument("--baseline-minutes", type=float, default=1, help="single-session run")
    parser.add_argument(
        "--driver",
        choices=("ws", "browser"),
        default="ws",
        help="ws: Streamlit's websocket protocol, no browser (default); browser: Chromium",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="seconds a loaded session spends on a page before the next (0.5-1.5 times this; "
        "default 0: back to back)",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false",
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="server processes on the same store (ports --port and up); sessions are dealt "
        "out round-robin and stay on their server (default 1)",
    )
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="every session goes through the deployment's nginx (TLS, sticky routing cookie) "
        "in front of the servers, on the two ports after theirs",
    )
    parser.add_argument("--port", type=int, default=8765, help="the first server's port")
    args = parser.parse_args()
    if args.servers < 1:
        parser.error("--servers must be at least 1")
    store = demo_store(args.scale)
    coverage = store.coverage()
    print(
        f"store: scale {args.scale:g}, {coverage['records']:,} rows, "
        f"{coverage['incidents']:,} incidents; driver {args.driver}"
        + (f"; options {', '.join(args.option)}" if args.option else "")
        + (f"; {args.servers} servers" if args.servers > 1 else "")
        + ("; through nginx" if args.proxy else "")
    )
    warm_problems: list[str] = []
    websockets: dict[str, int] = {}
    nginx_cpu = 0.0
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(Server(store.location.file, args.port + i, tuple(args.option)))
            for i in range(args.servers)
        ]
        direct = [Entry(server.base, (server.process.pid,)) for server in servers]
        entries, proxy = direct, None
        if args.proxy:
            proxy = stack.enter_context(_proxy(servers, args.port + args.servers))
            entries = [Entry(proxy.base, tuple(e.pids[0] for e in direct), proxy.ssl_context())]
        alone = _phase(entries[:1], servers, args.driver, 1, args.baseline_minutes)
        # Behind the proxy the baseline landed on any server: warm them all.
        cold = servers if proxy else servers[1:]
        if cold:
            warm_problems = asyncio.run(_warm(cold))
        seen = len(proxy.log_lines()) if proxy else 0
        nginx_cpu = cpu_seconds(proxy.pid) if proxy else 0.0
        loaded = _phase(entries, servers, args.driver, args.sessions, args.minutes, args.think)
        if proxy:
            time.sleep(1)  # nginx logs a websocket when it closes
            websockets = _websockets_per_server(proxy.log_lines()[seen:])
            nginx_cpu = cpu_seconds(proxy.pid) - nginx_cpu
    base, under = alone["pages"], loaded["pages"]
    print(f"{'page':<10} {'alone p50':>10} {'p95':>7} {'loaded p50':>11} {'p95':>7} {'ratio':>6}")
    for name in [*(s.name for s in WALK), "all"]:
        b, u = base[name], under[name]
        extra = ""
        if "server_cpu_s_p50" in b:
            extra = (
                f", alone: server CPU {b['server_cpu_s_p50']:.2f} s, "
                f"{b['deltas_p50']} deltas ({b['cached_refs_p50']} from the client's cache), "
                f"{b['kbytes_p50']:.0f} kB"
            )
        print(
            f"{name:<10} {b['p50']:>9.2f}s {b['p95']:>6.2f}s {u['p50']:>10.2f}s "
            f"{u['p95']:>6.2f}s {u['p95'] / b['p95']:>6.1f}  (n={u['n']}{extra})"
        )
    _print_phase("alone", alone)
    if warm_problems:
        print(f"  warming the servers: {warm_problems[:5]}")
    _print_phase("loaded", loaded)
    if websockets:
        print(
            "  through nginx, websockets per server: "
            + ", ".join(f"{upstream} {count}" for upstream, count in sorted(websockets.items()))
            + f"; nginx CPU {nginx_cpu:.1f} s over the loaded phase"
        )
    out = CACHE_DIR / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    result = {
        "scale": args.scale,
        "driver": args.driver,
        "sessions": args.sessions,
        "minutes": args.minutes,
        "think_s": args.think,
        "servers": args.servers,
        "ports": [args.port + i for i in range(args.servers)],
        "proxy": args.proxy,
        "websockets_per_server": websockets,
        "nginx_cpu_s": nginx_cpu if args.proxy else None,
        "warm_problems": warm_problems,
        "streamlit_options": args.option,
        "cores": os.cpu_count(),
        "alone": alone,
        "loaded": loaded,
    }
    out.write_text(json.dumps(result, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
