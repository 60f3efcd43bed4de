"""The map as a PNG image, drawn with matplotlib from the same colours as the web map.

A PNG goes into slides and e-mails; it is rendered here, server-side and offline,
rather than by screenshotting a browser, so it needs nothing but the data. It draws
every layer the web map has on (the regions, the crossing points' incidents and
arrivals, the heat of geocoded incidents) and each layer's legend in a column beside
the map, never on it: a legend in a corner of the map covered regions (Crimea).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend as MplLegend
from matplotlib.patches import Patch, Rectangle

from geo.overlays import (
    ENGLISH_WORDS,
    SEA_COLOUR,
    LayerWords,
    size_legend_values,
    symbol_radius,
)
from geo.symbology import (
    DESK_STYLE,
    HEAT_GRADIENT,
    HEAT_OPACITY,
    INCIDENT_SYMBOL,
    NO_DATA_COLOUR,
    NO_DATA_HATCH,
    SYMBOL_STROKE,
    Legend,
    MapStyle,
)

_DPI = 100
#: Width of the legends' column beside the map (at the desk's type size; larger type
#: widens it), the gap between them and the figure's edge, in inches.
_PANEL_IN, _GAP_IN, _EDGE_IN = 3.4, 0.25, 0.1
#: The average width of a character of the legends' type, in ems (DejaVu Sans).
_CHAR_EM = 0.6
#: Dashes of the arrivals' circles (the web map's ARRIVAL_DASH, in points).
_ARRIVAL_DASH = (0, (4, 2.5))
#: The map's height at most, as a share of the figure's width (a tall selection).
_MAX_HEIGHT = 0.75
#: Hexagons across the map's width for the heat layer.
_HEAT_CELLS = 70


def map_png(*args, **options) -> bytes:
    """:func:`map_figure` (the same arguments) rendered as PNG bytes."""
    buffer = io.BytesIO()
    map_figure(*args, **options).savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def map_figure(
    regions: gpd.GeoDataFrame,
    colours: pd.Series,
    legend: Legend,
    *,
    context: gpd.GeoDataFrame | None = None,
    crossings: pd.DataFrame | None = None,
    heat: pd.DataFrame | None = None,
    title: Sequence[str] = (),
    style: MapStyle = DESK_STYLE,
    words: LayerWords = ENGLISH_WORDS,
    width_px: int = 1600,
) -> Figure:
    """The map as a matplotlib figure: the map on the left, its legends in a column right.

    Parameters
    ----------
    regions, colours : GeoDataFrame, Series
        The regions and their fills, aligned; the map's extent is that of ``regions``.
    legend : Legend
        The classes' legend (its note is the web map's; the PNG leaves it out).
    context : GeoDataFrame, optional
        Country outlines drawn around the regions.
    crossings : DataFrame, optional
        ``latitude``, ``longitude`` and ``incidents`` and/or ``arrivals`` (the layers the
        user has on, :func:`geo.layers.region_layers`): circles whose area follows the
        value, filled for incidents and dashed for arrivals, as on the web map.
    heat : DataFrame, optional
        ``latitude``, ``longitude``, ``count`` of geocoded incidents: a grey heat layer.
    title : sequence of str
        The title block above the map (the marking first, the DEMO note last).
    words : LayerWords
        The crossing-point and heat legends' words.

    The map's layers carry a ``gid`` (``regions``, ``incidents``, ``arrivals``,
    ``heat``), and so does each legend (``classes``, ``incidents``, ``arrivals``,
    ``heat``).
    """
    if len(colours) != len(regions):
        raise ValueError(
            f"`colours` has {len(colours)} entries for {len(regions)} regions; "
            "they must be aligned."
        )
    west, south, east, north = regions.total_bounds
    pad_x, pad_y = (east - west) * 0.04, (north - south) * 0.04
    extent = (west - pad_x, east + pad_x, south - pad_y, north + pad_y)
    # Degrees of longitude are shorter than degrees of latitude, as geopandas draws them.
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    aspect = (extent[1] - extent[0]) / ((extent[3] - extent[2]) * stretch)
    # The map fills the width left beside the legends, unless it would then be taller
    # than the page is wide; the figure then narrows, never stretching the map.
    width_in = width_px / _DPI
    panel_in = _PANEL_IN * style.font_px / DESK_STYLE.font_px
    map_w = width_in - panel_in - _GAP_IN - 2 * _EDGE_IN
    map_h = min(map_w / aspect, _MAX_HEIGHT * width_in)
    map_w = map_h * aspect
    width_in = map_w + panel_in + _GAP_IN + 2 * _EDGE_IN
    title_in = (0.45 + 0.24 * (len(title) - 1)) * style.font_px / 13 if title else 0.0
    height_in = map_h + title_in + 2 * _EDGE_IN
    # A bare Figure (not pyplot) keeps no global state: safe in a multi-session server.
    fig = Figure(figsize=(width_in, height_in), dpi=_DPI)
    FigureCanvasAgg(fig)  # measures the legends to stack them (below)
    ax = fig.add_axes(
        (_EDGE_IN / width_in, _EDGE_IN / height_in, map_w / width_in, map_h / height_in)
    )
    panel = fig.add_axes(
        (
            (_EDGE_IN + map_w + _GAP_IN) / width_in,
            _EDGE_IN / height_in,
            panel_in / width_in,
            map_h / height_in,
        )
    )
    panel.set_axis_off()
    # Axes switched off draw no background: the sea is a rectangle under everything.
    ax.add_patch(
        Rectangle(
            (extent[0], extent[2]),
            extent[1] - extent[0],
            extent[3] - extent[2],
            facecolor=SEA_COLOUR,
            edgecolor="none",
            zorder=0,
        )
    )
    _draw_regions(ax, regions, colours, context, style)
    legends = [_classes_legend(panel, legend, style)]
    for column, label in (("incidents", words.incidents), ("arrivals", words.arrivals)):
        if crossings is not None and column in crossings.columns:
            top = _draw_symbols(ax, crossings, column, style)
            if top > 0:
                legends.append(_size_legend(panel, column, label, top, style))
    if heat is not None and not heat.empty:
        _draw_heat(ax, heat, extent)
        legends.append(_heat_legend(panel, words, style))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(stretch)
    ax.set_axis_off()
    _stack(fig, panel, legends)
    if title:
        top = 1 - _EDGE_IN / height_in
        fig.text(
            _EDGE_IN / width_in,
            top,
            title[0],
            fontsize=style.font_px * 1.3,
            fontweight="bold",
            va="top",
        )
        if len(title) > 1:
            fig.text(
                _EDGE_IN / width_in,
                top - 0.36 * style.font_px / 13 / height_in,
                "\n".join(title[1:]),
                fontsize=style.font_px * 0.85,
                va="top",
            )
    return fig


def _draw_regions(ax: Axes, regions, colours: pd.Series, context, style: MapStyle) -> None:
    if context is not None and not context.empty:
        context.plot(ax=ax, color="#f7f7f7", edgecolor="#9e9e9e", linewidth=0.6)
    fills = colours.fillna(NO_DATA_COLOUR)
    regions.plot(
        ax=ax,
        color=list(fills),
        edgecolor="#333333",
        linewidth=style.outline_weight * 0.6,
        gid="regions",
    )
    hatched = (fills == NO_DATA_HATCH).to_numpy()
    if hatched.any():
        # "No data" is hatched as on the web map, never a class colour.
        regions[hatched].plot(
            ax=ax, facecolor="none", edgecolor="#6e6e6e", hatch="///", linewidth=0
        )
    if context is not None and not context.empty:
        context.boundary.plot(ax=ax, color="#111111", linewidth=style.border_weight * 0.6)


def _area_pt2(radius_px: pd.Series | np.ndarray) -> np.ndarray:
    """Scatter sizes (points squared) of circles of ``radius_px`` pixels at the PNG's dpi."""
    return (2 * np.asarray(radius_px, dtype="float64") * 72 / _DPI) ** 2


