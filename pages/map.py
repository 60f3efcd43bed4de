"""Map: where incidents concentrate, whether that is more than chance, and what is emerging.

For regional case meetings: a choropleth of regions (counts, rates, change, Gi* hot
and cold spots or emerging hot spot categories), crossing points as proportional
symbols, an optional heat layer, a click on a region for its trends, a projection
mode for the big screen and exports (HTML that opens offline, PNG, the hotspot
table). The maps come from ``geo.maps``, the numbers from ``geo.mapdata`` and
``geo.analysis`` through ``ui.data``; this page reads widgets and renders.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from data_loaders.crime_types import crime_type_label
from data_loaders.crossing_points import load_crossing_points
from data_loaders.export import to_csv_bytes
from data_loaders.regions import PROJECT_COUNTRIES
from forecasting import charts
from geo import maps, png
from geo.analysis import DEFAULT_PERMUTATIONS
from geo.classes import METHODS
from geo.mapdata import crossing_values, hotspot_values, region_values, regions_in_view
from ui import data, exports, map_settings
from ui.filters import current_filters, focus_region
from ui.map_settings import LAYERS, MapSettings

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
MAP_HEIGHT = 640
PROJECTION_HEIGHT = 860
DEMO_NOTE = "DEMO — synthetic data, not real incidents"
# Projection mode: no sidebar, no page chrome, large type; the DEMO banner stays.
PROJECTION_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"] { display: none !important; }
.block-container { padding-top: 1rem !important; max-width: 100% !important; }
.stApp, .stMarkdown p, .stAlert p { font-size: 1.45rem !important; }
h1 { font-size: 2.6rem !important; }
</style>
"""


def _span(filters) -> str:
    start, end = pd.Timestamp(filters.start), pd.Timestamp(filters.end)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B %Y}"
    return f"{start:%b %Y} – {end:%b %Y}"


def title_lines(filters, settings: MapSettings) -> list[str]:
    """The title block: what is shown, where, for which crimes and when."""
    countries = (
        ", ".join(PROJECT_COUNTRIES[c] for c in filters.countries)
        if filters.countries
        else "All project countries"
    )
    if filters.regions:
        countries += f" (regions {', '.join(filters.regions)})"
    crimes = (
        ", ".join(crime_type_label(c) for c in filters.crime_types)
        if filters.crime_types
        else "All crime types"
    )
    return [maps.MEASURES[settings.measure], countries, crimes, _span(filters)]


def _controls(settings: MapSettings) -> MapSettings:
    columns = st.columns([2.2, 2.2, 1, 3, 1.3])
    measures = list(maps.MEASURES)
    measure = columns[0].selectbox(
        "Colour regions by",
        measures,
        index=measures.index(settings.measure),
        format_func=maps.MEASURES.get,
        key="map_measure",
    )
    numeric = measure in ("count", "rate")
    methods = list(METHODS)
    method = columns[1].selectbox(
        "Classes",
        methods,
        index=methods.index(settings.classes),
        format_func=METHODS.get,
        disabled=not numeric,
        key="map_classes",
        help="How values are cut into colour classes (mapclassify). Change maps always use "
        "fixed classes centred on 0; hot spot maps show categories.",
    )
    k = columns[2].selectbox(
        "Number",
        list(map_settings.K_RANGE),
        index=list(map_settings.K_RANGE).index(settings.k),
        disabled=not numeric or method in ("head_tail", "std_mean"),
        key="map_k",
    )
    layers = columns[3].multiselect(
        "Layers",
        list(LAYERS),
        default=list(settings.layers),
        format_func=LAYERS.get,
        key="map_layers",
    )
    projection = columns[4].toggle(
        "Projection mode",
        value=settings.projection,
        help="Full screen, large type.",
        key="map_projection",
    )
    return MapSettings(measure, method, int(k), tuple(layers), projection)


