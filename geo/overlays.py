"""What a region map draws besides the regions: symbols' and heat legends, place labels,
the legends' margins and the fade at the basemap's cut; no folium map of its own.

:mod:`geo.maps` draws the map and calls these. The crossing-point circles and their
size legend share :func:`symbol_radius` and :func:`symbol_style`, so that a legend's
circle is the size and look of the map's. All text is HTML-escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.classes import english_number
from geo.symbology import (
    ARRIVAL_DASH,
    HEAT_GRADIENT,
    HEAT_OPACITY,
    INCIDENT_SYMBOL,
    SYMBOL_STROKE,
    MapStyle,
)


def escape(value: object) -> str:
    """HTML-escaped text of any value (None → empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


#: The sea and whatever lies beyond the outlines (the map's background).
SEA_COLOUR = "#dfe9f2"
LAND_COLOUR = "#f7f7f7"
#: Where the committed outlines are cut (geo/data/README.md): lon 10–50, lat 38–62.
CONTEXT_VIEW = (10.0, 38.0, 50.0, 62.0)
LABEL_CSS = (
    ".tm-label{pointer-events:none;white-space:nowrap;font-family:sans-serif;color:#222;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}"
    ".tm-label-country{font-weight:700;letter-spacing:0.12em;text-transform:uppercase;"
    "color:rgba(20,20,20,0.72)}"
)


def legend_margins(style: MapStyle, *, side_legends: bool) -> tuple[int, int]:
    """Pixels kept free of data on the map's left and right for the legends.

    The title and the classes' legend stand in a column on the right, the crossing-point
    and heat legends (``side_legends``) on the left above the scale bar; the regions are
    fitted between the two, so no legend covers a region.
    """
    right = style.box_max_px + 24
    left = style.side_box_px + 24 if side_legends else 56  # the zoom buttons
    return left, right


def symbol_radius(values: pd.Series, max_px: float) -> pd.Series:
    # Area, not radius, is proportional to the value: readers judge circles by area.
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return pd.Series(0.0, index=values.index)
    return (np.sqrt(values.astype("float64") / top) * max_px).clip(lower=3.0)


def symbol_style(column: str, style: MapStyle) -> dict:
    """Leaflet path options of a crossing-point circle (incidents or arrivals)."""
    weight = 2.5 if style.projection else 1.6
    if column == "arrivals":
        return {"color": SYMBOL_STROKE, "weight": weight, "fill": False, "dashArray": ARRIVAL_DASH}
    return {
        "color": SYMBOL_STROKE,
        "weight": weight,
        "fill": True,
        "fillColor": INCIDENT_SYMBOL,
        "fillOpacity": 0.5,
    }


def size_legend_values(top: float) -> list[int]:
    """Round values for a size legend whose largest circle is at most ``top``.

    The largest is ``top`` rounded down to one significant digit (two for values from
    10 to 19), the others a quarter and a sixteenth of it, rounded the same way.
    """

    def round_down(value: float) -> int:
        if value < 1:
            return 0
        digits = len(str(int(value)))
        keep = 2 if str(int(value)).startswith("1") and digits > 1 else 1
        unit = 10 ** max(digits - keep, 0)
        return int(value // unit * unit)

    values = [round_down(top), round_down(top / 4), round_down(top / 16)]
    return sorted({v for v in values if v > 0}, reverse=True)


def size_legend_html(
    title: str,
    column: str,
    top: float,
    style: MapStyle,
    number: Callable[..., str] = english_number,
) -> str:
    """A legend of circle sizes: three round values drawn as the map draws them, written
    by ``number`` (the language's separators)."""
    values = size_legend_values(top)
    radii = [float(r) for r in symbol_radius(pd.Series([top, *values]), style.symbol_max_px)[1:]]
    options = symbol_style(column, style)
    stroke = f"stroke='{SYMBOL_STROKE}' stroke-width='{options['weight']}'"
    fill = (
        f"fill='{INCIDENT_SYMBOL}' fill-opacity='{options['fillOpacity']}'"
        if options["fill"]
        else "fill='none'"
    )
    dash = f" stroke-dasharray='{ARRIVAL_DASH}'" if "dashArray" in options else ""
    size = style.font_px
    pad = options["weight"] + 1
    height = 2 * (radii[0] if radii else 0) + 2 * pad
    x, circles, texts = pad, [], []
    for value, r in zip(values, radii, strict=True):
        # Each circle gets the width of its label at least (digits are ~0.6 em wide).
        text = escape(number(value))
        slot = max(2 * r, len(number(value)) * size * 0.85 * 0.6)
        cx = x + slot / 2
        circles.append(
            f"<circle cx='{cx:.1f}' cy='{height - pad - r:.1f}' r='{r:.1f}' {stroke} {fill}{dash}/>"
        )
        texts.append(
            f"<text x='{cx:.1f}' y='{height + size:.1f}' font-size='{size * 0.85:.0f}' "
            f"text-anchor='middle' fill='#111'>{text}</text>"
        )
        x += slot + max(8.0, size * 0.6)
    # Labels of millions are wider than the box: the drawing shrinks to fit it then.
    inner = style.side_box_px - 20
    total = height + size * 1.3
    scale = min(1.0, inner / x)
    svg = (
        f"<svg width='{x * scale:.0f}' height='{total * scale:.0f}' "
        f"viewBox='0 0 {x:.0f} {total:.0f}' role='img' "
        f"aria-label='{escape(title)}'>{''.join(circles)}{''.join(texts)}</svg>"
    )
    return (
        f"<div class='tm-size-legend' data-layer='{escape(column)}' style='margin-bottom:6px'>"
        f"<div style='font-weight:bold;margin-bottom:2px'>{escape(title)}</div>{svg}</div>"
    )


def heat_legend_html(title: str, fewer: str, more: str, style: MapStyle) -> str:
    """The heat layer's legend: its gradient as the map blends it, fewer to more."""
    stops = ",".join(
        f"{_rgba(colour, HEAT_OPACITY * max(position, 0.25))} {position * 100:.0f}%"
        for position, colour in sorted(HEAT_GRADIENT.items())
    )
    return (
        "<div class='tm-heat-legend'>"
        f"<div style='font-weight:bold;margin-bottom:2px'>{escape(title)}</div>"
        f"<div style='height:{style.font_px * 0.8:.0f}px;border:1px solid #888;"
        f"background:linear-gradient(90deg,rgba(255,255,255,0) 0%,{stops})'></div>"
        "<div style='display:flex;justify-content:space-between'>"
        f"<span>{escape(fewer)}</span><span>{escape(more)}</span></div></div>"
    )


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha:.2f})"


