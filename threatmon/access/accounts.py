"""Local accounts and the access log, in a small SQLite file beside the store.

Why not in the store: the store is copy-on-write (see :mod:`threatmon.store.writer`), so
every write copies the whole file. A failed sign-in must be counted at once and
cheaply, by several dashboard processes at the same time; SQLite does that with
its own locking. Loads and undos stay audited inside the store, in the same
transaction as the rows they change; this file logs everything else (sign-in,
failed sign-in, export, account changes). Both logs are hash chains, and SQLite
triggers refuse any UPDATE or DELETE of a logged entry.

Passwords are hashed with argon2id (``argon2-cffi`` defaults, RFC 9106 low-memory
profile). Five failed attempts in a row lock an account for 15 minutes; both numbers
are settings (:class:`LoginPolicy`).

A local sign-in also opens a server-side session (table ``sessions``) whose random
token the browser keeps in a cookie, so a reload or a new tab does not ask for the
password again. Only the token's sha256 is stored. Disabling an account or changing
its password ends its sessions in the same transaction.

With the store on PostgreSQL (``$THREATMON_DB`` is a ``postgresql://`` URL), the accounts
live in that same database instead (tables ``users``, ``access_log``, ``sessions``), so
every dashboard instance sharing the store shares sign-ins, lockouts, sessions and the
access log; ``$THREATMON_ACCOUNTS`` may name another PostgreSQL database. The SQL below is
written once, in SQLite's dialect, and run on either through :class:`_Connection`. On
PostgreSQL each operation is one transaction that first takes an advisory lock
(:data:`PG_LOCK`), as ``BEGIN IMMEDIATE`` takes SQLite's write lock: two instances counting
failures or appending to the log queue instead of forking the hash chain, and a PL/pgSQL
trigger refuses any UPDATE or DELETE of a logged entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psycopg_pool
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from threatmon.access.roles import Principal, Role, SessionLimits, parse_role
from threatmon.errors import (
    AccountError,
    AuthenticationError,
    Problem,
    SessionEndedError,
    StoreError,
)
from threatmon.store import postgres
from threatmon.store.audit import GENESIS, entry_hash
from threatmon.store.reader import DB_ENV_VAR, resolve_db_path

ACCOUNTS_ENV_VAR = "THREATMON_ACCOUNTS"
SUFFIX = ".accounts.sqlite"
MIN_PASSWORD_LENGTH = 12
LOCAL, OIDC = "local", "oidc"

#: Why a session ended, as stored in ``sessions.ended_reason`` and given by
#: :class:`SessionEndedError` (which adds ``unknown``: no session has that token).
SIGNED_OUT, EXPIRED, DISABLED, PASSWORD_CHANGED, UNKNOWN = (
    "signed_out",
    "expired",
    "disabled",
    "password_changed",
    "unknown",
)
#: A session's last click is written at most this often (see :meth:`Accounts.touch_session`).
TOUCH_EVERY = dt.timedelta(minutes=1)
# secrets.token_urlsafe(32): 256 random bits as 43 URL-safe base64 characters.
_TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")

#: What a person is told after any failed sign-in, whatever the reason.
SIGN_IN_FAILED = (
    "Wrong user name or password, or the account is locked or disabled. "
    "Ask an administrator if this keeps happening."
)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
        scope TEXT NOT NULL DEFAULT '',
        auth TEXT NOT NULL CHECK (auth IN ('local', 'oidc')),
        password_hash TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        last_login_at TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS access_log (
        seq INTEGER PRIMARY KEY,
        logged_at TEXT NOT NULL,
        user_name TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        details TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    """CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    # The token's sha256, never the token: a copy of this file resumes no session.
    """CREATE TABLE IF NOT EXISTS sessions (
        id INTEGER PRIMARY KEY,
        token_sha256 TEXT NOT NULL UNIQUE,
        user_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        ended_at TEXT,
        ended_reason TEXT
    )""",
    """CREATE INDEX IF NOT EXISTS sessions_open ON sessions (user_name)
       WHERE ended_at IS NULL""",
)

