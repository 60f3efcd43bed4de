"""What the store's figures rest on: which country × crime type × level × period was
reported at all.

No data is not zero. A country that sent nothing for a crime type and month is unknown
there, and every view, statistic, export and briefing must say so rather than count it
as 0. Coverage is read from the loaded rows (a reported 0 is coverage; for daily incident
rows a month with at least one row is covered, since a day without a row may simply have
had no incident) and from what a batch declares beyond its rows ("Moldova, every crime
type, 2025-01 to 2025-06, zeros omitted": then a missing row is a zero).

- :mod:`threatmon.coverage.declared`: what a batch declares, checked.
- :mod:`threatmon.coverage.cells`: the covered cells of a store (SQL and frame).
- :mod:`threatmon.coverage.grid`: coverage of a view's periods, and view frames with
  gaps (missing, not zero) where coverage has gaps.
- :mod:`threatmon.coverage.records`: one record per country × crime type × level ×
  granularity with first, last, gaps and sources (``threatmon coverage``).
"""

from threatmon.coverage.cells import CELL_COLUMNS, cells_from_rows
from threatmon.coverage.declared import DeclaredCoverage, declared_frame
from threatmon.coverage.grid import (
    NO_DATA,
    NOT_REPORTED,
    PARTLY,
    REPORTED,
    STATES,
    coverage_grid,
    covered_keys,
    is_covered,
    with_coverage,
)
from threatmon.coverage.records import coverage_records

__all__ = [
    "CELL_COLUMNS",
    "NO_DATA",
    "NOT_REPORTED",
    "PARTLY",
    "REPORTED",
    "STATES",
    "DeclaredCoverage",
    "cells_from_rows",
    "coverage_grid",
    "coverage_records",
    "covered_keys",
    "declared_frame",
    "is_covered",
    "with_coverage",
]
