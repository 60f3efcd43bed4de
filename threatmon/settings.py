"""The deployment's settings: every ``THREATMON_*`` environment variable, read and checked once.

A deployment is configured by environment variables only, so that one image or one
checkout serves every site. They are read here and nowhere else: :meth:`Settings.from_env`
parses every variable and refuses a wrong value with a message naming the variable, so a
typo fails loudly instead of quietly falling back to a default. Code asks
:func:`current_settings` at the moment it needs a value, never at import time, because the
environment of a running process (a test's ``monkeypatch``, a restarted dashboard) is what
counts; building the object is a handful of dictionary look-ups.

================================  ==================================  =============================
variable                          field: type = default               checked how
================================  ==================================  =============================
THREATMON_DB                      db: str | None = None               as given; blank = unset
THREATMON_ACCOUNTS                accounts: str | None = None         as given; blank = unset
THREATMON_SESSION_IDLE_MINUTES    session_idle: timedelta = 30 min    a number > 0
THREATMON_SESSION_HOURS           session_longest: timedelta = 12 h   a number > 0
THREATMON_OIDC_PROVIDER           oidc_provider: str | None = None    stripped; blank = unset
THREATMON_MARKING                 marking: str = DEFAULT_MARKING      spaces collapsed; ≤ 200 chars
THREATMON_SUPPRESSION_K           suppression_k: int = 5              a whole number from 3 to 20
THREATMON_BACKGROUND_FORECASTS    background_forecasts: bool = True   exactly "0" is False
THREATMON_CACHE_DIR               cache_dir: Path = data/cache        as given; blank = unset
THREATMON_CHROMIUM                chromium: str = /usr/bin/chromium   as given; blank = unset
THREATMON_TILE_URL                tile_url: str | None = None         stripped; blank = unset
THREATMON_AUDIT_KEY               audit_key: str | None = None        ≥ 32 characters; blank = unset
THREATMON_AUDIT_KEY_FILE          audit_key_file: Path | None = None  as given; blank = unset
THREATMON_AUDIT_ANCHOR            audit_anchor: Path | None = None    as given; blank = unset
================================  ==================================  =============================

Blank counts as unset: the default applies. An unset ``db`` means the store
``data/threatmon.duckdb`` (:mod:`threatmon.store.reader`), an unset ``accounts`` the accounts
beside the store (:mod:`threatmon.access.accounts`), an unset ``oidc_provider`` the only
``[auth.NAME]`` of ``secrets.toml``, an unset ``tile_url`` a map without tiles, and unset
audit settings audit logs that are hash chains only (see :meth:`Settings.audit_secret`). A
wrong value raises :class:`ValueError` naming the variable.

The same table, with what each setting is for, is in ``docs/configuration.md``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DB_ENV_VAR = "THREATMON_DB"
ACCOUNTS_ENV_VAR = "THREATMON_ACCOUNTS"
IDLE_ENV_VAR = "THREATMON_SESSION_IDLE_MINUTES"
MAX_ENV_VAR = "THREATMON_SESSION_HOURS"
OIDC_PROVIDER_ENV_VAR = "THREATMON_OIDC_PROVIDER"
MARKING_ENV_VAR = "THREATMON_MARKING"
K_ENV_VAR = "THREATMON_SUPPRESSION_K"
#: Set to 0 to keep the dashboard from starting refreshes (tests, read-only copies).
BACKGROUND_ENV_VAR = "THREATMON_BACKGROUND_FORECASTS"
#: Where the forecasts of a PostgreSQL store are kept on this machine.
CACHE_DIR_ENV_VAR = "THREATMON_CACHE_DIR"
CHROMIUM_ENV_VAR = "THREATMON_CHROMIUM"
TILE_URL_ENV_VAR = "THREATMON_TILE_URL"
#: The audit logs' MAC key (or a file holding it): a secret of the deployment, never in the
#: store, so that whoever can write the store's files cannot re-seal an edited log.
AUDIT_KEY_ENV_VAR = "THREATMON_AUDIT_KEY"
AUDIT_KEY_FILE_ENV_VAR = "THREATMON_AUDIT_KEY_FILE"
#: An append-only file outside the store that every audit entry's MAC is copied to.
AUDIT_ANCHOR_ENV_VAR = "THREATMON_AUDIT_ANCHOR"

#: The default errs on the restrictive side: the right words depend on the organisation.
DEFAULT_MARKING = "RESTRICTED — law-enforcement use only"
MARKING_MAX_LENGTH = 200
#: suppress_table's own default (threatmon.disclosure.suppression, which this module does not
#: import: it loads scipy, and reading settings must stay cheap; a test keeps the two equal).
DEFAULT_K = 5
#: Below 3, "<k" beside visible zeros can only mean 1 (see threatmon.disclosure.suppression).
K_RANGE = range(3, 21)
DEFAULT_SESSION_IDLE = dt.timedelta(minutes=30)
DEFAULT_SESSION_LONGEST = dt.timedelta(hours=12)
DEFAULT_CACHE_DIR = Path("data/cache")
#: Debian's package.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: HMAC-SHA256's own block is 64 bytes; fewer than 32 characters is a password, not a key.
AUDIT_KEY_MIN_LENGTH = 32


@dataclass(frozen=True)
class Settings:
    """One deployment's configuration, checked; see the module's table."""

    db: str | None = None
    accounts: str | None = None
    session_idle: dt.timedelta = DEFAULT_SESSION_IDLE
    session_longest: dt.timedelta = DEFAULT_SESSION_LONGEST
    oidc_provider: str | None = None
    marking: str = DEFAULT_MARKING
    suppression_k: int = DEFAULT_K
    background_forecasts: bool = True
    cache_dir: Path = DEFAULT_CACHE_DIR
    chromium: str = DEFAULT_CHROMIUM
    tile_url: str | None = None
    # Kept out of repr: a logged or printed Settings must not show the key.
    audit_key: str | None = field(default=None, repr=False)
    audit_key_file: Path | None = None
    audit_anchor: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """The settings ``environ`` gives, unset or blank variables at their defaults.

        Raises
        ------
        ValueError
            A variable's value is not one it may take; the message names the variable.
        """
        return cls(
            db=environ.get(DB_ENV_VAR) or None,
            accounts=environ.get(ACCOUNTS_ENV_VAR) or None,
            session_idle=dt.timedelta(minutes=_positive(environ, IDLE_ENV_VAR, 30)),
            session_longest=dt.timedelta(hours=_positive(environ, MAX_ENV_VAR, 12)),
            oidc_provider=environ.get(OIDC_PROVIDER_ENV_VAR, "").strip() or None,
            marking=_marking(environ),
            suppression_k=_suppression_k(environ),
            background_forecasts=environ.get(BACKGROUND_ENV_VAR, "1") != "0",
            cache_dir=Path(environ.get(CACHE_DIR_ENV_VAR) or DEFAULT_CACHE_DIR),
            chromium=environ.get(CHROMIUM_ENV_VAR) or DEFAULT_CHROMIUM,
            tile_url=environ.get(TILE_URL_ENV_VAR, "").strip() or None,
            audit_key=_audit_key(environ),
            audit_key_file=_path(environ, AUDIT_KEY_FILE_ENV_VAR),
            audit_anchor=_path(environ, AUDIT_ANCHOR_ENV_VAR),
        )

    def audit_secret(self) -> bytes | None:
        """The audit logs' MAC key: ``audit_key``, else the contents of ``audit_key_file``
        (surrounding white space removed); None when neither is set.

        Read when an entry is written or checked, not in :meth:`from_env`: settings stay
        cheap to build, and a key file readable only by the service is not read by
        every process that looks at a setting.

        Raises
        ------
        ValueError
            Both are set, the file cannot be read, or its key is too short.
        """
        if self.audit_key and self.audit_key_file:
            raise ValueError(f"Set ${AUDIT_KEY_ENV_VAR} or ${AUDIT_KEY_FILE_ENV_VAR}, not both.")
        if self.audit_key:
            return self.audit_key.encode("utf-8")
        if self.audit_key_file is None:
            return None
        try:
            key = self.audit_key_file.read_bytes().strip()
        except OSError as exc:
            raise ValueError(
                f"${AUDIT_KEY_FILE_ENV_VAR} names {self.audit_key_file}, which cannot be read: "
                f"{exc.strerror or exc}."
            ) from None
        if len(key) < AUDIT_KEY_MIN_LENGTH:
            raise ValueError(
                f"The key in ${AUDIT_KEY_FILE_ENV_VAR} ({self.audit_key_file}) must be at least "
                f"{AUDIT_KEY_MIN_LENGTH} characters. Got {len(key)}."
            )
        return key


def current_settings() -> Settings:
    """The settings of this process's environment as it is now."""
    return Settings.from_env()


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"${name} must be a number. Got {raw!r}.") from None
    if value <= 0:
        raise ValueError(f"${name} must be positive. Got {raw!r}.")
    return value


