"""read_table on arbitrary bytes: every file is read or refused cleanly, never crashes."""

import datetime as dt
import warnings

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_loaders.readers import read_table
from tests.data_loaders.readers.files import parquet_bytes, xlsx_bytes
from threatmon.errors import UnreadableFileError

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(data=st.binary(max_size=400), extension=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_arbitrary_bytes_are_read_or_refused_cleanly(tmp_path, data, extension):
    _read_or_refuse(tmp_path, "f" + extension, data)


@PROPERTY
@given(
    text=st.text(alphabet=st.sampled_from('ab,;|\t"\n\r ĂşţЖé\u00a0'), max_size=200),
    encoding=st.sampled_from(["utf-8", "cp1250", "cp1251", "utf-16"]),
)
@pytest.mark.slow
def test_arbitrary_text_is_read_or_refused_cleanly(tmp_path, text, encoding):
    _read_or_refuse(tmp_path, "f.csv", text.encode(encoding, errors="replace"))


@PROPERTY
@given(st.data())
def test_corrupted_workbooks_and_parquet_are_read_or_refused_cleanly(tmp_path, data):
    original = data.draw(st.sampled_from([VALID_XLSX, VALID_PARQUET]))
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    _read_or_refuse(tmp_path, "f.xlsx" if original is VALID_XLSX else "f.parquet", damaged)


VALID_XLSX = xlsx_bytes({"S": [["a", "b"], [1, "x"], [dt.date(2024, 1, 1), 2.5]]})
VALID_PARQUET = parquet_bytes(pa.table({"a": [1, 2], "b": ["x", None]}))


def _read_or_refuse(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(bytes(data))
    connection = duckdb.connect()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # approximate line numbers
            raw = read_table(connection, path)
        rows = connection.execute(f"SELECT count(*) FROM {raw.table}").fetchall()[0][0]
        assert rows == raw.rows
    except UnreadableFileError:
        pass
    finally:
        connection.close()


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_a_workbook_or_parquet_header_is_announced_once_before_its_rows(tmp_path, con, kind):
    path = tmp_path / f"in.{kind}"
    if kind == "xlsx":
        path.write_bytes(xlsx_bytes({"Sheet1": [["date", "Raion"], ["2025-01-01", "Cahul"]]}))
    else:
        path.write_bytes(parquet_bytes(pa.table({"date": ["2025-01-01"], "Raion": ["Cahul"]})))
    seen = []

    def on_header(headers):
        rows = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'raw'")
        seen.append((headers, rows.fetchall()))

    read_table(con, path, on_header=on_header)
    assert seen == [(("date", "Raion"), [(0,)])]
