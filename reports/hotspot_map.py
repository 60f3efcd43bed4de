"""The briefing's hot-spot map: the Getis-Ord Gi* hot and cold spots of the selection, by
confidence, drawn as a PNG with its legend and the hot and cold spots listed beside it.

The classes come from :func:`geo.analysis.region_hotspots`, the code path of the map page's
hot spot view and of ``threatmon hotspots``: hot (reds) or cold (blues) at 99, 95 and 90 %
confidence after the false discovery rate correction, not significant (light grey), not
tested (a region with data but no neighbour with data: white) and no data (hatched grey, as
on the map page; :mod:`geo.coverage`). The extent is that of every selected region, so the
whole of the 10 project countries (eastern Ukraine, Crimea and Georgia included) for the
default selection; the legend and the list sit beside the map, never on it.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geo import boundaries
from geo.analysis import DEFAULT_PERMUTATIONS, region_hotspots
from geo.coverage import NO_NEIGHBOUR
from reports.words import ENGLISH, Words
from threatmon.coverage import NO_DATA
from threatmon.errors import TooFewPeriodsError, TooFewRegionsError
from threatmon.filters import Filters
from threatmon.rules import HOTSPOT_ALPHA
from threatmon.store.reader import Store

__all__ = ["HOTSPOT_CLASSES", "hotspot_classes", "hotspot_figure", "hotspot_map", "map_title"]

#: (key, legend label, fill colour) of each class, in legend order. Reds and blues of
#: ColorBrewer's RdBu, darker for more confidence, as in Esri's Hot Spot Analysis.
HOTSPOT_CLASSES: tuple[tuple[str, str, str], ...] = (
    ("hot_99", "Hot spot, 99 % confidence", "#b2182b"),
    ("hot_95", "Hot spot, 95 % confidence", "#ef8a62"),
    ("hot_90", "Hot spot, 90 % confidence", "#fddbc7"),
    ("none", "Not significant", "#e3e3e3"),
    ("cold_90", "Cold spot, 90 % confidence", "#d1e5f0"),
    ("cold_95", "Cold spot, 95 % confidence", "#67a9cf"),
    ("cold_99", "Cold spot, 99 % confidence", "#2166ac"),
    ("untested", "Not tested (no neighbour with data)", "#ffffff"),
    ("no_data", "No data", "#bdbdbd"),
)
LEGEND_TITLE = "Getis-Ord Gi* hot and cold spots (false discovery rate adjusted)"


def class_labels(words: Words = ENGLISH) -> dict[str, str]:
    """The legend label of each class of :data:`HOTSPOT_CLASSES` in ``words``' language."""
    hot, cold = words.t("briefing.map.hot_spot"), words.t("briefing.map.cold_spot")
    labels = {
        f"{side}_{level}": words.t(
            "briefing.map.confidence", spot=name, pct=words.percent(int(level))
        )
        for side, name in (("hot", hot), ("cold", cold))
        for level in ("99", "95", "90")
    }
    labels["none"] = words.t("briefing.map.not_significant")
    labels["untested"] = words.t("briefing.map.untested")
    labels["no_data"] = words.t("briefing.map.no_data")
    return labels


# The 95 % class is the map page's "hot"/"cold" (HOTSPOT_ALPHA); 99 and 90 % split it and
# add the weaker evidence either side of it.
_STRONG, _WEAK = 0.01, 0.10
_COLOURS = {key: colour for key, _, colour in HOTSPOT_CLASSES}
_SEA, _LAND, _BORDER = "#dfe9f2", "#fafafa", "#111111"
_DPI = 140
_WIDTH_IN = 10.0
_PANEL_IN = 3.5
_MAX_MAP_H_IN = 7.0
_FONT_PT = 10.5


def map_title(
    filters: Filters, area: str, crimes: str, marking: str, demo: bool, words: Words = ENGLISH
) -> list[str]:
    """The marking, then what the map shows (few lines: they are drawn above the map)."""
    lines = [
        marking,
        words.t("briefing.map.title", span=words.span(filters.start, filters.end)),
        f"{area} · {crimes}",
    ]
    return [*lines, *([words.t("map.demo_note")] if demo else [])]


