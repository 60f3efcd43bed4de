"""Fixtures of the page tests (the browser fixtures are in ``tests/conftest.py``).

The helpers are fixtures: test modules cannot import this file by name.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def sign_in(private_accounts):
    """``sign_in(at, name, role, scope=())``: an account in this test's accounts file, and
    ``at``'s session signed in as it (the form itself is tested in test_auth.py)."""
    import datetime as dt

    from threatmon.access.accounts import Accounts
    from threatmon.access.roles import Principal

    accounts = Accounts(private_accounts)

    def signed_in(at, name: str, role: str, scope: tuple[str, ...] = ()):
        if accounts.principal(name) is None:
            accounts.add(name, role, password="test password 123", scope=scope, by="test")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        at.session_state["auth_principal"] = Principal(name, role, tuple(scope))
        at.session_state["auth_signed_in_at"] = now
        at.session_state["auth_seen_at"] = now
        return at

    signed_in.accounts = accounts
    return signed_in


@pytest.fixture
def offline_page(browser, leaving):
    """``with offline_page() as page:`` a 1400×1000 page of the module's browser, closed on
    exit; the test then fails if a request of that page left the machine."""
    import contextlib

    @contextlib.contextmanager
    def opened(width: int = 1400, height: int = 1000):
        requests: list[str] = []
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda request: requests.append(request.url))
        try:
            yield page
        finally:
            page.close()
        assert leaving(requests) == []

    return opened


@pytest.fixture
def restart(monkeypatch):
    """``restart((owner, name), …)``: Streamlit's caches emptied as in a new server process
    (only what was kept on disk beside the store remains), and each named function made
    to fail the test if it is called: what the restarted server must not derive again."""
    import streamlit as st

    def derive_again(*args, **kwargs):
        raise AssertionError("derived again")

    def restarted(*derivations):
        st.cache_data.clear()
        st.cache_resource.clear()
        for owner, name in derivations:
            monkeypatch.setattr(owner, name, derive_again)

    return restarted