def _drill_down(filters, clicked: dict | None, registry: pd.DataFrame) -> None:
    if not clicked:
        st.caption("Click a region on the map to see its monthly trends here.")
        return
    code = (clicked.get("properties") or {}).get("region_code")
    match = registry[registry["region_code"] == code]
    if match.empty:
        return
    row = match.iloc[0]
    st.subheader(f"{row['name_en']} ({code})")
    trend = data.region_trend(filters, code)
    fig = charts.trend_lines(
        trend,
        (filters.start, filters.end),
        title=f"Monthly incidents by crime type, {row['name_en']}",
    )
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG)
    st.button(
        f"Filter every page to {row['name_en']}",
        on_click=focus_region,
        args=(code, row["country"]),
        icon=":material/filter_alt:",
    )


def _downloads(fmap, shapes, legend_frame, filters, settings, crossings, hot) -> None:
    stamp = f"{filters.start:%Y-%m}_{filters.end:%Y-%m}"
    style = maps.PROJECTION_STYLE if settings.projection else maps.DESK_STYLE
    colours, legend, _ = maps.region_colours(
        legend_frame, settings.measure, method=settings.classes, k=settings.k, style=style
    )
    context = data.boundaries()["context"]
    marking = data.export_marking()
    title = [marking[0], *title_lines(filters, settings)]
    if data.store_status().is_demo:
        title.append(DEMO_NOTE)
    columns = st.columns(3)
    # Callables: the files are only built when someone clicks, never on every rerun.
    columns[0].download_button(
        "Map as HTML (opens offline)",
        exports.audited(
            lambda: maps.standalone_html(fmap, marking=marking[0]).encode("utf-8"),
            "map_html",
            measure=settings.measure,
        ),
        file_name=f"threatmon-map-{settings.measure}-{stamp}.html",
        mime="text/html",
        icon=":material/map:",
    )
    columns[1].download_button(
        "Map as PNG",
        exports.audited(
            lambda: png.map_png(
                shapes,
                colours.reset_index(drop=True),
                legend,
                context=context,
                crossings=crossings,
                title=title,
                style=style,
            ),
            "map_png",
            measure=settings.measure,
        ),
        file_name=f"threatmon-map-{settings.measure}-{stamp}.png",
        mime="image/png",
        icon=":material/image:",
    )
    columns[2].download_button(
        "Hotspot table (CSV)",
        exports.audited(
            lambda: b"" if hot is None else to_csv_bytes(hot, marking), "hotspot_table"
        ),
        file_name=f"threatmon-hotspots-{stamp}.csv",
        mime="text/csv",
        icon=":material/table:",
        disabled=hot is None,
    )


