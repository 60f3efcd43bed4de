"""One dashboard session over Streamlit's own websocket protocol, without a browser.

The load test's default driver (``bench/load.py --driver ws``). It speaks to
``ws://host:port/_stcore/stream`` what Streamlit 1.67's frontend speaks:

- the handshake offers the ``streamlit`` subprotocol and a same-origin ``Origin``. The
  XSRF token (the subprotocol's second entry) only guards Streamlit's own ``st.login``
  cookie, which the demo deployment does not use (no accounts file: open demo access);
- frames are binary protobufs: ``BackMsg`` up, ``ForwardMsg`` down;
- a page visit is a ``BackMsg.rerun_script`` carrying a ``ClientState`` with the page's
  ``page_script_hash`` (announced by the ``navigation`` ForwardMsg that ``st.navigation``
  sends on every run), the query string the app last set (``page_info_changed``), an
  empty ``page_name``, no widget changes (empty ``WidgetStates``: the frame's filters
  keep their values, as when a person only changes page) and the ``ContextInfo`` a
  browser sends (time zone, locale, URL);
- the client keeps the frontend's message cache: a ``new_element`` delta the server
  flags ``metadata.cacheable`` (≥ 10 kB) is remembered by hash and its hash sent in
  ``ClientState.cached_message_hashes`` on each rerun, so the server may answer with a
  ``ref_hash`` instead of the element, as it does for a browser. Entries expire after
  ``new_session.config.max_cached_message_age`` finished runs, as in the frontend. In
  1.67 no ``BackMsg`` is needed for this (a cache miss is a client bug, counted here as
  a failure).

A visit's time runs from sending the rerun to the ``script_finished`` of the run it
started. It fails when that run ends with an exception element, an error alert, a
compile error or "page not found", or lacks the page's main element (the Overview's
metric, the map's ``streamlit_folium`` component, the forecast's Plotly chart): the
same elements the browser driver waits for, which shows both reach the same pages.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

FINISHED = ForwardMsg.ScriptFinishedStatus
#: An alert's ``format`` for ``st.error``.
ALERT_ERROR = 1


@dataclass
class Visit:
    """What one run sent back: its time, its deltas and what went wrong (if anything)."""

    seconds: float
    deltas: int = 0
    cached: int = 0
    bytes: int = 0
    elements: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


class Session:
    """One Streamlit session on its own websocket (``async with Session(base) as s``).

    ``base`` may be ``https://`` (a reverse proxy; ``ssl_context`` then says which
    certificates to trust). ``cookies`` go with the handshake, as a browser's would; with
    ``load_page`` the session first loads the page at ``base`` as a browser does and keeps
    the cookies it sets (a proxy's routing cookie pins the websocket to one server).
    ``session_id`` is the server's id of the session once the first run has begun.
    """

    def __init__(
        self,
        base: str,
        timeout: float = 120.0,
        *,
        cookies: dict[str, str] | None = None,
        ssl_context=None,
        load_page: bool = False,
    ):
        self.base = base.rstrip("/")
        self.url = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        self.timeout = timeout
        self.cookies = dict(cookies or {})
        self.ssl_context = ssl_context
        self.load_page = load_page
        self.session_id = ""
        self.pages: dict[str, str] = {}  # menu title and URL path → page_script_hash
        self.query_string = ""
        self.cache: dict[str, tuple[int, str]] = {}  # hash → (run count, element kind)
        self.runs = 0
        self.max_age = 2
        self._socket = None

    async def __aenter__(self) -> Session:
        if self.load_page:
            self.cookies.update(await asyncio.to_thread(self._page_cookies))
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self._socket = await connect(
            self.url,
            subprotocols=["streamlit"],
            origin=self.base,
            max_size=None,  # a map page is one large element
            ping_interval=None,  # a browser only answers the server's pings
            proxy=None,
            open_timeout=self.timeout,
            additional_headers={"Cookie": cookie} if cookie else None,
            ssl=self.ssl_context if self.url.startswith("wss:") else None,
        )
        return self

    def _page_cookies(self) -> dict[str, str]:
        request = urllib.request.Request(self.base + "/")
        with urllib.request.urlopen(request, timeout=self.timeout, context=self.ssl_context) as r:
            r.read()
            jar = SimpleCookie()
            for header in r.headers.get_all("Set-Cookie") or ():
                jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}

    async def __aexit__(self, *exc) -> None:
        await self._socket.close()

    async def open(self) -> Visit:
        """The first run, as a browser opening the base URL (the default page)."""
        return await self._run(page_script_hash="")

    async def visit(self, page: str) -> Visit:
        """Change to ``page`` (its menu title or URL path) as the sidebar menu does."""
        if page not in self.pages:
            raise KeyError(f"no page {page!r} in the navigation ({sorted(self.pages)})")
        return await self._run(page_script_hash=self.pages[page])

    async def _run(self, page_script_hash: str) -> Visit:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = page_script_hash
        state.page_name = ""
        state.widget_states.SetInParent()
        state.cached_message_hashes.extend(self.cache)
        context = state.context_info
        context.timezone, context.timezone_offset, context.locale = "UTC", 0, "en-US"
        context.url = self.base + "/"
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        visit = Visit(seconds=0.0)
        await asyncio.wait_for(self._until_finished(visit), self.timeout)
        visit.seconds = time.perf_counter() - started
        return visit

    async def _until_finished(self, visit: Visit) -> None:
        started_run = False  # messages left over from an earlier run are skipped
        while True:
            frame = await self._socket.recv()
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                started_run = True
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                age = msg.new_session.config.max_cached_message_age
                self.max_age = age or self.max_age
                visit.elements.clear()
                continue
            if not started_run:
                continue
            visit.bytes += len(frame)
            if kind == "navigation":
                pages = msg.navigation.app_pages
                self.pages = {p.url_pathname: p.page_script_hash for p in pages}
                self.pages.update({p.page_name: p.page_script_hash for p in pages})
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                visit.problems.append("page not found")
            elif kind == "session_event" and msg.session_event.HasField(
                "script_compilation_exception"
            ):
                visit.problems.append("compilation error")
            elif kind in ("delta", "ref_hash"):
                self._delta(msg, kind, visit)
            elif kind == "script_finished":
                status = msg.script_finished
                if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    started_run = False  # the rerun it gave way to is the one that counts
                    continue
                self._age_cache()
                if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    visit.problems.append("compile error")
                return

    def _delta(self, msg: ForwardMsg, kind: str, visit: Visit) -> None:
        visit.deltas += 1
        if kind == "ref_hash":
            entry = self.cache.get(msg.ref_hash)
            if entry is None:
                visit.problems.append("cached message missing")
                return
            visit.cached += 1
            self.cache[msg.ref_hash] = (self.runs, entry[1])
            element = entry[1]
        else:
            element = self._element(msg)
            if msg.metadata.cacheable and msg.hash:
                self.cache[msg.hash] = (self.runs, element)
        visit.elements.add(element)
        if element == "exception":
            exc = msg.delta.new_element.exception
            visit.problems.append(f"exception {exc.type}: {exc.message[:120]}")
        elif element == "alert" and msg.delta.new_element.alert.format == ALERT_ERROR:
            visit.problems.append(f"error: {msg.delta.new_element.alert.body[:120]}")

    @staticmethod
    def _element(msg: ForwardMsg) -> str:
        if msg.delta.WhichOneof("type") != "new_element":
            return msg.delta.WhichOneof("type") or ""
        element = msg.delta.new_element
        name = element.WhichOneof("type") or ""
        if name == "component_instance":
            return f"component:{element.component_instance.component_name}"
        return name

    def _age_cache(self) -> None:
        self.runs += 1
        for key, (seen, _) in list(self.cache.items()):
            if self.runs - seen > self.max_age:
                del self.cache[key]
