"""What a region map shows for a chosen measure: decided once, for the page and the briefing.

The map page and the briefing's map must agree for the same settings: the regions of
the selection, their values (or hot spot categories) with tooltips, the colours and
legend of the measure, crossing points for the chosen layers and the heat points.
:func:`region_layers` decides all of it from frames, and :func:`published_layers` the
same for viewers' country map of published cells. :func:`layers_map` hands the result
to :func:`geo.maps.region_map` for Leaflet, and :func:`geo.png.map_png` draws it as a
PNG. Nothing here reads a store: the page and the CLI give it what they fetched their
own way (cached, or straight from the store).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from geo import assets
from geo.coverage import ENGLISH, NoDataWords, both_periods
from geo.mapdata import crossing_values, hotspot_values, region_values
from geo.maps import layered_region_map, region_map, tooltip_html
from geo.overlays import ENGLISH_WORDS, LayerWords
from geo.symbology import (
    CATEGORICAL,
    DESK_STYLE,
    ENGLISH_MAP,
    PUBLISHED,
    Legend,
    MapStyle,
    MapWords,
    region_colours,
)

#: The layers drawn on top of the regions when chosen (``ui.map_settings.LAYERS``).
SYMBOL_LAYERS = ("incidents", "arrivals")


@dataclass(frozen=True)
class RegionLayers:
    """Everything a region map draws, ready for :func:`layers_map` or a PNG.

    ``colours`` is aligned with ``regions`` (both indexed 0…n−1); ``legend`` carries
    the note the web map shows under it (the PNG leaves it out); ``words`` are the
    language the legend and tooltips were written in, for the web map's own.
    """

    regions: gpd.GeoDataFrame
    values: pd.DataFrame
    measure: str
    method: str
    k: int
    colours: pd.Series
    legend: Legend
    crossings: pd.DataFrame | None
    heat: pd.DataFrame | None
    title: tuple[str, ...]
    style: MapStyle
    no_data_label: str = ENGLISH.legend
    words: MapWords = ENGLISH_MAP


def region_layers(
    shapes: gpd.GeoDataFrame,
    registry: pd.DataFrame,
    inputs: Mapping[str, pd.DataFrame],
    crossing_points: pd.DataFrame,
    *,
    codes: Sequence[str],
    countries: Sequence[str] = (),
    measure: str = "rate",
    method: str = "quantiles",
    k: int = 5,
    layers: Collection[str] = ("incidents",),
    hot: pd.DataFrame | None = None,
    period_label: str = "",
    title: Sequence[str] = (),
    legend_note: str = "",
    style: MapStyle = DESK_STYLE,
    coverage: pd.DataFrame | None = None,
    previous_coverage: pd.DataFrame | None = None,
    words: NoDataWords = ENGLISH,
    map_words: MapWords = ENGLISH_MAP,
) -> RegionLayers:
    """The choropleth, symbols and heat of a selection for one measure.

    Parameters
    ----------
    shapes : GeoDataFrame
        Every region's polygon (:func:`geo.boundaries.regions`); those in ``codes`` are drawn.
    registry : DataFrame
        The region registry the reader may see.
    inputs : mapping
        ``current`` and ``previous``: counts per ``region_code`` in the period and the
        previous one; ``crossing_incidents`` and ``flows`` per ``crossing_point`` when a
        symbol layer is chosen; ``heat`` (geocoded points) when the heat layer is.
    crossing_points : DataFrame
        The crossing point registry (``threatmon.registry.crossing_points``).
    codes, countries : sequence of str
        The regions drawn (:func:`geo.mapdata.regions_in_view`) and the selected
        countries, whose borders' crossing points are kept.
    measure, method, k : str, str, int
        A key of :data:`geo.symbology.MEASURES` and the classification of count and rate maps.
    layers : collection of str
        Chosen among ``incidents``, ``arrivals`` and ``heat``.
    hot : DataFrame, optional
        The hotspot table (:func:`geo.analysis.region_hotspots`); needed by the measures
        of :data:`geo.symbology.CATEGORICAL`.
    period_label, title, legend_note : str, sequence of str, str
        The tooltips' period, the title block's lines and the note under the legend.
    style : MapStyle
    coverage, previous_coverage : DataFrame, optional
        :func:`geo.coverage.region_coverage` of the period and of the previous one (a
        change needs both): regions without coverage are drawn hatched as "no data",
        outside every class. None: every region counts as covered.
    words : NoDataWords
        The language of the "no data" legend entry and tooltips.
    map_words : MapWords
        The language of the rest of the legend and tooltips, and how they write numbers.
    """
    regions = shapes[shapes["region_code"].isin(codes)].reset_index(drop=True)
    if measure in CATEGORICAL:
        if hot is None:
            raise ValueError(f"The {measure!r} map needs the hotspot table; none was given.")
        values = hotspot_values(hot, measure, words, map_words)
    else:
        if measure == "change" and coverage is not None and previous_coverage is not None:
            coverage = both_periods(coverage, previous_coverage)
        values = region_values(
            inputs["current"],
            inputs["previous"],
            registry,
            measure,
            codes=codes,
            period_label=period_label,
            coverage=coverage,
            words=words,
            map_words=map_words,
        )
    crossings = None
    if set(SYMBOL_LAYERS) & set(layers):
        crossings = crossing_values(
            crossing_points, inputs["crossing_incidents"], inputs["flows"], countries=countries
        )
        crossings = crossings.drop(columns=[c for c in SYMBOL_LAYERS if c not in layers])
    shown = regions[["region_code"]].merge(
        values[["region_code", "value", "no_data"]], on="region_code", how="left"
    )
    colours, legend, _ = region_colours(
        shown,
        measure,
        method=method,
        k=k,
        style=style,
        no_data_label=words.legend,
        words=map_words,
    )
    return RegionLayers(
        regions=regions,
        values=values,
        measure=measure,
        method=method,
        k=k,
        colours=colours.reset_index(drop=True),
        legend=Legend(legend.title, legend.rows, legend_note),
        crossings=crossings,
        heat=inputs.get("heat") if "heat" in layers else None,
        title=tuple(title),
        style=style,
        no_data_label=words.legend,
        words=map_words,
    )


def published_layers(
    context: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    names: Mapping[str, str],
    *,
    label: str,
    title: Sequence[str] = (),
    style: MapStyle = DESK_STYLE,
    words: MapWords = ENGLISH_MAP,
) -> RegionLayers:
    """Viewers' country map of a suppressed table's cells, and nothing finer.

    ``context`` holds the country outlines (``iso2``); ``cells`` the published cell of
    each country (``country``, ``shown``: a count, "<k" or "c",
    :func:`threatmon.disclosure.sensitive.country_cells`); ``names`` the countries'
    names; ``label`` the tooltip's row label (crime type and quarter); ``words`` the
    legend's language.
    """
    regions = (
        context[context["iso2"].isin(cells["country"])]
        .rename(columns={"iso2": "region_code"})
        .assign(name_en=lambda frame: frame["region_code"].map(names))
        .reset_index(drop=True)
    )
    values = cells.rename(columns={"country": "region_code", "shown": "value"}).assign(
        tooltip=lambda frame: [
            tooltip_html(names[code], [(label, shown)])
            for code, shown in zip(frame["region_code"], frame["value"], strict=True)
        ]
    )
    colours, legend, _ = region_colours(
        regions[["region_code"]].merge(values, on="region_code", how="left"),
        PUBLISHED,
        style=style,
        words=words,
    )
    return RegionLayers(
        regions=regions,
        values=values,
        measure=PUBLISHED,
        method="quantiles",
        k=5,
        colours=colours.reset_index(drop=True),
        legend=legend,
        crossings=None,
        heat=None,
        title=tuple(title),
        style=style,
        words=words,
    )


def _drawn(layers: RegionLayers) -> dict:
    """What :func:`geo.maps.region_map` draws of ``layers`` besides the regions and values."""
    return {
        "measure": layers.measure,
        "method": layers.method,
        "k": layers.k,
        "crossings": layers.crossings,
        "heat": layers.heat,
        "title": layers.title,
        "legend_note": layers.legend.note,
        "style": layers.style,
        "no_data_label": layers.no_data_label,
        "words": layers.words,
    }


def layers_map(
    layers: RegionLayers,
    *,
    context: gpd.GeoDataFrame | None = None,
    tiles_url: str | None = None,
    asset_base: str = assets.SERVED_URL,
    labels: pd.DataFrame | None = None,
    layer_words: LayerWords = ENGLISH_WORDS,
) -> folium.Map:
    """The Leaflet map of ``layers``, with country outlines ``context``, place ``labels``
    and the legends of the optional layers in ``layer_words``' language
    (:func:`region_map`)."""
    return region_map(
        layers.regions,
        layers.values,
        context=context,
        tiles_url=tiles_url,
        asset_base=asset_base,
        labels=labels,
        layer_words=layer_words,
        **_drawn(layers),
    )


def layered_layers_map(layers: RegionLayers, **options) -> tuple[folium.Map, folium.FeatureGroup]:
    """:func:`layers_map` in two parts (:func:`geo.maps.layered_region_map`); ``options``
    are :func:`layers_map`'s."""
    return layered_region_map(layers.regions, layers.values, **options, **_drawn(layers))
