"""Overview: the steering committee's first page.

First the answer in words (the clearest rises and falls, then the early-warning
alerts), then the key figures against two comparison periods (each saying whether its
change is more than chance), trends by crime type, the change table (its clear changes
by default) and small multiples by country; the methods by name last, in an expander.
This page only reads the filters and renders; the numbers come from
``trends`` through ``ui.data``, the figures from ``reports.figures``.
"""

from __future__ import annotations

import functools
import math

import pandas as pd
import streamlit as st

from reports import figures as charts
from threatmon.coverage import NO_DATA
from threatmon.disclosure.export import to_csv_bytes
from threatmon.disclosure.suppression import TOTAL
from threatmon.registry.crime_types import CRIME_TYPE_KEYS, CRIME_TYPES
from threatmon.registry.regions import PROJECT_COUNTRIES
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends import LEVELS
from trends import NO_DATA as NO_LEVEL
from trends.changes import MODERATE_PCT
from trends.summary import CLEAR_FALL, CLEAR_RISE, NOT_COMPARABLE, change_readings, headlines
from trends.summary import readings as change_table_readings
from ui import auth, data, exports, levels, tables
from ui.figures import localise_figure
from ui.filters import current_filters
from ui.i18n import (
    country_name,
    country_names,
    crime_label,
    current_language,
    level_label,
    month_span,
    number,
    p_value_text,
    plural,
    region_names,
    t,
)
from ui.messages import place_names, reading_label, say

NO_DATA_COLOUR = "#e0e0e0"
#: Headlines of the summary: the clearest rises, then the clearest falls.
RISES, FALLS = 3, 2
KEY_ALL_CHANGES = "overview_all_changes"
TABLE_HEIGHT, ROW_HEIGHT = 420, 35
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def _span(window) -> str:
    return month_span(*window)


def _months(window) -> int:
    start, end = (pd.Timestamp(day) for day in window)
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _count(value) -> str:
    """A count, or "no data" (never 0) when nothing of it was reported."""
    return t("overview.no_data") if _missing(value) else number(int(value))


def _delta(change: float, pct: float) -> str | int | None:
    if _missing(change):  # nothing comparable in the two periods: no delta at all
        return None
    change = int(change)
    if change == 0:
        return 0
    if _missing(pct):
        return t("overview.delta_from_zero", change=number(change, sign=True))
    return f"{number(pct, 1, sign=True)} % ({number(change, sign=True)})"


def _spark(sparks: pd.DataFrame, key: str) -> list:
    """The sparkline's bars; a month not reported stays NaN (no bar), never a zero."""
    return [float(v) for v in sparks.loc[sparks["crime_type"] == key, "count"]]


