"""The store's audit trail: keyed MACs catch a re-sealed edit, the anchor catches deleted
last entries, and a batch without its log entry is a finding."""

import json
import os
import shutil

import duckdb
import pandas as pd
import pytest

from threatmon.access.accounts import Accounts
from threatmon.store import audit, audit_anchor, migrations
from threatmon.store.audit_check import UNANCHORED_NOTE, UNKEYED_NOTE, verify_trail
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

KEY = "k" * 40
SHA_A, SHA_B = "a" * 64, "b" * 64


@pytest.fixture
def keyed(monkeypatch, tmp_path):
    """A deployment with an audit key and an anchor file; the anchor's path."""
    anchor = tmp_path / "anchor.log"
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    monkeypatch.setenv("THREATMON_AUDIT_ANCHOR", str(anchor))
    return anchor


def two_loads(location, incidents_few) -> Store:
    """Batch 1 loaded and undone, batch 2 loaded: entries 1 (the new store's migration),
    2 (load), 3 (undo), 4 (load)."""
    with write_session(location, user="ana") as writer:
        writer.add_incidents(incidents_few, file_name="few.csv", sha256=SHA_A)
    with write_session(location, user="ana") as writer:
        writer.undo(1)
    with write_session(location, user="ana") as writer:
        writer.add_incidents(incidents_few, file_name="again.csv", sha256=SHA_B)
    return Store(location)


def execute(location, *statements) -> None:
    """Run SQL on the store behind Threat Monitor's back, as another client would."""
    if isinstance(location, str):
        from threatmon.store import postgres
        from threatmon.store.postgres.connection import to_pyformat

        with postgres.connect(location) as con, con.transaction():
            # The triggers refuse UPDATE and DELETE: dropped first, as an attacker would.
            con.execute("DROP TRIGGER audit_no_update ON audit")
            con.execute("DROP TRIGGER audit_no_delete ON audit")
            for sql, params in statements:
                con.execute(to_pyformat(sql), params)
        return
    # In a copy renamed over the file, as Threat Monitor's own writes do: this process's
    # readers keep the old file attached.
    copy = location.with_name("tampered.duckdb")
    shutil.copyfile(location, copy)
    with duckdb.connect(str(copy)) as con:
        for sql, params in statements:
            con.execute(sql, params)
    os.replace(copy, location)


def reseal(location, log: pd.DataFrame, seq: int, **changes) -> None:
    """Change entry ``seq`` and recompute the hash chain from it on, as someone with write
    access to the store but without the key can: every hash right, the MACs untouched."""
    log = log.sort_values("seq").reset_index(drop=True)
    for column, value in changes.items():
        log.loc[log["seq"] == seq, column] = value
    prev = audit.GENESIS
    statements = []
    for row in log.itertuples(index=False):
        row = row._replace(prev_hash=prev)
        digest = audit.content_hash(row)
        if row.seq >= seq:
            statements.append(
                (
                    "UPDATE audit SET user_name = ?, details = ?, prev_hash = ?, hash = ? "
                    "WHERE seq = ?",
                    [row.user_name, audit_value(row.details), prev, digest, int(row.seq)],
                )
            )
        prev = digest
    execute(location, *statements)


def audit_value(value):
    return None if pd.isna(value) else value


def check(location):
    return verify_trail(Store(location), Accounts())


def test_a_clean_keyed_and_anchored_store_verifies(store_location, incidents_few, keyed):
    two_loads(store_location, incidents_few)
    result = check(store_location)
    assert result.ok
    assert result.to_json() == {
        "ok": True,
        "keyed": True,
        "anchor": str(keyed),
        "logs": {
            "store": {"entries": 4, "last": 4, "keyed_from": 1},
            "access": {"entries": 0, "last": None, "keyed_from": None},
        },
        "findings": [],
        "notes": [],
    }
    assert [line.split()[:2] for line in keyed.read_text().splitlines()] == [
        ["store", "1"],
        ["store", "2"],
        ["store", "3"],
        ["store", "4"],
    ]
    assert result.summary() == (
        "The audit trail verifies: the store log (4 entries, keyed from entry 1) and the "
        "access log (0 entries), and the anchor agrees."
    )