def hotspot_classes(hot: pd.DataFrame) -> pd.Series:
    """The map class of each row of a :func:`geo.analysis.region_hotspots` table.

    ``hot_99``/``cold_99`` where the FDR-adjusted p-value is at most 0.01, ``hot_95``/
    ``cold_95`` for the rest of the map page's hot and cold spots (at most
    :data:`threatmon.rules.HOTSPOT_ALPHA`), ``hot_90``/``cold_90`` above that up to 0.10
    (by the sign of the z-score), ``none`` otherwise; ``untested`` for a region without a
    neighbour with data (or when there was no test), ``no_data`` without data. Indexed
    like ``hot``; ``hot`` is not modified.
    """
    kind = hot["hot_cold"].astype(str)
    p = hot["p_fdr"].astype("float64")
    z = hot["gi_z"].astype("float64")
    side = np.where(z > 0, "hot", "cold")
    # A region called hot or cold at HOTSPOT_ALPHA keeps its side; 90 % adds the regions
    # between HOTSPOT_ALPHA and 0.10, which the map page shows as not significant.
    called = kind.isin(["hot", "cold"]).to_numpy()
    weak = (kind == "none").to_numpy() & (p > HOTSPOT_ALPHA * (1 + 1e-9)).to_numpy()
    weak &= (p <= _WEAK * (1 + 1e-9)).to_numpy() & (z != 0).to_numpy()
    classes = np.select(
        [
            (kind == NO_DATA).to_numpy(),
            (kind == NO_NEIGHBOUR).to_numpy(),
            called & (p <= _STRONG * (1 + 1e-9)).to_numpy(),
            called,
            weak,
        ],
        [
            "no_data",
            "untested",
            np.char.add(kind.to_numpy().astype(str), "_99"),
            np.char.add(kind.to_numpy().astype(str), "_95"),
            np.char.add(side.astype(str), "_90"),
        ],
        default="none",
    )
    return pd.Series(classes, index=hot.index, name="class")


def _listed(
    hot: pd.DataFrame, classes: pd.Series, words: Words = ENGLISH
) -> dict[str, pd.DataFrame]:
    """Hot spots (hottest first) and cold spots (coldest first), numbered H1…, C1… (the
    letters are the language's: "F1", "R1" in Romanian)."""
    out = {}
    letters = {
        "hot": words.t("briefing.map.hot_letter"),
        "cold": words.t("briefing.map.cold_letter"),
    }
    for side, ascending in (("hot", False), ("cold", True)):
        mask = classes.str.startswith(side).to_numpy()
        rows = hot.loc[mask].assign(level=classes[mask].str[-2:].to_numpy())
        rows = rows.sort_values("gi_z", ascending=ascending, kind="stable").reset_index(drop=True)
        out[side] = rows.assign(label=[f"{letters[side]}{i}" for i in range(1, len(rows) + 1)])
    return out


