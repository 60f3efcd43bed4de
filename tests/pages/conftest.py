"""The real browser for the page tests that need one (Playwright driving Debian's chromium).

The helpers are fixtures: test modules cannot import this file by name.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# Streamlit's own tiny SVG/favicon requests and data: URLs stay local by construction.
LOCAL_SCHEMES = {"data", "blob", "about", "file", "chrome-extension"}


def outside(requests: list[str]) -> list[str]:
    """The requested URLs that left the machine (any host but 127.0.0.1)."""
    found = []
    for url in requests:
        parsed = urlparse(url)
        if parsed.scheme in LOCAL_SCHEMES:
            continue
        if parsed.hostname not in ("127.0.0.1",):
            found.append(url)
    return found


def dismiss_page_not_found(page) -> None:
    """Close Streamlit's spurious "Page not found" dialog if it is up."""
    # Streamlit bug #9992: the first session of a fresh server opened on a page other
    # than the default gets a "Page not found" dialog over the (correct) page.
    dialog = page.get_by_role("dialog")
    if dialog.count() and "Page not found" in dialog.first.inner_text():
        page.keyboard.press("Escape")
        dialog.first.wait_for(state="hidden", timeout=10_000)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def leaving():
    """``leaving(requests)``: the URLs among ``requests`` that left the machine."""
    return outside


@pytest.fixture
def dismiss_dialog():
    """``dismiss_dialog(page)``: close Streamlit's spurious "Page not found" dialog."""
    return dismiss_page_not_found


@pytest.fixture
def sign_in(private_accounts):
    """``sign_in(at, name, role, scope=())``: an account in this test's accounts file, and
    ``at``'s session signed in as it (the form itself is tested in test_auth.py)."""
    import datetime as dt

    from data_loaders.access import Principal
    from data_loaders.accounts import Accounts

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
