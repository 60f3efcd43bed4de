"""The disk filling during a load.

For real: a 16 MB tmpfs of the test's own (the test machine and CI run as root and may
mount; elsewhere these tests skip and say why), filled to leave too little room for
the store's copy or for the rows; and a file size limit (``RLIMIT_FSIZE``, EFBIG),
which needs no privilege. Then each step of a write session fails in turn through
monkeypatching (copy, rows, fsync, rename), for the steps a real disk does not reach
deterministically.

Before, a full disk ended in an ``OSError`` or a DuckDB ``TransactionException`` stack
trace, and a copy that failed half-way stayed beside the store, holding the space the
next attempt needed.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from data_loaders.ingest import IngestOptions
from tests.faults.helpers import ROOT, drop, fingerprint, good_csv, leftovers, load, texts
from threatmon.cli import main
from threatmon.errors import DiskFullError
from threatmon.settings import DB_ENV_VAR
from threatmon.store import Store, writer
from threatmon.store.duckdb import writer as file_writer
from ui import upload as up

MB = 1 << 20


def _disk_full(written: Path, store: Path) -> str:
    return (
        f"The disk is full: writing {written} failed (No space left on device). The store "
        f"was not changed. Free space on the disk that holds {written.parent}, then try "
        "again. Every change writes a new copy of the store beside it, so its disk needs at "
        f"least {store.stat().st_size / MB:,.1f} MB free."
    )


def _many_rows(rows: int = 10_000) -> bytes:
    """A valid incidents file big enough to need room on the disk (about 0.3 MB)."""
    pick = random.Random(7).choice
    lines = ["date,region,crime,count"]
    for i in range(rows):
        region, crime = pick(["Cahul", "Bălți", "Orhei", "Ungheni"]), pick(["cbrne", "terrorism"])
        lines.append(f"2026-0{1 + i % 9}-{1 + i % 28:02d},{region},{crime},{1 + i % 7}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def many_rows() -> bytes:
    return _many_rows()


@pytest.fixture
def small_disk(tmp_path, demo_store_path, monkeypatch):
    """The demo store on a 16 MB tmpfs of its own (as $THREATMON_DB), and
    ``small_disk.fill(leave)``: a ballast file leaving ``leave`` bytes free."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the RLIMIT_FSIZE test covers this")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        store = mount / "store.duckdb"
        shutil.copyfile(demo_store_path, store)
        monkeypatch.setenv(DB_ENV_VAR, str(store))
        yield _Disk(mount, store)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


