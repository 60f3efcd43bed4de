"""Sign-in in a real browser (Playwright, Debian's chromium).

A URL is not a way round the role: AppTest can only switch to registered pages; here
the address bar asks for the Upload page directly, before and after signing in, as
someone would with a shared link. And a local sign-in outlives a reload or a new tab
through its session cookie, which AppTest cannot send.
"""

from __future__ import annotations

import time

import pytest

from threatmon.access.accounts import Accounts

PASSWORD = "browser test password"
COOKIE = "threatmon_session"
WAIT = 90_000
#: Another site linking to the dashboard; answered by the test's own route, offline.
MAIL = "http://mail.test/"


def _sign_in(page, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


NO_ACCESS = "You do not have access to this page (Upload needs the analyst role)."


def test_a_viewer_cannot_reach_upload_by_url_and_an_analyst_can(
    browser, start_server, leaving, dismiss_dialog, demo_store_path, private_accounts
):
    accounts = Accounts(private_accounts)
    accounts.add("eva", "viewer", password=PASSWORD, by="test")
    accounts.add("ana", "analyst", password=PASSWORD, by="test")
    requests: list[str] = []
    with start_server(demo_store_path, THREATMON_ACCOUNTS=str(private_accounts)) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: requests.append(request.url))
        # Another browser (its own cookies), for the analyst.
        second = browser.new_page(viewport={"width": 1400, "height": 1000})
        second.on("request", lambda request: requests.append(request.url))
        try:
            # Not signed in: the upload URL shows the sign-in form and nothing else.
            page.goto(f"{base}/load", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Sign in").wait_for(timeout=90_000)
            dismiss_dialog(page)
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            assert page.get_by_text("RESTRICTED — law-enforcement use only").is_visible()
            # A viewer signs in on that URL: told she has no access, no uploader, and no
            # menu entry.
            _sign_in(page, "eva")
            page.get_by_text(NO_ACCESS).wait_for(timeout=90_000)
            dismiss_dialog(page)
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            nav = page.locator("[data-testid='stSidebarNav']")
            assert "Upload" not in nav.inner_text() and "Audit" not in nav.inner_text()
            # The same URL in a new session of this browser: the viewer again (her
            # session cookie), and still no upload page.
            page.goto(f"{base}/load", wait_until="domcontentloaded")
            page.get_by_text(NO_ACCESS).wait_for(timeout=90_000)
            dismiss_dialog(page)
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            # The same URL in another browser, signed in as an analyst, opens the page.
            second.goto(f"{base}/load", wait_until="domcontentloaded")
            second.get_by_role("heading", name="Sign in").wait_for(timeout=90_000)
            dismiss_dialog(second)
            _sign_in(second, "ana")
            second.get_by_role("heading", name="Upload").wait_for(timeout=90_000)
            second.locator("[data-testid='stFileUploader']").wait_for(timeout=60_000)
        finally:
            page.close()
            second.close()
    assert leaving(requests) == []
    log = accounts.access_log()
    assert log["action"].tolist()[-3:] == ["login", "session_resumed", "login"]
    assert log["user_name"].tolist()[-3:] == ["eva", "eva", "ana"]


def _session_cookies(context) -> list[dict]:
    return [c for c in context.cookies() if c["name"] == COOKIE]


def _until(condition, seconds: float = 15) -> None:
    """Wait for ``condition()``: the cookie script runs a moment after the page is drawn."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _open(page, url: str, heading: str, dismiss_dialog) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading).wait_for(timeout=WAIT)
    dismiss_dialog(page)


def _signed_in_tab(context, url: str, name: str, lands_on: str, dismiss_dialog):
    """A new tab of ``context`` signed in at ``url`` as ``name``, once the cookie is set."""
    page = context.new_page()
    _open(page, url, "Sign in", dismiss_dialog)
    _sign_in(page, name)
    page.get_by_role("heading", name=lands_on).wait_for(timeout=WAIT)
    _until(lambda: _session_cookies(context))
    return page


@pytest.fixture
def one_browser(browser, start_server, demo_store_path, private_accounts):
    """``(base, context)``: a dashboard on this test's accounts file, and one browser
    profile (a Playwright context) whose tabs share their cookies."""
    with start_server(demo_store_path, THREATMON_ACCOUNTS=str(private_accounts)) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            yield base, context
        finally:
            context.close()


def test_a_local_sign_in_survives_a_reload_and_a_new_tab_until_signing_out(
    one_browser, dismiss_dialog, leaving, private_accounts
):
    base, context = one_browser
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    accounts = Accounts(private_accounts)
    accounts.add("ana", "analyst", password=PASSWORD, by="test")
    page = _signed_in_tab(context, f"{base}/load", "ana", "Upload", dismiss_dialog)
    (cookie,) = _session_cookies(context)
    # Set by the page's script: for this origin, never sent cross-site, not HttpOnly
    # (docs/security.md), Secure only over https; it lasts 12 hours.
    assert (cookie["domain"], cookie["path"], cookie["sameSite"]) == ("127.0.0.1", "/", "Strict")
    assert (cookie["httpOnly"], cookie["secure"]) == (False, False)
    assert 12 * 3600 - 300 < cookie["expires"] - time.time() <= 12 * 3600
    assert cookie["value"] not in page.url
    # A reload is a new Streamlit session: still signed in, on the same page.
    page.reload(wait_until="domcontentloaded")
    page.get_by_role("heading", name="Upload").wait_for(timeout=WAIT)
    assert page.get_by_label("User name").count() == 0
    # The page's address opened in another tab of the same browser.
    other = context.new_page()
    _open(other, page.url, "Upload", dismiss_dialog)
    other.locator("[data-testid='stFileUploader']").wait_for(timeout=WAIT)
    # The link followed from another site (a webmail, here a page made up by the test):
    # the page itself arrives without the SameSite=Strict cookie, but its own
    # connection to the server is same-site and carries it.
    mail = f'<a href="{page.url}">the weekly figures</a>'
    context.route(MAIL, lambda route: route.fulfill(content_type="text/html", body=mail))
    shared = context.new_page()
    shared.goto(MAIL)
    shared.get_by_role("link", name="the weekly figures").click()
    shared.get_by_role("heading", name="Upload").wait_for(timeout=WAIT)
    shared.close()
    # Signing out in the first tab deletes the cookie and ends the session.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
    _until(lambda: not _session_cookies(context))
    page.reload(wait_until="domcontentloaded")
    page.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
    # The other tab, still open, is signed out at its next click.
    other.get_by_role("link", name="Overview").click()
    other.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
    other.get_by_text("You are signed out.").wait_for(timeout=WAIT)
    assert leaving([url for url in requests if not url.startswith(MAIL)]) == []
    log = accounts.access_log()
    assert log["action"].tolist()[1:] == ["login"] + ["session_resumed"] * 3 + ["logout"]
    assert set(log["user_name"].iloc[1:]) == {"ana"}


def test_a_disabled_accounts_cookie_no_longer_signs_in(
    one_browser, dismiss_dialog, private_accounts
):
    base, context = one_browser
    accounts = Accounts(private_accounts)
    accounts.add("eva", "viewer", password=PASSWORD, by="test")
    _signed_in_tab(context, base, "eva", "Overview", dismiss_dialog)
    accounts.set_disabled("eva", True, by="test")
    accounts.set_disabled("eva", False, by="test")  # enabling revives no session
    other = context.new_page()
    _open(other, base, "Sign in", dismiss_dialog)
    other.get_by_text("Your account is disabled or no longer exists.").wait_for(timeout=WAIT)
    _until(lambda: not _session_cookies(context))  # the dead cookie is deleted
    assert accounts.access_log()["action"].tolist()[-3:] == [
        "login",
        "account_disable",
        "account_enable",
    ]
