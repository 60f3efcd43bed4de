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
the next click; a download or a callback already on screen is checked again when it runs
(:mod:`ui.guarded`, from :func:`session_grant`). A session ends after
``$THREATMON_SESSION_IDLE_MINUTES`` (30) without a click, or ``$THREATMON_SESSION_HOURS``
(12) after signing in.

A local sign-in also opens a session in the accounts file and gives the browser its
token in the cookie :data:`COOKIE`, set by a script (:func:`cookie_script`, sent by
:func:`emit_cookie`). A new Streamlit session of that browser (a reload, a new tab, a
shared link) reads the cookie and picks the session up without the password. While
such a session runs, the accounts file decides when it ends, for every tab at once.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from threatmon.access.accounts import (
    SIGN_IN_FAILED,
    Accounts,
    resolve_accounts_path,
    store_location_text,
)

# SessionLimits moved to threatmon.access.roles so the accounts file, which has no
# Streamlit, can expire sessions itself; it stays importable from here.
from threatmon.access.grants import Grant
from threatmon.access.roles import (
    DEMO_PRINCIPAL,
    OIDC,
    Permission,
    Principal,
    SessionLimits,
)
from threatmon.access.sessions import DISABLED, EXPIRED, SIGNED_OUT, UNKNOWN, is_token
from threatmon.errors import AccountError, AuthenticationError, SessionEndedError
from threatmon.settings import current_settings
from ui.i18n import role_name, t

_PRINCIPAL = "auth_principal"
_SIGNED_IN_AT = "auth_signed_in_at"
_SEEN_AT = "auth_seen_at"
# Why the last session ended: EXPIRED, DISABLED or SIGNED_OUT, the accounts file's own
# words (the sign-in page says them in the session's language).
_ENDED = "auth_ended"
# The session's token, kept on the server to end the session at sign-out.
_TOKEN = "auth_session_token"
# A cookie change for emit_cookie to send: the new token, or "" to delete the cookie.
_COOKIE_PENDING = "auth_cookie_pending"
# Whether this Streamlit session has tried its browser's cookie (it never changes).
_COOKIE_READ = "auth_cookie_read"
#: The browser cookie holding a local account's session token.
COOKIE = "threatmon_session"
KEY_NAME = "auth_name"
KEY_PASSWORD = "auth_password"

LOCAL_ACCOUNTS, OIDC_LOGIN, DEMO_OPEN, NO_ACCOUNTS = "local", "oidc", "demo", "none"


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
    configured = current_settings().oidc_provider
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


def _start(
    principal: Principal, token: str | None = None, signed_in_at: dt.datetime | None = None
) -> None:
    now = _now()
    st.session_state[_PRINCIPAL] = principal
    st.session_state[_SIGNED_IN_AT] = signed_in_at or now
    st.session_state[_SEEN_AT] = now
    st.session_state.pop(_ENDED, None)
    if token is not None:
        st.session_state[_TOKEN] = token


def _end(reason: str | None) -> None:
    for key in (_PRINCIPAL, _SIGNED_IN_AT, _SEEN_AT, _TOKEN):
        st.session_state.pop(key, None)
    if reason:
        st.session_state[_ENDED] = reason


def _close(reason: str, *, ended_in_db: bool = False) -> None:
    """End this session and, for a local one, its session in the accounts file and its cookie."""
    token = st.session_state.get(_TOKEN)
    if token is not None:
        if not ended_in_db:
            accounts().end_session(token, reason)
        st.session_state[_COOKIE_PENDING] = ""
    _end(reason)


def _shown_reason(reason: str) -> str:
    """What the sign-in page says about a session the accounts file has ended."""
    # A sign-out in another tab, a new password: either way this person is signed out.
    return reason if reason in (EXPIRED, DISABLED) else SIGNED_OUT


def _resume_from_cookie() -> Principal | None:
    """The person of the browser's session cookie, once per Streamlit session; else None."""
    if st.session_state.get(_COOKIE_READ):
        return None
    # Cookies are those of the request that opened this Streamlit session: read once.
    st.session_state[_COOKIE_READ] = True
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:  # a session without a client has mocks
        return None
    try:
        session = accounts().resume_session(token, SessionLimits.from_env())
    except SessionEndedError as exc:
        st.session_state[_COOKIE_PENDING] = ""  # the browser stops sending a dead token
        if exc.reason != UNKNOWN:
            st.session_state[_ENDED] = _shown_reason(exc.reason)
        return None
    # The longest-session limit keeps counting from the password, not from this reload.
    _start(session.principal, token, signed_in_at=session.signed_in_at)
    return session.principal


