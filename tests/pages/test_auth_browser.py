"""Roles in a real browser: a URL is not a way round the role (Playwright, Debian's chromium).

AppTest can only switch to registered pages; here the address bar asks for the Upload
page directly, before and after signing in, as someone would with a shared link.
"""

from __future__ import annotations

from data_loaders.accounts import Accounts

PASSWORD = "browser test password"


def _sign_in(page, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


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
        try:
            # Not signed in: the upload URL shows the sign-in form and nothing else.
            page.goto(f"{base}/load", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Sign in").wait_for(timeout=90_000)
            dismiss_dialog(page)
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            assert page.get_by_text("RESTRICTED — law-enforcement use only").is_visible()
            # A viewer signs in on that URL: still no upload page, and no menu entry.
            _sign_in(page, "eva")
            page.get_by_role("heading", name="Overview").wait_for(timeout=90_000)
            dismiss_dialog(page)
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            nav = page.locator("[data-testid='stSidebarNav']")
            assert "Upload" not in nav.inner_text() and "Audit" not in nav.inner_text()
            # The same URL in a new session, signed in as an analyst, opens the page.
            page.goto(f"{base}/load", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Sign in").wait_for(timeout=90_000)
            dismiss_dialog(page)
            _sign_in(page, "ana")
            page.get_by_role("heading", name="Upload").wait_for(timeout=90_000)
            page.locator("[data-testid='stFileUploader']").wait_for(timeout=60_000)
        finally:
            page.close()
    assert leaving(requests) == []
    log = accounts.access_log()
    assert log["action"].tolist()[-2:] == ["login", "login"]
    assert log["user_name"].tolist()[-2:] == ["eva", "ana"]
