"""How a map's numbers look: measures, colours, palettes, styles and legends; no folium.

The folium map (:mod:`geo.maps`) and the PNG (:mod:`geo.png`) colour regions and
symbols from the same functions here, so that a slide and the page never disagree.
Colours are plain hex strings given to each feature: the classes come from
:mod:`geo.classes`, the palettes from matplotlib, and a legend is a title with
(colour, label) rows that either renderer draws its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from geo.classes import ENGLISH_CLASSES, Classes, ClassWords, classify, classify_change
from geo.coverage import NO_NEIGHBOUR
from threatmon.coverage import NO_DATA

#: What a region's colour can show.
MEASURES: dict[str, str] = {
    "count": "Incidents",
    "rate": "Incidents per 100,000 inhabitants (smoothed, empirical Bayes)",
    "rate_raw": "Incidents per 100,000 inhabitants (raw)",
    "change": "Change against the previous period",
    "hotspot": "Hot and cold spots (Getis-Ord Gi*)",
    "emerging": "Emerging hot spots",
    "clusters": "Clusters and outliers (Local Moran's I)",
}
NO_DATA_COLOUR = "#d9d9d9"
#: Regions without coverage for the selection: grey under a hatch (the web map draws an
#: SVG pattern and the PNG a matplotlib hatch wherever a region has this colour), so that
#: "no data" never reads as the lowest class or as the plain grey of "too few to compare".
NO_DATA_HATCH = "#bdbdbd"
NO_DATA_LABEL = "No data"
#: A covered region none of whose neighbours is covered: it has a value, but no class.
NO_NEIGHBOUR_COLOUR = "#ffffff"
NO_NEIGHBOUR_LABEL = "no neighbour with data"
HOT_COLD_COLOURS: dict[str, str] = {"hot": "#c0392b", "cold": "#1f618d", "none": "#eeeeee"}
# Esri's Emerging Hot Spot Analysis symbology: reds for hot patterns, blues for cold ones.
EMERGING_COLOURS: dict[str, str] = {
    "new hot spot": "#fdae61",
    "consecutive hot spot": "#f46d43",
    "intensifying hot spot": "#a50026",
    "persistent hot spot": "#d73027",
    "diminishing hot spot": "#f4a582",
    "sporadic hot spot": "#fee090",
    "oscillating hot spot": "#e08214",
    "historical hot spot": "#b35806",
    "new cold spot": "#abd9e9",
    "consecutive cold spot": "#74add1",
    "intensifying cold spot": "#313695",
    "persistent cold spot": "#4575b4",
    "diminishing cold spot": "#92c5de",
    "sporadic cold spot": "#e0f3f8",
    "oscillating cold spot": "#8073ac",
    "historical cold spot": "#542788",
    "no pattern detected": "#eeeeee",
}
# High-high red, low-low blue; the outliers in lighter shades of the same.
MORAN_COLOURS: dict[str, str] = {
    "HH": "#c0392b",
    "LL": "#1f618d",
    "HL": "#f1948a",
    "LH": "#85c1e9",
    "none": "#eeeeee",
}
MORAN_LABELS: dict[str, str] = {
    "HH": "high among high (cluster)",
    "LL": "low among low (cluster)",
    "HL": "high among low (outlier)",
    "LH": "low among high (outlier)",
    "none": "not significant",
}
#: The measure of viewers' country maps of sensitive crime types: the cells of a
#: suppressed table as published ("<k", "c" for a hidden complement, or a count).
PUBLISHED = "published"
PUBLISHED_TITLE = "Published count (small counts suppressed)"
SMALL_COUNT_COLOUR = "#c6b3d9"
#: A cell hidden as a complement: darker than "no data" (light grey), which it is not.
HIDDEN_COLOUR = "#8c8c8c"
ZERO_COLOUR = "#ffffff"
#: Crossing-point circles stay outside every palette of regions (the reds and blues of hot
#: and cold spots and of change, the sequential classes): a black ring, over a white veil
#: (INCIDENT_SYMBOL) for incidents and dashed without fill for arrivals, never reads as
#: a class.
SYMBOL_STROKE = "#111111"
INCIDENT_SYMBOL = "#ffffff"
ARRIVAL_DASH = "6 4"
#: The heat layer darkens where geocoded incidents are dense, in grey, under a pane
#: opacity that leaves the regions' colours readable through it.
HEAT_GRADIENT: dict[float, str] = {0.2: "#bdbdbd", 0.6: "#636363", 1.0: "#111111"}
HEAT_OPACITY = 0.55


#: The legend's words for the hot and cold spots of Gi*.
HOT_COLD_LABELS: dict[str, str] = {
    "hot": "hot spot",
    "cold": "cold spot",
    "none": "not significant",
}


def _unchanged(value: str) -> str:
    return value


@dataclass(frozen=True)
class MapWords:
    """The words of a region map's legend and tooltips, and how it writes numbers.

    English unless a page passes its language's (``ui``): :mod:`geo` never translates.
    Texts in braces are placeholders: ``{period}`` (the tooltip's period), ``{n}``
    (100,000 written by ``classes.number``), ``{change}``, ``{alpha}``, ``{marker}``.
    """

    classes: ClassWords = ENGLISH_CLASSES
    #: Legend titles of :data:`MEASURES` and of :data:`PUBLISHED`.
    measures: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(MEASURES))
    published: str = PUBLISHED_TITLE
    hot_cold: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(HOT_COLD_LABELS))
    moran: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(MORAN_LABELS))
    emerging: Callable[[str], str] = _unchanged
    no_neighbour: str = NO_NEIGHBOUR_LABEL
    too_few: str = "too few incidents to compare"
    no_value: str = "no data"
    small: str = "{marker} (a small count, not shown)"
    zero: str = "none"
    hidden: str = "hidden, so that no small count can be worked out"
    unreported: str = "no data (not reported)"
    # Tooltips.
    incidents: str = "Incidents {period}"
    previous: str = "Previous period"
    change: str = "Change"
    within_chance: str = "{change} (within chance)"
    per_100k: str = "Per {n} inhabitants"
    smoothed: str = "Smoothed (empirical Bayes)"
    per_100k_smoothed: str = "Per {n}, smoothed"
    gi_z: str = "Gi* z-score"
    p_fdr: str = "p (FDR-adjusted)"
    hot_or_cold: str = "Hot or cold (α = {alpha})"
    emerging_pattern: str = "Emerging pattern"
    local_moran: str = "Local Moran"
    crossing_point: str = "Crossing point"
    #: Region code → its name in the language; a region not in it keeps the English name.
    region_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def region(self, code: str, english: str) -> str:
        """Region ``code``'s name in the language (``english`` when it has none)."""
        return self.region_names.get(code) or english

    def number(self, value: float, decimals: int = 0, sign: bool = False) -> str:
        """``value`` with the language's separators."""
        return self.classes.number(value, decimals, sign)

    def percent(self, value: float) -> str:
        """A signed whole percent: "+12 %"."""
        return self.classes.value(value, percent=True)

    def category(self, measure: str, value: str) -> str:
        """A category of :data:`CATEGORICAL` ``measure`` in words (itself when unknown)."""
        if measure == "clusters":
            return self.moran.get(value, value)
        if measure == "hotspot":
            return self.hot_cold.get(value, value)
        return self.emerging(value) if isinstance(value, str) else value


ENGLISH_MAP = MapWords()


#: Measures whose values are categories, with their colours.
CATEGORICAL: dict[str, dict[str, str]] = {
    "hotspot": HOT_COLD_COLOURS,
    "emerging": EMERGING_COLOURS,
    "clusters": MORAN_COLOURS,
}


@dataclass(frozen=True)
class MapStyle:
    """Sizes and palettes: the desk default or the projector ("projection") variant.

    A projected map is read from across a room on a washed-out screen: larger type
    and symbols, thicker outlines, and palettes whose classes differ in lightness
    (viridis), not only in hue.
    """

    projection: bool = False

    @property
    def font_px(self) -> int:
        return 22 if self.projection else 13

    @property
    def outline_weight(self) -> float:
        return 1.6 if self.projection else 0.6

    @property
    def border_weight(self) -> float:
        return 3.5 if self.projection else 1.8

    @property
    def symbol_max_px(self) -> float:
        return 34.0 if self.projection else 22.0

    @property
    def sequential(self) -> str:
        return "viridis_r" if self.projection else "YlOrRd"

    @property
    def diverging(self) -> str:
        return "PuOr_r" if self.projection else "RdBu_r"

    @property
    def box_max_px(self) -> int:
        """Widest legend or title box: long notes wrap instead of covering the map."""
        return 460 if self.projection else 260

    @property
    def side_box_px(self) -> int:
        """Width of the crossing-point and heat legends, on the map's left."""
        return 250 if self.projection else 150

    @property
    def label_px(self) -> int:
        """Type size of city labels (country names are larger)."""
        return 17 if self.projection else 11

    @property
    def fill_opacity(self) -> float:
        return 0.9 if self.projection else 0.78


DESK_STYLE = MapStyle()
PROJECTION_STYLE = MapStyle(projection=True)


def sample_palette(name: str, k: int) -> list[str]:
    """``k`` hex colours spread over a matplotlib colour map (light to dark for sequential)."""
    if k < 1:
        return []
    cmap = colormaps[name]
    if k == 1:
        return [to_hex(cmap(0.6))]
    return [to_hex(cmap(0.12 + 0.82 * i / (k - 1))) for i in range(k)]


@dataclass(frozen=True)
class Legend:
    """What a legend shows, on the web map or the PNG: a title and (colour, label) rows."""

    title: str
    rows: tuple[tuple[str, str], ...]
    note: str = ""


def region_colours(
    values: pd.DataFrame,
    measure: str,
    *,
    method: str = "quantiles",
    k: int = 5,
    style: MapStyle = DESK_STYLE,
    no_data_label: str = NO_DATA_LABEL,
    words: MapWords = ENGLISH_MAP,
) -> tuple[pd.Series, Legend, Classes | None]:
    """The fill colour of each region and the legend that explains it.

    ``values`` has ``region_code`` and ``value`` (a number for count, the rates and
    change; a category for hotspot, emerging and clusters), and optionally ``no_data``:
    True for a region without coverage (missing counts as True). Such regions, and the
    category :data:`geo.coverage.NO_DATA`, get :data:`NO_DATA_HATCH` and a legend row
    ``no_data_label``; they are never in a class, and class breaks ignore them. The
    legend is written in ``words``. Returns colours indexed like ``values``.
    """
    if measure == PUBLISHED:
        colours, legend = published_colours(values["value"], k=k, style=style, words=words)
        return colours, legend, None
    if measure not in MEASURES:
        raise ValueError(f"Unknown map measure {measure!r}; use one of {list(MEASURES)}.")
    title = words.measures.get(measure, MEASURES[measure])
    if measure in CATEGORICAL:
        palette = CATEGORICAL[measure]
        colours = values["value"].map(palette).fillna(NO_DATA_COLOUR)
        colours = colours.mask(values["value"] == NO_NEIGHBOUR, NO_NEIGHBOUR_COLOUR)
        colours = colours.mask(values["value"] == NO_DATA, NO_DATA_HATCH)
        shown = [c for c in palette if c in set(values["value"])]
        rows = tuple((palette[c], words.category(measure, c)) for c in shown)
        if (values["value"] == NO_NEIGHBOUR).any():
            rows += ((NO_NEIGHBOUR_COLOUR, words.no_neighbour),)
        if (values["value"] == NO_DATA).any():
            rows += ((NO_DATA_HATCH, no_data_label),)
        return colours, Legend(title, rows), None
    no_data = (
        values["no_data"].astype("boolean").fillna(True).astype(bool)
        if "no_data" in values.columns
        else pd.Series(False, index=values.index)
    )
    # Class breaks come from the covered regions alone: an unknown value is no class.
    known = values["value"].astype("float64").mask(no_data)
    if measure == "change":
        index, classes = classify_change(known, words.classes)
        palette = sample_palette(style.diverging, classes.k)
    else:
        index, classes = classify(known, method, k, words.classes)
        palette = sample_palette(style.sequential, classes.k)
    colours = index.map(lambda i: palette[i] if i >= 0 else NO_DATA_COLOUR)
    colours = colours.mask(no_data, NO_DATA_HATCH)
    rows = tuple(zip(palette, classes.labels, strict=True))
    if ((index < 0) & ~no_data).any():
        missing = words.too_few if measure == "change" else words.no_value
        rows += ((NO_DATA_COLOUR, missing),)
    if no_data.any():
        rows += ((NO_DATA_HATCH, no_data_label),)
    return colours, Legend(title, rows), classes


def published_colours(
    shown: pd.Series, *, k: int = 4, style: MapStyle = DESK_STYLE, words: MapWords = ENGLISH_MAP
) -> tuple[pd.Series, Legend]:
    """Colours for published cells of a suppressed table: counts in classes, the rest apart.

    ``shown`` holds each area's cell as published: a whole number, "<k" (a count from 1
    to k−1), "c" (hidden as a complement) or "no data" (not reported), or NaN where
    nothing was published. Only the published numbers are classified (natural breaks, at
    most ``k`` classes), so the colours reveal nothing the table does not: a "<k" area
    gets one colour whatever its count, a hidden one dark grey, and one that reported
    nothing the light grey of "no data". The legend is written in ``words``.
    """
    text = shown.astype("string")
    numbers = pd.to_numeric(shown, errors="coerce")  # "<k" and "c" are not numbers
    positive = numbers.where(numbers > 0)
    index, classes = classify(positive, "natural_breaks", max(2, min(k, 9)), words.classes)
    palette = sample_palette(style.sequential, classes.k)
    colours = index.map(lambda i: palette[i] if i >= 0 else NO_DATA_COLOUR)
    small = text.str.startswith("<").fillna(False)
    colours = colours.mask(numbers == 0, ZERO_COLOUR).mask(small, SMALL_COUNT_COLOUR)
    unreported = (text == NO_DATA).fillna(False) | shown.isna()
    hidden = (index < 0) & ~(small | (numbers == 0) | unreported)
    colours = colours.mask(hidden, HIDDEN_COLOUR)
    rows: tuple[tuple[str, str], ...] = tuple(zip(palette, classes.labels, strict=True))
    if small.any():
        marker = str(text[small].iloc[0])
        rows += ((SMALL_COUNT_COLOUR, words.small.format(marker=marker)),)
    if (numbers == 0).any():
        rows += ((ZERO_COLOUR, words.zero),)
    if hidden.any():
        rows += ((HIDDEN_COLOUR, words.hidden),)
    if unreported.any():
        rows += ((NO_DATA_COLOUR, words.unreported),)
    return colours, Legend(words.published, rows)
