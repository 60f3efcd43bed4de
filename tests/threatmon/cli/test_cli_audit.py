"""`threatmon audit verify`: exit 0 for a clean trail, 1 with one line (or JSON record) per
finding, 2 for usage errors; and the CLI's entries say who ran it."""

import io
import json
import os
import shutil

import duckdb
import pytest

from threatmon.access.accounts import Accounts
from threatmon.cli import main
from threatmon.store.reader import Store

GOOD = "date,region,crime,count\n2026-01-05,Cahul,cbrne,1\n2026-01-06,Bălți,cybercrime,2\n"
KEY = "k" * 40


@pytest.fixture
def loaded(tmp_path, capsys, monkeypatch):
    """A new store with one file loaded by `ingest --user ana`, run by the OS user root."""
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    db = tmp_path / "store.duckdb"
    source = tmp_path / "good.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert main(["ingest", str(source), "--db", str(db), "--user", "ana"]) == 0
    capsys.readouterr()
    return db


def verify(db, capsys, *more) -> tuple[int, str, str]:
    code = main(["audit", "verify", "--db", str(db), *more])
    out, err = capsys.readouterr()
    return code, out, err


def delete_entry(db, seq: int) -> None:
    copy = db.with_name("tampered.duckdb")
    shutil.copyfile(db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM audit WHERE seq = ?", [seq])
    os.replace(copy, db)


def test_a_clean_store_verifies_with_exit_0(loaded, capsys):
    assert verify(loaded, capsys) == (
        0,
        "note: unkeyed: edits re-sealed by someone with file access cannot be detected.\n"
        "note: no anchor: deleting the last entries of a log cannot be detected "
        "(set THREATMON_AUDIT_ANCHOR).\n"
        "The audit trail verifies: the store log (2 entries) and the access log (0 entries).\n",
        "",
    )


def test_a_deleted_load_entry_exits_1_with_one_line_per_finding(loaded, capsys):
    delete_entry(loaded, 2)
    code, out, _ = verify(loaded, capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "store log (no_load_entry): Batch 1 (good.csv) is in the store, but the log has no "
        "load entry for it: the entry was deleted, or the batch was added outside Threat Monitor."
    )
    assert out.splitlines()[-1] == (
        "1 finding: the audit trail was changed outside Threat Monitor, or written without "
        "its key or anchor."
    )


def test_the_json_lists_each_finding_with_log_entry_kind_and_reason(tmp_path, capsys, monkeypatch):
    anchor = tmp_path / "anchor.log"
    monkeypatch.setenv("THREATMON_AUDIT_KEY", KEY)
    monkeypatch.setenv("THREATMON_AUDIT_ANCHOR", str(anchor))
    db = tmp_path / "store.duckdb"
    source = tmp_path / "good.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert main(["ingest", str(source), "--db", str(db), "--user", "ana"]) == 0
    capsys.readouterr()
    delete_entry(db, 2)
    code, out, _ = verify(db, capsys, "--json")
    assert code == 1
    assert json.loads(out) == {
        "ok": False,
        "keyed": True,
        "anchor": str(anchor),
        "logs": {
            "store": {"entries": 1, "last": 1, "keyed_from": 1},
            "access": {"entries": 0, "last": None, "keyed_from": None},
        },
        "findings": [
            {
                "log": "store",
                "entry": None,
                "kind": "no_load_entry",
                "reason": "Batch 1 (good.csv) is in the store, but the log has no load entry "
                "for it: the entry was deleted, or the batch was added outside Threat Monitor.",
            },
            {
                "log": "store",
                "entry": 2,
                "kind": "truncated",
                "reason": "The anchor holds entries up to 2, but the log ends at entry 1: its "
                "last entries were deleted.",
            },
        ],
        "notes": [],
    }


def test_the_cli_records_the_os_user_beside_the_named_user(loaded, capsys):
    load = Store(loaded).audit().iloc[-1]
    assert (load["user_name"], load["action"]) == ("ana", "load")
    details = json.loads(load["details"])
    assert (details["via"], details["os_user"]) == ("cli", "root")


def test_users_commands_record_it_in_the_access_log(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    assert main(["users", "add", "ana", "--role", "analyst", "--password-stdin"]) == 0
    entry = Accounts().access_log().iloc[-1]
    assert (entry["user_name"], entry["action"]) == ("root", "account_add")
    assert json.loads(entry["details"])["via"] == "cli"


def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch):
    assert verify(tmp_path / "none.duckdb", capsys)[0] == 2
    with pytest.raises(SystemExit) as caught:
        main(["audit"])
    assert caught.value.code == 2
    capsys.readouterr()
    db = tmp_path / "store.duckdb"
    assert main(["migrate", "--db", str(db)]) == 0
    monkeypatch.setenv("THREATMON_AUDIT_KEY_FILE", str(tmp_path / "no-key"))
    code, _, err = verify(db, capsys)
    assert code == 2
    assert err == (
        f"error: $THREATMON_AUDIT_KEY_FILE names {tmp_path / 'no-key'}, which cannot be "
        "read: No such file or directory.\n"
    )
