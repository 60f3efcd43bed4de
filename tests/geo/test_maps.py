import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo import assets
from geo.classes import ClassWords, english_number
from geo.maps import layered_region_map, region_map, standalone_html, tooltip_html
from geo.overlays import (
    SEA_COLOUR,
    LayerWords,
    fade_bands,
    legend_margins,
    size_legend_values,
)
from geo.symbology import (
    DESK_STYLE,
    EMERGING_COLOURS,
    HOT_COLD_COLOURS,
    MORAN_COLOURS,
    NO_DATA_COLOUR,
    PROJECTION_STYLE,
    PUBLISHED,
    SYMBOL_STROKE,
    MapWords,
    region_colours,
    sample_palette,
)


@pytest.fixture
def regions():
    return gpd.GeoDataFrame(
        {"region_code": ["MD-AA", "MD-BB", "MD-CC"], "name_en": ["Alpha", "Beta", "Gamma"]},
        geometry=[box(27, 46, 28, 47), box(28, 46, 29, 47), box(29, 46, 30, 47)],
        crs="EPSG:4326",
    )


@pytest.fixture
def values():
    return pd.DataFrame(
        {
            "region_code": ["MD-AA", "MD-BB"],
            "value": [3.0, 10.0],
            "tooltip": [tooltip_html("Alpha", [("Incidents", 3)]), "<b>Beta</b>"],
        }
    )


def _external_references(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', page)


def test_tooltips_escape_every_text():
    html = tooltip_html("<img src=x onerror=alert(1)>", [("a&b", "<script>")])
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "a&amp;b" in html and "&lt;script&gt;" in html


def test_the_map_loads_only_the_vendored_leaflet(regions, values):
    page = region_map(regions, values, measure="count").get_root().render()
    assert _external_references(page) == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in page
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "openstreetmap" not in page.lower()


def test_the_heat_layer_uses_the_vendored_plugin(regions, values):
    heat = pd.DataFrame({"latitude": [46.5], "longitude": [28.5], "count": [4]})
    page = region_map(regions, values, measure="count", heat=heat).get_root().render()
    assert '<script src="/app/static/vendor/leaflet-heat/leaflet-heat.js"></script>' in page
    assert _external_references(page) == []


def test_a_configured_tile_server_is_the_only_external_url(regions, values):
    page = (
        region_map(regions, values, measure="count", tiles_url="http://tiles.local/{z}/{x}/{y}.png")
        .get_root()
        .render()
    )
    assert "http://tiles.local/{z}/{x}/{y}.png" in page


def test_regions_without_a_value_are_drawn_as_no_data(regions, values):
    merged = regions.merge(values, on="region_code", how="left")
    colours, legend, classes = region_colours(merged, "count", method="equal_interval", k=2)
    assert colours.iloc[2] == NO_DATA_COLOUR
    assert colours.iloc[0] != colours.iloc[1]
    assert legend.rows[-1] == (NO_DATA_COLOUR, "no data")
    assert classes.k == 2


def test_unknown_measure_is_refused(regions, values):
    with pytest.raises(ValueError, match="Unknown map measure 'density'"):
        region_map(regions, values, measure="density")


def test_projection_style_is_larger_and_uses_a_lightness_palette(regions, values):
    assert PROJECTION_STYLE.font_px > DESK_STYLE.font_px * 1.5
    assert PROJECTION_STYLE.symbol_max_px > DESK_STYLE.symbol_max_px
    desk = region_map(regions, values, measure="count", title=["Case meeting"]).get_root().render()
    big = (
        region_map(regions, values, measure="count", title=["Case meeting"], style=PROJECTION_STYLE)
        .get_root()
        .render()
    )
    assert "font:22px" in big and "font:22px" not in desk


def test_title_and_legend_text_are_escaped(regions, values):
    page = (
        region_map(regions, values, measure="count", title=["<script>alert(1)</script>", "MD"])
        .get_root()
        .render()
    )
    assert "<script>alert(1)" not in page
    # html.escape, then tojson (which writes & as \u0026 inside the script).
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page


def test_crossing_points_are_proportional_circles(regions, values):
    crossings = pd.DataFrame(
        {
            "crossing_point_id": ["P1", "P2", "P3"],
            "name_en": ["One", "Two", "Three"],
            "latitude": [46.5, 46.6, 46.7],
            "longitude": [28.0, 28.5, 29.0],
            "incidents": [100, 25, 0],
        }
    )
    page = region_map(regions, values, measure="count", crossings=crossings).get_root().render()
    radii = [float(r) for r in re.findall(r'"radius": ([0-9.]+)', page)]
    # Area follows the value: a quarter of the incidents is half the radius; 0 is not drawn.
    assert radii == pytest.approx([DESK_STYLE.symbol_max_px, DESK_STYLE.symbol_max_px / 2])


def test_a_crossing_point_is_named_as_written_even_with_template_braces(regions, values):
    # The circles' output is not compiled as a template again (0.3 s of a new map).
    crossings = _crossings().assign(name_en=["Gate {{ x }}", "Gate {% raw %}"])
    page = region_map(regions, values, measure="count", crossings=crossings).get_root().render()
    assert "Gate {{ x }}" in page and "Gate {% raw %}" in page


def test_features_carry_the_region_code_for_drill_down(regions, values):
    page = region_map(regions, values, measure="count").get_root().render()
    assert '"region_code": "MD-CC"' in page


def test_the_standalone_file_has_every_asset_inlined(regions, values):
    heat = pd.DataFrame({"latitude": [46.5], "longitude": [28.5], "count": [4]})
    page = standalone_html(region_map(regions, values, measure="count", heat=heat))
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page) == []
    assert "L.HeatLayer" in page and "Leaflet 1.9.4" in page
    assert "url(data:image/png;base64," in page


