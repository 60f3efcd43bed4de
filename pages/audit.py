"""Audit: administrators browse and export who did what (loads, undos, sign-ins, exports).

Two append-only, hash-chained logs are shown as one timeline: the store's (loads,
undos, saved mappings, written in the same transaction as the rows they change) and
the accounts file's (sign-ins, failed sign-ins, exports, account changes).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_loaders import audit
from data_loaders.access import Permission
from data_loaders.export import to_csv_bytes
from ui import auth, data, exports


def _chain_status(name: str, broken: int | None) -> None:
    if broken is None:
        st.success(f"The {name} log is intact: every entry matches its hash chain.")
    else:
        st.error(
            f"The {name} log was changed behind the dashboard's back: entry {broken} no "
            "longer matches its hash chain.",
            icon=":material/gpp_bad:",
        )


def main() -> None:
    """Render the Audit page."""
    st.title("Audit")
    auth.require(Permission.READ_AUDIT)
    logs = data.audit_logs()
    left, right = st.columns(2)
    with left:
        _chain_status("store", logs["store_broken"])
    with right:
        _chain_status("access", logs["access_broken"])
    log = logs["combined"]
    if log.empty:
        st.info("Nothing has been logged yet.")
        return
    columns = st.columns([2, 2, 2])
    users = columns[0].multiselect("Who", sorted(log["user_name"].unique()), key="audit_users")
    actions = columns[1].multiselect("Action", sorted(log["action"].unique()), key="audit_actions")
    first, last = log["logged_at"].min().date(), log["logged_at"].max().date()
    span = columns[2].date_input(
        "Between", value=(first, last), min_value=first, max_value=last, key="audit_span"
    )
    start, end = (span[0], span[1]) if len(span) == 2 else (span[0], span[0])
    shown = audit.select(log, users=tuple(users), actions=tuple(actions), start=start, end=end)
    st.caption(f"{len(shown):,} of {len(log):,} entries, newest first.")
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "logged_at": st.column_config.DatetimeColumn(
                "When (UTC)", format="YYYY-MM-DD HH:mm:ss"
            ),
            "user_name": "Who",
            "action": "Action",
            "target": "On",
            "details": "Details",
            "log": "Log",
            "seq": st.column_config.NumberColumn("Entry", format="%d"),
        },
    )
    stamp = dt.date.today().isoformat()
    st.download_button(
        "Export these entries (CSV)",
        exports.audited(
            lambda: to_csv_bytes(shown, data.export_marking()), "audit_log", rows=len(shown)
        ),
        file_name=f"threatmon-audit-{stamp}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    st.subheader("Accounts")
    accounts = auth.accounts().users()
    if accounts.empty:
        st.caption("No accounts: add them on the server with `threatmon users add`.")
    else:
        st.dataframe(accounts.assign(scope=accounts["scope"].replace("", "all")), hide_index=True)
        st.caption(
            "Accounts are managed on the server with `threatmon users add|passwd|disable|"
            "enable|role|list`; each change is logged here."
        )


main()
