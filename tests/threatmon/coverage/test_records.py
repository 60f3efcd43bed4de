"""One record per country × crime type × level × granularity: first, last, gaps, sources."""

import pandas as pd

from tests.threatmon.coverage.factories import DECLARED_COLUMNS as DECLARED
from tests.threatmon.coverage.factories import ROW_COLUMNS as ROWS
from threatmon.coverage.cells import cells_from_rows
from threatmon.coverage.records import RECORD_COLUMNS, coverage_records

SOURCES = pd.DataFrame({"batch_id": [1, 2], "file_name": ["md-2024.csv", "md-2025.csv"]})


def test_records_with_first_last_gaps_and_sources():
    rows = pd.DataFrame(
        [
            # Monthly regional figures, silent March–April, from two files.
            ("MD", "cbrne", "admin1", "month", "2025-01-01", "2025-01-01", "2025-01-31", 1, 3),
            ("MD", "cbrne", "admin1", "month", "2025-02-01", "2025-02-01", "2025-02-28", 1, 3),
            ("MD", "cbrne", "admin1", "month", "2025-05-01", "2025-05-01", "2025-05-31", 2, 3),
            ("MD", "cbrne", "admin1", "month", "2025-07-01", "2025-07-01", "2025-07-31", 2, 3),
            # Daily rows, first and last as days.
            ("MD", "cybercrime", "admin1", "day", "2025-01-01", "2025-01-05", "2025-01-30", 1, 9),
            ("MD", "cybercrime", "admin1", "day", "2025-03-01", "2025-03-02", "2025-03-17", 1, 2),
            # National yearly figures.
            (
                "MD",
                "cybercrime",
                "national",
                "year",
                "2022-01-01",
                "2022-01-01",
                "2022-12-31",
                1,
                1,
            ),
            (
                "MD",
                "cybercrime",
                "national",
                "year",
                "2023-01-01",
                "2023-01-01",
                "2023-12-31",
                1,
                1,
            ),
        ],
        columns=ROWS,
    )
    declared = pd.DataFrame(
        [(2, "UA", "cbrne", "national", "quarter", "2025-04-01", "2025-09-30")], columns=DECLARED
    )
    records = coverage_records(cells_from_rows(rows, declared, SOURCES))
    assert [list(r) for r in records] == [list(RECORD_COLUMNS)] * 4
    assert [list(r.values()) for r in records] == [
        ["MD", "cbrne", "admin1", "month", "2025-01", "2025-07", 4,
         [["2025-03", "2025-04"], ["2025-06", "2025-06"]], ["md-2024.csv", "md-2025.csv"], 12,
         False],
        ["MD", "cybercrime", "admin1", "day", "2025-01-05", "2025-03-17", 2,
         [["2025-02", "2025-02"]], ["md-2024.csv"], 11, False],
        ["MD", "cybercrime", "national", "year", "2022", "2023", 2, [], ["md-2024.csv"], 2,
         False],
        ["UA", "cbrne", "national", "quarter", "2025-Q2", "2025-Q3", 2, [], ["md-2025.csv"], 0,
         True],
    ]  # fmt: skip


def test_weekly_records_are_iso_weeks():
    rows = pd.DataFrame(
        [
            ("UA", "cbrne", "national", "week", "2024-12-30", "2024-12-30", "2025-01-05", 1, 1),
            ("UA", "cbrne", "national", "week", "2025-01-13", "2025-01-13", "2025-01-19", 1, 1),
        ],
        columns=ROWS,
    )
    (record,) = coverage_records(cells_from_rows(rows, pd.DataFrame(columns=DECLARED), SOURCES))
    assert (record["first"], record["last"], record["gaps"]) == (
        "2025-W01",
        "2025-W03",
        [["2025-W02", "2025-W02"]],
    )


def test_no_cells_no_records():
    empty = cells_from_rows(pd.DataFrame(columns=ROWS), pd.DataFrame(columns=DECLARED), SOURCES)
    assert coverage_records(empty) == []
