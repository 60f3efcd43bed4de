"""Sign-in, roles and sessions, through the real dashboard script (AppTest)."""

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import dashboard
from threatmon.access.accounts import SIGN_IN_FAILED
from threatmon.access.roles import Principal, SessionLimits
from threatmon.settings import DB_ENV_VAR
from threatmon.store.writer import write_session
from ui.auth import COOKIE, cookie_script

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard.py"
TIMEOUT = 120
PASSWORD = "test password 123"


TITLES = {spec.path: spec.title for spec in dashboard.PAGES}
#: What each role may open; every other page must be out of reach, even by URL.
MATRIX = {
    "viewer": {"Overview", "Map", "Forecasts", "Coverage"},
    "analyst": {"Overview", "Map", "Forecasts", "Coverage", "Upload"},
    "admin": {"Overview", "Map", "Forecasts", "Coverage", "Upload", "Audit"},
}


@pytest.fixture
def app(demo_store_path, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def sign_in_with_form(at, name: str, password: str):
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    at.button[0].click()  # the form's submit button
    return at.run()


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.slow
def test_role_page_matrix(app, sign_in, role):
    """Each role opens exactly its pages; asking for any other page runs the first one."""
    from threatmon.access.roles import Principal

    sign_in(app, f"someone-{role}", role).run()
    assert not app.exception
    allowed = {spec.title for spec in dashboard.pages_for(Principal("x", role))}
    assert allowed == MATRIX[role]
    for spec in dashboard.PAGES:
        if spec.title in allowed:
            app.switch_page(spec.path).run()
            assert not app.exception
            assert titles(app)[0] == spec.title
        else:
            # Not registered for this session at all: no URL can run it (the browser
            # test opens the URL itself).
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                app.switch_page(spec.path)


def test_a_viewer_cannot_run_the_upload_page_even_if_it_were_reached(app, sign_in, monkeypatch):
    """The page's own check, in case the navigation were ever to list it."""
    monkeypatch.setattr(dashboard, "PAGES", dashboard.PAGES)  # keep the module's list intact
    sign_in(app, "eva", "viewer").run()
    page = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=TIMEOUT)
    sign_in(page, "eva", "viewer").run()
    assert [e.value for e in page.error] == [
        "Your role (viewer) does not give access to this page."
    ]
    assert not page.get("file_uploader") and not page.button


def test_without_a_session_every_url_shows_the_sign_in_form(app, sign_in):
    sign_in.accounts.add("ana", "analyst", password=PASSWORD, by="test")
    app.run()
    assert titles(app) == ["Sign in"]
    for spec in dashboard.PAGES:
        # Only the sign-in form is registered, at every page's address.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(spec.path)
    assert not app.metric and not app.get("file_uploader")
    # The marking is drawn before anything else, sign-in page included.
    assert "RESTRICTED — law-enforcement use only" in app.get("html")[0].proto.body


def test_the_sign_in_form_refuses_then_admits_and_logs_both(app, sign_in):
    sign_in.accounts.add("ana", "analyst", password=PASSWORD, scope=("MD",), by="test")
    app.run()
    sign_in_with_form(app, "ana", "wrong password here")
    assert [e.value for e in app.error] == [SIGN_IN_FAILED]
    assert titles(app) == ["Sign in"]
    sign_in_with_form(app, "ana", PASSWORD)
    assert not app.exception
    assert titles(app) == ["Overview"]
    assert "**ana** · analyst  \nMD" in [m.value for m in app.sidebar.markdown]
    # The scope reaches the filters and the figures: only Moldova is offered or counted.
    (countries,) = [m for m in app.sidebar.multiselect if m.label == "Countries"]
    assert countries.options == ["Moldova"]
    log = sign_in.accounts.access_log()
    assert log["action"].tolist()[-2:] == ["login_failed", "login"]
    assert "auth_password" not in app.session_state  # not kept once checked


def test_five_failures_lock_the_account(app, sign_in):
    sign_in.accounts.add("ana", "analyst", password=PASSWORD, by="test")
    app.run()
    for _ in range(5):
        sign_in_with_form(app, "ana", "not the password!")
    sign_in_with_form(app, "ana", PASSWORD)
    assert titles(app) == ["Sign in"]
    assert [e.value for e in app.error] == [SIGN_IN_FAILED]
    assert sign_in.accounts.access_log()["details"].iloc[-1] == '{"reason": "locked"}'


