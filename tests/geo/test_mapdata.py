import re

import numpy as np
import pandas as pd
import pytest

from geo.classes import ClassWords, english_number
from geo.mapdata import crossing_values, region_values, regions_in_view
from geo.symbology import MapWords
from trends.rates import empirical_bayes_rates


def romanian(value: float, decimals: int = 0, sign: bool = False) -> str:
    """Romanian separators, as ``ui.i18n.number`` writes them."""
    return english_number(value, decimals, sign).translate(str.maketrans(",.", ".,"))


#: The tooltips' words as the Romanian page passes them (``ui.map_words``).
ROMANIAN = MapWords(
    classes=ClassWords(number=romanian),
    incidents="Incidente {period}",
    previous="Perioada anterioară",
    change="Variație",
    within_chance="{change} (poate fi întâmplătoare)",
    too_few="prea puține incidente pentru comparație",
    per_100k="La {n} de locuitori",
    smoothed="Rată netezită (Bayes empiric)",
    per_100k_smoothed="La {n} (netezit)",
    gi_z="Scor z Gi*",
    p_fdr="p (ajustat FDR)",
    hot_or_cold="Fierbinte sau rece (α = {alpha})",
    emerging_pattern="Tipar emergent",
    local_moran="Moran local",
    hot_cold={"hot": "punct fierbinte"},
    moran={"HH": "ridicat printre ridicate (grupare)"},
    emerging={"new hot spot": "punct fierbinte nou"}.get,
)


def _rows(tooltip: str) -> list[tuple[str, str]]:
    """(label, value) of each row of a tooltip's table."""
    return re.findall(r"<tr><td>(.*?)</td><td[^>]*><b>(.*?)</b></td></tr>", tooltip)


REGISTRY = pd.DataFrame(
    {
        "region_code": ["MD-AA", "MD-BB", "UA-01", "UA-02"],
        "country": ["MD", "MD", "UA", "UA"],
        "name_en": ["Alpha", "Beta", "One", "Two"],
        "name_local": ["Alfa", "Beta", "Один", "Два"],
        "population": [200_000, 50_000, 1_000_000, None],
    }
)


def test_regions_in_view_follow_the_selection():
    assert regions_in_view(REGISTRY) == ["MD-AA", "MD-BB", "UA-01", "UA-02"]
    assert regions_in_view(REGISTRY, countries=["UA"]) == ["UA-01", "UA-02"]
    assert regions_in_view(REGISTRY, countries=["UA"], regions=["UA-02", "MD-AA"]) == [
        "MD-AA",
        "UA-02",
    ]


def test_counts_rates_and_guarded_changes():
    current = pd.DataFrame({"region_code": ["MD-AA", "MD-BB", "UA-01"], "count": [30, 3, 50]})
    previous = pd.DataFrame({"region_code": ["MD-AA", "MD-BB", "UA-02"], "count": [10, 1, 40]})
    before = current.copy()
    frame = region_values(
        current, previous, REGISTRY, "change", codes=["MD-AA", "MD-BB", "UA-01", "UA-02"]
    )
    pd.testing.assert_frame_equal(current, before)
    assert frame["current"].tolist() == [30, 3, 50, 0]
    assert frame["previous"].tolist() == [10, 1, 0, 40]
    assert frame["rate"].iloc[0] == pytest.approx(15.0)
    assert np.isnan(frame["rate"].iloc[3])  # unknown population
    # 1 → 3 is +200 % on four incidents: below the guard, not shown.
    assert frame["value"].iloc[0] == pytest.approx(200.0)
    assert np.isnan(frame["value"].iloc[1])
    assert np.isnan(frame["value"].iloc[2])  # from 0: no percentage
    assert frame["value"].iloc[3] == pytest.approx(-100.0)
    assert "too few incidents to compare" in frame["tooltip"].iloc[1]


