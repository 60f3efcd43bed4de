"""A figure's engine words, separators and months in a language, without the dashboard."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reports.figure_words import localise_figure
from reports.figures import trend_lines


def _figure():
    months = pd.date_range("2025-11-01", "2026-10-01", freq="MS")
    trend = pd.DataFrame({"period": months, "crime": "Cybercrime", "count": range(12)})
    return trend_lines(trend, (dt.date(2026, 5, 1), dt.date(2026, 10, 31)))


def test_ukrainian_ticks_separators_and_notes():
    fig = _figure()
    shown = localise_figure(fig, "uk")
    assert shown.layout.separators == ",\u00a0"
    assert "січ.<br>2026" in shown.layout.xaxis.ticktext
    assert [note.text for note in shown.layout.annotations] == ["вибраний період"]
    assert fig.layout.xaxis.ticktext is None  # the figure given is not changed


def test_english_keeps_plotlys_months():
    shown = localise_figure(_figure(), "en")
    assert shown.layout.xaxis.tickformat == "%b\n%Y" and shown.layout.xaxis.ticktext is None
