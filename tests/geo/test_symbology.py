"""Symbology: colours and legends without folium, for the web map and the PNG alike."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.classes import ClassWords, english_number
from geo.symbology import (
    HIDDEN_COLOUR,
    NO_DATA_COLOUR,
    PUBLISHED,
    SMALL_COUNT_COLOUR,
    ZERO_COLOUR,
    MapWords,
    published_colours,
    region_colours,
)


def ukrainian(value: float, decimals: int = 0, sign: bool = False) -> str:
    """Ukrainian separators (a no-break space between thousands), as ``ui.i18n.number``."""
    return english_number(value, decimals, sign).translate(str.maketrans(",.", "\u00a0,"))


#: A map's words as the Ukrainian page passes them (``ui.map_words``), a few of them.
UKRAINIAN = MapWords(
    classes=ClassWords(number=ukrainian, below="нижче {value}", above="вище {value}"),
    measures={"count": "Інциденти", "change": "Зміна порівняно з попереднім періодом"},
    published="Опубліковане число (малі значення приховано)",
    hot_cold={"hot": "гаряча точка", "cold": "холодна точка", "none": "статистично незначуще"},
    too_few="замало інцидентів для порівняння",
    no_value="немає даних",
    small="{marker} (мале значення, не показано)",
    zero="жодного",
)


@pytest.mark.slow
def test_symbology_does_not_import_folium():
    """Colours and legends need no web map: the PNG draws them with matplotlib alone."""
    code = "import sys, geo.symbology; print(sorted(m for m in sys.modules if 'folium' in m))"
    # A fresh interpreter: this one may have imported folium for another test.
    found = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.strip()
    assert found == "[]"


def test_hot_and_cold_spots_get_fixed_colours_and_legend_rows():
    frame = pd.DataFrame({"region_code": ["A", "B", "C"], "value": ["hot", "none", "cold"]})
    colours, legend, classes = region_colours(frame, "hotspot")
    assert classes is None
    assert colours.tolist() == ["#c0392b", "#eeeeee", "#1f618d"]
    assert [label for _, label in legend.rows] == ["hot spot", "cold spot", "not significant"]


def test_published_cells_are_classed_only_where_they_are_numbers():
    shown = pd.Series([30, "<5", "c", 0, 200, 17], index=list("abcdef"), dtype=object)
    colours, legend = published_colours(shown)
    assert colours.index.tolist() == list("abcdef")
    assert colours["b"] == SMALL_COUNT_COLOUR
    assert colours["c"] == HIDDEN_COLOUR
    assert colours["d"] == ZERO_COLOUR
    numbered = {colours["a"], colours["e"], colours["f"]}
    assert len(numbered) == 3 and not numbered & {SMALL_COUNT_COLOUR, NO_DATA_COLOUR}
    assert legend.title == "Published count (small counts suppressed)"
    assert [label for _, label in legend.rows][-3:] == [
        "<5 (a small count, not shown)",
        "none",
        "hidden, so that no small count can be worked out",
    ]
    same, _, _ = region_colours(pd.DataFrame({"value": shown}), PUBLISHED)
    assert same.tolist() == colours.tolist()


def test_a_country_that_reported_nothing_is_no_data_not_hidden():
    shown = pd.Series([30, "c", "no data", 12], index=list("abcd"), dtype=object)
    colours, legend = published_colours(shown)
    assert (colours["b"], colours["c"]) == (HIDDEN_COLOUR, NO_DATA_COLOUR)
    assert [label for _, label in legend.rows][-2:] == [
        "hidden, so that no small count can be worked out",
        "no data (not reported)",
    ]
    assert dict(legend.rows)[NO_DATA_COLOUR] == "no data (not reported)"


def test_the_legend_is_written_in_the_words_given():
    change = pd.DataFrame({"region_code": ["A", "B"], "value": [-60.0, float("nan")]})
    _, legend, _ = region_colours(change, "change", words=UKRAINIAN)
    assert legend.title == "Зміна порівняно з попереднім періодом"
    labels = [label for _, label in legend.rows]
    assert labels[0] == "нижче -50 %" and labels[-2] == "вище +50 %"
    assert labels[-1] == "замало інцидентів для порівняння"
    counts = pd.DataFrame({"region_code": ["A", "B", "C"], "value": [1500.0, 12000.0, None]})
    _, legend, _ = region_colours(counts, "count", method="equal_interval", k=2, words=UKRAINIAN)
    assert legend.title == "Інциденти"
    assert [label for _, label in legend.rows] == [
        "1\u00a0500 – 6\u00a0750",
        "6\u00a0750 – 12\u00a0000",
        "немає даних",
    ]
    hot = pd.DataFrame({"region_code": ["A", "B"], "value": ["hot", "none"]})
    _, legend, _ = region_colours(hot, "hotspot", words=UKRAINIAN)
    assert [label for _, label in legend.rows] == ["гаряча точка", "статистично незначуще"]


def test_the_published_legend_is_written_in_the_words_given():
    _, legend = published_colours(pd.Series([30, "<5", 0, 2000], dtype=object), words=UKRAINIAN)
    assert legend.title == "Опубліковане число (малі значення приховано)"
    assert [label for _, label in legend.rows][-2:] == [
        "<5 (мале значення, не показано)",
        "жодного",
    ]
    assert legend.rows[-3][1].endswith("2\u00a0000")
