"""The briefing's fixed texts and its tables of alerts and sensitive crime types, in the
reader's language (:class:`reports.words.Words`; English by default), for
:mod:`reports.content`."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from reports.words import ENGLISH, Words
from threatmon.coverage import NO_DATA
from threatmon.disclosure.sensitive import configured_k
from threatmon.disclosure.suppression import TOTAL
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.regions import PROJECT_COUNTRIES
from threatmon.store.reader import Store

__all__ = ["ALERT_COLUMNS", "REFERENCE_SOURCES", "alerts_table", "briefing_labels"]

#: Columns of :func:`alerts_table`, in order (in English; ``words`` names them).
ALERT_COLUMNS = ("rank", "kind", "region", "crime type", "month", "count", "expected", "sentence")


def _alert_columns(words: Words) -> list[str]:
    return [
        words.t("briefing.col.rank"),
        words.t("briefing.col.kind"),
        words.t("briefing.col.region"),
        words.t("briefing.col.crime_type"),
        words.t("briefing.col.month"),
        words.t("briefing.col.count"),
        words.t("briefing.col.expected"),
        words.t("briefing.col.sentence"),
    ]


def _alert_kinds(words: Words) -> dict[str, str]:
    return {
        "surge": words.t("briefing.alerts.surge"),
        "above_interval": words.t("briefing.alerts.above"),
        "below_interval": words.t("briefing.alerts.below"),
    }


def reference_sources(words: Words) -> list[str]:
    """Where the reference data come from, one line each (geo/data/README.md and
    threatmon/registry/data/README.md say more)."""
    return [
        words.t("briefing.sources.boundaries"),
        words.t("briefing.sources.crossings"),
        words.t("briefing.sources.populations"),
    ]


def briefing_labels(words: Words = ENGLISH) -> dict[str, str]:
    """The renderer's headings and fixed phrases (:data:`reports.briefing.DEFAULT_LABELS`)."""
    return {
        "key_figures": words.t("briefing.label.key_figures"),
        "trends": words.t("briefing.label.trends"),
        "changes": words.t("briefing.label.changes"),
        "hotspot_map": words.t("briefing.label.hotspot_map"),
        "top_alerts": words.t("briefing.label.top_alerts"),
        "forecasts": words.t("briefing.label.forecasts"),
        "data_sources": words.t("briefing.label.data_sources"),
        "notes": words.t("briefing.label.notes"),
        "none": words.t("briefing.label.none"),
        # The renderer fills these; a placeholder given as itself stays for it.
        "truncated": words.t("briefing.label.truncated", shown="{shown}", total="{total}"),
        "page": words.t("briefing.label.page", i="{page}", n="{pages}"),
        "generated": words.t("briefing.label.generated", when="{when}"),
    }


def alerts_table(
    alerts: pd.DataFrame,
    registry: pd.DataFrame,
    crime_labels: Mapping[str, str],
    words: Words = ENGLISH,
) -> pd.DataFrame:
    """Early-warning rows as the briefing prints them: names, months and numbers as text.

    Parameters
    ----------
    alerts : DataFrame
        Rows of :func:`forecasting.warning.alerts.early_warning`; not modified.
    registry : DataFrame
        The region registry (``region_code``, ``name_en``).
    crime_labels : mapping
        Crime-type key to label.
    words : Words
        The language (default English): the column names, kinds, months, numbers, and the
        sentence written from the row's ``message`` when it has one.

    Returns
    -------
    DataFrame
        :data:`ALERT_COLUMNS` (named in ``words``' language), all text, in the order given.
    """
    names = dict(zip(registry["region_code"], registry["name_en"], strict=True))
    kinds = _alert_kinds(words)
    has_message = "message" in alerts.columns
    places = words.places() if has_message else {}
    rows = [
        [
            words.number(int(row.rank)),
            kinds.get(row.kind, str(row.kind)),
            f"{names.get(row.region_code, row.region_code)} ({row.country})",
            crime_labels.get(row.crime_type, row.crime_type),
            words.month(row.period),
            words.number(int(row.count)),
            "" if pd.isna(row.expected) else words.number(float(row.expected), 1),
            words.say(row.message, places) if has_message else str(row.sentence),
        ]
        for row in alerts.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=_alert_columns(words))


def withheld_note(store: Store, with_table: bool, table_heading: str, words: Words) -> str:
    withheld = [words.crime(ct.key) for ct in CRIME_TYPES if ct.key in store.withheld]
    labels = withheld[:1] + [label.lower() for label in withheld[1:]]
    names = words.join(labels)
    if not with_table:
        return words.t("briefing.withheld", names=names)
    k = configured_k()
    return words.t(
        "briefing.withheld_table",
        names=names,
        tbl=table_heading,
        below=k - 1,
        k=k,
        nd=words.t("briefing.no_data"),
    )


def sensitive_shown(table: pd.DataFrame, words: Words) -> pd.DataFrame:
    """The suppressed table as the briefing prints it: headers, countries, "no data" and
    the total in the language (the CSV keeps the table as built)."""
    names = {name: words.country(code) for code, name in PROJECT_COUNTRIES.items()}
    names[TOTAL] = words.t("briefing.sensitive.total")
    headers = {
        "quarter": words.t("briefing.sensitive.quarter"),
        "country": words.t("briefing.col.country"),
        TOTAL: words.t("briefing.sensitive.total"),
        **{ct.label: words.crime(ct.key) for ct in CRIME_TYPES},
    }
    cells = [c for c in table.columns if c not in ("quarter", "country")]
    no_data = words.t("briefing.no_data")
    shown = table.assign(
        country=table["country"].map(lambda name: names.get(name, name)),
        **{column: table[column].astype(str).replace(NO_DATA, no_data) for column in cells},
    )
    return shown.rename(columns=headers)


# -- the briefing --------------------------------------------------------------------------------


def demo_note(store: Store, words: Words) -> str | None:
    """The DEMO line of a demo store (as exports write it), else None."""
    meta = store.meta()
    if meta.get("demo") != "true":
        return None
    return words.t("briefing.demo_note", seed=meta.get("demo_seed"))


REFERENCE_SOURCES = tuple(reference_sources(ENGLISH))
