"""Physical line numbers of a CSV's records: where ``line - rowid`` changes (blank lines,
quoted line breaks), and the line of a byte position (see relation.py for why).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from data_loaders.readers.dialect import Dialect
from data_loaders.readers.scan import byte_chunks, line_blocks


def content_lines(source: Path, newlines: int, newline: bytes) -> int:
    """Physical lines up to the last one with content (trailing blank lines excluded)."""
    size = source.stat().st_size
    with open(source, "rb") as handle:
        handle.seek(max(0, size - 65536))
        tail = handle.read()
    kept = tail.rstrip(b"\r\n")
    trailing = tail[len(kept) :].count(newline)
    return newlines - trailing + (1 if kept or size > len(tail) else 0)


def line_offsets(source: Path, dialect: Dialect, rows: int) -> list[tuple[int, int]] | None:
    """Where ``line - rowid`` changes, following blank lines and quoted line breaks.

    A line with an odd number of quote characters opens (or closes) a quoted value:
    with RFC 4180 quoting (``""`` inside quotes) parity is exact. Lines are
    classified with numpy; only the rare "event" lines (blank, odd quotes) are
    walked in Python. Returns None when the records found disagree with DuckDB's
    count (malformed quoting).
    """
    newline, header_end = dialect.newline[0], dialect.header_end
    offsets: list[tuple[int, int]] = []
    rowid, in_quotes = -1, False  # the last record started; inside a quoted value?

    def start_records(line: int, count: int) -> None:
        nonlocal rowid
        if not offsets or offsets[-1][1] != line - (rowid + 1):
            offsets.append((rowid + 1, line - (rowid + 1)))
        rowid += count

    base = 0  # physical lines before the current block
    for block in line_blocks(source, dialect.newline):
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.append(np.flatnonzero(data == newline), len(data))
        starts = np.append(0, ends[:-1] + 1)
        length = ends - starts
        first_byte = np.append(data, 0)[starts]  # padded: the last line may be empty
        blank = (length == 0) | ((length == 1) & (first_byte == 13))
        events = np.flatnonzero(blank)
        odd = np.zeros(len(ends), dtype=bool)
        if b'"' in block:
            quotes = np.append(0, np.cumsum(data == 34, dtype=np.int64))
            odd = (quotes[ends] - quotes[starts]) % 2 == 1
            events = np.union1d(events, np.flatnonzero(odd))
        previous = -1
        for i in [*events.tolist(), len(ends)]:
            # Lines strictly between two events: plain records, or continuation lines.
            first = max(previous + 1, header_end - base)
            if not in_quotes and first < i:
                start_records(base + first + 1, i - first)
            if i == len(ends):
                break
            previous = i
            if base + i + 1 <= header_end:
                continue
            if in_quotes:
                in_quotes = not odd[i]
            elif odd[i]:
                start_records(base + i + 1, 1)
                in_quotes = True
        base += len(ends)
    if rowid + 1 != rows:
        return None
    return offsets or [(0, header_end + 1)]


def lines_at(source: Path, positions: list[int], newline: bytes) -> list[int]:
    """Line number of each byte position (ascending), counting line breaks before it."""
    lines, count, pending = [], 0, [int(p or 0) for p in positions]
    for offset, part in byte_chunks(source):
        end = offset + len(part)
        while pending and pending[0] < end:
            count_here = np.count_nonzero(part[: pending.pop(0) - offset] == newline[0])
            lines.append(count + int(count_here) + 1)
        count += int(np.count_nonzero(part == newline[0]))
        if not pending:
            break
    return lines + [count + 1] * len(pending)
