"""The covered cells of a store from its row cells, declarations and batch names."""

import pandas as pd

from tests.threatmon.coverage.factories import DECLARED_COLUMNS, ROW_COLUMNS
from threatmon.coverage.cells import CELL_COLUMNS, cells_from_rows

SOURCES = pd.DataFrame({"batch_id": [1, 2], "file_name": ["md.csv", "ua.csv"]})


def row_cells(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=ROW_COLUMNS)


def declared(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=DECLARED_COLUMNS)


def text(cells: pd.DataFrame) -> list[list[str]]:
    out = cells.copy()
    for name in ("start", "end", "first_day", "last_day"):
        out[name] = out[name].dt.strftime("%Y-%m-%d")
    return out.astype(str).values.tolist()


def test_row_cells_get_their_period_end_and_source():
    cells = cells_from_rows(
        row_cells(
            ("MD", "cybercrime", "admin1", "day", "2025-03-01", "2025-03-04", "2025-03-20", 1, 5),
            ("UA", "cbrne", "national", "quarter", "2025-01-01", "2025-01-01", "2025-03-31", 2, 1),
            ("UA", "cbrne", "national", "week", "2025-01-06", "2025-01-06", "2025-01-12", 2, 1),
        ),
        declared(),
        SOURCES,
    )
    assert list(cells.columns) == list(CELL_COLUMNS)
    assert text(cells) == [
        ["MD", "cybercrime", "admin1", "day", "2025-03-01", "2025-03-31", "2025-03-04",
         "2025-03-20", "1", "md.csv", "5", "False"],
        # Finest first.
        ["UA", "cbrne", "national", "week", "2025-01-06", "2025-01-12", "2025-01-06",
         "2025-01-12", "2", "ua.csv", "1", "False"],
        ["UA", "cbrne", "national", "quarter", "2025-01-01", "2025-03-31", "2025-01-01",
         "2025-03-31", "2", "ua.csv", "1", "False"],
    ]  # fmt: skip


def test_a_declared_span_is_one_cell_per_period_and_merges_with_the_rows():
    cells = cells_from_rows(
        row_cells(
            ("MD", "cybercrime", "admin1", "month", "2025-02-01", "2025-02-01", "2025-02-28", 1, 3),
        ),
        declared(
            (1, "MD", "cybercrime", "admin1", "month", "2025-01-01", "2025-03-31"),
            (1, "MD", "cbrne", "admin1", "month", "2025-01-01", "2025-01-31"),
        ),
        SOURCES,
    )
    assert text(cells) == [
        ["MD", "cbrne", "admin1", "month", "2025-01-01", "2025-01-31", "2025-01-01",
         "2025-01-31", "1", "md.csv", "0", "True"],
        ["MD", "cybercrime", "admin1", "month", "2025-01-01", "2025-01-31", "2025-01-01",
         "2025-01-31", "1", "md.csv", "0", "True"],
        # The declared month with rows is one cell, with the rows.
        ["MD", "cybercrime", "admin1", "month", "2025-02-01", "2025-02-28", "2025-02-01",
         "2025-02-28", "1", "md.csv", "3", "True"],
        ["MD", "cybercrime", "admin1", "month", "2025-03-01", "2025-03-31", "2025-03-01",
         "2025-03-31", "1", "md.csv", "0", "True"],
    ]  # fmt: skip


def test_a_declaration_of_daily_rows_covers_months():
    cells = cells_from_rows(
        row_cells(),
        declared((2, "UA", "cybercrime", "admin1", "day", "2025-01-01", "2025-02-28")),
        SOURCES,
    )
    assert cells["start"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-01", "2025-02-01"]
    assert cells["end"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-31", "2025-02-28"]
    assert cells["rows"].tolist() == [0, 0]


def test_no_rows_and_no_declarations_give_no_cells():
    cells = cells_from_rows(row_cells(), declared(), SOURCES)
    assert cells.empty and list(cells.columns) == list(CELL_COLUMNS)
