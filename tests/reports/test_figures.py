"""Figure builders: traces, shading, empty states, and nothing that needs the network."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from reports.figures import LEVEL_COLOURS, country_small_multiples, trend_lines
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
