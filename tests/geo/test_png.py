import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.png import map_png
from geo.symbology import Legend

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
