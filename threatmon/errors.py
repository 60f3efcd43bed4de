"""One error type per failure kind, each carrying structured problems.

Logic raises these; the dashboard and the CLI turn them into messages (see
``threatmon.messages``). Nothing here knows about Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value.

    ``row`` is the position the caller understands: the line number in a file for
    uploads, the 0-based position in a DataFrame for in-memory checks, ``None``
    when the problem concerns a whole column or argument.
    """

    row: int | None
    column: str | None
    value: object
    reason: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.reason}" if prefix else self.reason
        if self.value is not None:
            text += f" Got {self.value!r}."
        if self.suggestion:
            text += f" {self.suggestion}"
        return text


class ThreatmonError(Exception):
    """Base of every error this project raises on purpose."""


class ValidationError(ThreatmonError):
    """Data broke the contract; ``problems`` lists every violation found in one pass."""

    def __init__(self, message: str, problems: tuple[Problem, ...] | list[Problem] = ()):
        self.problems = tuple(problems)
        super().__init__(message)


class FilterError(ValidationError):
    """A filter names a country, region, crime type or date that does not exist."""


class StoreError(ThreatmonError):
    """The store is missing, unreadable, or at a schema this code cannot use."""


class NoStoreError(StoreError):
    """Nothing has been stored at the location yet: no file, or a database without the schema."""


class InsufficientDataError(ThreatmonError, ValueError):
    """The data are valid but cannot support the analysis asked of them: too few regions,
    too few periods, a gap, no variation. An expected outcome that the dashboard and the
    CLI explain, not a bug.

    Also a ValueError, as these outcomes were before they had a type, so a caller that
    still catches ValueError behaves as it did.
    """

    def __reduce__(self):
        # Rebuilt without __init__ (whose extra fields are not in ``args``), so these
        # errors survive pickling, e.g. from a forecast refresh worker process.
        return (type(self).__new__, (type(self), *self.args), self.__dict__)


class TooFewRegionsError(InsufficientDataError):
    """A spatial analysis needs ``needed`` regions and the selection has ``found``."""

    def __init__(self, message: str, needed: int, found: int):
        self.needed = needed
        self.found = found
        super().__init__(message)


class TooFewPeriodsError(InsufficientDataError):
    """A test or model needs ``needed`` periods (months, weeks…) and the series has ``found``."""

    def __init__(self, message: str, needed: int, found: int):
        self.needed = needed
        self.found = found
        super().__init__(message)


class SeriesGapError(InsufficientDataError):
    """``series`` has no value for ``period``, a period the analysis cannot do without."""

    def __init__(self, message: str, series: str, period: dt.date):
        self.series = series
        self.period = period
        super().__init__(message)


class NoVariationError(InsufficientDataError):
    """``series`` never changes where the analysis compares it, so there is nothing to fit."""

    def __init__(self, message: str, series: str):
        self.series = series
        super().__init__(message)


class EmptyStoreError(InsufficientDataError, StoreError):
    """The store at ``path`` exists but holds no incidents the reader may see.

    A StoreError as well: the dashboard shows it as a store problem, and callers that
    catch StoreError (the briefing) still do. A store that does not exist at all is a
    :class:`NoStoreError`.
    """

    def __init__(self, message: str, path: str):
        self.path = path
        super().__init__(message)


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than we were willing to wait."""


class StoreLockedError(StoreError):
    """Another program (not a Threat Monitor load) holds the store file open for writing,
    or changed it while a load was running.

    ``program`` and ``pid`` name the holder when DuckDB told us; either may be None.
    """

    def __init__(self, message: str, path: str, program: str | None, pid: int | None):
        self.path = path
        self.program = program
        self.pid = pid
        super().__init__(message)


class DiskFullError(ThreatmonError):
    """A write ran out of room (disk full, quota used up or a file size limit reached);
    nothing was changed.

    ``path`` is the file that could not be written, ``reason`` the system's words for
    why (``No space left on device``).
    """

    def __init__(self, message: str, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(message)


class DuplicateBatchError(ThreatmonError):
    """The same file (same sha256) was loaded before and is still active."""

    def __init__(self, message: str, batch_id: str):
        self.batch_id = batch_id
        super().__init__(message)


class BatchNotFoundError(ThreatmonError):
    """No batch with that id exists (or it was already undone)."""


class UnreadableFileError(ValidationError):
    """A file that cannot be read as a table at all.

    Wrong content for its extension, an encoding that cannot be decoded, a zip
    bomb, too large, empty, no header, rows with the wrong number of fields.
    """


class AccessDeniedError(ThreatmonError):
    """The signed-in person's role or country scope does not allow the action."""


class AuthenticationError(ThreatmonError):
    """A sign-in failed. ``reason`` is for the audit log only; the message never tells
    whether the name exists, so nobody can probe for accounts."""

    def __init__(self, message: str, reason: str):
        self.reason = reason
        super().__init__(message)


class SessionEndedError(ThreatmonError):
    """A session token no longer signs anyone in. ``reason`` says why, for the page's
    message and the log: ``unknown`` (no such session), ``signed_out``, ``expired``,
    ``disabled`` or ``password_changed``."""

    def __init__(self, message: str, reason: str):
        self.reason = reason
        super().__init__(message)


class ActionRefusedError(ThreatmonError):
    """A deferred action (a download built on click, a button's callback) was refused when
    it ran: the session ended, or the account's role or scope is no longer the one the page
    was drawn for. ``reason`` is the session's reason (``disabled``, ``expired``…),
    ``role_changed`` or ``not_allowed``."""

    def __init__(self, message: str, reason: str):
        self.reason = reason
        super().__init__(message)


class AccountError(ValidationError):
    """An account change was refused: unknown or duplicate name, weak password, bad role."""
