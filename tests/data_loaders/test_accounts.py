import datetime as dt
import sqlite3

import pytest

from data_loaders.access import DEMO_PRINCIPAL, Permission, Principal, Role, parse_scope
from data_loaders.accounts import SIGN_IN_FAILED, Accounts, LoginPolicy, resolve_accounts_path
from data_loaders.audit import verify_chain
from data_loaders.errors import AccessDeniedError, AccountError, AuthenticationError

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path):
    book = Accounts(tmp_path / "a.sqlite", LoginPolicy(max_failures=3))
    book.add("ana", "analyst", password=PASSWORD, scope=("MD",), by="root")
    return book


def test_the_accounts_file_sits_beside_the_store_unless_configured(monkeypatch, tmp_path):
    monkeypatch.delenv("THREATMON_ACCOUNTS", raising=False)
    monkeypatch.setenv("THREATMON_DB", str(tmp_path / "x.duckdb"))
    assert resolve_accounts_path() == tmp_path / "x.duckdb.accounts.sqlite"
    monkeypatch.setenv("THREATMON_ACCOUNTS", str(tmp_path / "elsewhere.sqlite"))
    assert resolve_accounts_path() == tmp_path / "elsewhere.sqlite"


def test_a_correct_password_signs_in_with_role_and_scope(accounts):
    who = accounts.authenticate("ana", PASSWORD)
    assert who == Principal("ana", Role.ANALYST, ("MD",), "local")
    log = accounts.access_log()
    assert log["action"].tolist() == ["account_add", "login"]
    assert log["user_name"].tolist() == ["root", "ana"]


def test_the_password_is_stored_as_an_argon2id_hash_only(accounts):
    with sqlite3.connect(accounts.path) as con:
        (digest,) = con.execute("SELECT password_hash FROM users").fetchone()
    assert digest.startswith("$argon2id$")
    assert PASSWORD not in digest
    assert "password_hash" not in accounts.users().columns


@pytest.mark.parametrize(
    ("name", "password", "reason"),
    [
        ("ana", "wrong password!", "wrong_password"),
        ("nobody", PASSWORD, "unknown"),
        ("", PASSWORD, "unknown"),
    ],
)
def test_every_failed_sign_in_says_the_same_thing_and_logs_why(accounts, name, password, reason):
    with pytest.raises(AuthenticationError) as caught:
        accounts.authenticate(name, password)
    assert str(caught.value) == SIGN_IN_FAILED
    assert caught.value.reason == reason
    last = accounts.access_log().iloc[-1]
    assert last["action"] == "login_failed"
    assert f'"reason": "{reason}"' in last["details"]


def test_repeated_failures_lock_the_account_until_the_lockout_ends(accounts):
    start = dt.datetime(2026, 1, 1, 12, 0)
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            accounts.authenticate("ana", "not the password", now=start)
    with pytest.raises(AuthenticationError) as caught:
        accounts.authenticate("ana", PASSWORD, now=start + dt.timedelta(minutes=14))
    assert caught.value.reason == "locked"
    users = accounts.users().set_index("name")
    assert users.loc["ana", "failed_attempts"] == 3
    assert users.loc["ana", "locked_until"] == "2026-01-01T12:15:00.000000"
    assert (
        accounts.authenticate("ana", PASSWORD, now=start + dt.timedelta(minutes=16)).name == "ana"
    )
    assert accounts.users().set_index("name").loc["ana", "failed_attempts"] == 0


def test_a_success_resets_the_failure_count(accounts):
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            accounts.authenticate("ana", "not the password")
    accounts.authenticate("ana", PASSWORD)
    with pytest.raises(AuthenticationError) as caught:
        accounts.authenticate("ana", "not the password")
    assert caught.value.reason == "wrong_password"
    assert accounts.users().set_index("name").loc["ana", "failed_attempts"] == 1


def test_a_disabled_account_cannot_sign_in_and_has_no_principal(accounts):
    accounts.set_disabled("ana", True, by="root")
    with pytest.raises(AuthenticationError) as caught:
        accounts.authenticate("ana", PASSWORD)
    assert caught.value.reason == "disabled"
    assert accounts.principal("ana") is None
    assert accounts.has_users()  # a disabled last account still closes the door
    accounts.set_disabled("ana", False, by="root")
    assert accounts.principal("ana") == Principal("ana", "analyst", ("MD",), "local")


def test_a_new_password_works_and_lifts_a_lockout(accounts):
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            accounts.authenticate("ana", "not the password")
    accounts.set_password("ana", "another long secret", by="root")
    assert accounts.authenticate("ana", "another long secret").name == "ana"
    with pytest.raises(AuthenticationError):
        accounts.authenticate("ana", PASSWORD)


