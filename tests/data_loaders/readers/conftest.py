"""Fixtures of the readers' tests: a DuckDB connection, and a file written then read or refused."""

import duckdb
import pytest

from data_loaders.readers import read_table
from threatmon.errors import UnreadableFileError


@pytest.fixture
def con():
    """A fresh in-memory DuckDB connection."""
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture
def load(tmp_path, con):
    """Write ``data`` (bytes or str) under ``name`` and read it; return (RawTable, rows)."""

    def _load(name, data, **kwargs):
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        raw = read_table(con, path, **kwargs)
        return raw, con.execute(f"SELECT * FROM {raw.table} ORDER BY line").fetchall()

    return _load


@pytest.fixture
def refused(tmp_path, con):
    """Write ``data`` under ``name``, read it, and return the UnreadableFileError raised."""

    def _refused(name, data, **kwargs):
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        with pytest.raises(UnreadableFileError) as caught:
            read_table(con, path, **kwargs)
        return caught.value

    return _refused
