"""A source profile: the column mapping and the upload options saved under a source's name."""

import duckdb
import pytest

from threatmon.store import migrations
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

MAPPING = {"Ziua": "date", "Raion": "region_code"}


def test_a_profile_keeps_its_options_and_saving_again_replaces_them(store_location):
    with write_session(store_location, user="ana") as writer:
        writer.save_mapping("us-events", "incidents", MAPPING, {"date_order": "mdy"})
    store = Store(store_location)
    assert store.saved_source("us-events") == ("incidents", MAPPING, {"date_order": "mdy"})
    assert store.saved_mapping("us-events") == ("incidents", MAPPING)
    with write_session(store_location, user="ion") as writer:
        writer.save_mapping("us-events", "incidents", {}, {"date_order": "dmy", "thousands": ","})
    assert store.saved_source("us-events") == (
        "incidents",
        {},
        {"date_order": "dmy", "thousands": ","},
    )
    saved = store.saved_mappings().set_index("name")
    assert saved.loc["us-events", "saved_by"] == "ion"
    entries = store.audit()
    last = entries[entries["action"] == "save_mapping"].iloc[-1]
    assert last["target"] == "mapping:us-events"
    assert '"options": {"date_order": "dmy", "thousands": ","}' in last["details"]


def test_a_mapping_saved_without_options_has_none(store_location):
    with write_session(store_location, user="ana") as writer:
        writer.save_mapping("md-igp", "incidents", MAPPING)
    assert Store(store_location).saved_source("md-igp") == ("incidents", MAPPING, {})
    assert Store(store_location).saved_source("nobody") is None


def test_the_migration_gives_mappings_saved_before_it_empty_options(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
        "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    before = [m for m in migrations.MIGRATIONS if m.version <= 2]
    for migration in before:
        for statement in migration.statements:
            con.execute(statement)
        con.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
            [migration.version, migration.description],
        )
    con.execute(
        "INSERT INTO column_mappings VALUES ('md-igp', 'incidents', '{\"Ziua\": \"date\"}', "
        "'ana', now()::TIMESTAMP)"
    )
    assert 3 in migrations.migrate(con)
    assert con.execute("SELECT name, options FROM column_mappings").fetchall() == [("md-igp", "{}")]
    with pytest.raises(duckdb.ConstraintException):
        con.execute("UPDATE column_mappings SET options = NULL")
    con.close()
