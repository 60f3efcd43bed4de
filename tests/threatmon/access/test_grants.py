"""A deferred action (a download built on click, a button's callback) is checked again when
it runs: session, account, role and scope as the accounts database has them then."""

import datetime as dt

import pytest

from threatmon.access.accounts import Accounts
from threatmon.access.grants import Grant
from threatmon.access.roles import DEMO_PRINCIPAL, Permission, Principal, SessionLimits
from threatmon.errors import ActionRefusedError

PASSWORD = "correct horse battery"
LIMITS = SessionLimits(idle=dt.timedelta(seconds=15), longest=dt.timedelta(hours=12))
T0 = dt.datetime(2026, 1, 1, 4, 30)
ANA = Principal("ana", "analyst", ("MD",))


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def accounts(tmp_path):
    book = Accounts(tmp_path / "a.sqlite")
    book.add("ana", "analyst", password=PASSWORD, scope=("MD",), by="root")
    return book


@pytest.fixture
def token(accounts):
    return accounts.open_session("ana", now=T0)


def _refused(accounts, grant, now, what="table:changes") -> str:
    """The reason ``grant`` is refused at ``now`` (the test fails if it runs)."""
    with pytest.raises(ActionRefusedError) as caught:
        accounts.recheck(grant, LIMITS, what, now=now)
    return caught.value.reason


def _last(accounts):
    return accounts.access_log().iloc[-1]


def test_a_live_session_runs_as_the_person_read_now(accounts, token):
    grant = Grant(ANA, Permission.EXPORT_ROWS, token=token)
    assert accounts.recheck(grant, LIMITS, "table:changes", now=_at(5)) == Principal(
        "ana", "analyst", ("MD",), "local"
    )


def test_a_disabled_account_runs_nothing_and_the_refusal_is_logged(accounts, token):
    grant = Grant(ANA, Permission.VIEW, token=token)
    accounts.set_disabled("ana", True, by="root")
    with pytest.raises(ActionRefusedError) as caught:
        accounts.recheck(grant, LIMITS, "table:changes", now=_at(1))
    assert str(caught.value) == ("Refused table:changes for ana: the session has ended (disabled).")
    last = _last(accounts)
    assert (last["user_name"], last["action"], last["target"]) == (
        "ana",
        "action_refused",
        "table:changes",
    )
    assert last["details"] == (
        '{"permission": "view", "reason": "disabled", "role": "analyst", "scope": ["MD"]}'
    )


def test_a_sign_out_in_another_tab_refuses_this_tabs_action(accounts, token):
    grant = Grant(ANA, Permission.VIEW, token=token)
    accounts.end_session(token, now=_at(2))  # the other tab's Sign out ends the shared session
    assert _refused(accounts, grant, _at(3), "briefing_pdf") == "signed_out"


def test_an_idle_session_is_refused_even_if_no_page_ran_since(accounts, token):
    # A download 41 s after signing in, under a 15 s idle limit, with no click between.
    grant = Grant(ANA, Permission.VIEW, token=token)
    assert _refused(accounts, grant, _at(41)) == "expired"
    assert accounts.access_log()["action"].tolist()[-2:] == ["session_expired", "action_refused"]


def test_a_session_without_a_token_expires_from_the_run_that_drew_the_button(accounts):
    grant = Grant(ANA, Permission.VIEW, signed_in_at=T0, seen_at=_at(10))
    assert accounts.recheck(grant, LIMITS, "chart:trends", now=_at(24)).name == "ana"
    assert _refused(accounts, grant, _at(26), "chart:trends") == "expired"


def test_a_session_without_a_token_is_refused_once_its_account_is_disabled(accounts):
    grant = Grant(ANA, Permission.VIEW, signed_in_at=T0, seen_at=T0)
    accounts.set_disabled("ana", True, by="root")
    assert _refused(accounts, grant, _at(1)) == "disabled"


@pytest.mark.parametrize(
    ("role", "scope"),
    [("viewer", ("MD",)), ("analyst", ("MD", "UA")), ("admin", ("MD",))],
    ids=["demoted", "scope_widened", "promoted"],
)
def test_a_changed_role_or_scope_refuses_what_was_drawn_for_the_old_one(
    accounts, token, role, scope
):
    grant = Grant(ANA, Permission.VIEW, token=token)
    accounts.set_role("ana", role, scope, by="root")
    assert _refused(accounts, grant, _at(1), "map_html") == "role_changed"
    details = _last(accounts)["details"]
    assert f'"role_now": "{role}"' in details and '"role": "analyst"' in details


def test_an_undo_drawn_for_an_analyst_is_refused_after_demotion(accounts):
    grant = Grant(ANA, Permission.UNDO_OWN, signed_in_at=T0, seen_at=T0)
    accounts.set_role("ana", "viewer", by="root")
    with pytest.raises(ActionRefusedError) as caught:
        accounts.recheck(grant, LIMITS, "undo:batch:3", now=_at(1))
    assert str(caught.value) == (
        "Refused undo:batch:3 for ana: the role or country scope changed since the page "
        "was drawn; reload the page."
    )


def test_a_permission_the_role_lacks_is_refused(accounts, token):
    grant = Grant(ANA, Permission.MANAGE_ACCOUNTS, token=token)
    assert _refused(accounts, grant, _at(1), "account_role:eva") == "not_allowed"


def test_an_account_change_drawn_for_an_admin_is_refused_once_demoted(accounts):
    accounts.add("root2", "admin", password=PASSWORD, by="root")
    admin = Principal("root2", "admin")
    grant = Grant(admin, Permission.MANAGE_ACCOUNTS, token=accounts.open_session("root2", now=T0))
    assert accounts.recheck(grant, LIMITS, "account_role:ana", now=_at(1)) == admin
    accounts.set_role("root2", "analyst", by="root")
    assert _refused(accounts, grant, _at(2), "account_role:ana") == "role_changed"


def test_another_persons_token_is_refused(accounts, token):
    accounts.add("eva", "viewer", password=PASSWORD, by="root")
    grant = Grant(Principal("eva", "viewer"), Permission.VIEW, token=token)
    assert _refused(accounts, grant, _at(1)) == "unknown"


def test_a_demo_session_runs_until_accounts_are_added(tmp_path):
    book = Accounts(tmp_path / "demo.sqlite")
    grant = Grant(DEMO_PRINCIPAL, Permission.UNDO_ANY)
    assert book.recheck(grant, LIMITS, "briefing_pdf", now=T0) == DEMO_PRINCIPAL
    book.add("root", "admin", password=PASSWORD, by="cli")
    assert _refused(book, grant, _at(1), "briefing_pdf") == "signed_out"
