"""Plotly figure builders for the dashboard: DataFrame in, figure out, nothing drawn.

The figures use only cartesian traces, so they render offline (plotly.js is bundled
with Streamlit; no geo or mapbox layers, which fetch tiles or topojson).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from threatmon.coverage import PARTLY
from threatmon.periods import PERIOD, VALUE, Window, month_start
from trends import LEVELS

#: Colours of the change levels (red for increases, blue for decreases, grey in between).
LEVEL_COLOURS: dict[str, str] = dict(
    zip(LEVELS, ("#c0392b", "#e67e22", "#9e9e9e", "#5dade2", "#1f618d"), strict=True)
)
#: Twelve line colours for the twelve crime types, told apart at a glance: no two closer
#: than 20 in CIEDE2000 (``tests/reports/test_figures.py``; the former palette had two
#: reds 9 apart). Picked from plotly's Dark24, Paul Tol's muted and tab10 by farthest
#: point, none lighter than L* 80 so that every line shows on white.
PALETTE: tuple[str, ...] = (
    "#2E91E5",
    "#ff7f0e",
    "#117733",
    "#FC0080",
    "#511CFB",
    "#bcbd22",
    "#862A16",
    "#44AA99",
    "#000000",
    "#A777F1",
    "#620042",
    "#7f7f7f",
)
SHADE_COLOUR = "rgba(255, 193, 7, 0.18)"
#: The hover note of a period only some of whose countries or crime types were reported.
PARTLY_LABEL = "partly reported"


def _partly(part: pd.DataFrame) -> list[bool]:
    """Which rows of a series were only partly reported (some countries or types only)."""
    if "coverage" not in part.columns:
        return [False] * len(part)
    return (part["coverage"] == PARTLY).tolist()


def _window_edges(window: Window) -> tuple[pd.Timestamp, pd.Timestamp]:
    """x positions covering the whole months of ``window`` (months are plotted at their start)."""
    start = month_start(window[0])
    end = month_start(window[1]) + pd.DateOffset(months=1)
    # Points sit on month starts: shade from half a month before the first point to
    # half a month after the last, so every point of the window is inside the band.
    half = pd.Timedelta(days=15)
    return start - half, end - half


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=title,
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=240,
        annotations=[
            {
                "text": message,
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 14},
            }
        ],
    )
    return fig


def trend_lines(
    trend: pd.DataFrame,
    selected: Window,
    *,
    series: str = "crime",
    value: str = VALUE,
    title: str = "Monthly incidents by crime type",
    y_title: str = "Incidents per month",
    partly_label: str = PARTLY_LABEL,
    colours: Mapping[str, str] | None = None,
) -> go.Figure:
    """One line per ``series`` over ``period``, with the ``selected`` months shaded.

    Parameters
    ----------
    trend : DataFrame
        Dense monthly rows: ``period``, ``series``, ``value`` (NaN where not reported:
        the line breaks there) and optionally ``coverage`` (a "partly" reported month is
        drawn as an open marker, its hover saying ``partly_label``).
    selected : tuple of date-like
        The selected period (inclusive); drawn as a shaded band labelled "selected period".
    colours : mapping, optional
        Series name to colour, so that a series keeps its colour whichever others are
        drawn; a name it lacks takes :data:`PALETTE` in order.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if trend.empty or trend[value].isna().all():
        return _empty(title, "No incidents for this selection")
    fig = go.Figure()
    for i, (name, part) in enumerate(trend.groupby(series, sort=True)):
        partly = _partly(part)
        fig.add_trace(
            go.Scatter(
                x=part[PERIOD],
                y=part[value],
                name=str(name),
                mode="lines+markers",
                # A month nobody reported is a gap in the line, never a zero.
                connectgaps=False,
                marker={
                    "size": [7 if p else 4 for p in partly],
                    "symbol": ["circle-open" if p else "circle" for p in partly],
                },
                line={"width": 2, "color": (colours or {}).get(name, PALETTE[i % len(PALETTE)])},
                customdata=[f" ({partly_label})" if p else "" for p in partly],
                hovertemplate="%{x|%b %Y}: %{y:,} incidents%{customdata}<extra>"
                + str(name)
                + "</extra>",
            )
        )
    x0, x1 = _window_edges(selected)
    fig.add_vrect(
        x0=x0,
        x1=x1,
        fillcolor=SHADE_COLOUR,
        line_width=0,
        layer="below",
        annotation_text="selected period",
        annotation_position="top left",
    )
    fig.update_layout(
        title=title,
        height=420,
        hovermode="closest",
        margin={"t": 60, "b": 40},
        legend={"title": None},
        yaxis={"title": y_title, "rangemode": "tozero"},
        xaxis={"title": None, "dtick": "M3", "tickformat": "%b\n%Y"},
    )
    return fig


