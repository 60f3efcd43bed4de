"""An uploaded CSV, XLSX or Parquet file read into DuckDB as strings with line numbers.

Public API: read_table, drop_table, RawTable, ReadLimits and ACCEPTED_EXTENSIONS."""

from data_loaders.readers.content_type import ACCEPTED_EXTENSIONS
from data_loaders.readers.limits import ReadLimits
from data_loaders.readers.read import read_table
from data_loaders.readers.relation import RawTable, drop_table

__all__ = ["ACCEPTED_EXTENSIONS", "RawTable", "ReadLimits", "drop_table", "read_table"]
