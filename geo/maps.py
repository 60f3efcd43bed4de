"""Folium maps of regions and crossing points: frames in, a ``folium.Map`` out, nothing drawn.

Every map works without internet: no tile layer unless a deployment configures one
(the committed country and coast outlines form the basemap), and only the vendored
Leaflet files (:mod:`geo.assets`). Colours come from :mod:`geo.symbology` and are
given to each feature, and the legend is a plain Leaflet control: branca colour maps
would make streamlit-folium pull d3 from a CDN and blank the map. All text that reaches a
tooltip or the legend is HTML-escaped here, because Leaflet inserts it as HTML.
"""

from __future__ import annotations

import copy
import html
import json
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from folium.plugins import HeatMap
from jinja2 import Template

from geo import assets
from geo.overlays import (
    ENGLISH_WORDS,
    HEAT_PANE,
    LABEL_CSS,
    LAND_COLOUR,
    SEA_COLOUR,
    SYMBOL_PANE,
    LayerWords,
    add_labels,
    escape,
    fade_bands,
    heat_legend_html,
    legend_margins,
    side_box,
    size_legend_html,
    symbol_radius,
    symbol_style,
)
from geo.symbology import (
    DESK_STYLE,
    ENGLISH_MAP,
    HEAT_GRADIENT,
    HEAT_OPACITY,
    NO_DATA_COLOUR,
    NO_DATA_HATCH,
    NO_DATA_LABEL,
    PUBLISHED,
    Legend,
    MapStyle,
    MapWords,
    region_colours,
)
from threatmon.errors import TooFewRegionsError


def tooltip_html(title: object, rows: Sequence[tuple[object, object]]) -> str:
    """A small table for a tooltip; every piece of text is escaped."""
    body = "".join(
        f"<tr><td>{escape(label)}</td><td style='text-align:right;padding-left:8px'>"
        f"<b>{escape(value)}</b></td></tr>"
        for label, value in rows
    )
    return f"<b>{escape(title)}</b><table>{body}</table>"


class _LegendControl(MacroElement):
    """A Leaflet control holding prepared (escaped) HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.content|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            var parent = {{ this._parent.get_name() }};
            if (parent instanceof L.Map) { control.addTo(parent); return; }
            // In a group (layered_region_map): shown and removed with the group.
            parent.on('add', function() { control.addTo(parent._map); });
            parent.on('remove', function() { control.remove(); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content: str, position: str, css_class: str):
        super().__init__()
        self._name = "LegendControl"
        self.content, self.position, self.css_class = content, position, css_class


def legend_html(legend: Legend, style: MapStyle) -> str:
    """The legend as escaped HTML (a title, colour swatches, an optional note)."""
    size = style.font_px
    swatch = f"display:inline-block;width:{size}px;height:{size}px;margin-right:6px;"
    items = "".join(
        f"<div class='{'tm-no-data' if colour == NO_DATA_HATCH else 'tm-class'}'>"
        f"<span style='{swatch}background:{_swatch_fill(colour)};border:1px solid #555;"
        f"vertical-align:middle'></span>{escape(label)}</div>"
        for colour, label in legend.rows
    )
    note = (
        f"<div style='margin-top:4px;color:#444'>{escape(legend.note)}</div>" if legend.note else ""
    )
    return (
        f"<div style='background:rgba(255,255,255,0.92);padding:8px 10px;border-radius:4px;"
        f"font:{size}px/1.35 sans-serif;color:#111;box-shadow:0 0 4px rgba(0,0,0,.35);"
        f"max-width:{style.box_max_px}px'>"
        f"<div style='font-weight:bold;margin-bottom:4px'>{escape(legend.title)}</div>"
        f"{items}{note}</div>"
    )


#: The id of the SVG pattern that hatches regions without coverage.
HATCH_ID = "tm-no-data"
HATCH_STROKE = "#6e6e6e"


def _swatch_fill(colour: str) -> str:
    """A legend swatch's CSS background: the hatch of "no data" as a gradient (no image)."""
    if colour == NO_DATA_HATCH:
        return f"repeating-linear-gradient(45deg,{HATCH_STROKE} 0 2px,{NO_DATA_HATCH} 2px 6px)"
    return escape(colour)


