"""The process's look-up indexes, built in a thread while a file's rows are read.

A file's values are resolved against indexes built once per process: the names of
regions (about 0.05 s), of crossing points, and for a file with coordinates the
boundaries with their grid of confirmed cells (about 0.2 s, with the imports of
geopandas and pyproj). The Upload page builds them for its first file only; the CLI
checks one file per process and paid them every time, after DuckDB had read the rows,
while that read leaves Python idle. :func:`warming_up` builds the ones
a file's columns need in a thread started as soon as its header is known; the check
waits for the thread before it resolves any value, so nothing is ever read half-built.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence

from data_loaders.mapping import map_columns
from data_loaders.normalise.crossings import prepare_crossing_points
from data_loaders.normalise.placement import prepare_boundaries
from data_loaders.normalise.places import prepare_regions


def indexes_needed(
    headers: Sequence[str], kind: str, explicit: Mapping[str, str] | None = None
) -> list[Callable[[], None]]:
    """What checking a file with these headers will build: the preparations of
    :mod:`data_loaders.normalise`, in the order they are used."""
    mapping = map_columns(headers, kind, explicit)
    columns = set(mapping.canonical)
    needed: list[Callable[[], None]] = []
    # The country names take a millisecond; the region names are what a region column costs.
    if "region_code" in columns or mapping.region_candidates:
        needed.append(prepare_regions)
    if kind == "incidents" and {"latitude", "longitude"} <= columns:
        needed.append(prepare_boundaries)
    if "crossing_point" in columns:
        needed.append(prepare_crossing_points)
    return needed


def _build(needed: list[Callable[[], None]]) -> None:
    for prepare in needed:
        # A failure is the check's to report, when it builds the same index itself.
        with contextlib.suppress(Exception):
            prepare()


@contextlib.contextmanager
def warming_up(
    kind: str, explicit: Mapping[str, str] | None = None
) -> Iterator[Callable[[Sequence[str]], None]]:
    """Within: a callable that starts building, in a thread, the indexes of a file with
    the headers it is given (:func:`data_loaders.readers.read_table`'s ``on_header``).

    The thread is waited for when the block ends: wrap the read, and resolve values after.
    """
    threads: list[threading.Thread] = []

    def start(headers: Sequence[str]) -> None:
        try:
            needed = indexes_needed(headers, kind, explicit)
        except Exception:  # noqa: BLE001 - the check maps the columns itself, and says why
            return
        if needed:
            thread = threading.Thread(target=_build, args=(needed,), name="threatmon-warm-up")
            thread.start()
            threads.append(thread)

    try:
        yield start
    finally:
        for thread in threads:
            thread.join()