def test_inlining_refuses_a_page_that_still_loads_external_files():
    page = '<html><script src="https://cdn.example/x.js"></script></html>'
    with pytest.raises(ValueError, match="The map still loads external files: https://cdn"):
        assets.inline(page)


def test_every_vendored_file_exists():
    for relative in assets.FILES:
        assert (assets.VENDOR_DIR / relative).is_file(), relative


def test_the_exported_html_carries_the_marking_escaped():
    regions = gpd.GeoDataFrame(
        {"region_code": ["MD-AA"], "name_en": ["Alpha"]},
        geometry=[box(27, 46, 28, 47)],
        crs="EPSG:4326",
    )
    values = pd.DataFrame({"region_code": ["MD-AA"], "value": [5.0], "tooltip": ["A"]})
    page = standalone_html(
        region_map(regions, values, measure="count"), marking="SECRET <b>& co</b>"
    )
    assert "<title>SECRET &lt;b&gt;&amp; co&lt;/b&gt;</title>" in page
    assert 'class="tm-marking"' in page and "<b>& co</b>" not in page


# -- viewers' maps of published (suppressed) cells ---------------------------------------------


def test_a_map_of_published_cells_carries_them_as_published(regions):
    values = pd.DataFrame(
        {
            "region_code": ["MD-AA", "MD-BB", "MD-CC"],
            "value": pd.Series(["<5", "c", 42], dtype=object),
            "tooltip": [
                tooltip_html(name, [("2026Q3", v)])
                for name, v in (("Alpha", "<5"), ("Beta", "c"), ("Gamma", 42))
            ],
        }
    )
    page = region_map(regions, values, measure=PUBLISHED).get_root().render()
    # Leaflet gets the legend and tooltips as JSON strings of escaped HTML.
    assert "Published count (small counts suppressed)" in page
    assert "\\u0026lt;5 (a small count, not shown)" in page
    assert "\\u003cb\\u003e\\u0026lt;5\\u003c/b\\u003e" in page
    assert "\\u003cb\\u003e42\\u003c/b\\u003e" in page


# -- legibility on a projector: wheel, symbols, heat, labels, legends, the basemap's edge -------