def hotspot_figure(
    regions: gpd.GeoDataFrame,
    classes: pd.Series,
    listed: dict[str, pd.DataFrame],
    *,
    context: gpd.GeoDataFrame | None = None,
    title: Sequence[str] = (),
    words: Words = ENGLISH,
) -> Figure:
    """The map as a matplotlib Figure (not pyplot: no global state in a server).

    ``regions`` (``region_code``, ``geometry``) are drawn in the colour of their class
    (``classes``, aligned with them); the extent is theirs. ``listed`` holds the ``hot``
    and ``cold`` spots (``region_code``, ``name``, ``level``, ``label``), labelled on the
    map and listed beside it under the legend.
    """
    if len(classes) != len(regions):
        raise ValueError(
            f"`classes` has {len(classes)} entries for {len(regions)} regions; "
            "they must be aligned."
        )
    west, south, east, north = regions.total_bounds
    pad_x, pad_y = (east - west) * 0.03 + 0.2, (north - south) * 0.03 + 0.2
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    # Degrees of longitude shrink with latitude: the map's true width-to-height ratio.
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    ratio = (east - west) / ((north - south) * stretch)
    map_w = _WIDTH_IN - _PANEL_IN - 0.35
    map_h = min(map_w / ratio, _MAX_MAP_H_IN)
    map_w = map_h * ratio
    title_h = 0.12 + 0.24 * len(title)
    height = max(map_h, 4.6) + title_h + 0.15
    fig = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI)
    ax = fig.add_axes((0.1 / _WIDTH_IN, 0.1 / height, map_w / _WIDTH_IN, map_h / height))
    ax.set_facecolor(_SEA)
    if context is not None and not context.empty:
        context.plot(ax=ax, color=_LAND, edgecolor="#9e9e9e", linewidth=0.4)
    fills = [_COLOURS[c] for c in classes]
    regions.plot(ax=ax, color=fills, edgecolor="#4d4d4d", linewidth=0.25)
    hatched = (classes == "no_data").to_numpy()
    if hatched.any():
        # "No data" is hatched as on the web map, never a class colour.
        regions[hatched].plot(
            ax=ax, facecolor="none", edgecolor="#6e6e6e", hatch="///", linewidth=0
        )
    if context is not None and not context.empty:
        context.boundary.plot(ax=ax, color=_BORDER, linewidth=0.6)
    _labels(ax, regions, listed)
    # "datalim" widens the limits to the axes' shape, never cuts into the extent.
    ax.set_aspect(stretch, adjustable="datalim")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_axis_off()
    for i, line in enumerate(title):
        fig.text(
            0.1 / _WIDTH_IN,
            1 - (0.1 + 0.24 * i) / height,
            line,
            va="top",
            fontsize=_FONT_PT + (2 if i == 0 else 0.5),
            fontweight="bold" if i == 0 else "normal",
        )
    _panel(fig, (map_w + 0.3) / _WIDTH_IN, (map_h + 0.1) / height, classes, listed, words)
    return fig


def _labels(ax, regions: gpd.GeoDataFrame, listed: dict[str, pd.DataFrame]) -> None:
    points = regions.set_index("region_code").geometry.representative_point()
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for rows in listed.values():
        for row in rows.itertuples(index=False):
            if row.region_code not in points.index:
                continue
            point = points[row.region_code]
            ax.annotate(
                row.label,
                (point.x, point.y),
                ha="center",
                va="center",
                fontsize=_FONT_PT - 3.5,
                fontweight="bold",
                path_effects=halo,
                zorder=6,
            )


def _panel(fig: Figure, left: float, top: float, classes, listed, words: Words) -> None:
    """The legend, with its whole title, and the hot and cold spots below it."""
    shown = set(classes)
    labels = class_labels(words)
    handles = [
        Patch(
            facecolor=colour,
            edgecolor="#555555",
            hatch="///" if key == "no_data" else None,
            label=labels[key],
        )
        for key, _, colour in HOTSPOT_CLASSES
        if key in shown or not key.endswith(("untested", "no_data"))
    ]
    legend = fig.legend(
        handles=handles,
        title=textwrap.fill(words.t("briefing.map.legend_title"), 30),
        loc="upper left",
        bbox_to_anchor=(left, top),
        bbox_transform=fig.transFigure,
        fontsize=_FONT_PT - 0.5,
        title_fontsize=_FONT_PT,
        alignment="left",
        frameon=False,
    )
    fig.draw_without_rendering()
    box = legend.get_window_extent().transformed(fig.transFigure.inverted())
    lines = _spot_lines(listed, words)
    line_h = (_FONT_PT - 1.5) * 1.35 / 72 / fig.get_figheight()
    room = int((box.y0 - 0.02 - 0.1 / fig.get_figheight()) / line_h)
    if len(lines) > room:
        hidden = len(lines) - room + 1
        lines = [*lines[: room - 1], words.t("briefing.map.more", n=hidden)]
    fig.text(
        left + 0.005,
        box.y0 - 0.02,
        "\n".join(lines),
        va="top",
        ha="left",
        fontsize=_FONT_PT - 1.5,
        linespacing=1.35,
    )


