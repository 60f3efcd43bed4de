"""`streamlit run dashboard.py` really serves: the process starts and answers on loopback."""

import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_the_dashboard_is_served(server):
    status, html = _get(server + "/")
    assert status == 200
    assert '<div id="root">' in html or 'id="root"' in html


def test_streamlit_is_configured_to_stay_offline():
    """Usage statistics and the welcome message's public-IP lookup would reach the internet."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["logger"]["hideWelcomeMessage"] is True
    assert config["server"]["enableXsrfProtection"] is True


def test_a_deployed_server_does_not_watch_its_source():
    """The watcher purged modules of running pages and flooded the log under disk load."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False


def _status(url: str, method: str = "GET", data: bytes | None = None, headers=None) -> tuple:
    import urllib.error

    request = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_security_settings_are_on():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert 0 < server["maxUploadSize"] <= 100  # MB; the readers enforce the same limit
    assert server["enableStaticServing"] is True  # only ./static, checked below
    assert "enableCORS" not in server or server["enableCORS"] is True


@pytest.mark.slow
def test_the_live_server_refuses_uploads_without_the_xsrf_token(server):
    status, body = _status(
        server + "/_stcore/upload_file/some-session/some-file",
        "PUT",
        b"--x--\r\n",
        {"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert (status, body) == (403, b"XSRF token missing or invalid")


@pytest.mark.slow
def test_static_serving_reaches_the_app_assets_and_nothing_else(server):
    assert _status(server + "/app/static/vendor/leaflet/leaflet.js")[0] == 200
    for path in ("../dashboard.py", "%2e%2e/dashboard.py", "..%2fdashboard.py", ""):
        assert _status(server + "/app/static/" + path)[0] in (400, 403, 404), path
    # Any other path is the single-page app, never a source file.
    status, body = _status(server + "/dashboard.py")
    assert status == 200 and b"def main" not in body and b'id="root"' in body
    allowed = {".js", ".css", ".png", ".md", ""}
    served = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    assert served and all(p.suffix in allowed for p in served), served


def _calls(argument, names: set[str]) -> bool:
    import ast

    return (
        isinstance(argument, ast.Call)
        and isinstance(argument.func, ast.Name)
        and argument.func.id in names
    )


def _switched_on(node, keyword: str) -> bool:
    import ast

    return any(
        k.arg == keyword and not (isinstance(k.value, ast.Constant) and k.value.value is False)
        for k in node.keywords
    )


def test_html_is_written_only_from_constants_or_escaped_text():
    """No user-supplied text can reach unescaped HTML: every ``st.html`` call and every
    ``unsafe_allow_html=True`` takes a module constant or goes through ``marking_html``,
    which escapes, ``dropzone_css``, which writes catalogue texts as CSS escapes
    (``css_string``), or ``cookie_script``, which takes a session token and nothing else.
    Scripts run (``unsafe_allow_javascript=True``) only from ``cookie_script``: that is
    what makes a cookie set by script, not HttpOnly, acceptable (docs/security.md)."""
    import ast

    import dashboard
    from ui.auth import cookie_script
    from ui.dropzone import css_string

    escaping = {"marking_html", "cookie_script", "dropzone_css"}
    offenders = []
    for path in [
        ROOT / "dashboard.py",
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "ui").glob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            unsafe = _switched_on(node, "unsafe_allow_html")
            scripted = _switched_on(node, "unsafe_allow_javascript")
            if name != "html" and not unsafe and not scripted:
                continue
            argument = node.args[0] if node.args else None
            constant = isinstance(argument, ast.Constant) or (
                isinstance(argument, ast.Name) and argument.id.isupper()
            )
            if not (constant or _calls(argument, escaping)):
                offenders.append(f"{path.name}:{node.lineno}")
            elif scripted and not _calls(argument, {"cookie_script"}):
                offenders.append(f"{path.name}:{node.lineno} (script)")
    assert offenders == []
    assert "</style>" not in css_string("</style><script>alert(1)</script>")
    assert '"' not in css_string('";}body{display:none}')[1:-1]
    assert "&lt;script&gt;" in dashboard.marking_html("<script>alert(1)</script>")
    assert "<script>" not in dashboard.marking_html("<script>alert(1)</script>")
    for text in ('";alert(1);"', "</script><script>alert(1)</script>", "A" * 42 + '"'):
        with pytest.raises(ValueError) as caught:
            cookie_script(text, 60)
        assert str(caught.value) == ("Not a session token: only a token is written into the page.")


def test_errors_show_no_details_in_the_browser():
    """A failure's type, message and traceback can name the store's files, tables and
    values: the browser gets a generic message, the server's log the rest."""
    import tomllib

    from streamlit.config import ShowErrorDetailsConfigOptions

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE == "none"
    assert config["client"]["toolbarMode"] == "minimal"  # no developer menu: no clear_cache


@pytest.mark.slow
def test_the_live_server_takes_uploads_only_from_sessions_signed_in_to_upload(
    server, private_accounts
):
    """Nobody signed in, or a viewer: 403 before the body is read. An analyst: taken."""
    import asyncio

    from bench.ws_session import Session
    from tests.factories import upload_file
    from threatmon.access.accounts import Accounts

    accounts = Accounts(private_accounts)
    accounts.add("ana", "analyst", password="correct horse battery", by="test")
    accounts.add("vic", "viewer", password="correct horse battery", by="test")
    tokens = {name: accounts.open_session(name) for name in ("ana", "vic")}

    async def upload_from(token: str | None) -> tuple:
        cookies = {"threatmon_session": token} if token else {}
        async with Session(server, timeout=60, cookies=cookies) as session:
            await session.open()
            return await asyncio.to_thread(upload_file, server, session.session_id)

    refused = (403, b"Sign in with an account that may upload files first.")
    assert asyncio.run(upload_from(None)) == refused
    assert asyncio.run(upload_from(tokens["vic"])) == refused
    assert asyncio.run(upload_from(tokens["ana"])) == (204, b"")
    # An unknown session keeps Streamlit's own answer.
    assert upload_file(server, "no-such-session")[0] == 400
