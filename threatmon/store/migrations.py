"""Versioned schema of the store. Append new migrations; never edit an applied one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One schema step: its version, what it is for, and the statements that make it."""

    version: int
    description: str
    statements: tuple[str, ...]


# The incident table from version 5 on: a figure for a calendar period (``date`` its
# first day) in a region or, with no region, the whole country; a reported 0 is a figure
# too, except for a day (a day row is an incident).
_INCIDENT_COLUMNS_V5 = """
    batch_id INTEGER NOT NULL,
    date DATE NOT NULL,
    period_end DATE NOT NULL,
    granularity VARCHAR NOT NULL
        CHECK (granularity IN ('day', 'week', 'month', 'quarter', 'year')),
    level VARCHAR NOT NULL CHECK (level IN ('admin1', 'national')),
    country VARCHAR NOT NULL,
    region_code VARCHAR,
    crime_type VARCHAR NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    crossing_point VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    victims INTEGER CHECK (victims >= 0),
    suspects INTEGER CHECK (suspects >= 0),
    source VARCHAR,
    incident_id VARCHAR"""
_INCIDENT_CHECKS_V5 = """
    CHECK (count >= 1 OR granularity <> 'day'),
    CHECK ((level = 'national') = (region_code IS NULL)),
    CHECK (period_end >= date)"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "incidents, flows, batches, append-only audit, metadata, monthly rollup",
        (
            """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
            """CREATE SEQUENCE batch_ids START 1""",
            """CREATE TABLE batches (
                batch_id INTEGER PRIMARY KEY,
                kind VARCHAR NOT NULL CHECK (kind IN ('incidents', 'flows')),
                file_name VARCHAR NOT NULL,
                sha256 VARCHAR NOT NULL,
                user_name VARCHAR NOT NULL,
                loaded_at TIMESTAMP NOT NULL,
                rows_in_file BIGINT NOT NULL,
                rows_loaded BIGINT NOT NULL,
                first_date DATE,
                last_date DATE,
                status VARCHAR NOT NULL CHECK (status IN ('active', 'undone')),
                undone_at TIMESTAMP,
                undone_by VARCHAR
            )""",
            """CREATE TABLE incidents (
                batch_id INTEGER NOT NULL,
                date DATE NOT NULL,
                country VARCHAR NOT NULL,
                region_code VARCHAR NOT NULL,
                crime_type VARCHAR NOT NULL,
                count INTEGER NOT NULL CHECK (count >= 1),
                crossing_point VARCHAR,
                latitude DOUBLE,
                longitude DOUBLE,
                victims INTEGER CHECK (victims >= 0),
                suspects INTEGER CHECK (suspects >= 0),
                source VARCHAR,
                incident_id VARCHAR
            )""",
            """CREATE TABLE flows (
                batch_id INTEGER NOT NULL,
                date DATE NOT NULL,
                country VARCHAR NOT NULL,
                crossing_point VARCHAR,
                arrivals BIGINT NOT NULL CHECK (arrivals >= 0),
                departures BIGINT CHECK (departures >= 0)
            )""",
            # The monthly rollup answers most dashboard queries in milliseconds; it is
            # rebuilt inside every write, so it can never disagree with `incidents`.
            """CREATE TABLE incidents_monthly (
                month DATE NOT NULL,
                country VARCHAR NOT NULL,
                region_code VARCHAR NOT NULL,
                crime_type VARCHAR NOT NULL,
                count BIGINT NOT NULL,
                records BIGINT NOT NULL,
                victims BIGINT,
                suspects BIGINT
            )""",
            """CREATE TABLE audit (
                seq BIGINT PRIMARY KEY,
                logged_at TIMESTAMP NOT NULL,
                user_name VARCHAR NOT NULL,
                action VARCHAR NOT NULL,
                target VARCHAR,
                details VARCHAR,
                prev_hash VARCHAR NOT NULL,
                hash VARCHAR NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "column mappings saved per source, reused by later uploads",
        (
            """CREATE TABLE column_mappings (
                name VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL CHECK (kind IN ('incidents', 'flows')),
                mapping VARCHAR NOT NULL,
                saved_by VARCHAR NOT NULL,
                saved_at TIMESTAMP NOT NULL
            )""",
        ),
    ),
    Migration(
        3,
        "a source's saved upload options (a JSON object) beside its column mapping",
        # One JSON object, so that a new option (a crosswalk, skipping out-of-scope
        # rows) is a new key, not a new column.
        ("""ALTER TABLE column_mappings ADD COLUMN options VARCHAR NOT NULL DEFAULT '{}'""",),
    ),
    Migration(
        4,
        "flow rows superseded by a revising batch, kept to be restored by its undo",
        # A table of their own rather than a flag on `flows`: every read of `flows`, those
        # written later too, then sees only active rows without having to remember a filter.
        (
            """CREATE TABLE flows_superseded (
                batch_id INTEGER NOT NULL,
                date DATE NOT NULL,
                country VARCHAR NOT NULL,
                crossing_point VARCHAR,
                arrivals BIGINT NOT NULL CHECK (arrivals >= 0),
                departures BIGINT CHECK (departures >= 0),
                superseded_by INTEGER NOT NULL
            )""",
        ),
    ),
    Migration(
        5,
        "incidents stand for a day, ISO week, month, quarter or year, in a region or "
        "nationwide; incident rows superseded by a revising batch",
        # DuckDB cannot drop or change a CHECK, so the table is built anew and the rows
        # copied: every row stored so far is one day in one region.
        (
            f"CREATE TABLE incidents_v5 ({_INCIDENT_COLUMNS_V5},\n{_INCIDENT_CHECKS_V5})",
            """INSERT INTO incidents_v5 SELECT batch_id, date, date, 'day', 'admin1', country,
                region_code, crime_type, count, crossing_point, latitude, longitude, victims,
                suspects, source, incident_id FROM incidents""",
            "DROP TABLE incidents",
            "ALTER TABLE incidents_v5 RENAME TO incidents",
            f"""CREATE TABLE incidents_superseded ({_INCIDENT_COLUMNS_V5},
                superseded_by INTEGER NOT NULL,\n{_INCIDENT_CHECKS_V5})""",
            # The rollup holds days and months (weeks, quarters and years do not add up
            # into months; reads take them from `incidents`).
            """CREATE TABLE incidents_monthly_v5 (
                month DATE NOT NULL,
                country VARCHAR NOT NULL,
                level VARCHAR NOT NULL,
                region_code VARCHAR,
                crime_type VARCHAR NOT NULL,
                count BIGINT NOT NULL,
                records BIGINT NOT NULL,
                victims BIGINT,
                suspects BIGINT
            )""",
            """INSERT INTO incidents_monthly_v5 SELECT month, country, 'admin1', region_code,
                crime_type, count, records, victims, suspects FROM incidents_monthly""",
            "DROP TABLE incidents_monthly",
            "ALTER TABLE incidents_monthly_v5 RENAME TO incidents_monthly",
        ),
    ),
    Migration(
        6,
        "coverage a batch declares: the countries, crime types, level and periods it reports "
        "in full, so that a combination it holds no row for is a zero",
        # Coverage read from the rows needs no table (revisions and undo keep it exact by
        # themselves); only what a source says beyond its rows has to be stored.
        (
            """CREATE TABLE coverage_declared (
                batch_id INTEGER NOT NULL,
                country VARCHAR NOT NULL,
                crime_type VARCHAR NOT NULL,
                level VARCHAR NOT NULL CHECK (level IN ('admin1', 'national')),
                granularity VARCHAR NOT NULL
                    CHECK (granularity IN ('day', 'week', 'month', 'quarter', 'year')),
                date DATE NOT NULL,
                period_end DATE NOT NULL,
                CHECK (period_end >= date)
            )""",
        ),
    ),
    Migration(
        7,
        "audit entries sealed with a keyed MAC (HMAC-SHA256 of the entry's hash) when the "
        "deployment has an audit key",
        # Entries logged before keep their hash only (NULL here): no one may compute their
        # MAC after the fact, and the first keyed entry's MAC covers their chain.
        ("ALTER TABLE audit ADD COLUMN mac VARCHAR",),
    ),
)


SCHEMA_VERSION: int = MIGRATIONS[-1].version


def current_version(con) -> int:
    """The schema version of an open store; 0 for an empty file."""
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if "schema_migrations" not in tables:
        return 0
    row = con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0]
    return int(row[0] or 0)


def migrate(con) -> list[int]:
    """Apply the missing migrations on a read-write connection; return the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    have = current_version(con)
    pending = [migration for migration in MIGRATIONS if migration.version > have]
    if not pending:
        return []
    # One transaction: all of them or none, and one commit to the file (a new store's
    # thirty statements each committed on their own took 0.1–0.2 s).
    con.execute("BEGIN TRANSACTION")
    try:
        for migration in pending:
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                [migration.version, migration.description],
            )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return [migration.version for migration in pending]