def _touch(principal: Principal, token: str) -> Principal | None:
    """This run's click on a local session kept in the accounts file; None once it ended.

    The accounts file, not this tab, judges idleness: another tab of the same browser
    may have kept the session busy.
    """
    try:
        current = accounts().touch_session(token, SessionLimits.from_env())
    except SessionEndedError as exc:
        _close(_shown_reason(exc.reason), ended_in_db=True)
        return None
    if current != principal:
        st.session_state[_PRINCIPAL] = current
    st.session_state[_SEEN_AT] = _now()
    return current


def signed_in(sign_in_mode: str) -> Principal | None:
    """The person this session acts for, checked again on this run; None if nobody is.

    A stored principal is dropped when the session has expired, the account was
    disabled or removed, or the sign-in mode changed (e.g. accounts were added to a
    demo deployment). With local accounts, a Streamlit session nobody has signed in
    to yet picks up its browser's session cookie.
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
        issued = _oidc_issued_at()
        _start(principal, signed_in_at=issued)
        now = _now()
        # A token past the longest session is logged as expired below, not as a sign-in.
        if not SessionLimits.from_env().expired(st.session_state[_SIGNED_IN_AT], now, now):
            _log_oidc_sign_in(principal.name, issued)
    if sign_in_mode == LOCAL_ACCOUNTS and principal is None:
        return _resume_from_cookie()
    if principal is None:
        return None
    token = st.session_state.get(_TOKEN)
    if sign_in_mode == LOCAL_ACCOUNTS and token is not None:
        return _touch(principal, token)
    expected_auth = OIDC if sign_in_mode == OIDC_LOGIN else "local"
    now = _now()
    if SessionLimits.from_env().expired(
        st.session_state[_SIGNED_IN_AT], st.session_state[_SEEN_AT], now
    ):
        accounts().log(principal.name, "session_expired", f"user:{principal.name}")
        _close(EXPIRED)
        if sign_in_mode == OIDC_LOGIN:
            st.logout()
        return None
    current = accounts().principal(principal.name, auth=expected_auth)
    if current is None:
        _close(DISABLED)
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


def _oidc_issued_at() -> dt.datetime | None:
    """When the identity provider issued the ID token behind ``st.user`` (its ``iat``).

    Every tab of the browser shares Streamlit's identity cookie: the longest-session
    limit counts from this, not from the tab, so a reload cannot extend a session.
    """
    issued = st.user.get("iat")
    if not isinstance(issued, int | float):
        return None
    return dt.datetime.fromtimestamp(issued, dt.UTC).replace(tzinfo=None)


def _log_oidc_sign_in(name: str, issued: dt.datetime | None) -> None:
    """``login`` once per ID token; a tab that picks up the same token is a resumption."""
    target = f"user:{name}"
    if issued is None:  # nothing tells one sign-in from another: every tab is a login
        accounts().log(name, "login", target, {"auth": OIDC})
        return
    details = {"auth": OIDC, "token_issued_at": issued.isoformat(timespec="seconds")}
    if not accounts().log_once(name, "login", target, details):
        accounts().log(name, "session_resumed", target, {"auth": OIDC})


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
            token = accounts().open_session(principal.name)
        except AuthenticationError as exc:
            st.error(_failure_text(str(exc)), icon=":material/error:")
        except AccountError:
            # Disabled between the password check and the session: refused like any failure.
            st.error(_failure_text(SIGN_IN_FAILED), icon=":material/error:")
        else:
            _start(principal, token)
            # Elements drawn now never reach the browser (st.rerun discards them): the
            # frame's emit_cookie sends the cookie on the next run.
            st.session_state[_COOKIE_PENDING] = token
            st.rerun()


def no_accounts_page() -> None:
    """Shown for a store of real data before any account exists."""
    st.title(t("auth.required_title"))
    st.warning(
        t("auth.no_accounts", db=store_location_text()),
        icon=":material/admin_panel_settings:",
    )


def sign_out() -> None:
    """Callback of the sidebar's Sign out button: ends the session in every tab."""
    principal = st.session_state.get(_PRINCIPAL)
    if principal is not None:
        accounts().log(principal.name, "logout", f"user:{principal.name}")
    _close(SIGNED_OUT)
    if oidc_configured():
        st.logout()


