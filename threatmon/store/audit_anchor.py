"""The audit anchor: an append-only file outside the store holding every entry's MAC.

A MAC makes an edited entry impossible to re-seal without the key, but deleting a log's
last entries leaves a shorter log whose every MAC is right. The anchor remembers them:
one line per entry, ``LOG SEQ VALUE`` (the log's name, ``store`` or ``access``; the
entry's sequence number; its MAC, or its hash in an unkeyed log), appended after the
change that wrote the entry was committed (a line for an entry rolled back would later
disagree with the entry that takes its number). The file is the deployment's to keep
append-only and out of reach of the store's writers (``chattr +a``, another host, a
write-once volume); see docs/security.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from threatmon.errors import StoreError
from threatmon.settings import AUDIT_ANCHOR_ENV_VAR, current_settings


@dataclass(frozen=True)
class AnchorLine:
    """One line of the anchor: its line number (from 1), the log, the entry and its value;
    ``log`` None for a line that is not ``LOG SEQ VALUE``."""

    line: int
    log: str | None
    seq: int | None
    value: str | None


def configured_anchor() -> Path | None:
    """The anchor file of this deployment (``$THREATMON_AUDIT_ANCHOR``), if any."""
    return current_settings().audit_anchor


def record(path: Path | None, log: str, entries: Iterable[tuple[int, str]]) -> None:
    """Append one line per ``(seq, value)`` of ``log`` to the anchor at ``path`` (nothing
    without one), in one write and flushed to disk.

    Raises
    ------
    StoreError
        The file cannot be written; the change itself was already saved.
    """
    lines = "".join(f"{log} {int(seq)} {value}\n" for seq, value in entries)
    if path is None or not lines:
        return
    try:
        # One write in append mode: two processes anchoring at once interleave whole lines.
        with open(path, "a", encoding="ascii") as anchor:
            anchor.write(lines)
            anchor.flush()
            os.fsync(anchor.fileno())
    except OSError as exc:
        raise StoreError(
            f"The change was saved, but the audit anchor {path} (${AUDIT_ANCHOR_ENV_VAR}) "
            f"could not be written: {exc.strerror or exc}. `threatmon audit verify` will "
            "report its entries as not anchored."
        ) from None


def read(path: Path) -> list[AnchorLine]:
    """Every line of the anchor at ``path`` (none when the file does not exist yet).

    Raises
    ------
    StoreError
        The file exists but cannot be read.
    """
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(f"Cannot read the audit anchor {path}: {exc.strerror or exc}.") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split()
        if len(parts) == 3 and parts[1].isdigit():
            lines.append(AnchorLine(number, parts[0], int(parts[1]), parts[2]))
        else:
            lines.append(AnchorLine(number, None, None, None))
    return lines