def _marking(environ: Mapping[str, str]) -> str:
    raw = " ".join(environ.get(MARKING_ENV_VAR, "").split())
    if not raw:
        return DEFAULT_MARKING
    if len(raw) > MARKING_MAX_LENGTH:
        raise ValueError(
            f"${MARKING_ENV_VAR} must be at most {MARKING_MAX_LENGTH} characters. Got {len(raw)}."
        )
    return raw


def _suppression_k(environ: Mapping[str, str]) -> int:
    raw = environ.get(K_ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_K
    try:
        k = int(raw)
    except ValueError:
        k = None
    if k not in K_RANGE:
        raise ValueError(
            f"${K_ENV_VAR} must be a whole number from {K_RANGE.start} to {K_RANGE.stop - 1}. "
            f"Got {raw!r}."
        )
    return k


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    raw = environ.get(name, "")
    return Path(raw) if raw else None


def _audit_key(environ: Mapping[str, str]) -> str | None:
    raw = environ.get(AUDIT_KEY_ENV_VAR, "").strip()
    if not raw:
        return None
    if len(raw) < AUDIT_KEY_MIN_LENGTH:
        # The value itself is never repeated: it is a secret.
        raise ValueError(
            f"${AUDIT_KEY_ENV_VAR} must be at least {AUDIT_KEY_MIN_LENGTH} characters. "
            f"Got {len(raw)}."
        )
    return raw
