"""The layers of a map, decided once for the page and the briefing."""

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.layers import layers_map, published_layers, region_layers
from geo.maps import region_map
from geo.symbology import HIDDEN_COLOUR, PROJECTION_STYLE, PUBLISHED, MapWords, region_colours

REGISTRY = pd.DataFrame(
    {
        "region_code": ["MD-AA", "MD-BB", "UA-01"],
        "country": ["MD", "MD", "UA"],
        "name_en": ["Alpha", "Beta", "One"],
        "name_local": ["Alfa", "Beta", "Один"],
        "population": [200_000, 50_000, 1_000_000],
    }
)
SHAPES = gpd.GeoDataFrame(
    {"region_code": ["UA-01", "MD-BB", "MD-AA"], "name_en": ["One", "Beta", "Alpha"]},
    geometry=[box(30, 46, 31, 47), box(28, 46, 29, 47), box(27, 46, 28, 47)],
    crs="EPSG:4326",
)
CROSSING_POINTS = pd.DataFrame(
    {
        "crossing_point_id": ["MD-RO-X", "UA-PL-Y"],
        "name_en": ["X", "Y"],
        "country_a": ["MD", "UA"],
        "country_b": ["RO", "PL"],
        "latitude": [46.5, 50.0],
        "longitude": [28.1, 24.0],
    }
)
INPUTS = {
    "current": pd.DataFrame({"region_code": ["MD-AA", "MD-BB"], "count": [30, 3]}),
    "previous": pd.DataFrame({"region_code": ["MD-AA"], "count": [10]}),
    "crossing_incidents": pd.DataFrame({"crossing_point": ["MD-RO-X"], "count": [4]}),
    "flows": pd.DataFrame({"crossing_point": ["MD-RO-X"], "arrivals": [900]}),
    "heat": pd.DataFrame({"latitude": [46.5], "longitude": [28.5], "count": [4]}),
}


def _layers(**options):
    return region_layers(
        SHAPES, REGISTRY, INPUTS, CROSSING_POINTS, codes=["MD-AA", "MD-BB"], **options
    )


def test_the_selected_regions_get_the_colours_of_the_measure():
    layers = _layers(measure="count", method="equal_interval", k=2, legend_note="why")
    assert layers.regions["region_code"].tolist() == ["MD-BB", "MD-AA"]
    assert layers.colours.index.tolist() == [0, 1]
    frame = pd.DataFrame({"region_code": ["MD-BB", "MD-AA"], "value": [3.0, 30.0]})
    colours, legend, _ = region_colours(frame, "count", method="equal_interval", k=2)
    assert layers.colours.tolist() == colours.tolist()
    assert (layers.legend.title, layers.legend.rows) == (legend.title, legend.rows)
    assert layers.legend.note == "why"


def test_the_chosen_layers_decide_the_symbols_and_the_heat():
    assert _layers(layers=()).crossings is None and _layers(layers=()).heat is None
    incidents = _layers(layers=("incidents",)).crossings
    assert "arrivals" not in incidents and incidents["incidents"].tolist() == [4, 0]
    both = _layers(layers=("incidents", "arrivals", "heat"), countries=["MD"])
    assert both.crossings["crossing_point_id"].tolist() == ["MD-RO-X"]
    assert both.crossings["arrivals"].tolist() == [900]
    assert both.heat is INPUTS["heat"]


def test_a_hotspot_measure_needs_the_hotspot_table():
    with pytest.raises(ValueError, match="The 'hotspot' map needs the hotspot table"):
        _layers(measure="hotspot")


def test_the_leaflet_map_is_region_map_of_the_same_layers():
    layers = _layers(
        measure="rate", layers=("incidents", "heat"), title=["Rate"], style=PROJECTION_STYLE
    )
    drawn = layers_map(layers).get_root().render()
    direct = region_map(
        layers.regions,
        layers.values,
        measure="rate",
        crossings=layers.crossings,
        heat=INPUTS["heat"],
        title=["Rate"],
        style=PROJECTION_STYLE,
    )
    # folium names each element with a fresh id: compare without them.
    assert _without_ids(drawn) == _without_ids(direct.get_root().render())


def _without_ids(page: str) -> str:
    return re.sub(r"_[0-9a-f]{32}", "", page)


def test_published_cells_colour_whole_countries():
    outlines = gpd.GeoDataFrame(
        {"iso2": ["MD", "UA", "RO"]},
        geometry=[box(27, 46, 30, 48), box(30, 45, 40, 52), box(20, 43, 29, 48)],
        crs="EPSG:4326",
    )
    cells = pd.DataFrame({"country": ["UA", "MD"], "shown": pd.Series(["<5", "c"], dtype=object)})
    layers = published_layers(
        outlines, cells, {"MD": "Moldova", "UA": "Ukraine"}, label="Trafficking, 2026Q3"
    )
    assert layers.measure == PUBLISHED
    assert layers.regions["region_code"].tolist() == ["MD", "UA"]
    assert layers.colours.tolist()[0] == HIDDEN_COLOUR  # "c": hidden, not unreported
    assert "Trafficking, 2026Q3" in layers.values["tooltip"].iloc[0]


def test_the_words_given_reach_the_legend_the_tooltips_and_the_leaflet_map():
    words = MapWords(
        measures={"count": "Incidente"},
        incidents="Incidente {period}",
        published="Număr publicat (valorile mici ascunse)",
        small="{marker} (un număr mic, neafișat)",
    )
    layers = _layers(measure="count", period_label="nov. 2025", map_words=words)
    assert layers.legend.title == "Incidente" and layers.words == words
    assert "<td>Incidente nov. 2025</td>" in layers.values["tooltip"].iloc[0]
    page = layers_map(layers).get_root().render()
    shown = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), page)
    assert "margin-bottom:4px'>Incidente</div>" in shown and "Incidents" not in shown
    outlines = gpd.GeoDataFrame({"iso2": ["MD"]}, geometry=[box(27, 46, 30, 48)], crs="EPSG:4326")
    cells = pd.DataFrame({"country": ["MD"], "shown": pd.Series(["<5"], dtype=object)})
    published = published_layers(outlines, cells, {"MD": "Moldova"}, label="x", words=words)
    assert published.legend.title == "Număr publicat (valorile mici ascunse)"
    assert published.legend.rows[-1][1] == "<5 (un număr mic, neafișat)"
