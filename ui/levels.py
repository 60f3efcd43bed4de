"""Say what a view leaves out: figures coarser than its periods, national figures on a map.

A monthly view never spreads a yearly figure over its months, and a map never spreads a
national figure over regions; these notes name what was left out and list it whole.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from threatmon.filters import Filters
from threatmon.granularity import period_label
from ui import data
from ui.i18n import country_name, crime_label, number, t


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
            st.dataframe(
                coarser_table(found[granularity], granularity), hide_index=True, width="stretch"
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
