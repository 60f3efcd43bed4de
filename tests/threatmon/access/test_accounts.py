"""The accounts store, each test on both backends: a SQLite file and a PostgreSQL database.

PostgreSQL-only behaviour (where the accounts go, sharing between instances, concurrency,
the URL's password) is tested in test_accounts_postgres.py.
"""

import contextlib
import datetime as dt
import hashlib
import sqlite3

import pandas as pd
import psycopg
import pytest

from threatmon.access.accounts import (
    SIGN_IN_FAILED,
    Accounts,
    LoginPolicy,
    resolve_accounts_path,
)
from threatmon.access.roles import (
    DEMO_PRINCIPAL,
    Permission,
    Principal,
    Role,
    SessionLimits,
    parse_scope,
)
from threatmon.access.sessions import OpenSession, is_token
from threatmon.errors import (
    AccessDeniedError,
    AccountError,
    AuthenticationError,
    SessionEndedError,
)
from threatmon.store.audit import verify_chain

PASSWORD = "correct horse battery"
#: What a refused statement raises, on either backend.
DB_ERRORS = (sqlite3.DatabaseError, psycopg.Error)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def location(request, tmp_path):
    """Where a test's accounts live: a new SQLite file, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "a.sqlite"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def accounts(location):
    book = Accounts(location, LoginPolicy(max_failures=3))
    book.add("ana", "analyst", password=PASSWORD, scope=("MD",), by="root")
    return book


@contextlib.contextmanager
def raw(accounts):
    """A connection straight to the accounts' database, past :class:`Accounts`, in
    autocommit mode; ``execute`` takes statements without parameters on both backends."""
    if accounts.url is not None:
        with psycopg.connect(accounts.url, autocommit=True) as con:
            yield con
    else:
        con = sqlite3.connect(accounts.path, isolation_level=None)
        try:
            yield con
        finally:
            con.close()


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
    with raw(accounts) as con:
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
    with raw(accounts) as con:
        with pytest.raises(DB_ERRORS) as caught:
            con.execute("UPDATE access_log SET user_name = 'x' WHERE seq = 1")
        assert str(caught.value).splitlines()[0] == "the access log is append-only"
        with pytest.raises(DB_ERRORS) as caught:
            con.execute("DELETE FROM access_log")
        assert str(caught.value).splitlines()[0] == "the access log is append-only"
        # An edit made with the triggers dropped is still found by the hash chain.
        on_table = " ON access_log" if accounts.url else ""
        con.execute(f"DROP TRIGGER access_log_no_update{on_table}")
        con.execute("UPDATE access_log SET user_name = 'x' WHERE seq = 2")
    assert verify_chain(accounts.access_log()) == 2
    assert len(accounts.access_log()) == 2  # nothing was deleted


def test_no_accounts_file_means_no_users(location):
    book = Accounts(location)
    assert not book.has_users()
    assert book.users().empty
    assert book.access_log().empty
    assert book.principal("anyone") is None
    assert not book.exists()  # and reading created nothing
    book.log("root", "export", "table:overview")
    assert book.exists()
    assert not book.has_users()


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


# -- sessions ---------------------------------------------------------------------------------

LIMITS = SessionLimits(idle=dt.timedelta(minutes=30), longest=dt.timedelta(hours=12))
T0 = dt.datetime(2026, 1, 1, 8, 0)


def _minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def _session_rows(accounts) -> list[tuple]:
    """The sessions table as stored, straight from the database."""
    with raw(accounts) as con:
        return con.execute(
            "SELECT token_sha256, user_name, created_at, seen_at, ended_at, ended_reason "
            "FROM sessions ORDER BY id"
        ).fetchall()


def _ended(accounts, token: str, limits=LIMITS, now=None) -> str:
    """The reason a touch of ``token`` is refused (the test fails if it is not)."""
    with pytest.raises(SessionEndedError) as caught:
        accounts.touch_session(token, limits, now=now or _minutes(1))
    assert str(caught.value) == f"The session has ended ({caught.value.reason})."
    return caught.value.reason


def test_a_session_is_opened_touched_resumed_and_ended(accounts):
    token = accounts.open_session("ana", now=T0)
    assert is_token(token)
    ana = Principal("ana", "analyst", ("MD",), "local")
    assert accounts.touch_session(token, LIMITS, now=_minutes(10)) == ana
    resumed = accounts.resume_session(token, LIMITS, now=_minutes(20))
    assert resumed == OpenSession(ana, T0)  # signed in when the password was typed
    assert accounts.end_session(token, now=_minutes(25)) is True
    assert accounts.end_session(token, now=_minutes(26)) is False  # already ended
    assert _ended(accounts, token, now=_minutes(27)) == "signed_out"
    ((_, name, created, seen, ended, reason),) = _session_rows(accounts)
    assert (name, created, seen, ended, reason) == (
        "ana",
        "2026-01-01T08:00:00.000000",
        "2026-01-01T08:20:00.000000",
        "2026-01-01T08:25:00.000000",
        "signed_out",
    )


def test_the_token_is_stored_only_as_its_sha256(accounts):
    token = accounts.open_session("ana")
    ((digest, *_),) = _session_rows(accounts)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    if accounts.path is not None:  # the file's bytes; PostgreSQL's files are the server's
        stored = b"".join(p.read_bytes() for p in accounts.path.parent.glob("a.sqlite*"))
        assert token.encode() not in stored
        assert digest.encode() in stored


def test_two_sign_ins_get_two_different_tokens(accounts):
    first, second = accounts.open_session("ana"), accounts.open_session("ana")
    assert first != second
    accounts.end_session(first)
    assert accounts.touch_session(second, LIMITS).name == "ana"


@pytest.mark.parametrize(
    "token",
    ["", "not a token", "x" * 43, "A" * 42, "A" * 44, "A" * 42 + "=", "<script>" + "A" * 35],
)
def test_an_unknown_or_malformed_token_resumes_nothing(accounts, token):
    accounts.open_session("ana")
    with pytest.raises(SessionEndedError) as caught:
        accounts.resume_session(token, LIMITS)
    assert caught.value.reason == "unknown"
    assert str(caught.value) == "The session has ended (unknown)."
    assert accounts.access_log()["action"].tolist() == ["account_add"]


def test_clicks_are_written_at_most_once_a_minute(accounts):
    token = accounts.open_session("ana", now=T0)
    accounts.touch_session(token, LIMITS, now=T0 + dt.timedelta(seconds=59))
    assert _session_rows(accounts)[0][3] == "2026-01-01T08:00:00.000000"
    accounts.touch_session(token, LIMITS, now=T0 + dt.timedelta(seconds=61))
    assert _session_rows(accounts)[0][3] == "2026-01-01T08:01:01.000000"


def test_a_busy_session_under_a_short_idle_limit_stays_open(accounts):
    """A 15 s idle limit: clicks every 10 s for a minute keep the session (they are written
    every quarter of the limit, not once a minute)."""
    short = SessionLimits(idle=dt.timedelta(seconds=15), longest=dt.timedelta(hours=12))
    token = accounts.open_session("ana", now=T0)
    for seconds in range(10, 70, 10):
        now = T0 + dt.timedelta(seconds=seconds)
        assert accounts.touch_session(token, short, now=now).name == "ana"
    assert _ended(accounts, token, short, now=T0 + dt.timedelta(seconds=90)) == "expired"


def test_an_idle_session_expires_and_the_expiry_is_logged_once(accounts):
    token = accounts.open_session("ana", now=T0)
    accounts.touch_session(token, LIMITS, now=_minutes(29))
    assert accounts.touch_session(token, LIMITS, now=_minutes(59)).name == "ana"  # 30 min idle
    assert _ended(accounts, token, now=_minutes(89.5)) == "expired"
    assert _ended(accounts, token, now=_minutes(90)) == "expired"  # stays ended, no new entry
    last = accounts.access_log().iloc[-1]
    assert (last["user_name"], last["action"], last["target"], last["details"]) == (
        "ana",
        "session_expired",
        "user:ana",
        '{"limit": "idle"}',
    )
    assert accounts.access_log()["action"].tolist().count("session_expired") == 1
    assert _session_rows(accounts)[0][4:] == ("2026-01-01T09:29:30.000000", "expired")


def test_a_session_ends_after_the_longest_time_however_busy(accounts):
    token = accounts.open_session("ana", now=T0)
    for minutes in range(20, 12 * 60, 20):  # a click every 20 minutes, never idle
        accounts.touch_session(token, LIMITS, now=_minutes(minutes))
    assert accounts.touch_session(token, LIMITS, now=T0 + dt.timedelta(hours=12)).name == "ana"
    with pytest.raises(SessionEndedError) as caught:
        accounts.resume_session(token, LIMITS, now=T0 + dt.timedelta(hours=12, minutes=1))
    assert caught.value.reason == "expired"
    assert accounts.access_log()["details"].iloc[-1] == '{"limit": "longest"}'


def test_disabling_an_account_ends_its_sessions_for_good(accounts):
    accounts.add("eva", "viewer", password=PASSWORD, by="root")
    first, second = accounts.open_session("ana"), accounts.open_session("ana")
    other = accounts.open_session("eva")
    accounts.set_disabled("ana", True, by="root")
    last = accounts.access_log().iloc[-1]
    assert (last["action"], last["details"]) == ("account_disable", '{"sessions_ended": 2}')
    accounts.set_disabled("ana", False, by="root")
    assert pd.isna(accounts.access_log()["details"].iloc[-1])  # nothing ended
    assert (
        _ended(accounts, first) == _ended(accounts, second) == "disabled"
    )  # enabling revives none
    assert accounts.touch_session(other, LIMITS).name == "eva"
    accounts.set_disabled("ana", True, by="root")
    with pytest.raises(AccountError) as caught:
        accounts.open_session("ana")
    assert str(caught.value.problems[0]) == (
        "column 'name': Only an active local account has sessions. Got 'ana'."
    )


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(accounts):
    old = accounts.open_session("ana")
    accounts.set_password("ana", "another long secret", by="root")
    assert accounts.access_log()["details"].iloc[-1] == '{"sessions_ended": 1}'
    assert _ended(accounts, old) == "password_changed"
    new = accounts.open_session("ana")
    assert accounts.touch_session(new, LIMITS).name == "ana"


def test_a_role_change_reaches_an_open_session_at_its_next_click(accounts):
    token = accounts.open_session("ana")
    accounts.set_role("ana", "viewer", ("RO",), by="root")
    assert accounts.touch_session(token, LIMITS) == Principal("ana", "viewer", ("RO",))


def test_only_active_local_accounts_get_a_session(accounts):
    accounts.add("eva@police.example", "viewer", auth="oidc", by="root")
    for name, reason in (
        ("eva@police.example", "Only an active local account has sessions."),
        ("nobody", "No account has this name."),
    ):
        with pytest.raises(AccountError) as caught:
            accounts.open_session(name)
        assert str(caught.value) == f"Cannot open a session for {name!r}."
        assert caught.value.problems[0].reason == reason


def test_the_access_log_tells_sign_in_resume_and_expiry_apart(accounts):
    accounts.authenticate("ana", PASSWORD, now=T0)
    token = accounts.open_session("ana", now=T0)
    accounts.resume_session(token, LIMITS, now=_minutes(5))
    accounts.touch_session(token, LIMITS, now=_minutes(6))  # a click: not logged
    with pytest.raises(SessionEndedError):
        accounts.resume_session(token, LIMITS, now=_minutes(40))
    log = accounts.access_log()
    assert log["action"].tolist() == ["account_add", "login", "session_resumed", "session_expired"]
    assert log["target"].tolist()[1:] == ["user:ana"] * 3
    assert verify_chain(log) is None


def test_an_accounts_file_from_before_sessions_gains_the_table(location):
    """A file written by the previous version: users and log only, no sessions table."""
    book = Accounts(location)
    book.add("ana", "analyst", password=PASSWORD, by="root")
    with raw(book) as con:
        con.execute("DROP TABLE sessions")
    token = book.open_session("ana")
    assert book.touch_session(token, LIMITS).name == "ana"


def test_session_limits_come_from_the_environment_and_must_be_positive(monkeypatch):
    monkeypatch.setenv("THREATMON_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("THREATMON_SESSION_HOURS", "1.5")
    assert SessionLimits.from_env() == SessionLimits(
        dt.timedelta(minutes=5), dt.timedelta(hours=1.5)
    )
    monkeypatch.setenv("THREATMON_SESSION_HOURS", "0")
    with pytest.raises(ValueError) as caught:
        SessionLimits.from_env()
    assert str(caught.value) == "$THREATMON_SESSION_HOURS must be positive. Got '0'."
    monkeypatch.setenv("THREATMON_SESSION_HOURS", "soon")
    with pytest.raises(ValueError) as caught:
        SessionLimits.from_env()
    assert str(caught.value) == "$THREATMON_SESSION_HOURS must be a number. Got 'soon'."
    with pytest.raises(ValueError) as caught:
        SessionLimits(idle=dt.timedelta(0))
    assert str(caught.value) == "SessionLimits.idle must be positive. Got 0:00:00."


def test_an_entry_logged_once_is_not_logged_again_with_the_same_details(location):
    accounts = Accounts(location)
    details = {"auth": "oidc", "token_issued_at": "2026-11-22T08:00:00"}
    assert accounts.log_once("eva", "login", "user:eva", details) is True
    assert accounts.log_once("eva", "login", "user:eva", dict(reversed(details.items()))) is False
    assert accounts.log_once("ana", "login", "user:ana", details) is True
    later = {**details, "token_issued_at": "2026-11-22T20:00:00"}
    assert accounts.log_once("eva", "login", "user:eva", later) is True
    assert accounts.access_log()["user_name"].tolist() == ["eva", "ana", "eva"]