def _crossings():
    return pd.DataFrame(
        {
            "crossing_point_id": ["P1", "P2"],
            "name_en": ["One", "Two"],
            "latitude": [46.5, 46.6],
            "longitude": [28.0, 28.5],
            "incidents": [1234, 40],
            "arrivals": [60_000, 0],
        }
    )


def test_the_mouse_wheel_scrolls_the_page_not_the_map(regions, values):
    for style in (DESK_STYLE, PROJECTION_STYLE):
        page = region_map(regions, values, measure="count", style=style).get_root().render()
        assert '"scrollWheelZoom": false' in page


def test_crossing_points_use_no_colour_of_any_region_palette(regions, values):
    page = region_map(regions, values, measure="count", crossings=_crossings()).get_root().render()
    palettes = {
        *HOT_COLD_COLOURS.values(),
        *EMERGING_COLOURS.values(),
        *MORAN_COLOURS.values(),
        *sample_palette(DESK_STYLE.sequential, 7),
        *sample_palette(PROJECTION_STYLE.sequential, 7),
        *sample_palette(DESK_STYLE.diverging, 7),
        *sample_palette(PROJECTION_STYLE.diverging, 7),
    }
    circles = re.findall(r"L\.circleMarker\(\s*\[[^\]]*\],\s*(\{.*?\})\s*\)", page, re.S)
    assert len(circles) == 3  # two incident circles, one arrival circle (0 is not drawn)
    for options in circles:
        assert '"pane": "symbols"' in options
        assert f'"color": "{SYMBOL_STROKE}"' in options
        assert not any(f'"{colour}"' in options for colour in palettes)
    assert '"dashArray": "6 4"' in page  # arrivals: a dashed ring


def test_each_symbol_layer_has_a_size_legend(regions, values):
    page = region_map(regions, values, measure="count", crossings=_crossings()).get_root().render()
    assert "tm-size-legend" in page and "tm-side" in page
    assert "1,200" in page and "300" in page and "70" in page  # incidents: 1,234 at most
    assert "60,000" in page and "15,000" in page and "3,000" in page
    assert "Crossing points: arrivals from Ukraine" in page


@pytest.mark.parametrize(
    ("top", "expected"),
    [(1234, [1200, 300, 70]), (60_000, [60_000, 15_000, 3000]), (11, [11, 2]), (1, [1])],
)
def test_size_legend_values_are_round(top, expected):
    assert size_legend_values(top) == expected


def test_the_heat_layer_is_grey_translucent_and_has_a_legend(regions, values):
    heat = pd.DataFrame({"latitude": [46.5], "longitude": [28.5], "count": [4]})
    words = LayerWords(heat="Щільність", fewer="менше", more="більше")
    page = (
        region_map(regions, values, measure="count", heat=heat, layer_words=words)
        .get_root()
        .render()
    )
    flat = re.sub(r"\s+", "", page)
    assert '"gradient":{"0.2":"#bdbdbd","0.6":"#636363","1.0":"#111111",}' in flat
    assert ".leaflet-heat-pane{opacity:0.55}" in page
    assert "tm-heat-legend" in page
    # The legend is a script's string: tojson writes non-ASCII letters as \\u escapes.
    assert all(json.dumps(word)[1:-1] in page for word in ("Щільність", "менше", "більше"))


def test_place_labels_are_written_and_never_interactive(regions, values):
    labels = pd.DataFrame(
        {
            "kind": ["country", "capital"],
            "name": ["Moldova", "Chișinău <b>"],
            "latitude": [46.6, 47.0],
            "longitude": [28.3, 28.86],
        }
    )
    page = region_map(regions, values, measure="count", labels=labels).get_root().render()
    assert page.count('"className": "tm-place"') == 2
    assert page.count('"pane": "labels"') == 2 and page.count('"interactive": false') >= 2
    assert "tm-label-country" in page and "Chi\\u0219in\\u0103u \\u0026lt;b\\u0026gt;" in page
    assert ".tm-label{pointer-events:none" in page