class _HatchPattern(MacroElement):
    """Defines the SVG pattern of "no data" once per page, in the map's container.

    Leaflet draws regions as SVG paths and sets their ``fill`` attribute from
    ``fillColor``, so ``url(#tm-no-data)`` hatches them; the pattern is plain SVG
    written by the map's own script: nothing fetched, so it works offline and in the
    exported HTML alike.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            if (document.getElementById({{ this.pattern_id|tojson }})) { return; }
            var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
            svg.setAttribute('width', '0');
            svg.setAttribute('height', '0');
            svg.setAttribute('aria-hidden', 'true');
            svg.style.position = 'absolute';
            svg.innerHTML = {{ this.defs|tojson }};
            {{ this._parent.get_name() }}.getContainer().appendChild(svg);
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "HatchPattern"
        self.pattern_id = HATCH_ID
        self.defs = (
            f"<defs><pattern id='{HATCH_ID}' patternUnits='userSpaceOnUse' width='8' "
            "height='8' patternTransform='rotate(45)'>"
            f"<rect width='8' height='8' fill='{NO_DATA_HATCH}'/>"
            f"<line x1='0' y1='0' x2='0' y2='8' stroke='{HATCH_STROKE}' stroke-width='3'/>"
            "</pattern></defs>"
        )


def _fill(colour: str) -> str:
    """A region's SVG fill: its colour, or the hatch pattern for "no data"."""
    return f"url(#{HATCH_ID})" if colour == NO_DATA_HATCH else colour


def title_html(lines: Sequence[str], style: MapStyle) -> str:
    """The title block (filters and period) as escaped HTML."""
    if not lines:
        return ""
    first, *rest = lines
    size = style.font_px
    more = "".join(f"<div>{escape(line)}</div>" for line in rest)
    return (
        f"<div style='background:rgba(255,255,255,0.92);padding:8px 12px;border-radius:4px;"
        f"font:{size}px/1.35 sans-serif;color:#111;box-shadow:0 0 4px rgba(0,0,0,.35);"
        f"max-width:{style.box_max_px}px'>"
        f"<div style='font-weight:bold;font-size:{round(size * 1.25)}px'>{escape(first)}</div>"
        f"{more}</div>"
    )


class _CurrentGroup(MacroElement):
    """Asks streamlit-folium's frame for the page's current arguments once the map is drawn.

    A frame draws the group of its first arguments once its scripts are loaded and drops
    any arguments that came meanwhile (a measure chosen while a new map loads): Streamlit
    sends the current ones again to a component that says it is ready.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.Streamlit && window.__GLOBAL_DATA__) { window.Streamlit.setComponentReady(); }
        {% endmacro %}
        """
    )


#: The pane of national borders over a group's regions (:func:`layered_region_map`):
#: above the regions (overlay pane, z 400), below the heat layer.
BORDER_PANE = "borders"

#: Decimal places of coordinates sent to the browser: 0.001° is about 100 m, far below
#: the boundaries' own simplification (0.01°), and keeps the page light.
COORDINATE_DECIMALS = 3


def feature_collection(
    frame: gpd.GeoDataFrame, properties: Sequence[str], decimals: int = COORDINATE_DECIMALS
) -> dict:
    """A GeoJSON FeatureCollection of ``frame`` with rounded coordinates and few properties."""
    grid = 10.0**-decimals
    geometries = shapely.set_precision(np.asarray(frame.geometry.array), grid, mode="pointwise")
    columns = [frame[name].tolist() for name in properties]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": dict(zip(properties, values, strict=True)),
                "geometry": json.loads(text),
            }
            for text, *values in zip(shapely.to_geojson(geometries), *columns, strict=True)
        ],
    }


