"""Audit: administrators browse and export who did what (loads, undos, sign-ins, exports).

Two append-only, hash-chained logs are shown as one timeline: the store's (loads,
undos, saved mappings, written in the same transaction as the rows they change) and
the accounts file's (sign-ins, failed sign-ins, exports, account changes). Above it, what
``threatmon audit verify`` finds (the same function): each log intact, or its findings.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from threatmon.access.roles import Permission
from threatmon.disclosure.export import to_csv_bytes
from threatmon.store import audit
from ui import auth, data, exports
from ui.i18n import number, role_name, t


def _chain_status(log: str, verification) -> None:
    """``log`` is "store" or "access": intact, or each finding with its reason."""
    findings = verification.findings_of(log)
    if not findings:
        intact = {"store": t("audit.store_intact"), "access": t("audit.access_intact")}
        keyed_from = verification.logs[log].keyed_from
        keyed = t("audit.keyed_from", entry=keyed_from) if verification.keyed and keyed_from else ""
        st.success(f"{intact[log]} {keyed}".strip())
        return
    changed = {
        "store": t("audit.store_broken", count=number(len(findings))),
        "access": t("audit.access_broken", count=number(len(findings))),
    }
    st.error(changed[log], icon=":material/gpp_bad:")
    for finding in findings[:20]:
        st.caption(finding.text())


def _protection(verification) -> None:
    """What the check could not vouch for: no key, no anchor, a foreign anchor line."""
    anchor = verification.findings_of("anchor")
    if anchor:
        st.error(t("audit.anchor_broken", count=number(len(anchor))), icon=":material/gpp_bad:")
    if not verification.keyed:
        st.warning(t("audit.unkeyed"), icon=":material/key_off:")
    if verification.anchor is None:
        st.caption(t("audit.unanchored"))


def _who(user: str, via, os_user) -> str:
    """The named user, and for an entry the command line wrote, who ran it."""
    if via != "cli":
        return user
    if not isinstance(os_user, str) or os_user == user:
        return t("audit.via_cli_self", user=user)
    return t("audit.via_cli", user=user, os_user=os_user)


def _account_columns() -> dict:
    """Column labels of the accounts table (``Accounts.users``)."""
    return {
        "name": t("audit.accounts.name"),
        "role": t("audit.accounts.role"),
        "scope": t("audit.accounts.scope"),
        "auth": t("audit.accounts.auth"),
        "disabled": t("audit.accounts.disabled"),
        "failed_attempts": t("audit.accounts.failed_attempts"),
        "locked_until": t("audit.accounts.locked_until"),
        "created_at": t("audit.accounts.created_at"),
        "changed_at": t("audit.accounts.changed_at"),
        "last_login_at": t("audit.accounts.last_login_at"),
    }


def main() -> None:
    """Render the Audit page."""
    st.title(t("audit.title"))
    auth.require(Permission.READ_AUDIT)
    logs = data.audit_logs()
    verification = logs["verification"]
    left, right = st.columns(2)
    with left:
        _chain_status("store", verification)
    with right:
        _chain_status("access", verification)
    _protection(verification)
    log = logs["combined"]
    if log.empty:
        st.info(t("audit.empty"))
        return
    columns = st.columns([2, 2, 2])
    users = columns[0].multiselect(
        t("audit.col.who"), sorted(log["user_name"].unique()), key="audit_users"
    )
    actions = columns[1].multiselect(
        t("audit.col.action"), sorted(log["action"].unique()), key="audit_actions"
    )
    first, last = log["logged_at"].min().date(), log["logged_at"].max().date()
    span = columns[2].date_input(
        t("audit.between"), value=(first, last), min_value=first, max_value=last, key="audit_span"
    )
    start, end = (span[0], span[1]) if len(span) == 2 else (span[0], span[0])
    shown = audit.select(log, users=tuple(users), actions=tuple(actions), start=start, end=end)
    st.caption(t("audit.count", shown=number(len(shown)), total=number(len(log))))
    who = [
        _who(*row) for row in zip(shown["user_name"], shown["via"], shown["os_user"], strict=True)
    ]
    st.dataframe(
        # An entry about no object (a migration, a sign-in) has no target: shown empty.
        shown.drop(columns=["via", "os_user"]).assign(
            user_name=who, target=shown["target"].astype("string").fillna("")
        ),
        hide_index=True,
        column_config={
            "logged_at": st.column_config.DatetimeColumn(
                t("audit.col.when"), format="YYYY-MM-DD HH:mm:ss"
            ),
            "user_name": t("audit.col.who"),
            "action": t("audit.col.action"),
            "target": t("audit.col.target"),
            "details": t("audit.col.details"),
            "log": t("audit.col.log"),
            "seq": st.column_config.NumberColumn(t("audit.col.entry"), format="%d"),
        },
    )
    stamp = dt.date.today().isoformat()
    st.download_button(
        t("audit.export"),
        exports.audited(
            lambda: to_csv_bytes(shown, data.export_marking()),
            "audit_log",
            permission=Permission.READ_AUDIT,
            rows=len(shown),
        ),
        file_name=f"threatmon-audit-{stamp}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    st.subheader(t("audit.accounts.header"))
    accounts = auth.accounts().users()
    if accounts.empty:
        st.caption(t("audit.accounts.none"))
    else:
        st.dataframe(
            accounts.assign(
                role=accounts["role"].map(role_name),
                scope=accounts["scope"].replace("", t("audit.accounts.all")),
            ),
            hide_index=True,
            column_config=_account_columns(),
        )
        st.caption(t("audit.accounts.caption"))


main()
