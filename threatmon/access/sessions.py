"""Server-side sessions: a local sign-in's token, checked and touched at every click.

A local sign-in opens a session (table ``sessions``) whose random token the browser keeps
in a cookie, so a reload or a new tab does not ask for the password again. Only the
token's sha256 is stored. Disabling an account or changing its password ends its sessions
in the same transaction (:func:`end_all`).

Every function here runs inside an operation the caller opened
(:meth:`threatmon.access.database.AccountsDatabase.transaction`); the account checks that
come before a session is opened belong to :class:`threatmon.access.accounts.Accounts`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from threatmon.access import access_log
from threatmon.access.database import Connection, split_scope, stamp
from threatmon.access.roles import LOCAL, Principal, SessionLimits

#: Why a session ended, as stored in ``sessions.ended_reason`` and given by
#: :class:`SessionEndedError` (which adds ``unknown``: no session has that token).
SIGNED_OUT, EXPIRED, DISABLED, PASSWORD_CHANGED, UNKNOWN = (
    "signed_out",
    "expired",
    "disabled",
    "password_changed",
    "unknown",
)
#: A session's last click is written at most this often, or a quarter of the idle limit
#: when that is shorter (see
#: :meth:`threatmon.access.accounts.Accounts.touch_session`).
TOUCH_EVERY = dt.timedelta(minutes=1)
# secrets.token_urlsafe(32): 256 random bits as 43 URL-safe base64 characters.
_TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


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


def start(con: Connection, name: str, now: dt.datetime) -> str:
    """Record a new session of ``name`` (an active local account); return its token."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    con.execute(
        "INSERT INTO sessions (token_sha256, user_name, created_at, seen_at) VALUES (?, ?, ?, ?)",
        [_digest(token), name, stamp(now), stamp(now)],
    )
    return token


def live(con: Connection, token: str, limits: SessionLimits, now: dt.datetime) -> OpenSession | str:
    """The open session of ``token``, touched; else why it is not (ending it if due).

    Returns the reason instead of raising: raising inside the operation would roll back
    the expiry it has just written.
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
        _end_id(con, session_id, DISABLED, now)
        return DISABLED
    signed_in_at, seen_at = dt.datetime.fromisoformat(created), dt.datetime.fromisoformat(seen)
    limit = limits.expiry(signed_in_at, seen_at, now)
    if limit is not None:
        _end_id(con, session_id, EXPIRED, now)
        access_log.append(con, name, "session_expired", f"user:{name}", {"limit": limit})
        return EXPIRED
    # A short idle limit is touched more often, or a busy session would expire mid-click.
    if now - seen_at >= min(TOUCH_EVERY, limits.idle / 4):
        con.execute("UPDATE sessions SET seen_at = ? WHERE id = ?", [stamp(now), session_id])
    return OpenSession(Principal(name, role, split_scope(scope), LOCAL), signed_in_at)


def end(con: Connection, token: str, reason: str, now: dt.datetime) -> bool:
    """End the session of ``token``; whether it was still open."""
    ended = con.execute(
        "UPDATE sessions SET ended_at = ?, ended_reason = ? "
        "WHERE token_sha256 = ? AND ended_at IS NULL",
        [stamp(now), reason, _digest(token)],
    ).rowcount
    return ended > 0


def end_all(con: Connection, name: str, reason: str, now: dt.datetime) -> int:
    """End every open session of ``name``; how many there were."""
    return con.execute(
        "UPDATE sessions SET ended_at = ?, ended_reason = ? "
        "WHERE user_name = ? AND ended_at IS NULL",
        [stamp(now), reason, name],
    ).rowcount


def _end_id(con: Connection, session_id: int, reason: str, now: dt.datetime) -> None:
    con.execute(
        "UPDATE sessions SET ended_at = ?, ended_reason = ? WHERE id = ?",
        [stamp(now), reason, session_id],
    )