def test_weak_passwords_and_duplicate_names_are_refused_with_reasons(accounts):
    with pytest.raises(AccountError) as caught:
        accounts.add("bob", "viewer", password="bob-short", by="root")
    assert [str(p) for p in caught.value.problems] == [
        "column 'password': A password needs at least 12 characters; this one has 9.",
        "column 'password': A password must not contain the name.",
    ]
    with pytest.raises(AccountError) as caught:
        accounts.add("ana", "viewer", password=PASSWORD, by="root")
    assert str(caught.value.problems[0]) == (
        "column 'name': An account with this name exists already. Got 'ana'."
    )
    with pytest.raises(AccountError) as caught:
        accounts.add("carl", "boss", password=PASSWORD, by="root")
    assert caught.value.problems[0].reason == (
        "Not a role: 'boss'. Use one of: viewer, analyst, admin."
    )
    with pytest.raises(AccountError) as caught:
        accounts.set_password("nobody", PASSWORD, by="root")
    assert str(caught.value) == "Cannot change the password of 'nobody'."


def test_an_oidc_account_has_no_password_and_cannot_sign_in_locally(accounts):
    accounts.add("eva@police.example", "viewer", auth="oidc", by="root")
    with pytest.raises(AuthenticationError) as caught:
        accounts.authenticate("eva@police.example", "")
    assert caught.value.reason == "oidc_account"
    assert accounts.principal("eva@police.example", auth="oidc").role is Role.VIEWER
    assert accounts.principal("ana", auth="oidc") is None
    with pytest.raises(AccountError):
        accounts.add("fred@police.example", "viewer", auth="oidc", password=PASSWORD, by="root")


def test_role_and_scope_changes_take_effect_and_are_logged(accounts):
    accounts.set_role("ana", "viewer", ("MD", "RO"), by="root")
    assert accounts.principal("ana") == Principal("ana", "viewer", ("MD", "RO"))
    last = accounts.access_log().iloc[-1]
    assert (last["user_name"], last["action"], last["target"]) == (
        "root",
        "account_role",
        "user:ana",
    )


def test_the_access_log_is_append_only_and_hash_chained(accounts):
    accounts.log("ana", "export", "table:overview", {"rows": 12})
    log = accounts.access_log()
    assert verify_chain(log) is None
    with sqlite3.connect(accounts.path) as con, pytest.raises(sqlite3.DatabaseError) as caught:
        con.execute("UPDATE access_log SET user_name = 'x' WHERE seq = 1")
    assert "append-only" in str(caught.value)
    with sqlite3.connect(accounts.path) as con, pytest.raises(sqlite3.DatabaseError):
        con.execute("DELETE FROM access_log")
    # An edit made with the triggers dropped is still found by the hash chain.
    with sqlite3.connect(accounts.path) as con:
        con.execute("DROP TRIGGER access_log_no_update")
        con.execute("UPDATE access_log SET user_name = 'x' WHERE seq = 2")
    assert verify_chain(accounts.access_log()) == 2


def test_no_accounts_file_means_no_users(tmp_path):
    book = Accounts(tmp_path / "none.sqlite")
    assert not book.has_users()
    assert book.users().empty
    assert book.access_log().empty
    assert book.principal("anyone") is None
    assert not book.path.exists()


def test_roles_grant_what_the_issue_lists():
    viewer = Principal("v", "viewer")
    analyst = Principal("a", "analyst", ("MD",))
    admin = Principal("x", "admin")
    assert viewer.can(Permission.VIEW) and not viewer.can(Permission.UPLOAD)
    assert viewer.suppressed and not analyst.suppressed and not admin.suppressed
    assert analyst.can(Permission.UNDO_OWN) and not analyst.can(Permission.UNDO_ANY)
    assert not analyst.can(Permission.READ_AUDIT)
    assert all(admin.can(p) for p in Permission)
    assert analyst.in_scope("MD") and not analyst.in_scope("UA") and admin.in_scope("UA")
    assert viewer.cache_key != Principal("v2", "viewer", ("MD",)).cache_key
    assert DEMO_PRINCIPAL.auth == "demo"
    with pytest.raises(AccessDeniedError) as caught:
        viewer.require(Permission.UPLOAD)
    assert str(caught.value) == "v (viewer) may not upload."


def test_scopes_are_project_country_codes():
    assert parse_scope(" md, ro,MD ") == ("MD", "RO")
    assert parse_scope("") == ()
    with pytest.raises(ValueError) as caught:
        parse_scope("MD,FR")
    assert str(caught.value).startswith("Not a project country: FR. Use ISO codes among ")
