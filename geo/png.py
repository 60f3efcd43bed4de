"""The map as a PNG image, drawn with matplotlib from the same colours as the web map.

A PNG goes into slides and e-mails; it is rendered here, server-side and offline,
rather than by screenshotting a browser, so it needs nothing but the data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geo.symbology import (
    DESK_STYLE,
    INCIDENT_SYMBOL,
    NO_DATA_COLOUR,
    NO_DATA_HATCH,
    SYMBOL_STROKE,
    Legend,
    MapStyle,
)


def map_png(
    regions: gpd.GeoDataFrame,
    colours: pd.Series,
    legend: Legend,
    *,
    context: gpd.GeoDataFrame | None = None,
    crossings: pd.DataFrame | None = None,
    title: Sequence[str] = (),
    style: MapStyle = DESK_STYLE,
    width_px: int = 1600,
) -> bytes:
    """Render regions filled with ``colours`` (aligned with ``regions``) as PNG bytes.

    ``crossings`` (``latitude``, ``longitude``, ``incidents``) adds proportional
    circles. The extent is that of ``regions``; ``context`` is drawn around them.
    """
    if len(colours) != len(regions):
        raise ValueError(
            f"`colours` has {len(colours)} entries for {len(regions)} regions; "
            "they must be aligned."
        )
    west, south, east, north = regions.total_bounds
    pad_x, pad_y = (east - west) * 0.04, (north - south) * 0.04
    aspect = (east - west + 2 * pad_x) / (north - south + 2 * pad_y)
    dpi = 100
    height_in = width_px / dpi / max(aspect, 0.5)
    # A bare Figure (not pyplot) keeps no global state: safe in a multi-session server.
    fig = Figure(figsize=(width_px / dpi, height_in + 1.2), dpi=dpi)
    ax = fig.subplots()
    ax.set_facecolor("#dfe9f2")
    if context is not None and not context.empty:
        context.plot(ax=ax, color="#f7f7f7", edgecolor="#9e9e9e", linewidth=0.6)
    fills = colours.fillna(NO_DATA_COLOUR)
    regions.plot(
        ax=ax,
        color=list(fills),
        edgecolor="#333333",
        linewidth=style.outline_weight * 0.6,
    )
    hatched = (fills == NO_DATA_HATCH).to_numpy()
    if hatched.any():
        # "No data" is hatched as on the web map, never a class colour.
        regions[hatched].plot(
            ax=ax, facecolor="none", edgecolor="#6e6e6e", hatch="///", linewidth=0
        )
    if context is not None and not context.empty:
        context.boundary.plot(ax=ax, color="#111111", linewidth=style.border_weight * 0.6)
    if crossings is not None and not crossings.empty and "incidents" in crossings:
        shown = crossings[crossings["incidents"] > 0]
        if not shown.empty:
            size = shown["incidents"] / shown["incidents"].max() * (style.symbol_max_px * 12)
            ax.scatter(
                shown["longitude"],
                shown["latitude"],
                s=size.clip(lower=8),
                color=INCIDENT_SYMBOL,
                alpha=0.6,
                edgecolors=SYMBOL_STROKE,
                linewidths=1.0,
                zorder=5,
            )
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    ax.set_axis_off()
    handles = [
        Patch(
            facecolor=c,
            edgecolor="#555555",
            label=label,
            hatch="///" if c == NO_DATA_HATCH else None,
        )
        for c, label in legend.rows
    ]
    ax.legend(
        handles=handles,
        title=legend.title,
        loc="lower right",
        fontsize=style.font_px * 0.8,
        title_fontsize=style.font_px * 0.85,
        framealpha=0.92,
    )
    if title:
        fig.suptitle(title[0], fontsize=style.font_px * 1.3, fontweight="bold", x=0.02, ha="left")
        if len(title) > 1:
            fig.text(0.02, 0.93, "\n".join(title[1:]), fontsize=style.font_px * 0.85, va="top")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
