"""Checking the audit trail: both logs' chains and MACs, the anchor, and the batches.

One function, :func:`verify_trail`, serves ``threatmon audit verify`` and the Audit page.
It reports every finding (a gap, an edit, a re-seal, a truncation, a batch whose log entry
is gone) with the log, the entry and a plain reason, and says in :attr:`Verification.notes`
what it could not check: without a key an edit re-sealed by someone with file access
looks like an intact log, and without an anchor so does a log whose last entries were
deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from threatmon.store import audit_anchor
from threatmon.store.audit import (
    ACCESS_LOG,
    GENESIS,
    STORE_LOG,
    anchor_value,
    configured_key,
    content_hash,
    entry_mac,
)

#: Finding kinds.
GAP, CHAIN, EDITED, MAC, UNKEYED = "gap", "chain", "edited", "mac", "unkeyed"
TRUNCATED, MISSING, ANCHOR_MISMATCH, UNANCHORED, ANCHOR_LINE = (
    "truncated",
    "missing",
    "anchor_mismatch",
    "unanchored",
    "anchor_line",
)
NO_LOAD_ENTRY, NO_UNDO_ENTRY = "no_load_entry", "no_undo_entry"
#: The log named by findings about the anchor file itself.
ANCHOR = "anchor"

UNKEYED_NOTE = "unkeyed: edits re-sealed by someone with file access cannot be detected."
UNANCHORED_NOTE = (
    "no anchor: deleting the last entries of a log cannot be detected (set THREATMON_AUDIT_ANCHOR)."
)


@dataclass(frozen=True)
class Finding:
    """Something the trail shows was changed: in which log, at which entry (None for a
    finding about a batch or the anchor's own lines), of which kind, and why."""

    log: str
    entry: int | None
    kind: str
    reason: str

    def to_json(self) -> dict:
        return {"log": self.log, "entry": self.entry, "kind": self.kind, "reason": self.reason}

    def text(self) -> str:
        """One line: ``store log, entry 7 (mac): reason``."""
        where = f"{self.log} log" if self.entry is None else f"{self.log} log, entry {self.entry}"
        return f"{where} ({self.kind}): {self.reason}"


@dataclass(frozen=True)
class LogSummary:
    """One log: how many entries, its last, and the first that carries a MAC."""

    entries: int
    last: int | None
    keyed_from: int | None

    def to_json(self) -> dict:
        return {"entries": self.entries, "last": self.last, "keyed_from": self.keyed_from}


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found."""

    findings: tuple[Finding, ...]
    logs: dict[str, LogSummary]
    keyed: bool
    anchor: str | None
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    def findings_of(self, log: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.log == log)

    def to_json(self) -> dict:
        return {
            "ok": self.ok,
            "keyed": self.keyed,
            "anchor": self.anchor,
            "logs": {name: summary.to_json() for name, summary in self.logs.items()},
            "findings": [finding.to_json() for finding in self.findings],
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """One sentence for a person."""
        if self.findings:
            count = len(self.findings)
            return (
                f"{count} finding{'s' if count != 1 else ''}: the audit trail was changed "
                "outside Threat Monitor, or written without its key or anchor."
            )
        parts = []
        for name, log in self.logs.items():
            keyed = f", keyed from entry {log.keyed_from}" if self.keyed and log.keyed_from else ""
            parts.append(f"the {name} log ({log.entries} entries{keyed})")
        checked = " and ".join(parts)
        anchor = ", and the anchor agrees" if self.anchor else ""
        return f"The audit trail verifies: {checked}{anchor}."


def _text(value) -> str | None:
    return None if pd.isna(value) else str(value)


def check_log(name: str, log: pd.DataFrame, key: bytes | None) -> tuple[list[Finding], LogSummary]:
    """The findings of one log's sequence numbers, hash chain and (with ``key``) MACs.

    Each break is reported where it is: the check goes on from the entry as it stands, so
    one deleted entry is one finding, not one per entry after it.
    """
    findings: list[Finding] = []
    rows = list(log.sort_values("seq").itertuples(index=False)) if not log.empty else []
    prev_seq, prev_hash, keyed_from = 0, GENESIS, None
    for row in rows:
        seq, mac = int(row.seq), _text(getattr(row, "mac", None))
        if seq != prev_seq + 1:
            missing = prev_seq + 1
            span = f"entry {missing}" if seq == missing + 1 else f"entries {missing}–{seq - 1}"
            findings.append(
                Finding(
                    name,
                    missing,
                    GAP,
                    f"The log jumps from entry {prev_seq} to {seq}: "
                    f"{span} {'was' if seq == missing + 1 else 'were'} deleted.",
                )
            )
        elif row.prev_hash != prev_hash:
            findings.append(
                Finding(
                    name,
                    seq,
                    CHAIN,
                    f"Entry {seq} does not follow entry {prev_seq}: its prev_hash is not that "
                    "entry's hash (an entry before it was removed, inserted or re-sealed).",
                )
            )
        if row.hash != content_hash(row):
            findings.append(
                Finding(
                    name,
                    seq,
                    EDITED,
                    f"Entry {seq} no longer matches its hash: it was edited after it was written.",
                )
            )
        if mac is not None and keyed_from is None:
            keyed_from = seq
        if key is not None and mac is not None and mac != entry_mac(key, row.hash):
            findings.append(
                Finding(
                    name,
                    seq,
                    MAC,
                    f"Entry {seq}'s MAC does not match under the configured key: it was "
                    "rewritten and re-sealed by someone without the key (or the key is not "
                    "the one it was written with).",
                )
            )
        if key is not None and mac is None and keyed_from is not None:
            findings.append(
                Finding(
                    name,
                    seq,
                    UNKEYED,
                    f"Entry {seq} carries no MAC, though entries from {keyed_from} on are "
                    "keyed: it was written or rewritten without the key.",
                )
            )
        prev_seq, prev_hash = seq, row.hash
    summary = LogSummary(len(rows), int(rows[-1].seq) if rows else None, keyed_from)
    return findings, summary


def check_anchor(
    lines: list[audit_anchor.AnchorLine], logs: dict[str, pd.DataFrame]
) -> tuple[list[Finding], list[str]]:
    """The findings of comparing each log with the anchor's lines, and notes on what the
    anchor cannot vouch for (entries written before it was configured)."""
    findings: list[Finding] = []
    notes: list[str] = []
    for line in lines:
        if line.log is None or line.log not in logs:
            findings.append(
                Finding(
                    ANCHOR,
                    None,
                    ANCHOR_LINE,
                    f"Line {line.line} of the anchor is not 'store|access SEQ VALUE': the "
                    "anchor was written to by something else.",
                )
            )
    for name, log in logs.items():
        values = {}
        if not log.empty:
            values = {
                int(row.seq): anchor_value(row.hash, _text(getattr(row, "mac", None)))
                for row in log.itertuples(index=False)
            }
        last = max(values, default=0)
        anchored = [line for line in lines if line.log == name]
        beyond = sorted({line.seq for line in anchored if line.seq > last})
        if beyond:
            findings.append(
                Finding(
                    name,
                    beyond[0],
                    TRUNCATED,
                    f"The anchor holds entries up to {beyond[-1]}, but the log ends at entry "
                    f"{last}: its last entries were deleted.",
                )
            )
        for line in anchored:
            if line.seq > last:
                continue
            if line.seq not in values:
                findings.append(
                    Finding(
                        name,
                        line.seq,
                        MISSING,
                        f"Entry {line.seq} is in the anchor but not in the log: it was deleted.",
                    )
                )
            elif values[line.seq] != line.value:
                findings.append(
                    Finding(
                        name,
                        line.seq,
                        ANCHOR_MISMATCH,
                        f"Entry {line.seq} is not the entry the anchor recorded when it was "
                        "written: it was rewritten and re-sealed.",
                    )
                )
        top = max((line.seq for line in anchored), default=None)
        if top is None:
            if values:
                notes.append(
                    f"{name} log: none of its {len(values)} entries is in the anchor yet "
                    "(written before the anchor was configured)."
                )
            continue
        first = min(line.seq for line in anchored)
        if first > 1 and values:
            notes.append(
                f"{name} log: entries before {first} were written before the anchor was configured."
            )
        for seq in sorted(s for s in values if s > top):
            findings.append(
                Finding(
                    name,
                    seq,
                    UNANCHORED,
                    f"Entry {seq} is not in the anchor, which ends at entry {top} of this log: "
                    "it was written without the anchor, or the anchor's last lines were removed.",
                )
            )
    return findings, notes


def check_batches(batches: pd.DataFrame, store_log: pd.DataFrame) -> list[Finding]:
    """A batch whose load entry, or an undone batch whose undo entry, is not in the log."""
    if batches.empty:
        return []
    logged = set()
    if not store_log.empty:
        logged = set(zip(store_log["action"], store_log["target"], strict=True))
    findings = []
    for batch in batches.sort_values("batch_id").itertuples(index=False):
        target = f"batch:{int(batch.batch_id)}"
        named = f"Batch {int(batch.batch_id)} ({batch.file_name})"
        if ("load", target) not in logged:
            findings.append(
                Finding(
                    STORE_LOG,
                    None,
                    NO_LOAD_ENTRY,
                    f"{named} is in the store, but the log has no load entry for it: the "
                    "entry was deleted, or the batch was added outside Threat Monitor.",
                )
            )
        if batch.status == "undone" and ("undo", target) not in logged:
            findings.append(
                Finding(
                    STORE_LOG,
                    None,
                    NO_UNDO_ENTRY,
                    f"{named} was undone, but the log has no undo entry for it: the entry "
                    "was deleted, or the batch was changed outside Threat Monitor.",
                )
            )
    return findings


def verify(
    store_log: pd.DataFrame,
    access_log: pd.DataFrame,
    batches: pd.DataFrame,
    *,
    key: bytes | None,
    anchor: Path | None = None,
    anchor_lines: list[audit_anchor.AnchorLine] | None = None,
) -> Verification:
    """Check both logs, the batches against the store log and, when given, the anchor."""
    logs = {STORE_LOG: store_log, ACCESS_LOG: access_log}
    findings: list[Finding] = []
    summaries = {}
    for name, log in logs.items():
        found, summaries[name] = check_log(name, log, key)
        findings += found
    findings += check_batches(batches, store_log)
    notes = []
    if key is None:
        notes.append(UNKEYED_NOTE)
        notes += [
            f"{name} log: entries carry MACs from entry {log.keyed_from} on, but no key is "
            "configured: the MACs were not checked."
            for name, log in summaries.items()
            if log.keyed_from is not None
        ]
    else:
        notes += [
            f"{name} log: no entry carries a MAC yet; it is keyed from its next entry."
            for name, log in summaries.items()
            if log.entries and log.keyed_from is None
        ]
    if anchor is None:
        notes.append(UNANCHORED_NOTE)
    else:
        found, anchor_notes = check_anchor(anchor_lines or [], logs)
        findings += found
        notes += anchor_notes
    return Verification(
        tuple(findings),
        summaries,
        key is not None,
        str(anchor) if anchor is not None else None,
        tuple(notes),
    )


def verify_trail(store, accounts) -> Verification:
    """:func:`verify` of a store (:class:`threatmon.store.reader.Store`; a store not created
    yet has no entries) and its accounts (:class:`threatmon.access.accounts.Accounts`),
    with this deployment's key and anchor."""
    exists = store.exists()
    store_log = store.audit() if exists else pd.DataFrame()
    batches = store.batches() if exists else pd.DataFrame()
    anchor = audit_anchor.configured_anchor()
    return verify(
        store_log,
        accounts.access_log(),
        batches,
        key=configured_key(),
        anchor=anchor,
        anchor_lines=audit_anchor.read(anchor) if anchor is not None else None,
    )
