"""A CSV's dialect, sniffed from its head: the delimiter (quote-aware field counts), the line
break, and where the header row is.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from data_loaders.readers.header import check_header, clean_name
from data_loaders.readers.messages import human_size
from data_loaders.readers.scan import HEAD
from threatmon.errors import UnreadableFileError


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    header: tuple[str, ...]
    skip: int  # DuckDB's `skip`: blank lines before the header + the header record
    header_end: int  # physical line on which the header record ends
    newline: bytes


def decode_head(head: bytes, encoding: str, path: Path) -> tuple[str, bool]:
    complete = len(head) == path.stat().st_size
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(head, final=complete), complete


def sniff(head: tuple[str, bool], name: str) -> Dialect:
    text, complete = head
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut < 0:
            raise UnreadableFileError(
                f"{name} has no line break in its first {human_size(HEAD)}: it is not a CSV file."
            )
        text = text[: cut + 1]
    newline = "\n" if "\n" in text or "\r" not in text else "\r"
    best = None
    for priority, delimiter in enumerate((",", ";", "\t", "|")):
        try:
            parsed = _parse_head(text, delimiter)
        except csv.Error as exc:
            raise UnreadableFileError(f"{name} could not be read as CSV: {exc}.") from exc
        if parsed is None:
            raise UnreadableFileError(f"{name} has no header row: it has only empty lines.")
        header, skip, header_end, rows = parsed
        header = _fit_trailing_delimiter(header, rows)
        agreeing = sum(len(row) == len(header) for row in rows) / len(rows) if rows else 1.0
        # Quote-aware field counts: the delimiter that splits the header into the most
        # fields and every sampled row into as many wins.
        key = (len(header) > 1, agreeing, len(header), -priority)
        if best is None or key > best[0]:
            best = (key, delimiter, header, skip, header_end)
    _, delimiter, header, skip, header_end = best
    columns = check_header(name, [clean_name(cell) for cell in header])
    return Dialect(delimiter, columns, skip, header_end, newline.encode())


def _fit_trailing_delimiter(header: list[str], rows: list[list[str]]) -> list[str]:
    """Some exports end every data line (or only the header) with the delimiter.

    When all sampled rows have one empty field more than the header, the header gets
    an unnamed last column; when the header alone has an empty last field, it goes.
    """
    if rows and all(len(row) == len(header) + 1 and not row[-1] for row in rows):
        return [*header, ""]
    if rows and not header[-1] and all(len(row) == len(header) - 1 for row in rows):
        return header[:-1]
    return header


def _parse_head(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    header, skip, header_end, rows = None, 0, 0, []
    for row in reader:
        if header is None:
            skip += 1
            if row:
                header, header_end = row, reader.line_num
        elif row:
            rows.append(row)
            if len(rows) >= 200:
                break
    if header is None:
        return None
    return header, skip, header_end, rows
