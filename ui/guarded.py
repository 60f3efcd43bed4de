"""The one gate of every deferred action: a download built on click, a button's callback.

Both run after the page that drew them. Streamlit builds a deferred download (a
``st.download_button`` given a callable) on a server thread with no script run around
it, and runs a callback at the start of the next run, before the frame checks the
session. So each is wrapped here when it is drawn, with what the page knew
(:func:`ui.auth.session_grant`), and checked again when it runs
(:meth:`threatmon.access.accounts.Accounts.recheck`): the session still open in the
accounts database (not signed out in another tab, not idle, not past its longest time),
the account still enabled, and its role and scope still those the page was drawn for.
The action gets the person as read then, never the one captured with the page.

A refused download raises :class:`~threatmon.errors.ActionRefusedError`: no file leaves,
the browser shows Streamlit's "Failed to generate file" under the button, and the next
run of this session says why (:func:`show_refusal`). A refused callback does nothing,
and the run it starts says why.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from threatmon.access.grants import NOT_ALLOWED, ROLE_CHANGED
from threatmon.access.roles import Permission, SessionLimits
from threatmon.errors import ActionRefusedError
from ui import auth
from ui.i18n import t

T = TypeVar("T")

# Why a session's last deferred action was refused, by Streamlit session id, until its
# next run shows it. A download is refused on a thread with no session state to write to.
_REFUSALS: OrderedDict[str, str] = OrderedDict()
_LOCK = threading.Lock()
# Sessions that never come back must not grow this without end.
_KEPT = 1000


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _remember(session_id: str | None, reason: str) -> None:
    if session_id is None:
        return
    with _LOCK:
        _REFUSALS[session_id] = reason
        _REFUSALS.move_to_end(session_id)
        while len(_REFUSALS) > _KEPT:
            _REFUSALS.popitem(last=False)


def deferred(action: Callable[..., T], permission: Permission, what: str) -> Callable[..., T]:
    """``action`` checked again when it runs, called with the person read then.

    Call this while the page is drawn. ``action(person, *args)`` runs only if the session
    is still open and ``person`` (read from the accounts database as it runs) has the role
    and scope of this run's person and ``permission``; ``what`` names the action in the
    access log.

    Raises
    ------
    ActionRefusedError
        When it runs, if it may not; ``action_refused`` is logged and this session's next
        run says so.
    """
    grant = auth.session_grant(permission)
    session_id = _session_id()

    def run(*args, **kwargs) -> T:
        try:
            person = auth.accounts().recheck(grant, SessionLimits.from_env(), what)
        except ActionRefusedError as exc:
            _remember(session_id, exc.reason)
            raise
        return action(person, *args, **kwargs)

    return run


def callback(action: Callable[..., None], permission: Permission, what: str) -> Callable[..., None]:
    """:func:`deferred` for a button's ``on_click``: refused, it does nothing (the run it
    starts shows why)."""
    run = deferred(action, permission, what)

    def on_click(*args, **kwargs) -> None:
        try:
            run(*args, **kwargs)
        except ActionRefusedError:
            pass  # logged, and remembered for show_refusal

    return on_click


def show_refusal() -> None:
    """Say, once, why this session's last deferred action was refused (the frame calls this)."""
    session_id = _session_id()
    with _LOCK:
        reason = _REFUSALS.pop(session_id, None) if session_id is not None else None
    if reason is None:
        return
    if reason in (ROLE_CHANGED, NOT_ALLOWED):
        text = t("auth.refused_role")
    else:
        text = t("auth.refused_session")
    st.warning(text, icon=":material/block:")


__all__ = ["callback", "deferred", "show_refusal"]