def _spot_lines(listed: dict[str, pd.DataFrame], words: Words) -> list[str]:
    lines: list[str] = []
    headings = (
        ("hot", words.t("briefing.map.hot_spots")),
        ("cold", words.t("briefing.map.cold_spots")),
    )
    for side, heading in headings:
        rows = listed[side]
        count = words.number(len(rows)) if len(rows) else words.t("briefing.map.none")
        lines.append(f"{heading}: {count}")
        for row in rows.itertuples(index=False):
            name = textwrap.shorten(str(row.name), 30, placeholder="…")
            level = words.percent(int(row.level))
            lines.append(f"  {row.label}  {name} ({row.region_code[:2]}), {level}")
        lines.append("")
    return lines[:-1]


def hotspot_png(
    regions: gpd.GeoDataFrame,
    classes: pd.Series,
    listed: dict[str, pd.DataFrame],
    *,
    context: gpd.GeoDataFrame | None = None,
    title: Sequence[str] = (),
    words: Words = ENGLISH,
) -> bytes:
    """:func:`hotspot_figure` as PNG bytes, the figure's whole area (nothing cropped)."""
    fig = hotspot_figure(regions, classes, listed, context=context, title=title, words=words)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def hotspot_map(
    store: Store,
    filters: Filters,
    registry: pd.DataFrame,
    codes: list[str],
    title: list[str],
    words: Words = ENGLISH,
) -> tuple[str, bytes]:
    """(caption, PNG) of the selection's Gi* hot and cold spots (the map page's test), in
    ``words``' language (``registry``'s ``name_en`` names the regions,
    :meth:`reports.words.Words.named`)."""
    shapes = boundaries.regions()
    shapes = shapes[shapes["region_code"].isin(codes)].reset_index(drop=True)
    names = registry.set_index("region_code")["name_en"]
    try:
        # Only Gi*: the emerging analysis and Local Moran are not shown here.
        hot = region_hotspots(store, filters, codes=list(codes), gi_only=True)
    except (TooFewRegionsError, TooFewPeriodsError) as exc:  # fewer than 3 regions or 2 months
        hot, why = None, words.t("briefing.map.no_test", reason=_reason(exc, words))
    if hot is None:
        classes = pd.Series("untested", index=shapes.index)
        listed = {
            side: pd.DataFrame(columns=["region_code", "name", "level", "label"])
            for side in ("hot", "cold")
        }
    else:
        by_code = hot.set_index("region_code")
        classes = hotspot_classes(by_code).reindex(shapes["region_code"]).fillna("no_data")
        classes.index = shapes.index
        listed = _listed(
            hot.assign(name=hot["region_code"].map(names).fillna(hot["name"])),
            hotspot_classes(hot),
            words,
        )
        why = _sentence(listed, words)
    png = hotspot_png(
        shapes, classes, listed, context=boundaries.context(), title=title, words=words
    )
    caption = words.t(
        "briefing.map.caption",
        span=words.span(filters.start, filters.end),
        permutations=words.number(DEFAULT_PERMUTATIONS),
    )
    return f"{caption} {why}", png


def _reason(exc: Exception, words: Words) -> str:
    """Why no test was run: the error's own sentence in English, else in the language."""
    if words.language == ENGLISH.language:
        return str(exc)
    if isinstance(exc, TooFewRegionsError):
        return words.t("briefing.map.too_few_regions")
    return words.t("briefing.map.too_few_months")


def _sentence(listed: dict[str, pd.DataFrame], words: Words) -> str:
    parts = []
    for side in ("hot", "cold"):
        rows = listed[side]
        if len(rows):
            names = ", ".join(
                f"{r.label} {r.name} ({words.percent(int(r.level))})" for r in rows.itertuples()
            )
            if side == "hot":
                parts.append(words.t("briefing.map.hot_list", names=names))
            else:
                parts.append(words.t("briefing.map.cold_list", names=names))
    return " ".join(parts) or words.t("briefing.map.no_spots")
