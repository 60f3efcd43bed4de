"""Parquet files, decoded by pyarrow and converted by DuckDB as one stream of Arrow
batches; typed columns become the same text an XLSX cell would give.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from data_loaders.readers.header import check_header, clean_name
from data_loaders.readers.messages import first_line
from data_loaders.readers.relation import ARROW_BATCH, RawTable, create_view
from data_loaders.readers.scan import file_sha256
from data_loaders.readers.sql import ident, trim_sql
from threatmon.errors import UnreadableFileError


def read_parquet(con, path, name, head, sheet, limits, table, on_header=None) -> RawTable:
    del head, sheet, limits
    import pyarrow.parquet as pq

    # pyarrow decodes and DuckDB converts one stream of Arrow batches. DuckDB's own
    # reader is 3x faster but answers some damaged files with an InternalException,
    # which invalidates the whole database instance; pyarrow raises ordinary errors.
    cells = ident(table + "__cells")
    try:
        parquet = pq.ParquetFile(path)
        columns = check_header(name, [clean_name(f.name) for f in parquet.schema_arrow])
        if not columns:
            raise UnreadableFileError(f"{name} has no columns.")
        if on_header is not None:
            on_header(tuple(columns))
        names = [f"c{i}" for i in range(len(columns))]
        schema = pa.schema(
            [f.with_name(n) for f, n in zip(parquet.schema_arrow, names, strict=True)]
        )
        batches = (
            pa.RecordBatch.from_arrays(batch.columns, schema=schema)
            for batch in parquet.iter_batches(batch_size=ARROW_BATCH)
        )
        con.register("threatmon_parquet", pa.RecordBatchReader.from_batches(schema, batches))
        try:
            types = con.execute("DESCRIBE threatmon_parquet").fetchall()
            values = ", ".join(f"{_parquet_text(c, t)} AS {c}" for c, t, *_ in types)
            con.execute(f"CREATE TEMP TABLE {cells} AS SELECT {values} FROM threatmon_parquet")
        finally:
            con.unregister("threatmon_parquet")
    except (duckdb.InternalException, duckdb.FatalException):
        raise  # a bug, not a bad file: let it be seen as one
    except (pa.ArrowException, OSError, ValueError, TypeError, IndexError, duckdb.Error) as exc:
        message = f"{name} could not be read as Parquet: {first_line(exc)}"
        raise UnreadableFileError(message) from exc
    rows = con.execute(f"SELECT count(*) FROM {cells}").fetchall()[0][0]
    create_view(con, table, len(columns), [(0, 2)])
    return RawTable(table, "parquet", rows, columns, None, None, None, file_sha256(path))


def _parquet_text(column: str, column_type: str) -> str:
    """SQL rendering a Parquet column as the same text an XLSX cell would give."""
    if column_type == "VARCHAR":
        return trim_sql(column)
    if column_type.startswith("TIMESTAMP") and "TIME ZONE" not in column_type:
        value = f"CAST({column} AS TIMESTAMP)"
        return (
            f"CASE WHEN CAST({value} AS TIME) = TIME '00:00:00' "
            f"THEN strftime({value}, '%Y-%m-%d') ELSE strftime({value}, '%Y-%m-%dT%H:%M:%S') END"
        )
    if column_type in ("FLOAT", "DOUBLE"):
        # Integer-valued floats (pandas writes int columns with gaps as float) as "12".
        return (
            f"CASE WHEN isnan({column}) THEN NULL "
            f"WHEN {column} = trunc({column}) AND abs({column}) < 9007199254740992 "
            f"THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END"
        )
    return f"CAST({column} AS VARCHAR)"
