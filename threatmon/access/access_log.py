"""The access log: an append-only hash chain of who signed in, exported or changed accounts.

Loads and undos stay audited inside the store, in the same transaction as the rows they
change (:mod:`threatmon.store.audit`); this log, in the accounts database, holds
everything else (sign-in, failed sign-in, export, account changes). Both logs are hash
chains with the same entry hash and, with an audit key, the same MAC, so one check
(:mod:`threatmon.store.audit_check`) serves both, and the database refuses any UPDATE or
DELETE of a logged entry (see :mod:`threatmon.access.database`), for whoever does not
drop its triggers first.

Every function here runs inside an operation the caller opened
(:meth:`threatmon.access.database.AccountsDatabase.transaction`), so an entry lands with the
change it records or not at all.
"""

from __future__ import annotations

import pandas as pd

from threatmon.access.database import Connection, stamp, utc_now
from threatmon.store.audit import GENESIS, configured_key, details_text, seal

#: The log's columns, oldest entry first: the store audit's column names.
COLUMNS = [
    "seq",
    "logged_at",
    "user_name",
    "action",
    "target",
    "details",
    "prev_hash",
    "hash",
    "mac",
]


def append(
    con: Connection,
    user: str,
    action: str,
    target: str | None = None,
    details: dict | None = None,
) -> int:
    """Chain one entry to the last; return its sequence number."""
    last = con.execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = utc_now()
    text = details_text(details)
    digest, mac = seal(prev, seq, at, user, action, target, text, configured_key())
    con.execute(
        f"INSERT INTO access_log ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, stamp(at), user, action, target, text, prev, digest, mac],
    )
    return seq


def append_once(con: Connection, user: str, action: str, target: str | None, details: dict) -> bool:
    """Append the entry unless one with this user, action and details is logged already;
    whether it was appended."""
    seen = con.execute(
        "SELECT 1 FROM access_log WHERE user_name = ? AND action = ? AND details = ?",
        [user, action, details_text(details)],
    ).fetchone()
    if seen:
        return False
    append(con, user, action, target, details)
    return True


def entries(con: Connection) -> pd.DataFrame:
    """Every logged entry, oldest first, with :data:`COLUMNS`."""
    rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM access_log ORDER BY seq")
    frame = pd.DataFrame(rows.fetchall(), columns=COLUMNS)
    frame["logged_at"] = pd.to_datetime(frame["logged_at"])
    return frame
