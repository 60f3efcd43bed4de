"""Plotly figures as PNG bytes, drawn by a local Chromium through kaleido 1.x, offline.

Kaleido 1.x no longer ships a browser: it drives an installed Chromium over the
DevTools protocol and, left to its defaults, would let choreographer hunt for a
browser (``BROWSER_PATH``, ``PATH``, a downloaded copy) and load MathJax from
cdnjs. Here every input is pinned instead:

* **Browser**: ``THREATMON_CHROMIUM`` if set, else ``/usr/bin/chromium`` (Debian's
  package). The path is passed to kaleido explicitly, so ``BROWSER_PATH`` and
  choreographer's search and download are never consulted.
* **Page**: a :class:`kaleido.PageGenerator` that loads the ``plotly.min.js``
  shipped inside the installed plotly package (a ``file://`` URI) and kaleido's
  own ``kaleido_scopes.js``; MathJax is disabled, so no script comes from a CDN.
* **Network**: Chromium itself phones home on start (time, update and account
  services, the default search engine), whatever the page does. It is started
  with every connection routed to a proxy on a closed loopback port and every host
  name resolving to nothing, so no request leaves the machine.
* Traces that need the internet by design (``scattergeo``/``choropleth`` fetch
  topojson, the ``*map``/``*mapbox`` traces fetch tiles) and layout images given by
  URL are refused before anything is drawn; use :func:`geo.png.map_png` for maps.

Starting Chromium takes about three seconds, so one browser is started on first
use and shared by later calls from any thread; :func:`close_browser` stops it (it
is also stopped at interpreter exit).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
import warnings
from concurrent.futures import TimeoutError as FutureTimeoutError
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
from choreographer.browsers import BrowserClosedError, BrowserFailedError, Chromium
from kaleido import Kaleido, PageGenerator
from kaleido.errors import JavascriptError, KaleidoError

from threatmon.settings import current_settings

__all__ = [
    "ChartExportError",
    "ChartRenderer",
    "browser_path",
    "close_browser",
    "figure_png",
]

# Every connection Chromium makes goes here: port 9 (discard) on loopback, where
# nothing listens, so requests fail at once instead of reaching the internet.
NO_NETWORK_PROXY = "http://127.0.0.1:9"
# Host names resolve to nothing (the proxy is an IP literal, so it is excluded).
_NO_DNS_RULES = "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
_PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
# Seconds: one render in the browser, then the whole call (queueing included).
_RENDER_TIMEOUT = 30.0
_CALL_TIMEOUT = 120.0
_START_TIMEOUT = 60.0
_CLOSE_TIMEOUT = 15.0

# plotly.js fetches topojson for geo subplots and styles/tiles for map subplots.
_ONLINE_TRACE_TYPES = frozenset(
    {
        "scattergeo",
        "choropleth",
        "scattermap",
        "choroplethmap",
        "densitymap",
        "scattermapbox",
        "choroplethmapbox",
        "densitymapbox",
    }
)


class ChartExportError(Exception):
    """A chart could not be drawn as an image (no browser, or the browser failed)."""


def browser_path() -> str:
    """The Chromium to use: ``THREATMON_CHROMIUM`` if set, else ``/usr/bin/chromium``."""
    return current_settings().chromium


def _missing_browser_message(path: str) -> str:
    return (
        f"Chromium not found or not executable at {path!r}. Chart images are drawn by a "
        "local Chromium: install Debian's `chromium` package or set THREATMON_CHROMIUM "
        "to the browser's path."
    )


def _offline_page() -> PageGenerator:
    """The HTML page kaleido renders in: local plotly.js, no MathJax, nothing from a CDN."""
    if not _PLOTLY_JS.is_file():
        raise ChartExportError(f"plotly.js is missing from the plotly package: {_PLOTLY_JS}")
    return PageGenerator(plotly=_PLOTLY_JS.as_uri(), mathjax=False)


class _OfflineChromium(Chromium):
    """choreographer's Chromium launcher plus flags that keep the browser off the network."""

    def get_cli(self) -> list[str]:
        return [*super().get_cli(), f"--host-resolver-rules={_NO_DNS_RULES}"]


