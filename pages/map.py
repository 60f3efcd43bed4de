"""Map: where incidents concentrate, whether that is more than chance, and what is emerging.

For regional case meetings: a choropleth of regions (counts, rates, change, Gi* hot
and cold spots or emerging hot spot categories), crossing points as proportional
symbols, an optional heat layer, a click on a region for its trends, a projection
mode for the big screen and exports (HTML that opens offline, PNG, the hotspot
table). What a map shows comes from ``geo.layers`` (as the briefing's map does), drawn
by ``geo.maps`` and ``geo.png``, from frames that ``ui.data`` fetches; this page reads
widgets and renders.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import boundaries, maps, png
from geo.analysis import DEFAULT_PERMUTATIONS, rounded_table
from geo.classes import METHODS
from geo.coverage import NO_NEIGHBOUR
from geo.layers import (
    RegionLayers,
    layered_layers_map,
    layers_map,
    published_layers,
    region_layers,
)
from geo.mapdata import regions_in_view
from geo.symbology import CATEGORICAL, DESK_STYLE, MEASURES, PROJECTION_STYLE, MapStyle
from reports import figures as charts
from threatmon.coverage import NO_DATA
from threatmon.disclosure.export import to_csv_bytes
from threatmon.disclosure.sensitive import SENSITIVE_TYPES, country_cells
from threatmon.errors import TooFewPeriodsError, TooFewRegionsError
from threatmon.registry.crime_types import crime_type_label
from threatmon.registry.crossing_points import load_crossing_points
from ui import auth, data, exports, levels, map_cache, map_settings, tables
from ui.figures import localise_figure
from ui.filters import current_filters, focus_region
from ui.i18n import (
    bound,
    classes_label,
    country_name,
    crime_label,
    current_language,
    emerging_label,
    hot_cold_label,
    kept,
    layer_label,
    measure_label,
    month_span,
    no_data_words,
    number,
    region_name,
    region_names,
    t,
)
from ui.map_settings import LAYERS, MapSettings
from ui.map_words import layer_words, map_words

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
MAP_HEIGHT = 640
#: The height a projected page must fit in: a 1080-pixel screen less a maximised browser
#: window's tab strip and address bar (about 85 px) and a taskbar (about 45 px). A full
#: screen browser (F11) has 130 px to spare under the map.
PROJECTION_VIEWPORT = 1080 - 130
#: What stands above the map in projection mode, with room to spare: in chromium at
#: 1920 px wide the marking (47 px), the DEMO banner (one line at 1.45rem, 67 px), the
#: title row (54 px), the gaps between them and the page's top padding end at 190 px.
PROJECTION_ABOVE_MAP = 250
PROJECTION_HEIGHT = PROJECTION_VIEWPORT - PROJECTION_ABOVE_MAP
#: Beyond this many countries in view the map names only countries and capitals.
MAX_COUNTRIES_WITH_CITIES = 3
#: The sensitive types' tab: its caption and selectors above its map.
PROJECTION_SENSITIVE_CONTROLS = 230
#: Tabs take a row of their own when a viewer has the sensitive types' map beside it.
PROJECTION_TABS = 50
# Projection mode: no sidebar, no page chrome, large type; the DEMO banner stays. The
# title keeps to one line and the gaps are small, so that the page fits the screen
# without scrolling (PROJECTION_VIEWPORT).
PROJECTION_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"] { display: none !important; }
.block-container { padding: 0.5rem 1rem 0 1rem !important; max-width: 100% !important; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.4rem !important; }
.stApp, .stMarkdown p, .stAlert p { font-size: 1.45rem !important; }
h1 { font-size: 2.6rem !important; line-height: 1.3 !important; padding: 0 !important;
     margin: 0 !important;
     white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
</style>
"""


def _span(filters) -> str:
    return month_span(filters.start, filters.end, long_single=True)


def title_lines(filters, settings: MapSettings) -> list[str]:
    """The title block: what is shown, where, for which crimes and when."""
    countries = (
        ", ".join(country_name(c) for c in filters.countries)
        if filters.countries
        else t("map.title.all_countries")
    )
    if filters.regions:
        countries += " " + t("map.title.regions", codes=", ".join(filters.regions))
    crimes = (
        ", ".join(crime_label(c) for c in filters.crime_types)
        if filters.crime_types
        else t("map.title.all_crimes")
    )
    return [measure_label(settings.measure), countries, crimes, _span(filters)]


