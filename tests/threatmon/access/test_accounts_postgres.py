"""Accounts on PostgreSQL: where they go, shared by several instances, safe under concurrency,
and never showing the URL's password. test_accounts.py runs every other accounts test on
PostgreSQL as well as on SQLite."""

import threading
import time

import psycopg
import pytest

from threatmon import cli
from threatmon.access.accounts import (
    SIGN_IN_FAILED,
    Accounts,
    LoginPolicy,
    resolve_accounts_path,
    store_location_text,
)
from threatmon.access.database import PG_LOCK
from threatmon.access.roles import Principal, SessionLimits
from threatmon.errors import AuthenticationError, SessionEndedError, StoreError
from threatmon.store import postgres
from threatmon.store.audit import verify_chain
from threatmon.store.postgres import redact

PASSWORD = "correct horse battery"
LIMITS = SessionLimits()
STORE_TABLES = set(postgres.STORE_TABLES)
ACCOUNT_TABLES = {"users", "access_log", "sessions"}


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {name for (name,) in rows}


def _with_password(url: str, password: str) -> str:
    """``url`` (``postgresql://postgres@/…``) with a password; the test cluster trusts
    local connections, so any password is accepted."""
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{password}@", 1)


# -- where the accounts live ------------------------------------------------------------------


def test_a_store_on_postgres_keeps_the_accounts_in_its_own_database(monkeypatch, tmp_path):
    url = "postgresql://analyst:s3cret@db.example:5432/threatmon?sslmode=require"
    monkeypatch.delenv("THREATMON_ACCOUNTS", raising=False)
    monkeypatch.setenv("THREATMON_DB", url)
    assert resolve_accounts_path() == url  # the URL itself, not a path made of it
    monkeypatch.setenv("THREATMON_DB", str(tmp_path / "x.duckdb"))
    assert resolve_accounts_path(None, f" {url} ") == url  # --db wins over $THREATMON_DB
    assert resolve_accounts_path() == tmp_path / "x.duckdb.accounts.sqlite"
    monkeypatch.setenv("THREATMON_DB", url)
    assert resolve_accounts_path(None, tmp_path / "y.duckdb") == (
        tmp_path / "y.duckdb.accounts.sqlite"
    )


def test_threatmon_accounts_may_name_another_postgres_database(monkeypatch, tmp_path):
    other = "postgres://auth@accounts.example/threatmon_accounts"
    monkeypatch.setenv("THREATMON_DB", str(tmp_path / "x.duckdb"))
    monkeypatch.setenv("THREATMON_ACCOUNTS", other)
    assert resolve_accounts_path() == other
    assert resolve_accounts_path(tmp_path / "a.sqlite") == tmp_path / "a.sqlite"
    monkeypatch.setenv("THREATMON_ACCOUNTS", str(tmp_path / "b.sqlite"))
    assert resolve_accounts_path(other) == other
    book = Accounts(other)
    assert (book.url, book.path) == (other, None)


def test_the_accounts_tables_sit_beside_the_stores_without_clashing(monkeypatch, postgres_url):
    with postgres.connect(postgres_url) as con:
        postgres.migrate(con)
    assert _tables(postgres_url) == STORE_TABLES
    monkeypatch.delenv("THREATMON_ACCOUNTS", raising=False)
    monkeypatch.setenv("THREATMON_DB", postgres_url)
    book = Accounts()
    assert book.url == postgres_url
    assert not book.exists()  # the store's tables are not accounts
    book.add("ana", "analyst", password=PASSWORD, by="root")
    assert book.exists()
    assert _tables(postgres_url) == STORE_TABLES | ACCOUNT_TABLES
    assert book.authenticate("ana", PASSWORD).name == "ana"


def test_reading_an_empty_database_creates_nothing(postgres_url):
    book = Accounts(postgres_url)
    assert not book.exists()
    assert not book.has_users()
    assert book.users().empty
    assert book.access_log().empty
    assert book.principal("ana") is None
    assert _tables(postgres_url) == set()


def test_the_schema_is_restored_when_part_of_it_is_missing(postgres_url):
    book = Accounts(postgres_url)
    book.log("root", "export", "table:overview")
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("DROP TRIGGER access_log_no_delete ON access_log")
    book.log("root", "export", "table:regions")  # the next operation recreates it
    with psycopg.connect(postgres_url, autocommit=True) as con:
        for statement in ("DELETE FROM access_log", "TRUNCATE access_log"):
            with pytest.raises(psycopg.errors.RaiseException) as caught:
                con.execute(statement)
            assert caught.value.diag.message_primary == "the access log is append-only"
    assert len(book.access_log()) == 2


# -- several dashboard instances on one database ----------------------------------------------


