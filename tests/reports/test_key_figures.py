"""The briefing's key figures compare only what was reported in both periods."""

import pandas as pd

from reports.key_figures import covered_summary, left_out_sentence
from threatmon.filters import Filters
from threatmon.registry.regions import load_regions
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

LABELS = {"human_trafficking": "Human trafficking", "drug_trafficking": "Drug trafficking"}


def _store(tmp_path) -> Store:
    """National monthly figures for 2025-01..2026-06: Moldova sends both types throughout;
    Estonia sends human trafficking only from 2026-01 (nothing before); Latvia, Lithuania
    and Georgia send nothing."""
    months = pd.date_range("2025-01-01", "2026-06-01", freq="MS")
    rows = [("MD", "human_trafficking", m, 10) for m in months]
    rows += [("MD", "drug_trafficking", m, 20 if m.year == 2025 else 30) for m in months]
    rows += [("EE", "human_trafficking", m, 50) for m in months if m.year == 2026]
    frame = pd.DataFrame(rows, columns=["country", "crime_type", "date", "count"])
    frame["period_end"] = frame["date"] + pd.offsets.MonthEnd(0)
    path = tmp_path / "kpi.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="kpi.csv", sha256="c" * 64)
    return Store(path)


def test_key_figures_leave_out_series_not_reported_in_both_periods(tmp_path):
    store = _store(tmp_path)
    registry = load_regions()
    registry = registry[registry["country"].isin(["MD", "EE", "LV", "LT", "GE"])]
    filters = Filters(start="2026-01-01", end="2026-06-30", crime_types=tuple(LABELS))
    summary, sentence = covered_summary(store, filters, registry, LABELS)
    total = summary["total"].iloc[0]
    # Moldova only: Estonia's 300 of 2026 would be a rise from nothing it never reported.
    assert (int(total["current"]), int(total["previous"])) == (240, 180)
    assert sentence == (
        "Key figures compare only what each country reported for every month of the period "
        "and of both comparison periods; not reported throughout, and so left out rather "
        "than counted as 0: Estonia, Latvia, Lithuania and Georgia (every crime type)."
    )


def test_nothing_left_out_says_nothing():
    assert left_out_sentence(set(), LABELS) == ""
    left_out = {("UA", "drug_trafficking"), ("GE", "drug_trafficking"), ("MD", "human_trafficking")}
    assert left_out_sentence(left_out, LABELS).endswith(
        "counted as 0: Moldova (Human trafficking); Ukraine and Georgia (Drug trafficking)."
    )
