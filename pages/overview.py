"""Overview: the steering committee's first page.

KPIs against two comparison periods, trends by crime type, the ranked change table
(ACLED Trendfinder levels with a low-count guard) and small multiples by country.
This page only reads the filters and renders; the numbers come from
``forecasting.trends`` through ``ui.data``, the figures from ``forecasting.charts``.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from data_loaders.export import to_csv_bytes
from data_loaders.regions import PROJECT_COUNTRIES
from forecasting import charts
from forecasting.trends import LEVELS
from ui import auth, data, exports
from ui.filters import current_filters

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
MIN_TOTAL = 10
ALPHA = 0.05


def _span(window) -> str:
    start, end = (pd.Timestamp(day) for day in window)
    if (start.year, start.month) == (end.year, end.month):
        return start.strftime("%b %Y")
    return f"{start:%b %Y} – {end:%b %Y}"


def _months(window) -> int:
    start, end = (pd.Timestamp(day) for day in window)
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _delta(change: int, pct: float) -> str | int:
    if change == 0:
        return 0
    if pct is None or math.isnan(pct):
        return f"{change:+,} (from 0)"
    return f"{pct:+.1f} % ({change:+,})"


def _kpis(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    same = spans["previous"] == spans["year_earlier"]
    months = _months(spans["current"])
    rows = [("Total incidents", summary["total"].iloc[0], "")]
    rows += [(row["crime"], row, row["crime_type"]) for _, row in summary["movers"].iterrows()]
    sparks = summary["sparklines"]
    columns = st.columns(len(rows))
    for column, (label, row, key) in zip(columns, rows, strict=True):
        spark = sparks.loc[sparks["crime_type"] == key, "count"].tolist()
        with column.container(border=True):
            st.metric(
                label,
                f"{int(row['current']):,}",
                delta=_delta(int(row["change_previous"]), row["pct_previous"]),
                delta_color="inverse",
                delta_description=f"vs prev. {months} months",
                chart_data=spark,
                chart_type="bar",
                help="Increases are shown in red: more incidents is worse.",
            )
            if not same:
                st.metric(
                    "Same months a year earlier",
                    f"{int(row['year_earlier']):,}",
                    delta=_delta(int(row["change_year"]), row["pct_year"]),
                    delta_color="inverse",
                    delta_description="change since then",
                )
    caption = (
        f"Incidents in {_span(spans['current'])} ({months} months). Deltas compare with the "
        f"previous {months} months ({_span(spans['previous'])})"
    )
    caption += (
        "; for a 12-month selection that is also the same period a year earlier."
        if same
        else f" and with the same months a year earlier ({_span(spans['year_earlier'])})."
    )
    if len(rows) > 1:
        caption += (
            f" Besides the total: the {len(rows) - 1} crime types with the largest "
            f"absolute change (at least {MIN_TOTAL} incidents in the two periods)."
        )
    st.caption(caption)


def _trend(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    st.subheader("Trends by crime type")
    fig = charts.trend_lines(summary["trend"], spans["current"])
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG)
    shown = (min(start for start, _ in spans.values()), spans["current"][1])
    st.caption(
        f"Monthly incidents per crime type, {_span(shown)} (the selected period and both "
        "comparison periods); the shaded band is the selected period. Click a legend entry "
        "to hide a line."
    )


def _changes(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    st.subheader("Where it changed: region × crime type")
    changes = summary["changes"]
    if changes.empty:
        st.info("No incidents in the selected or the previous period.")
        return
    table = changes[
        [
            "region",
            "country",
            "crime",
            "level",
            "current",
            "previous",
            "change",
            "pct_change",
            "flag",
            "p_value",
        ]
    ]
    table = table.assign(level=table["level"].astype(str).map(lambda level: [level]))
    st.dataframe(
        table,
        hide_index=True,
        height=420,
        column_config={
            "region": st.column_config.TextColumn("Region", pinned=True, width="medium"),
            "country": st.column_config.TextColumn("Country"),
            "crime": st.column_config.TextColumn("Crime type"),
            "level": st.column_config.MultiselectColumn(
                "Change level",
                options=list(LEVELS),
                color=[charts.LEVEL_COLOURS[level] for level in LEVELS],
                help="ACLED Trendfinder categories: > +25 % large, +10…+25 % moderate, "
                "−10…−25 % moderate, < −25 % large; otherwise limited.",
            ),
            "current": st.column_config.NumberColumn(_span(spans["current"]), format="%,d"),
            "previous": st.column_config.NumberColumn(_span(spans["previous"]), format="%,d"),
            "change": st.column_config.NumberColumn("Change", format="%+,d"),
            "pct_change": st.column_config.NumberColumn(
                "Change %", format="%+.1f %%", help="Empty when the previous count is 0."
            ),
            "flag": st.column_config.TextColumn(
                "Guard",
                help=f"'low counts': fewer than {MIN_TOTAL} incidents in the two "
                f"periods together; 'not significant': exact binomial test p ≥ {ALPHA}. "
                "Such rows are shown as limited change.",
            ),
            "p_value": st.column_config.NumberColumn(
                "p",
                format="%.3f",
                help="Two-sided exact conditional binomial test of "
                "equal monthly rates in the two periods.",
            ),
        },
    )
    st.caption(
        f"Each region and crime type, {_span(spans['current'])} against "
        f"{_span(spans['previous'])}. A change is only called moderate or large when the two "
        f"periods hold at least {MIN_TOTAL} incidents and the binomial test gives p < {ALPHA}; "
        "sorted by level (large, then moderate, increases first), then by absolute change."
    )


def _countries(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    st.subheader("By country")
    frame = summary["countries"]
    if frame["rate"].notna().any():
        fig = charts.country_small_multiples(frame, spans["current"], PROJECT_COUNTRIES)
        note = (
            "Monthly incidents per 100 000 inhabitants (population of the selected "
            "regions, from the region registry); one panel per country, shared y axis, "
            "so panels compare directly."
        )
    else:
        fig = charts.country_small_multiples(
            frame,
            spans["current"],
            PROJECT_COUNTRIES,
            value="count",
            y_title="Incidents per month",
            title="Monthly incidents by country",
        )
        note = "Monthly incident counts (population unknown for this selection)."
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG)
    st.caption(note + " The shaded band is the selected period.")


def _early_warning() -> None:
    st.subheader("Early warning")
    alerts = data.alerts()
    if alerts.empty:
        st.caption(
            "No region and crime type surged, or left the interval forecast for it, in the "
            "latest complete month. Forecasts and their track record are on the Forecasts page."
        )
        return
    for row in alerts.head(5).itertuples(index=False):
        st.markdown(f"- {row.sentence} [Map]({row.link})")
    st.caption(
        f"{len(alerts)} alerts (surges, and counts outside the interval forecast the month "
        "before) in the latest complete month, whatever the filters; the Forecasts page "
        "lists 20 and explains the tests."
    )


def _sensitive(spans: dict) -> None:
    """Viewers' only view of the sensitive crime types: suppressed country tables."""
    st.subheader("Sensitive crime types")
    table = data.sensitive_table(data.store_status().last)
    st.dataframe(table, hide_index=True)
    st.caption(
        "Human trafficking and child sexual exploitation are left out of every other figure "
        "on these pages for your role. Here they are counted per country and calendar "
        "quarter, whatever the filters. Counts from 1 to 4 are shown as “<5”; “c” marks a "
        "count or total hidden so that a “<5” cannot be worked out from the totals."
    )
    st.download_button(
        "This table (CSV)",
        exports.audited(
            lambda: to_csv_bytes(table, data.export_marking()), "sensitive_table", rows=len(table)
        ),
        file_name="threatmon-sensitive-quarters.csv",
        mime="text/csv",
        icon=":material/table:",
    )


def main() -> None:
    """Render the overview for the sidebar's filters."""
    filters = current_filters()
    if filters is None:
        st.stop()
    st.title("Overview")
    spans = data.windows(filters)
    summary = data.overview(filters, min_total=MIN_TOTAL, alpha=ALPHA)
    total = summary["total"].iloc[0]
    if int(total[["current", "previous", "year_earlier"]].sum()) == 0:
        st.info(
            f"No incidents match this selection in {_span(spans['current'])} or the "
            "comparison periods. Widen the countries, regions, crime types or period in the "
            "sidebar.",
            icon=":material/search_off:",
        )
        return
    if auth.current().suppressed:
        st.caption(
            "All figures leave out human trafficking and child sexual exploitation; see "
            "“Sensitive crime types” below."
        )
    _kpis(summary, spans)
    _trend(summary, spans)
    _changes(summary, spans)
    _countries(summary, spans)
    if auth.current().suppressed:
        _sensitive(spans)
    _early_warning()


main()
