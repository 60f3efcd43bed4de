"""The few words that ``reports.figures`` writes into its figures, in the session's language.

Titles and axis titles are passed in by the pages already translated; what is left are
the engine's own legend entries and notes ("selected period", "recorded", …). They are
matched as exact English texts, so a figure whose engine text changes simply keeps
English there.
"""

from __future__ import annotations

import plotly.graph_objects as go

from ui.i18n import plotly_separators, t


def _engine_texts() -> dict[str, str]:
    """English text drawn by ``reports.figures`` → its text in the session's language."""
    return {
        "selected period": t("chart.selected_period"),
        "No incidents for this selection": t("chart.no_incidents"),
        "recorded": t("chart.recorded"),
        "forecast": t("chart.forecast"),
        "80 % interval": t("chart.interval_80"),
        "95 % interval": t("chart.interval_95"),
    }


def localise_figure(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` with the engine's legend entries, hover names and notes translated,
    and numbers written with the language's decimal mark and thousands separator."""
    fig = go.Figure(fig)
    fig.update_layout(separators=plotly_separators())
    texts = _engine_texts()
    for trace in fig.data:
        name = getattr(trace, "name", None)
        if name in texts:
            trace.name = texts[name]
        template = getattr(trace, "hovertemplate", None)
        if template:
            for english, shown in texts.items():
                template = template.replace(f"<extra>{english}</extra>", f"<extra>{shown}</extra>")
            trace.hovertemplate = template.replace(
                " incidents<extra>", " " + t("chart.hover_incidents") + "<extra>"
            )
    for note in fig.layout.annotations or ():
        if note.text in texts:
            note.text = texts[note.text]
    return fig


__all__ = ["localise_figure"]