def test_an_idle_session_expires(app, sign_in):
    sign_in(app, "eva", "viewer").run()
    assert titles(app) == ["Overview"]
    app.session_state["auth_seen_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(
        minutes=31
    )
    app.run()
    assert titles(app) == ["Sign in"]
    assert [i.value for i in app.info] == ["Your session expired. Sign in again."]
    assert sign_in.accounts.access_log()["action"].iloc[-1] == "session_expired"


def test_a_session_ends_when_its_account_is_disabled(app, sign_in):
    sign_in(app, "eva", "viewer").run()
    sign_in.accounts.set_disabled("eva", True, by="admin")
    app.run()
    assert titles(app) == ["Sign in"]
    assert [i.value for i in app.info] == ["Your account is disabled or no longer exists."]


def test_a_role_change_applies_at_the_next_click(app, sign_in):
    sign_in(app, "eva", "viewer").run()
    with pytest.raises(ValueError):
        app.switch_page("pages/upload.py")
    sign_in.accounts.set_role("eva", "analyst", by="admin")
    app.run()
    app.switch_page("pages/upload.py").run()
    assert titles(app)[0] == "Upload"


def test_signing_out(app, sign_in):
    sign_in(app, "eva", "viewer").run()
    app.sidebar.button[0].click().run()
    assert titles(app) == ["Sign in"]
    assert [i.value for i in app.info] == ["You are signed out."]
    assert sign_in.accounts.access_log()["action"].iloc[-1] == "logout"