def _kpis(summary: dict[str, pd.DataFrame], spans: dict, crime_types) -> None:
    same = spans["previous"] == spans["year_earlier"]
    months = _months(spans["current"])
    rows = [(t("overview.kpi.total"), summary["total"].iloc[0], "")]
    rows += [
        (crime_label(row["crime_type"]), row, row["crime_type"])
        for _, row in summary["movers"].iterrows()
    ]
    sparks = summary["sparklines"]
    columns = st.columns(len(rows))
    figures = pd.DataFrame([row for _, row, _ in rows])
    vs_previous = change_readings(
        figures["current_previous"], figures["previous"], min_total=LOW_COUNT_THRESHOLD
    )
    vs_year = change_readings(
        figures["current_year"], figures["year_earlier"], min_total=LOW_COUNT_THRESHOLD
    )
    reading_help = t(
        "overview.kpi.reading_help", min_total=LOW_COUNT_THRESHOLD, moderate=number(MODERATE_PCT)
    )
    tiles = zip(columns, rows, vs_previous, vs_year, strict=True)
    for column, (label, row, key), previous_reading, year_reading in tiles:
        spark = _spark(sparks, key)
        with column.container(border=True):
            st.metric(
                label,
                _count(row["current"]),
                delta=_delta(row["change_previous"], row["pct_previous"]),
                delta_color="inverse",
                delta_description=t("overview.kpi.vs_previous", months=plural("months", months)),
                chart_data=spark,
                chart_type="bar",
                help=t("overview.kpi.help"),
            )
            _reading(previous_reading, reading_help)
            if not same:
                st.metric(
                    t("overview.kpi.year_earlier"),
                    _count(row["year_earlier"]),
                    delta=_delta(row["change_year"], row["pct_year"]),
                    delta_color="inverse",
                    delta_description=t("overview.kpi.since_then"),
                )
                _reading(year_reading, reading_help)
    current, previous = _span(spans["current"]), _span(spans["previous"])
    if same:
        caption = t(
            "overview.kpi.caption_same",
            span=current,
            months=plural("months", months),
            previous=previous,
        )
    else:
        caption = t(
            "overview.kpi.caption_year",
            span=current,
            months=plural("months", months),
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
    levels.show_left_out(summary["left_out"], crime_types)


def _reading(code: str, help_text: str) -> None:
    """Under a key figure's delta: whether the change is more than chance, in words."""
    if code == NOT_COMPARABLE:  # no delta is shown: nothing to say of it
        return
    st.caption(reading_label(code), help=help_text)


def _summary(summary: dict[str, pd.DataFrame], spans: dict, places: dict[str, str]) -> None:
    """The page's first answer: the clearest rises and falls by region and crime type."""
    st.subheader(t("overview.summary.header"))
    current, previous = _span(spans["current"]), _span(spans["previous"])
    found = headlines(summary["changes"], rises=RISES, falls=FALLS)
    if found:
        st.markdown(t("overview.summary.intro", current=current, previous=previous))
        st.markdown("\n".join(f"- {say(message, places)}" for message in found))
    else:
        st.markdown(t("overview.summary.none", current=current, previous=previous))
    st.caption(
        t(
            "overview.summary.explain",
            min_total=LOW_COUNT_THRESHOLD,
            moderate=number(MODERATE_PCT),
            one_in=round(1 / CHANGE_ALPHA),
        )
    )


def _trend(summary: dict[str, pd.DataFrame], spans: dict) -> None:
    st.subheader(t("overview.trends.header"))
    trend = summary["trend"]
    # One colour per crime type whatever the selection and the language.
    colours = {
        crime_label(key): charts.PALETTE[i % len(charts.PALETTE)]
        for i, key in enumerate(CRIME_TYPE_KEYS)
    }
    fig = charts.trend_lines(
        trend.assign(crime=trend["crime_type"].map(crime_label)),
        spans["current"],
        colours=colours,
        title=t("chart.trend_title"),
        y_title=t("chart.per_month"),
        partly_label=t("chart.partly_reported"),
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
    reading = change_table_readings(changes)
    language = current_language()
    table = changes.assign(
        region=changes["region_code"].map(names).fillna(changes["region"]),
        country=changes["region_code"].str[:2].map(country_names()).fillna(changes["country"]),
        crime=changes["crime_type"].map(crime_label),
        reading=reading.map(functools.partial(reading_label, language=language)),
        p_value=changes["p_value"].map(functools.partial(p_value_text, language=language)),
    )
    clear = reading.isin([CLEAR_RISE, CLEAR_FALL])
    show_all = st.toggle(t("overview.changes.show_all"), key=KEY_ALL_CHANGES)
    if not show_all:
        table = table[clear]
    columns = ["region", "country", "crime", "level", "reading", "current", "previous"]
    columns += ["change", "pct_change", "p_value"]
    table = table[columns]
    table = table.assign(level=table["level"].astype(str).map(lambda level: [level]))
    shown_levels = [*LEVELS, NO_LEVEL]
    alpha = number(CHANGE_ALPHA, 2)
    if table.empty:
        st.info(t("overview.changes.none_clear"))
    else:
        st.dataframe(
            tables.in_language(
                table,
                {
                    "current": tables.COUNT,
                    "previous": tables.COUNT,
                    "change": tables.Digits(sign=True),
                    "pct_change": tables.Digits(1, sign=True, suffix=" %"),
                },
            ),
            hide_index=True,
            # A few clear changes take a few lines, not an empty frame of 420 pixels.
            height=min(TABLE_HEIGHT, ROW_HEIGHT * (len(table) + 1) + 3),
            column_config={
                "region": st.column_config.TextColumn(
                    t("overview.col.region"), pinned=True, width="medium"
                ),
                "country": st.column_config.TextColumn(t("overview.col.country")),
                "crime": st.column_config.TextColumn(t("overview.col.crime")),
                "level": st.column_config.MultiselectColumn(
                    t("overview.col.level"),
                    options=shown_levels,
                    color=[
                        charts.LEVEL_COLOURS.get(level, NO_DATA_COLOUR) for level in shown_levels
                    ],
                    format_func=functools.partial(
                        _level_text, no_data=t("overview.no_data"), language=language
                    ),
                    help=t("overview.col.level_help"),
                ),
                "current": st.column_config.NumberColumn(_span(spans["current"])),
                "previous": st.column_config.NumberColumn(_span(spans["previous"])),
                "change": st.column_config.NumberColumn(t("overview.col.change")),
                "pct_change": st.column_config.NumberColumn(
                    t("overview.col.pct_change"), help=t("overview.col.pct_change_help")
                ),
                "reading": st.column_config.TextColumn(
                    t("overview.col.reading"), help=t("overview.col.reading_help")
                ),
                "p_value": st.column_config.TextColumn(
                    t("overview.col.p"), help=t("overview.col.p_help", alpha=alpha)
                ),
            },
        )
    if not show_all:
        st.caption(
            t(
                "overview.changes.filtered",
                shown=number(int(clear.sum())),
                total=number(len(changes)),
            )
        )
    st.caption(
        t(
            "overview.changes.caption",
            current=_span(spans["current"]),
            previous=_span(spans["previous"]),
        )
    )
    st.caption(t("overview.changes.reading_caption", min_total=LOW_COUNT_THRESHOLD))
    exports.table_downloads(changes.drop(columns=["level"], errors="ignore"), "changes")


def _level_text(level: str, no_data: str, language: str | None = None) -> str:
    return no_data if level == NO_LEVEL else level_label(level, language)


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
            partly_label=t("chart.partly_reported"),
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
            partly_label=t("chart.partly_reported"),
        )
        note = t("overview.countries.count_note")
    st.plotly_chart(localise_figure(fig), width="stretch", config=PLOTLY_CONFIG)
    st.caption(note + " " + t("overview.countries.band") + " " + t("overview.countries.gaps"))
    silent = summary["no_data"]["country"]
    if len(silent):
        names = ", ".join(country_name(code) for code in silent)
        st.caption(t("overview.countries.no_data", countries=names))


def _early_warning(places: dict[str, str]) -> None:
    st.subheader(t("overview.warning.header"))
    alerts = data.alerts()
    if alerts.empty:
        st.caption(t("overview.warning.none"))
        return
    for row in alerts.head(5).itertuples(index=False):
        st.markdown(f"- {say(row.message, places)} [{t('alerts.map_link')}]({row.link})")
    st.caption(t("overview.warning.caption", count=number(len(alerts))))
    st.caption(t("overview.warning.explain"))


def _methods() -> None:
    """The methods by name, for those who want them; the page above says it in words."""
    with st.expander(t("overview.methods.header"), icon=":material/functions:"):
        st.markdown(
            t(
                "overview.methods.body",
                alpha=number(CHANGE_ALPHA, 2),
                one_in=round(1 / CHANGE_ALPHA),
                min_total=LOW_COUNT_THRESHOLD,
            )
        )


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
    # Here, not at the top: plotly.express costs the first page of a fresh server
    # a tenth of a second, and only a viewer's page draws this figure.
    import plotly.express as px

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
    if int(total[["current", "previous", "year_earlier"]].fillna(0).sum()) == 0:
        st.info(
            t("overview.no_incidents", span=_span(spans["current"])),
            icon=":material/search_off:",
        )
        return
    if auth.current().suppressed:
        st.caption(t("overview.suppressed_note", section=t("overview.sensitive.header")))
    crime_types = filters.crime_types or data.visible_crime_types()
    places = place_names()
    _summary(summary, spans, places)
    _early_warning(places)
    # What a monthly view cannot show is said before the figures it is missing from.
    levels.show_coarser(filters, "M")
    _kpis(summary, spans, crime_types)
    _trend(summary, spans)
    _changes(summary, spans)
    _countries(summary, spans)
    if auth.current().suppressed:
        _sensitive(spans)
    _methods()


main()
