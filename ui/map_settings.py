"""The map page's own settings, kept in the URL so that a case meeting can reopen its map.

URL keys (next to the global filters of :mod:`ui.filters`)::

    ?measure=rate&classes=quantiles&k=5&layers=incidents,arrivals&projection=1

``measure`` is one of :data:`geo.symbology.MEASURES` (``rate`` is the smoothed rate per
100,000, ``rate_raw`` the raw one), ``classes`` one of
:data:`geo.classes.METHODS`, ``k`` 3–7, ``layers`` a comma-separated subset of
:data:`LAYERS`, ``projection`` 1 or absent. Invalid values fall back to the default
with a warning, like the filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import streamlit as st

from geo.classes import METHODS
from geo.symbology import MEASURES
from ui.i18n import t

MEASURE, CLASSES, K, LAYERS_KEY, PROJECTION = "measure", "classes", "k", "layers", "projection"
URL_KEYS: tuple[str, ...] = (MEASURE, CLASSES, K, LAYERS_KEY, PROJECTION)
#: Optional layers: key → English label (shown through ``ui.i18n.layer_label``).
LAYERS: dict[str, str] = {
    "incidents": "Crossing points: incidents",
    "arrivals": "Crossing points: arrivals from Ukraine",
    "heat": "Heat of geocoded incidents",
}
K_RANGE = range(3, 8)
_STATE = "map_settings"


@dataclass(frozen=True)
class MapSettings:
    """What the map shows; the defaults are what a first visit sees."""

    measure: str = "rate"
    classes: str = "quantiles"
    k: int = 5
    layers: tuple[str, ...] = ("incidents",)
    projection: bool = False
    problems: tuple[str, ...] = field(default=(), compare=False)


def parse_settings(params: Mapping[str, Sequence[str]]) -> MapSettings:
    """Read settings from query parameters; invalid values are dropped with a sentence each."""
    problems: list[str] = []
    default = MapSettings()

    def last(name: str) -> str | None:
        values = [v.strip() for v in params.get(name, ()) if v.strip()]
        return values[-1] if values else None

    measure = last(MEASURE) or default.measure
    if measure not in MEASURES:
        problems.append(
            t("map.problem.not_one_of", param=f"{MEASURE}={measure}", allowed=", ".join(MEASURES))
        )
        measure = default.measure
    classes = last(CLASSES) or default.classes
    if classes not in METHODS:
        problems.append(
            t("map.problem.not_one_of", param=f"{CLASSES}={classes}", allowed=", ".join(METHODS))
        )
        classes = default.classes
    k = default.k
    raw_k = last(K)
    if raw_k is not None:
        if raw_k.isdigit() and int(raw_k) in K_RANGE:
            k = int(raw_k)
        else:
            problems.append(
                t("map.problem.k", param=f"{K}={raw_k}", low=K_RANGE[0], high=K_RANGE[-1])
            )
    layers = default.layers
    raw_layers = last(LAYERS_KEY)
    if raw_layers is not None:
        chosen = [p.strip() for p in raw_layers.split(",") if p.strip()]
        unknown = [p for p in chosen if p not in LAYERS and p != "none"]
        for name in unknown:
            problems.append(t("map.problem.layer", param=LAYERS_KEY, layer=repr(name)))
        layers = tuple(dict.fromkeys(p for p in chosen if p in LAYERS))
    projection = last(PROJECTION) in ("1", "true", "yes")
    return MapSettings(measure, classes, k, layers, projection, tuple(problems))


def to_query(settings: MapSettings) -> dict[str, str]:
    """The query parameters that reproduce ``settings``."""
    query = {
        MEASURE: settings.measure,
        CLASSES: settings.classes,
        K: str(settings.k),
        LAYERS_KEY: ",".join(settings.layers) or "none",
    }
    if settings.projection:
        query[PROJECTION] = "1"
    return query


def current_settings() -> MapSettings:
    """The session's settings: read from the URL once per session, then from the widgets."""
    state = st.session_state
    if _STATE not in state:
        params = {key: st.query_params.get_all(key) for key in URL_KEYS}
        state[_STATE] = parse_settings(params)
    return state[_STATE]


def remember(settings: MapSettings) -> None:
    """Keep ``settings`` for the session and write them to the URL."""
    st.session_state[_STATE] = settings
    wanted = to_query(settings)
    for key in URL_KEYS:
        have = st.query_params.get(key)
        want = wanted.get(key)
        if have == want:
            continue
        if want is None:
            del st.query_params[key]
        else:
            st.query_params[key] = want
