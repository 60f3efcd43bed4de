"""Cell frames for the coverage tests, built as the store builds them."""

import pandas as pd

from threatmon.coverage import declared
from threatmon.coverage.cells import cells_from_rows

#: The store's row cells (one per batch × country × crime type × level × period).
ROW_COLUMNS = [
    "country",
    "crime_type",
    "level",
    "granularity",
    "start",
    "first_day",
    "last_day",
    "batch_id",
    "rows",
]
#: What batches declare they cover beyond their rows, as the store reads them back.
DECLARED_COLUMNS = ["batch_id", *declared.DECLARED_COLUMNS]


def cells(*specs) -> pd.DataFrame:
    """Cells of (country, crime type, level, granularity, period start) of batch 1."""
    rows = pd.DataFrame([(*spec, spec[-1], spec[-1], 1, 1) for spec in specs], columns=ROW_COLUMNS)
    declared = pd.DataFrame(columns=DECLARED_COLUMNS)
    return cells_from_rows(rows, declared, pd.DataFrame({"batch_id": [1], "file_name": ["f.csv"]}))
