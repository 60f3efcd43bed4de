"""The map's words in each language: what ``geo`` writes in legends and tooltips."""

import dataclasses
import re

import pandas as pd

from geo.mapdata import hotspot_values, region_values
from geo.overlays import LayerWords
from geo.symbology import MapWords, region_colours
from ui.map_words import layer_words, map_words

NBSP = "\u00a0"
REGISTRY = pd.DataFrame(
    {
        "region_code": ["MD-AA", "MD-BB", "UA-01"],
        "country": ["MD", "MD", "UA"],
        "name_en": ["Alpha", "Beta", "One"],
        "name_local": ["Alfa", "Beta", "Один"],
        "population": [2_000_000, 50_000, 1_000_000],
    }
)
CODES = ["MD-AA", "MD-BB", "UA-01"]
CURRENT = pd.DataFrame({"region_code": CODES, "count": [1234, 28, 3]})
PREVIOUS = pd.DataFrame({"region_code": CODES, "count": [1100, 25, 1]})
HOT = pd.DataFrame(
    {
        "region_code": ["UA-01"],
        "name": ["One"],
        "value": [1234.56],
        "gi_z": [3.2],
        "p_sim": [0.001],
        "p_fdr": [0.02],
        "hot_cold": ["hot"],
        "emerging_category": ["new hot spot"],
        "moran_cluster": ["HH"],
    }
)


def _rows(tooltip: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><td>(.*?)</td><td[^>]*><b>(.*?)</b></td></tr>", tooltip)


def _tooltips(language: str) -> list[list[tuple[str, str]]]:
    frame = region_values(
        CURRENT,
        PREVIOUS,
        REGISTRY,
        "change",
        codes=CODES,
        period_label="P",
        map_words=map_words(language),
    )
    return [_rows(tip) for tip in frame["tooltip"]]


def test_english_is_geo_own_english():
    """``en.json`` and the English defaults of ``geo`` say the same, word for word."""
    english, default = map_words("en"), MapWords()
    for field in dataclasses.fields(MapWords):
        got, expected = getattr(english, field.name), getattr(default, field.name)
        if isinstance(expected, str):
            assert got == expected, field.name
        elif field.name in ("measures", "hot_cold", "moran"):
            assert dict(got) == dict(expected), field.name
    for name in ("percent", "below", "above"):
        assert getattr(english.classes, name) == getattr(default.classes, name), name
    assert english.emerging("new hot spot") == "new hot spot"
    assert english.number(1234.5, 1) == "1,234.5"
    words = layer_words("en")
    for field in dataclasses.fields(LayerWords):
        if field.name != "number":
            assert getattr(words, field.name) == getattr(LayerWords(), field.name), field.name
    assert words.number(60_000) == "60,000"


def test_romanian_tooltips_and_legend():
    first, within, too_few = _tooltips("ro")
    assert first[:4] == [
        ("Incidente P", "1.234"),
        ("Perioada anterioară", "1.100"),
        ("Variație", "+12 %"),
        ("La 100.000 de locuitori", "61,7"),
    ]
    assert first[4][0] == "Rată netezită (Bayes empiric)"
    assert within[2] == ("Variație", "+12 % (poate fi întâmplătoare)")
    assert too_few[2] == ("Variație", "prea puține incidente pentru comparație")
    change = pd.DataFrame({"region_code": ["A", "B"], "value": [-60.0, None]})
    _, legend, _ = region_colours(change, "change", words=map_words("ro"))
    assert legend.title == "Variație față de perioada anterioară"
    labels = [label for _, label in legend.rows]
    assert labels[0] == "sub -50 %" and labels[-2] == "peste +50 %"
    assert labels[-1] == "prea puține incidente pentru comparație"
    rates = pd.DataFrame({"region_code": ["A", "B"], "value": [1500.5, 12000.0]})
    _, legend, _ = region_colours(
        rates, "rate", method="equal_interval", k=2, words=map_words("ro")
    )
    assert legend.title == "Incidente la 100.000 de locuitori (netezite, Bayes empiric)"
    assert [label for _, label in legend.rows] == ["1.500 – 6.750", "6.750 – 12.000"]


def test_ukrainian_tooltips_and_legend():
    first, within, too_few = _tooltips("uk")
    assert first[:4] == [
        ("Інциденти P", f"1{NBSP}234"),
        ("Попередній період", f"1{NBSP}100"),
        ("Зміна", "+12 %"),
        (f"На 100{NBSP}000 населення", "61,7"),
    ]
    assert first[4][0] == "Згладжений показник (емпіричний Баєс)"
    assert within[2] == ("Зміна", "+12 % (може бути випадковою)")
    assert too_few[2] == ("Зміна", "замало інцидентів для порівняння")
    tip = hotspot_values(HOT, "hotspot", map_words=map_words("uk"))["tooltip"].iloc[0]
    assert _rows(tip) == [
        (f"На 100{NBSP}000 (згладжено)", f"1{NBSP}234,6"),
        ("z-оцінка Gi*", "+3,20"),
        ("p (з поправкою FDR)", "0,020"),
        ("Гаряча чи холодна (α = 0,05)", "гаряча точка"),
        ("Патерн, що формується", "нова гаряча точка"),
        ("Локальний Моран", "високе серед високих (кластер)"),
    ]
    hot = pd.DataFrame({"region_code": ["A", "B"], "value": ["cold", "none"]})
    _, legend, _ = region_colours(hot, "hotspot", words=map_words("uk"))
    assert legend.title == "Гарячі та холодні точки (Getis-Ord Gi*)"
    assert [label for _, label in legend.rows] == ["холодна точка", "статистично незначуще"]
    assert map_words("uk").crossing_point == "Пункт пропуску"
    assert layer_words("uk").number(60_000) == f"60{NBSP}000"
    assert layer_words("uk").incidents == "Пункти пропуску: інциденти"


def test_regions_are_named_as_the_rest_of_the_page_names_them():
    assert map_words("ro").region("MD-GA", "Gagauzia") == "Unitatea Teritorială Autonomă Găgăuzia"
    assert map_words("ro").region("RO-B", "Bucharest") == "București"
    assert map_words("uk").region("UA-05", "Vinnytsia") == "Вінницька область"
    # Only where the language has local names; else the English name.
    assert map_words("uk").region("MD-GA", "Gagauzia") == "Gagauzia"
    assert map_words("en").region("UA-05", "Vinnytsia") == "Vinnytsia"
    assert map_words("uk").region("XX-99", "Nowhere") == "Nowhere"


def test_tooltip_titles_name_the_region_in_the_language():
    words = dataclasses.replace(map_words("uk"), region_names={"UA-01": "Один"})
    tip = hotspot_values(HOT, "hotspot", map_words=words)["tooltip"].iloc[0]
    assert "<b>Один (UA-01)</b>" in tip
    frame = region_values(
        CURRENT, PREVIOUS, REGISTRY, "count", codes=CODES, period_label="P", map_words=words
    )
    assert "<b>Один (UA-01)</b>" in frame["tooltip"].iloc[2]
    assert "<b>Alpha (MD-AA)</b>" in frame["tooltip"].iloc[0]
