"""Migration 5: a store of day rows in regions becomes one of figures for periods and
places, keeping every row and every total."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from threatmon.filters import Filters
from threatmon.store import migrations
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

ROWS = [
    (1, "2024-01-05", "MD", "MD-CA", "migrant_smuggling", 1, 2),
    (1, "2024-01-20", "MD", "MD-CA", "migrant_smuggling", 2, None),
    (1, "2024-02-03", "MD", "MD-CU", "drug_trafficking", 5, 1),
]
# The rollup as version 4 rebuilt it.
ROLLUP_V4 = (
    "INSERT INTO incidents_monthly SELECT date_trunc('month', date)::DATE, country, "
    "region_code, crime_type, sum(count), count(*), sum(victims), sum(suspects) "
    "FROM incidents GROUP BY 1, 2, 3, 4"
)


def _version_4(execute) -> None:
    """Make a version-4 store with one batch of three incidents through ``execute``."""
    execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
        "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    for migration in migrations.MIGRATIONS[:4]:
        for statement in migration.statements:
            execute(statement)
        execute(
            f"INSERT INTO schema_migrations VALUES ({migration.version}, 'v', now()::TIMESTAMP)"
        )
    execute(
        "INSERT INTO batches VALUES (1, 'incidents', 'old.csv', 'a', 'ana', "
        "'2024-03-01 10:00:00', 3, 3, '2024-01-05', '2024-02-03', 'active', NULL, NULL)"
    )
    for batch, day, country, region, crime, count, victims in ROWS:
        execute(
            "INSERT INTO incidents (batch_id, date, country, region_code, crime_type, count, "
            f"victims) VALUES ({batch}, '{day}', '{country}', '{region}', '{crime}', {count}, "
            f"{'NULL' if victims is None else victims})"
        )
    execute(ROLLUP_V4)
    execute("SELECT nextval('batch_ids')")  # batch 1 was taken


@pytest.fixture
def old_store(store_location):
    """A version-4 store on each backend."""
    if isinstance(store_location, str):
        from threatmon.store import postgres

        with postgres.connect(store_location) as con, con.transaction():
            _version_4(lambda sql: con.execute(postgres.translate(sql)))
    else:
        con = duckdb.connect(str(store_location))
        _version_4(con.execute)
        con.close()
    return store_location


def test_a_version_4_store_keeps_its_rows_and_totals(old_store):
    with write_session(old_store, user="ana") as writer:
        writer.set_meta("touched", "yes")
    store = Store(old_store)
    rows = store.incidents()
    assert rows["date"].astype(str).tolist() == ["2024-01-05", "2024-01-20", "2024-02-03"]
    assert (rows["period_end"].astype(str) == rows["date"].astype(str)).all()
    assert set(rows["granularity"]) == {"day"} and set(rows["level"]) == {"admin1"}
    assert rows["count"].tolist() == [1, 2, 5]
    assert rows["victims"].tolist()[0] == 2 and pd.isna(rows["victims"].tolist()[1])
    assert store.coverage()["incidents"] == 8
    monthly = store.aggregate(by=("region_code",), freq="M")
    assert monthly.astype(str).values.tolist() == [
        ["2024-01-01", "MD-CA", "3"],
        ["2024-02-01", "MD-CU", "5"],
    ]
    assert store.aggregate(Filters(start=dt.date(2024, 1, 6)), by=(), freq=None)[
        "count"
    ].tolist() == [7]
    rollup = store.query("SELECT * FROM incidents_monthly ORDER BY month")
    assert list(rollup.columns[:5]) == ["month", "country", "level", "region_code", "crime_type"]
    assert rollup["count"].tolist() == [3, 5]
    migrated = store.audit()
    assert migrated["action"].tolist() == ["migrate"]
    assert migrated["details"].item() == '{"versions": [5, 6, 7]}'
    # The batch ids go on from where they were.
    with write_session(old_store, user="ana") as writer:
        batch = writer.add_incidents(
            pd.DataFrame(
                {
                    "date": ["2024-01-01"],
                    "period_end": ["2024-12-31"],
                    "country": ["MD"],
                    "crime_type": ["cbrne"],
                    "count": [0],
                }
            ),
            file_name="national.csv",
            sha256="b" * 64,
        )
    assert batch == 2
