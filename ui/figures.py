"""The dashboard's figures in the session's language (:mod:`reports.figure_words` does the
work, for the briefing's charts too)."""

from __future__ import annotations

import plotly.graph_objects as go

from reports.figure_words import localise_dates, month_ticks
from reports.figure_words import localise_figure as _localise_figure
from ui.i18n import current_language


def localise_figure(fig: go.Figure, language: str | None = None) -> go.Figure:
    """A copy of ``fig`` in ``language`` (default: the session's): the engine's legend
    entries, hover names and notes translated, numbers written with the language's
    decimal mark and thousands separator, months named in the language."""
    return _localise_figure(fig, language or current_language())


__all__ = ["localise_dates", "localise_figure", "month_ticks"]
