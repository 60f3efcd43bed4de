"""The map page's drawn maps, kept per process so that a rerun does not draw them again.

A rerun of the map page that changes nothing on the map (a click on a region, a widget
under the map, a return to the page) used to rebuild the layers, the ``folium.Map`` and
streamlit-folium's Leaflet script: about 0.6 s of the server's CPU per rerun for 230
regions. :func:`drawn_map` keeps, for one key, the layers and the component's arguments
(the script and everything else ``st_folium`` sends) and hands the same arguments to the
component again. The key holds everything the map depends on: the store and the reader's
access, the store version, the selection, the map settings, the language, the tile
server, the height and the titles (see :func:`map_key`); the browser gets the same
arguments, so it keeps the map it has drawn.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit_folium
from streamlit_folium import st_folium

#: Maps kept per process; each holds about 1.5 MB (the script of 230 regions).
MAX_MAPS = 24

_local = threading.local()
_lock = threading.Lock()
_kept: OrderedDict[Hashable, DrawnMap] = OrderedDict()


@dataclass(frozen=True)
class DrawnMap:
    """What the page needs of a drawn map: its layers (exports, captions) and the
    component's arguments."""

    layers: Any
    arguments: dict


def map_key(
    access: tuple,
    version: str | None,
    selection: tuple,
    settings: Hashable,
    language: str,
    **details: Hashable,
) -> tuple:
    """The key of one map: the reader's access, the store version, the selection, the
    settings, the language and any ``details`` (tiles, height, title lines, notes)."""
    return (access, version, selection, settings, language, tuple(sorted(details.items())))


def _capturing(original: Callable) -> Callable:
    def component(**arguments):
        sink = getattr(_local, "sink", None)
        if sink is None:
            return original(**arguments)
        sink.update(arguments)
        return None

    component.original = original  # type: ignore[attr-defined]
    return component


def _install() -> Callable:
    """streamlit-folium's component function, wrapped once so that it can be captured."""
    with _lock:
        current = streamlit_folium._component_func
        if not hasattr(current, "original"):
            current = _capturing(current)
            streamlit_folium._component_func = current
    return current.original


def component_arguments(fmap, **options) -> dict:
    """The arguments ``st_folium(fmap, **options)`` sends to its component (nothing drawn)."""
    _install()
    _local.sink = {}
    try:
        st_folium(fmap, **options)
        return _local.sink
    finally:
        _local.sink = None


def drawn_map(map_id: Hashable, build: Callable[[], tuple[Any, Any]], **options) -> DrawnMap:
    """The map for ``map_id`` (:func:`map_key`): ``build()`` gives ``(layers, folium map)``
    when none is kept, or ``(layers, (folium map, feature group))``: the group is then
    drawn as streamlit-folium's ``feature_group_to_add``, swapped in the map the browser
    has when only the group changes (:func:`geo.maps.layered_region_map`).

    ``options`` are ``st_folium``'s (height, key, returned objects…): they are kept with
    the map, so they are part of ``map_id``.
    """
    key = (
        map_id,
        tuple(
            (name, tuple(v) if isinstance(v, list) else v) for name, v in sorted(options.items())
        ),
    )
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    layers, fmap = build()
    if isinstance(fmap, tuple):
        fmap, group = fmap
        options = {**options, "feature_group_to_add": group}
    drawn = DrawnMap(layers, component_arguments(fmap, **options))
    with _lock:
        _kept[key] = drawn
        _kept.move_to_end(key)
        while len(_kept) > MAX_MAPS:
            _kept.popitem(last=False)
    return drawn


def clicked_region(
    returned: dict | None, frame: str, seen: Mapping[str, tuple], selected: str | None
) -> tuple[str | None, dict[str, tuple]]:
    """The region last clicked on the map, and the clicks seen per frame, after a rerun
    in which the map's frame ``frame`` returned ``returned``.

    streamlit-folium keeps a frame's last click (``last_active_drawing`` and
    ``last_object_clicked``) under a key made of the map's script: a recolouring keeps
    the frame and its click, a new map (a layer, a period) starts a frame without one,
    and a map drawn again (a layer taken off) returns the click it had. Only a click
    its frame had not returned before selects a region, so the region selected stays
    through any redrawing until the reader clicks another.
    """
    drawing = (returned or {}).get("last_active_drawing") or {}
    code = (drawing.get("properties") or {}).get("region_code")
    click = (code, repr((returned or {}).get("last_object_clicked")))
    if code is None or seen.get(frame) == click:
        return selected, dict(seen)
    return code, {**seen, frame: click}


def show(drawn: DrawnMap):
    """Draw ``drawn`` in the page; returns what the component returns (clicks)."""
    return _install()(**drawn.arguments)


def clear() -> None:
    """Forget every kept map."""
    with _lock:
        _kept.clear()
