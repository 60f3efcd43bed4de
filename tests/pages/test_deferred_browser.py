"""Downloads still on screen, clicked in a real browser (Playwright, Debian's chromium):
the file is built on the click, by the server. It must not be built for an account that
can no longer sign in, and it must come for a button still shown while its page reruns
(ui/deferred_files.py)."""

from __future__ import annotations

import time

from threatmon.access.accounts import Accounts

PASSWORD = "browser test password"
WAIT = 90_000


def _until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _signed_in_page(context, base: str, dismiss_dialog, requests: list[str]):
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base, wait_until="domcontentloaded")
    page.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
    dismiss_dialog(page)
    page.get_by_label("User name").fill("ana")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Overview").wait_for(timeout=WAIT)
    dismiss_dialog(page)
    return page


def test_a_stale_download_after_the_account_is_disabled_sends_no_file(
    browser, start_server, dismiss_dialog, leaving, demo_store_path, private_accounts
):
    accounts = Accounts(private_accounts)
    accounts.add("ana", "analyst", password=PASSWORD, by="test")
    requests: list[str] = []
    with start_server(demo_store_path, THREATMON_ACCOUNTS=str(private_accounts)) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = _signed_in_page(context, base, dismiss_dialog, requests)
            csv = page.get_by_role("button", name="Table (CSV)")
            csv.wait_for(timeout=WAIT)
            # An administrator disables her on the server; her page still shows the button.
            accounts.set_disabled("ana", True, by="root")
            csv.click(timeout=WAIT)
            _until(lambda: "action_refused" in accounts.access_log()["action"].tolist(), 90)
            # The click's rerun, or the one after, signs her out and says why.
            page.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
            page.get_by_text("Your account is disabled or no longer exists.").wait_for(timeout=WAIT)
        finally:
            context.close()
    # Before the gate, the server built the file and logged it: ana, export, table:changes.
    _assert_refused(accounts, "disabled")
    assert leaving(requests) == []


def _assert_refused(accounts: Accounts, reason: str) -> None:
    """Nothing was exported, and ana's click on the changes table was refused for ``reason``."""
    log = accounts.access_log()
    assert "export" not in log["action"].tolist()
    refusal = log[log["action"] == "action_refused"].iloc[-1]
    assert (refusal["user_name"], refusal["target"]) == ("ana", "table:changes")
    assert f'"reason": "{reason}"' in refusal["details"]


def test_a_stale_download_after_signing_out_in_another_tab_sends_no_file(
    browser, start_server, dismiss_dialog, leaving, demo_store_path, private_accounts
):
    accounts = Accounts(private_accounts)
    accounts.add("ana", "analyst", password=PASSWORD, by="test")
    requests: list[str] = []
    with start_server(demo_store_path, THREATMON_ACCOUNTS=str(private_accounts)) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            first = _signed_in_page(context, base, dismiss_dialog, requests)
            csv = first.get_by_role("button", name="Table (CSV)")
            csv.wait_for(timeout=WAIT)
            # A second tab of the same browser resumes the session from its cookie and
            # signs out; the first tab still shows the button.
            second = context.new_page()
            second.on("request", lambda request: requests.append(request.url))
            second.goto(base, wait_until="domcontentloaded")
            second.get_by_role("heading", name="Overview").wait_for(timeout=WAIT)
            dismiss_dialog(second)
            second.get_by_role("button", name="Sign out").click(timeout=WAIT)
            second.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
            csv.click(timeout=WAIT)
            _until(lambda: "action_refused" in accounts.access_log()["action"].tolist(), 90)
            first.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
        finally:
            context.close()
    _assert_refused(accounts, "signed_out")
    assert leaving(requests) == []


def test_a_stale_download_after_a_demotion_sends_no_file_and_says_why(
    browser, start_server, dismiss_dialog, leaving, demo_store_path, private_accounts
):
    accounts = Accounts(private_accounts)
    accounts.add("ana", "analyst", password=PASSWORD, by="test")
    requests: list[str] = []
    with start_server(demo_store_path, THREATMON_ACCOUNTS=str(private_accounts)) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = _signed_in_page(context, base, dismiss_dialog, requests)
            csv = page.get_by_role("button", name="Table (CSV)")
            csv.wait_for(timeout=WAIT)
            accounts.set_role("ana", "viewer", by="root")
            csv.click()
            _until(lambda: "action_refused" in accounts.access_log()["action"].tolist())
            # Still signed in, as a viewer now, and told why nothing came.
            page.get_by_text("your role or countries changed", exact=False).wait_for(timeout=WAIT)
        finally:
            context.close()
    _assert_refused(accounts, "role_changed")
    assert leaving(requests) == []


def test_a_download_clicked_while_its_page_reruns_still_sends_its_file(
    browser, server, dismiss_dialog, leaving, tmp_path
):
    """The button on screen holds the id its page was drawn with. Here the page reruns
    (a toggle changed) and the run ends on the server, but the browser has not drawn the
    new page yet (the server's messages are held back, as on a slow link or a long run):
    a click then asks for the old id, which Streamlit had dropped at the end of the run
    ("Deferred file … not found"; the browser said "Failed to generate file")."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    holding = {"on": False}
    finished: list[int] = []

    def route(socket):
        to_server = socket.connect_to_server()

        def from_server(message):
            if holding["on"] and isinstance(message, bytes):
                forward = ForwardMsg.FromString(message)
                kind = forward.WhichOneof("type")
                if kind == "script_finished":
                    finished.append(forward.script_finished)
                if kind != "backend_operation_response":
                    return  # the page as the browser drew it stays on screen
            socket.send(message)

        to_server.on_message(from_server)

    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        context.route_web_socket("**/_stcore/stream", route)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(server, wait_until="domcontentloaded")
        xlsx = page.get_by_role("button", name="Table (XLSX)")
        xlsx.wait_for(timeout=WAIT)
        dismiss_dialog(page)
        holding["on"] = True
        page.get_by_text("Show all rows (also changes that could be chance)").click()
        # The rerun ended (its sweep has run). Playwright's handlers run only while the
        # test waits in Playwright, not in time.sleep.
        for _ in range(900):
            if finished:
                break
            page.wait_for_timeout(100)
        assert finished, "the rerun did not end"
        with page.expect_download(timeout=60_000) as taken:
            xlsx.click()
        path = tmp_path / "taken.xlsx"
        taken.value.save_as(path)
    finally:
        context.close()
    assert taken.value.suggested_filename.startswith("threatmon-changes-")
    assert path.read_bytes()[:2] == b"PK"  # an XLSX file (a zip)
    assert leaving(requests) == []
