"""The relation a read leaves: replaced, dropped, nothing left by a failure, file order."""

import pytest

from data_loaders.readers import drop_table, read_table
from threatmon.errors import UnreadableFileError


def test_reading_again_replaces_the_table_and_drop_table_removes_all(tmp_path, con):
    con.execute("CREATE TEMP TABLE raw AS SELECT 1 AS x")  # someone else's table
    path = tmp_path / "a.csv"
    path.write_text('a,b\n1,2\n\n3,"x\ny"\n')
    read_table(con, path)
    read_table(con, path)
    assert con.execute("SELECT count(*) FROM raw").fetchall() == [(2,)]
    drop_table(con)
    left = con.execute(
        "SELECT table_name FROM duckdb_tables() UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    assert left == []


def test_a_failed_read_leaves_nothing_behind(tmp_path, con):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(UnreadableFileError):
        read_table(con, path)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def test_file_order_is_kept_even_if_the_connection_allows_reordering(tmp_path, con):
    con.execute("SET preserve_insertion_order = false")
    path = tmp_path / "a.csv"
    path.write_text("a\n" + "".join(f"{i}\n" for i in range(1000)))
    read_table(con, path)
    rows = con.execute("SELECT line, c0 FROM raw").fetchall()
    assert all(line == int(value) + 2 for line, value in rows)
    setting = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    assert setting == [(False,)]
