"""Coverage in the store, on each backend: read from the active rows (a reported 0 is
coverage, daily rows by month) and from what batches declare; exact through revisions
and undo; cut to a reader's scope; and the question "is this covered?"."""

import datetime as dt

import pandas as pd
import pytest

from threatmon.coverage import DeclaredCoverage, coverage_records
from threatmon.filters import Filters
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

H, C, D, T = "human_trafficking", "cybercrime", "drug_trafficking", "terrorism"
COLUMNS = ["date", "period_end", "country", "region_code", "crime_type", "count"]


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


def month(country, region, crime_type, first, count):
    end = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    return (first, end, country, region, crime_type, count)


# Moldova sends monthly regional human trafficking figures for January–June 2025 but
# nothing for March and April (February is a reported 0), and daily cybercrime incidents
# in January and March.
MOLDOVA = frame(
    month("MD", "MD-CU", H, "2025-01-01", 4),
    month("MD", "MD-CU", H, "2025-02-01", 0),
    month("MD", "MD-CU", H, "2025-05-01", 2),
    month("MD", "MD-CU", H, "2025-06-01", 1),
    ("2025-01-15", None, "MD", "MD-CU", C, 1),
    ("2025-03-03", None, "MD", "MD-BA", C, 2),
)
# Ukraine sends one national quarterly terrorism figure and declares drug trafficking
# (no rows: zeros omitted) for the first half of 2025.
UKRAINE = frame(("2025-01-01", "2025-03-31", "UA", None, T, 3))
UKRAINE_COVERS = [
    DeclaredCoverage("UA", D, "national", "quarter", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
]


def load(location) -> None:
    with write_session(location, user="ana") as writer:
        writer.add_incidents(MOLDOVA, file_name="md.csv", sha256="a" * 64)
        writer.add_incidents(UKRAINE, file_name="ua.csv", sha256="b" * 64, covers=UKRAINE_COVERS)


@pytest.fixture(scope="module")
def store(module_store_location):
    load(module_store_location)
    return Store(module_store_location)


def summary(records: list[dict]) -> list[tuple]:
    return [
        (r["country"], r["crime_type"], r["level"], r["granularity"], r["first"], r["last"],
         r["gaps"], r["sources"])
        for r in records
    ]  # fmt: skip


def test_coverage_from_rows_and_declarations(store):
    assert summary(coverage_records(store.coverage_cells())) == [
        ("MD", C, "admin1", "day", "2025-01-15", "2025-03-03", [["2025-02", "2025-02"]],
         ["md.csv"]),
        ("MD", H, "admin1", "month", "2025-01", "2025-06", [["2025-03", "2025-04"]], ["md.csv"]),
        ("UA", D, "national", "quarter", "2025-Q1", "2025-Q2", [], ["ua.csv"]),
        ("UA", T, "national", "quarter", "2025-Q1", "2025-Q1", [], ["ua.csv"]),
    ]  # fmt: skip
    declared = store.coverage_cells(Filters(countries=["UA"], crime_types=[D]))
    assert declared["declared"].tolist() == [True, True]
    assert declared["rows"].tolist() == [0, 0]


def test_the_cells_follow_the_filters(store):
    cells = store.coverage_cells(Filters(regions=["MD-CU"], start="2025-05-01", end="2025-12-31"))
    assert sorted(set(cells["crime_type"])) == [H]
    assert cells["start"].dt.strftime("%Y-%m").tolist() == ["2025-05", "2025-06"]


@pytest.mark.parametrize(
    ("country", "crime_type", "level", "start", "granularity", "expected"),
    [
        ("MD", H, "admin1", "2025-02-01", "month", True),  # a reported 0
        ("MD", H, "admin1", "2025-03-01", "month", False),  # silent
        ("MD", H, "national", "2025-01-01", "month", False),
        ("MD", C, "admin1", "2025-01-31", "day", True),  # a day without a row, in a covered month
        ("MD", C, "admin1", "2025-02-10", "day", False),
        ("UA", T, "national", "2025-01-01", "quarter", True),
        ("UA", T, "national", "2025-01-01", "month", False),  # a quarter never covers a month
        ("UA", T, "national", "2025-04-01", "quarter", False),
        ("UA", D, "national", "2025-04-01", "quarter", True),  # declared, no rows
        ("UA", D, None, "2025-07-01", "quarter", False),
        ("LV", H, None, "2025-01-01", "month", False),
    ],
)
def test_is_it_covered(store, country, crime_type, level, start, granularity, expected):
    assert store.covered(country, crime_type, level, start, granularity) is expected


def test_a_scoped_reader_sees_only_its_countries(store):
    ua = store.scoped(["UA"])
    assert sorted(set(ua.coverage_cells()["country"])) == ["UA"]
    assert not ua.covered("MD", H, "admin1", "2025-01-01", "month")
    assert ua.covered("UA", D, "national", "2025-01-01", "quarter")
    assert sorted(set(store.scoped(["MD"]).coverage_cells()["country"])) == ["MD"]


def test_withheld_crime_types_are_left_out_but_declared_coverage_stays(store):
    # Ukraine's only rows are of a withheld type: the batch's declaration still counts.
    viewer = Store(store.location, withheld=[T, H])
    cells = viewer.coverage_cells()
    assert sorted(set(cells["crime_type"])) == [C, D]
    assert set(cells.loc[cells["country"] == "UA", "source"]) == {"ua.csv"}
    assert viewer.covered("UA", D, "national", "2025-01-01", "quarter")
    assert not viewer.covered("MD", H, "admin1", "2025-01-01", "month")


def test_revisions_and_undo_keep_coverage_exact(store_location):
    load(store_location)
    store = Store(store_location)
    before = coverage_records(store.coverage_cells())
    # A revision of January and a first figure for March.
    revision = frame(
        month("MD", "MD-CU", H, "2025-01-01", 5), month("MD", "MD-CU", H, "2025-03-01", 0)
    )
    with write_session(store_location, user="ana") as writer:
        revised = writer.add_incidents(
            revision, file_name="md-rev.csv", sha256="c" * 64, replace=True
        )
    cells = store.coverage_cells(Filters(countries=["MD"], crime_types=[H]))
    assert [(f"{r.start:%Y-%m}", r.source) for r in cells.itertuples()] == [
        ("2025-01", "md-rev.csv"),
        ("2025-02", "md.csv"),
        ("2025-03", "md-rev.csv"),
        ("2025-05", "md.csv"),
        ("2025-06", "md.csv"),
    ]
    assert store.covered("MD", H, "admin1", "2025-03-01", "month")
    with write_session(store_location, user="ana") as writer:
        writer.undo(revised)
    # The older batch's January is back; March is a gap again.
    assert coverage_records(store.coverage_cells()) == before
    assert not store.covered("MD", H, "admin1", "2025-03-01", "month")
    with write_session(store_location, user="ana") as writer:
        writer.undo(2)
    # Undoing Ukraine's batch removes its rows' cells and its declared ones.
    assert set(store.coverage_cells()["country"]) == {"MD"}
    assert not store.covered("UA", D, "national", "2025-01-01", "quarter")
