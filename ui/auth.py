"""Who is using this session: sign-in (OIDC or local accounts), session expiry, sign-out.

How a session signs in is decided by the deployment, in this order:

1. OIDC, when ``.streamlit/secrets.toml`` has an ``[auth]`` section: ``st.login``
   sends the person to the identity provider (e.g. a Keycloak on the local network).
   The identity must also be an account added with ``threatmon users add NAME --oidc``,
   which gives its role and country scope.
2. Local accounts, when the accounts file holds an active account: a sign-in form.
3. Neither, on a demo store: no sign-in; every page says so.
4. Neither, on any other store: nothing is shown until an administrator is created.

Every run re-reads the account, so disabling it or changing its role takes effect at
the next click. A session ends after ``$THREATMON_SESSION_IDLE_MINUTES`` (30) without a
click, or ``$THREATMON_SESSION_HOURS`` (12) after signing in.
"""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

# SessionLimits moved to data_loaders.access so the accounts file, which has no
# Streamlit, can expire sessions itself; it stays importable from here.
from data_loaders.access import (
    DEMO_PRINCIPAL,
    IDLE_ENV_VAR,
    MAX_ENV_VAR,
    Permission,
    Principal,
    SessionLimits,
)
from data_loaders.accounts import OIDC, SIGN_IN_FAILED, Accounts, resolve_accounts_path
from data_loaders.errors import AuthenticationError
from ui.i18n import role_name, t

OIDC_PROVIDER_ENV_VAR = "THREATMON_OIDC_PROVIDER"

_PRINCIPAL = "auth_principal"
_SIGNED_IN_AT = "auth_signed_in_at"
_SEEN_AT = "auth_seen_at"
_ENDED = "auth_ended"
KEY_NAME = "auth_name"
KEY_PASSWORD = "auth_password"

LOCAL_ACCOUNTS, OIDC_LOGIN, DEMO_OPEN, NO_ACCOUNTS = "local", "oidc", "demo", "none"
# Why a session ended, as kept in the session (the sign-in page says it in words).
EXPIRED, DISABLED, SIGNED_OUT = "expired", "disabled", "signed_out"


def accounts() -> Accounts:
    """The accounts file of this deployment (beside the store unless configured)."""
    return Accounts(resolve_accounts_path())


def oidc_configured() -> bool:
    """Whether ``secrets.toml`` configures an OIDC provider for ``st.login``."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error type
        return False


def oidc_provider() -> str | None:
    """The named provider of ``[auth.NAME]``, or None for a single unnamed ``[auth]``."""
    configured = os.environ.get(OIDC_PROVIDER_ENV_VAR, "").strip()
    if configured:
        return configured
    named = [key for key, value in st.secrets["auth"].items() if hasattr(value, "items")]
    return named[0] if len(named) == 1 else None


def mode(is_demo: bool) -> str:
    """How this deployment signs people in (see the module docstring)."""
    if oidc_configured():
        return OIDC_LOGIN
    if accounts().has_users():
        return LOCAL_ACCOUNTS
    return DEMO_OPEN if is_demo else NO_ACCOUNTS


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _start(principal: Principal) -> None:
    now = _now()
    st.session_state[_PRINCIPAL] = principal
    st.session_state[_SIGNED_IN_AT] = now
    st.session_state[_SEEN_AT] = now
    st.session_state.pop(_ENDED, None)


def _end(reason: str | None) -> None:
    for key in (_PRINCIPAL, _SIGNED_IN_AT, _SEEN_AT):
        st.session_state.pop(key, None)
    if reason:
        st.session_state[_ENDED] = reason


def signed_in(sign_in_mode: str) -> Principal | None:
    """The person this session acts for, checked again on this run; None if nobody is.

    A stored principal is dropped when the session has expired, the account was
    disabled or removed, or the sign-in mode changed (e.g. accounts were added to a
    demo deployment).
    """
    if sign_in_mode == DEMO_OPEN:
        return DEMO_PRINCIPAL
    if sign_in_mode == NO_ACCOUNTS:
        return None
    principal = st.session_state.get(_PRINCIPAL)
    if principal is not None and principal.auth == DEMO_PRINCIPAL.auth:
        _end(None)  # accounts were added while this demo session was open
        principal = None
    if sign_in_mode == OIDC_LOGIN and principal is None and st.user.is_logged_in:
        principal = _oidc_principal()
        if principal is None:
            return None
        _start(principal)
        accounts().log(principal.name, "login", f"user:{principal.name}", {"auth": OIDC})
    if principal is None:
        return None
    expected_auth = OIDC if sign_in_mode == OIDC_LOGIN else "local"
    now = _now()
    if SessionLimits.from_env().expired(
        st.session_state[_SIGNED_IN_AT], st.session_state[_SEEN_AT], now
    ):
        accounts().log(principal.name, "session_expired", f"user:{principal.name}")
        _end(EXPIRED)
        if sign_in_mode == OIDC_LOGIN:
            st.logout()
        return None
    current = accounts().principal(principal.name, auth=expected_auth)
    if current is None:
        _end(DISABLED)
        return None
    if current != principal:
        st.session_state[_PRINCIPAL] = current
    st.session_state[_SEEN_AT] = now
    return current


def _oidc_identity() -> str:
    user = st.user
    for claim in ("preferred_username", "email", "sub"):
        value = user.get(claim)
        if value:
            return str(value)
    return ""


def _oidc_principal() -> Principal | None:
    identity = _oidc_identity()
    principal = accounts().principal(identity, auth=OIDC) if identity else None
    if principal is None:
        accounts().log(identity or "(unknown)", "login_failed", None, {"reason": "oidc_unknown"})
    return principal


# -- what the frame draws ----------------------------------------------------------------------


def _ended_text(reason: str) -> str:
    return {
        EXPIRED: t("auth.session_expired"),
        DISABLED: t("auth.account_gone"),
        SIGNED_OUT: t("auth.signed_out"),
    }.get(reason, reason)


def _failure_text(message: str) -> str:
    """The sign-in refusal in the session's language (other messages as they are)."""
    return t("auth.sign_in_failed") if message == SIGN_IN_FAILED else message