def test_the_value_column_follows_the_measure():
    current = pd.DataFrame({"region_code": ["MD-AA"], "count": [30]})
    previous = pd.DataFrame({"region_code": [], "count": []})
    counts = region_values(current, previous, REGISTRY, "count", codes=["MD-AA"])
    rates = region_values(current, previous, REGISTRY, "rate", codes=["MD-AA"])
    raw = region_values(current, previous, REGISTRY, "rate_raw", codes=["MD-AA"])
    assert counts["value"].tolist() == [30.0]
    # One region is its own overall rate: nothing to shrink toward.
    assert rates["value"].tolist() == [pytest.approx(15.0)]
    assert raw["value"].tolist() == [pytest.approx(15.0)]
    message = "`measure` must be 'count', 'rate', 'rate_raw' or 'change'. Got 'hotspot'."
    with pytest.raises(ValueError, match=re.escape(message)):
        region_values(current, previous, REGISTRY, "hotspot", codes=["MD-AA"])


def test_the_rate_map_shows_smoothed_rates_and_the_raw_ones_on_request():
    """The smoothed rates of the regions drawn are trends.empirical_bayes_rates of their
    counts; the region of unknown population has neither rate, and the tooltip gives
    both."""
    codes = ["MD-AA", "MD-BB", "UA-01", "UA-02"]
    current = pd.DataFrame({"region_code": codes[:3], "count": [30, 40, 50]})
    previous = current.iloc[:0]
    smoothed = region_values(current, previous, REGISTRY, "rate", codes=codes)
    raw = region_values(current, previous, REGISTRY, "rate_raw", codes=codes)
    expected = empirical_bayes_rates([30, 40, 50, 0], [200_000, 50_000, 1_000_000, np.nan])
    np.testing.assert_allclose(smoothed["value"], expected)
    np.testing.assert_allclose(raw["value"], [15.0, 80.0, 5.0, np.nan])
    # Beta, 50,000 inhabitants and a raw 80, is pulled toward the overall 120 / 1.25 M.
    assert 9.6 < smoothed["value"].iloc[1] < 80.0
    assert "Smoothed (empirical Bayes)" in smoothed["tooltip"].iloc[1]


def test_tooltips_name_the_region_and_escape_it():
    registry = REGISTRY.assign(name_en=["<b>Alpha</b>", "Beta", "One", "Two"])
    current = pd.DataFrame({"region_code": ["MD-AA"], "count": [30]})
    frame = region_values(current, current.iloc[:0], registry, "count", codes=["MD-AA"])
    assert frame["tooltip"].iloc[0].startswith("<b>&lt;b&gt;Alpha&lt;/b&gt; (MD-AA)</b>")


def test_crossing_values_sum_incidents_and_arrivals_per_point():
    crossings = pd.DataFrame(
        {
            "crossing_point_id": ["MD-UA-X", "PL-BY-Y"],
            "name_en": ["X", "Y"],
            "country_a": ["MD", "PL"],
            "country_b": ["UA", "BY"],
            "latitude": [46.0, 52.0],
            "longitude": [28.0, 23.5],
        }
    )
    incidents = pd.DataFrame({"crossing_point": ["MD-UA-X", "MD-UA-X"], "count": [2, 3]})
    flows = pd.DataFrame({"crossing_point": ["MD-UA-X"], "arrivals": [1000]})
    frame = crossing_values(crossings, incidents, flows)
    assert frame[["incidents", "arrivals"]].values.tolist() == [[5, 1000], [0, 0]]
    assert crossing_values(crossings, incidents, flows, countries=["PL"])[
        "crossing_point_id"
    ].tolist() == ["PL-BY-Y"]


def test_hotspot_values_show_the_chosen_category_and_every_statistic():
    from geo.mapdata import hotspot_values

    hot = pd.DataFrame(
        {
            "region_code": ["MD-AA"],
            "name": ["<Alpha>"],
            "value": [12.5],
            "gi_z": [3.2],
            "p_sim": [0.001],
            "p_fdr": [0.02],
            "hot_cold": ["hot"],
            "emerging_category": ["new hot spot"],
            "moran_cluster": ["HH"],
        }
    )
    assert hotspot_values(hot, "hotspot")["value"].tolist() == ["hot"]
    assert hotspot_values(hot, "emerging")["value"].tolist() == ["new hot spot"]
    clusters = hotspot_values(hot, "clusters")
    assert clusters["value"].tolist() == ["HH"]
    tip = clusters["tooltip"].iloc[0]
    assert tip.startswith("<b>&lt;Alpha&gt; (MD-AA)</b>")
    assert "+3.20" in tip and "0.020" in tip and "high among high (cluster)" in tip


