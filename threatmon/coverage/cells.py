"""The covered cells of a store: country × crime type × level × period, with the batch
that covers each.

A cell is one period of the granularity the figures came in: a week, month, quarter or
year as loaded; for daily incident rows a month with at least one row (a day without a
row may have had no incident, so days are not a unit coverage can be told in). A batch
can declare more (:mod:`threatmon.coverage.declared`): its declared periods are cells
too, covered by it even where it holds no row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from threatmon.granularity import GRANULARITIES

#: The columns of a cell frame, in order.
CELL_COLUMNS: tuple[str, ...] = (
    "country",
    "crime_type",
    "level",
    "granularity",
    "start",  # the period's first day (a month's for daily rows)
    "end",  # the period's last day
    "first_day",  # the first and last day the batch's rows span in the cell
    "last_day",
    "batch_id",
    "source",  # the batch's file name
    "rows",  # stored rows (0 for a declared cell without rows)
    "declared",
)

#: The cells the rows cover, one per batch (DuckDB and PostgreSQL read it alike).
ROW_CELLS_SQL = (
    "SELECT country, crime_type, level, granularity, "
    "CASE WHEN granularity = 'day' THEN date_trunc('month', date)::DATE ELSE date END "
    "AS start, min(date) AS first_day, max(period_end) AS last_day, batch_id, "
    "count(*) AS rows FROM incidents GROUP BY country, crime_type, level, granularity, "
    "CASE WHEN granularity = 'day' THEN date_trunc('month', date)::DATE ELSE date END, batch_id"
)
#: What active batches declared beyond their rows.
DECLARED_SQL = (
    "SELECT d.batch_id, d.country, d.crime_type, d.level, d.granularity, d.date, "
    "d.period_end FROM coverage_declared d JOIN batches b ON b.batch_id = d.batch_id "
    "WHERE b.status = 'active'"
)
#: The file name of each batch, the cells' source.
SOURCES_SQL = "SELECT batch_id, file_name FROM batches"

_UNIT = {"day": "MS", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}


def _ends(starts: pd.Series, granularity: pd.Series) -> pd.Series:
    """The last day of each cell: a month's for days and months, the period's otherwise."""
    offsets = {
        "day": pd.offsets.MonthEnd(0),
        "week": pd.Timedelta(days=6),
        "month": pd.offsets.MonthEnd(0),
        "quarter": pd.offsets.QuarterEnd(0),
        "year": pd.offsets.YearEnd(0),
    }
    out = pd.Series(pd.NaT, index=starts.index, dtype="datetime64[ns]")
    for name, offset in offsets.items():
        mask = granularity == name
        if mask.any():
            out[mask] = starts[mask] + offset
    return out


def _declared_cells(declared: pd.DataFrame) -> pd.DataFrame:
    """One cell per period of each declaration's span."""
    columns = ["country", "crime_type", "level", "granularity", "start", "batch_id"]
    if declared.empty:
        return pd.DataFrame(columns=columns)
    # One frame built at once: a frame per declaration cost 1 ms each, and a store's
    # declarations share a few spans (a demo store: 115 declarations, 3 spans).
    spans: dict[tuple, pd.DatetimeIndex] = {}
    keys = list(
        zip(
            pd.to_datetime(declared["date"]),
            pd.to_datetime(declared["period_end"]),
            declared["granularity"],
            strict=True,
        )
    )
    for key in dict.fromkeys(keys):
        spans[key] = pd.date_range(key[0], key[1], freq=_UNIT[key[2]])
    lengths = np.array([len(spans[key]) for key in keys], dtype="int64")
    take = np.repeat(np.arange(len(declared)), lengths)
    cells = declared.iloc[take][["country", "crime_type", "level", "granularity"]]
    cells = cells.reset_index(drop=True)
    cells["start"] = np.concatenate([spans[key].to_numpy() for key in keys])
    cells["batch_id"] = declared["batch_id"].astype("int64").to_numpy()[take]
    return cells[columns]


def cells_from_rows(
    row_cells: pd.DataFrame, declared: pd.DataFrame, sources: pd.DataFrame
) -> pd.DataFrame:
    """The cell frame (:data:`CELL_COLUMNS`) from the results of :data:`ROW_CELLS_SQL`,
    :data:`DECLARED_SQL` and :data:`SOURCES_SQL`; a declared period that rows of the same
    batch cover is one cell, with the rows."""
    rows = row_cells.copy()
    rows["start"] = pd.to_datetime(rows["start"])
    rows["first_day"] = pd.to_datetime(rows["first_day"])
    rows["last_day"] = pd.to_datetime(rows["last_day"])
    rows["rows"] = rows["rows"].astype("int64")
    rows["batch_id"] = rows["batch_id"].astype("int64")
    rows["declared"] = False
    extra = _declared_cells(declared)
    if not extra.empty:
        extra["start"] = pd.to_datetime(extra["start"])
        key = ["country", "crime_type", "level", "granularity", "start", "batch_id"]
        marked = extra.assign(declared=True)
        merged = rows.merge(marked[key + ["declared"]], on=key, how="left", suffixes=("", "_d"))
        rows["declared"] = merged["declared_d"].fillna(False).astype(bool).to_numpy()
        missing = marked.merge(rows[key], on=key, how="left", indicator=True)
        missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
        missing["rows"] = 0
        rows = pd.concat([rows, missing], ignore_index=True)
    rows["end"] = _ends(rows["start"], rows["granularity"])
    # A declared cell without rows spans its whole period.
    rows["first_day"] = rows["first_day"].fillna(rows["start"])
    rows["last_day"] = rows["last_day"].fillna(rows["end"])
    names = dict(zip(sources["batch_id"].astype("int64"), sources["file_name"], strict=True))
    rows["source"] = rows["batch_id"].map(names).fillna("").astype(str)
    order = {name: i for i, name in enumerate(GRANULARITIES)}
    rows = rows.assign(_g=rows["granularity"].map(order)).sort_values(
        ["country", "crime_type", "level", "_g", "start", "batch_id"], kind="stable"
    )
    return rows[list(CELL_COLUMNS)].reset_index(drop=True)
