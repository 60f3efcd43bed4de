"""Workbooks and Parquet files built in memory for the readers' tests."""

import io

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

MB = 1024 * 1024


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with one sheet per key, rows appended as given."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parquet_bytes(table: pa.Table, **kwargs) -> bytes:
    """``table`` written as Parquet."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **kwargs)
    return buffer.getvalue()