def sign_in_page() -> None:
    """The only page a session that is not signed in can reach."""
    st.title(t("auth.sign_in"))
    ended = st.session_state.get(_ENDED)
    if ended:
        st.info(_ended_text(ended), icon=":material/lock_clock:")
    if oidc_configured():
        if st.user.is_logged_in:
            st.error(
                # The identity is shown inside a code span: it must not close it.
                t("auth.oidc_unknown", identity=_oidc_identity().replace("`", "'")),
                icon=":material/no_accounts:",
            )
            st.button(t("account.sign_out"), on_click=st.logout)
            return
        provider = oidc_provider()
        st.button(
            t("auth.sign_in_oidc"),
            icon=":material/login:",
            type="primary",
            on_click=st.login,
            args=(provider,) if provider else (),
        )
        return
    with st.form("sign_in", enter_to_submit=True):
        name = st.text_input(t("auth.user_name"), key=KEY_NAME, autocomplete="username")
        password = st.text_input(
            t("auth.password"), type="password", key=KEY_PASSWORD, autocomplete="current-password"
        )
        submitted = st.form_submit_button(
            t("auth.sign_in"), type="primary", icon=":material/login:"
        )
    if submitted:
        # The password is not kept in the session's state beyond this check.
        st.session_state.pop(KEY_PASSWORD, None)
        try:
            principal = accounts().authenticate(name, password)
        except AuthenticationError as exc:
            st.error(_failure_text(str(exc)), icon=":material/error:")
        else:
            _start(principal)
            st.rerun()


def no_accounts_page() -> None:
    """Shown for a store of real data before any account exists."""
    from data_loaders.store import resolve_db_path

    st.title(t("auth.required_title"))
    st.warning(
        t("auth.no_accounts", db=resolve_db_path()),
        icon=":material/admin_panel_settings:",
    )


def sign_out() -> None:
    """Callback of the sidebar's Sign out button."""
    principal = st.session_state.get(_PRINCIPAL)
    if principal is not None:
        accounts().log(principal.name, "logout", f"user:{principal.name}")
    _end(SIGNED_OUT)
    if oidc_configured():
        st.logout()


def session_principal() -> Principal | None:
    """The session's person if one is signed in, without stopping the run."""
    return st.session_state.get(_PRINCIPAL)


def current() -> Principal:
    """The person the current run acts for (set by the frame before any page runs).

    Fails closed: a page run without a signed-in person stops here.
    """
    principal = st.session_state.get(_PRINCIPAL)
    if principal is None:
        st.error(t("auth.sign_in_first"), icon=":material/lock:")
        st.stop()
    return principal


def require(permission: Permission) -> Principal:
    """The current person, or stop this page with a message if their role does not allow it.

    The navigation already hides pages a role may not use; this check is the second
    lock, for a page reached some other way.
    """
    principal = current()
    if not principal.can(permission):
        st.error(
            t("auth.role_denied", role=role_name(principal.role.value)),
            icon=":material/block:",
        )
        st.stop()
    return principal


def remember(principal: Principal) -> None:
    """Make ``principal`` the session's person for :func:`current` (the frame calls this)."""
    if st.session_state.get(_PRINCIPAL) != principal:
        st.session_state[_PRINCIPAL] = principal
        st.session_state.setdefault(_SIGNED_IN_AT, _now())
        st.session_state.setdefault(_SEEN_AT, _now())


__all__ = [
    "DEMO_OPEN",
    "IDLE_ENV_VAR",
    "MAX_ENV_VAR",
    "LOCAL_ACCOUNTS",
    "NO_ACCOUNTS",
    "OIDC_LOGIN",
    "SessionLimits",
    "accounts",
    "current",
    "mode",
    "no_accounts_page",
    "oidc_configured",
    "remember",
    "session_principal",
    "require",
    "sign_in_page",
    "sign_out",
    "signed_in",
]
