"""Actions already on screen do not outlive the permission (AppTest).

A download button given a callable builds its file when clicked, on a server thread,
after the page was drawn; a button's callback runs before the next run checks the
session. Here the account changes between drawing and clicking: disabled, demoted,
signed out in another tab, idle past the limit. The click then builds nothing, changes
nothing, and is logged as refused; the next run says why.
"""

import datetime as dt
import sqlite3
import types
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from threatmon.errors import ActionRefusedError
from threatmon.settings import DB_ENV_VAR
from threatmon.store.reader import Store
from ui import guarded
from ui import upload as up

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard.py"
TIMEOUT = 120
PASSWORD = "test password 123"
REFUSED_SESSION = "Nothing was downloaded or changed: your session had ended before the action ran."
REFUSED_ROLE = (
    "Nothing was downloaded or changed: your role or countries changed after this page was "
    "drawn. The page now shows what your current role allows; try again."
)


@pytest.fixture(autouse=True)
def _forget_refusals():
    """Every AppTest session has the same id: a refusal no run has shown yet must not
    reach the next test's first run."""
    yield
    guarded._REFUSALS.clear()


class Clicks(dict):
    """The download buttons drawn so far, file name -> the callable Streamlit keeps for
    the browser's click; ``clicks["threatmon-changes", ".csv"]`` is the newest one drawn
    with that start and end."""

    def __getitem__(self, key):
        start, end = key
        names = [name for name in self if name.startswith(start) and name.endswith(end)]
        assert len(names) == 1, (key, list(self))
        return dict.__getitem__(self, names[0])


