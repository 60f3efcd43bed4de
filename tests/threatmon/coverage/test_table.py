"""The Coverage page's frames: the heat table over months, silent runs, records table."""

import pandas as pd

from tests.threatmon.coverage.factories import cells
from threatmon.coverage.grid import NOT_REPORTED, PARTLY, REPORTED
from threatmon.coverage.table import heat_matrix, heat_table, records_table, silent_runs

H, C = "human_trafficking", "cybercrime"


# Moldova monthly by region, silent in February (both types); a national monthly
# cybercrime figure in January too. Ukraine: one national quarterly figure.
STORE = cells(
    ("MD", H, "admin1", "month", "2025-01-01"),
    ("MD", H, "admin1", "month", "2025-03-01"),
    ("MD", C, "national", "month", "2025-01-01"),
    ("MD", C, "admin1", "day", "2025-03-01"),
    ("UA", H, "national", "quarter", "2025-01-01"),
)


def test_the_heat_table_over_months():
    heat = heat_table(STORE, "2025-01-01", "2025-03-31", ["MD", "UA", "LV"], [H, C])
    got = [
        (r.country, r.crime_type, f"{r.period:%m}", r.coverage, r.level)
        for r in heat.itertuples(index=False)
    ]
    assert got == [
        ("MD", H, "01", REPORTED, "admin1"),
        ("MD", H, "02", NOT_REPORTED, None),
        ("MD", H, "03", REPORTED, "admin1"),
        ("MD", C, "01", REPORTED, "national"),
        ("MD", C, "02", NOT_REPORTED, None),
        ("MD", C, "03", REPORTED, "admin1"),
        # A quarterly figure: the months are part of a reported total.
        ("UA", H, "01", PARTLY, "national"),
        ("UA", H, "02", PARTLY, "national"),
        ("UA", H, "03", PARTLY, "national"),
        ("UA", C, "01", NOT_REPORTED, None),
        ("UA", C, "02", NOT_REPORTED, None),
        ("UA", C, "03", NOT_REPORTED, None),
        ("LV", H, "01", NOT_REPORTED, None),
        ("LV", H, "02", NOT_REPORTED, None),
        ("LV", H, "03", NOT_REPORTED, None),
        ("LV", C, "01", NOT_REPORTED, None),
        ("LV", C, "02", NOT_REPORTED, None),
        ("LV", C, "03", NOT_REPORTED, None),
    ]


def test_regional_figures_win_over_national_ones_in_the_same_month():
    both = cells(
        ("MD", H, "national", "month", "2025-01-01"), ("MD", H, "admin1", "month", "2025-01-01")
    )
    heat = heat_table(both, "2025-01-01", "2025-01-31", ["MD"], [H])
    assert heat[["coverage", "level"]].values.tolist() == [[REPORTED, "admin1"]]


def test_silent_runs():
    heat = heat_table(STORE, "2025-01-01", "2025-03-31", ["MD", "UA", "LV"], [H, C])
    summary = silent_runs(heat)
    assert summary["countries"] == ["MD", "UA", "LV"]
    assert summary["reporting"] == ["MD", "UA"]
    assert summary["silent"] == ["LV"]
    assert summary["gaps"] == [("MD", pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-01"))]


def test_the_matrix_has_letters_and_states():
    heat = heat_table(STORE, "2025-01-01", "2025-02-28", ["MD", "UA"], [H])
    values, states = heat_matrix(heat, {"admin1": "R", "national": "N"})
    assert values.index.tolist() == [("MD", H), ("UA", H)]
    assert values.values.tolist() == [["R", "–"], ["n", "n"]]
    assert states.values.tolist() == [[REPORTED, NOT_REPORTED], [PARTLY, PARTLY]]


def test_records_table():
    records = [
        {
            "country": "MD",
            "crime_type": H,
            "level": "admin1",
            "granularity": "month",
            "first": "2025-01",
            "last": "2025-06",
            "periods": 3,
            "gaps": [["2025-02", "2025-02"], ["2025-04", "2025-05"]],
            "sources": ["a.csv", "b.csv"],
            "rows": 3,
            "declared": False,
        }
    ]
    assert records_table(records).values.tolist() == [
        ["MD", H, "admin1", "month", "2025-01", "2025-06", "2025-02; 2025-04–2025-05",
         "a.csv, b.csv"]
    ]  # fmt: skip
    assert list(records_table([]).columns)[-2:] == ["gaps", "sources"]
