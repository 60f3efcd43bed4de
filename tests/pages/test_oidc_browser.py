"""OIDC sign-in end to end: st.login against an identity provider on this machine.

A mock OpenID provider (oidc-provider-mock) stands in for the Keycloak of a police
network: the browser is sent to its authorisation form, comes back to Streamlit's
callback with a code, and Streamlit exchanges it for an ID token. Nothing is seeded
into ``st.user``: the claims travel the way they would in a deployment.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

from oidc_provider_mock import User, run_server_in_thread

from threatmon.access.accounts import Accounts

WAIT = 90_000
#: The mock provider's own form links a stylesheet from a CDN; it is blocked here and is
#: not the dashboard's request.
PROVIDER_STYLESHEET = "https://cdn.jsdelivr.net/"


def _secrets(home, port: int, issuer: str) -> None:
    folder = home / ".streamlit"
    folder.mkdir(parents=True)
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "threatmon"\n'
        'client_secret = "a test secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )


def _through_the_provider(page, subject: str) -> None:
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    page.get_by_role("heading", name="Authorize Client").wait_for(timeout=WAIT)
    page.get_by_role("button", name=subject, exact=True).click()


def test_an_oidc_identity_signs_in_with_its_accounts_role_and_scope(
    browser,
    start_server,
    free_port,
    leaving,
    dismiss_dialog,
    demo_store_path,
    private_accounts,
    tmp_path,
):
    accounts = Accounts(private_accounts)
    accounts.add("eva", "viewer", auth="oidc", scope=("RO",), by="test")
    users = [
        User(sub="u-1042", claims={"preferred_username": "eva", "email": "eva@police.example"}),
        User(sub="u-7", claims={"preferred_username": "mallory"}),
    ]
    requests: list[str] = []
    with run_server_in_thread(user_claims=users) as provider:
        issuer = f"http://localhost:{provider.server_port}"
        port = free_port()
        _secrets(tmp_path / "home", port, issuer)
        with start_server(
            demo_store_path,
            port=port,
            HOME=str(tmp_path / "home"),
            THREATMON_ACCOUNTS=str(private_accounts),
        ) as base:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route(f"{PROVIDER_STYLESHEET}**", lambda route: route.abort())
            page.on("request", lambda request: requests.append(request.url))
            try:
                page.goto(f"{base}/maps", wait_until="domcontentloaded")
                page.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
                dismiss_dialog(page)
                assert page.get_by_role("textbox", name="Password").count() == 0
                _through_the_provider(page, "u-1042")
                # preferred_username names the account; the account gives role and scope.
                page.get_by_role("heading", name="Overview").wait_for(timeout=WAIT)
                dismiss_dialog(page)
                box = page.locator("[data-testid='stSidebar']")
                box.get_by_text("viewer").first.wait_for(timeout=WAIT)
                assert "eva" in box.inner_text() and "RO" in box.inner_text()
                nav = page.locator("[data-testid='stSidebarNav']").inner_text()
                assert "Upload" not in nav and "Audit" not in nav
                # Streamlit's signed identity cookie carries the session over a reload.
                page.reload(wait_until="domcontentloaded")
                page.get_by_role("heading", name="Overview").wait_for(timeout=WAIT)
                # Signing out ends the provider's session too (RP-initiated logout).
                page.get_by_role("button", name="Sign out").click()
                page.get_by_role("heading", name="End Session").wait_for(timeout=WAIT)
                page.get_by_role("button", name="End session").click()
                page.get_by_role("heading", name="Sign in").wait_for(timeout=WAIT)
                dismiss_dialog(page)
                # An identity the provider vouches for but with no account gets nothing.
                _through_the_provider(page, "u-7")
                page.get_by_text("The identity mallory has no Threat Monitor account.").wait_for(
                    timeout=WAIT
                )
                assert page.get_by_role("heading", name="Overview").count() == 0
            finally:
                page.close()
    provider_host = urlparse(issuer).netloc
    ours = [url for url in requests if not url.startswith(PROVIDER_STYLESHEET)]
    assert [url for url in leaving(ours) if urlparse(url).netloc != provider_host] == []
    log = accounts.access_log()
    # One sign-in per ID token: the reload picked up the same identity, it did not sign in.
    actions = ["account_add", "login", "session_resumed", "logout", "login_failed"]
    assert log["action"].tolist() == actions
    assert log["user_name"].tolist()[1:] == ["eva", "eva", "eva", "mallory"]
    assert log["details"].iloc[1].startswith('{"auth": "oidc", "token_issued_at": "')
    assert log["details"].iloc[4] == '{"reason": "oidc_unknown"}'
