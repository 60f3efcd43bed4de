"""The briefing's map: the map page's default view of incidents per 100,000 inhabitants
with the Gi* hot spots in a sentence, drawn as a PNG; regions without coverage for the
selection hatched as no data, as on the map page (:mod:`geo.coverage`).
"""

from __future__ import annotations

import pandas as pd

from geo import boundaries
from geo.analysis import DEFAULT_PERMUTATIONS, region_hotspots
from geo.coverage import region_coverage
from geo.layers import region_layers
from geo.png import map_png
from geo.symbology import MEASURES
from threatmon.errors import TooFewPeriodsError, TooFewRegionsError
from threatmon.filters import Filters
from threatmon.periods import span_text
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.store.reader import Store

_MAP_WIDTH_PX = 1400


def _coverage(store: Store, filters: Filters, registry: pd.DataFrame, codes: list[str]):
    return region_coverage(
        store.coverage_cells(filters),
        registry,
        codes,
        start=filters.start,
        end=filters.end,
        freq=None,
        crime_types=filters.crime_types,
    )


def map_title(filters: Filters, area: str, crimes: str, marking: str, demo: bool) -> list[str]:
    """The marking, then what the map shows (few lines: they are drawn above the map)."""
    lines = [
        marking,
        f"{MEASURES['rate']}, {span_text(filters.start, filters.end)}",
        f"{area} · {crimes}",
    ]
    return [*lines, *(["DEMO — synthetic data, not real incidents"] if demo else [])]


def hotspot_map(
    store: Store, filters: Filters, registry: pd.DataFrame, codes: list[str], title: list[str]
) -> tuple[str, bytes]:
    """The map page's default view: incidents per 100,000, quantiles, crossing incidents."""
    inputs = {
        "current": store.aggregate(filters, by=("region_code",), freq=None),
        "previous": store.aggregate(filters.previous_period(), by=("region_code",), freq=None),
        "crossing_incidents": store.aggregate(filters, by=("crossing_point",), freq=None),
        "flows": store.flows(filters, by=("crossing_point",), freq=None),
    }
    layers = region_layers(
        boundaries.regions(),
        registry,
        inputs,
        load_crossing_points(),
        codes=codes,
        countries=filters.countries,
        measure="rate",
        method="quantiles",
        k=5,
        layers=("incidents",),
        coverage=_coverage(store, filters, registry, codes),
        previous_coverage=_coverage(store, filters.previous_period(), registry, codes),
    )
    png = map_png(
        layers.regions,
        layers.colours,
        layers.legend,
        context=boundaries.context(),
        crossings=layers.crossings,
        title=title,
        width_px=_MAP_WIDTH_PX,
    )
    caption = (
        f"Incidents per 100,000 inhabitants by region, {span_text(filters.start, filters.end)} "
        "(smoothed toward the overall rate by empirical Bayes; quantile classes); circles: "
        "incidents at border crossing points. " + _hotspot_sentence(store, filters)
    )
    return caption, png


def _hotspot_sentence(store: Store, filters: Filters) -> str:
    try:
        hot = region_hotspots(store, filters)
    except (TooFewRegionsError, TooFewPeriodsError) as exc:  # fewer than 3 regions or 2 months
        return f"No hot spot test: {exc}"
    method = (
        f"(Getis-Ord Gi* on smoothed incidents per 100,000, {DEFAULT_PERMUTATIONS:,} "
        "permutations, "
        "false discovery rate 5 %)"
    )
    parts = []
    for kind in ("hot", "cold"):
        names = hot.loc[hot["hot_cold"] == kind, "name"].tolist()
        if names:
            parts.append(f"{kind} spots: {', '.join(names)}")
    if not parts:
        return f"No region is a significant hot or cold spot {method}."
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]} {method}."
