"""Overview: the steering committee's first page.

KPIs against two comparison periods, trends by crime type, the ranked change table
(ACLED Trendfinder levels with a low-count guard) and small multiples by country.
This page only reads the filters and renders; the numbers come from
``trends`` through ``ui.data``, the figures from ``reports.figures``.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import streamlit as st

from reports import figures as charts
from threatmon.disclosure.export import to_csv_bytes
from threatmon.disclosure.suppression import NO_DATA, TOTAL
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.regions import PROJECT_COUNTRIES
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends import FLAG_LOW_COUNTS, FLAG_NOT_SIGNIFICANT, LEVELS
from ui import auth, data, exports, levels
from ui.figures import localise_figure
from ui.filters import current_filters
from ui.i18n import (
    bound,
    country_name,
    country_names,
    crime_label,
    flag_label,
    level_label,
    month_span,
    number,
    region_names,
    t,
)

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def _span(window) -> str:
    return month_span(*window)


def _months(window) -> int:
    start, end = (pd.Timestamp(day) for day in window)
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _delta(change: int, pct: float) -> str | int:
    if change == 0:
        return 0
    if pct is None or math.isnan(pct):
        return t("overview.delta_from_zero", change=number(change, sign=True))
    return f"{number(pct, 1, sign=True)} % ({number(change, sign=True)})"


def _kpis(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    same = spans["previous"] == spans["year_earlier"]
    months = _months(spans["current"])
    rows = [(t("overview.kpi.total"), summary["total"].iloc[0], "")]
    rows += [
        (crime_label(row["crime_type"]), row, row["crime_type"])
        for _, row in summary["movers"].iterrows()
    ]
    sparks = summary["sparklines"]
    columns = st.columns(len(rows))
    for column, (label, row, key) in zip(columns, rows, strict=True):
        spark = sparks.loc[sparks["crime_type"] == key, "count"].tolist()
        with column.container(border=True):
            st.metric(
                label,
                number(int(row["current"])),
                delta=_delta(int(row["change_previous"]), row["pct_previous"]),
                delta_color="inverse",
                delta_description=t("overview.kpi.vs_previous", months=months),
                chart_data=spark,
                chart_type="bar",
                help=t("overview.kpi.help"),
            )
            if not same:
                st.metric(
                    t("overview.kpi.year_earlier"),
                    number(int(row["year_earlier"])),
                    delta=_delta(int(row["change_year"]), row["pct_year"]),
                    delta_color="inverse",
                    delta_description=t("overview.kpi.since_then"),
                )
    current, previous = _span(spans["current"]), _span(spans["previous"])
    if same:
        caption = t("overview.kpi.caption_same", span=current, months=months, previous=previous)
    else:
        caption = t(
            "overview.kpi.caption_year",
            span=current,
            months=months,
            previous=previous,
            year=_span(spans["year_earlier"]),
        )
    if len(rows) > 1:
        movers = len(rows) - 1
        if movers == 1:
            caption += " " + t("overview.kpi.caption_mover", min_total=LOW_COUNT_THRESHOLD)
        else:
            caption += " " + t(
                "overview.kpi.caption_movers", count=movers, min_total=LOW_COUNT_THRESHOLD
            )
    st.caption(caption)


def _trend(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    st.subheader(t("overview.trends.header"))
    trend = summary["trend"]
    fig = charts.trend_lines(
        trend.assign(crime=trend["crime_type"].map(crime_label)),
        spans["current"],
        title=t("chart.trend_title"),
        y_title=t("chart.per_month"),
    )
    st.plotly_chart(localise_figure(fig), width="stretch", config=PLOTLY_CONFIG)
    shown = (min(start for start, _ in spans.values()), spans["current"][1])
    st.caption(t("overview.trends.caption", span=_span(shown)))
    exports.chart_png_download(localise_figure(fig), "trends")


def _changes(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    st.subheader(t("overview.changes.header"))
    changes = summary["changes"]
    if changes.empty:
        st.info(t("overview.changes.empty"))
        return
    names = region_names(data.regions())
    changes = changes.assign(
        region=changes["region_code"].map(names).fillna(changes["region"]),
        country=changes["region_code"].str[:2].map(country_names()).fillna(changes["country"]),
        crime=changes["crime_type"].map(crime_label),
        flag=changes["flag"].map(flag_label),
    )
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
            "region": st.column_config.TextColumn(
                t("overview.col.region"), pinned=True, width="medium"
            ),
            "country": st.column_config.TextColumn(t("overview.col.country")),
            "crime": st.column_config.TextColumn(t("overview.col.crime")),
            "level": st.column_config.MultiselectColumn(
                t("overview.col.level"),
                options=list(LEVELS),
                color=[charts.LEVEL_COLOURS[level] for level in LEVELS],
                format_func=bound(level_label),
                help=t("overview.col.level_help"),
            ),
            "current": st.column_config.NumberColumn(_span(spans["current"]), format="%,d"),
            "previous": st.column_config.NumberColumn(_span(spans["previous"]), format="%,d"),
            "change": st.column_config.NumberColumn(t("overview.col.change"), format="%+,d"),
            "pct_change": st.column_config.NumberColumn(
                t("overview.col.pct_change"),
                format="%+.1f %%",
                help=t("overview.col.pct_change_help"),
            ),
            "flag": st.column_config.TextColumn(
                t("overview.col.flag"),
                help=t(
                    "overview.col.flag_help",
                    low=flag_label(FLAG_LOW_COUNTS),
                    not_significant=flag_label(FLAG_NOT_SIGNIFICANT),
                    min_total=LOW_COUNT_THRESHOLD,
                    alpha=number(CHANGE_ALPHA, 2),
                ),
            ),
            "p_value": st.column_config.NumberColumn(
                t("overview.col.p"),
                format="%.3f",
                help=t("overview.col.p_help"),
            ),
        },
    )
    st.caption(
        t(
            "overview.changes.caption",
            current=_span(spans["current"]),
            previous=_span(spans["previous"]),
            min_total=LOW_COUNT_THRESHOLD,
            alpha=number(CHANGE_ALPHA, 2),
        )
    )
    exports.table_downloads(changes.drop(columns=["level"], errors="ignore"), "changes")


def _countries(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    st.subheader(t("overview.countries.header"))
    frame = summary["countries"]
    if frame["rate"].notna().any():
        fig = charts.country_small_multiples(
            frame,
            spans["current"],
            country_names(PROJECT_COUNTRIES),
            y_title=t("chart.per_100k_month"),
            title=t("chart.countries_rate_title"),
        )
        note = t("overview.countries.rate_note")
    else:
        fig = charts.country_small_multiples(
            frame,
            spans["current"],
            country_names(PROJECT_COUNTRIES),
            value="count",
            y_title=t("chart.per_month"),
            title=t("chart.countries_count_title"),
        )
        note = t("overview.countries.count_note")
    st.plotly_chart(localise_figure(fig), width="stretch", config=PLOTLY_CONFIG)
    st.caption(note + " " + t("overview.countries.band"))


def _early_warning() -> None:
    st.subheader(t("overview.warning.header"))
    alerts = data.alerts()
    if alerts.empty:
        st.caption(t("overview.warning.none"))
        return
    for row in alerts.head(5).itertuples(index=False):
        st.markdown(f"- {row.sentence} [{t('alerts.map_link')}]({row.link})")
    st.caption(t("overview.warning.caption", count=len(alerts)))


def _sensitive_display(table: pd.DataFrame) -> pd.DataFrame:
    """The suppressed table with country names in the session's language (for display;
    the CSV keeps the table as built)."""
    code_of = {name: code for code, name in PROJECT_COUNTRIES.items()}
    shown = {name: country_name(code) for name, code in code_of.items()}
    shown[TOTAL] = t("overview.sensitive.total")
    cells = [c for c in table.columns if c not in ("quarter", "country")]
    no_data = t("overview.sensitive.no_data")
    # Numbers beside "<5" and "c": text throughout, as Arrow wants one type per column.
    return table.assign(
        country=table["country"].map(lambda name: shown.get(name, name)),
        **{column: table[column].astype(str).replace(NO_DATA, no_data) for column in cells},
    )


def _sensitive(spans: dict) -> None:
    """Viewers' only view of the sensitive crime types: suppressed country tables."""
    st.subheader(t("overview.sensitive.header"))
    table = data.sensitive_table(data.store_status().last)
    st.dataframe(
        _sensitive_display(table),
        hide_index=True,
        column_config={
            "quarter": st.column_config.TextColumn(t("overview.sensitive.quarter")),
            "country": st.column_config.TextColumn(t("overview.col.country")),
            **{
                ct.label: st.column_config.TextColumn(crime_label(ct.key))
                for ct in CRIME_TYPES
                if ct.label in table.columns
            },
            TOTAL: st.column_config.TextColumn(t("overview.sensitive.total")),
        },
    )
    k = data.suppression_k()
    st.caption(t("overview.sensitive.caption", k=k, below=k - 1))
    if table.isin([NO_DATA]).any().any():
        st.caption(t("overview.sensitive.no_data_caption"))
    trend = data.sensitive_trend(data.store_status().last)
    names = {ct.label: crime_label(ct.key) for ct in CRIME_TYPES}
    fig = px.line(
        trend.assign(crime=trend["crime"].map(names)),
        x="quarter",
        y="count",
        color="crime",
        markers=True,
        title=t("overview.sensitive.trend_title"),
        labels={"quarter": "", "count": t("overview.sensitive.trend_axis"), "crime": ""},
    )
    st.plotly_chart(localise_figure(fig), width="stretch", config=PLOTLY_CONFIG)
    st.caption(t("overview.sensitive.trend_caption"))
    st.download_button(
        t("overview.sensitive.download"),
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
    st.title(t("overview.title"))
    exports.briefing_download(filters)
    spans = data.windows(filters)
    summary = data.overview(filters, min_total=LOW_COUNT_THRESHOLD, alpha=CHANGE_ALPHA)
    total = summary["total"].iloc[0]
    if int(total[["current", "previous", "year_earlier"]].sum()) == 0:
        st.info(
            t("overview.no_incidents", span=_span(spans["current"])),
            icon=":material/search_off:",
        )
        return
    if auth.current().suppressed:
        st.caption(t("overview.suppressed_note", section=t("overview.sensitive.header")))
    levels.show_coarser(filters, "M")
    _kpis(summary, spans)
    _trend(summary, spans)
    _changes(summary, spans)
    _countries(summary, spans)
    if auth.current().suppressed:
        _sensitive(spans)
    _early_warning()


main()
