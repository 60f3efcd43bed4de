"""The map page and its statistics: render time, payload, Gi* and the emerging analysis.

Targets (issue 4): map payload ≤ 1.5 MB for all regions; Gi* with 999 permutations
≤ 1 s; the emerging hot spot analysis of all regions × 60 months ≤ 10 s. Ratios are
against baselines measured in the same run: the overview page's render for the map
page, the analytical Gi* (no permutations) for the permutation tests, and the store
query that fetches the panel for the emerging analysis.
"""

from __future__ import annotations

import os
import warnings

import esda
import pandas as pd

from bench.common import median_seconds
from bench.overview import render_seconds
from geo import boundaries, maps
from geo.analysis import period_panel, selection_weights
from geo.emerging import emerging_hot_spots
from geo.hotspots import getis_ord
from geo.mapdata import crossing_values, region_values
from threatmon.filters import Filters
from threatmon.periods import last_complete_months
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import load_regions
from threatmon.settings import DB_ENV_VAR
from threatmon.store import Store


def payload_bytes(store: Store, filters: Filters, heat: bool) -> int:
    """Bytes of the map the page sends for all regions (rates, crossing incidents)."""
    registry = load_regions()
    codes = registry["region_code"].tolist()
    values = region_values(
        store.aggregate(filters, by=("region_code",), freq=None),
        store.aggregate(filters.previous_period(), by=("region_code",), freq=None),
        registry,
        "rate",
        codes=codes,
    )
    crossings = crossing_values(
        load_crossing_points(),
        store.aggregate(filters, by=("crossing_point",), freq=None),
        store.flows(filters, by=("crossing_point",), freq=None),
    )
    fmap = maps.region_map(
        boundaries.regions(),
        values,
        measure="rate",
        context=boundaries.context(),
        crossings=crossings.drop(columns=["arrivals"]),
        heat=store.points(filters, decimals=1) if heat else None,
    )
    return len(fmap.get_root().render().encode("utf-8"))


def run(store: Store, repeat: int) -> dict:
    """Every map number for one store."""
    os.environ[DB_ENV_VAR] = str(store.location)
    last = store.coverage()["last"]
    start, end = last_complete_months(last, 12)
    year = Filters(start=start, end=end)
    start, end = last_complete_months(last, 60)
    five_years = Filters(start=start, end=end)
    overview_cold, overview_warm = render_seconds(None, repeat)
    map_cold, map_warm = render_seconds("pages/map.py", repeat)

    codes = load_regions()["region_code"].tolist()
    weights = selection_weights(codes)
    totals = store.aggregate(year, by=("region_code",), freq=None).set_index("region_code")
    values = totals["count"].reindex(codes, fill_value=0).astype("float64")
    binary = weights.__class__(weights.neighbors, silence_warnings=True)
    array = values.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's notices about defaults and components
        analytic = median_seconds(
            lambda: esda.G_Local(array, binary, star=True, permutations=0), repeat
        )
    gi_999 = median_seconds(lambda: getis_ord(values, weights, permutations=999), repeat)
    gi_9999 = median_seconds(lambda: getis_ord(values, weights, permutations=9999), repeat)

    def fetch_panel() -> pd.DataFrame:
        monthly = store.aggregate(five_years, by=("region_code",), freq="M")
        panel = period_panel(monthly, codes, five_years.start, five_years.end, "M")
        return panel.rename(columns={"count": "value"})

    fetch = median_seconds(fetch_panel, repeat)
    panel = fetch_panel()
    months = panel["period"].nunique()
    emerging = median_seconds(lambda: emerging_hot_spots(panel, weights), repeat)
    return {
        "overview_cold_s": overview_cold,
        "overview_warm_s": overview_warm,
        "map_cold_s": map_cold,
        "map_warm_s": map_warm,
        "map_ratio_cold": map_cold / overview_cold,
        "map_ratio_warm": map_warm / overview_warm,
        "payload_mb": payload_bytes(store, year, heat=False) / 1e6,
        "payload_heat_mb": payload_bytes(store, year, heat=True) / 1e6,
        "regions": len(codes),
        "gi_analytic_s": analytic,
        "gi_999_s": gi_999,
        "gi_9999_s": gi_9999,
        "gi_999_ratio": gi_999 / analytic,
        "months": months,
        "panel_fetch_s": fetch,
        "emerging_s": emerging,
        "emerging_ratio": emerging / fetch,
    }
