"""The few words that ``reports.figures`` writes into its figures, in a language: for the
dashboard's pages (``ui.figures``, the session's language) and the briefing's charts.

Titles and axis titles are passed in by the callers already translated; what is left are
the engine's own legend entries and notes ("selected period", "recorded", …). They are
matched as exact English texts, so a figure whose engine text changes simply keeps
English there.

Dates are the other part: Plotly writes month names with its own English locale
(``%b``), and plotly.js locale bundles are not loaded (the dashboard works offline).
In Romanian and Ukrainian the month axes get explicit ticks named from the catalogue
("nov.<br>2025", "лист.<br>2025") and the hovers the month's name from the catalogue
too; the unified hover's header, which only Plotly formats, shows the date in digits.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from threatmon.i18n import DEFAULT_LANGUAGE, NUMBER_SEPARATORS, month_name, translate

#: How Plotly is told to write a month in English (``reports.figures``); the axes and
#: hovers that use it are the ones given month names from the catalogue.
MONTH_HOVER = "%{x|%b %Y}"
#: Months between two ticks, the first that keeps an axis at or under its tick count.
TICK_STEPS = (1, 2, 3, 6, 12, 24, 60)
MAX_TICKS = 8


def _engine_texts(language: str) -> dict[str, str]:
    """English text drawn by ``reports.figures`` → its text in ``language``."""
    return {
        "selected period": translate("chart.selected_period", language),
        "No incidents for this selection": translate("chart.no_incidents", language),
        "recorded": translate("chart.recorded", language),
        "forecast": translate("chart.forecast", language),
        "80 % interval": translate("chart.interval_80", language),
        "95 % interval": translate("chart.interval_95", language),
    }


def _dates(values) -> pd.DatetimeIndex:
    if values is None:
        return pd.DatetimeIndex([])
    stamps = pd.to_datetime(pd.Series(list(values)), errors="coerce").dropna()
    return pd.DatetimeIndex(stamps)


def _step(axis: dict) -> int | None:
    """The months between ticks that ``axis`` asks for (``dtick="M3"``), if any."""
    dtick = axis.get("dtick")
    if isinstance(dtick, str) and dtick.startswith("M") and dtick[1:].isdigit():
        return int(dtick[1:])
    return None


def month_ticks(
    first: pd.Timestamp,
    last: pd.Timestamp,
    language: str,
    step: int | None = None,
    max_ticks: int = MAX_TICKS,
) -> tuple[list[pd.Timestamp], list[str]]:
    """Tick positions (month starts) and labels ("nov.<br>2025") from ``first`` to ``last``.

    Without ``step``, the first of :data:`TICK_STEPS` that gives at most ``max_ticks``
    ticks; ticks fall on months that are multiples of the step from January, as Plotly's
    own do.
    """
    start = pd.Timestamp(first).to_period("M").to_timestamp()
    months = pd.date_range(start, pd.Timestamp(last), freq="MS")
    if step is None:
        step = next((s for s in TICK_STEPS if len(months) / s <= max_ticks), TICK_STEPS[-1])
    values = [day for day in months if (day.month - 1) % step == 0]
    texts = [translate(f"month.short.{day.month}", language) + f"<br>{day.year}" for day in values]
    return values, texts


def localise_dates(fig: go.Figure, language: str) -> go.Figure:
    """``fig`` (changed in place) with its month axes and hovers in ``language``.

    English keeps Plotly's own month names. Other languages: every x axis written with
    ``%b`` gets explicit ticks from :func:`month_ticks`, its hover format in digits, and
    hovers that write ``%{x|%b %Y}`` get the month's name from the catalogue instead.
    """
    if language == DEFAULT_LANGUAGE:
        return fig
    layout = fig.layout.to_plotly_json()
    for name, axis in layout.items():
        if not (name.startswith("xaxis") and "%b" in str(axis.get("tickformat", ""))):
            continue
        ref = "x" + name[len("xaxis") :]
        shown = [trace for trace in fig.data if (getattr(trace, "xaxis", None) or "x") == ref]
        if axis.get("matches"):
            shown = list(fig.data)
        days = _dates([x for trace in shown if trace.x is not None for x in trace.x])
        if days.empty:
            continue
        spacing = days.sort_values().to_series().diff().min()
        values, texts = month_ticks(
            days.min(), days.max(), language, _step(axis), axis.get("nticks") or MAX_TICKS
        )
        fig.layout[name].update(
            tickmode="array",
            tickvals=values,
            ticktext=texts,
            tickformat=None,
            dtick=None,
            hoverformat="%d.%m.%Y" if spacing < pd.Timedelta(days=28) else "%m.%Y",
        )
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None)
        if template and MONTH_HOVER in template and trace.text is None:
            trace.text = [month_name(day, language=language) for day in _dates(trace.x)]
            trace.hovertemplate = template.replace(MONTH_HOVER, "%{text}")
    return fig


def localise_figure(fig: go.Figure, language: str) -> go.Figure:
    """A copy of ``fig`` in ``language``: the engine's legend entries, hover names and
    notes translated, numbers written with the language's decimal mark and thousands
    separator, months named in the language."""
    fig = go.Figure(fig)
    fig.update_layout(separators="".join(NUMBER_SEPARATORS[language]))
    texts = _engine_texts(language)
    for trace in fig.data:
        name = getattr(trace, "name", None)
        if name in texts:
            trace.name = texts[name]
        template = getattr(trace, "hovertemplate", None)
        if template:
            for english, shown in texts.items():
                template = template.replace(f"<extra>{english}</extra>", f"<extra>{shown}</extra>")
            for end in ("<extra>", "%{customdata}"):
                template = template.replace(
                    f" incidents{end}", " " + translate("chart.hover_incidents", language) + end
                )
            trace.hovertemplate = template
    for note in fig.layout.annotations or ():
        if note.text in texts:
            note.text = texts[note.text]
    return localise_dates(fig, language)


__all__ = ["localise_dates", "localise_figure", "month_ticks"]