def _controls(settings: MapSettings) -> MapSettings:
    # The widgets whose options are words start from the settings through the session
    # (not index=/default=), so that kept() can carry them over a change of language.
    state = st.session_state
    state.setdefault("map_measure", settings.measure)
    state.setdefault("map_classes", settings.classes)
    state.setdefault("map_layers", list(settings.layers))
    # Two rows: a select box shows its choice on one line, and the longest measure
    # ("Інциденти на 100 тис. населення (згладжені, емпіричний Баєс)", 400 px) needs
    # about half the page's width at 1366 px. Projection mode draws none of these.
    columns = [*st.columns([4, 3, 1]), *st.columns([5, 2])]
    measure = columns[0].selectbox(
        t("map.measure"),
        list(MEASURES),
        format_func=bound(measure_label),
        key=kept("map_measure"),
    )
    numeric = measure in ("count", "rate", "rate_raw")
    method = columns[1].selectbox(
        t("map.classes"),
        list(METHODS),
        format_func=bound(classes_label),
        disabled=not numeric,
        key=kept("map_classes"),
        help=t("map.classes_help"),
    )
    k = columns[2].selectbox(
        t("map.k"),
        list(map_settings.K_RANGE),
        index=list(map_settings.K_RANGE).index(settings.k),
        disabled=not numeric or method in ("head_tail", "std_mean"),
        key="map_k",
    )
    layers = columns[3].multiselect(
        t("map.layers"),
        list(LAYERS),
        format_func=bound(layer_label),
        key=kept("map_layers"),
    )
    projection = columns[4].toggle(
        t("map.projection"),
        value=settings.projection,
        help=t("map.projection_help"),
        key="map_projection",
    )
    return MapSettings(measure, method, int(k), tuple(layers), projection)


def _selected_region(clicked: dict | None, drawn: map_cache.DrawnMap) -> str | None:
    """The region whose drill-down shows: the last one clicked, through recolourings and
    new maps (:func:`ui.map_cache.clicked_region`), while it is on the map."""
    code, seen = map_cache.clicked_region(
        clicked,
        drawn.arguments["key"],
        st.session_state.get("map_clicks", {}),
        st.session_state.get("map_region"),
    )
    if code not in set(drawn.layers.values["region_code"]):
        code = None
    st.session_state["map_clicks"] = seen
    st.session_state["map_region"] = code
    return code


def _drill_down(filters, code: str | None, registry: pd.DataFrame) -> None:
    if not code:
        st.caption(t("map.click_hint"))
        return
    match = registry[registry["region_code"] == code]
    if match.empty:
        return
    row = match.iloc[0]
    name = region_name(code, row["name_en"], row["name_local"], row["country"])
    st.subheader(f"{name} ({code})")
    trend = data.region_trend(filters, code)
    fig = charts.trend_lines(
        trend.assign(crime=trend["crime_type"].map(crime_label)),
        (filters.start, filters.end),
        title=t("map.drill.title", region=name),
        y_title=t("chart.per_month"),
    )
    st.plotly_chart(localise_figure(fig), width="stretch", config=PLOTLY_CONFIG)
    st.button(
        t("map.drill.focus", region=name),
        on_click=focus_region,
        args=(code, row["country"]),
        icon=":material/filter_alt:",
    )


def _downloads(folium_map, layers: RegionLayers, filters, settings, hot) -> None:
    stamp = f"{filters.start:%Y-%m}_{filters.end:%Y-%m}"
    context = data.boundaries()["context"]
    marking = data.export_marking()
    title = _png_title(marking, list(layers.title))
    columns = st.columns(3)
    # Callables: the files are only built when someone clicks, never on every rerun.
    columns[0].download_button(
        t("map.download.html"),
        exports.audited(
            lambda: maps.standalone_html(folium_map(), marking=marking).encode("utf-8"),
            "map_html",
            measure=settings.measure,
        ),
        file_name=f"threatmon-map-{settings.measure}-{stamp}.html",
        mime="text/html",
        icon=":material/map:",
    )
    _png_button(
        columns[1],
        layers,
        context=context,
        title=title,
        file_name=f"threatmon-map-{settings.measure}-{stamp}.png",
        what="map_png",
        measure=settings.measure,
    )
    columns[2].download_button(
        t("map.download.hotspots"),
        exports.audited(
            lambda: b"" if hot is None else to_csv_bytes(rounded_table(hot), marking),
            "hotspot_table",
        ),
        file_name=f"threatmon-hotspots-{stamp}.csv",
        mime="text/csv",
        icon=":material/table:",
        disabled=hot is None,
    )