def side_box(content: str, style: MapStyle) -> str:
    size = style.font_px
    return (
        f"<div style='background:rgba(255,255,255,0.92);padding:8px 10px;border-radius:4px;"
        f"font:{size}px/1.35 sans-serif;color:#111;box-shadow:0 0 4px rgba(0,0,0,.35);"
        f"width:{style.side_box_px - 20}px'>{content}</div>"
    )


@dataclass(frozen=True)
class LayerWords:
    """The words of the crossing-point and heat legends, and how their numbers are
    written (``number(value)``); English unless a page passes its translations."""

    incidents: str = "Crossing points: incidents"
    arrivals: str = "Crossing points: arrivals from Ukraine"
    heat: str = "Heat of geocoded incidents"
    fewer: str = "fewer"
    more: str = "more"
    number: Callable[..., str] = english_number


ENGLISH_WORDS = LayerWords()

#: Panes above the regions (overlayPane, z 400): the heat, then the crossing circles,
#: then the place labels; all below the tooltips (650).
HEAT_PANE, SYMBOL_PANE, LABEL_PANE = "heat", "symbols", "labels"


def add_labels(fmap: folium.Map, labels: pd.DataFrame, style: MapStyle) -> None:
    """Country and city names that never take a click or a hover from the data below."""
    folium.map.CustomPane(LABEL_PANE, z_index=440, pointer_events=False).add_to(fmap)
    group = folium.FeatureGroup(name="Places", control=False)
    for row in labels.itertuples(index=False):
        if row.kind == "country":
            size = round(style.label_px * 1.35)
            text = (
                f"<span class='tm-label tm-label-country' style='font-size:{size}px;"
                f"position:relative'>"
            )
            text += f"{escape(row.name)}</span>"
            anchor = (0, size // 2)
        else:
            size = style.label_px
            weight = 700 if row.kind == "capital" else 400
            dot = max(3, size // 3)
            kind = " tm-label-capital" if row.kind == "capital" else ""
            text = (
                f"<span class='tm-label tm-label-city{kind}' style='font-size:{size}px;"
                f"font-weight:{weight};position:relative'><span style='display:inline-block;"
                f"width:{dot}px;"
                f"height:{dot}px;border-radius:50%;background:#222;margin-right:3px;"
                f"vertical-align:middle'></span>{escape(row.name)}</span>"
            )
            anchor = (dot // 2, size // 2 + 2)
        marker = folium.Marker(
            location=[float(row.latitude), float(row.longitude)],
            icon=folium.DivIcon(html=text, class_name="tm-place", icon_anchor=anchor),
            interactive=False,
        )
        marker.options = {**marker.options, "pane": LABEL_PANE, "keyboard": False}
        marker.add_to(group)
    group.add_to(fmap)
    _Declutter().add_to(fmap)


class _Declutter(MacroElement):
    """Keeps the place names apart at every zoom, in the browser that measures them.

    Zoomed out to the whole region (the projector's view), a country's name lay over its
    capital's ("POLAND" over "Warsaw"). Capitals are placed first and always shown; a
    country's name then takes the first of its own place, one line below, one above, two
    below or two above that overlaps no name placed before it (or its own place if none
    does); another city's name is hidden where it would overlap one. Run again after
    each zoom and resize, since the names' sizes on the map change with both.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          function rank(el) {
            if (el.classList.contains('tm-label-capital')) { return 0; }
            return el.classList.contains('tm-label-country') ? 1 : 2;
          }
          function apart(a, b) {
            return a.right + 2 <= b.left || b.right + 2 <= a.left
              || a.bottom + 1 <= b.top || b.bottom + 1 <= a.top;
          }
          function declutter() {
            var pane = map.getPane('{{ this.pane }}');
            if (!pane) { return; }
            var labels = Array.prototype.slice.call(pane.querySelectorAll('.tm-label'));
            labels.forEach(function (el) { el.style.top = '0px'; el.style.visibility = ''; });
            labels.sort(function (a, b) { return rank(a) - rank(b); });
            var placed = [];
            labels.forEach(function (el) {
              var shifts = rank(el) === 1 ? [0, 1, -1, 2, -2] : [0];
              for (var i = 0; i < shifts.length; i++) {
                el.style.top = (shifts[i] * el.offsetHeight) + 'px';
                var box = el.getBoundingClientRect();
                if (placed.every(function (other) { return apart(box, other); })) {
                  placed.push(box);
                  return;
                }
              }
              el.style.top = '0px';
              if (rank(el) === 2) { el.style.visibility = 'hidden'; return; }
              placed.push(el.getBoundingClientRect());
            });
          }
          map.whenReady(function () { setTimeout(declutter, 0); });
          map.on('zoomend resize', declutter);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, pane: str = LABEL_PANE):
        super().__init__()
        self._name = "Declutter"
        self.pane = pane


def fade_bands(context: gpd.GeoDataFrame, steps: int = 8, width: float = 3.0) -> dict:
    """Bands along the edges of the outlines' cut, from clear inside to the sea's colour.

    The outlines stop at a rectangle (:data:`CONTEXT_VIEW`); drawn over them, these
    bands fade the land into the background instead of ending in a straight edge.
    Returns a FeatureCollection whose features carry their ``opacity``.
    """
    west, south, east, north = CONTEXT_VIEW
    outer = shapely.box(west - 40, south - 40, east + 40, north + 40)
    features = []
    previous = shapely.box(west, south, east, north)
    features.append((outer.difference(previous), 1.0))
    for step in range(1, steps + 1):
        inset = width * step / steps
        inner = shapely.box(west + inset, south + inset, east - inset, north - inset)
        features.append((previous.difference(inner), 1.0 - step / (steps + 1)))
        previous = inner
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"opacity": round(opacity, 3)},
                "geometry": shapely.geometry.mapping(shape),
            }
            for shape, opacity in features
        ],
    }
