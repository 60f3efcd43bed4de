"""The append-only audit log: each entry carries the hash of the one before it.

The store offers no way to edit or delete entries; the hash chain makes an edit
made behind its back (with another DuckDB client) detectable by :func:`verify_chain`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    user: str,
    action: str,
    target: str | None,
    details: str | None,
) -> str:
    """The sha256 that seals one entry to its predecessor."""
    payload = json.dumps(
        [prev_hash, seq, at.isoformat(timespec="microseconds"), user, action, target, details],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    con, user: str, action: str, target: str | None = None, details: dict | None = None
) -> int:
    """Append one entry on a read-write connection; return its sequence number."""
    last = con.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchall()
    seq, prev = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    text = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else None
    digest = entry_hash(prev, seq, at, user, action, target, text)
    con.execute(
        "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, at, user, action, target, text, prev, digest],
    )
    return seq


def verify_chain(log: pd.DataFrame) -> int | None:
    """Return the ``seq`` of the first entry whose hash does not match, or None if intact."""
    prev = GENESIS
    for row in log.sort_values("seq").itertuples(index=False):
        target = None if pd.isna(row.target) else row.target
        details = None if pd.isna(row.details) else row.details
        at = pd.Timestamp(row.logged_at).to_pydatetime()
        expected = entry_hash(prev, int(row.seq), at, row.user_name, row.action, target, details)
        if row.prev_hash != prev or row.hash != expected:
            return int(row.seq)
        prev = row.hash
    return None


#: Where each entry of :func:`combined` comes from.
STORE_LOG, ACCESS_LOG = "store", "access"


def combined(store_log: pd.DataFrame, access_log: pd.DataFrame) -> pd.DataFrame:
    """Both logs as one table, newest first: when, who, what, on what, details, which log.

    Loads and undos are logged inside the store (in the same transaction as their
    rows); sign-ins, exports and account changes in the accounts file. Readers want
    one timeline.
    """
    columns = ["logged_at", "user_name", "action", "target", "details"]
    parts = [
        frame[columns].assign(log=name, seq=frame["seq"])
        for name, frame in ((STORE_LOG, store_log), (ACCESS_LOG, access_log))
        if not frame.empty
    ]
    if not parts:
        return pd.DataFrame(columns=[*columns, "log", "seq"])
    merged = pd.concat(parts, ignore_index=True)
    merged["logged_at"] = pd.to_datetime(merged["logged_at"])
    return merged.sort_values(
        ["logged_at", "log", "seq"], ascending=[False, True, False], kind="stable"
    ).reset_index(drop=True)


def select(
    log: pd.DataFrame,
    *,
    users: tuple[str, ...] = (),
    actions: tuple[str, ...] = (),
    start=None,
    end=None,
) -> pd.DataFrame:
    """The entries of ``log`` by any of ``users``, of any of ``actions``, between two dates."""
    keep = pd.Series(True, index=log.index)
    if users:
        keep &= log["user_name"].isin(users)
    if actions:
        keep &= log["action"].isin(actions)
    if start is not None:
        keep &= log["logged_at"] >= pd.Timestamp(start)
    if end is not None:
        keep &= log["logged_at"] < pd.Timestamp(end) + pd.Timedelta(days=1)
    return log[keep].reset_index(drop=True)