def test_two_instances_share_accounts_lockouts_sessions_and_the_log(postgres_url):
    first = Accounts(postgres_url, LoginPolicy(max_failures=3))
    second = Accounts(postgres_url, LoginPolicy(max_failures=3))
    first.add("ana", "analyst", password=PASSWORD, scope=("MD",), by="root")
    assert second.principal("ana") == Principal("ana", "analyst", ("MD",), "local")
    # Failures counted by either instance lock the account on both.
    for book in (first, second, first):
        with pytest.raises(AuthenticationError) as caught:
            book.authenticate("ana", "not the password")
        assert caught.value.reason == "wrong_password"
    with pytest.raises(AuthenticationError) as caught:
        second.authenticate("ana", PASSWORD)
    assert (str(caught.value), caught.value.reason) == (SIGN_IN_FAILED, "locked")
    second.set_password("ana", "another long secret", by="root")
    assert first.authenticate("ana", "another long secret").name == "ana"
    # A session opened by one instance is resumed by the other and ended for both.
    token = first.open_session("ana")
    assert second.resume_session(token, LIMITS).principal.name == "ana"
    assert second.end_session(token) is True
    with pytest.raises(SessionEndedError) as caught:
        first.touch_session(token, LIMITS)
    assert str(caught.value) == "The session has ended (signed_out)."
    log = first.access_log()
    assert log["action"].tolist() == [
        "account_add",
        "login_failed",
        "login_failed",
        "login_failed",
        "login_failed",
        "account_password",
        "login",
        "session_resumed",
    ]
    assert log.equals(second.access_log())
    assert verify_chain(log) is None


def test_concurrent_appends_make_one_unbroken_chain(postgres_url):
    """Eight threads, as eight dashboard instances, on a database with no tables yet."""
    books = [Accounts(postgres_url) for _ in range(8)]
    start = threading.Barrier(len(books))
    errors = []

    def append(index: int, book: Accounts) -> None:
        try:
            start.wait()
            for n in range(10):
                book.log(f"user{index}", "export", f"table:{n}")
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=append, args=pair) for pair in enumerate(books)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = books[0].access_log()
    assert log["seq"].tolist() == list(range(1, 81))
    assert log["user_name"].value_counts().to_dict() == {f"user{i}": 10 for i in range(8)}
    assert verify_chain(log) is None


def test_concurrent_failed_sign_ins_are_all_counted(postgres_url):
    Accounts(postgres_url).add("ana", "analyst", password=PASSWORD, by="root")
    books = [Accounts(postgres_url, LoginPolicy(max_failures=6)) for _ in range(6)]
    start = threading.Barrier(len(books))
    reasons = []

    def fail(book: Accounts) -> None:
        start.wait()
        try:
            book.authenticate("ana", "not the password")
        except AuthenticationError as exc:
            reasons.append(exc.reason)

    threads = [threading.Thread(target=fail, args=(book,)) for book in books]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reasons == ["wrong_password"] * 6
    users = books[0].users().set_index("name")
    assert users.loc["ana", "failed_attempts"] == 6
    assert users.loc["ana", "locked_until"] is not None
    assert verify_chain(books[0].access_log()) is None


def test_an_operation_waits_for_the_advisory_lock(postgres_url):
    book = Accounts(postgres_url)
    book.log("root", "export", "table:overview")
    done = threading.Event()
    with psycopg.connect(postgres_url) as holder:  # not autocommit: the lock lasts
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [PG_LOCK])
        worker = threading.Thread(target=lambda: (book.log("ana", "logout"), done.set()))
        worker.start()
        time.sleep(0.5)
        assert not done.is_set()  # queued behind the other instance's transaction
        holder.commit()
        worker.join(timeout=30)
    assert done.is_set()
    assert book.access_log()["action"].tolist() == ["export", "logout"]


# -- the URL's password -----------------------------------------------------------------------


def test_redact_hides_only_the_password():
    assert redact("postgresql://ana:s3cret@db.example:5432/threatmon") == (
        "postgresql://ana:***@db.example:5432/threatmon"
    )
    assert redact("postgresql://ana@db/threatmon?sslmode=require") == (
        "postgresql://ana@db/threatmon?sslmode=require"
    )
    assert redact("postgresql:///threatmon?host=/run/pg&password=s3cret&user=ana") == (
        "postgresql:///threatmon?host=/run/pg&password=***&user=ana"
    )


def test_the_password_never_shows_in_repr_or_messages(monkeypatch, capsys, postgres_url):
    url = _with_password(postgres_url, "s3cret")
    shown = _with_password(postgres_url, "***")
    book = Accounts(url)
    assert repr(book) == f"Accounts({shown!r})"
    assert book.location == shown
    monkeypatch.delenv("THREATMON_ACCOUNTS", raising=False)
    monkeypatch.setenv("THREATMON_DB", url)
    assert store_location_text() == shown
    assert cli.main(["users", "list"]) == 0
    assert capsys.readouterr().out == (
        f"No accounts in {shown}. Add one with `threatmon users add`.\n"
    )
    book.add("ana", "analyst", password=PASSWORD, by="root")
    assert cli.main(["users", "list", "--db", url]) == 0
    assert "s3cret" not in capsys.readouterr().out


def test_an_unreachable_database_is_named_without_its_password():
    book = Accounts("postgresql://ana:s3cret@127.0.0.1:1/threatmon?connect_timeout=5")
    with pytest.raises(StoreError) as caught:
        book.has_users()
    message = str(caught.value)
    assert message.startswith(
        "Cannot open the accounts database at "
        "postgresql://ana:***@127.0.0.1:1/threatmon?connect_timeout=5: "
    )
    assert "s3cret" not in message
