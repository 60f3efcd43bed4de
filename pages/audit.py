"""Audit: administrators browse and export who did what (loads, undos, sign-ins, exports).

Two append-only, hash-chained logs are shown as one timeline: the store's (loads,
undos, saved mappings, written in the same transaction as the rows they change) and
the accounts file's (sign-ins, failed sign-ins, exports, account changes).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from threatmon.access.roles import Permission
from threatmon.disclosure.export import to_csv_bytes
from threatmon.store import audit
from ui import auth, data, exports
from ui.i18n import number, role_name, t


def _chain_status(log: str, broken: int | None) -> None:
    """``log`` is "store" or "access"."""
    if broken is None:
        intact = {"store": t("audit.store_intact"), "access": t("audit.access_intact")}
        st.success(intact[log])
    else:
        changed = {
            "store": t("audit.store_broken", entry=broken),
            "access": t("audit.access_broken", entry=broken),
        }
        st.error(changed[log], icon=":material/gpp_bad:")


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
    left, right = st.columns(2)
    with left:
        _chain_status("store", logs["store_broken"])
    with right:
        _chain_status("access", logs["access_broken"])
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
    st.dataframe(
        shown,
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