def _draw(drawn: map_cache.DrawnMap) -> dict | None:
    return map_cache.show(drawn)


def place_labels(countries) -> pd.DataFrame:
    """The country and city names the map writes, in the session's language.

    Only those of the countries in view (every project country when none is chosen),
    and cities other than capitals only when at most
    :data:`MAX_COUNTRIES_WITH_CITIES` countries are: at the scale of all ten their names
    would cover the crossing points. Countries are named as everywhere else on the
    dashboard (``ui.i18n``), cities from ``geo/data/places.csv``.
    """
    places = boundaries.places()
    if countries:
        places = places[places["iso2"].isin(countries)]
    if places["iso2"].nunique() > MAX_COUNTRIES_WITH_CITIES:
        places = places[places["kind"] != "city"]
    column = f"name_{current_language()}"
    names = places[column] if column in places.columns else places["name_en"]
    country = places["kind"] == "country"
    return places.assign(name=names.where(~country, places["iso2"].map(country_name)))


def _sensitive_map(style: MapStyle, height: int, *, projection: bool = False) -> None:
    """Viewers' map of the sensitive types: countries coloured by their published cells.

    The sensitive types are withheld from every other layer of a viewer's map; this one
    draws the per-country cells of the suppressed quarterly tables and nothing finer.
    In projection mode it is a tab of its own, under the same title as the regions.
    """
    if not projection:
        st.subheader(t("map.sensitive.header"))
    k = data.suppression_k()
    st.caption(t("map.sensitive.caption", k=k, below=k - 1))
    table = data.sensitive_table(data.store_status().last)
    quarters = list(dict.fromkeys(table["quarter"]))
    if not quarters:
        st.info(t("map.sensitive.none"))
        return
    columns = st.columns([2, 1, 1])
    crime = columns[0].selectbox(
        t("map.sensitive.crime"),
        list(SENSITIVE_TYPES),
        format_func=bound(crime_label),
        key="map_sensitive_crime",
    )
    quarter = columns[1].selectbox(t("map.sensitive.quarter"), quarters, key="map_sensitive_q")
    countries = data.sensitive_countries()
    cells = country_cells(table, quarter, crime_type_label(crime), countries)
    names = {code: country_name(code) for code in countries}
    outlines = data.boundaries()["context"]
    title = [t("map.sensitive.title", crime=crime_label(crime), quarter=quarter)]
    layers = published_layers(
        outlines,
        cells,
        names,
        label=f"{crime_label(crime)}, {quarter}",
        title=title,
        style=style,
        words=map_words(),
    )
    fmap = layers_map(layers, context=outlines)
    st_folium(fmap, height=height, use_container_width=True, returned_objects=[], key="map-sens")
    _png_button(
        columns[2],
        layers,
        context=outlines,
        title=_png_title(data.export_marking(), title),
        file_name=f"threatmon-sensitive-{crime}-{quarter}.png",
        what="sensitive_map_png",
        crime=crime,
        quarter=quarter,
    )


def _png_title(marking: list[str], lines: list[str]) -> list[str]:
    """A PNG's title block: the classification first, the DEMO note last."""
    demo = [t("map.demo_note")] if data.store_status().is_demo else []
    return [marking[0], *lines, *demo]


def _png_button(
    container, layers: RegionLayers, *, context, title, file_name, what, **details
) -> None:
    """A map PNG drawn on click (never on a rerun) and logged as an export of ``what``."""
    words = layer_words()  # read now: the click's thread has no session to translate in
    container.download_button(
        t("map.download.png"),
        exports.audited(
            lambda: png.map_png(
                layers.regions,
                layers.colours,
                layers.legend,
                context=context,
                crossings=layers.crossings,
                heat=layers.heat,
                title=title,
                style=layers.style,
                words=words,
            ),
            what,
            **details,
        ),
        file_name=file_name,
        mime="image/png",
        icon=":material/image:",
    )


