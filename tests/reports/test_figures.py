"""Figure builders: traces, shading, empty states, and nothing that needs the network."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from reports.figures import LEVEL_COLOURS, PALETTE, country_small_multiples, trend_lines
from threatmon.periods import complete_months
from trends import LEVELS

SELECTED = ("2025-01-01", "2025-03-31")


@pytest.fixture
def trend():
    """Two crime types, dense over Oct 2024 – Mar 2025."""
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-10-01", "2025-01-01", "2025-02-01", "2025-03-01"]),
            "crime": [
                "Drug trafficking",
                "Drug trafficking",
                "Migrant smuggling",
                "Migrant smuggling",
            ],
            "count": [4, 6, 2, 9],
        }
    )
    return complete_months(frame, "2024-10-01", "2025-03-31", ["crime"])


@pytest.fixture
def by_country():
    """Three countries over six months with rates; Estonia's population unknown."""
    months = pd.date_range("2024-10-01", periods=6, freq="MS")
    rows = [(m, c, i + 1) for i, m in enumerate(months) for c in ("MD", "UA", "EE")]
    frame = pd.DataFrame(rows, columns=["period", "country", "count"])
    population = {"MD": 2_500_000, "UA": 33_000_000, "EE": None}
    frame["rate"] = [
        n * 100_000 / population[c] if population[c] else None
        for c, n in zip(frame["country"], frame["count"], strict=True)
    ]
    return frame


NAMES = {"MD": "Moldova", "UA": "Ukraine", "EE": "Estonia"}


def test_trend_lines_one_trace_per_series(trend):
    before = trend.copy()
    fig = trend_lines(trend, SELECTED)
    pd.testing.assert_frame_equal(trend, before)
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["Drug trafficking", "Migrant smuggling"]
    assert all(len(t.x) == 6 for t in fig.data)
    assert list(fig.data[1].y) == [0, 0, 0, 0, 2, 9]


def test_trend_lines_shades_the_selected_months(trend):
    """The band covers every point of Jan–Mar 2025 and no point outside it."""
    fig = trend_lines(trend, SELECTED)
    (band,) = [s for s in fig.layout.shapes if s.type == "rect"]
    x0, x1 = pd.Timestamp(band.x0), pd.Timestamp(band.x1)
    inside = [p for p in fig.data[0].x if x0 <= pd.Timestamp(p) <= x1]
    assert [pd.Timestamp(p).strftime("%Y-%m") for p in inside] == ["2025-01", "2025-02", "2025-03"]
    assert any(a.text == "selected period" for a in fig.layout.annotations)


def test_trend_lines_empty(trend):
    fig = trend_lines(trend[:0], SELECTED)
    assert not fig.data
    assert fig.layout.annotations[0].text == "No incidents for this selection"


def test_small_multiples_one_panel_per_country_with_known_population(by_country):
    before = by_country.copy()
    fig = country_small_multiples(by_country, SELECTED, NAMES)
    pd.testing.assert_frame_equal(by_country, before)
    assert [t.name for t in fig.data] == ["Moldova", "Ukraine"]
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == ["Moldova", "Ukraine"] and "Estonia" not in titles
    assert len([s for s in fig.layout.shapes if s.type == "rect"]) == 2
    # Shared y axis: panels compare directly.
    assert fig.layout.yaxis2.matches == "y"


def test_small_multiples_counts(by_country):
    fig = country_small_multiples(
        by_country, SELECTED, NAMES, value="count", y_title="Incidents per month"
    )
    assert sorted(t.name for t in fig.data) == ["Estonia", "Moldova", "Ukraine"]
    assert fig.layout.yaxis.title.text == "Incidents per month"


def test_small_multiples_break_the_line_where_a_country_did_not_report(by_country):
    """Ukraine's third month was not reported: a gap in its line, never a 0."""
    gap = by_country["country"].eq("UA") & by_country["period"].eq(pd.Timestamp("2024-12-01"))
    frame = by_country.assign(
        count=by_country["count"].mask(gap), rate=by_country["rate"].mask(gap)
    )
    fig = country_small_multiples(frame, SELECTED, NAMES, value="count")
    (ukraine,) = [t for t in fig.data if t.name == "Ukraine"]
    values = list(ukraine.y)
    assert len(values) == 6 and pd.isna(values[2]) and 0 not in values
    assert not ukraine.connectgaps  # no line across the gap


def test_small_multiples_wrap_into_rows():
    """Ten countries at five per row make two rows."""
    codes = [f"C{i}" for i in range(10)]
    frame = pd.DataFrame({"period": pd.Timestamp("2025-01-01"), "country": codes, "rate": 1.0})
    fig = country_small_multiples(frame, SELECTED, {})
    assert len(fig.data) == 10
    assert fig.data[9].xaxis == "x10" and fig.layout.height == 2 * 220 + 80


def test_small_multiples_empty(by_country):
    fig = country_small_multiples(by_country[by_country["country"] == "EE"], SELECTED, NAMES)
    assert not fig.data


@pytest.mark.parametrize("build", ["trend", "countries"])
def test_figures_need_no_network(build, trend, by_country):
    """Cartesian traces only: no geo/mapbox layers, no external URLs in the figure."""
    fig = (
        trend_lines(trend, SELECTED)
        if build == "trend"
        else country_small_multiples(by_country, SELECTED, NAMES)
    )
    assert {t.type for t in fig.data} == {"scatter"}
    text = fig.to_json()
    assert "http://" not in text and "https://" not in text
    # The default template styles geo and map subplots; the figure must not use one.
    layout = fig.to_dict()["layout"]
    layout.pop("template", None)
    assert not {k for k in layout if k.startswith(("geo", "map", "mapbox"))}