def _offline_map(
    bounds, style: MapStyle, tiles_url: str | None, asset_base: str, *, side_legends: bool
) -> folium.Map:
    # The wheel scrolls the page, never zooms the map: a map as wide as the page would
    # otherwise catch every scroll (the + and − buttons and a double click still zoom).
    fmap = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=5,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,
        scrollWheelZoom=False,
    )
    # Instance attributes shadow folium's CDN defaults; streamlit-folium reads the same.
    fmap.default_js = [("leaflet", assets.url(assets.LEAFLET_JS, asset_base))]
    fmap.default_css = [("leaflet_css", assets.url(assets.LEAFLET_CSS, asset_base))]
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr="Configured tile server", name="Tiles").add_to(fmap)
    fmap.get_root().header.add_child(
        folium.Element(
            f"<style>.leaflet-container{{background:{SEA_COLOUR}}}"
            f".leaflet-tooltip{{font-size:{style.font_px}px}}{LABEL_CSS}</style>"
        )
    )
    left, right = legend_margins(style, side_legends=side_legends)
    # The legends' columns are kept free of data: the regions fit between them.
    fmap.fit_bounds(
        [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        padding_top_left=(left, 12),
        padding_bottom_right=(right, 12),
    )
    return fmap


class _RawText(Element):
    """Already rendered text, added to the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _RawScriptRender(MacroElement):
    """``MacroElement.render`` without compiling the rendered output as a template.

    branca wraps each rendered macro in ``Element(text)``, which compiles the text as a
    jinja template: for a GeoJSON layer that is lexing a megabyte of coordinates, twice
    per rerun (0.3 s for 230 regions). The output is final, so it is added verbatim.
    """

    def render(self, **kwargs):
        figure = self.get_root()
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_RawText(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _GeoJsonLayer(folium.GeoJson, _RawScriptRender):
    """A GeoJson layer that renders fast: bounds from shapely, output not re-templated.

    folium computes a layer's bounds by visiting every coordinate in Python, and
    streamlit-folium asks twice per render: 0.35 s of every rerun for 230 regions.
    """

    def __init__(self, data: dict, *, frame: gpd.GeoDataFrame, **kwargs):
        super().__init__(data, **kwargs)
        west, south, east, north = (float(v) for v in frame.total_bounds)
        self._bounds = [[south, west], [north, east]]

    def _get_self_bounds(self) -> list[list[float]]:
        return self._bounds


class _CircleMarker(folium.CircleMarker, _RawScriptRender):
    """A crossing point's circle whose output is not re-templated: with its tooltip, a
    few hundred jinja compilations of every new map (0.2-0.3 s)."""


class _Tooltip(folium.Tooltip, _RawScriptRender):
    """A tooltip whose output is not re-templated (see :class:`_CircleMarker`)."""


class _OfflineHeatMap(HeatMap):
    def __init__(self, *args, asset_base: str = assets.SERVED_URL, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_js = [("leaflet-heat.js", assets.url(assets.HEAT_JS, asset_base))]


def _add_symbols(
    fmap: folium.Map,
    points: pd.DataFrame,
    column: str,
    label: str,
    style: MapStyle,
    words: MapWords = ENGLISH_MAP,
) -> float:
    """Circles of ``column`` at the crossing points; returns the largest value drawn."""
    shown = points[points[column].fillna(0) > 0]
    if shown.empty:
        return 0.0
    group = folium.FeatureGroup(name=label, show=True)
    radius = symbol_radius(shown[column], style.symbol_max_px)
    options = symbol_style(column, style)
    for (_, row), r in zip(shown.iterrows(), radius, strict=True):
        tip = tooltip_html(
            row["name_en"],
            [
                (label, words.number(int(row[column]))),
                (words.crossing_point, row["crossing_point_id"]),
            ],
        )
        marker = _CircleMarker(
            location=[float(row["latitude"]), float(row["longitude"])],
            radius=float(r),
            tooltip=_Tooltip(tip, sticky=True),
        )
        # Set after folium has built its options: its keywords have no pane.
        marker.options = {**marker.options, **options, "pane": SYMBOL_PANE}
        marker.add_to(group)
    group.add_to(fmap)
    return float(shown[column].max())


def region_map(
    regions: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    measure: str,
    context: gpd.GeoDataFrame | None = None,
    method: str = "quantiles",
    k: int = 5,
    crossings: pd.DataFrame | None = None,
    heat: pd.DataFrame | None = None,
    title: Sequence[str] = (),
    legend_note: str = "",
    style: MapStyle = DESK_STYLE,
    tiles_url: str | None = None,
    asset_base: str = assets.SERVED_URL,
    no_data_label: str = NO_DATA_LABEL,
    labels: pd.DataFrame | None = None,
    layer_words: LayerWords = ENGLISH_WORDS,
    words: MapWords = ENGLISH_MAP,
    group: folium.FeatureGroup | None = None,
) -> folium.Map:
    """A choropleth of regions with optional crossing-point symbols and a heat layer.

    Parameters
    ----------
    regions : GeoDataFrame
        ``region_code`` and ``geometry`` of the regions to draw (the selection).
    values : DataFrame
        ``region_code``, ``value`` and ``tooltip`` (HTML from :func:`tooltip_html`), and
        optionally ``no_data`` (True for a region without coverage). Regions without a
        row, or with ``no_data``, are drawn hatched as "no data" (legend ``no_data_label``).
    measure : str
        A key of :data:`geo.symbology.MEASURES`, or :data:`geo.symbology.PUBLISHED` for
        the cells of a suppressed table (see :func:`geo.symbology.published_colours`);
        decides the classes and palette.
    context : GeoDataFrame, optional
        Country outlines (``iso2``, ``project``, ``geometry``) drawn underneath as the
        basemap and again on top as national borders.
    method, k : str, int
        Classification of count and rate maps (:data:`geo.classes.METHODS`).
    crossings : DataFrame, optional
        ``crossing_point_id``, ``name_en``, ``latitude``, ``longitude`` and either or
        both of ``incidents`` and ``arrivals``: proportional circles.
    heat : DataFrame, optional
        ``latitude``, ``longitude``, ``count`` of geocoded incidents.
    title : sequence of str
        Lines of the title block (shown top left; the first in bold).
    style : MapStyle
    tiles_url : str, optional
        A tile server URL template for deployments that have one; default none.
    asset_base : str
        Where the vendored Leaflet files are served.
    labels : DataFrame, optional
        ``kind`` (``country``, ``capital`` or ``city``), ``name``, ``latitude`` and
        ``longitude`` of the place names to write (:func:`geo.boundaries.places`).
    layer_words : LayerWords
        The language of the crossing-point and heat legends.
    words : MapWords
        The language of the classes' legend and the crossing points' tooltips, and how
        they write numbers.
    group : FeatureGroup, optional
        Where the regions, the title and the classes' legend go instead of the map (see
        :func:`layered_region_map`); the map is then the same for every measure.

    The title and the classes' legend stand on the right, the size legends of the
    crossing points and the heat legend on the left; the regions are fitted between
    them (:func:`geo.overlays.legend_margins`). The mouse wheel scrolls the page, not the map.

    Returns
    -------
    folium.Map
        Region features carry ``region_code`` and ``name`` properties (a click returns
        them through streamlit-folium, for drill-down).
    """
    if regions.empty:
        raise TooFewRegionsError("There are no regions to map.", needed=1, found=0)
    given = [c for c in ("region_code", "value", "tooltip", "no_data") if c in values.columns]
    drawn = regions[["region_code", "name_en", "geometry"]].merge(
        values[given], on="region_code", how="left"
    )
    shown = [c for c in ("region_code", "value", "no_data") if c in drawn.columns]
    colours, legend, _ = region_colours(
        drawn[shown],
        measure,
        method=method,
        k=k,
        style=style,
        no_data_label=no_data_label,
        words=words,
    )
    legend = Legend(legend.title, legend.rows, legend_note)
    fallback = [
        tooltip_html(words.region(code, name), [("", no_data_label)])
        for code, name in zip(drawn["region_code"], drawn["name_en"], strict=True)
    ]
    drawn = drawn.assign(
        fill=colours.to_numpy(),
        tooltip=drawn["tooltip"].fillna(pd.Series(fallback, index=drawn.index)),
        name=drawn["name_en"],
    )[["region_code", "name", "fill", "tooltip", "geometry"]]
    bounds = drawn.total_bounds
    symbols = [
        (column, title)
        for column, title in (
            ("incidents", layer_words.incidents),
            ("arrivals", layer_words.arrivals),
        )
        if crossings is not None and column in crossings.columns
    ]
    with_heat = heat is not None and not heat.empty
    fmap = _offline_map(
        bounds, style, tiles_url, asset_base, side_legends=bool(symbols) or with_heat
    )

    if context is not None and not context.empty:
        _GeoJsonLayer(
            feature_collection(context, ["iso2"]),
            frame=context,
            name="Countries",
            style_function=lambda _f: {
                "fillColor": LAND_COLOUR,
                "color": "#9e9e9e",
                "weight": 0.8,
                "fillOpacity": 1.0,
            },
            interactive=False,
            control=False,
        ).add_to(fmap)
        fade = fade_bands(context)
        folium.GeoJson(
            fade,
            name="Fade",
            style_function=lambda feature: {
                "fillColor": SEA_COLOUR,
                "fillOpacity": feature["properties"]["opacity"],
                "stroke": False,
            },
            interactive=False,
            control=False,
        ).add_to(fmap)

    fills = dict(zip(drawn["region_code"], drawn["fill"], strict=True))
    _GeoJsonLayer(
        feature_collection(drawn, ["region_code", "name", "tooltip"]),
        frame=drawn,
        name=words.published if measure == PUBLISHED else words.measures.get(measure, measure),
        style_function=lambda feature: {
            "fillColor": _fill(fills.get(feature["properties"]["region_code"], NO_DATA_COLOUR)),
            "color": "#333333",
            "weight": style.outline_weight,
            "fillOpacity": style.fill_opacity,
        },
        highlight_function=lambda _f: {"weight": style.outline_weight * 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        zoom_on_click=False,
    ).add_to(fmap if group is None else group)

    if context is not None and not context.empty:
        # National borders on top of the regions: the first thing a reader looks for.
        # Only the project countries': the others have no regions drawn over them.
        borders = context[context["project"]]
        # A group's regions are drawn after everything on the map: the borders keep
        # above them in a pane of their own.
        above = {}
        if group is not None:
            folium.map.CustomPane(BORDER_PANE, z_index=410, pointer_events=False).add_to(fmap)
            above = {"pane": BORDER_PANE}
        _GeoJsonLayer(
            feature_collection(borders, ["iso2"]),
            frame=borders,
            name="Borders",
            style_function=lambda _f: {
                "fill": False,
                "color": "#111111",
                "weight": style.border_weight,
            },
            interactive=False,
            control=False,
            **above,
        ).add_to(fmap)

    if heat is not None and not heat.empty:
        # Leaflet.heat saturates at intensity 1: scale so that the densest 1 % of cells
        # are full red and the rest keep their contrast.
        counts = heat["count"].astype("float64")
        top = float(counts.quantile(0.99)) or 1.0
        weights = (counts / top).clip(upper=1.0).round(3)
        data = np.column_stack(
            [heat["latitude"].astype("float64"), heat["longitude"].astype("float64"), weights]
        ).tolist()
        # Its own pane above the regions (overlayPane, z 400) and below the crossing
        # circles' tooltips: in the overlay pane the opaque polygons would hide it.
        # Grey, and the whole pane translucent: the regions' colours stay readable
        # through it (Leaflet.heat's rainbow turned the map into a purple haze).
        folium.map.CustomPane(HEAT_PANE, z_index=420, pointer_events=False).add_to(fmap)
        fmap.get_root().header.add_child(
            folium.Element(f"<style>.leaflet-{HEAT_PANE}-pane{{opacity:{HEAT_OPACITY}}}</style>")
        )
        _OfflineHeatMap(
            data,
            pane=HEAT_PANE,
            name="Geocoded incidents (heat)",
            min_opacity=0.05,
            radius=22 if style.projection else 14,
            blur=18 if style.projection else 12,
            gradient={str(position): colour for position, colour in HEAT_GRADIENT.items()},
            asset_base=asset_base,
        ).add_to(fmap)

    side: list[str] = []
    if symbols:
        folium.map.CustomPane(SYMBOL_PANE, z_index=430).add_to(fmap)
        for column, label in symbols:
            top = _add_symbols(fmap, crossings, column, label, style, words)
            if top > 0:
                side.append(size_legend_html(label, column, top, style, layer_words.number))
    if with_heat:
        side.append(heat_legend_html(layer_words.heat, layer_words.fewer, layer_words.more, style))
    if labels is not None and not labels.empty:
        add_labels(fmap, labels, style)

    if group is not None:
        _CurrentGroup().add_to(fmap)
    if group is not None or (drawn["fill"] == NO_DATA_HATCH).any():
        _HatchPattern().add_to(fmap)
    # Title first: controls of one corner stack in the order they are added.
    target = fmap if group is None else group
    if title:
        _LegendControl(title_html(title, style), "topright", "tm-title").add_to(target)
    _LegendControl(legend_html(legend, style), "topright", "tm-legend").add_to(target)
    if side:
        _LegendControl(side_box("".join(side), style), "bottomleft", "tm-side").add_to(fmap)
    return fmap


def layered_region_map(*args, **kwargs) -> tuple[folium.Map, folium.FeatureGroup]:
    """:func:`region_map` in two parts: the map, and a group of what a measure changes
    (the regions, the title, the classes' legend).

    The map's script is then the same for every measure, so streamlit-folium keeps the
    map it has drawn (``st_folium(fmap, feature_group_to_add=group)``) and swaps the
    group alone: no new frame, no outlines, crossing points or labels drawn again, and
    the reader's zoom and position kept.
    """
    group = folium.FeatureGroup(name="Regions", control=False)
    return region_map(*args, **kwargs, group=group), group


def standalone_html(
    fmap: folium.Map,
    asset_base: str = assets.SERVED_URL,
    marking: str | Sequence[str] | None = None,
) -> str:
    """The map as one HTML file with Leaflet inlined: it opens offline, anywhere.

    ``marking`` (the classification, or the export's marking lines: the classification
    then the DEMO line of a demo store) is shown in a band above the map, escaped, and
    the classification is the document's title. The band takes its own room: the map
    fills the window below it, so no control of the map (the zoom buttons top left, the
    title and legend top right) is covered.
    """
    page = assets.inline(_fresh_root(fmap).render(), asset_base)
    lines = [marking] if isinstance(marking, str) else list(marking or ())
    lines = [line for line in lines if line]
    if not lines:
        return page
    first, *rest = (html.escape(line) for line in lines)
    band = f'<div class="tm-marking" style="{_MARKING_STYLE}">{first}</div>' + "".join(
        f'<div class="tm-demo" style="{_DEMO_STYLE}">{line}</div>' for line in rest
    )
    page = page.replace("<head>", f"<head><title>{first}</title>{_BAND_CSS}", 1)
    return page.replace("<body>", f'<body><header class="tm-band">{band}</header>', 1)


def _fresh_root(fmap: folium.Map):
    """A copy of the map's page with nothing left of earlier renders.

    Rendering adds each element's HTML and script to the page, and each layer's
    ``addTo`` statement to the layer, under the element's name; streamlit-folium renames
    every element of a map it draws. Rendered again as it was, the page's map held both
    the old and new names: two maps, one under the other, in one file. Both are rebuilt
    on render, so the copy drops them.
    """
    root = copy.deepcopy(fmap.get_root())
    for part in (root.html, root.script):
        part._children.clear()
    stack = [root]
    while stack:
        element = stack.pop()
        for name, child in list(element._children.items()):
            if isinstance(child, ElementAddToElement):
                del element._children[name]
            else:
                stack.append(child)
    return root


# The body is a column: the band, then the map filling the rest of the window (folium
# gives the map 100 % of the body's height, which would push its bottom off screen).
_BAND_CSS = (
    "<style>body{display:flex;flex-direction:column}"
    ".tm-band{flex:0 0 auto}"
    ".folium-map{flex:1 1 auto;height:auto!important;min-height:0}</style>"
)
_MARKING_STYLE = (
    "background:#b71c1c;color:#fff;font:700 14px sans-serif;text-align:center;padding:4px"
)
# The dashboard's DEMO banner colours (an amber warning).
_DEMO_STYLE = (
    "background:#fff3cd;color:#664d03;font:600 13px sans-serif;text-align:center;"
    "padding:3px;border-bottom:1px solid #bf6e00"
)
