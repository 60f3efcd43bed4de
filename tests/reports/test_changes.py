"""The briefing's ranked change table."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from reports.changes import CHANGE_COLUMNS, change_table
from trends.changes import change_levels
from trends.overview import label_changes

REGIONS = pd.DataFrame(
    {
        "region_code": ["MD-CU", "MD-BA", "UA-51", "UA-46", "RO-IS"],
        "country": ["MD", "MD", "UA", "UA", "RO"],
        "name_en": ["Chișinău", "Bălți", "Odesa", "Lviv", "Iași"],
    }
)
CURRENT = (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
PREVIOUS = (dt.date(2024, 11, 1), dt.date(2025, 10, 31))


def _changes() -> pd.DataFrame:
    """Levels as the Overview computes them; Iași was not reported before (NaN)."""
    rows = [
        ("MD-CU", "migrant_smuggling", 300, 200),  # +100, large increase
        ("MD-BA", "migrant_smuggling", 6, 2),  # +4, too few to tell
        ("UA-51", "drug_trafficking", 1000, 1100),  # -100, -9 %: limited, p ~ 0.03
        ("UA-46", "vehicle_crime", 80, 100),  # -20, not significant
        ("UA-51", "cybercrime", 40, 0),  # new
        ("RO-IS", "migrant_smuggling", 500, np.nan),  # no data before: never listed
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "crime_type", "now", "before"])
    levels = change_levels(
        frame[["region_code", "crime_type", "now"]].rename(columns={"now": "count"}),
        frame[["region_code", "crime_type", "before"]].rename(columns={"before": "count"}),
        ["region_code", "crime_type"],
    )
    labels = {
        "migrant_smuggling": "Migrant smuggling",
        "drug_trafficking": "Drug trafficking",
        "vehicle_crime": "Vehicle crime",
        "cybercrime": "Cybercrime",
    }
    return label_changes(levels, REGIONS, labels)


def test_rises_then_falls_largest_first_with_chance_in_words():
    table, note = change_table(_changes(), CURRENT, PREVIOUS, top=5)
    assert tuple(table.columns) == CHANGE_COLUMNS
    assert table.values.tolist() == [
        ["rise", "Chișinău (MD)", "Migrant smuggling", "200", "300", "+100 (+50 %)",
         "large increase", "yes (p < 0.001)"],
        ["rise", "Odesa (UA)", "Cybercrime", "0", "40", "+40 (new)", "large increase",
         "yes (p < 0.001)"],
        ["rise", "Bălți (MD)", "Migrant smuggling", "2", "6", "+4 (+200 %)", "limited",
         "too few incidents to tell"],
        ["fall", "Odesa (UA)", "Drug trafficking", "1,100", "1,000", "-100 (-9 %)", "limited",
         "yes (p = 0.031)"],
        ["fall", "Lviv (UA)", "Vehicle crime", "100", "80", "-20 (-20 %)", "limited",
         "no, could be chance (p = 0.157)"],
    ]  # fmt: skip
    assert "Iași" not in " ".join(table["region"])
    assert note.startswith(
        "Largest changes: the 5 largest rises and the 5 largest falls in incidents by region "
        "and crime type, Nov 2025 – Oct 2026 (now) against Nov 2024 – Oct 2025 (before)."
    )
    assert "not counted as 0" in note


def test_top_limits_each_direction():
    table, _ = change_table(_changes(), CURRENT, PREVIOUS, top=1)
    assert table[""].tolist() == ["rise", "fall"]
    assert table["change"].tolist() == ["+100 (+50 %)", "-100 (-9 %)"]


def test_nothing_to_compare_gives_an_empty_table():
    changes = _changes()
    table, _ = change_table(changes[changes["region_code"] == "RO-IS"], CURRENT, PREVIOUS)
    assert table.empty and tuple(table.columns) == CHANGE_COLUMNS