def _check_offline(figure: dict[str, Any]) -> None:
    online = sorted(
        {t.get("type", "scatter") for t in figure.get("data", [])} & _ONLINE_TRACE_TYPES
    )
    if online:
        raise ChartExportError(
            f"Figure has trace types that need the internet to draw: {online}. "
            "Draw maps with geo.png.map_png instead."
        )
    remote = [
        image.get("source")
        for image in figure.get("layout", {}).get("images", [])
        if str(image.get("source", "")).lower().startswith(("http:", "https:", "//"))
    ]
    if remote:
        raise ChartExportError(
            f"Figure has layout images given by URL, which would be fetched: {remote}. "
            "Embed them as data: URIs instead."
        )


def _prepare(
    fig: go.Figure, width: int, height: int, scale: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check the arguments and copy the figure, before any browser is involved."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"Expected a plotly.graph_objects.Figure. Got {type(fig)!r}.")
    for name, value in (("width", width), ("height", height), ("scale", scale)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"`{name}` must be a positive number. Got {value!r}.")
    # A plain deep copy, made on the caller's thread: the browser thread never
    # touches the caller's figure.
    spec = fig.to_dict()
    _check_offline(spec)
    return spec, {"format": "png", "width": width, "height": height, "scale": scale}


class ChartRenderer:
    """One Chromium, started by :meth:`start` (or ``with``), drawing figures until :meth:`close`.

    The browser runs with its own asyncio loop on a daemon thread, so the blocking
    methods can be called from any thread (Streamlit sessions, the CLI); renders
    queue for the browser's tab.

    Parameters
    ----------
    path
        The Chromium executable; default :func:`browser_path`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = str(path) if path is not None else browser_path()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Kaleido | None = None

    def __enter__(self) -> ChartRenderer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        """Whether the browser is started and its process still alive."""
        kaleido = self._kaleido
        process = getattr(kaleido, "subprocess", None)
        return process is not None and process.poll() is None

    def start(self) -> None:
        """Start the browser (a no-op if running); raises :class:`ChartExportError`."""
        with self._lock:
            if self._kaleido is not None:
                return
            if not (Path(self.path).is_file() and os.access(self.path, os.X_OK)):
                raise ChartExportError(_missing_browser_message(self.path))
            page = _offline_page()
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="threatmon-chart-browser", daemon=True
            )
            thread.start()
            future = asyncio.run_coroutine_threadsafe(self._open(page), loop)
            try:
                self._kaleido = future.result(timeout=_START_TIMEOUT)
            except BaseException as exc:
                future.cancel()
                _stop_loop(loop, thread)
                if isinstance(exc, FutureTimeoutError):
                    raise ChartExportError(
                        f"Chromium at {self.path!r} did not start within {_START_TIMEOUT:.0f} s."
                    ) from exc
                if isinstance(exc, (BrowserFailedError, BrowserClosedError)):
                    # choreographer's own message suggests downloading Chrome: not here.
                    raise ChartExportError(
                        f"Chromium at {self.path!r} exited as soon as it started. Check that "
                        "it is a working Chromium, or set THREATMON_CHROMIUM to one."
                    ) from exc
                if isinstance(exc, Exception):
                    raise ChartExportError(
                        f"Chromium at {self.path!r} failed to start: {type(exc).__name__}: {exc}"
                    ) from exc
                raise
            self._loop, self._thread = loop, thread

    async def _open(self, page: PageGenerator) -> Kaleido:
        kaleido = Kaleido(
            path=self.path,
            page_generator=page,
            n=1,  # a second tab costs ~1.5 s of start-up and gains little on 2 cores
            timeout=_RENDER_TIMEOUT,
            browser_cls=_OfflineChromium,
            proxy_server=NO_NETWORK_PROXY,
            enable_extensions=False,
        )
        try:
            await kaleido.open()
        except BaseException:
            # Reap whatever did start; the original error is the one worth reporting.
            with contextlib.suppress(Exception):
                await kaleido.close()
            raise
        return kaleido

    def close(self) -> None:
        """Stop the browser and its thread; safe to call twice."""
        with self._lock:
            kaleido, loop, thread = self._kaleido, self._loop, self._thread
            self._kaleido = self._loop = self._thread = None
        if kaleido is None or loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(kaleido.close(), loop).result(_CLOSE_TIMEOUT)
        except Exception as exc:  # still stop the loop: the process is gone or stuck
            warnings.warn(
                f"Chromium at {self.path!r} did not close cleanly: {exc!r}",
                RuntimeWarning,
                stacklevel=2,
            )
        finally:
            _stop_loop(loop, thread)

    def png(
        self, fig: go.Figure, *, width: int = 1200, height: int = 600, scale: float = 1
    ) -> bytes:
        """One figure as PNG bytes; see :func:`figure_png`."""
        return self._render(*_prepare(fig, width, height, scale))

    def _render(self, spec: dict[str, Any], opts: dict[str, Any]) -> bytes:
        """Draw one figure dict, unchecked (tests use this to send a page request on purpose)."""
        self.start()
        loop, kaleido = self._loop, self._kaleido
        if loop is None or kaleido is None:
            raise ChartExportError(f"Chromium at {self.path!r} was closed while rendering.")
        future = asyncio.run_coroutine_threadsafe(kaleido.calc_fig(spec, opts=opts), loop)
        try:
            image = future.result(timeout=_CALL_TIMEOUT)
        except (KaleidoError, JavascriptError) as exc:
            # plotly.js rejected this figure; the browser is fine.
            raise ChartExportError(
                f"Chromium at {self.path!r} could not draw the figure: {exc}"
            ) from exc
        except FutureTimeoutError as exc:
            future.cancel()
            self.close()
            raise ChartExportError(
                f"Chromium at {self.path!r} did not draw the figure within "
                f"{_CALL_TIMEOUT:.0f} s; the browser was stopped."
            ) from exc
        except Exception as exc:
            # Browser or channel trouble: start afresh next time.
            self.close()
            raise ChartExportError(
                f"Chromium at {self.path!r} failed while drawing the figure: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not image.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ChartExportError(
                f"Chromium at {self.path!r} returned something other than a PNG: {image[:16]!r}"
            )
        return image


def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=_CLOSE_TIMEOUT)
    if not thread.is_alive():
        loop.close()


_shared: ChartRenderer | None = None
_shared_lock = threading.Lock()


def _shared_renderer() -> ChartRenderer:
    """The process-wide renderer, (re)started if missing, dead or pointed at another path."""
    global _shared
    path = browser_path()
    with _shared_lock:
        if _shared is not None and (_shared.path != path or not _shared.running):
            _shared.close()
            _shared = None
        if _shared is None:
            renderer = ChartRenderer(path)
            renderer.start()
            _shared = renderer
        return _shared


def close_browser() -> None:
    """Stop the shared browser (the next :func:`figure_png` starts a new one)."""
    global _shared
    with _shared_lock:
        renderer, _shared = _shared, None
    if renderer is not None:
        renderer.close()


atexit.register(close_browser)


def figure_png(fig: go.Figure, *, width: int = 1200, height: int = 600, scale: float = 1) -> bytes:
    """Draw a plotly figure as PNG bytes, offline, with the shared local Chromium.

    Parameters
    ----------
    fig
        The figure; it is copied, never changed.
    width, height
        Size in CSS pixels; they override the figure's own layout size.
    scale
        Pixel multiplier: the PNG is ``width * scale`` by ``height * scale`` pixels.

    Raises
    ------
    ChartExportError
        Chromium is missing or failed, or the figure needs the internet to draw.
    """
    spec, opts = _prepare(fig, width, height, scale)
    return _shared_renderer()._render(spec, opts)