def main() -> None:
    """Render the map for the sidebar's filters and the page's own settings."""
    filters = current_filters()
    if filters is None:
        st.stop()
    settings = map_settings.current_settings()
    if settings.problems:
        st.warning(
            t("map.link_not_understood") + "\n\n" + "\n".join(f"- {p}" for p in settings.problems)
        )
    if settings.projection:
        st.html(PROJECTION_CSS)
        heading, switch = st.columns([6, 1], vertical_alignment="center")
        heading.title(" · ".join(title_lines(filters, settings)[1:]))
        if not switch.toggle(t("map.projection"), value=True, key="map_projection_off"):
            # The title and layout above are already drawn for the projector: start over.
            map_settings.remember(replace(settings, projection=False))
            st.rerun()
    else:
        st.title(t("map.title"))
        settings = _controls(settings)
        if settings.projection:
            # Switched on just now: the title, controls and sidebar above are the desk's,
            # and the projection style only applies from the top of a run. Start over.
            map_settings.remember(settings)
            st.rerun()
    map_settings.remember(settings)

    registry = data.regions()
    shapes = data.boundaries()
    codes = regions_in_view(registry, filters.countries, filters.regions)
    without = ""
    hot = None
    try:
        # A projected map of counts or rates shows no hotspot table: the permutations
        # would be most of its first draw.
        if settings.measure in CATEGORICAL or not settings.projection:
            hot = data.hotspots(filters)
    except (TooFewRegionsError, TooFewPeriodsError) as exc:  # nothing to test on
        hot = None
        if isinstance(exc, TooFewRegionsError) and len(codes) >= exc.needed:
            # Enough regions selected, too few of them with data.
            without = t("map.hot.no_data", found=exc.found, total=len(codes))
        if settings.measure in CATEGORICAL:
            st.info(t("map.hotspot_fallback", reason=str(exc)))
            settings = replace(settings, measure="rate")
    permutations = number(DEFAULT_PERMUTATIONS)
    note = {
        "hotspot": t("map.note.hotspot", permutations=permutations),
        "emerging": t("map.note.emerging"),
        "clusters": t("map.note.clusters", permutations=permutations),
        "change": t("map.note.change"),
        "rate": t("map.note.rate"),
        "rate_raw": t("map.note.rate_raw"),
    }.get(settings.measure, "")
    style = PROJECTION_STYLE if settings.projection else DESK_STYLE
    title = tuple(title_lines(filters, settings))
    tiles = data.tile_url()
    labels = place_labels(filters.countries)
    words = layer_words()

    def folium_map(layers: RegionLayers):
        return layers_map(
            layers, context=shapes["context"], tiles_url=tiles, labels=labels, layer_words=words
        )

    def build():
        layers = region_layers(
            shapes["regions"],
            registry,
            data.map_inputs(filters),
            load_crossing_points(),
            codes=codes,
            countries=filters.countries,
            measure=settings.measure,
            method=settings.classes,
            k=settings.k,
            layers=settings.layers,
            hot=hot,
            period_label=_span(filters),
            title=list(title),
            legend_note=note,
            style=style,
            coverage=data.region_coverage(filters),
            previous_coverage=data.region_coverage(filters.previous_period()),
            words=no_data_words(),
            map_words=map_words(),
        )
        # The regions, title and legend as a group over a map that a change of measure,
        # classes or title leaves as it is: the browser swaps the group in the map it has.
        return layers, layered_layers_map(
            layers, context=shapes["context"], tiles_url=tiles, labels=labels, layer_words=words
        )

    suppressed = auth.current().suppressed
    height = MAP_HEIGHT
    if settings.projection:
        # A viewer's second map (the sensitive types) is a tab: stacked, the two would
        # not fit the screen.
        height = PROJECTION_HEIGHT - (PROJECTION_TABS if suppressed else 0)
    # Drawn once per key and kept: a rerun that changes nothing on the map (a click on a
    # region, a widget below it, a return to the page) sends the same arguments, so the
    # browser keeps the map it has drawn. The key holds everything the map is made of.
    drawn = map_cache.drawn_map(
        data.map_key(filters, settings, tiles=tiles, title=title, note=note),
        build,
        height=height,
        use_container_width=True,
        # The clicked point too: a second click on a region selected before on this map
        # is a new click (ui.map_cache.clicked_region).
        returned_objects=["last_active_drawing", "last_object_clicked"],
        key=f"map-{settings.projection}",
    )
    layers = drawn.layers
    if settings.projection:
        if suppressed:
            regions_tab, sensitive_tab = st.tabs([t("map.tab.regions"), t("map.sensitive.header")])
            with regions_tab:
                _draw(drawn)
            with sensitive_tab:
                # Its own controls and caption stand above it in the tab.
                _sensitive_map(style, height - PROJECTION_SENSITIVE_CONTROLS, projection=True)
        else:
            _draw(drawn)
        return
    clicked = _draw(drawn)
    st.caption(t("map.caption"))
    missing = int(layers.values["no_data"].sum())
    if missing:
        st.caption(t("map.no_data.caption", count=missing, total=len(layers.values)))
    levels.show_not_allocated(filters)
    _downloads(lambda: folium_map(layers), layers, filters, settings, hot)
    _drill_down(filters, _selected_region(clicked, drawn), registry)

    _hotspot_table(filters, hot, registry, without)
    if suppressed:
        _sensitive_map(style, height)


