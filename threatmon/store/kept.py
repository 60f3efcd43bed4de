"""What a reader derives from one generation of the store, kept on disk for the next process.

A freshly started dashboard used to derive everything its first page shows again: the
coverage cells' scan of the rows (:data:`threatmon.coverage.cells.ROW_CELLS_SQL`, 0.4 s
of CPU at 10M rows), the Overview's comparisons and the early-warning list (another
1–1.5 s). Each answer is a few small frames, so it is kept in Parquet files beside the
store (``threatmon.duckdb.kept/``, a database's under ``$THREATMON_CACHE_DIR``, see
:meth:`threatmon.store.StoreLocation.scratch_folder`) and read back in milliseconds by
any process that sees the same generation with the same code. Only a reader that asks
for it writes (the dashboard's, ``Store(keep_results=True)``): a command such as
``threatmon briefing`` reads the store and writes nothing.

An answer is only ever read for what it was derived from. Its name digests:

* the store's version (a DuckDB file's inode, modification time and size; a database's
  generation counter, which every write moves on) and its batches table (so a database
  dropped and loaded again, whose counter starts over, is not taken for the old one);
* the code that derived it (:func:`code_fingerprint`): an upgrade never reads an answer
  the old code gave;
* the reader's scope and withheld crime types, what was derived (``kind``) and from
  which arguments (``key``).

Frames are written with pyarrow, which keeps pandas' dtypes, so what is read back equals
what was derived. A file that cannot be written or read is no error: the answer is
derived again.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from threatmon.messages import Message

#: The batches' columns that change whenever the rows do (load, undo, replace).
FINGERPRINT_SQL = (
    "SELECT batch_id, kind, sha256, status, loaded_at, undone_at, rows_loaded "
    "FROM batches ORDER BY batch_id"
)
SUFFIX = ".kept"
#: Answers kept per generation, the most recently written (about 25 MB at 10M rows).
MAX_ENTRIES = 256
#: The packages whose code derives what is kept (the dashboard's pages only draw it).
DERIVING_PACKAGES = ("threatmon", "trends", "forecasting", "data_loaders", "reports", "geo")

Frames = dict[str, pd.DataFrame]
#: The Parquet metadata key that lists the columns of tuples (kept as lists).
_TUPLES = b"threatmon_tuples"
#: ... the columns of sentences (:class:`~threatmon.messages.Message`, kept as JSON) ...
_MESSAGES = b"threatmon_messages"
#: ... and the other columns of Python objects (strings, None), kept as such.
_OBJECTS = b"threatmon_objects"


def _digest(value: object) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def code_fingerprint() -> str:
    """A digest of the deriving packages' source files (path, size, modification time),
    taken once per process: a few milliseconds for some 400 files."""
    stamps = []
    for package in DERIVING_PACKAGES:
        spec = importlib.util.find_spec(package)
        for root in (spec.submodule_search_locations or []) if spec else []:
            for path in sorted(Path(root).rglob("*.py")):
                info = path.stat()
                stamps.append((str(path), info.st_size, info.st_mtime_ns))
    return _digest(stamps)


def entry_name(
    version: str,
    batches: pd.DataFrame,
    scope,
    withheld,
    kind: str,
    key: object = None,
) -> str:
    """The name of one answer: ``<generation>-<kind>-<digest of the rest>``.

    ``generation`` digests the store's version and the code, so that writing an answer
    can remove every other generation's; ``kind`` names what was derived (letters and
    underscores); the last part digests the batches, the reader and ``key``.
    """
    if not kind.replace("_", "").isalpha():
        raise ValueError(f"Not a kind of kept answer: {kind!r}.")
    generation = _digest([version, code_fingerprint()])
    rest = _digest([batches.to_dict(orient="records"), list(scope), list(withheld), key])
    return f"{generation}-{kind}-{rest}"


def kept_frame(
    folder: Path,
    name: str,
    derive: Callable[[], pd.DataFrame],
    still_current: Callable[[], bool],
) -> pd.DataFrame:
    """The frame ``derive()`` gives for the answer ``name``: read from ``folder`` if it
    was kept there, else derived and kept (see :func:`kept_frames`)."""
    return kept_frames(folder, name, lambda: {"frame": derive()}, still_current)["frame"]


def kept_frames(
    folder: Path,
    name: str,
    derive: Callable[[], Frames],
    still_current: Callable[[], bool],
) -> Frames:
    """The frames ``derive()`` gives for the answer ``name``, by name and in order: read
    from ``folder`` if they were kept there, else derived and kept.

    They are kept only if ``still_current()`` after deriving them: a writer that
    published meanwhile may have given them the next generation's rows.
    """
    path = folder / name
    try:
        return _read(path)
    except (OSError, ValueError):
        pass
    frames = derive()
    if still_current():
        try:
            _write(frames, folder, path)
        except (OSError, ValueError, TypeError):
            pass
    return frames


def _read(path: Path) -> Frames:
    import pyarrow.lib

    files = sorted(path.glob("*.parquet")) if path.is_dir() else []
    if not files:
        raise FileNotFoundError(path)
    try:
        # "03-changes.parquet": the position keeps the derived order.
        return {f.stem.split("-", 1)[1]: _read_frame(f) for f in files}
    except pyarrow.lib.ArrowException as exc:
        raise ValueError(f"Unreadable kept answer {path}: {exc}") from exc


def _read_frame(file: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(file)
    frame = table.to_pandas()
    metadata = table.schema.metadata or {}
    tuples = json.loads(metadata.get(_TUPLES, b"[]"))
    objects = json.loads(metadata.get(_OBJECTS, b"[]"))
    messages = json.loads(metadata.get(_MESSAGES, b"[]"))
    return frame.assign(
        **{c: frame[c].map(_as_tuple, na_action="ignore") for c in tuples},
        # Pandas reads a column of strings back as its string dtype, missing values as NaN.
        **{c: _as_objects(frame[c]) for c in objects},
        **{c: _as_objects(frame[c]).map(_message, na_action="ignore") for c in messages},
    )


def _message_json(value) -> str:
    """A :class:`~threatmon.messages.Message` (an alert's sentence) as JSON text."""
    return json.dumps(_tagged(value), sort_keys=True)


def _tagged(value):
    if isinstance(value, Message):
        return {"message": value.key, "params": {k: _tagged(v) for k, v in value.params.items()}}
    if isinstance(value, pd.Timestamp):
        return {"timestamp": value.isoformat()}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"Not kept in a message: {type(value).__name__}.")