def test_a_store_of_real_data_without_accounts_shows_nothing(tmp_path, monkeypatch):
    path = tmp_path / "real.duckdb"
    with write_session(path, user="t") as writer:
        writer.set_meta("note", "real")
    monkeypatch.setenv(DB_ENV_VAR, str(path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert titles(at) == ["Sign-in required"]
    (warning,) = at.warning
    assert f"threatmon users add NAME --role admin --db {path}" in warning.value
    with pytest.raises(ValueError):
        at.switch_page("pages/upload.py")


# -- OIDC -------------------------------------------------------------------------------------

OIDC_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "threatmon",
    "client_secret": "s",
    "server_metadata_url": "http://keycloak.local/realms/police/.well-known/openid-configuration",
}


def test_oidc_offers_the_provider_and_maps_identities_to_accounts(app, sign_in):
    sign_in.accounts.add("eva@police.example", "viewer", auth="oidc", scope=("RO",), by="t")
    app.secrets["auth"] = OIDC_SECRETS
    app.user = {"is_logged_in": False}
    app.run()
    assert titles(app) == ["Sign in"]
    assert [b.label for b in app.button] == ["Sign in with your organisation's account"]
    app.user = {"is_logged_in": True, "email": "eva@police.example"}
    app.run()
    assert not app.exception
    assert titles(app) == ["Overview"]
    assert "**eva@police.example** · viewer  \nRO" in [m.value for m in app.sidebar.markdown] or (
        "**eva@police\\.example** · viewer  \nRO" in [m.value for m in app.sidebar.markdown]
    )
    assert sign_in.accounts.access_log()["details"].iloc[-1] == '{"auth": "oidc"}'


def test_an_oidc_sign_in_is_logged_once_per_id_token_and_ages_from_it(
    demo_store_path, monkeypatch, sign_in
):
    """Every tab shares Streamlit's identity cookie: a second tab is not a second sign-in,
    and the 12-hour limit counts from when the provider issued the token."""
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    sign_in.accounts.add("eva", "viewer", auth="oidc", by="t")
    issued = int(dt.datetime.now(dt.UTC).timestamp()) - 3600
    for _tab in range(2):
        tab = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        tab.secrets["auth"] = OIDC_SECRETS
        tab.user = {"is_logged_in": True, "preferred_username": "eva", "iat": issued}
        tab.run()
        assert titles(tab) == ["Overview"]
    log = sign_in.accounts.access_log()
    assert log["action"].tolist()[-2:] == ["login", "session_resumed"]
    stamp = dt.datetime.fromtimestamp(issued, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert log["details"].iloc[-2] == f'{{"auth": "oidc", "token_issued_at": "{stamp}"}}'
    # A token issued 13 hours ago has outlived the longest session, in any tab.
    stale = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    stale.secrets["auth"] = OIDC_SECRETS
    stale.user = {"is_logged_in": True, "preferred_username": "eva", "iat": issued - 12 * 3600}
    stale.run()
    assert titles(stale) == ["Sign in"]
    assert sign_in.accounts.access_log()["action"].iloc[-1] == "session_expired"


def test_an_oidc_identity_without_an_account_is_turned_away(app, sign_in):
    sign_in.accounts.add("ana", "analyst", password=PASSWORD, by="t")  # a local namesake
    app.secrets["auth"] = OIDC_SECRETS
    app.user = {"is_logged_in": True, "preferred_username": "ana"}
    app.run()
    assert titles(app) == ["Sign in"]
    assert "The identity `ana` has no Threat Monitor account." in app.error[0].value
    assert sign_in.accounts.access_log()["action"].iloc[-1] == "login_failed"


# -- what a viewer sees ------------------------------------------------------------------------


def test_a_viewer_sees_no_sensitive_counts_but_their_suppressed_table(
    app, sign_in, demo_store_path
):
    from threatmon.disclosure.sensitive import SENSITIVE_TYPES
    from threatmon.store.reader import Store

    sign_in(app, "eva", "viewer").run()
    assert not app.exception
    (crimes,) = [m for m in app.sidebar.multiselect if m.label == "Crime types"]
    assert "Human trafficking" not in crimes.options
    assert "Child sexual exploitation" not in crimes.options
    table = [d for d in app.dataframe if "quarter" in d.value.columns]
    (sensitive,) = table
    frame = sensitive.value
    assert list(frame.columns) == [
        "quarter",
        "country",
        "Human trafficking",
        "Child sexual exploitation",
        "Total",
    ]
    # The trend of the suppressed tables' totals is drawn too.
    titles_drawn = [c.proto.spec for c in app.get("plotly_chart")]
    assert any("Sensitive crime types in all your countries" in spec for spec in titles_drawn)
    cells = frame.drop(columns=["quarter", "country"]).to_numpy().ravel().tolist()
    assert all(isinstance(v, str) for v in cells)  # one type per column, for Arrow
    assert not [v for v in cells if v.isdigit() and 1 <= int(v) <= 4]
    assert {v for v in cells if not v.isdigit()} <= {"<5", "c", "no data"}
    # The headline total is the store's total without the sensitive types.
    whole = Store(demo_store_path)
    start, end = app.query_params["from"], app.query_params["to"]
    monthly = whole.aggregate(by=("crime_type",), freq="M")
    in_period = monthly[(monthly["period"] >= f"{start}-01") & (monthly["period"] <= f"{end}-01")]
    expected = int(in_period.loc[~in_period["crime_type"].isin(SENSITIVE_TYPES), "count"].sum())
    (total,) = [m for m in app.metric if m.label == "Total incidents"]
    assert total.value == f"{expected:,}"


def test_an_analyst_sees_sensitive_types_everywhere_and_no_table(app, sign_in):
    sign_in(app, "ana", "analyst").run()
    (crimes,) = [m for m in app.sidebar.multiselect if m.label == "Crime types"]
    assert "Human trafficking" in crimes.options
    assert not [d for d in app.dataframe if "quarter" in d.value.columns]


def test_cached_results_are_not_shared_between_roles_or_scopes(
    demo_store_path, monkeypatch, sign_in
):
    """Same filters, same process (so the same st.cache_data), three people: three totals."""
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    totals = {}
    for name, role, scope in (
        ("ana", "analyst", ()),
        ("eva", "viewer", ()),
        ("ion", "analyst", ("MD",)),
    ):
        at = sign_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT), name, role, scope)
        at.run()
        assert not at.exception
        (total,) = [m for m in at.metric if m.label == "Total incidents"]
        totals[name] = int(total.value.replace(",", ""))
    assert totals["ana"] > totals["eva"] > 0
    assert totals["ana"] > totals["ion"] > 0