def cookie_script(token: str | None, max_age: int) -> str:
    """A script that sets the session cookie to ``token`` for ``max_age`` seconds, or
    deletes it when ``token`` is None.

    This is the only HTML with scripts allowed, and the only HTML built at run time
    from a value that is not escaped: the value must have a token's shape (43 letters,
    digits, ``-`` or ``_``), so no other text can ever reach it. The cookie cannot be
    HttpOnly, being set from the page; docs/security.md says why that is acceptable.
    ``Secure`` is added when the page itself came over https. A style hides the
    element's empty place in the page.
    """
    if token is None:
        token, max_age = "", 0
    elif not is_token(token):
        raise ValueError("Not a session token: only a token is written into the page.")
    if max_age < 0:
        raise ValueError(f"max_age must be 0 or more seconds. Got {max_age}.")
    cookie = f"{COOKIE}={token}; Path=/; Max-Age={int(max_age)}; SameSite=Strict"
    return (
        # The element draws nothing, but its place in the page would still take a gap
        # for one run and shift the page at the next click: hide the place.
        '<style>[data-testid="stElementContainer"]:has(script[data-tm-cookie])'
        "{display:none}</style>"
        "<script data-tm-cookie>document.cookie = "
        f'"{cookie}" + (location.protocol === "https:" ? "; Secure" : "");</script>'
    )


def emit_cookie() -> None:
    """Send this session's pending cookie change to the browser, once (the frame calls this).

    ``st.html`` runs the script in the app's own page, not in an iframe, so the cookie
    belongs to the dashboard's origin. The element is drawn on this run only.
    """
    pending = st.session_state.pop(_COOKIE_PENDING, None)
    if pending is None:
        return
    longest = int(SessionLimits.from_env().longest.total_seconds())
    st.html(cookie_script(pending or None, longest), unsafe_allow_javascript=True)


def session_principal() -> Principal | None:
    """The session's person if one is signed in, without stopping the run."""
    return st.session_state.get(_PRINCIPAL)


def principal_in(state) -> Principal | None:
    """The signed-in person kept in a session's state, read from outside its runs.

    The server's upload guard (ui/server_hardening.py) asks this of the session an upload
    names; ``state`` is that session's ``SessionState``, or any mapping in tests.
    """
    try:
        principal = state[_PRINCIPAL]
    except KeyError:
        return None
    return principal if isinstance(principal, Principal) else None


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


def session_grant(permission: Permission) -> Grant:
    """What a deferred action drawn now is for: this run's person, the session's token
    (a local sign-in) and its times (see :mod:`ui.guarded`, which checks it again)."""
    return Grant(
        current(),
        permission,
        token=st.session_state.get(_TOKEN),
        signed_in_at=st.session_state.get(_SIGNED_IN_AT),
        seen_at=st.session_state.get(_SEEN_AT),
    )


def remember(principal: Principal) -> None:
    """Make ``principal`` the session's person for :func:`current` (the frame calls this)."""
    if st.session_state.get(_PRINCIPAL) != principal:
        st.session_state[_PRINCIPAL] = principal
        st.session_state.setdefault(_SIGNED_IN_AT, _now())
        st.session_state.setdefault(_SEEN_AT, _now())


__all__ = [
    "COOKIE",
    "DEMO_OPEN",
    "LOCAL_ACCOUNTS",
    "NO_ACCOUNTS",
    "OIDC_LOGIN",
    "SessionLimits",
    "accounts",
    "cookie_script",
    "current",
    "emit_cookie",
    "mode",
    "no_accounts_page",
    "oidc_configured",
    "principal_in",
    "remember",
    "session_grant",
    "session_principal",
    "require",
    "sign_in_page",
    "sign_out",
    "signed_in",
]
