"""The access log's trail: with its triggers dropped, a deleted last entry is caught by the
anchor and a re-sealed edit by its MAC; an accounts file from before MACs is keyed on."""

import sqlite3

import pandas as pd
import pytest

from threatmon.access.accounts import Accounts
from threatmon.store import audit
from threatmon.store.audit_check import verify_trail
from threatmon.store.reader import Store

KEY = "k" * 40


@pytest.fixture
def anchor(monkeypatch, tmp_path):
    path = tmp_path / "anchor.log"
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    monkeypatch.setenv("THREATMON_AUDIT_ANCHOR", str(path))
    return path


def three_entries() -> Accounts:
    accounts = Accounts()
    for user in ("ana", "bob", "eve"):
        accounts.log(user, "export", "incidents", {"rows": 3})
    return accounts


def check(tmp_path, accounts):
    return verify_trail(Store(tmp_path / "no-store.duckdb"), accounts)


def untriggered(accounts: Accounts) -> sqlite3.Connection:
    """The accounts file opened by someone who drops the append-only triggers first."""
    con = sqlite3.connect(accounts.path, isolation_level=None)
    con.execute("DROP TRIGGER access_log_no_update")
    con.execute("DROP TRIGGER access_log_no_delete")
    return con


def test_the_triggers_refuse_a_delete(tmp_path, anchor):
    accounts = three_entries()
    with (
        sqlite3.connect(accounts.path) as con,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        con.execute("DELETE FROM access_log WHERE seq = 3")


def test_a_clean_log_verifies_keyed_and_anchored(tmp_path, anchor):
    result = check(tmp_path, three_entries())
    assert result.ok
    assert result.logs["access"].to_json() == {"entries": 3, "last": 3, "keyed_from": 1}
    assert [line.split()[:2] for line in anchor.read_text().splitlines()] == [
        ["access", "1"],
        ["access", "2"],
        ["access", "3"],
    ]


def test_deleting_the_last_entries_after_dropping_the_triggers_is_caught_by_the_anchor(
    tmp_path, anchor
):
    accounts = three_entries()
    with untriggered(accounts) as con:
        con.execute("DELETE FROM access_log WHERE seq >= 2")
    found = check(tmp_path, accounts).findings
    assert [(f.log, f.entry, f.kind) for f in found] == [("access", 2, "truncated")]


def test_an_edit_resealed_after_dropping_the_triggers_is_caught_by_its_mac(tmp_path, anchor):
    accounts = three_entries()
    log = accounts.access_log()
    log.loc[log["seq"] == 2, "user_name"] = "mallory"
    prev = audit.GENESIS
    with untriggered(accounts) as con:
        for row in log.itertuples(index=False):
            row = row._replace(prev_hash=prev)
            digest = audit.content_hash(row)
            con.execute(
                "UPDATE access_log SET user_name = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                [row.user_name, prev, digest, int(row.seq)],
            )
            prev = digest
    found = check(tmp_path, accounts).findings
    assert [(f.entry, f.kind) for f in found] == [(2, "mac"), (3, "mac")]


def test_an_edit_after_dropping_the_triggers_is_caught(tmp_path):
    accounts = three_entries()
    with untriggered(accounts) as con:
        con.execute("UPDATE access_log SET user_name = 'mallory' WHERE seq = 2")
    assert [(f.entry, f.kind) for f in check(tmp_path, accounts).findings] == [(2, "edited")]


def test_an_accounts_file_from_before_macs_is_keyed_from_its_next_entry(
    tmp_path, private_accounts, monkeypatch
):
    at = pd.Timestamp("2025-01-02 03:04:05.123456").to_pydatetime()
    digest = audit.entry_hash(audit.GENESIS, 1, at, "ana", "login", "user:ana", None)
    with sqlite3.connect(private_accounts) as con:
        con.execute(
            "CREATE TABLE access_log (seq INTEGER PRIMARY KEY, logged_at TEXT NOT NULL, "
            "user_name TEXT NOT NULL, action TEXT NOT NULL, target TEXT, details TEXT, "
            "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
        )
        con.execute(
            "INSERT INTO access_log VALUES (1, ?, 'ana', 'login', 'user:ana', NULL, ?, ?)",
            [at.isoformat(timespec="microseconds"), audit.GENESIS, digest],
        )
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    accounts = Accounts()
    accounts.log("ana", "logout", "user:ana")
    log = accounts.access_log()
    assert log["mac"].isna().tolist() == [True, False]
    result = check(tmp_path, accounts)
    assert result.ok
    assert result.logs["access"].keyed_from == 2


def test_on_postgresql_an_old_log_gains_its_mac_and_a_deleted_last_entry_is_caught(
    postgres_url, tmp_path, anchor
):
    import psycopg

    at = pd.Timestamp("2025-01-02 03:04:05.123456").to_pydatetime()
    digest = audit.entry_hash(audit.GENESIS, 1, at, "ana", "login", "user:ana", None)
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE access_log (seq INTEGER PRIMARY KEY, logged_at TEXT NOT NULL, "
            "user_name TEXT NOT NULL, action TEXT NOT NULL, target TEXT, details TEXT, "
            "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
        )
        con.execute(
            "INSERT INTO access_log VALUES (1, %s, 'ana', 'login', 'user:ana', NULL, %s, %s)",
            [at.isoformat(timespec="microseconds"), audit.GENESIS, digest],
        )
    accounts = Accounts(postgres_url)
    accounts.log("ana", "logout", "user:ana")
    accounts.log("bob", "export", "incidents")
    result = check(tmp_path, accounts)
    assert result.ok and result.logs["access"].keyed_from == 2
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("DROP TRIGGER access_log_no_delete ON access_log")
        con.execute("DELETE FROM access_log WHERE seq = 3")
    found = check(tmp_path, accounts).findings
    assert [(f.log, f.entry, f.kind) for f in found] == [("access", 3, "truncated")]