def test_level_colours_cover_every_level():
    assert list(LEVEL_COLOURS) == list(LEVELS)


def test_forecast_chart_draws_history_forecast_and_both_bands():
    from reports.figures import forecast_chart

    history = pd.Series(
        range(48), index=pd.date_range("2022-01-01", periods=48, freq="MS"), dtype=float
    )
    forecast = pd.DataFrame(
        {
            "period": pd.date_range("2026-01-01", periods=3, freq="MS"),
            "mean": [50.0, 51.0, 52.0],
            "lower_80": [45.0, 44.0, 43.0],
            "upper_80": [55.0, 58.0, 61.0],
            "lower_95": [40.0, 38.0, 36.0],
            "upper_95": [60.0, 64.0, 68.0],
        }
    )
    fig = forecast_chart(history, forecast, title="MD, migrant smuggling")
    names = [trace.name for trace in fig.data]
    assert names == ["95 % interval", "80 % interval", "recorded", "forecast"]
    assert len(fig.data[2].x) == 36  # the last three years of history only
    assert list(fig.data[0].y) == [60.0, 64.0, 68.0, 36.0, 38.0, 40.0]
    assert fig.layout.title.text == "MD, migrant smuggling"


def test_a_gap_in_coverage_breaks_the_lines_and_partly_months_are_marked():
    months = pd.date_range("2025-01-01", periods=4, freq="MS")
    trend = pd.DataFrame(
        {
            "period": months,
            "crime": "Drugs",
            "count": [5.0, float("nan"), 3.0, 4.0],
            "coverage": ["reported", "not reported", "partly", "reported"],
        }
    )
    fig = trend_lines(trend, ("2025-01-01", "2025-04-30"))
    (line,) = fig.data
    assert line.connectgaps is False
    assert np.isnan(line.y[1]) and line.y[0] == 5.0
    assert list(line.customdata) == ["", "", " (partly reported)", ""]
    assert line.marker.symbol[2] == "circle-open"
    panels = country_small_multiples(
        pd.concat(
            [
                trend.drop(columns="crime").assign(country="MD", rate=trend["count"]),
                trend.drop(columns="crime").assign(country="LV", rate=float("nan")),
            ]
        ),
        ("2025-01-01", "2025-04-30"),
        {"MD": "Moldova", "LV": "Latvia"},
    )
    (panel,) = panels.data  # Latvia, without any value, has no panel (never a flat zero)
    assert panel.connectgaps is False and np.isnan(panel.y[1])
    assert panel.customdata[2] == " (partly reported)"


# -- the twelve line colours -------------------------------------------------------------------

#: The least CIEDE2000 difference between two line colours: about twice what reads as
#: "clearly different" side by side on a white chart (the former palette's two reds: 9).
MIN_DELTA_E = 20.0


def _lab(colours) -> np.ndarray:
    """sRGB hex colours to CIELAB (D65)."""
    rgb = np.array([[int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)] for c in colours])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1
    )


def _delta_e_2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005), broadcast over rows."""
    l1, a1, b1 = np.moveaxis(lab1, -1, 0)
    l2, a2, b2 = np.moveaxis(lab2, -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    chroma = c1p * c2p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma == 0, 0, dh)
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2 * np.sqrt(chroma) * np.sin(np.radians(dh / 2))
    l_bar, c_bar_p = (l1 + l2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) > 180,
        np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2),
        h_sum / 2,
    )
    h_bar = np.where(chroma == 0, h_sum, h_bar)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_bar_p**7 / (c_bar_p**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return np.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
    )


def test_the_colour_difference_matches_the_published_test_data():
    """Pairs 1, 7 and 17 of Sharma, Wu and Dalal's CIEDE2000 test data."""
    pairs = np.array(
        [
            [[50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485]],
            [[50.0, 0.0, 0.0], [50.0, -1.0, 2.0]],
            [[50.0, 2.5, 0.0], [73.0, 25.0, -18.0]],
        ]
    )
    got = _delta_e_2000(pairs[:, 0], pairs[:, 1])
    assert got == pytest.approx([2.0425, 2.3669, 27.1492], abs=1e-4)


def test_twelve_line_colours_no_two_alike():
    assert len(PALETTE) == len(set(PALETTE)) == 12
    lab = _lab(PALETTE)
    distance = _delta_e_2000(lab[:, None, :], lab[None, :, :])
    np.fill_diagonal(distance, np.inf)
    first, second = np.unravel_index(distance.argmin(), distance.shape)
    assert distance.min() >= MIN_DELTA_E, (PALETTE[first], PALETTE[second], distance.min())
    # Every line shows on a white chart.
    assert lab[:, 0].max() < 80


def test_trend_lines_keep_a_series_colour_whatever_is_drawn(trend):
    colours = {"Migrant smuggling": "#000000"}
    fig = trend_lines(trend, SELECTED, colours=colours)
    lines = {trace.name: trace.line.color for trace in fig.data}
    assert lines == {"Drug trafficking": PALETTE[0], "Migrant smuggling": "#000000"}