def _message(text: str) -> Message:
    return _untagged(json.loads(text))


def _untagged(value):
    if isinstance(value, dict) and "message" in value:
        return Message(value["message"], {k: _untagged(v) for k, v in value["params"].items()})
    if isinstance(value, dict) and "timestamp" in value:
        return pd.Timestamp(value["timestamp"])
    return value


def _as_objects(column: pd.Series) -> pd.Series:
    values = column.astype(object)
    return values.where(values.notna(), None)


def _as_tuple(values) -> tuple:
    # Parquet keeps a tuple as a list, read back as an array (of datetime64 for months).
    if values.dtype.kind == "M":
        return tuple(pd.Timestamp(v) for v in values)
    return tuple(values.tolist())


def _write(frames: Frames, folder: Path, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not all(isinstance(f, pd.DataFrame) and n.isidentifier() for n, f in frames.items()):
        raise TypeError("Only frames under plain names are kept.")
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for position, (frame_name, frame) in enumerate(frames.items()):
            objects = _object_columns(frame)
            tuples = [c for c in objects if _all(frame[c], tuple)]
            messages = [c for c in objects if _all(frame[c], Message)]
            as_lists = frame.assign(
                **{c: frame[c].map(list, na_action="ignore") for c in tuples},
                **{c: frame[c].map(_message_json, na_action="ignore") for c in messages},
            )
            try:
                table = pa.Table.from_pandas(as_lists)
            except (pa.lib.ArrowException, ValueError) as exc:  # e.g. mixed-type columns
                raise ValueError(f"Cannot keep {frame_name}: {exc}") from exc
            plain = [c for c in objects if c not in tuples + messages]
            metadata = {
                **(table.schema.metadata or {}),
                _TUPLES: json.dumps(tuples).encode(),
                _OBJECTS: json.dumps(plain).encode(),
                _MESSAGES: json.dumps(messages).encode(),
            }
            table = table.replace_schema_metadata(metadata)
            file = staging / f"{position:02d}-{frame_name}.parquet"
            pq.write_table(table, file)
            # Kept only if read back exactly as derived (dtypes, and the types of values
            # in object columns): a page must never see a frame other than the one derived.
            if not _same(_read_frame(file), frame):
                raise ValueError(f"{frame_name} does not read back as it was derived.")
        try:
            staging.rename(path)
        except OSError:
            if not path.is_dir():  # else another session kept the same answer first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _prune(folder, path)


def _prune(folder: Path, written: Path) -> None:
    # Other generations' answers are never read again; of this one's, the most recently
    # written (every selection a reader makes is an answer: 0.1 MB each at 10M rows).
    generation = written.name.split("-", 1)[0]
    current = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.name.startswith(generation + "-"):
            current.append(entry)
        else:
            shutil.rmtree(entry, ignore_errors=True)
    if len(current) > MAX_ENTRIES:
        current.sort(key=_written_at)
        for entry in current[: len(current) - MAX_ENTRIES]:
            if entry != written:
                shutil.rmtree(entry, ignore_errors=True)


def _written_at(entry: Path) -> int:
    try:
        return entry.stat().st_mtime_ns
    except OSError:
        return 0


def _same(back: pd.DataFrame, frame: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(back, frame, check_exact=True)
    except (AssertionError, TypeError, ValueError):
        return False
    # assert_frame_equal takes values of different types for equal (a date and a string).
    return all(
        _same_types(a, b)
        for column in _object_columns(frame)
        for a, b in zip(back[column], frame[column], strict=True)
    )


def _same_types(a, b) -> bool:
    if type(a) is not type(b):
        return False
    return not isinstance(a, tuple) or all(map(_same_types, a, b))


def _object_columns(frame: pd.DataFrame) -> list:
    # NumPy's object dtype only: pandas' string dtype reads back as itself.
    return [column for column in frame.columns if frame[column].dtype == np.dtype("O")]


def _all(column: pd.Series, kind: type) -> bool:
    values = column.dropna()
    return len(values) > 0 and all(isinstance(v, kind) for v in values)