def _symbol_options(column: str, style: MapStyle) -> dict:
    width = 2.0 if style.projection else 1.2
    if column == "arrivals":
        return {
            "facecolors": "none",
            "edgecolors": SYMBOL_STROKE,
            "linewidths": width,
            "linestyles": [_ARRIVAL_DASH],
        }
    return {
        "facecolors": to_rgba(INCIDENT_SYMBOL, 0.5),
        "edgecolors": SYMBOL_STROKE,
        "linewidths": width,
    }


def _draw_symbols(ax: Axes, crossings: pd.DataFrame, column: str, style: MapStyle) -> float:
    """Circles of ``column`` at the crossing points; returns the largest value drawn."""
    shown = crossings[crossings[column].fillna(0) > 0]
    if shown.empty:
        return 0.0
    radius = symbol_radius(shown[column], style.symbol_max_px)
    ax.scatter(
        shown["longitude"],
        shown["latitude"],
        s=_area_pt2(radius),
        zorder=6 if column == "arrivals" else 5,
        gid=column,
        **_symbol_options(column, style),
    )
    return float(shown[column].max())


def _draw_heat(ax: Axes, heat: pd.DataFrame, extent) -> None:
    # The web map's Leaflet.heat, approximated: counts summed in hexagons, in the same grey
    # gradient, saturated at the densest 1 % of cells, the layer translucent.
    counts = heat["count"].astype("float64")
    cells = ax.hexbin(
        heat["longitude"].astype("float64"),
        heat["latitude"].astype("float64"),
        C=counts,
        reduce_C_function=np.sum,
        gridsize=_HEAT_CELLS,
        extent=extent,
        mincnt=1,
        cmap=_heat_colours(),
        alpha=HEAT_OPACITY,
        linewidths=0,
        zorder=4,
        gid="heat",
    )
    values = np.ma.compressed(cells.get_array())
    if len(values):
        cells.set_clim(0, float(np.quantile(values, 0.99)) or 1.0)


