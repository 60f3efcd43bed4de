import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.overlays import LayerWords
from geo.png import map_figure, map_png
from geo.symbology import DESK_STYLE, PROJECTION_STYLE, Legend

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def regions():
    return gpd.GeoDataFrame(
        {"region_code": ["MD-AA", "MD-BB"]},
        geometry=[box(27, 46, 28, 47), box(28, 46, 29, 47)],
        crs="EPSG:4326",
    )


def test_the_map_is_a_png_of_the_requested_width(regions):
    legend = Legend("Incidents", (("#ffeda0", "1 – 5"), ("#f03b20", "5 – 9")))
    crossings = pd.DataFrame({"latitude": [46.5], "longitude": [28.0], "incidents": [4]})
    image = map_png(
        regions,
        pd.Series(["#ffeda0", "#f03b20"]),
        legend,
        crossings=crossings,
        title=["Incidents", "Moldova", "DEMO — synthetic data"],
        width_px=800,
    )
    assert image.startswith(PNG_MAGIC)
    width = int.from_bytes(image[16:20], "big")
    # bbox_inches="tight" trims the margins: close to, never above, the requested width.
    assert 500 <= width <= 800


def test_colours_must_match_the_regions(regions):
    with pytest.raises(ValueError, match="`colours` has 1 entries for 2 regions"):
        map_png(regions, pd.Series(["#ffffff"]), Legend("x", ()))


CROSSINGS = pd.DataFrame(
    {
        "latitude": [46.5, 46.6],
        "longitude": [28.0, 28.5],
        "incidents": [40, 0],
        "arrivals": [12_000, 500],
    }
)
HEAT = pd.DataFrame(
    {"latitude": [46.5, 46.52, 46.3], "longitude": [27.5, 27.5, 28.7], "count": [3, 5, 1]}
)
LEGEND = Legend("Incidents", (("#ffeda0", "1 – 5"), ("#bdbdbd", "No data")))
LONG = Legend(
    "Incidents per 100,000 inhabitants (smoothed, empirical Bayes)",
    (("#ffeda0", "Not tested (no neighbour with data) in this selection"), ("#bdbdbd", "5")),
)


def _layers(fig) -> dict[str, object]:
    return {c.get_gid(): c for c in fig.axes[0].collections if c.get_gid()}


def _legends(fig) -> dict[str, object]:
    return {a.get_gid(): a for a in fig.axes[1].artists}


def test_the_png_draws_every_layer_the_map_has_on_with_its_legend(regions):
    fig = map_figure(
        regions,
        pd.Series(["#ffeda0", "#bdbdbd"]),
        LEGEND,
        crossings=CROSSINGS,
        heat=HEAT,
        words=LayerWords(arrivals="Arrivals", incidents="Incidents", heat="Heat"),
    )
    layers = _layers(fig)
    assert {"regions", "incidents", "arrivals", "heat"} <= set(layers)
    # Circles where the value is above 0: one of incidents, two of arrivals, dashed and empty.
    assert len(layers["incidents"].get_offsets()) == 1
    assert len(layers["arrivals"].get_offsets()) == 2
    assert layers["arrivals"].get_facecolor().size == 0
    assert layers["arrivals"].get_linestyle()[0][1] is not None
    legends = _legends(fig)
    assert list(legends) == ["classes", "incidents", "arrivals", "heat"]
    assert [legends[k].get_title().get_text() for k in legends] == [
        "Incidents",
        "Incidents",
        "Arrivals",
        "Heat",
    ]
    assert [t.get_text() for t in legends["arrivals"].get_texts()] == ["12,000", "3,000", "700"]


def test_only_the_chosen_layers_are_drawn(regions):
    fig = map_figure(
        regions,
        pd.Series(["#ffeda0", "#bdbdbd"]),
        LEGEND,
        crossings=CROSSINGS.drop(columns=["incidents"]),
    )
    assert set(_layers(fig)) == {"regions", "arrivals"}
    assert list(_legends(fig)) == ["classes", "arrivals"]


@pytest.mark.parametrize("style", [DESK_STYLE, PROJECTION_STYLE], ids=["desk", "projection"])
def test_no_legend_covers_the_map(regions, style):
    fig = map_figure(
        regions,
        pd.Series(["#ffeda0", "#bdbdbd"]),
        LONG,
        crossings=CROSSINGS,
        heat=HEAT,
        title=["RESTRICTED", "Incidents", "Moldova", "DEMO — synthetic data"],
        style=style,
    )
    renderer = fig.canvas.get_renderer()
    the_map = fig.axes[0].get_window_extent(renderer)
    boxes = [legend.get_window_extent(renderer) for legend in _legends(fig).values()]
    assert len(boxes) == 4
    for box_ in boxes:
        assert not box_.overlaps(the_map)
        assert box_.x0 >= the_map.x1  # beside the map, on its right
        assert box_.x1 <= fig.bbox.x1  # long titles and labels wrapped, not cut off
    # Stacked, one under another, none over another.
    for upper, lower in zip(boxes, boxes[1:], strict=False):
        assert lower.y1 <= upper.y0
    # Every legend in the saved image (bbox_inches="tight"): a tall stack of projection
    # legends beside a short map extends the image downwards.
    saved = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    assert all(saved.contains(b.x0, b.y0) and saved.contains(b.x1, b.y1) for b in boxes)
    if style is DESK_STYLE:
        assert min(b.y0 for b in boxes) >= the_map.y0