def _hotspot_table(filters, hot, registry, without: str = "") -> None:
    st.subheader(t("map.hot.header"))
    if hot is None:
        st.info(without or t("map.hot.none"))
        return
    names = region_names(registry)
    named = hot["region_code"].map(names).fillna(hot["name"])
    apart = {NO_DATA: t("map.no_data.legend"), NO_NEIGHBOUR: t("map.no_data.neighbour_label")}
    moran = map_words().moran
    st.markdown(t("map.hot.plain", span=_span(filters)))
    shown = hot.assign(
        name=named,
        hot_cold=hot["hot_cold"].map(lambda value: apart.get(value) or hot_cold_label(value)),
        # Text columns: empty, not "None", where there is nothing to say. A region without
        # data keeps empty numbers, and its hot/cold column and note say why.
        emerging_category=hot["emerging_category"].map(emerging_label).fillna(""),
        moran_cluster=hot["moran_cluster"].map(
            lambda value: apart.get(value) or moran.get(value, value)
        ),
        note=hot["note"].astype("string").fillna(""),
    )
    st.dataframe(
        tables.in_language(
            shown,
            {
                "value": tables.Digits(1),
                "gi_z": tables.Digits(2, sign=True),
                "p_sim": tables.Digits(3),
                "p_fdr": tables.Digits(3),
            },
        ),
        hide_index=True,
        height=360,
        column_config={
            "region_code": st.column_config.TextColumn(t("map.hot.code")),
            "name": st.column_config.TextColumn(t("map.hot.region"), pinned=True),
            "value": st.column_config.NumberColumn(t("map.hot.value")),
            "gi_z": st.column_config.NumberColumn(t("map.hot.gi_z"), help=t("map.hot.gi_z_help")),
            "p_sim": st.column_config.NumberColumn(
                t("map.hot.p_sim"), help=t("map.hot.p_sim_help")
            ),
            "p_fdr": st.column_config.NumberColumn(
                t("map.hot.p_fdr"), help=t("map.hot.p_fdr_help")
            ),
            "hot_cold": st.column_config.TextColumn(t("map.hot.hot_cold")),
            "emerging_category": st.column_config.TextColumn(t("map.hot.emerging")),
            "moran_cluster": st.column_config.TextColumn(
                t("map.hot.moran"), help=t("map.hot.moran_help")
            ),
            "note": st.column_config.TextColumn(t("map.hot.note")),
        },
    )
    with st.expander(t("map.hot.method_expander"), icon=":material/query_stats:"):
        st.markdown(
            t(
                "map.hot.caption",
                span=_span(filters),
                permutations=number(DEFAULT_PERMUTATIONS),
            )
        )


main()
