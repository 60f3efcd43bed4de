"""The append-only audit log: each entry carries the hash of the one before it, and a MAC.

The store offers no way to edit or delete entries; the hash chain makes an edit made
behind its back (with another DuckDB client) detectable by :func:`verify_chain`. A hash
chain alone can be re-sealed by whoever can write the file (recompute every hash after
the edit), so with a key configured (``$THREATMON_AUDIT_KEY``, kept outside the store)
each entry also carries an HMAC-SHA256 of its hash (:func:`entry_mac`), which only the
key's holder can compute. Entries written before the key was configured keep their hash
only; the first keyed entry's MAC covers their chain too. The access log
(:mod:`threatmon.access.access_log`) is sealed by the same functions;
:mod:`threatmon.store.audit_check` checks both.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator

import pandas as pd

from threatmon.settings import current_settings

GENESIS = "0" * 64

# Where the entries this process writes come from ({"via": "cli", "os_user": "root"}): set
# once by the command line around a command, so every entry it writes, in either log and
# through however many layers, records it without each layer passing it on.
_ORIGIN: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "audit_origin", default=None
)


@contextlib.contextmanager
def acting_through(via: str, os_user: str) -> Iterator[None]:
    """Record ``via`` and the operating-system user in every entry written inside the block.

    ``threatmon ingest --user ana`` run by root then logs ``ana`` with
    ``{"via": "cli", "os_user": "root"}``, not as if ana had uploaded it herself.
    """
    token = _ORIGIN.set({"via": via, "os_user": os_user})
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def details_text(details: dict | None) -> str | None:
    """An entry's details as logged (and hashed): JSON with sorted keys, or NULL; with where
    the entry comes from (:func:`acting_through`) when set."""
    origin = _ORIGIN.get()
    if origin:
        details = {**(details or {}), **origin}
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else None


def configured_key() -> bytes | None:
    """The deployment's MAC key (:meth:`threatmon.settings.Settings.audit_secret`)."""
    return current_settings().audit_secret()


def entry_mac(key: bytes, digest: str) -> str:
    """The HMAC-SHA256 of an entry's hash: its hash covers the entry and, through
    ``prev_hash``, every entry before it, so no one without the key can re-seal an edit."""
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


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


def seal(
    prev: str,
    seq: int,
    at: dt.datetime,
    user: str,
    action: str,
    target: str | None,
    text: str | None,
    key: bytes | None,
) -> tuple[str, str | None]:
    """An entry's hash and, with a key, its MAC (None without one)."""
    digest = entry_hash(prev, seq, at, user, action, target, text)
    return digest, (entry_mac(key, digest) if key else None)


def anchor_value(digest: str, mac: str | None) -> str:
    """What the anchor file records of an entry: its MAC, or its hash when unkeyed."""
    return mac or digest


def append(
    con,
    user: str,
    action: str,
    target: str | None = None,
    details: dict | None = None,
    *,
    key: bytes | None = None,
) -> tuple[int, str]:
    """Append one entry on a read-write connection; return its sequence number and what
    the anchor file is to record of it (:func:`anchor_value`)."""
    last = con.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchall()
    seq, prev = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    text = details_text(details)
    digest, mac = seal(prev, seq, at, user, action, target, text, key)
    con.execute(
        "INSERT INTO audit (seq, logged_at, user_name, action, target, details, prev_hash, "
        "hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, at, user, action, target, text, prev, digest, mac],
    )
    return seq, anchor_value(digest, mac)


def content_hash(row) -> str:
    """The hash a logged entry (a row of the log's frame) should carry for what it says."""
    target = None if pd.isna(row.target) else row.target
    details = None if pd.isna(row.details) else row.details
    at = pd.Timestamp(row.logged_at).to_pydatetime()
    return entry_hash(row.prev_hash, int(row.seq), at, row.user_name, row.action, target, details)


def verify_chain(log: pd.DataFrame) -> int | None:
    """Return the ``seq`` of the first entry whose hash does not match, or None if intact.

    The hash chain only; :func:`threatmon.store.audit_check.check_log` also checks the
    MACs, the sequence numbers and what each finding means.
    """
    prev = GENESIS
    for row in log.sort_values("seq").itertuples(index=False):
        if row.prev_hash != prev or row.hash != content_hash(row):
            return int(row.seq)
        prev = row.hash
    return None


#: Where each entry of :func:`combined` comes from.
STORE_LOG, ACCESS_LOG = "store", "access"


def combined(store_log: pd.DataFrame, access_log: pd.DataFrame) -> pd.DataFrame:
    """Both logs as one table, newest first: when, who, what, on what, details, which log,
    and through what (``via``, ``os_user``: see :func:`acting_through`; None when not
    recorded).

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
        return pd.DataFrame(columns=[*columns, "log", "seq", "via", "os_user"])
    merged = pd.concat(parts, ignore_index=True)
    merged["logged_at"] = pd.to_datetime(merged["logged_at"])
    origins = [_origin(text) for text in merged["details"]]
    merged["via"] = [via for via, _ in origins]
    merged["os_user"] = [os_user for _, os_user in origins]
    return merged.sort_values(
        ["logged_at", "log", "seq"], ascending=[False, True, False], kind="stable"
    ).reset_index(drop=True)


def _origin(text) -> tuple[str | None, str | None]:
    """``via`` and ``os_user`` of an entry's details (:func:`acting_through`), if recorded."""
    if not isinstance(text, str):
        return None, None
    try:
        details = json.loads(text)
    except ValueError:
        return None, None
    if not isinstance(details, dict):
        return None, None
    return details.get("via"), details.get("os_user")


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
