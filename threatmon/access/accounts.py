"""Local accounts: who may sign in, with which role and scope, and how a password is checked.

Five failed sign-ins in a row lock an account for 15 minutes; both numbers are settings
(:class:`LoginPolicy`). Passwords are checked and hashed by :mod:`threatmon.access.passwords`.

:class:`Accounts` is what the dashboard and the CLI hold: each of its operations is one
transaction on the accounts database (:mod:`threatmon.access.database`), so an account
change, the sessions it ends (:mod:`threatmon.access.sessions`) and its entry in the
access log (:mod:`threatmon.access.access_log`) land together or not at all.

With the store on PostgreSQL (``$THREATMON_DB`` is a ``postgresql://`` URL), the accounts
live in that same database, so every dashboard instance sharing the store shares
sign-ins, lockouts, sessions and the access log; ``$THREATMON_ACCOUNTS`` may name another
PostgreSQL database.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from threatmon.access import access_log, grants, sessions
from threatmon.access.database import AccountsDatabase, Connection, split_scope, stamp, utc_now
from threatmon.access.passwords import check_password, hash_password, needs_rehash, verify_password
from threatmon.access.roles import (
    DEMO_PRINCIPAL,
    LOCAL,
    OIDC,
    Principal,
    Role,
    SessionLimits,
    parse_role,
)
from threatmon.errors import (
    AccountError,
    ActionRefusedError,
    AuthenticationError,
    Problem,
    SessionEndedError,
)
from threatmon.settings import current_settings
from threatmon.store import postgres
from threatmon.store.location import StoreLocation

SUFFIX = ".accounts.sqlite"

#: What a person is told after any failed sign-in, whatever the reason.
SIGN_IN_FAILED = (
    "Wrong user name or password, or the account is locked or disabled. "
    "Ask an administrator if this keeps happening."
)


def resolve_accounts_path(
    path: str | os.PathLike | None = None, db: str | os.PathLike | None = None
) -> Path | str:
    """Where the accounts live: a file's path, or a PostgreSQL URL (a ``str``).

    The argument, else ``$THREATMON_ACCOUNTS``, else beside the store: in the store's
    own database when the store (``db``, else ``$THREATMON_DB``) is a PostgreSQL URL,
    otherwise in the file of the store's path + ``.accounts.sqlite``.
    """
    for given in (path, current_settings().accounts):
        if given:
            return given.strip() if postgres.is_postgres_url(given) else Path(given)
    store = StoreLocation.resolve(db)
    if store.url is not None:
        return store.url
    return store.file.with_name(store.file.name + SUFFIX)


def store_location_text(db: str | os.PathLike | None = None) -> str:
    """The store's location (``db``, else ``$THREATMON_DB``) as it may be shown or typed:
    a PostgreSQL URL without its password, or the store file's path."""
    return StoreLocation.resolve(db).display


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures in a row lock an account, and for how long."""

    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)


class Accounts:
    """The accounts file (or PostgreSQL database): users, sign-in, sessions and the access
    log. Safe across processes.

    ``path`` is the SQLite file, None on PostgreSQL; ``url`` the PostgreSQL URL, None
    for a file; :attr:`location` either, fit to be shown (no password).
    """

    def __init__(
        self, path: str | os.PathLike | None = None, policy: LoginPolicy | None = None
    ) -> None:
        self.database = AccountsDatabase(resolve_accounts_path(path))
        self.policy = policy or LoginPolicy()

    @property
    def url(self) -> str | None:
        return self.database.url

    @property
    def path(self) -> Path | None:
        return self.database.path

    @property
    def location(self) -> str:
        """The file's path, or the database's URL without its password."""
        return self.database.location

    def __repr__(self) -> str:
        return f"Accounts({self.location!r})"

    def exists(self) -> bool:
        """Whether the accounts file, or on PostgreSQL the ``users`` table, has been
        created (by a first ``users add``)."""
        return self.database.exists()

    # -- the access log -----------------------------------------------------------------------

    def log(
        self, user: str, action: str, target: str | None = None, details: dict | None = None
    ) -> int:
        """Append one entry (``export``, ``logout``…) and return its sequence number."""
        with self.database.transaction() as con:
            return access_log.append(con, user, action, target, details)

    def log_once(self, user: str, action: str, target: str | None, details: dict) -> bool:
        """Append the entry unless one with this user, action and details is logged already.

        For events a new browser tab would otherwise repeat: an OIDC sign-in is logged
        once per ID token, however many tabs pick up the same identity cookie.
        """
        with self.database.transaction() as con:
            return access_log.append_once(con, user, action, target, details)

    def access_log(self) -> pd.DataFrame:
        """Every logged entry, oldest first, with the store audit's column names."""
        if not self.exists():
            return pd.DataFrame(columns=access_log.COLUMNS)
        with self.database.transaction() as con:
            return access_log.entries(con)

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
        with self.database.transaction() as con:
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
        with self.database.transaction() as con:
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
        digest = hash_password(password) if password is not None else None
        now = stamp(utc_now())
        with self.database.transaction() as con:
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
            access_log.append(
                con, by, "account_add", f"user:{name}", {"role": role.value, "scope": list(scope)}
            )
        return Principal(name, role, scope, auth)

    def _require(self, con: Connection, name: str, action: str) -> tuple:
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
        with self.database.transaction() as con:
            row = self._require(con, name, "change the password of")
            if row[3] != LOCAL:
                raise AccountError(
                    f"Cannot change the password of {name!r}.",
                    [Problem(None, "auth", row[3], "An OIDC account has no password here.")],
                )
            problems = check_password(password, name)
            if problems:
                raise AccountError(f"Cannot change the password of {name!r}.", problems)
            now = utc_now()
            con.execute(
                "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL, "
                "changed_at = ? WHERE name = ?",
                [hash_password(password), stamp(now), name],
            )
            # Whoever knew the old password may hold a session: it ends with it.
            ended = sessions.end_all(con, name, sessions.PASSWORD_CHANGED, now)
            access_log.append(con, by, "account_password", f"user:{name}", _sessions_ended(ended))

    def set_disabled(self, name: str, disabled: bool, *, by: str) -> None:
        """Disable an account (it can no longer sign in; its sessions end) or enable it.

        Enabling does not revive an ended session: the person signs in again.
        """
        with self.database.transaction() as con:
            self._require(con, name, "disable" if disabled else "enable")
            now = utc_now()
            con.execute(
                "UPDATE users SET disabled = ?, changed_at = ? WHERE name = ?",
                [int(disabled), stamp(now), name],
            )
            ended = sessions.end_all(con, name, sessions.DISABLED, now) if disabled else 0
            access_log.append(
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
        with self.database.transaction() as con:
            row = self._require(con, name, "change the role of")
            new_scope = ",".join(scope) if scope is not None else row[2]
            con.execute(
                "UPDATE users SET role = ?, scope = ?, changed_at = ? WHERE name = ?",
                [role.value, new_scope, stamp(utc_now()), name],
            )
            access_log.append(
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
        now = now or utc_now()
        name = name.strip()
        with self.database.transaction() as con:
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
                    [stamp(now), name],
                )
                if needs_rehash(row[4]):
                    con.execute(
                        "UPDATE users SET password_hash = ? WHERE name = ?",
                        [hash_password(password), name],
                    )
                access_log.append(con, name, "login", f"user:{name}", {"auth": LOCAL})
                return Principal(row[0], row[1], split_scope(row[2]), LOCAL)
            details: dict = {"reason": reason}
            if reason == "wrong_password":
                failures = row[6] + 1
                locked_until = (
                    stamp(now + self.policy.lockout)
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
            access_log.append(con, name or "(empty)", "login_failed", f"user:{name}", details)
        raise AuthenticationError(SIGN_IN_FAILED, reason)

    def _refusal(self, row, password: str, now: dt.datetime) -> str | None:
        """Why this sign-in fails, or None; always runs one argon2 verification."""
        matches = verify_password(row[4] if row is not None else None, password)
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
        with self.database.transaction() as con:
            row = con.execute(
                "SELECT name, role, scope, auth, disabled FROM users WHERE name = ?", [name]
            ).fetchone()
        if row is None or row[4] or (auth is not None and row[3] != auth):
            return None
        return Principal(row[0], row[1], split_scope(row[2]), row[3])

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
        now = now or utc_now()
        with self.database.transaction() as con:
            row = self._require(con, name, "open a session for")
            if row[3] != LOCAL or row[5]:
                raise AccountError(
                    f"Cannot open a session for {name!r}.",
                    [Problem(None, "name", name, "Only an active local account has sessions.")],
                )
            return sessions.start(con, name, now)

    def resume_session(
        self, token: str, limits: SessionLimits, *, now: dt.datetime | None = None
    ) -> sessions.OpenSession:
        """Pick up the session of ``token`` in a new browser tab; log ``session_resumed``.

        Checks and touches the session as :meth:`touch_session` does, and returns when
        its password was typed: the longest-session limit counts from then, not from
        the reload.

        Raises
        ------
        SessionEndedError
            As :meth:`touch_session`.
        """
        now = now or utc_now()
        with self.database.transaction() as con:
            found = sessions.live(con, token, limits, now)
            if isinstance(found, sessions.OpenSession):
                name = found.principal.name
                access_log.append(con, name, "session_resumed", f"user:{name}")
                return found
        raise SessionEndedError(f"The session has ended ({found}).", found)

    def touch_session(
        self, token: str, limits: SessionLimits, *, now: dt.datetime | None = None
    ) -> Principal:
        """Check the session of ``token`` at a click and record the click; its person now.

        Every run of a signed-in dashboard session calls this, so an account disabled,
        a password changed or a sign-out in another tab ends this tab's session at its
        next click, and a role change applies at once. The click time is written at
        most once per :data:`~threatmon.access.sessions.TOUCH_EVERY`, which keeps a run from
        writing to this file every time: the idle limit therefore counts from a moment up to
        a minute before the last click, and a session may end up to a minute early.

        Raises
        ------
        SessionEndedError
            The token is unknown, the session ended (signed out, account disabled,
            password changed), or it has just expired: then it is marked ended and
            ``session_expired`` is logged with the limit that ended it.
        """
        now = now or utc_now()
        with self.database.transaction() as con:
            found = sessions.live(con, token, limits, now)
        if isinstance(found, sessions.OpenSession):
            return found.principal
        raise SessionEndedError(f"The session has ended ({found}).", found)

    def recheck(
        self,
        grant: grants.Grant,
        limits: SessionLimits,
        what: str,
        *,
        now: dt.datetime | None = None,
    ) -> Principal:
        """The person a deferred action ``what`` runs for, checked again as it runs.

        The session must still be open (not signed out in another tab, not idle or past
        the longest limit, its account not disabled) and the account's role and scope
        those the page was drawn for (:func:`threatmon.access.grants.check`). A local
        session is touched: the action is a click. A demo session runs while no account
        exists.

        Raises
        ------
        ActionRefusedError
            Anything else; ``action_refused`` is logged with the reason, the role and
            scope the action was drawn for and, when the account is still there, its
            role and scope now.
        """
        now = now or utc_now()
        drawn = grant.principal
        if drawn.auth == DEMO_PRINCIPAL.auth:
            if not self.has_users():
                return drawn
            verdict = grants.Verdict(None, sessions.SIGNED_OUT)
            with self.database.transaction() as con:
                self._log_refusal(con, grant, what, verdict)
        else:
            with self.database.transaction() as con:
                verdict = grants.check(con, grant, limits, now)
                if verdict.refused is None:
                    return verdict.principal
                self._log_refusal(con, grant, what, verdict)
        raise ActionRefusedError(
            f"Refused {what} for {drawn.name}: {grants.explain(verdict.refused)}.",
            verdict.refused,
        )

    @staticmethod
    def _log_refusal(con: Connection, grant: grants.Grant, what: str, verdict) -> None:
        drawn, now_is = grant.principal, verdict.principal
        details = {
            "reason": verdict.refused,
            "permission": grant.permission.value,
            "role": drawn.role.value,
            "scope": list(drawn.scope),
        }
        if now_is is not None and now_is.cache_key != drawn.cache_key:
            details |= {"role_now": now_is.role.value, "scope_now": list(now_is.scope)}
        access_log.append(con, drawn.name, "action_refused", what, details)

    def end_session(
        self, token: str, reason: str = sessions.SIGNED_OUT, *, now: dt.datetime | None = None
    ) -> bool:
        """End the session of ``token`` (e.g. at sign-out); whether it was still open."""
        now = now or utc_now()
        with self.database.transaction() as con:
            return sessions.end(con, token, reason, now)


def _sessions_ended(count: int) -> dict | None:
    """Log details of an account change that ended sessions (none: no details, as before)."""
    return {"sessions_ended": count} if count else None
