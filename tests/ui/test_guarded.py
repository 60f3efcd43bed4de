"""The one gate of deferred actions, outside a page run (the pages' tests click through it
in tests/pages/test_deferred.py)."""

import datetime as dt

import pytest
import streamlit as st

from threatmon.access.accounts import Accounts
from threatmon.access.roles import Permission, Principal
from threatmon.errors import ActionRefusedError
from ui import guarded


@pytest.fixture
def root(private_accounts):
    """The administrator root, signed in to this (bare) session a moment ago."""
    accounts = Accounts(private_accounts)
    accounts.add("root", "admin", password="test password 123", by="test")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    st.session_state["auth_principal"] = Principal("root", "admin")
    st.session_state["auth_signed_in_at"] = now
    st.session_state["auth_seen_at"] = now
    yield accounts
    st.session_state.clear()


def test_the_action_gets_the_person_read_when_it_runs(root):
    done = []
    run = guarded.deferred(lambda who, n: done.append((who, n)), Permission.UNDO_ANY, "undo:1")
    run(1)
    assert done == [(Principal("root", "admin"), 1)]


def test_a_refused_deferred_action_raises_and_runs_nothing(root):
    done = []
    run = guarded.deferred(lambda who: done.append(who), Permission.UNDO_ANY, "undo:1")
    root.set_role("root", "analyst", by="other")
    with pytest.raises(ActionRefusedError):
        run()
    assert done == []


def test_a_refused_callback_does_nothing_and_is_logged(root):
    done = []
    on_click = guarded.callback(lambda who, n: done.append(n), Permission.UNDO_ANY, "undo:7")
    root.set_disabled("root", True, by="other")
    on_click(7)  # no exception reaches Streamlit's callback runner
    assert done == []
    last = root.access_log().iloc[-1]
    assert (last["action"], last["target"]) == ("action_refused", "undo:7")
    assert '"reason": "disabled"' in last["details"]


def test_a_page_cannot_draw_an_action_its_role_may_not_run(root):
    st.session_state["auth_principal"] = Principal("eva", "viewer")
    root.add("eva", "viewer", password="test password 123", by="test")
    run = guarded.deferred(lambda who: None, Permission.MANAGE_ACCOUNTS, "account_role:ana")
    with pytest.raises(ActionRefusedError) as caught:
        run()
    assert caught.value.reason == "not_allowed"