@pytest.fixture
def clicks(monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager

    drawn = Clicks()
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        dict.__setitem__(drawn, file_name, data_callable)
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return drawn


@pytest.fixture
def accounts(sign_in):
    book = sign_in.accounts
    book.add("ana", "analyst", password=PASSWORD, scope=("MD",), by="test")
    book.add("root", "admin", password=PASSWORD, by="test")
    return book


def _app(monkeypatch, store) -> AppTest:
    monkeypatch.setenv(DB_ENV_VAR, str(store))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _signed_in(at, name: str) -> AppTest:
    """``at`` signed in as ``name`` through the form: a local session with its token."""
    at.run()
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert [t.value for t in at.title][0] == "Overview"
    return at


def _refused(click) -> str:
    with pytest.raises(ActionRefusedError) as caught:
        click()
    return caught.value.reason


def _log(accounts) -> list[tuple]:
    log = accounts.access_log()
    return list(zip(log["user_name"], log["action"], log["target"], strict=True))


def _age_sessions(accounts, by: dt.timedelta) -> None:
    """Move every stored session's last click back by ``by``."""
    with sqlite3.connect(accounts.path) as con:
        for session_id, stamp in con.execute("SELECT id, seen_at FROM sessions").fetchall():
            earlier = dt.datetime.fromisoformat(stamp) - by
            con.execute(
                "UPDATE sessions SET seen_at = ? WHERE id = ?",
                [earlier.isoformat(timespec="microseconds"), session_id],
            )


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_a_download_still_on_screen_is_built_for_the_role_read_at_the_click(
    monkeypatch, demo_store_path, accounts, clicks
):
    at = _signed_in(_app(monkeypatch, demo_store_path), "ana")
    assert b"MD" in clicks["threatmon-changes", ".csv"]()
    (entry,) = [e for e in accounts.access_log().itertuples() if e.action == "export"]
    assert (entry.user_name, entry.target) == ("ana", "table:changes")
    assert '"role": "analyst"' in entry.details
    at.run()
    assert not {REFUSED_SESSION, REFUSED_ROLE} & set(_warnings(at))


def test_a_download_after_the_account_is_disabled_builds_nothing(
    monkeypatch, demo_store_path, accounts, clicks
):
    at = _signed_in(_app(monkeypatch, demo_store_path), "ana")
    accounts.set_disabled("ana", True, by="root")
    assert _refused(clicks["threatmon-changes", ".csv"]) == "disabled"
    assert _log(accounts)[-1] == ("ana", "action_refused", "table:changes")
    assert "export" not in accounts.access_log()["action"].tolist()
    at.run()  # the click's own rerun
    assert [t.value for t in at.title] == ["Sign in"]
    assert _warnings(at) == [REFUSED_SESSION]
    at.run()
    assert _warnings(at) == []  # said once


def test_a_briefing_after_sign_out_in_another_tab_builds_nothing(
    monkeypatch, demo_store_path, accounts, clicks
):
    at = _signed_in(_app(monkeypatch, demo_store_path), "ana")
    # The briefing is built on a click of its own (with progress), then handed out by
    # the download, which is what runs after the other tab signed out.
    at.button(key="export-briefing-build").click().run()
    assert not at.exception
    briefing = clicks["threatmon-briefing", ".pdf"]
    accounts.end_session(at.session_state["auth_session_token"])  # the other tab's Sign out
    assert _refused(briefing) == "signed_out"
    assert _log(accounts)[-1] == ("ana", "action_refused", "briefing_pdf")


def test_a_download_past_the_idle_limit_builds_nothing(
    monkeypatch, demo_store_path, accounts, clicks
):
    _signed_in(_app(monkeypatch, demo_store_path), "ana")
    _age_sessions(accounts, dt.timedelta(minutes=31))  # no click for 31 minutes
    assert _refused(clicks["threatmon-trends", ".png"]) == "expired"
    assert [a for _, a, _ in _log(accounts)][-2:] == ["session_expired", "action_refused"]


def test_a_download_after_demotion_gives_the_viewer_nothing_drawn_for_the_analyst(
    monkeypatch, demo_store_path, accounts, clicks
):
    at = _signed_in(_app(monkeypatch, demo_store_path), "ana")
    at.switch_page("pages/map.py").run()
    assert not at.exception
    drawn_for_analyst = clicks["threatmon-map-", ".html"]
    accounts.set_role("ana", "viewer", by="root")
    assert _refused(drawn_for_analyst) == "role_changed"
    refusal = accounts.access_log().iloc[-1]
    assert (refusal["action"], refusal["target"]) == ("action_refused", "map_html")
    assert '"role": "analyst"' in refusal["details"]
    assert '"role_now": "viewer"' in refusal["details"]
    at.run()
    assert _warnings(at)[0] == REFUSED_ROLE
    assert "**ana** · viewer  \nMD" in [m.value for m in at.sidebar.markdown]
    # The page drawn again offers the viewer's file, logged as the viewer's.
    clicks["threatmon-map-", ".html"]()
    export = accounts.access_log().iloc[-1]
    assert (export["action"], export["target"]) == ("export", "map_html")
    assert '"role": "viewer"' in export["details"]


@pytest.fixture
def undo_page(monkeypatch, store_copy, accounts):
    """The Upload page of the administrator ``root``, the newest batch picked and
    "I understand" ticked: one click from undoing it."""
    at = _signed_in(_app(monkeypatch, store_copy), "root")
    at.switch_page("pages/upload.py").run()
    batch = int(Store(store_copy).batches()["batch_id"].max())
    at.selectbox(key=up.KEY_UNDO_BATCH).set_value(batch).run()
    at.checkbox(key=up.KEY_UNDO_CONFIRM).check().run()
    assert not at.button(key="upload_undo").disabled
    return types.SimpleNamespace(at=at, batch=batch, store=store_copy)


def _status(undo_page) -> str:
    return Store(undo_page.store).batches().set_index("batch_id").loc[undo_page.batch, "status"]


def _end_by_disabling(accounts, at):
    accounts.set_disabled("root", True, by="other admin")


def _end_by_demoting(accounts, at):
    accounts.set_role("root", "analyst", by="other admin")


def _end_by_signing_out_elsewhere(accounts, at):
    accounts.end_session(at.session_state["auth_session_token"])


def _end_by_idling(accounts, at):
    _age_sessions(accounts, dt.timedelta(minutes=31))


UNDO_CASES = {
    "disabled": (_end_by_disabling, "disabled", REFUSED_SESSION),
    "demoted": (_end_by_demoting, "role_changed", REFUSED_ROLE),
    "signed_out_elsewhere": (_end_by_signing_out_elsewhere, "signed_out", REFUSED_SESSION),
    "idle": (_end_by_idling, "expired", REFUSED_SESSION),
}


@pytest.mark.parametrize("case", list(UNDO_CASES))
def test_an_undo_on_screen_does_not_run_once_the_permission_is_gone(undo_page, accounts, case):
    end, reason, message = UNDO_CASES[case]
    end(accounts, undo_page.at)
    undo_page.at.button(key="upload_undo").click().run()
    assert not undo_page.at.exception
    assert _status(undo_page) == "active"
    refusal = accounts.access_log().iloc[-1]
    assert (refusal["user_name"], refusal["action"]) == ("root", "action_refused")
    assert refusal["target"] == f"undo:batch:{undo_page.batch}"
    assert f'"reason": "{reason}"' in refusal["details"]
    assert _warnings(undo_page.at)[0] == message


def test_an_undo_still_allowed_runs_and_names_its_role(undo_page):
    undo_page.at.button(key="upload_undo").click().run()
    assert _status(undo_page) == "undone"
    entry = Store(undo_page.store).audit().iloc[-1]
    assert (entry["action"], entry["user_name"]) == ("undo", "root")
    assert '"role": "admin"' in entry["details"]
