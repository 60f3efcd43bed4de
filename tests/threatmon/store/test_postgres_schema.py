"""The store's schema on PostgreSQL: the same migrations, the same tables, applied once."""

import threading

import duckdb
import psycopg
import pytest

from threatmon.store import migrations, postgres
from threatmon.store.postgres import connection

# information_schema's names for DuckDB's types, as PostgreSQL reports them.
PG_TYPE = {
    "VARCHAR": "character varying",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
}
COLUMNS_SQL = """
    SELECT table_name, column_name, data_type, is_nullable
    FROM information_schema.columns
    WHERE table_schema = 'public' OR (table_schema = 'main' AND table_catalog = 'parity')
"""


def test_store_locations_that_are_postgres_urls():
    assert postgres.is_postgres_url("postgresql://analyst@db.local/threatmon")
    assert postgres.is_postgres_url(" POSTGRES://db/threatmon")
    assert not postgres.is_postgres_url("data/threatmon.duckdb")
    assert not postgres.is_postgres_url(None)


def test_migration_statements_are_translated_only_where_the_dialects_differ():
    assert postgres.translate("latitude DOUBLE,\n longitude DOUBLE") == (
        "latitude DOUBLE PRECISION,\n longitude DOUBLE PRECISION"
    )
    assert postgres.translate("x DOUBLE PRECISION") == "x DOUBLE PRECISION"
    assert postgres.translate("name VARCHAR PRIMARY KEY") == "name VARCHAR PRIMARY KEY"


def test_the_same_migrations_give_the_same_tables_on_both(postgres_url, tmp_path):
    with postgres.connect(postgres_url) as con:
        assert postgres.migrate(con) == [m.version for m in migrations.MIGRATIONS]
        assert postgres.current_version(con) == migrations.SCHEMA_VERSION
        on_postgres = set(con.execute(COLUMNS_SQL).fetchall())
    embedded = duckdb.connect(str(tmp_path / "parity.duckdb"))
    migrations.migrate(embedded)
    on_duckdb = {
        (table, column, PG_TYPE[kind], nullable)
        for table, column, kind, nullable in embedded.execute(COLUMNS_SQL).fetchall()
    }
    assert on_postgres == on_duckdb
    assert {row[0] for row in on_postgres} == {
        "audit",
        "batches",
        "column_mappings",
        "flows",
        "flows_superseded",
        "incidents",
        "incidents_monthly",
        "incidents_superseded",
        "coverage_declared",
        "meta",
        "schema_migrations",
    }


def test_migrating_again_applies_nothing_and_constraints_hold(postgres_url):
    with postgres.connect(postgres_url) as con:
        postgres.migrate(con)
        assert postgres.migrate(con) == []
        insert = (
            "INSERT INTO incidents (batch_id, date, period_end, granularity, level, country, "
            "region_code, crime_type, count) VALUES (1, '2026-01-01', %s, %s, %s, 'MD', %s, "
            "'drugs', %s)"
        )
        refused = [
            ("2026-01-01", "day", "admin1", "MD-CU", 0),  # a day holds at least one incident
            ("2026-01-31", "month", "admin1", "MD-CU", -1),
            ("2026-01-31", "month", "national", "MD-CU", 1),  # a national figure has no region
            ("2026-01-31", "month", "admin1", None, 1),
            ("2025-12-31", "month", "admin1", "MD-CU", 1),  # ends before it starts
            ("2026-01-31", "fortnight", "admin1", "MD-CU", 1),
            ("2026-01-31", "month", "admin2", "MD-CU", 1),
        ]
        for values in refused:
            with pytest.raises(psycopg.errors.CheckViolation), con.transaction():
                con.execute(insert, values)
        with con.transaction():
            con.execute(insert, ("2026-01-31", "month", "national", None, 0))
            con.execute("DELETE FROM incidents")
        assert con.execute("SELECT nextval('batch_ids')").fetchone()[0] == 1


def test_instances_that_start_together_migrate_once(postgres_url):
    applied: list[list[int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def instance() -> None:
        try:
            with postgres.connect(postgres_url) as con:
                start.wait()
                applied.append(postgres.migrate(con))
        except BaseException as exc:  # reported below, with the others' results
            errors.append(exc)

    threads = [threading.Thread(target=instance) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(version for versions in applied for version in versions) == [
        m.version for m in migrations.MIGRATIONS
    ]
    with postgres.connect(postgres_url) as con:
        rows = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [row[0] for row in rows] == [m.version for m in migrations.MIGRATIONS]


def test_a_failed_migration_leaves_no_trace(postgres_url, monkeypatch):
    broken = migrations.Migration(99, "broken", ("CREATE TABLE half (x INTEGER)", "NOT SQL"))
    monkeypatch.setattr(connection, "MIGRATIONS", (*migrations.MIGRATIONS, broken))
    with postgres.connect(postgres_url) as con:
        with pytest.raises(psycopg.errors.SyntaxError):
            postgres.migrate(con)
        assert postgres.current_version(con) == migrations.SCHEMA_VERSION
        assert con.execute("SELECT to_regclass('half')").fetchone()[0] is None


def test_a_location_is_shown_without_its_password():
    assert postgres.redact("postgresql://ana:s3cret@db.local:5432/threatmon") == (
        "postgresql://ana:***@db.local:5432/threatmon"
    )
    assert postgres.redact("postgresql://ana@db/t?sslmode=require&PASSWORD=s3cret&x=1") == (
        "postgresql://ana@db/t?sslmode=require&PASSWORD=***&x=1"
    )
    assert postgres.redact("postgresql://ana@/t?host=/run/pg") == "postgresql://ana@/t?host=/run/pg"


def test_the_store_sql_is_translated_for_psycopg():
    assert postgres.to_pyformat("SELECT '?%' || x FROM t WHERE a = ? AND b LIKE 'c%'") == (
        "SELECT '?%%' || x FROM t WHERE a = %s AND b LIKE 'c%%'"
    )
    assert postgres.translate_query("SELECT round(latitude, 2) AS latitude") == (
        "SELECT round(latitude::NUMERIC, 2)::DOUBLE PRECISION AS latitude"
    )
    assert postgres.translate_query("SELECT date_trunc('week', date)::DATE AS period") == (
        "SELECT date_trunc('week', date::TIMESTAMP)::DATE AS period"
    )