def test_without_key_or_anchor_it_verifies_and_says_what_is_not_protected(
    store_location, incidents_few
):
    two_loads(store_location, incidents_few)
    result = check(store_location)
    assert result.ok
    assert result.notes == (UNKEYED_NOTE, UNANCHORED_NOTE)
    assert UNKEYED_NOTE == (
        "unkeyed: edits re-sealed by someone with file access cannot be detected."
    )
    assert Store(store_location).audit()["mac"].isna().all()


def test_a_rewritten_entry_resealed_without_the_key_is_caught_by_its_mac(
    store_location, incidents_few, keyed
):
    store = two_loads(store_location, incidents_few)
    reseal(store_location, store.audit(), 3, user_name="mallory")
    found = [(f.log, f.entry, f.kind) for f in check(store_location).findings]
    # The hash chain is whole again; the MACs of the re-sealed entries are not.
    assert found == [("store", 3, "mac"), ("store", 4, "mac")]
    assert found and check(store_location).findings[0].reason == (
        "Entry 3's MAC does not match under the configured key: it was rewritten and "
        "re-sealed by someone without the key (or the key is not the one it was written with)."
    )


def test_unkeyed_a_resealed_edit_goes_unseen_so_verify_says_so(store_location, incidents_few):
    """What the key is for: the same re-seal without one passes the hash chain."""
    store = two_loads(store_location, incidents_few)
    reseal(store_location, store.audit(), 3, user_name="mallory")
    result = check(store_location)
    assert result.ok and UNKEYED_NOTE in result.notes


def test_unkeyed_but_anchored_a_resealed_edit_disagrees_with_the_anchor(
    store_location, incidents_few, tmp_path, monkeypatch
):
    anchor = tmp_path / "anchor.log"
    monkeypatch.setenv("THREATMON_AUDIT_ANCHOR", str(anchor))
    store = two_loads(store_location, incidents_few)
    reseal(store_location, store.audit(), 3, user_name="mallory")
    result = check(store_location)
    assert [(f.entry, f.kind) for f in result.findings] == [
        (3, "anchor_mismatch"),
        (4, "anchor_mismatch"),
    ]
    assert result.findings[0].reason == (
        "Entry 3 is not the entry the anchor recorded when it was written: it was rewritten "
        "and re-sealed."
    )


def test_an_edit_that_is_not_resealed_is_caught_by_its_hash(store_location, incidents_few):
    two_loads(store_location, incidents_few)
    execute(store_location, ("UPDATE audit SET user_name = 'mallory' WHERE seq = 3", []))
    finding = check(store_location).findings
    assert [(f.entry, f.kind) for f in finding] == [(3, "edited")]
    assert finding[0].reason == (
        "Entry 3 no longer matches its hash: it was edited after it was written."
    )


def test_deleting_the_last_entry_is_caught_by_the_anchor(store_location, incidents_few, keyed):
    two_loads(store_location, incidents_few)
    execute(store_location, ("DELETE FROM audit WHERE seq = 4", []))
    found = check(store_location).findings
    assert [(f.log, f.entry, f.kind) for f in found] == [
        ("store", None, "no_load_entry"),
        ("store", 4, "truncated"),
    ]
    assert found[0].reason == (
        "Batch 2 (again.csv) is in the store, but the log has no load entry for it: the "
        "entry was deleted, or the batch was added outside Threat Monitor."
    )
    assert found[1].reason == (
        "The anchor holds entries up to 4, but the log ends at entry 3: its last entries "
        "were deleted."
    )


def test_a_deleted_load_entry_is_a_finding_while_its_batch_remains(store_location, incidents_few):
    """Without key or anchor: the batch still shows that its entry is gone."""
    two_loads(store_location, incidents_few)
    execute(store_location, ("DELETE FROM audit WHERE seq = 4", []))
    assert [(f.kind, f.entry) for f in check(store_location).findings] == [("no_load_entry", None)]


def test_a_deleted_undo_entry_in_the_middle_is_a_gap_and_a_finding(store_location, incidents_few):
    two_loads(store_location, incidents_few)
    execute(store_location, ("DELETE FROM audit WHERE seq = 3", []))
    found = check(store_location).findings
    assert [(f.kind, f.entry) for f in found] == [("gap", 3), ("no_undo_entry", None)]
    assert found[0].reason == "The log jumps from entry 2 to 4: entry 3 was deleted."