def test_legends_stand_in_columns_the_regions_are_fitted_between(regions, values):
    page = region_map(regions, values, measure="count", title=["T"]).get_root().render()
    left, right = legend_margins(DESK_STYLE, side_legends=False)
    assert right >= DESK_STYLE.box_max_px and left < right
    assert f'"paddingBottomRight": [{right}, 12]' in page
    assert f'"paddingTopLeft": [{left}, 12]' in page
    # The title and the classes' legend stack in the right column, title first.
    assert page.index("tm-title") < page.index('"tm-legend"')
    assert page.count('"topright"') == 2
    crossings = region_map(regions, values, measure="count", crossings=_crossings())
    with_side = crossings.get_root().render()
    side, _ = legend_margins(DESK_STYLE, side_legends=True)
    assert side > DESK_STYLE.side_box_px and f'"paddingTopLeft": [{side}, 12]' in with_side


def test_the_outlines_fade_out_where_they_are_cut(regions, values):
    context = gpd.GeoDataFrame(
        {"iso2": ["MD"], "project": [True]}, geometry=[box(26, 45, 31, 49)], crs="EPSG:4326"
    )
    fade = fade_bands(context)
    opacities = [feature["properties"]["opacity"] for feature in fade["features"]]
    # Outside the cut: the sea's colour; then ever clearer bands inwards.
    assert opacities[0] == 1.0 and opacities == sorted(opacities, reverse=True)
    assert opacities[-1] < 0.2
    page = region_map(regions, values, measure="count", context=context).get_root().render()
    assert f'"fillColor": "{SEA_COLOUR}"' in page


def test_the_legend_symbols_and_their_numbers_follow_the_words_given(regions, values):
    """A Ukrainian page's map: its words, and thousands parted by a no-break space."""

    def ukrainian(value: float, decimals: int = 0, sign: bool = False) -> str:
        return english_number(value, decimals, sign).translate(str.maketrans(",.", "\u00a0,"))

    words = MapWords(
        classes=ClassWords(number=ukrainian),
        measures={"count": "Інциденти"},
        crossing_point="Пункт пропуску",
    )
    layer_words = LayerWords(incidents="Пункти пропуску: інциденти", number=ukrainian)
    page = (
        region_map(
            regions,
            values,
            measure="count",
            crossings=_crossings().drop(columns="arrivals"),
            words=words,
            layer_words=layer_words,
        )
        .get_root()
        .render()
    )
    # Leaflet gets the legend as a script's string: tojson writes letters as \\u escapes.
    shown = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), page)
    assert "margin-bottom:4px'>Інциденти</div>" in shown
    assert (
        tooltip_html(
            "One", [("Пункти пропуску: інциденти", "1\u00a0234"), ("Пункт пропуску", "P1")]
        )
        in shown
    )
    assert ">1\u00a0200</text>" in shown  # the size legend's largest circle
    assert "Crossing point" not in shown


def test_a_layered_map_is_the_same_for_every_measure_and_its_group_holds_the_rest(regions, values):
    def layered(measure, title):
        fmap, group = layered_region_map(
            regions, values, measure=measure, title=[title], crossings=_crossings()
        )
        # folium names each element with a random suffix; streamlit-folium renames them.
        return re.sub(r"_[0-9a-f]{32}", "", fmap.get_root().render()), fmap, group

    count, fmap, group = layered("count", "Counted")
    rate, _, _ = layered("rate", "Rated")
    assert count == rate
    assert "tm-side" in count and "tm-legend" not in count and "Counted" not in count
    assert '"region_code"' not in count
    group.add_to(fmap)
    page = fmap.get_root().render()
    assert "tm-title" in page and "tm-legend" in page and "Counted" in page
    assert '"region_code": "MD-AA"' in page
    # The legends are the group's: shown when it is added, gone when it is removed.
    assert "parent.on('remove', function() { control.remove(); });" in page
