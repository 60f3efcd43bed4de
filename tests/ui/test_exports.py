"""Downloads are logged when the file is built, with who took it and in which role."""

import datetime as dt

import streamlit as st

from threatmon.access.accounts import Accounts
from threatmon.access.roles import Principal
from ui import exports


def test_a_download_is_logged_when_its_file_is_built(private_accounts):
    st.session_state["auth_principal"] = Principal("eva", "viewer")
    st.session_state["auth_signed_in_at"] = dt.datetime.now()
    try:
        build = exports.audited(lambda: b"a,b\n1,2\n", "table:changes", rows=1)
        assert Accounts(private_accounts).access_log().empty  # drawing the button logs nothing
        assert build() == b"a,b\n1,2\n"
    finally:
        st.session_state.clear()
    (entry,) = Accounts(private_accounts).access_log().itertuples(index=False)
    assert (entry.user_name, entry.action, entry.target) == ("eva", "export", "table:changes")
    assert entry.details == '{"role": "viewer", "rows": 1}'
