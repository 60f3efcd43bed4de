"""The map page's kept maps: one per key, rebuilt when anything in the key changes."""

from __future__ import annotations

import folium
import pytest

from ui import map_cache


@pytest.fixture(autouse=True)
def _empty():
    map_cache.clear()
    yield
    map_cache.clear()


def _key(**changes):
    parts = {
        "access": ("store.duckdb", "analyst", (), ()),
        "version": "v1",
        "selection": (("MD",), (), (), "2026-01-01", "2026-06-30"),
        "settings": ("rate", "quantiles", 5),
        "language": "en",
    }
    parts.update(changes)
    return map_cache.map_key(
        parts["access"],
        parts["version"],
        parts["selection"],
        parts["settings"],
        parts["language"],
        title=("Rate",),
    )


def test_the_key_changes_with_the_store_version_language_scope_and_settings():
    key = _key()
    assert _key() == key
    assert _key(version="v2") != key
    assert _key(language="ro") != key
    assert _key(access=("store.duckdb", "viewer", ("MD",), ("trafficking",))) != key
    assert _key(settings=("count", "quantiles", 5)) != key
    assert _key(selection=(("UA",), (), (), "2026-01-01", "2026-06-30")) != key
    assert map_cache.map_key(*key[:5], title=("Count",)) != key


def _builder(calls: list):
    def build():
        calls.append(1)
        return f"layers {len(calls)}", folium.Map(location=[47.0, 28.8], zoom_start=6, tiles=None)

    return build


def test_a_map_is_built_once_per_key_and_again_for_another():
    calls: list = []
    first = map_cache.drawn_map(_key(), _builder(calls), height=300, key="m")
    again = map_cache.drawn_map(_key(), _builder(calls), height=300, key="m")
    assert again is first and len(calls) == 1
    newer = map_cache.drawn_map(_key(version="v2"), _builder(calls), height=300, key="m")
    assert newer is not first and newer.layers == "layers 2"
    # The component's options are kept with the map: other options, another map.
    map_cache.drawn_map(_key(), _builder(calls), height=500, key="m")
    assert len(calls) == 3


def test_the_arguments_are_what_st_folium_sends_and_nothing_is_drawn():
    fmap = folium.Map(location=[47.0, 28.8], zoom_start=6, tiles=None)
    arguments = map_cache.component_arguments(fmap, height=321, key="m")
    assert arguments["height"] == 321
    assert "L.map" in arguments["script"]
    # Outside a capture the wrapped component is streamlit-folium's own.
    assert map_cache._install() is not None


def test_only_the_most_recent_maps_are_kept(monkeypatch):
    monkeypatch.setattr(map_cache, "MAX_MAPS", 2)
    calls: list = []
    for version in ("v1", "v2", "v3"):
        map_cache.drawn_map(_key(version=version), _builder(calls), key="m")
    map_cache.drawn_map(_key(version="v3"), _builder(calls), key="m")
    assert len(calls) == 3
    map_cache.drawn_map(_key(version="v1"), _builder(calls), key="m")
    assert len(calls) == 4


def test_a_group_built_with_the_map_is_swapped_in_the_same_component():
    def build(colour):
        def layered():
            fmap = folium.Map(location=[47.0, 28.8], zoom_start=6, tiles=None)
            group = folium.FeatureGroup(name="Regions")
            folium.CircleMarker([47.0, 28.8], radius=5, color=colour).add_to(group)
            return "layers", (fmap, group)

        return layered

    red = map_cache.drawn_map(_key(), build("#ff0000"), height=300, key="m")
    blue = map_cache.drawn_map(_key(version="v2"), build("#0000ff"), height=300, key="m")
    assert "#ff0000" in red.arguments["feature_group"]
    assert "#ff0000" not in red.arguments["script"]
    assert "#0000ff" in blue.arguments["feature_group"]
    # The same map, so the same component key: the browser keeps its frame and map.
    assert blue.arguments["key"] == red.arguments["key"]


def _returned(code: str | None, lat: float = 47.0) -> dict:
    if code is None:
        return {"last_active_drawing": None, "last_object_clicked": None}
    return {
        "last_active_drawing": {"type": "Feature", "properties": {"region_code": code}},
        "last_object_clicked": {"lat": lat, "lng": 28.0},
    }


def test_the_region_clicked_stays_selected_through_new_maps_until_another_is_clicked():
    seen: dict = {}
    # Nothing clicked yet.
    assert map_cache.clicked_region(_returned(None), "a", seen, None) == (None, {})
    selected, seen = map_cache.clicked_region(_returned("MD-AA"), "a", seen, None)
    assert selected == "MD-AA"
    # A recolouring: the same frame returns the same click.
    assert map_cache.clicked_region(_returned("MD-AA"), "a", seen, selected)[0] == "MD-AA"
    # A new map (a layer): a frame without a click keeps the region selected.
    assert map_cache.clicked_region(_returned(None), "b", seen, selected)[0] == "MD-AA"
    selected, seen = map_cache.clicked_region(_returned("MD-BB"), "b", seen, selected)
    assert selected == "MD-BB"
    # Back to the first map: it returns its old click, which is not a new one.
    selected, seen = map_cache.clicked_region(_returned("MD-AA"), "a", seen, selected)
    assert selected == "MD-BB"
    # A new click there on the region selected before (another point) selects it again.
    selected, seen = map_cache.clicked_region(_returned("MD-AA", 47.1), "a", seen, selected)
    assert selected == "MD-AA"
    # A click on a crossing point (no region) changes nothing.
    circle = {"last_active_drawing": {"properties": {}}, "last_object_clicked": {"lat": 1}}
    assert map_cache.clicked_region(circle, "a", seen, selected) == (selected, seen)
