"""Parquet: typed columns as text, records numbered like CSV lines."""

import datetime as dt

import pyarrow as pa

from tests.data_loaders.readers.files import parquet_bytes


def test_parquet_round_trip_as_text(load):
    table = pa.table(
        {
            "day": pa.array([dt.date(2024, 1, 5), None]),
            "at": pa.array([dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6, 10, 0, 1)]),
            "count": pa.array([12.0, float("nan")]),
            "ratio": pa.array([0.1, 2.5]),
            "name": pa.array([" Chişinău ", ""]),
            "flag": pa.array([True, False]),
            "n": pa.array([1, None], pa.int64()),
        }
    )
    raw, rows = load("p.parquet", parquet_bytes(table))
    assert (raw.format, raw.rows, raw.columns) == ("parquet", 2, tuple(table.column_names))
    assert rows == [
        (2, "2024-01-05", "2024-01-05", "12", "0.1", "Chişinău", "true", "1"),
        (3, None, "2024-01-06T10:00:01", None, "2.5", None, "false", None),
    ]


def test_parquet_line_is_record_number_plus_one_across_row_groups(load, con):
    table = pa.table({"i": pa.array(range(50_000))})
    raw, _ = load("p.parquet", parquet_bytes(table, row_group_size=1_000))
    assert raw.rows == 50_000
    mismatches = con.execute("SELECT count(*) FROM raw WHERE line <> CAST(c0 AS BIGINT) + 2")
    assert mismatches.fetchall() == [(0,)]


def test_parquet_with_duplicate_columns_after_stripping_is_refused(refused):
    table = pa.table({"a": [1], " a": [2]})
    assert str(refused("p.parquet", parquet_bytes(table))).startswith(
        "p.parquet has the column 'a' more than once in its header"
    )
