"""One pass over a file's bytes: chunks through one buffer, whole-line blocks, sha256 and
line breaks counted in a thread while DuckDB reads the same file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data_loaders.readers.limits import MB

CHUNK = 8 * MB  # streaming unit: transcoding, hashing, counting
HEAD = MB  # what is sniffed for the format, encoding, delimiter and header


# The C0 controls that are text: tab, line feed and carriage return.
_TEXT_CONTROLS = (9, 10, 13)
# UTF-8 of U+202A–U+202E and U+2066–U+2069 (bidirectional overrides and isolates) starts
# E2 80 or E2 81; any such pair makes the file a suspect (en dashes and quotes too).
_BIDI_LEAD = 0xE2


@dataclass
class Bytes:
    """What one pass over a file's bytes learnt.

    ``suspect`` is False only when no byte can belong to a control character or a
    bidirectional override, and ``longest_line`` bounds the length of any value (None:
    not measured): a clean, short-lined file needs no check of its values
    (:mod:`data_loaders.readers.hygiene`).
    """

    sha256: str
    newlines: int
    suspect: bool = True
    longest_line: int | None = None


def _suspect(part: np.ndarray, line_feeds: int) -> bool:
    """Whether a chunk may hold a control character or a bidirectional override.

    Counted rather than looked up byte by byte (a lookup table cost five times the
    hashing): the controls below 32 are all line feeds in most files, and a chunk of
    ASCII alone (its largest byte below DEL) holds neither DEL nor an override.
    """
    below_space = int(np.count_nonzero(part < 32))
    if below_space != line_feeds:
        text = sum(int(np.count_nonzero(part == byte)) for byte in _TEXT_CONTROLS)
        if below_space != text:
            return True
    if part.max() < 0x7F:
        return False
    if np.count_nonzero(part == 0x7F):
        return True
    leads = np.flatnonzero(part == _BIDI_LEAD)
    if not leads.size:
        return False
    if leads[-1] == part.size - 1:
        return True  # the pair may straddle the next chunk
    follow = part[leads + 1]
    return bool(((follow == 0x80) | (follow == 0x81)).any())


class Scan:
    """sha256 and line-break count of a file, computed in a thread.

    File reads, numpy and hashlib release the GIL on large buffers, so this
    overlaps with DuckDB's own read of the same file.
    """

    def __init__(self, path: Path, newline: bytes):
        self._path, self._newline = path, newline[0]
        self._result: Bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="threatmon-scan", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            digest, count, suspect = hashlib.sha256(), 0, False
            previous, longest, size = -1, 0, 0
            for offset, part in byte_chunks(self._path):
                digest.update(part)
                breaks = np.flatnonzero(part == self._newline)
                count += int(breaks.size)
                line_feeds = breaks.size if self._newline == 10 else -1
                suspect = suspect or _suspect(part, line_feeds)
                if breaks.size:
                    ends = breaks + offset
                    longest = max(
                        longest, int(ends[0] - previous), int(np.diff(ends).max(initial=0))
                    )
                    previous = int(ends[-1])
                size = offset + part.size
            longest = max(longest, size - previous)
            self._result = Bytes(digest.hexdigest(), count, suspect, longest)
        except BaseException as exc:  # handed to the caller's thread by result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Bytes:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def byte_chunks(path: Path) -> Iterator[tuple[int, np.ndarray]]:
    """(offset, bytes as uint8) of a file, through one reused buffer.

    Reading into the same buffer keeps memory flat; a memory map was slightly
    faster but counted the whole file in the process's resident memory.
    """
    buffer = bytearray(CHUNK)
    array = np.frombuffer(buffer, dtype=np.uint8)
    offset = 0
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            yield offset, array[:n]
            offset += n


def line_blocks(source: Path, newline: bytes) -> Iterator[bytes]:
    """The file in blocks of whole lines, each block without its last line break."""
    carry = b""
    with open(source, "rb") as handle:
        while chunk := handle.read(CHUNK):
            data = carry + chunk
            cut = data.rfind(newline)
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1 :]
            yield data[:cut]
    if carry:
        yield carry


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
