"""The pages' slow imports and reference data, loaded once per server process in the background.

The first map of a fresh server took 25 s, almost all of it importing geopandas,
esda/libpysal, folium and plotly and parsing the boundaries. The frame starts this at
the end of its first run, so the imports go on while the person reads that first page
or types into the sign-in form; by the time a page needs them they are in
``sys.modules``. Not before that page: a thread importing holds the interpreter lock
most of the time, and the first Overview of a fresh server waited for it. Python's
import locks make a page that asks for a module still being imported wait for it
instead of importing it twice.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

#: What the pages import beyond the frame's own modules, slowest first. Never a module
#: that declares a Streamlit component (streamlit_folium): declared outside a script run,
#: the component's files are not served and the map never loads.
MODULES: tuple[str, ...] = (
    "geo.analysis",
    "geo.layers",
    "geo.png",
    "reports.figures",
    "ui.figures",
    # Only a viewer's Overview draws with it (its sensitive trend), after the first page.
    "plotly.express",
)

_LOG = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None
_done = threading.Event()


def start() -> bool:
    """Start the warm-up unless it has started in this process; True if this call did."""
    global _thread
    with _lock:
        if _thread is not None:
            return False
        _thread = threading.Thread(target=_warm, name="threatmon-warm-up", daemon=True)
        _thread.start()
        return True


def wait(timeout: float | None = None) -> bool:
    """Wait for the warm-up to finish; True if it has."""
    return _done.wait(timeout)


def _warm() -> None:
    started = time.perf_counter()
    try:
        for name in MODULES:
            importlib.import_module(name)
        from geo import boundaries

        boundaries.regions()
        boundaries.context()
    except Exception:  # a page that needs the module reports its own error
        _LOG.exception("Warm-up failed; pages import what they need themselves.")
    finally:
        _done.set()
        _LOG.debug("Warm-up finished in %.1f s.", time.perf_counter() - started)
