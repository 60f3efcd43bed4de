"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's server binaries, a
private socket. Never used by the dashboard itself, which connects to the deployment's own
server by ``$THREATMON_DB``.

`make test` installs Debian's ``postgresql`` package (as it installs chromium); nothing
else is needed. Each pytest process starts its own cluster in a fresh folder under /tmp,
reachable only through a Unix socket there (``listen_addresses=''``: no TCP port is
opened), with fsync off since the data die with the test run. ``initdb`` refuses to run
as root, so as root the cluster belongs to the ``postgres`` user the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

BIN_ENV_VAR = "THREATMON_POSTGRES_BIN"


def server_bin() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: ``$THREATMON_POSTGRES_BIN`` or Debian's newest."""
    configured = os.environ.get(BIN_ENV_VAR, "").strip()
    if configured:
        return Path(configured)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    if not found:
        raise FileNotFoundError(
            "No PostgreSQL server binaries in /usr/lib/postgresql/*/bin: `make test` installs "
            f"Debian's postgresql package, or set ${BIN_ENV_VAR}."
        )
    return Path(found[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def running_cluster(data_parent: Path | None = None) -> Iterator[str]:
    """Start a cluster; yield the URL of its ``postgres`` database; stop and delete it.

    ``data_parent`` puts the table files on another file system (a small one, to fill
    it); the write-ahead log stays in the private folder, so that a full disk fails a
    statement, as a full tablespace does, rather than stopping the server.
    """
    binaries = server_bin()
    folder = Path(tempfile.mkdtemp(prefix="threatmon-pg-"))
    socket_dir, wal = folder / "socket", folder / "wal"
    data = (data_parent or folder) / "data"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(socket_dir, "postgres")
        if data_parent is not None:
            shutil.chown(data_parent, "postgres")
    try:
        subprocess.run(
            _as_owner(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                    "--waldir",
                    str(wal),
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        options = (
            f"-k {socket_dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=60"
        )
        subprocess.run(
            _as_owner(
                [
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        try:
            yield f"postgresql://postgres@/postgres?host={socket_dir}"
        finally:
            subprocess.run(
                _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            f"Starting the test PostgreSQL failed: {' '.join(exc.cmd)}\n{exc.stdout}{exc.stderr}"
        ) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if data_parent is not None:
            shutil.rmtree(data, ignore_errors=True)


def database_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url``."""
    return server_url.replace("/postgres?", f"/{name}?", 1)


@contextlib.contextmanager
def scratch_database(server_url: str, hint: str, template: str | None = None) -> Iterator[str]:
    """A new database on the server, named after ``hint``: empty, or a copy of the database
    ``template`` (a file-level copy, far faster than loading it again). Dropped on exit,
    with the pools the code under test opened to it."""
    import uuid

    import psycopg

    from threatmon.store.postgres import close_readers

    name = "t_" + re.sub(r"\W", "_", hint.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    with psycopg.connect(server_url, autocommit=True) as con:
        copy = f' TEMPLATE "{template}"' if template else ""
        con.execute(f'CREATE DATABASE "{name}"{copy}')
    url = database_url(server_url, name)
    try:
        yield url
    finally:
        close_readers(url)
        with psycopg.connect(server_url, autocommit=True) as con:
            con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
