"""A deferred action's second look: may the person it was drawn for still run it now?

A download built on click and a button's callback run after the page that drew them, and
before (or without) the next run's session check: Streamlit builds a deferred download on
a server thread of its own, and runs a callback before the script. What they knew of the
person is what the page knew when it was drawn. A :class:`Grant` records that; :func:`check`
compares it with the accounts database at the moment the action runs, as
:meth:`threatmon.access.accounts.Accounts.recheck` does for the dashboard.

The action runs only for the very role and country scope it was drawn for: its data were
chosen for them (a viewer's suppressed table, an analyst's small counts). Any change, a
promotion included, refuses it; the page, drawn again, offers what the new role allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from threatmon.access import sessions
from threatmon.access.database import Connection, split_scope
from threatmon.access.roles import Permission, Principal, SessionLimits

#: Why a deferred action is refused, besides the session's own reasons
#: (:data:`~threatmon.access.sessions.SIGNED_OUT`, ``EXPIRED``, ``DISABLED``,
#: ``PASSWORD_CHANGED``, ``UNKNOWN``): the role or scope changed since the page was drawn,
#: or the role does not grant the action's permission.
ROLE_CHANGED, NOT_ALLOWED = "role_changed", "not_allowed"

_EXPLAINED = {
    ROLE_CHANGED: "the role or country scope changed since the page was drawn; reload the page",
    NOT_ALLOWED: "the role does not allow it",
}


@dataclass(frozen=True)
class Grant:
    """What a deferred action was drawn for, as the page saw it.

    ``token`` is a local sign-in's session token: the accounts database then decides
    whether the session still runs, for every tab at once. Without one (an OIDC sign-in),
    ``signed_in_at`` and ``seen_at`` (the run that drew the action) measure the limits.
    """

    principal: Principal
    permission: Permission
    token: str | None = None
    signed_in_at: dt.datetime | None = None
    seen_at: dt.datetime | None = None


@dataclass(frozen=True)
class Verdict:
    """The person as the accounts database has them now (None if gone), and why the
    action may not run (None if it may)."""

    principal: Principal | None
    refused: str | None = None


def explain(reason: str) -> str:
    """Why an action was refused, in the words of :class:`~threatmon.errors.ActionRefusedError`."""
    return _EXPLAINED.get(reason, f"the session has ended ({reason})")


def check(con: Connection, grant: Grant, limits: SessionLimits, now: dt.datetime) -> Verdict:
    """Whether ``grant`` may run at ``now``; touches a live local session (a click).

    Runs inside an operation the caller opened; returns rather than raises, so that a
    session it has just expired stays expired (see :func:`threatmon.access.sessions.live`).
    """
    drawn = grant.principal
    if grant.token is not None:
        found = sessions.live(con, grant.token, limits, now)
        if isinstance(found, str):
            return Verdict(None, found)
        current = found.principal
        if current.name != drawn.name:
            return Verdict(None, sessions.UNKNOWN)
    else:
        if grant.signed_in_at is not None and grant.seen_at is not None:
            if limits.expired(grant.signed_in_at, grant.seen_at, now):
                return Verdict(None, sessions.EXPIRED)
        row = con.execute(
            "SELECT name, role, scope, auth, disabled FROM users WHERE name = ?", [drawn.name]
        ).fetchone()
        if row is None or row[4] or row[3] != drawn.auth:
            return Verdict(None, sessions.DISABLED)
        current = Principal(row[0], row[1], split_scope(row[2]), row[3])
    if current.cache_key != drawn.cache_key:
        return Verdict(current, ROLE_CHANGED)
    if not current.can(grant.permission):
        return Verdict(current, NOT_ALLOWED)
    return Verdict(current)
