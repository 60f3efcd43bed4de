"""The upload guard and the ignored clear_cache message (ui/server_hardening.py).

The live server's answers are checked in tests/test_server.py and, behind nginx, in
tests/devtools/test_nginx.py.
"""

from types import SimpleNamespace

import pytest
import streamlit as st
from starlette.exceptions import HTTPException
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.runtime import Runtime

from threatmon.access.roles import DEMO_PRINCIPAL, Principal
from ui import server_hardening
from ui.auth import principal_in

ANALYST = Principal("ana", "analyst", (), "local")
VIEWER = Principal("vic", "viewer", (), "local")


@pytest.fixture(scope="module", autouse=True)
def installed():
    server_hardening.install()
    return True


def _runtime(active: bool, state: dict | None):
    """What the guard uses of a Runtime: its session manager and the session's state."""
    session = None if state is None else SimpleNamespace(session_state=state)
    return SimpleNamespace(
        _session_mgr=SimpleNamespace(is_active_session=lambda session_id: active),
        get_app_session=lambda session_id: session,
    )


def test_install_patches_once():
    patched = Runtime.is_active_session
    server_hardening.install()
    assert Runtime.is_active_session is patched
    assert server_hardening.installed()


@pytest.mark.parametrize("principal", [ANALYST, DEMO_PRINCIPAL])
def test_a_session_signed_in_to_upload_may_upload(principal):
    runtime = _runtime(True, {"auth_principal": principal})
    assert Runtime.is_active_session(runtime, "s1") is True


@pytest.mark.parametrize("state", [{}, {"auth_principal": VIEWER}, {"auth_principal": "ana"}, None])
def test_any_other_session_is_refused_before_the_body_is_read(state):
    with pytest.raises(HTTPException) as refused:
        Runtime.is_active_session(_runtime(True, state), "s1")
    assert (refused.value.status_code, refused.value.detail) == (
        403,
        "Sign in with an account that may upload files first.",
    )


def test_an_unknown_session_keeps_streamlits_own_answer():
    assert Runtime.is_active_session(_runtime(False, {}), "gone") is False


def test_principal_in_reads_only_a_principal():
    assert principal_in({"auth_principal": ANALYST}) == ANALYST
    assert principal_in({}) is None
    assert principal_in({"auth_principal": {"role": "admin"}}) is None


def test_clear_cache_leaves_every_cache_and_the_session_state(caplog):
    calls = []

    @st.cache_data
    def cached(x):
        calls.append(x)
        return x

    cached(1)
    state = {"auth_principal": ANALYST}
    session = SimpleNamespace(id="s1", _session_state=state)
    AppSession._handle_clear_cache_request(session)
    cached(1)
    assert calls == [1]
    assert state == {"auth_principal": ANALYST}
    assert "clear_cache message ignored (session s1)." in caplog.text