# The same tables on PostgreSQL: an identity column for the session ids SQLite numbers by
# itself, and one trigger function refusing UPDATE, DELETE and TRUNCATE of the log.
_PG_SCHEMA = (
    _SCHEMA[0],
    _SCHEMA[1],
    """CREATE TABLE IF NOT EXISTS sessions (
        id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        token_sha256 TEXT NOT NULL UNIQUE,
        user_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        ended_at TEXT,
        ended_reason TEXT
    )""",
    _SCHEMA[5],
    """CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$""",
    "DROP TRIGGER IF EXISTS access_log_no_update ON access_log",
    """CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
       FOR EACH ROW EXECUTE FUNCTION access_log_append_only()""",
    "DROP TRIGGER IF EXISTS access_log_no_delete ON access_log",
    """CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
       FOR EACH ROW EXECUTE FUNCTION access_log_append_only()""",
    # SQLite has no TRUNCATE; PostgreSQL's skips row triggers, so it is refused on its own.
    "DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log",
    """CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
       FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()""",
)
# Whether all of _PG_SCHEMA is in place: then an operation creates nothing.
_PG_SCHEMA_READY = """SELECT to_regclass('users') IS NOT NULL
    AND to_regclass('sessions_open') IS NOT NULL
    AND (SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('access_log')
         AND tgname IN ('access_log_no_update', 'access_log_no_delete',
                        'access_log_no_truncate')) = 3"""
#: pg_advisory_xact_lock key every operation on PostgreSQL holds ("TACC" in ASCII).
PG_LOCK = 0x54414343

# Verifying against this keeps a sign-in with an unknown name as slow as a real one.
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("threatmon: no such user")


def resolve_accounts_path(
    path: str | os.PathLike | None = None, db: str | os.PathLike | None = None
) -> Path | str:
    """Where the accounts live: a file's path, or a PostgreSQL URL (a ``str``).

    The argument, else ``$THREATMON_ACCOUNTS``, else beside the store: in the store's
    own database when the store (``db``, else ``$THREATMON_DB``) is a PostgreSQL URL,
    otherwise in the file of the store's path + ``.accounts.sqlite``.
    """
    for given in (path, os.environ.get(ACCOUNTS_ENV_VAR)):
        if given:
            return given.strip() if postgres.is_postgres_url(given) else Path(given)
    # Before resolve_db_path, which would read a URL as a path.
    store_location = db or os.environ.get(DB_ENV_VAR)
    if postgres.is_postgres_url(store_location):
        return store_location.strip()
    store = resolve_db_path(db)
    return store.with_name(store.name + SUFFIX)


#: A URL as it may be shown (both ways of giving a password hidden).
redact = postgres.redact


def store_location_text(db: str | os.PathLike | None = None) -> str:
    """The store's location (``db``, else ``$THREATMON_DB``) as it may be shown or typed:
    a PostgreSQL URL without its password, or the store file's path."""
    location = db or os.environ.get(DB_ENV_VAR)
    if postgres.is_postgres_url(location):
        return redact(location.strip())
    return str(resolve_db_path(db))