def test_a_small_rate_is_not_shown_as_zero():
    """A few incidents among millions: 0.0115 per 100,000 is written "0.011", not "0.0"."""
    from geo.mapdata import hotspot_values

    hot = pd.DataFrame(
        {
            "region_code": ["UA-09", "UA-23", "UA-12"],
            "name": ["Luhansk", "Zaporizhzhia", "Dnipropetrovsk"],
            "value": [0.0115, 12.5, 0.0],
            "gi_z": [3.48, 2.5, 0.1],
            "p_sim": [0.002, 0.02, 0.5],
            "p_fdr": [0.116, 0.3, 0.6],
            "hot_cold": ["none", "none", "none"],
            "emerging_category": ["new hot spot", "no pattern", "no pattern"],
            "moran_cluster": ["none", "none", "none"],
        }
    )
    shown = [_rows(tip)[0] for tip in hotspot_values(hot, "hotspot")["tooltip"]]
    assert shown == [
        ("Per 100,000, smoothed", "0.011"),
        ("Per 100,000, smoothed", "12.5"),
        ("Per 100,000, smoothed", "0.0"),
    ]


def test_tooltips_are_written_in_the_words_and_numbers_given():
    registry = REGISTRY.assign(population=[2_000_000, 50_000, 1_000_000, None])
    codes = ["MD-AA", "MD-BB", "UA-01"]
    current = pd.DataFrame({"region_code": codes, "count": [1234, 28, 3]})
    previous = pd.DataFrame({"region_code": codes, "count": [1100, 25, 1]})
    frame = region_values(
        current,
        previous,
        registry,
        "change",
        codes=codes,
        period_label="nov. 2025 – oct. 2026",
        map_words=ROMANIAN,
    )
    rate = romanian(frame["rate_smoothed"].iloc[0], 1)
    assert _rows(frame["tooltip"].iloc[0]) == [
        ("Incidente nov. 2025 – oct. 2026", "1.234"),
        ("Perioada anterioară", "1.100"),
        ("Variație", "+12 %"),
        ("La 100.000 de locuitori", "61,7"),
        ("Rată netezită (Bayes empiric)", rate),
    ]
    assert _rows(frame["tooltip"].iloc[1])[2] == ("Variație", "+12 % (poate fi întâmplătoare)")
    assert _rows(frame["tooltip"].iloc[2])[2] == (
        "Variație",
        "prea puține incidente pentru comparație",
    )
    english = region_values(current, previous, registry, "change", codes=codes)
    assert _rows(english["tooltip"].iloc[0])[:4] == [
        ("Incidents", "1,234"),
        ("Previous period", "1,100"),
        ("Change", "+12 %"),
        ("Per 100,000 inhabitants", "61.7"),
    ]
    assert _rows(english["tooltip"].iloc[1])[2] == ("Change", "+12 % (within chance)")


def test_hotspot_tooltips_are_written_in_the_words_and_numbers_given():
    from geo.mapdata import hotspot_values

    hot = pd.DataFrame(
        {
            "region_code": ["MD-AA"],
            "name": ["Alpha"],
            "value": [1234.56],
            "gi_z": [3.2],
            "p_sim": [0.001],
            "p_fdr": [0.02],
            "hot_cold": ["hot"],
            "emerging_category": ["new hot spot"],
            "moran_cluster": ["HH"],
        }
    )
    tip = hotspot_values(hot, "hotspot", map_words=ROMANIAN)["tooltip"].iloc[0]
    assert _rows(tip) == [
        ("La 100.000 (netezit)", "1.234,6"),
        ("Scor z Gi*", "+3,20"),
        ("p (ajustat FDR)", "0,020"),
        ("Fierbinte sau rece (α = 0,05)", "punct fierbinte"),
        ("Tipar emergent", "punct fierbinte nou"),
        ("Moran local", "ridicat printre ridicate (grupare)"),
    ]