def main() -> None:
    """Render the map for the sidebar's filters and the page's own settings."""
    filters = current_filters()
    if filters is None:
        st.stop()
    settings = map_settings.current_settings()
    if settings.problems:
        st.warning(
            "Some map settings in the link were not understood and were ignored:\n\n"
            + "\n".join(f"- {p}" for p in settings.problems)
        )
    if settings.projection:
        st.html(PROJECTION_CSS)
        st.title(" · ".join(title_lines(filters, settings)[1:]))
        if not st.toggle("Projection mode", value=True, key="map_projection_off"):
            # The title and layout above are already drawn for the projector: start over.
            map_settings.remember(replace(settings, projection=False))
            st.rerun()
    else:
        st.title("Map")
        settings = _controls(settings)
    map_settings.remember(settings)

    registry = data.regions()
    codes = regions_in_view(registry, filters.countries, filters.regions)
    shapes_all = data.boundaries()
    shapes = shapes_all["regions"][shapes_all["regions"]["region_code"].isin(codes)]
    shapes = shapes.reset_index(drop=True)
    inputs = data.map_inputs(filters)
    try:
        hot = data.hotspots(filters)
    except ValueError as exc:  # too few regions to test
        hot = None
        if settings.measure in maps.CATEGORICAL:
            st.info(f"{exc} Showing incidents per 100,000 inhabitants instead.")
            settings = replace(settings, measure="rate")
    if hot is not None and settings.measure in maps.CATEGORICAL:
        values = hotspot_values(hot, settings.measure)
        note = {
            "hotspot": f"Gi* on incidents per 100,000 inhabitants; {DEFAULT_PERMUTATIONS:,} "
            "permutations; false discovery rate 5 %.",
            "emerging": "Gi* per month over neighbours in space and time, Mann-Kendall "
            "trend, Esri's category rules.",
            "clusters": f"Local Moran's I on incidents per 100,000 inhabitants; "
            f"{DEFAULT_PERMUTATIONS:,} permutations; false discovery rate 5 %.",
        }[settings.measure]
    else:
        values = region_values(
            inputs["current"],
            inputs["previous"],
            registry,
            settings.measure,
            codes=codes,
            period_label=_span(filters),
        )
        note = (
            "Shown only where the two periods hold 10 or more incidents."
            if settings.measure == "change"
            else ""
        )
    crossings = None
    if {"incidents", "arrivals"} & set(settings.layers):
        crossings = crossing_values(
            load_crossing_points(),
            inputs["crossing_incidents"],
            inputs["flows"],
            countries=filters.countries,
        )
        crossings = crossings.drop(
            columns=[c for c in ("incidents", "arrivals") if c not in settings.layers]
        )
    style = maps.PROJECTION_STYLE if settings.projection else maps.DESK_STYLE
    fmap = maps.region_map(
        shapes,
        values,
        measure=settings.measure,
        context=shapes_all["context"],
        method=settings.classes,
        k=settings.k,
        crossings=crossings,
        heat=inputs["heat"] if "heat" in settings.layers else None,
        title=title_lines(filters, settings),
        legend_note=note,
        style=style,
        tiles_url=data.tile_url(),
    )
    clicked = st_folium(
        fmap,
        height=PROJECTION_HEIGHT if settings.projection else MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        key=f"map-{settings.projection}",
    )
    if settings.projection:
        return
    st.caption(
        "Regions coloured by the selected measure; national borders in black. Circles at "
        "crossing points have an area proportional to incidents (red) or arrivals from "
        "Ukraine (blue) in the period. Boundaries: Natural Earth; crossing points: see "
        "docs/maps.md."
    )
    legend_frame = values[["region_code", "value"]]
    legend_frame = shapes[["region_code"]].merge(legend_frame, on="region_code", how="left")
    _downloads(fmap, shapes, legend_frame, filters, settings, crossings, hot)
    _drill_down(filters, (clicked or {}).get("last_active_drawing"), registry)

    st.subheader("Hot and cold spots")
    if hot is None:
        st.info("Select a country or at least three regions to test for hot spots.")
        return
    st.dataframe(
        hot,
        hide_index=True,
        height=360,
        column_config={
            "region_code": st.column_config.TextColumn("Code"),
            "name": st.column_config.TextColumn("Region", pinned=True),
            "value": st.column_config.NumberColumn("Per 100,000", format="%.1f"),
            "gi_z": st.column_config.NumberColumn("Gi* z", format="%+.2f"),
            "p_sim": st.column_config.NumberColumn("p (permutations)", format="%.3f"),
            "p_fdr": st.column_config.NumberColumn("p (FDR)", format="%.3f"),
            "hot_cold": st.column_config.TextColumn("Hot/cold"),
            "emerging_category": st.column_config.TextColumn("Emerging pattern"),
            "moran_cluster": st.column_config.TextColumn(
                "Local Moran",
                help="HH high among high, LL low among low (clusters); HL and LH outliers; "
                "none: not significant after the false discovery rate correction.",
            ),
        },
    )
    st.caption(
        f"Getis-Ord Gi* over {_span(filters)} on incidents per 100,000 inhabitants, "
        f"contiguity neighbours, {DEFAULT_PERMUTATIONS:,} conditional permutations, "
        "Benjamini-Hochberg false discovery rate 5 %. Emerging patterns follow Esri's "
        "Emerging Hot Spot Analysis over the months of the period (docs/hotspots.md)."
    )


main()
