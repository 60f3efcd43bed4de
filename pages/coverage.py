"""Coverage: what the figures rest on, for everyone who signs in.

A country × crime type heat table over the selected months (reported, partly reported,
not reported; regional or national figures), one plain sentence on top naming the
countries the figures rest on and the months a country sent nothing, and the coverage
records (first, last, gaps, sources) below. The frames come from
``threatmon.coverage.table``; this page reads the sidebar's filters and renders.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from threatmon.coverage import NOT_REPORTED, PARTLY, REPORTED, coverage_records
from threatmon.coverage.table import heat_matrix, heat_table, records_table, silent_runs
from threatmon.filters import Filters
from ui import data
from ui.filters import current_filters
from ui.i18n import country_name, crime_label, month_span, t

#: Cell colours of the heat table (reported, partly, not reported).
COLOURS = {REPORTED: "#2e7d32", PARTLY: "#f9a825", NOT_REPORTED: "#eeeeee"}
TEXT = {REPORTED: "#ffffff", PARTLY: "#000000", NOT_REPORTED: "#757575"}


def _names(items: list[str]) -> str:
    return ", ".join(country_name(code) for code in items)


def _sentence(summary: dict) -> str:
    """ "Figures rest on 7 of 10 countries; Latvia sent nothing for Mar 2025 – Aug 2025." """
    parts = [
        t(
            "coverage.rest_on",
            reporting=len(summary["reporting"]),
            total=len(summary["countries"]),
        )
    ]
    if summary["silent"]:
        parts.append(t("coverage.silent_all", countries=_names(summary["silent"])))
    parts += [
        t("coverage.silent_run", country=country_name(code), span=month_span(first, last))
        for code, first, last in summary["gaps"]
    ]
    return "; ".join(parts) + "."


def _heat(heat: pd.DataFrame) -> None:
    letters = {"admin1": t("coverage.letter.admin1"), "national": t("coverage.letter.national")}
    values, states = heat_matrix(heat, letters)
    values.index = [
        f"{country_name(country)} · {crime_label(crime)}" for country, crime in values.index
    ]
    values.columns = [f"{day:%Y-%m}" for day in values.columns]
    colours = states.map(lambda s: f"background-color: {COLOURS[s]}; color: {TEXT[s]}")
    colours.index, colours.columns = values.index, values.columns
    st.dataframe(
        values.style.apply(lambda _: colours, axis=None),
        height=min(35 * (len(values) + 1) + 3, 700),
    )
    st.caption(
        t(
            "coverage.legend",
            admin1=letters["admin1"],
            national=letters["national"],
            partly_admin1=letters["admin1"].lower(),
            partly_national=letters["national"].lower(),
        )
    )


def _records(filters: Filters, countries: list[str], crime_types: list[str]) -> None:
    st.subheader(t("coverage.records.header"))
    cells = data.coverage_cells()
    cells = cells[cells["country"].isin(countries) & cells["crime_type"].isin(crime_types)]
    table = records_table(coverage_records(cells))
    if table.empty:
        st.info(t("coverage.records.none"))
        return
    table["country"] = table["country"].map(country_name)
    table["crime_type"] = table["crime_type"].map(crime_label)
    levels = {"admin1": t("coverage.level.admin1"), "national": t("coverage.level.national")}
    table["level"] = table["level"].map(levels)
    table["granularity"] = table["granularity"].map(lambda g: t(f"granularity.{g}"))
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "country": t("coverage.records.country"),
            "crime_type": t("coverage.records.crime_type"),
            "level": t("coverage.records.level"),
            "granularity": t("coverage.records.granularity"),
            "first": t("coverage.records.first"),
            "last": t("coverage.records.last"),
            "gaps": t("coverage.records.gaps"),
            "sources": t("coverage.records.sources"),
        },
    )
    st.caption(t("coverage.records.caption"))


def main() -> None:
    """Render the Coverage page for the sidebar's filters."""
    filters = current_filters()
    if filters is None:
        st.stop()
    st.title(t("coverage.title"))
    st.caption(t("coverage.intro"))
    countries = data.countries_of(filters)
    crime_types = [c for c in data.visible_crime_types() if c in filters.crime_types] or list(
        data.visible_crime_types()
    )
    heat = heat_table(data.coverage_cells(), filters.start, filters.end, countries, crime_types)
    st.markdown(_sentence(silent_runs(heat)))
    st.subheader(t("coverage.heat.header", span=month_span(filters.start, filters.end)))
    _heat(heat)
    _records(filters, countries, crime_types)


main()
