"""The system's failures that are not the data's fault, as the project's errors.

Two things go wrong around the store that no check of a file can prevent: the
disk fills (or a quota or file size limit is reached) while a change is written,
and another program (a DuckDB shell, a notebook) opens the store file for writing.
DuckDB reports both as text, an ``IOException`` quoting the file and the C
library's words; Python as an ``OSError`` with an errno. The writer, the reader
and the Upload page pass what they catch through :func:`out_of_room` and
:func:`held_by_another_program`, so that a person reads what happened and what to
do (issue 7), not a stack trace.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from threatmon.errors import DiskFullError, StoreLockedError

# What each "no room" errno is called, and what to do about it.
_NO_ROOM = {
    errno.ENOSPC: ("The disk is full", "Free space on the disk that holds {folder}"),
    errno.EDQUOT: (
        "The disk quota is used up",
        "Free space in the quota that holds {folder}, or ask for a larger one",
    ),
    errno.EFBIG: (
        "A file size limit was reached",
        "Ask the administrator to raise the file size limit (ulimit -f) of the dashboard "
        "and of the command line",
    ),
}
# DuckDB 2.0: 'IO Error: Could not set lock on file "/x.duckdb": Conflicting lock is
# held in /usr/bin/python3.11 (PID 4370). See also https://…'
_LOCK_HELD = re.compile(
    r"Could not set lock on file .*?: Conflicting lock is held in (?P<program>.*?)"
    r"(?: \(PID (?P<pid>\d+)\))?\.(?: |$)"
)
_QUOTED_PATH = re.compile(r'"(/[^"]+)"')
_CLOSE_IT = "Close that program (a DuckDB shell or a notebook, for example), then try again."


def out_of_room(
    exc: BaseException, path: str | os.PathLike, store: str | os.PathLike | None = None
) -> DiskFullError | None:
    """``exc`` as a :class:`DiskFullError` if it says the disk (or a limit) had no room.

    Parameters
    ----------
    exc : BaseException
        What a write raised: an ``OSError`` or a DuckDB error.
    path : path-like
        The file being written, when ``exc`` does not name it.
    store : path-like, optional
        The store being changed: its size is what a change needs free beside it.

    Returns
    -------
    DiskFullError or None
        None when ``exc`` is about something else (the caller re-raises it).
    """
    code = _room_errno(exc)
    if code is None:
        return None
    if isinstance(exc, OSError):
        # shutil.copyfile names (source, destination); the destination is what grew.
        written = exc.filename2 or exc.filename or path
    else:
        quoted = _QUOTED_PATH.search(str(exc))
        written = quoted.group(1) if quoted else path
    written = Path(os.fsdecode(written))
    headline, remedy = _NO_ROOM[code]
    reason = os.strerror(code)
    message = (
        f"{headline}: writing {written} failed ({reason}). The store was not changed. "
        f"{remedy.format(folder=written.parent)}, then try again."
    )
    if code != errno.EFBIG and store is not None and Path(store).exists():
        size = Path(store).stat().st_size
        message += (
            f" Every change writes a new copy of the store beside it, so its disk needs "
            f"at least {_size(size)} free."
        )
    return DiskFullError(message, str(written), reason)


def _room_errno(exc: BaseException) -> int | None:
    if isinstance(exc, OSError):
        return exc.errno if exc.errno in _NO_ROOM else None
    # DuckDB's errors carry no errno, only the C library's text for it.
    text = str(exc)
    return next((code for code in _NO_ROOM if os.strerror(code) in text), None)


def held_by_another_program(
    exc: BaseException, path: str | os.PathLike, *, writing: bool
) -> StoreLockedError | None:
    """``exc`` as a :class:`StoreLockedError` if DuckDB could not lock ``path`` because
    another process holds it for writing; None when ``exc`` is about something else.

    ``writing`` says whether a change was refused (nothing was changed) or a read (the
    store cannot be read until that program lets go).
    """
    found = _LOCK_HELD.search(str(exc))
    if found is None:
        return None
    program = Path(found["program"]).name if found["program"] else None
    pid = int(found["pid"]) if found["pid"] else None
    holder = ", ".join(
        part for part in (program, f"PID {pid}" if pid is not None else None) if part
    )
    outcome = "; nothing was changed" if writing else ", so it cannot be read now"
    return StoreLockedError(
        f"The store at {path} is open for writing in another program "
        f"({holder or 'unknown'}){outcome}. {_CLOSE_IT}",
        str(path),
        program,
        pid,
    )


def changed_by_another_program(path: str | os.PathLike) -> StoreLockedError:
    """The store file changed under a load that held the write lock: only a program
    that ignores the lock (one that opened the file itself) could have changed it."""
    return StoreLockedError(
        f"The store at {path} was changed by another program while this change was being "
        f"written; nothing was changed, so that program's work is kept. {_CLOSE_IT}",
        str(path),
        None,
        None,
    )


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (on this machine): what tells a load in progress
    from one that was killed, by the process id in the names of the files it left."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


__all__ = [
    "changed_by_another_program",
    "held_by_another_program",
    "out_of_room",
    "process_alive",
]
