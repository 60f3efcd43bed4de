"""The deployment's reverse proxy: Debian's nginx in front of two dashboards on one store.

deploy/nginx/threatmon.conf.template, filled in by devtools/nginx.py, runs here as the
deployment would run it, in a private nginx on loopback with a certificate made for the
test. The accounts file has an analyst and a viewer; sessions are opened for both.
"""

import asyncio
import contextlib
import re
import socket
import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.ws_session import Session
from devtools import nginx
from tests.factories import upload_file
from threatmon.access.accounts import Accounts

PASSWORD = "correct horse battery"
REFUSED_BY_DASHBOARD = (403, b"Sign in with an account that may upload files first.")


def test_the_template_fills_every_placeholder_and_follows_the_upload_limit():
    text = nginx.render(
        [8501, 8502], "/etc/ssl/t.pem", "/etc/ssl/t.key", server_name="tm.local", upload_mb=100
    )
    assert "@" not in re.sub(r"#.*", "", text)
    assert "    server 127.0.0.1:8501;\n    server 127.0.0.1:8502;" in text
    assert "listen 443 ssl;" in text and "listen [::]:443 ssl;" in text
    assert "return 301 https://$host$request_uri;" in text
    assert "client_max_body_size 101m;" in text  # 100 MB + Streamlit's 1 MB framing margin
    assert "hash $tm_route consistent;" in text
    assert nginx.max_upload_mb() == 100  # .streamlit/config.toml
    other = nginx.render([1], "c", "k", https_port=8443, address="127.0.0.1", upload_mb=5)
    assert "listen 127.0.0.1:8443 ssl;" in other and "[::]" not in other
    assert "return 301 https://$host:8443$request_uri;" in other
    assert "client_max_body_size 6m;" in other
    with pytest.raises(ValueError) as refused:
        nginx.render([], "c", "k")
    assert str(refused.value) == "At least one dashboard port is needed."


def test_the_command_prints_the_configuration(capsys):
    nginx.main(["--ports", "8501", "--certificate", "/c.pem", "--key", "/k.pem"])
    assert "ssl_certificate     /c.pem;" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def deployment(demo_store_path, start_server, tmp_path_factory):
    """Two dashboards on one store behind nginx: (proxy, session token by account name,
    the dashboards' ports)."""
    if not Path(nginx.NGINX).exists():
        pytest.fail(f"{nginx.NGINX} is missing: `make test` installs Debian's nginx package.")
    folder = tmp_path_factory.mktemp("deployment")
    accounts = Accounts(folder / "accounts.sqlite")
    accounts.add("ana", "analyst", password=PASSWORD, by="test")
    accounts.add("vic", "viewer", password=PASSWORD, by="test")
    tokens = {name: accounts.open_session(name) for name in ("ana", "vic")}
    env = {"THREATMON_ACCOUNTS": str(accounts.path)}
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(start_server(demo_store_path, **env)) for _ in range(2)]
        ports = [int(base.rsplit(":", 1)[1]) for base in bases]
        proxy = stack.enter_context(
            nginx.running_proxy(ports, folder / "nginx", _free_port(), _free_port())
        )
        yield proxy, tokens, ports


