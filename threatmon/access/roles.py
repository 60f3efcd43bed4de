"""Who may do what: the three roles, their permissions, the signed-in person, and how
long a sign-in lasts.

A :class:`Principal` travels with every request of a dashboard session and with every
CLI command that acts for someone. Its :attr:`Principal.scope` narrows what the store
returns (see :meth:`threatmon.store.reader.Store.scoped`), and its :attr:`Principal.cache_key`
is part of every cached result, so two people who may see different things never share
one. :class:`SessionLimits` says when a dashboard session ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from threatmon.errors import AccessDeniedError
from threatmon.registry.regions import PROJECT_COUNTRIES
from threatmon.settings import current_settings


class Role(StrEnum):
    """Viewer: the steering committee and case meetings. Analyst: uploads. Admin: accounts."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a role may do; pages and commands ask for exactly one of these."""

    VIEW = "view"
    UPLOAD = "upload"
    UNDO_OWN = "undo_own"
    UNDO_ANY = "undo_any"
    EXPORT_ROWS = "export_rows"
    SEE_SMALL_COUNTS = "see_small_counts"
    MANAGE_ACCOUNTS = "manage_accounts"
    READ_AUDIT = "read_audit"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW,
            Permission.UPLOAD,
            Permission.UNDO_OWN,
            Permission.EXPORT_ROWS,
            Permission.SEE_SMALL_COUNTS,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


def parse_role(value: str) -> Role:
    """``value`` as a :class:`Role`; a ValueError names the three roles otherwise."""
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        raise ValueError(
            f"Not a role: {value!r}. Use one of: {', '.join(r.value for r in Role)}."
        ) from None


def parse_scope(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of project country codes; empty or None means every country."""
    if value is None or not str(value).strip():
        return ()
    codes = tuple(dict.fromkeys(c.strip().upper() for c in str(value).split(",") if c.strip()))
    unknown = [c for c in codes if c not in PROJECT_COUNTRIES]
    if unknown:
        raise ValueError(
            f"Not a project country: {', '.join(unknown)}. "
            f"Use ISO codes among {', '.join(PROJECT_COUNTRIES)}."
        )
    return tuple(sorted(codes))


#: How an account proves who it is (:attr:`Principal.auth`): a password kept in the
#: accounts database, or a sign-in at the identity provider.
LOCAL, OIDC = "local", "oidc"


@dataclass(frozen=True)
class Principal:
    """The person a session or command acts for.

    ``scope`` lists the countries this person may see and load; empty means all.
    ``auth`` says how they proved who they are: ``local`` (password), ``oidc`` or
    ``demo`` (a demo store opened without accounts).
    """

    name: str
    role: Role
    scope: tuple[str, ...] = field(default=())
    auth: str = LOCAL

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", parse_role(self.role))
        object.__setattr__(self, "scope", tuple(sorted(self.scope)))

    def can(self, permission: Permission) -> bool:
        """Whether this person's role grants ``permission``."""
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Raise :class:`AccessDeniedError` unless the role grants ``permission``."""
        if not self.can(permission):
            raise AccessDeniedError(
                f"{self.name} ({self.role.value}) may not {permission.value.replace('_', ' ')}."
            )

    @property
    def suppressed(self) -> bool:
        """Whether small counts of sensitive crime types are hidden from this person."""
        return not self.can(Permission.SEE_SMALL_COUNTS)

    @property
    def cache_key(self) -> tuple[str, tuple[str, ...]]:
        """What decides what this person sees; part of every cached result's key."""
        return (self.role.value, self.scope)

    def in_scope(self, country: str) -> bool:
        """Whether ``country`` is inside this person's scope."""
        return not self.scope or country in self.scope

    def scope_text(self) -> str:
        """The scope in words, for page headers and messages."""
        return ", ".join(self.scope) if self.scope else "all countries"


#: Who acts when a demo store is opened with no accounts set up.
DEMO_PRINCIPAL = Principal("demo", Role.ADMIN, auth="demo")


#: Why :meth:`SessionLimits.expiry` ends a session.
IDLE, LONGEST = "idle", "longest"


@dataclass(frozen=True)
class SessionLimits:
    """How long a session may sit idle, and how long it may last at most."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    longest: dt.timedelta = dt.timedelta(hours=12)

    def __post_init__(self) -> None:
        for name in ("idle", "longest"):
            value = getattr(self, name)
            if value <= dt.timedelta(0):
                raise ValueError(f"SessionLimits.{name} must be positive. Got {value}.")

    @classmethod
    def from_env(cls) -> SessionLimits:
        """The deployment's limits (:mod:`threatmon.settings`; 30 minutes idle, 12 hours)."""
        settings = current_settings()
        return cls(idle=settings.session_idle, longest=settings.session_longest)

    def expiry(
        self, signed_in_at: dt.datetime, seen_at: dt.datetime, now: dt.datetime
    ) -> str | None:
        """Which limit (:data:`IDLE` or :data:`LONGEST`) has ended the session by ``now``."""
        if now - signed_in_at > self.longest:
            return LONGEST
        if now - seen_at > self.idle:
            return IDLE
        return None

    def expired(self, signed_in_at: dt.datetime, seen_at: dt.datetime, now: dt.datetime) -> bool:
        """Whether a session signed in and last used at these times has ended by ``now``."""
        return self.expiry(signed_in_at, seen_at, now) is not None
