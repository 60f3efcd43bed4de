"""Where the store is: a DuckDB file or a PostgreSQL database, as one value callers pass on.

The store is named by ``--db``, else ``$THREATMON_DB``, else ``data/threatmon.duckdb``; a
``postgresql://`` URL names a database. Whatever differs between the two for the code
around the store (how to show it without a password, where a machine keeps caches about
it, how to hand it to a child process) is answered here, so no caller asks which it is.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from threatmon.errors import StoreError
from threatmon.settings import DB_ENV_VAR, current_settings
from threatmon.store.postgres import is_postgres_url, redact

DEFAULT_DB_PATH = Path("data/threatmon.duckdb")


def resolve_location(location: str | os.PathLike | None = None) -> Path | str:
    """Where the store is: the argument, else ``$THREATMON_DB``, else ``data/threatmon.duckdb``.

    A ``postgresql://`` URL comes back as the URL (a string), anything else as the path of
    a DuckDB file.
    """
    raw = location if location else current_settings().db
    if is_postgres_url(raw):
        return raw.strip()
    return Path(raw) if raw else DEFAULT_DB_PATH


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """The store's DuckDB file: like :func:`resolve_location`, for what only a file has."""
    location = resolve_location(path)
    if isinstance(location, str):
        raise StoreError(
            f"{redact(location)} is a PostgreSQL store; this needs a DuckDB store file."
        )
    return location


def describe(location: Path | str) -> str:
    """A store location as messages show it (a URL's password hidden)."""
    return redact(location) if isinstance(location, str) else str(location)


@dataclass(frozen=True)
class StoreLocation:
    """One store's location: a DuckDB file (:attr:`file`) or a PostgreSQL URL (:attr:`url`).

    ``str()`` gives the location as it was written (the file's path, or the URL), which
    messages have always shown and :class:`threatmon.store.reader.Store` accepts back;
    :attr:`display` hides a URL's password.
    """

    #: The DuckDB file, or None for a database.
    file: Path | None = None
    #: The PostgreSQL URL, or None for a file (with its password: never show it).
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.file is None) == (self.url is None):
            raise ValueError("A store location is either a file or a URL.")

    @classmethod
    def resolve(cls, location: StoreLocation | str | os.PathLike | None = None) -> StoreLocation:
        """The store named by ``location``, else ``$THREATMON_DB``, else the default file."""
        if isinstance(location, StoreLocation):
            return location
        found = resolve_location(location)
        return cls(url=found) if isinstance(found, str) else cls(file=found)

    def __str__(self) -> str:
        return self.url if self.url is not None else str(self.file)

    def __repr__(self) -> str:
        return f"StoreLocation({self.display!r})"

    @property
    def display(self) -> str:
        """The location as messages and logs may show it (a URL's password hidden)."""
        return describe(self.url if self.url is not None else self.file)

    @property
    def cache_key(self) -> str:
        """A string naming this location as it was written: a cache key, and what
        :meth:`resolve` (or ``Store``) takes back to open the same store."""
        return str(self)

    @property
    def identity(self) -> str:
        """The same for every spelling of one store (a file's absolute path, or the URL):
        what tells whether two stores are the same."""
        return self.url if self.url is not None else str(self.file.resolve())

    def scratch_folder(self, suffix: str) -> Path:
        """Where this machine keeps what it derives from the store (``suffix`` names what).

        Beside a store file (``threatmon.duckdb<suffix>``). A database has no file to sit
        beside: each machine keeps it under ``$THREATMON_CACHE_DIR`` (default
        ``data/cache``), one folder per database.
        """
        if self.url is not None:
            base = current_settings().cache_dir
            digest = hashlib.sha256(self.display.encode()).hexdigest()[:16]
            return base / f"postgresql-{digest}{suffix}"
        return self.file.with_name(self.file.name + suffix)

    def for_child_process(self) -> tuple[list[str], dict[str, str]]:
        """The command-line arguments and environment that point a ``threatmon`` command
        run as a child process at this store."""
        if self.url is not None:
            # A database URL goes by the environment: on the command line, any user of the
            # machine could read its password in the process list.
            return [], {DB_ENV_VAR: self.url}
        return ["--db", str(self.file.resolve())], {}