class _Disk:
    def __init__(self, mount: Path, store: Path):
        self.mount, self.store = mount, store
        self.ballast = mount / "ballast"

    def fill(self, leave: int) -> None:
        """Leave ``leave`` bytes (rounded to pages) free on the disk."""
        info = os.statvfs(self.mount)
        with open(self.ballast, "wb") as handle:
            handle.truncate(0)
            size = info.f_bavail * info.f_frsize - leave
            # tmpfs allocates on write, not on truncate: write the bytes.
            for _ in range(size // MB):
                handle.write(b"\0" * MB)
            handle.write(b"\0" * (size % MB))

    def free(self) -> None:
        self.ballast.unlink()


@pytest.mark.parametrize("room", ["copy", "rows"])
def test_a_full_disk_stops_a_cli_load_and_the_next_one_works(
    small_disk, tmp_path, many_rows, room, capsys
):
    """Too little room for the store's copy, or for the rows after it: the same message,
    the same store, nothing left beside it; with room again the same load goes through."""
    store = small_disk.store
    upload = tmp_path / "many.csv"
    upload.write_bytes(many_rows)
    size = store.stat().st_size
    small_disk.fill(size // 2 if room == "copy" else size + 256 * 1024)
    before = fingerprint(store)
    assert main(["ingest", str(upload), "--db", str(store)]) == 2
    temporary = store.with_name(f"{store.name}.{os.getpid()}.tmp")
    written = temporary if room == "copy" else temporary.with_name(temporary.name + ".wal")
    assert capsys.readouterr().err == f"error: {_disk_full(written, store)}\n"
    assert fingerprint(store) == before
    assert leftovers(store) == []
    small_disk.free()
    assert main(["ingest", str(upload), "--db", str(store)]) == 0
    assert Store(store).coverage()["records"] == before["tables"]["incidents"][0] + 10_000


@pytest.mark.slow
def test_a_full_disk_on_the_upload_page(small_disk, many_rows, upload_page):
    """The page's load says the disk is full; "Load" again after freeing space works."""
    store = small_disk.store
    at = drop(upload_page(), "many.csv", many_rows)
    assert any("10,000 rows are valid" in text for text in texts(at.success))
    small_disk.fill(store.stat().st_size + 256 * 1024)
    before = fingerprint(store)
    load(at)
    wal = store.with_name(f"{store.name}.{os.getpid()}.tmp.wal")
    assert texts(at.error) == [_disk_full(wal, store)]
    assert fingerprint(store) == before
    assert leftovers(store) == []
    small_disk.free()
    load(at)
    assert any(text.startswith("Loaded 10,000 rows as batch") for text in texts(at.success))


_LIMITED_CLI = """
    import resource, signal, sys
    # A write past the limit fails with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    from threatmon.cli import main
    sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_a_file_size_limit_stops_a_load_and_the_next_one_works(store_copy, tmp_path, many_rows):
    """A process whose files may not grow past the store's size plus half a megabyte:
    the copy fits, the rows do not (a real EFBIG from the kernel, no privilege needed)."""
    upload = tmp_path / "many.csv"
    upload.write_bytes(many_rows)
    before = fingerprint(store_copy)
    limit = store_copy.stat().st_size + MB // 2
    command = [sys.executable, "-c", textwrap.dedent(_LIMITED_CLI), str(limit)]
    child = subprocess.Popen(
        [*command, "ingest", str(upload), "--db", str(store_copy)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    _, err = child.communicate(timeout=120)
    temporary = store_copy.with_name(f"{store_copy.name}.{child.pid}.tmp")
    assert (child.returncode, err) == (
        2,
        f"error: A file size limit was reached: writing {temporary} failed (File too "
        "large). The store was not changed. Ask the administrator to raise the file size "
        "limit (ulimit -f) of the dashboard and of the command line, then try again.\n",
    )
    assert fingerprint(store_copy) == before
    assert leftovers(store_copy) == []
    assert main(["ingest", str(upload), "--db", str(store_copy)]) == 0


# -- each step of a write session, one at a time ----------------------------------------------


def _no_space(*names) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), *names)


def _fail_copy(monkeypatch, store):
    def half_a_copy(source, target):
        # What a full disk does to a copy: part of it is written, then ENOSPC.
        Path(target).write_bytes(Path(source).read_bytes()[: MB // 4])
        raise _no_space(str(source), None, str(target))

    monkeypatch.setattr(file_writer.shutil, "copyfile", half_a_copy)
    return store.with_name(f"{store.name}.{os.getpid()}.tmp")


def _fail_rows(monkeypatch, store):
    temporary = store.with_name(f"{store.name}.{os.getpid()}.tmp")

    def insert(self, *args, **kwargs):
        # DuckDB's own words for it (seen on a full tmpfs), with no errno to go by.
        raise duckdb.IOException(
            f'IO Error: Could not write file "{temporary}.wal": No space left on device'
        )

    monkeypatch.setattr(writer.StoreWriter, "_insert", insert)
    return temporary.with_name(temporary.name + ".wal")


def _fail_fsync(monkeypatch, store):
    temporary = store.with_name(f"{store.name}.{os.getpid()}.tmp")

    def fsync(path):
        # File systems that allocate late (ext4, XFS, NFS) report a full disk here.
        raise _no_space(str(path))

    monkeypatch.setattr(file_writer, "_fsync", fsync)
    return temporary


def _fail_rename(monkeypatch, store):
    replace = os.replace

    def rename(source, target):
        if Path(target) == store:
            raise _no_space(str(source), None, str(target))
        replace(source, target)

    monkeypatch.setattr(file_writer.os, "replace", rename)
    return store


@pytest.mark.parametrize(
    "fail", [_fail_copy, _fail_rows, _fail_fsync, _fail_rename], ids=lambda f: f.__name__
)
@pytest.mark.slow
def test_each_step_of_a_load_on_a_full_disk(store_copy, fail, monkeypatch, upload_page):
    """Whichever step of the write runs out of room, the page says "The disk is full…"
    and names the file; the live store is untouched and the copy removed."""
    at = drop(upload_page(), "good.csv", good_csv())
    before = fingerprint(store_copy)
    with monkeypatch.context() as patch:
        written = fail(patch, store_copy)
        load(at)
        assert texts(at.error) == [_disk_full(written, store_copy)]
    assert fingerprint(store_copy) == before
    assert leftovers(store_copy) == []
    load(at)
    assert any(text.startswith("Loaded 2 rows as batch") for text in texts(at.success))


def test_a_full_disk_for_the_upload_itself(store_copy, monkeypatch):
    """The page writes the upload to a private temporary file first; no room there is said
    the same way, naming that file."""

    def no_room(*args, **kwargs):
        raise _no_space()

    monkeypatch.setattr(up.shutil, "copyfileobj", no_room)
    before = fingerprint(store_copy)
    with pytest.raises(DiskFullError) as caught, open(os.devnull, "rb") as stream:
        up.commit_bytes(stream, "good.csv", options=IngestOptions(), user="ana")
    written = Path(caught.value.path)
    assert written.name == "upload.csv"
    assert str(caught.value) == _disk_full(written, store_copy)
    assert not written.parent.exists()
    assert fingerprint(store_copy) == before
