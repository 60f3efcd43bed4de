"""The briefing's hot-spot map: Gi* classes by confidence, the whole extent, the legend
and the list beside the map, inside the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import boundaries
from reports.hotspot_map import HOTSPOT_CLASSES, _listed, hotspot_classes, hotspot_figure


def _hot(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_code", "name", "gi_z", "p_fdr", "hot_cold"])


def test_classes_follow_the_confidence_of_the_adjusted_p_value():
    hot = _hot(
        [
            ("A", "a", 3.5, 0.004, "hot"),
            ("B", "b", 2.5, 0.03, "hot"),
            ("C", "c", 1.9, 0.08, "none"),
            ("D", "d", 0.5, 0.6, "none"),
            ("E", "e", -1.8, 0.09, "none"),
            ("F", "f", -2.4, 0.04, "cold"),
            ("G", "g", -3.9, 0.001, "cold"),
            ("H", "h", np.nan, np.nan, "no data"),
            ("I", "i", np.nan, np.nan, "no neighbour"),
            # Tails that disagree at p <= 0.05 stay not significant, never "90 %".
            ("J", "j", 2.1, 0.04, "none"),
        ]
    )
    assert hotspot_classes(hot).tolist() == [
        "hot_99",
        "hot_95",
        "hot_90",
        "none",
        "cold_90",
        "cold_95",
        "cold_99",
        "no_data",
        "untested",
        "none",
    ]
    assert set(hotspot_classes(hot)) <= {key for key, _, _ in HOTSPOT_CLASSES}


@pytest.fixture(scope="module")
def drawn():
    """Every region of the 10 countries: hot spots in Latvia, cold ones in Donbas and
    Crimea, Georgia and Estonia without data."""
    shapes = boundaries.regions()
    codes = shapes["region_code"]
    rows = []
    for code in codes:
        if code in ("LV-073", "UA-14", "UA-43"):
            hot = ("hot", 3.0, 0.004) if code.startswith("LV") else ("cold", -2.5, 0.03)
            rows.append((code, code, hot[1], hot[2], hot[0]))
        elif code.startswith(("GE", "EE")):
            rows.append((code, code, np.nan, np.nan, "no data"))
        else:
            rows.append((code, code, 0.1, 0.8, "none"))
    hot = _hot(rows)
    classes = hotspot_classes(hot)
    figure = hotspot_figure(
        shapes,
        classes,
        _listed(hot, classes),
        context=boundaries.context(),
        title=["RESTRICTED", "Hot and cold spots", "All project countries"],
    )
    figure.draw_without_rendering()
    return figure, shapes


def test_the_map_shows_the_whole_extent_of_the_project(drawn):
    figure, shapes = drawn
    ax = figure.axes[0]
    west, south, east, north = shapes.total_bounds
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # Georgia's east and Crimea's south are inside the axes, not cut.
    assert x0 <= west and x1 >= east and y0 <= south and y1 >= north
    assert east > 46.5 and south < 41.1


def test_the_legend_and_the_list_are_inside_the_figure_and_off_the_map(drawn):
    figure, _ = drawn
    box = figure.bbox
    (legend,) = figure.legends
    extent = legend.get_window_extent()
    assert box.x0 <= extent.x0 and extent.x1 <= box.x1
    assert box.y0 <= extent.y0 and extent.y1 <= box.y1
    map_box = figure.axes[0].get_window_extent()
    assert extent.x0 >= map_box.x1  # beside the map, never on it
    title = legend.get_title()
    assert title.get_text().replace("\n", " ") == (
        "Getis-Ord Gi* hot and cold spots (false discovery rate adjusted)"
    )
    assert title.get_window_extent().x1 <= box.x1
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels[0] == "Hot spot, 99 % confidence"
    assert "No data" in labels
    texts = [t for t in figure.texts if "Hot spots" in t.get_text()]
    (listing,) = texts
    assert "H1  LV-073 (LV), 99 %" in listing.get_text()
    assert "C1  UA-14 (UA), 95 %" in listing.get_text() or "C1  UA-43 (UA), 95 %" in (
        listing.get_text()
    )
    for text in [*figure.texts, listing]:
        inside = text.get_window_extent()
        assert box.x0 <= inside.x0 and inside.x1 <= box.x1 + 0.5
        assert box.y0 <= inside.y0 and inside.y1 <= box.y1 + 0.5


def test_hot_and_cold_spots_are_labelled_on_the_map(drawn):
    figure, _ = drawn
    labels = {text.get_text() for text in figure.axes[0].texts}
    assert {"H1", "C1", "C2"} <= labels
