"""Figures in the chosen language: separators, month ticks and hovers (ui/figures.py)."""

from __future__ import annotations

import pandas as pd

from reports import figures as charts
from ui.figures import localise_figure, month_ticks


def _trend() -> pd.DataFrame:
    months = pd.date_range("2025-01-01", "2026-10-01", freq="MS")
    return pd.DataFrame({"period": months, "crime": "Terrorism", "value": range(len(months))})


WINDOW = (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30"))


def _figure():
    return charts.trend_lines(_trend(), WINDOW, value="value")


def test_english_keeps_plotly_months():
    fig = localise_figure(_figure(), "en")
    assert fig.layout.separators == ".,"
    assert fig.layout.xaxis.tickformat == "%b\n%Y" and fig.layout.xaxis.ticktext is None
    assert fig.data[0].hovertemplate.startswith("%{x|%b %Y}: %{y:,} incidents")


def test_romanian_months_come_from_the_catalogue():
    fig = localise_figure(_figure(), "ro")
    axis = fig.layout.xaxis
    assert fig.layout.separators == ",."
    assert axis.tickmode == "array" and axis.tickformat is None
    # Every third month from January, as the English axis ("dtick": "M3").
    assert list(axis.ticktext[:3]) == ["ian.<br>2025", "apr.<br>2025", "iul.<br>2025"]
    assert axis.hoverformat == "%m.%Y"
    trace = fig.data[0]
    assert trace.hovertemplate.startswith("%{text}: %{y:,} incidente%{customdata}")
    assert trace.text[0] == "ian. 2025" and trace.text[-1] == "oct. 2026"


def test_ukrainian_separators_and_months():
    fig = localise_figure(_figure(), "uk")
    assert fig.layout.separators == ",\u00a0"
    assert fig.layout.xaxis.ticktext[0].endswith("<br>2025")
    assert "%b" not in fig.data[0].hovertemplate


def test_month_ticks_choose_a_step_that_fits():
    values, texts = month_ticks(pd.Timestamp("2021-01-01"), pd.Timestamp("2026-10-01"), "uk")
    assert len(values) <= 8
    assert all(day.month == 1 for day in values)
    assert texts[0] == "січ.<br>2021"
    values, _ = month_ticks(
        pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-01"), "ro", max_ticks=4
    )
    assert [day.month for day in values] == [1, 2, 3, 4]


def test_small_multiples_share_their_ticks():
    data = _trend().rename(columns={"crime": "country"}).assign(country="MD")
    fig = charts.country_small_multiples(data, WINDOW, {"MD": "Moldova"}, value="value")
    fig = localise_figure(fig, "ro")
    assert fig.layout.xaxis.ticktext and len(fig.layout.xaxis.ticktext) <= 4
