"""Downloads are checked again and logged when the file is built, with who took it and in
which role."""

import datetime as dt

import pytest
import streamlit as st

from threatmon.access.accounts import Accounts
from threatmon.access.roles import Principal
from threatmon.errors import ActionRefusedError
from ui import exports


@pytest.fixture
def eva(private_accounts):
    """The viewer eva, signed in to this (bare) session a moment ago."""
    accounts = Accounts(private_accounts)
    accounts.add("eva", "viewer", password="test password 123", by="test")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    st.session_state["auth_principal"] = Principal("eva", "viewer")
    st.session_state["auth_signed_in_at"] = now
    st.session_state["auth_seen_at"] = now
    yield accounts
    st.session_state.clear()


def test_a_download_is_logged_when_its_file_is_built(eva):
    build = exports.audited(lambda: b"a,b\n1,2\n", "table:changes", rows=1)
    assert eva.access_log()["action"].tolist() == ["account_add"]  # drawing logs nothing
    assert build() == b"a,b\n1,2\n"
    entry = eva.access_log().iloc[-1]
    assert (entry.user_name, entry.action, entry.target) == ("eva", "export", "table:changes")
    assert entry.details == '{"role": "viewer", "rows": 1}'


def test_a_download_drawn_before_the_account_was_disabled_builds_nothing(eva):
    built = []
    build = exports.audited(lambda: built.append(1) or b"x", "table:changes", rows=1)
    eva.set_disabled("eva", True, by="root")
    with pytest.raises(ActionRefusedError, match=r"^Refused table:changes for eva: the session"):
        build()
    assert built == []
    assert eva.access_log()["action"].tolist()[-2:] == ["account_disable", "action_refused"]


def test_a_download_drawn_for_a_viewer_is_refused_once_she_is_promoted(eva):
    build = exports.audited(lambda: b"x", "table:changes", rows=1)
    eva.set_role("eva", "analyst", by="root")
    with pytest.raises(ActionRefusedError) as caught:
        build()
    assert caught.value.reason == "role_changed"
