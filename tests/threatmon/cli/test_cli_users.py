"""`threatmon users`: accounts are managed from the shell, audited, never printed with secrets."""

import io
import json

import pytest

from threatmon.access.accounts import Accounts
from threatmon.cli import main

PASSWORD = "a long enough secret"


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    accounts = tmp_path / "acc.sqlite"

    def invoke(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["users", *argv, "--accounts", str(accounts)])
        out, err = capsys.readouterr()
        return code, out, err

    invoke.accounts = Accounts(accounts)
    return invoke


def test_add_list_passwd_disable_enable_role(run):
    assert run(
        "add",
        "ana",
        "--role",
        "analyst",
        "--scope",
        "md",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    ) == (
        0,
        "Added ana: analyst, MD, local password.\n",
        "",
    )
    assert run("add", "eva@police.example", "--role", "viewer", "--oidc")[1] == (
        "Added eva@police.example: viewer, all countries, signs in through OIDC.\n"
    )
    code, out, _ = run("list", "--json")
    listed = {row["name"]: row for row in json.loads(out)}
    assert (listed["ana"]["role"], listed["ana"]["scope"], listed["ana"]["auth"]) == (
        "analyst",
        "MD",
        "local",
    )
    assert "password_hash" not in listed["ana"] and PASSWORD not in out
    assert run.accounts.authenticate("ana", PASSWORD).scope == ("MD",)
    assert run("passwd", "ana", "--password-stdin", stdin="another fine secret\n")[1] == (
        "New password set for ana.\n"
    )
    assert run.accounts.authenticate("ana", "another fine secret").name == "ana"
    assert run("disable", "ana")[1] == "ana is disabled.\n"
    assert run.accounts.principal("ana") is None
    assert run("enable", "ana")[1] == "ana is enabled.\n"
    assert run("role", "ana", "--role", "viewer", "--scope", "")[1] == (
        "ana is now viewer, all countries.\n"
    )
    actions = run.accounts.access_log()["action"].tolist()
    assert actions == [
        "account_add",
        "account_add",
        "login",
        "account_password",
        "login",
        "account_disable",
        "account_enable",
        "account_role",
    ]


def test_refusals_are_errors_with_reasons(run):
    code, out, err = run("add", "bob", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert code == 2 and out == ""
    assert err == (
        "error: Cannot add the account 'bob'.\n"
        "  - column 'password': A password needs at least 12 characters; this one has 5.\n"
    )
    code, _, err = run("add", "bob", "--role", "viewer", "--scope", "MD,XX", "--oidc")
    assert (code, err) == (
        2,
        "error: Not a project country: XX. Use ISO codes among "
        "MD, UA, RO, PL, HU, SK, EE, LV, LT, GE.\n",
    )
    code, _, err = run("disable", "nobody")
    assert err == (
        "error: Cannot disable 'nobody'.\n"
        "  - column 'name': No account has this name. Got 'nobody'.\n"
    )
    assert run("list") == (
        0,
        f"No accounts in {run.accounts.path}. Add one with `threatmon users add`.\n",
        "",
    )
