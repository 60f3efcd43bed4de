"""The derived columns of incident rows that reach the store as Arrow data.

A file's rows come from the ingest pipeline as an Arrow stream. Where they carry no
``period_end``, ``granularity`` or ``level`` (a column absent, or a value left empty),
the contract's rule fills them in here, as :func:`threatmon.contract.validate_incidents`
does for a DataFrame: no period end is a day (or the period of the granularity given),
the granularity is the calendar period from ``date`` to ``period_end``, and a row without
a region is a national figure. Nothing else is checked here: the table's constraints still
refuse what breaks the contract.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from threatmon.contract import INCIDENT_COLUMNS, granularity_codes, period_ends
from threatmon.granularity import GRANULARITIES

_TYPES = {"period_end": pa.date32(), "granularity": pa.string(), "level": pa.string()}


def complete_incidents(rows) -> pa.RecordBatchReader:
    """``rows`` (an Arrow table or record batch reader) in contract columns and order, with
    the derived columns filled in where they are missing."""
    reader = rows.to_reader() if isinstance(rows, pa.Table) else rows
    fields = []
    for name in INCIDENT_COLUMNS:
        if name in _TYPES:
            fields.append(pa.field(name, _TYPES[name]))
        else:
            fields.append(reader.schema.field(name))
    schema = pa.schema(fields)
    return pa.RecordBatchReader.from_batches(schema, (_complete(batch, schema) for batch in reader))


def _column(batch: pa.RecordBatch, name: str, kind: pa.DataType) -> pa.Array:
    if name not in batch.schema.names:
        return pa.nulls(batch.num_rows, kind)
    values = batch.column(name)
    return values if values.type == kind else pc.cast(values, kind)


def _days(values: pa.Array) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False).astype("datetime64[D]")


def _complete(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    date = _column(batch, "date", pa.date32())
    end = _column(batch, "period_end", pa.date32())
    granularity = _column(batch, "granularity", pa.string())
    level = _column(batch, "level", pa.string())
    if granularity.null_count:
        spans = pc.and_(pc.is_valid(end), pc.is_null(granularity))
        if pc.any(spans).as_py():
            codes = granularity_codes(_days(date), _days(end))
            labels = np.asarray(GRANULARITIES, dtype=object)[np.maximum(codes, 0)]
            derived = pa.array(np.where(codes >= 0, labels, None), pa.string())
            granularity = pc.coalesce(granularity, derived)
        days = pc.and_(pc.is_null(granularity), pc.is_null(end))
        granularity = pc.if_else(days, pa.scalar("day"), granularity)
    if end.null_count:
        longer = pc.and_(pc.is_null(end), pc.not_equal(granularity, "day"))
        if pc.any(longer).as_py():
            positions = pc.index_in(granularity, value_set=pa.array(GRANULARITIES))
            codes = pc.fill_null(positions, -1).to_numpy().astype("int8")
            computed = pa.array(period_ends(_days(date), codes), pa.date32())
            end = pc.coalesce(end, computed)
        end = pc.coalesce(end, date)
    if level.null_count:
        regional = pc.is_valid(_column(batch, "region_code", pa.string()))
        level = pc.coalesce(level, pc.if_else(regional, "admin1", "national"))
    columns = {"period_end": end, "granularity": granularity, "level": level}
    arrays = [columns[name] if name in columns else batch.column(name) for name in schema.names]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