def test_every_role_gets_the_briefing_and_table_and_chart_downloads(app, sign_in):
    for name, role in (("eva", "viewer"), ("ana", "analyst")):
        sign_in(app, name, role).run()
        labels = [button.proto.label for button in app.get("download_button")]
        assert {"Chart (PNG)", "Table (CSV)", "Table (XLSX)"} <= set(labels)
        # The briefing is built on a click of its own (with a progress bar), then downloaded.
        (build,) = [b for b in app.button if b.key == "export-briefing-build"]
        assert build.label == "Build the briefing (PDF)"
        build.click().run()
        assert not app.exception
        labels = [button.proto.label for button in app.get("download_button")]
        assert "Briefing (PDF)" in labels
        app.run()  # kept for this reader and selection: no second build
        assert not [b for b in app.button if b.key == "export-briefing-build"]
        assert "Briefing (PDF)" in [button.proto.label for button in app.get("download_button")]


def test_a_viewer_cannot_pick_a_sensitive_crime_type_to_forecast(app, sign_in):
    sign_in(app, "eva", "viewer").run()
    app.switch_page("pages/forecasts.py").run()
    assert not app.exception
    (crime,) = [box for box in app.selectbox if box.key.endswith("forecast_crime")]
    assert "Human trafficking" not in crime.options
    assert "Child sexual exploitation" not in crime.options


# -- a local sign-in kept in a cookie (reload, new tab, shared link) ---------------------------

#: The cookie's lifetime: the longest session, 12 hours by default.
LONGEST_SECONDS = 12 * 3600
#: What the browser is sent to delete the cookie.
HIDE_PLACE = (
    '<style>[data-testid="stElementContainer"]:has(script[data-tm-cookie]){display:none}</style>'
)
DELETE_COOKIE = (
    HIDE_PLACE + '<script data-tm-cookie>document.cookie = "threatmon_session=; Path=/; '
    'Max-Age=0; SameSite=Strict" + (location.protocol === "https:" ? "; Secure" : "");</script>'
)


def cookie_scripts(at) -> list[str]:
    return [h.value for h in at.get("html") if "document.cookie" in h.value]


