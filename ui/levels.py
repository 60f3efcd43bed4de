"""Say what a view leaves out: figures coarser than its periods, national figures on a map,
and what a comparison could not compare because it was not reported.

A monthly view never spreads a yearly figure over its months, and a map never spreads a
national figure over regions; these notes name what was left out and list it whole.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from threatmon.filters import Filters
from threatmon.granularity import period_label
from trends.comparable import left_out_groups, month_runs
from ui import data, tables
from ui.i18n import country_name, crime_label, month_name, number, t


def coarser_sentences(figures: pd.DataFrame, freq: str) -> list[str]:
    """One plain sentence per country and granularity of :func:`trends.levels.coarser_figures`."""
    return [
        t(
            "levels.coarser",
            country=country_name(row["country"]),
            crimes=", ".join(crime_label(key) for key in row["crime_types"]),
            adjective=t(f"granularity.{row['granularity']}"),
            count=number(int(row["count"])),
            view=t(f"view.{freq}"),
        )
        for _, row in figures.iterrows()
    ]


def coarser_table(totals: pd.DataFrame, granularity: str) -> pd.DataFrame:
    """Totals at their own granularity, labelled for the page."""
    return pd.DataFrame(
        {
            t("levels.column.period"): [
                period_label(pd.Timestamp(p).date(), granularity) for p in totals["period"]
            ],
            t("levels.column.country"): [country_name(c) for c in totals["country"]],
            t("levels.column.crime"): [crime_label(k) for k in totals["crime_type"]],
            t("levels.column.count"): totals["count"].astype("int64"),
        }
    )


def show_coarser(filters: Filters, freq: str = "M") -> None:
    """A note, and the figures in full, when the selection holds figures the view at ``freq``
    cannot show (a yearly figure in a monthly view)."""
    found = data.coarser(filters, freq)
    figures = found["figures"]
    if figures.empty:
        return
    st.info("\n\n".join(coarser_sentences(figures, freq)), icon=":material/calendar_month:")
    for granularity in dict.fromkeys(figures["granularity"]):
        adjective = t(f"granularity.{granularity}")
        with st.expander(t("levels.table_title", adjective=adjective)):
            table = coarser_table(found[granularity], granularity)
            st.dataframe(
                tables.in_language(table, {t("levels.column.count"): tables.COUNT}),
                hide_index=True,
                width="stretch",
            )


def not_allocated_sentences(frame: pd.DataFrame) -> list[str]:
    """One plain sentence per country whose total its regions do not add up to."""
    out = []
    for _, row in frame.iterrows():
        values = {
            "country": country_name(row["country"]),
            "total": number(int(row["total"])),
            "regions": number(int(row["regions"])),
        }
        if row["regions"] == 0:
            out.append(t("levels.national_only", **values))
        elif row["not_allocated"] > 0:
            out.append(
                t("levels.not_allocated", missing=number(int(row["not_allocated"])), **values)
            )
        else:
            out.append(
                t("levels.over_allocated", excess=number(-int(row["not_allocated"])), **values)
            )
    return out


def show_not_allocated(filters: Filters) -> None:
    """A note on a map of regions when some of the selection's figures are national."""
    sentences = not_allocated_sentences(data.not_allocated(filters))
    if sentences:
        st.info("\n\n".join(sentences), icon=":material/public:")


# -- what a comparison leaves out ---------------------------------------------------------------

#: Items named in the sentence before "and N more" (the expander lists them all).
LEFT_OUT_NAMED = 6


def month_runs_text(months) -> str:
    """Runs of months in words: "March–August 2025", "November 2024–February 2025",
    "May 2025", joined by commas."""
    parts = []
    for first, last in month_runs(months):
        if first == last:
            parts.append(month_name(first, long=True))
        elif first.year == last.year:
            parts.append(
                t(
                    "date.long_span_year",
                    start=t(f"month.long.{first.month}"),
                    end=t(f"month.long.{last.month}"),
                    year=first.year,
                )
            )
        else:
            parts.append(
                t(
                    "date.long_span",
                    start=month_name(first, long=True),
                    end=month_name(last, long=True),
                )
            )
    return ", ".join(parts)


def _reason(item: dict) -> str:
    if item["never"]:
        return t("overview.left_out.never")
    return t("overview.left_out.gap", months=month_runs_text(item["missing"]))


def left_out_items(frame: pd.DataFrame, crime_types) -> list[str]:
    """One phrase per :func:`trends.comparable.left_out_groups` item: "Latvia (no data
    March–August 2025)", "Estonia's Cybercrime (never reported)"."""
    items = []
    for item in left_out_groups(frame, crime_types):
        country = country_name(item["country"])
        if not item["crime_types"]:
            items.append(t("overview.left_out.country", country=country, reason=_reason(item)))
        else:
            crimes = ", ".join(crime_label(key) for key in item["crime_types"])
            items.append(
                t("overview.left_out.crimes", country=country, crimes=crimes, reason=_reason(item))
            )
    return items


def left_out_sentence(frame: pd.DataFrame, crime_types) -> str:
    """The plain sentence of what the comparison left out ("" when nothing was)."""
    items = left_out_items(frame, crime_types)
    if not items:
        return ""
    named = ", ".join(items[:LEFT_OUT_NAMED])
    if len(items) > LEFT_OUT_NAMED:
        named = t("overview.left_out.more", items=named, count=len(items) - LEFT_OUT_NAMED)
    return t("overview.left_out.sentence", items=named)


def left_out_lines(frame: pd.DataFrame) -> list[str]:
    """The full list, one line per country and crime type."""
    return [
        t(
            "overview.left_out.line",
            country=country_name(row["country"]),
            crime=crime_label(row["crime_type"]),
            reason=_reason(row),
        )
        for row in frame.to_dict("records")
    ]


def show_left_out(frame: pd.DataFrame, crime_types) -> None:
    """The sentence and, in an expander, the full list of what the comparison left out."""
    sentence = left_out_sentence(frame, crime_types)
    if not sentence:
        return
    st.info(sentence, icon=":material/visibility_off:")
    with st.expander(t("overview.left_out.list", count=len(frame))):
        st.markdown("\n".join(f"- {line}" for line in left_out_lines(frame)))
