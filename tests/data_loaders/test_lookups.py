"""The lookup tables the staging joins with the raw rows, and the way round it joins them."""

import duckdb
import pandas as pd
import pytest

from data_loaders.lookups import number_frame, raw_probes


def test_counts_are_read_from_their_text_with_the_reason_of_those_refused():
    frame = number_frame(["3", "1,200", "0", "-1", "x"], ",", 1)
    assert frame["raw"].tolist() == ["3", "1,200", "0", "-1", "x"]
    assert frame["value"].tolist() == [3, 1200, pd.NA, pd.NA, pd.NA]
    assert frame["reason"].tolist() == [
        pd.NA,
        pd.NA,
        "Value is below 1.",
        "Value is negative.",
        "Value is not a number.",
    ]


def _plan(con: duckdb.DuckDBPyConnection) -> str:
    # Joined on a computed value and another lookup's: the planner misjudges the rows.
    return con.execute(
        "EXPLAIN SELECT * FROM raw r LEFT JOIN dates d ON d.raw = r.day "
        "LEFT JOIN countries c ON c.raw = r.country LEFT JOIN points p "
        "ON p.lat = TRY_CAST(r.lat AS DOUBLE) AND p.country IS NOT DISTINCT FROM c.raw"
    ).fetchall()[0][1]


def test_the_raw_rows_probe_every_lookup_and_the_setting_is_restored():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE raw AS SELECT (i % 300)::VARCHAR AS day, (i % 9)::VARCHAR AS country, "
        "(i / 7)::VARCHAR AS lat FROM range(200000) t(i)"
    )
    con.execute("CREATE TABLE dates AS SELECT i::VARCHAR AS raw FROM range(300) t(i)")
    con.execute("CREATE TABLE countries AS SELECT i::VARCHAR AS raw FROM range(9) t(i)")
    con.execute("CREATE TABLE points (lat DOUBLE, country VARCHAR)")
    assert "RIGHT" in _plan(con)  # what it planned before
    con.execute("SET disabled_optimizers = 'compressed_materialization'")
    with raw_probes(con):
        assert "RIGHT" not in _plan(con)
    setting = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    assert setting == "compressed_materialization"


def test_the_setting_is_restored_when_the_query_fails():
    con = duckdb.connect()
    with pytest.raises(duckdb.Error), raw_probes(con):
        con.execute("SELECT * FROM missing")
    assert con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0] == ""