def tree_nodes(node):
    """Every node of an AppTest element tree, blocks and elements."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from tree_nodes(child)


def age_sessions(accounts, column: str, by: dt.timedelta) -> None:
    """Move ``column`` (created_at or seen_at) of every stored session back by ``by``."""
    with sqlite3.connect(accounts.path) as con:
        for session_id, stamp in con.execute(f"SELECT id, {column} FROM sessions").fetchall():
            earlier = dt.datetime.fromisoformat(stamp) - by
            con.execute(
                f"UPDATE sessions SET {column} = ? WHERE id = ?",
                [earlier.isoformat(timespec="microseconds"), session_id],
            )


def stored_sessions(accounts) -> list[tuple]:
    with sqlite3.connect(accounts.path) as con:
        return con.execute("SELECT user_name, ended_reason FROM sessions ORDER BY id").fetchall()


@pytest.fixture
def browser_cookie(monkeypatch):
    """``browser_cookie(token)``: sessions started from now on get ``token`` in their
    cookie, as a new tab of a browser holding it would (AppTest's client has none)."""
    import types

    import streamlit.runtime.context

    def send(token: str) -> None:
        client = types.SimpleNamespace(headers=[], cookies={COOKIE: token}, remote_ip=None)
        monkeypatch.setattr(streamlit.runtime.context, "_get_client_context", lambda: client)

    return send


@pytest.fixture
def ana(sign_in, app):
    """A local analyst with a password, scoped to Moldova (``app`` points THREATMON_DB at
    the test store, for the new tabs too)."""
    sign_in.accounts.add("ana", "analyst", password=PASSWORD, scope=("MD",), by="test")
    return sign_in.accounts


def new_tab():
    """A new Streamlit session of the same dashboard: a reload, a new tab, a shared link."""
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def test_a_sign_in_sends_its_session_cookie_once_and_nowhere_else(app, ana):
    app.run()
    sign_in_with_form(app, "ana", PASSWORD)
    assert titles(app) == ["Overview"]
    token = app.session_state["auth_session_token"]
    assert cookie_scripts(app) == [
        HIDE_PLACE
        + '<script data-tm-cookie>document.cookie = "threatmon_session='
        + token
        + '; Path=/; Max-Age=43200; SameSite=Strict"'
        ' + (location.protocol === "https:" ? "; Secure" : "");</script>'
    ]
    assert cookie_scripts(app) == [cookie_script(token, LONGEST_SECONDS)]
    (script,) = [h for h in app.get("html") if "document.cookie" in h.value]
    assert script.proto.unsafe_allow_javascript
    holders = [n for n in tree_nodes(app._tree) if token in str(getattr(n, "proto", ""))]
    assert holders == [script]  # the token is nowhere else in the page
    app.run()
    assert cookie_scripts(app) == []  # sent once
    assert ana.touch_session(token, SessionLimits()) == Principal("ana", "analyst", ("MD",))


def test_a_new_tab_with_the_cookie_is_signed_in_on_the_page_it_asks_for(app, ana, browser_cookie):
    app.run()
    sign_in_with_form(app, "ana", PASSWORD)
    browser_cookie(app.session_state["auth_session_token"])
    tab = new_tab().run()
    assert not tab.exception
    assert titles(tab) == ["Overview"]
    assert "**ana** · analyst  \nMD" in [m.value for m in tab.sidebar.markdown]
    assert cookie_scripts(tab) == []  # the browser has the cookie already
    tab.switch_page("pages/upload.py").run()
    assert titles(tab)[0] == "Upload"
    log = ana.access_log()
    assert log["action"].tolist()[-2:] == ["login", "session_resumed"]
    assert log["target"].iloc[-1] == "user:ana"


def test_the_longest_session_counts_from_the_password_not_from_the_reload(ana, browser_cookie):
    token = ana.open_session("ana")
    age_sessions(ana, "created_at", dt.timedelta(hours=11))
    browser_cookie(token)
    tab = new_tab().run()
    # Once seen failing with no title under a loaded `make test`: say what was drawn.
    assert titles(tab) == ["Overview"], (
        tab.exception,
        [e.value for e in tab.error],
        [i.value for i in tab.info],
        [w.value for w in tab.warning],
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert now - tab.session_state["auth_signed_in_at"] > dt.timedelta(hours=11)
    age_sessions(ana, "created_at", dt.timedelta(hours=1, minutes=1))
    tab.run()
    assert titles(tab) == ["Sign in"]
    assert [i.value for i in tab.info] == ["Your session expired. Sign in again."]
    assert cookie_scripts(tab) == [DELETE_COOKIE]
    assert ana.access_log()["details"].iloc[-1] == '{"limit": "longest"}'


def _end_by_signing_out(accounts, token):
    accounts.end_session(token)


def _end_by_new_password(accounts, token):
    accounts.set_password("ana", "a new long secret", by="t")


def _end_by_disabling(accounts, token):
    accounts.set_disabled("ana", True, by="t")


def _end_by_idling(accounts, token):
    age_sessions(accounts, "seen_at", dt.timedelta(minutes=31))


#: How a cookie's session died, what the sign-in page says, what the reload logs.
DEAD_COOKIES = {
    "unknown": (None, [], []),  # a token no session has: nothing to say
    "signed_out": (_end_by_signing_out, ["You are signed out."], []),
    "password_changed": (_end_by_new_password, ["You are signed out."], []),
    "disabled": (_end_by_disabling, ["Your account is disabled or no longer exists."], []),
    "idle": (_end_by_idling, ["Your session expired. Sign in again."], ["session_expired"]),
}


@pytest.mark.parametrize("case", list(DEAD_COOKIES))
def test_a_dead_cookie_shows_the_sign_in_form_and_is_deleted(ana, browser_cookie, case):
    end, message, logged = DEAD_COOKIES[case]
    token = ana.open_session("ana")
    if end is None:
        token = "A" * 43
    else:
        end(ana, token)
    browser_cookie(token)
    entries = len(ana.access_log())
    tab = new_tab().run()
    assert titles(tab) == ["Sign in"]
    assert [i.value for i in tab.info] == message
    assert cookie_scripts(tab) == [DELETE_COOKIE]
    tab.run()
    assert titles(tab) == ["Sign in"] and cookie_scripts(tab) == []  # tried once only
    assert ana.access_log()["action"].tolist()[entries:] == logged


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda a: a.set_disabled("ana", True, by="t"),
            "Your account is disabled or no longer exists.",
        ),
        (lambda a: a.set_password("ana", "a new long secret", by="t"), "You are signed out."),
    ],
    ids=["disabled", "password_changed"],
)
def test_an_open_session_ends_at_its_next_click_with_its_cookie(app, ana, change, message):
    app.run()
    sign_in_with_form(app, "ana", PASSWORD)
    change(ana)
    app.run()
    assert titles(app) == ["Sign in"]
    assert [i.value for i in app.info] == [message]
    assert cookie_scripts(app) == [DELETE_COOKIE]
    assert "auth_session_token" not in app.session_state