def country_small_multiples(
    frame: pd.DataFrame,
    selected: Window,
    names: Mapping[str, str],
    *,
    value: str = "rate",
    y_title: str = "Incidents per 100 000 inhabitants per month",
    title: str = "Monthly incidents per 100 000 inhabitants, by country",
    columns: int = 5,
    partly_label: str = PARTLY_LABEL,
) -> go.Figure:
    """One small panel per country with a shared y axis; the ``selected`` months shaded.

    Parameters
    ----------
    frame : DataFrame
        Dense monthly rows: ``period``, ``country`` (ISO2), ``value`` (NaN where not
        reported: the line breaks there, never drawn as 0; a country without any value gets
        no panel) and optionally ``coverage`` (a "partly" reported month gets an open
        marker).
    names : mapping
        ISO2 code to the panel title (English country name).
    value : str
        The column to plot: ``rate`` (per 100 000) or ``count``.
    columns : int
        Panels per row.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    # Gaps stay in the series (plotly breaks a line at a missing value rather than join
    # the months around it); only countries with nothing to draw are left out.
    drawn = frame[value].notna().groupby(frame["country"]).transform("any")
    data = frame[drawn.to_numpy(dtype=bool)].sort_values(["country", PERIOD], kind="stable")
    if data.empty:
        return _empty(title, "No incidents for this selection")
    codes = sorted(data["country"].unique(), key=lambda c: names.get(c, c))
    cols = max(1, min(columns, len(codes)))
    rows = -(-len(codes) // cols)
    x0, x1 = _window_edges(selected)
    hover_unit = "per 100 000" if value == "rate" else "incidents"
    number = "%{y:.2f}" if value == "rate" else "%{y:,}"
    # The layout is written out as plain dicts: plotly's make_subplots/add_vrect validate
    # every property one call at a time, which took ~0.2 s for ten panels.
    h_gap, v_gap, title_room = 0.02, 0.14 if rows > 1 else 0.0, 0.05
    width = (1 - h_gap * (cols - 1)) / cols
    height = (1 - v_gap * (rows - 1)) / rows
    traces, shapes, annotations = [], [], []
    layout: dict = {}
    for i, code in enumerate(codes):
        row, col = divmod(i, cols)
        suffix = "" if i == 0 else str(i + 1)
        left = col * (width + h_gap)
        top = 1 - row * (height + v_gap)
        layout[f"xaxis{suffix}"] = {
            "domain": [max(0.0, left), min(1.0, left + width)],
            "anchor": f"y{suffix}",
            "matches": "x" if i else None,
            "showticklabels": row == rows - 1 or i + cols >= len(codes),
            "tickformat": "%b\n%Y",
            "nticks": 4,
            "type": "date",
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [max(0.0, top - height), min(1.0, top - title_room * height)],
            "anchor": f"x{suffix}",
            "matches": "y" if i else None,
            "showticklabels": col == 0,
            "rangemode": "tozero",
        }
        part = data[data["country"] == code]
        label = names.get(code, code)
        partly = _partly(part)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": part[PERIOD],
                "y": part[value],
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "name": label,
                "showlegend": False,
                "connectgaps": False,
                # Only partly reported months get a (hollow) marker.
                "marker": {
                    "size": [7 if p else 0 for p in partly],
                    "symbol": ["circle-open" if p else "circle" for p in partly],
                    "color": PALETTE[0],
                },
                "line": {"width": 2, "color": PALETTE[0]},
                "customdata": [f" ({partly_label})" if p else "" for p in partly],
                "hovertemplate": (
                    f"%{{x|%b %Y}}: {number} {hover_unit}%{{customdata}}<extra>{label}</extra>"
                ),
            }
        )
        shapes.append(
            {
                "type": "rect",
                "xref": f"x{suffix}",
                "yref": f"y{suffix} domain",
                "x0": x0,
                "x1": x1,
                "y0": 0,
                "y1": 1,
                "fillcolor": SHADE_COLOUR,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "text": label,
                "xref": "paper",
                "yref": "paper",
                "x": left + width / 2,
                "y": top,
                "xanchor": "center",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
    layout["yaxis"]["title"] = {"text": y_title, "font": {"size": 11}}
    layout.update(
        title=title,
        height=220 * rows + 80,
        margin={"t": 80, "b": 30},
        shapes=shapes,
        annotations=annotations,
    )
    return go.Figure(data=traces, layout=layout)


def forecast_chart(
    history: pd.Series,
    forecast: pd.DataFrame,
    *,
    title: str,
    y_title: str = "Incidents per month",
    months_shown: int = 36,
) -> go.Figure:
    """History, the forecast mean and its 80 % and 95 % intervals as shaded bands.

    ``history`` is indexed by period; ``forecast`` has ``period, mean, lower_80,
    upper_80, lower_95, upper_95``. Only the last ``months_shown`` periods of history
    are drawn, so that the forecast is not squeezed into a corner.
    """
    shown = history.iloc[-months_shown:]
    fig = go.Figure()
    band = forecast["period"].tolist()
    for level, colour in (("95", "rgba(31, 78, 121, 0.12)"), ("80", "rgba(31, 78, 121, 0.25)")):
        fig.add_trace(
            go.Scatter(
                x=band + band[::-1],
                y=forecast[f"upper_{level}"].tolist() + forecast[f"lower_{level}"].tolist()[::-1],
                fill="toself",
                fillcolor=colour,
                line={"width": 0},
                hoverinfo="skip",
                name=f"{level} % interval",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=shown.index,
            y=shown.to_numpy(),
            mode="lines+markers",
            marker={"size": 4},
            line={"color": "#333333", "width": 2},
            name="recorded",
            hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>recorded</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=forecast["period"],
            y=forecast["mean"],
            mode="lines+markers",
            marker={"size": 5},
            line={"color": "#1f4e79", "width": 2, "dash": "dash"},
            name="forecast",
            hovertemplate="%{x|%b %Y}: %{y:,.1f}<extra>forecast</extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=420,
        hovermode="x unified",
        margin={"t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        yaxis={"title": y_title, "rangemode": "tozero"},
        xaxis={"title": None, "tickformat": "%b\n%Y"},
    )
    return fig