def test_a_truncated_anchor_leaves_the_last_entries_unanchored(
    store_location, incidents_few, keyed
):
    two_loads(store_location, incidents_few)
    keyed.write_text("".join(keyed.read_text().splitlines(keepends=True)[:2]))
    found = check(store_location).findings
    assert [(f.entry, f.kind) for f in found] == [(3, "unanchored"), (4, "unanchored")]
    assert found[0].reason == (
        "Entry 3 is not in the anchor, which ends at entry 2 of this log: it was written "
        "without the anchor, or the anchor's last lines were removed."
    )


def test_an_entry_written_without_the_key_after_keyed_ones_is_a_finding(
    store_location, incidents_few, monkeypatch
):
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    with write_session(store_location, user="ana") as writer:
        writer.add_incidents(incidents_few, file_name="few.csv", sha256=SHA_A)
    monkeypatch.delenv("THREATMON_AUDIT_KEY")
    with write_session(store_location, user="ana") as writer:
        writer.undo(1)
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    assert [(f.entry, f.kind) for f in check(store_location).findings] == [(3, "unkeyed")]


def test_a_wrong_key_fails_every_keyed_entry(store_location, incidents_few, monkeypatch):
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    two_loads(store_location, incidents_few)
    monkeypatch.setenv("THREATMON_AUDIT_KEY", "w" * 40)
    assert [f.kind for f in check(store_location).findings] == ["mac"] * 4


def test_a_store_of_version_6_is_keyed_from_its_migration(tmp_path, monkeypatch):
    """Old entries keep their hash only; the migration's entry is the first keyed one, and
    its MAC seals the old entries' chain."""
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
            "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        for migration in migrations.MIGRATIONS[:6]:
            for statement in migration.statements:
                con.execute(statement)
            con.execute(f"INSERT INTO schema_migrations VALUES ({migration.version}, 'v', now())")
        at = pd.Timestamp("2025-01-02 03:04:05.123456").to_pydatetime()
        digest = audit.entry_hash(audit.GENESIS, 1, at, "ana", "save_mapping", "mapping:x", None)
        con.execute(
            "INSERT INTO audit VALUES (1, ?, 'ana', 'save_mapping', 'mapping:x', NULL, ?, ?)",
            [at, audit.GENESIS, digest],
        )
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    with write_session(path, user="root"):
        pass
    log = Store(path).audit()
    assert log["action"].tolist() == ["save_mapping", "migrate"]
    assert log["mac"].isna().tolist() == [True, False]
    result = check(path)
    assert result.ok
    assert result.logs["store"].keyed_from == 2
    # Editing the old, unkeyed entry and re-sealing breaks the first keyed entry's MAC.
    reseal(path, log, 1, user_name="mallory")
    assert [(f.entry, f.kind) for f in check(path).findings] == [(2, "mac")]


def test_a_foreign_line_in_the_anchor_is_a_finding(tmp_path, incidents_few, keyed):
    path = tmp_path / "store.duckdb"
    two_loads(path, incidents_few)
    with open(keyed, "a") as anchor:
        anchor.write("hello\n")
    found = check(path).findings
    assert [(f.log, f.kind) for f in found] == [("anchor", "anchor_line")]
    assert json.dumps(found[0].to_json())


def test_an_anchor_that_cannot_be_written_says_the_change_was_saved(
    tmp_path, incidents_few, monkeypatch
):
    from threatmon.errors import StoreError

    monkeypatch.setenv("THREATMON_AUDIT_ANCHOR", str(tmp_path / "missing" / "anchor.log"))
    path = tmp_path / "store.duckdb"
    with pytest.raises(StoreError, match="The change was saved, but the audit anchor"):
        with write_session(path, user="ana") as writer:
            writer.add_incidents(incidents_few, file_name="few.csv", sha256=SHA_A)
    assert len(Store(path).batches()) == 1
    assert audit_anchor.read(tmp_path / "nothing.log") == []


@pytest.mark.postgres
def test_on_postgresql_the_audit_log_refuses_update_and_delete(postgres_url, incidents_few):
    import psycopg

    from threatmon.store import postgres

    two_loads(postgres_url, incidents_few)
    for statement in ("UPDATE audit SET user_name = 'mallory'", "DELETE FROM audit"):
        with (
            postgres.connect(postgres_url) as con,
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
        ):
            con.execute(statement)