def test_the_accounts_file_not_the_tab_decides_when_a_session_is_idle(app, ana, browser_cookie):
    app.run()
    sign_in_with_form(app, "ana", PASSWORD)
    # This tab sat idle while another tab of the same browser kept the session busy.
    app.session_state["auth_seen_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(
        minutes=31
    )
    app.run()
    assert titles(app) == ["Overview"]
    age_sessions(ana, "seen_at", dt.timedelta(minutes=31))
    app.run()
    assert titles(app) == ["Sign in"]
    assert [i.value for i in app.info] == ["Your session expired. Sign in again."]
    assert cookie_scripts(app) == [DELETE_COOKIE]
    last = ana.access_log().iloc[-1]
    assert (last["action"], last["details"]) == ("session_expired", '{"limit": "idle"}')


def test_signing_out_ends_the_session_in_every_tab_and_deletes_the_cookie(app, ana, browser_cookie):
    app.run()
    sign_in_with_form(app, "ana", PASSWORD)
    browser_cookie(app.session_state["auth_session_token"])
    tab = new_tab().run()
    assert titles(tab) == ["Overview"]
    app.sidebar.button[0].click().run()  # Sign out, in the first tab
    assert titles(app) == ["Sign in"]
    assert [i.value for i in app.info] == ["You are signed out."]
    assert cookie_scripts(app) == [DELETE_COOKIE]
    assert stored_sessions(ana) == [("ana", "signed_out")]
    assert ana.access_log()["action"].tolist()[-2:] == ["session_resumed", "logout"]
    tab.run()
    assert titles(tab) == ["Sign in"]
    assert [i.value for i in tab.info] == ["You are signed out."]
    assert cookie_scripts(tab) == [DELETE_COOKIE]


def test_the_audit_page_filters_on_resumed_sessions(app, sign_in, browser_cookie):
    sign_in.accounts.add("root", "admin", password=PASSWORD, by="test")
    app.run()
    sign_in_with_form(app, "root", PASSWORD)
    browser_cookie(app.session_state["auth_session_token"])
    new_tab().run()
    app.switch_page("pages/audit.py").run()
    assert not app.exception
    actions = app.multiselect(key="audit_actions")
    assert {"login", "session_resumed"} <= set(actions.options)  # beside the store's actions
    actions.select("session_resumed").run()
    (shown,) = [d.value for d in app.dataframe if "action" in d.value.columns]
    assert shown["action"].tolist() == ["session_resumed"]
    assert shown["user_name"].tolist() == ["root"]


def test_every_page_address_has_a_file_that_runs_the_frame():
    """A fresh server reads pages/ as a legacy folder until st.navigation first runs: each
    address needs a file there that runs the frame, or the first session opened on it
    gets Streamlit's "Page not found" dialog (the browser test opens one)."""
    for spec in dashboard.PAGES:
        path = dashboard.frame_file(spec)
        assert path.stem == spec.url_path and path.parent == (ROOT / spec.path).parent
        body = [line for line in path.read_text().splitlines() if line and line[0] != " "]
        assert body[-2:] == ["import dashboard", "dashboard.main()"], path.name


def test_the_least_role_of_each_permission():
    from threatmon.access.roles import Permission, Role

    assert dashboard.required_role(Permission.VIEW) == Role.VIEWER
    assert dashboard.required_role(Permission.UPLOAD) == Role.ANALYST
    assert dashboard.required_role(Permission.READ_AUDIT) == Role.ADMIN


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "You do not have access to this page (Upload needs the analyst role). "
            "Ask an administrator if you need it.",
        ),
        (
            "ro",
            "Nu aveți acces la această pagină (Încărcare necesită rolul de analist). "
            "Cereți-l unui administrator dacă aveți nevoie de el.",
        ),
        (
            "uk",
            "Ви не маєте доступу до цієї сторінки (Завантаження: потрібна роль «аналітик»). "
            "Зверніться до адміністратора, якщо вона вам потрібна.",
        ),
    ],
)
def test_a_page_out_of_reach_says_which_role_opens_it(language, text):
    from ui.i18n import role_name, translate

    page = translate("page.upload", language)
    assert (
        translate("access.denied", language, page=page, role=role_name("analyst", language)) == text
    )