def _heat_colours() -> LinearSegmentedColormap:
    stops = [(0.0, (1, 1, 1, 0))] + [
        (position, to_rgba(colour)) for position, colour in sorted(HEAT_GRADIENT.items())
    ]
    return LinearSegmentedColormap.from_list("tm-heat", stops)


def _classes_legend(panel: Axes, legend: Legend, style: MapStyle) -> MplLegend:
    handles = [
        Patch(
            facecolor=c,
            edgecolor="#555555",
            label=label,
            hatch="///" if c == NO_DATA_HATCH else None,
        )
        for c, label in legend.rows
    ]
    return _legend(panel, handles, legend.title, "classes", style)


def _size_legend(panel: Axes, column: str, label: str, top: float, style: MapStyle) -> MplLegend:
    values = size_legend_values(top)
    radii = symbol_radius(pd.Series([top, *values]), style.symbol_max_px)[1:]
    handles = [
        panel.scatter(
            [], [], s=_area_pt2([r]), label=f"{value:,}", **_symbol_options(column, style)
        )
        for value, r in zip(values, radii, strict=True)
    ]
    # Each row as high and the handles as wide as the largest circle, in font sizes.
    largest = math.sqrt(float(_area_pt2([max(radii, default=0.0)])[0])) / (style.font_px * 0.8)
    room = max(largest * 1.1, 1.0)
    return _legend(panel, handles, label, column, style, handleheight=room, handlelength=room)


def _heat_legend(panel: Axes, words: LayerWords, style: MapStyle) -> MplLegend:
    colours = _heat_colours()
    handles = [
        Patch(facecolor=colours(level), alpha=HEAT_OPACITY, edgecolor="#888888", label=text)
        for level, text in ((0.3, words.fewer), (1.0, words.more))
    ]
    return _legend(panel, handles, words.heat, "heat", style)


def _legend(panel: Axes, handles, title: str, gid: str, style: MapStyle, **spacing) -> MplLegend:
    """A legend in the panel, its title and labels wrapped to the panel's width."""
    size = style.font_px * 0.8
    width_pt = panel.get_position().width * panel.figure.get_figwidth() * 72
    room = spacing.get("handlelength", 2.0) + 2.0  # the handle, its pads, the frame
    labels = [_wrap(handle.get_label(), width_pt / size - room) for handle in handles]
    found = MplLegend(
        panel,
        handles,
        labels,
        title=_wrap(title, width_pt / (style.font_px * 0.85) - 1.0),
        loc="upper left",
        fontsize=size,
        title_fontsize=style.font_px * 0.85,
        framealpha=0.92,
        alignment="left",
        **spacing,
    )
    found.set_gid(gid)
    panel.add_artist(found)
    # Not clipped to the panel: a stack taller than the map extends the image downwards.
    found.set_clip_on(False)
    return found


def _wrap(text: str, ems: float) -> str:
    return textwrap.fill(str(text), max(int(ems / _CHAR_EM), 8))


def _stack(fig: Figure, panel: Axes, legends: list[MplLegend]) -> None:
    """The legends one under another from the top of the panel."""
    renderer = fig.canvas.get_renderer()
    inverse = panel.transAxes.inverted()
    top = 1.0
    for found in legends:
        found.set_bbox_to_anchor((0, top), transform=panel.transAxes)
        box = found.get_window_extent(renderer)
        bottom = inverse.transform((box.x0, box.y0))[1]
        top = bottom - 0.03