class _Connection:
    """One operation's transaction on SQLite or PostgreSQL, taking this module's SQL.

    The statements are written once, with SQLite's ``?`` parameters; for psycopg,
    :func:`threatmon.store.postgres.to_pyformat` turns them into ``%s`` (string literals
    kept). Only ``execute`` is offered; it returns a cursor (``fetchone``, ``fetchall``,
    ``rowcount``) on either backend.
    """

    def __init__(self, raw, postgres: bool) -> None:
        self._raw = raw
        self.postgres = postgres

    def execute(self, statement: str, params: Sequence = ()):
        if self.postgres:
            return self._raw.execute(postgres.to_pyformat(statement), list(params))
        return self._raw.execute(statement, params)


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures in a row lock an account, and for how long."""

    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class OpenSession:
    """A session that still signs someone in: who, and when they typed their password."""

    principal: Principal
    signed_in_at: dt.datetime


def is_token(text: str) -> bool:
    """Whether ``text`` has the shape of a session token (and so is safe in a cookie)."""
    return _TOKEN.fullmatch(text) is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _details_text(details: dict | None) -> str | None:
    """An entry's details as logged (and hashed): JSON with sorted keys, or NULL."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def check_password(password: str, name: str) -> list[Problem]:
    """Why ``password`` is not acceptable for ``name``; empty when it is."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem(
                None,
                "password",
                None,
                f"A password needs at least {MIN_PASSWORD_LENGTH} characters; "
                f"this one has {len(password)}.",
            )
        )
    if name and name.lower() in password.lower():
        problems.append(Problem(None, "password", None, "A password must not contain the name."))
    return problems


class Accounts:
    """The accounts file (or PostgreSQL database): users, sign-in, and the access log.
    Safe across processes.

    ``path`` is the SQLite file, None on PostgreSQL; ``url`` the PostgreSQL URL, None
    for a file; :attr:`location` either, fit to be shown (no password).
    """

    def __init__(
        self, path: str | os.PathLike | None = None, policy: LoginPolicy | None = None
    ) -> None:
        where = resolve_accounts_path(path)
        self.url: str | None = where if isinstance(where, str) else None
        self.path: Path | None = where if isinstance(where, Path) else None
        self.policy = policy or LoginPolicy()

    @property
    def location(self) -> str:
        """The file's path, or the database's URL without its password."""
        return redact(self.url) if self.url is not None else str(self.path)

    def __repr__(self) -> str:
        return f"Accounts({self.location!r})"

    def _open_postgres(self):
        try:
            return postgres.connect(self.url)
        except Exception as exc:  # psycopg.Error, or a URL libpq cannot parse
            reason = str(exc).strip()
            password = re.search(r"^\w+://[^:@/?#]*:(.*)@", self.url)
            if password and password.group(1):
                reason = reason.replace(password.group(1), "***")
            raise StoreError(
                f"Cannot open the accounts database at {self.location}: {reason}"
            ) from None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[_Connection]:
        if self.url is not None:
            with self._connect_postgres() as con:
                yield con
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=30000")
            # IMMEDIATE takes the write lock up front: two processes counting failures or
            # appending to the log at once queue instead of one failing half-way.
            con.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                con.execute(statement)
            yield _Connection(con, postgres=False)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    @contextlib.contextmanager
    def _connect_postgres(self) -> Iterator[_Connection]:
        """PostgreSQL's BEGIN IMMEDIATE: one transaction holding :data:`PG_LOCK` throughout.

        On a pooled connection: an operation runs on every click (the account check), and
        a new connection per click would cost more than the operation.
        """
        pool = postgres.shared_pool(self.url, self._open_postgres)
        try:
            raw = pool.getconn(timeout=30)
        except psycopg_pool.PoolTimeout:
            raise StoreError(
                f"Cannot open the accounts database at {self.location}: no connection within 30 s."
            ) from None
        try:
            with raw.transaction():
                con = _Connection(raw, postgres=True)
                # Wait for another instance's operation as long as SQLite's busy_timeout would.
                con.execute("SELECT set_config('lock_timeout', '30s', true)")
                con.execute("SELECT pg_advisory_xact_lock(?)", [PG_LOCK])
                # Under the lock, so instances starting together create the schema once.
                if not con.execute(_PG_SCHEMA_READY).fetchone()[0]:
                    for statement in _PG_SCHEMA:
                        con.execute(statement)
                yield con
        finally:
            pool.putconn(raw)

    def exists(self) -> bool:
        """Whether the accounts file, or on PostgreSQL the ``users`` table, has been
        created (by a first ``users add``)."""
        if self.url is not None:
            with contextlib.closing(self._open_postgres()) as raw:
                return bool(raw.execute("SELECT to_regclass('users') IS NOT NULL").fetchone()[0])
        return self.path.exists()

    # -- the access log -----------------------------------------------------------------------

    @staticmethod
    def _append(
        con: _Connection,
        user: str,
        action: str,
        target: str | None = None,
        details: dict | None = None,
    ) -> int:
        last = con.execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = _now()
        text = _details_text(details)
        digest = entry_hash(prev, seq, at, user, action, target, text)
        con.execute(
            "INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [seq, _stamp(at), user, action, target, text, prev, digest],
        )
        return seq

    def log(
        self, user: str, action: str, target: str | None = None, details: dict | None = None
    ) -> int:
        """Append one entry (``export``, ``logout``…) and return its sequence number."""
        with self._connect() as con:
            return self._append(con, user, action, target, details)

    def log_once(self, user: str, action: str, target: str | None, details: dict) -> bool:
        """Append the entry unless one with this user, action and details is logged already.

        For events a new browser tab would otherwise repeat: an OIDC sign-in is logged
        once per ID token, however many tabs pick up the same identity cookie.
        """
        with self._connect() as con:
            seen = con.execute(
                "SELECT 1 FROM access_log WHERE user_name = ? AND action = ? AND details = ?",
                [user, action, _details_text(details)],
            ).fetchone()
            if seen:
                return False
            self._append(con, user, action, target, details)
            return True

    def access_log(self) -> pd.DataFrame:
        """Every logged entry, oldest first, with the store audit's column names."""
        columns = [
            "seq",
            "logged_at",
            "user_name",
            "action",
            "target",
            "details",
            "prev_hash",
            "hash",
        ]
        if not self.exists():
            return pd.DataFrame(columns=columns)
        with self._connect() as con:
            rows = con.execute(f"SELECT {', '.join(columns)} FROM access_log ORDER BY seq")
            frame = pd.DataFrame(rows.fetchall(), columns=columns)
        frame["logged_at"] = pd.to_datetime(frame["logged_at"])
        return frame

    # -- accounts -----------------------------------------------------------------------------

    def users(self) -> pd.DataFrame:
        """Every account without its password hash, by name."""
        columns = [
            "name",
            "role",
            "scope",
            "auth",
            "disabled",
            "failed_attempts",
            "locked_until",
            "created_at",
            "changed_at",
            "last_login_at",
        ]
        if not self.exists():
            return pd.DataFrame(columns=columns)
        with self._connect() as con:
            rows = con.execute(f"SELECT {', '.join(columns)} FROM users ORDER BY name").fetchall()
        frame = pd.DataFrame(rows, columns=columns)
        frame["disabled"] = frame["disabled"].astype(bool)
        return frame

    def has_users(self) -> bool:
        """Whether any account exists, disabled ones included (then a sign-in is asked).

        Disabling the last account must not open a demo deployment to everyone.
        """
        if not self.exists():
            return False
        with self._connect() as con:
            return con.execute("SELECT count(*) FROM users").fetchone()[0] > 0

    def add(
        self,
        name: str,
        role: str | Role,
        *,
        password: str | None = None,
        scope: tuple[str, ...] = (),
        auth: str = LOCAL,
        by: str,
    ) -> Principal:
        """Create an account; local accounts need a password, OIDC ones must not have one.

        Raises
        ------
        AccountError
            Empty or taken name, unknown role, weak or missing password.
        """
        name = name.strip()
        problems = []
        if not name:
            problems.append(Problem(None, "name", name, "An account needs a name."))
        try:
            role = parse_role(role)
        except ValueError as exc:
            problems.append(Problem(None, "role", str(role), str(exc)))
        if auth == LOCAL:
            if password is None:
                problems.append(Problem(None, "password", None, "A local account needs one."))
            else:
                problems += check_password(password, name)
        elif auth == OIDC:
            if password is not None:
                problems.append(
                    Problem(
                        None,
                        "password",
                        None,
                        "An OIDC account signs in at the identity provider; it has no password.",
                    )
                )
        else:
            problems.append(Problem(None, "auth", auth, "Use 'local' or 'oidc'."))
        if problems:
            raise AccountError(f"Cannot add the account {name!r}.", problems)
        digest = _hasher.hash(password) if password is not None else None
        now = _stamp(_now())
        with self._connect() as con:
            if con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
                raise AccountError(
                    f"Cannot add the account {name!r}.",
                    [Problem(None, "name", name, "An account with this name exists already.")],
                )
            con.execute(
                "INSERT INTO users (name, role, scope, auth, password_hash, created_at, "
                "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [name, role.value, ",".join(scope), auth, digest, now, now],
            )
            self._append(
                con, by, "account_add", f"user:{name}", {"role": role.value, "scope": list(scope)}
            )
        return Principal(name, role, scope, auth)

    def _require(self, con: _Connection, name: str, action: str) -> tuple:
        row = con.execute(
            "SELECT name, role, scope, auth, password_hash, disabled, failed_attempts, "
            "locked_until FROM users WHERE name = ?",
            [name],
        ).fetchone()
        if row is None:
            raise AccountError(
                f"Cannot {action} {name!r}.",
                [Problem(None, "name", name, "No account has this name.")],
            )
        return row

    def set_password(self, name: str, password: str, *, by: str) -> None:
        """Replace a local account's password; also lifts a lockout."""
        with self._connect() as con:
            row = self._require(con, name, "change the password of")
            if row[3] != LOCAL:
                raise AccountError(
                    f"Cannot change the password of {name!r}.",
                    [Problem(None, "auth", row[3], "An OIDC account has no password here.")],
                )
            problems = check_password(password, name)
            if problems:
                raise AccountError(f"Cannot change the password of {name!r}.", problems)
            now = _now()
            con.execute(
                "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL, "
                "changed_at = ? WHERE name = ?",
                [_hasher.hash(password), _stamp(now), name],
            )
            # Whoever knew the old password may hold a session: it ends with it.
            ended = self._end_sessions(con, name, PASSWORD_CHANGED, now)
            self._append(con, by, "account_password", f"user:{name}", _sessions_ended(ended))

    def set_disabled(self, name: str, disabled: bool, *, by: str) -> None:
        """Disable an account (it can no longer sign in; its sessions end) or enable it.

        Enabling does not revive an ended session: the person signs in again.
        """
        with self._connect() as con:
            self._require(con, name, "disable" if disabled else "enable")
            now = _now()
            con.execute(
                "UPDATE users SET disabled = ?, changed_at = ? WHERE name = ?",
                [int(disabled), _stamp(now), name],
            )
            ended = self._end_sessions(con, name, DISABLED, now) if disabled else 0
            self._append(
                con,
                by,
                "account_disable" if disabled else "account_enable",
                f"user:{name}",
                _sessions_ended(ended),
            )

    def set_role(
        self, name: str, role: str | Role, scope: tuple[str, ...] | None = None, *, by: str
    ) -> None:
        """Change an account's role and, when given, its country scope."""
        try:
            role = parse_role(role)
        except ValueError as exc:
            raise AccountError(
                f"Cannot change the role of {name!r}.", [Problem(None, "role", str(role), str(exc))]
            ) from None
        with self._connect() as con:
            row = self._require(con, name, "change the role of")
            new_scope = ",".join(scope) if scope is not None else row[2]
            con.execute(
                "UPDATE users SET role = ?, scope = ?, changed_at = ? WHERE name = ?",
                [role.value, new_scope, _stamp(_now()), name],
            )
            self._append(
                con,
                by,
                "account_role",
                f"user:{name}",
                {"role": role.value, "scope": [c for c in new_scope.split(",") if c]},
            )

    # -- sign-in ------------------------------------------------------------------------------

    def authenticate(
        self, name: str, password: str, *, now: dt.datetime | None = None
    ) -> Principal:
        """Check a local sign-in, count a failure, lock after too many; log either outcome.

        Raises
        ------
        AuthenticationError
            With :data:`SIGN_IN_FAILED` as its message whatever went wrong; ``reason``
            (``unknown``, ``disabled``, ``locked``, ``oidc_account``, ``wrong_password``)
            is logged, never shown.
        """
        now = now or _now()
        name = name.strip()
        with self._connect() as con:
            row = con.execute(
                "SELECT name, role, scope, auth, password_hash, disabled, failed_attempts, "
                "locked_until FROM users WHERE name = ?",
                [name],
            ).fetchone()
            reason = self._refusal(row, password, now)
            if reason is None:
                con.execute(
                    "UPDATE users SET failed_attempts = 0, locked_until = NULL, "
                    "last_login_at = ? WHERE name = ?",
                    [_stamp(now), name],
                )
                if _hasher.check_needs_rehash(row[4]):
                    con.execute(
                        "UPDATE users SET password_hash = ? WHERE name = ?",
                        [_hasher.hash(password), name],
                    )
                self._append(con, name, "login", f"user:{name}", {"auth": LOCAL})
                return Principal(row[0], row[1], _split(row[2]), LOCAL)
            details: dict = {"reason": reason}
            if reason == "wrong_password":
                failures = row[6] + 1
                locked_until = (
                    _stamp(now + self.policy.lockout)
                    if failures >= self.policy.max_failures
                    else None
                )
                con.execute(
                    "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE name = ?",
                    [failures, locked_until, name],
                )
                details["failed_attempts"] = failures
                if locked_until:
                    details["locked_until"] = locked_until
            self._append(con, name or "(empty)", "login_failed", f"user:{name}", details)
        raise AuthenticationError(SIGN_IN_FAILED, reason)

    def _refusal(self, row, password: str, now: dt.datetime) -> str | None:
        """Why this sign-in fails, or None; always runs one argon2 verification."""
        stored = row[4] if row is not None and row[4] else _DUMMY_HASH
        try:
            matches = _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matches = False
        if row is None:
            return "unknown"
        if row[3] != LOCAL:
            return "oidc_account"
        if row[5]:
            return "disabled"
        if row[7] and dt.datetime.fromisoformat(row[7]) > now:
            return "locked"
        return None if matches else "wrong_password"

    def principal(self, name: str, auth: str | None = None) -> Principal | None:
        """The active account ``name`` as a :class:`Principal`; None if unknown or disabled.

        Sessions call this on every page run, so a disabled account or a changed role
        takes effect at the next click, not at the next sign-in. With ``auth`` given, an
        account of another kind does not match (an OIDC identity never borrows a local
        account of the same name).
        """
        if not self.exists():
            return None
        with self._connect() as con:
            row = con.execute(
                "SELECT name, role, scope, auth, disabled FROM users WHERE name = ?", [name]
            ).fetchone()
        if row is None or row[4] or (auth is not None and row[3] != auth):
            return None
        return Principal(row[0], row[1], _split(row[2]), row[3])

    # -- sessions -----------------------------------------------------------------------------

    def open_session(self, name: str, *, now: dt.datetime | None = None) -> str:
        """Start a session for the active local account ``name``; return its token.

        Called right after :meth:`authenticate`. The token goes to the browser's cookie
        and nowhere else; this file keeps only its sha256.

        Raises
        ------
        AccountError
            No such account, or it is disabled or signs in with OIDC.
        """
        now = now or _now()
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        with self._connect() as con:
            row = self._require(con, name, "open a session for")
            if row[3] != LOCAL or row[5]:
                raise AccountError(
                    f"Cannot open a session for {name!r}.",
                    [Problem(None, "name", name, "Only an active local account has sessions.")],
                )
            con.execute(
                "INSERT INTO sessions (token_sha256, user_name, created_at, seen_at) "
                "VALUES (?, ?, ?, ?)",
                [_digest(token), name, _stamp(now), _stamp(now)],
            )
        return token

    def resume_session(
        self, token: str, limits: SessionLimits, *, now: dt.datetime | None = None
    ) -> OpenSession:
        """Pick up the session of ``token`` in a new browser tab; log ``session_resumed``.

        Checks and touches the session as :meth:`touch_session` does, and returns when
        its password was typed: the longest-session limit counts from then, not from
        the reload.

        Raises
        ------
        SessionEndedError
            As :meth:`touch_session`.
        """
        now = now or _now()
        with self._connect() as con:
            found = self._live(con, token, limits, now)
            if isinstance(found, OpenSession):
                name = found.principal.name
                self._append(con, name, "session_resumed", f"user:{name}")
                return found
        raise SessionEndedError(f"The session has ended ({found}).", found)

    def touch_session(
        self, token: str, limits: SessionLimits, *, now: dt.datetime | None = None
    ) -> Principal:
        """Check the session of ``token`` at a click and record the click; its person now.

        Every run of a signed-in dashboard session calls this, so an account disabled,
        a password changed or a sign-out in another tab ends this tab's session at its
        next click, and a role change applies at once. The click time is written at
        most once per :data:`TOUCH_EVERY`, which keeps a run from writing to this file
        every time: the idle limit therefore counts from a moment up to a minute before
        the last click, and a session may end up to a minute early.

        Raises
        ------
        SessionEndedError
            The token is unknown, the session ended (signed out, account disabled,
            password changed), or it has just expired: then it is marked ended and
            ``session_expired`` is logged with the limit that ended it.
        """
        now = now or _now()
        with self._connect() as con:
            found = self._live(con, token, limits, now)
        if isinstance(found, OpenSession):
            return found.principal
        raise SessionEndedError(f"The session has ended ({found}).", found)

    def end_session(
        self, token: str, reason: str = SIGNED_OUT, *, now: dt.datetime | None = None
    ) -> bool:
        """End the session of ``token`` (e.g. at sign-out); whether it was still open."""
        now = now or _now()
        with self._connect() as con:
            ended = con.execute(
                "UPDATE sessions SET ended_at = ?, ended_reason = ? "
                "WHERE token_sha256 = ? AND ended_at IS NULL",
                [_stamp(now), reason, _digest(token)],
            ).rowcount
        return ended > 0

    def _live(
        self, con: _Connection, token: str, limits: SessionLimits, now: dt.datetime
    ) -> OpenSession | str:
        """The open session of ``token``, touched; else why it is not (ending it if due).

        Returns the reason instead of raising: raising inside ``_connect`` would roll
        back the expiry it has just written.
        """
        if not is_token(token):
            return UNKNOWN
        row = con.execute(
            "SELECT s.id, s.user_name, s.created_at, s.seen_at, s.ended_at, s.ended_reason, "
            "u.role, u.scope, u.auth, u.disabled "
            "FROM sessions AS s LEFT JOIN users AS u ON u.name = s.user_name "
            "WHERE s.token_sha256 = ?",
            [_digest(token)],
        ).fetchone()
        if row is None:
            return UNKNOWN
        session_id, name, created, seen, ended_at, ended_reason, role, scope, auth, off = row
        if ended_at is not None:
            return ended_reason
        if role is None or auth != LOCAL or off:
            # Ended already when the account was disabled; this catches an account
            # changed behind this code's back.
            self._end_session_id(con, session_id, DISABLED, now)
            return DISABLED
        signed_in_at, seen_at = dt.datetime.fromisoformat(created), dt.datetime.fromisoformat(seen)
        limit = limits.expiry(signed_in_at, seen_at, now)
        if limit is not None:
            self._end_session_id(con, session_id, EXPIRED, now)
            self._append(con, name, "session_expired", f"user:{name}", {"limit": limit})
            return EXPIRED
        if now - seen_at >= TOUCH_EVERY:
            con.execute("UPDATE sessions SET seen_at = ? WHERE id = ?", [_stamp(now), session_id])
        return OpenSession(Principal(name, role, _split(scope), LOCAL), signed_in_at)

    @staticmethod
    def _end_session_id(con: _Connection, session_id: int, reason: str, now: dt.datetime) -> None:
        con.execute(
            "UPDATE sessions SET ended_at = ?, ended_reason = ? WHERE id = ?",
            [_stamp(now), reason, session_id],
        )

    @staticmethod
    def _end_sessions(con: _Connection, name: str, reason: str, now: dt.datetime) -> int:
        """End every open session of ``name``; how many there were."""
        return con.execute(
            "UPDATE sessions SET ended_at = ?, ended_reason = ? "
            "WHERE user_name = ? AND ended_at IS NULL",
            [_stamp(now), reason, name],
        ).rowcount


def _split(scope: str) -> tuple[str, ...]:
    return tuple(c for c in scope.split(",") if c)


def _sessions_ended(count: int) -> dict | None:
    """Log details of an account change that ended sessions (none: no details, as before)."""
    return {"sessions_ended": count} if count else None
