"""Chart PNGs come from the local Chromium and local plotly.js, and never from the network.

One shared browser serves the whole module (starting Chromium takes ~3 s). It is
started behind a recording proxy, in place of the closed port the module routes
Chromium's traffic to, with the usual proxy variables pointing at a dead port.
"""

from __future__ import annotations

import io
import os
import re
import socketserver
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import plotly
import plotly.graph_objects as go
import pytest
from kaleido import _page_generator
from PIL import Image

from reports import chart_png
from reports.chart_png import ChartExportError, ChartRenderer, browser_path, figure_png

DEAD_PROXY = "http://127.0.0.1:9"


class _Recorder(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(4096).decode("latin-1").strip()
        self.server.requests.append(line)  # type: ignore[attr-defined]
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


class RecordingProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on loopback that records each request line and answers 502."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.requests: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def hosts(self) -> set[str]:
        """Host names asked for: ``CONNECT host:443`` or ``GET http://host/…``."""
        found = set()
        for line in self.requests:
            parts = line.split()
            if len(parts) >= 2:
                target = parts[1] if "://" in parts[1] else f"//{parts[1]}"
                found.add(urlparse(target).hostname or "")
        return found


@dataclass
class Rendered:
    """What the module's one browser produced."""

    proxy: RecordingProxy
    png: bytes
    scaled_png: bytes
    figure_before: dict
    figure_after: dict


def _bar_chart() -> go.Figure:
    """Three bars with a layout size that the call's size must override."""
    return go.Figure(
        go.Bar(x=["Chișinău", "Одеська область", "Iași"], y=[4, 7, 2]),
        layout={"title": {"text": "Incidents"}, "width": 300, "height": 200},
    )


def _children_command_lines() -> dict[int, list[str]]:
    """Command lines of this process's children (choreographer's wrapper runs Chromium)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid():
                raw = (stat.parent / "cmdline").read_bytes()
                found[int(stat.parent.name)] = raw.decode().split("\0")
        except (OSError, IndexError, ValueError):
            continue
    return found


@pytest.fixture(scope="module")
def rendered():
    """One shared browser, started and used behind a recording proxy, dead proxies in env."""
    if not os.access(browser_path(), os.X_OK):
        pytest.skip(f"no Chromium at {browser_path()}")
    proxy = RecordingProxy()
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            mp.setenv(name, DEAD_PROXY)
        mp.setattr(chart_png, "NO_NETWORK_PROXY", proxy.url)
        chart_png.close_browser()
        fig = _bar_chart()
        before = fig.to_dict()
        png = figure_png(fig)
        scaled = figure_png(fig, width=320, height=240, scale=2)
        yield Rendered(proxy, png, scaled, before, fig.to_dict())
        chart_png.close_browser()
    proxy.shutdown()
    proxy.server_close()


@pytest.mark.slow
def test_png_has_the_signature_and_the_requested_size(rendered):
    assert rendered.png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(rendered.png)) as image:
        assert image.size == (1200, 600)
        darkest, lightest = image.convert("L").getextrema()
        assert darkest < 128 < lightest, "the chart looks blank"


def test_scale_multiplies_the_pixels(rendered):
    with Image.open(io.BytesIO(rendered.scaled_png)) as image:
        assert image.size == (640, 480)


def test_the_figure_is_not_changed(rendered):
    assert rendered.figure_after == rendered.figure_before


def test_page_loads_only_local_files():
    """Every script kaleido's page loads is a file:// URI that exists; MathJax is off."""
    html = chart_png._offline_page().generate_index()
    sources = re.findall(r'src="([^"]*)"', html)
    assert sources, "the page loads no script at all?"
    for source in sources:
        assert source.startswith("file:///"), source
        assert Path(unquote(urlparse(source).path)).is_file(), source
    plotly_js = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    assert plotly_js.as_uri() in sources
    assert "http" not in html.lower()
    assert "mathjax" not in html.lower()


def test_browser_is_started_off_the_network(rendered):
    """The launched Chromium routes everything to the configured proxy and resolves no host."""
    figure_png(_bar_chart(), width=200, height=100)  # make sure it is running
    ours = [
        cmd
        for cmd in _children_command_lines().values()
        if f"--proxy-server={rendered.proxy.url}" in cmd
    ]
    assert len(ours) == 1, "expected one Chromium started by the module"
    cmd = ours[0]
    assert cmd[2] == browser_path()
    assert "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" in cmd
    assert "--disable-extensions" in cmd


def test_no_request_for_plotly_js_or_mathjax(rendered):
    """Renders worked with dead proxies; nothing asked the CDNs kaleido would default to."""
    cdn_hosts = {
        urlparse(_page_generator.DEFAULT_PLOTLY).hostname,
        urlparse(_page_generator.DEFAULT_MATHJAX).hostname,
        "cdn.plot.ly",
    }
    assert not rendered.proxy.hosts() & cdn_hosts, rendered.proxy.requests


def test_the_recorder_does_see_page_requests(rendered):
    """Control: a page request does reach the proxy, so the check above is not vacuous.

    Goes around the refusal of remote images on purpose; the module's real proxy
    is a closed port, so in production such a request fails on the machine.
    """
    fig = go.Figure(
        go.Bar(x=["a"], y=[1]),
        layout={
            "images": [{"source": "https://example.com/logo.png", "sizex": 1, "sizey": 1, "x": 0}]
        },
    )
    image = chart_png._shared_renderer()._render(fig.to_dict(), {"format": "png"})
    assert image.startswith(b"\x89PNG")
    assert "example.com" in rendered.proxy.hosts()


@pytest.mark.parametrize(
    ("fig", "message"),
    [
        (
            go.Figure(go.Scattergeo(lat=[47.0], lon=[28.8])),
            "Figure has trace types that need the internet to draw: ['scattergeo']. "
            "Draw maps with geo.png.map_png instead.",
        ),
        (
            go.Figure([go.Scattermap(lat=[47.0], lon=[28.8]), go.Bar(y=[1])]),
            "Figure has trace types that need the internet to draw: ['scattermap']. "
            "Draw maps with geo.png.map_png instead.",
        ),
        (
            go.Figure(layout={"images": [{"source": "https://example.com/a.png"}]}),
            "Figure has layout images given by URL, which would be fetched: "
            "['https://example.com/a.png']. Embed them as data: URIs instead.",
        ),
    ],
    ids=["geo", "map", "remote-image"],
)
def test_figures_that_need_the_internet_are_refused(fig, message):
    with pytest.raises(ChartExportError) as caught:
        figure_png(fig)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 0}, "`width` must be a positive number. Got 0."),
        ({"scale": -1}, "`scale` must be a positive number. Got -1."),
    ],
)
def test_bad_sizes_are_refused(kwargs, message):
    with pytest.raises(ValueError) as caught:
        figure_png(_bar_chart(), **kwargs)
    assert str(caught.value) == message


def test_missing_browser_error_names_the_path(monkeypatch, tmp_path):
    missing = str(tmp_path / "no-chromium")
    monkeypatch.setenv("THREATMON_CHROMIUM", missing)
    with pytest.raises(ChartExportError) as caught:
        ChartRenderer().png(_bar_chart())
    assert str(caught.value) == (
        f"Chromium not found or not executable at '{missing}'. Chart images are drawn by a "
        "local Chromium: install Debian's `chromium` package or set THREATMON_CHROMIUM "
        "to the browser's path."
    )


def test_browser_that_will_not_start_is_reported():
    with pytest.raises(ChartExportError) as caught:
        ChartRenderer("/bin/true").png(_bar_chart())
    assert str(caught.value) == (
        "Chromium at '/bin/true' exited as soon as it started. Check that it is a working "
        "Chromium, or set THREATMON_CHROMIUM to one."
    )


def test_browser_path_defaults_to_debian_chromium(monkeypatch):
    monkeypatch.delenv("THREATMON_CHROMIUM", raising=False)
    assert browser_path() == "/usr/bin/chromium"
    monkeypatch.setenv("THREATMON_CHROMIUM", "/opt/chromium/chrome")
    assert browser_path() == "/opt/chromium/chrome"
