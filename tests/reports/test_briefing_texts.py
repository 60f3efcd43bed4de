"""The briefing's fixed texts and tables in a language."""

from __future__ import annotations

import pandas as pd

from reports.briefing import DEFAULT_LABELS, BriefingContent
from reports.briefing_texts import (
    ALERT_COLUMNS,
    REFERENCE_SOURCES,
    alerts_table,
    briefing_labels,
    reference_sources,
    sensitive_shown,
)
from reports.words import ENGLISH, Words
from threatmon.registry.regions import load_regions


def test_english_labels_are_the_renderers_defaults():
    assert briefing_labels() == dict(DEFAULT_LABELS)
    assert tuple(reference_sources(ENGLISH)) == REFERENCE_SOURCES


def test_translated_labels_keep_the_renderers_placeholders():
    labels = briefing_labels(Words("uk"))
    assert labels["page"] == "Сторінка {page} з {pages}"
    assert labels["truncated"] == "Рядків: перші {shown} з {total}."
    # BriefingContent checks each templated label's fields.
    BriefingContent(title="", marking="", period="", generated_at=pd.Timestamp(0), labels=labels)


def _alert(**extra) -> pd.DataFrame:
    row = {
        "rank": 1,
        "kind": "above_interval",
        "region_code": "RO-B",
        "country": "RO",
        "crime_type": "cybercrime",
        "period": pd.Timestamp("2026-05-01"),
        "count": 12345,
        "expected": 8000.25,
        "sentence": "Bucharest (Romania), Cybercrime: above its forecast.",
    }
    return pd.DataFrame([{**row, **extra}])


def test_an_alert_row_in_english_is_as_before():
    table = alerts_table(_alert(), load_regions(), {"cybercrime": "Cybercrime"})
    assert list(table.columns) == list(ALERT_COLUMNS)
    assert list(table.iloc[0]) == [
        "1",
        "above forecast",
        "Bucharest (RO)",
        "Cybercrime",
        "May 2026",
        "12,345",
        "8,000.2",
        "Bucharest (Romania), Cybercrime: above its forecast.",
    ]


def test_an_alert_row_in_romanian():
    words = Words("ro")
    table = alerts_table(
        _alert(), words.named(load_regions()), {"cybercrime": "Criminalitate"}, words
    )
    assert list(table.columns[:3]) == ["loc", "tip", "regiune"]
    assert list(table.iloc[0, :7]) == [
        "1",
        "peste prognoză",
        "București (RO)",
        "Criminalitate",
        "mai 2026",
        "12.345",
        "8.000,2",
    ]


def test_the_sensitive_table_is_shown_in_the_language():
    table = pd.DataFrame(
        {
            "quarter": ["2026Q3", "2026Q3"],
            "country": ["Moldova", "Total"],
            "Human trafficking": ["<5", "no data"],
            "Total": ["c", "7"],
        }
    )
    shown = sensitive_shown(table, Words("ro"))
    assert list(shown.columns) == ["trimestru", "țară", "Trafic de persoane", "Total"]
    assert shown.to_numpy().tolist() == [
        ["2026Q3", "Republica Moldova", "<5", "c"],
        ["2026Q3", "Total", "fără date", "7"],
    ]
    assert table["country"].tolist() == ["Moldova", "Total"]  # not modified