def _get(url: str, context: ssl.SSLContext | None = None, cookie: str = ""):
    """(status, headers, body) of a GET that does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _route(headers) -> str:
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("tm_route="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    return cookie.split(";", 1)[0]


@pytest.mark.slow
def test_tls_is_the_only_way_in(deployment):
    proxy, _, _ = deployment
    status, headers, body = _get(proxy.base + "/", proxy.ssl_context())
    assert status == 200 and b'id="root"' in body
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "nginx/" not in headers.get("Server", "")
    status, headers, _ = _get(proxy.http_base + "/maps?x=1")
    assert (status, headers["Location"]) == (301, proxy.base + "/maps?x=1")
    # The certificate is checked: a client that trusts nothing else refuses it.
    with pytest.raises(urllib.error.URLError):
        _get(proxy.base + "/", ssl.create_default_context())


@pytest.mark.slow
def test_only_the_endpoints_the_browser_uses_are_open(deployment):
    proxy, _, _ = deployment
    context = proxy.ssl_context()
    assert _get(proxy.base + "/_stcore/health", context)[::2] == (200, b"ok")
    assert _get(proxy.base + "/_stcore/host-config", context)[0] == 200
    assert _get(proxy.base + "/app/static/vendor/leaflet/leaflet.js", context)[0] == 200
    for path in (
        "/_stcore/metrics",
        "/_stcore/script-health-check",
        "/_stcore/agent/openapi.json",
        "/_stcore/message?hash=x",
        "/_stcore/anything-new",
    ):
        assert _get(proxy.base + path, context)[0] == 404, path
    closed = [line for line in proxy.log_lines() if "/_stcore/metrics" in line]
    assert closed and all("upstream=-" in line for line in closed)  # never reached a dashboard


def _session_upload(proxy, token: str | None, size: int = 1000) -> tuple:
    """Open a session through the proxy as a browser would, then upload ``size`` bytes."""

    async def run():
        cookies = {"threatmon_session": token} if token else {}
        context = proxy.ssl_context()
        async with Session(
            proxy.base, timeout=60, cookies=cookies, ssl_context=context, load_page=True
        ) as session:
            await session.open()
            cookies = {**session.cookies}
            return await asyncio.to_thread(
                upload_file, proxy.base, session.session_id, size, cookies, context
            )

    return asyncio.run(run())


@pytest.mark.slow
def test_uploads_need_a_session_that_may_upload(deployment):
    proxy, tokens, _ = deployment
    # No session cookie: nginx refuses before the body is read, no dashboard sees it.
    assert _session_upload(proxy, None)[0] == 403
    refused = [line for line in proxy.log_lines() if "/_stcore/upload_file/" in line]
    assert refused[-1].startswith("403 PUT") and refused[-1].endswith("upstream=-")
    # A cookie of a token's shape passes nginx; the dashboard checks whose session it is.
    assert _session_upload(proxy, "A" * 43) == REFUSED_BY_DASHBOARD
    assert _session_upload(proxy, tokens["vic"]) == REFUSED_BY_DASHBOARD
    assert _session_upload(proxy, tokens["ana"]) == (204, b"")


def _announce(proxy, path: str, length: int, cookie: str = "") -> int:
    """The status nginx answers to a PUT that announces ``length`` bytes but sends none."""
    import http.client

    host, port = proxy.base.removeprefix("https://").split(":")
    connection = http.client.HTTPSConnection(host, int(port), context=proxy.ssl_context())
    try:
        connection.putrequest("PUT", path)
        connection.putheader("Content-Length", str(length))
        connection.putheader("Content-Type", "multipart/form-data; boundary=b")
        if cookie:
            connection.putheader("Cookie", cookie)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.slow
def test_request_bodies_are_limited(deployment):
    proxy, tokens, _ = deployment
    limit = (nginx.max_upload_mb() + 1) * 1024 * 1024
    session = f"threatmon_session={tokens['ana']}"
    assert _announce(proxy, "/_stcore/upload_file/s/f", limit + 1, session) == 413
    # Anything but an upload takes at most 1 MB.
    assert _announce(proxy, "/", 1024 * 1024 + 1) == 413
    assert _announce(proxy, "/_stcore/health", 1024 * 1024 + 1) == 413


@pytest.mark.slow
def test_a_browser_stays_on_one_dashboard(deployment):
    """The routing cookie of the first answer sends every later request, the websocket
    and the uploads to the same process; new browsers are spread over both."""
    proxy, _, ports = deployment
    context = proxy.ssl_context()
    routes = [_route(_get(proxy.base + "/", context)[1]) for _ in range(16)]
    for route in routes:
        for path in ("/", "/_stcore/health", "/_stcore/host-config"):
            assert _get(proxy.base + path, context, route)[0] == 200
    served: dict[str, set[str]] = {}
    for line in proxy.log_lines():
        found = re.search(r"route=(\w+) upstream=(\S+)", line)
        if found and f"tm_route={found[1]}" in routes and found[2] != "-":
            served.setdefault(found[1], set()).add(found[2])
    assert len(served) == 16
    assert all(len(upstreams) == 1 for upstreams in served.values()), served
    used = set().union(*served.values())
    assert used == {f"127.0.0.1:{port}" for port in ports}


@pytest.mark.slow
def test_the_websocket_works_through_the_proxy(deployment):
    proxy, tokens, _ = deployment

    async def walk():
        async with Session(
            proxy.base,
            timeout=60,
            cookies={"threatmon_session": tokens["ana"]},
            ssl_context=proxy.ssl_context(),
            load_page=True,
        ) as session:
            first = await session.open()
            assert "metric" in first.elements and not first.problems
            forecasts = await session.visit("Forecasts")
            assert "plotly_chart" in forecasts.elements and not forecasts.problems

    asyncio.run(walk())


@pytest.mark.slow
def test_a_real_browser_signs_in_and_works_through_the_proxy(deployment, browser, leaving):
    proxy, _, _ = deployment
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(proxy.base + "/", wait_until="domcontentloaded", timeout=60_000)
        page.get_by_label("User name").fill("ana", timeout=60_000)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator("[data-testid='stMetric']").first.wait_for(timeout=60_000)
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["threatmon_session"]["secure"] is True  # set over https
        assert cookies["tm_route"]["httpOnly"] is True
    finally:
        context.close()
    assert leaving(requests) == []
    assert not any("/_stcore/metrics" in url for url in requests)
