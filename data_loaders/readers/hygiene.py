"""Values no store or export should hold: control characters, bidirectional overrides,
and values longer than a spreadsheet cell.

A NUL byte deep in a file once passed the format check (which reads the head only),
was stored, and broke every XLSX export of a selection holding it; a right-to-left
override in a value made the Loads table and the briefing show it in a misleading
order; a 100,000-character value was cut to Excel's 32,767 without a word. Such values
are refused at load, each with its line, column and value, so nothing is stored or
exported cut. A CSV file whose bytes cannot hold them (see
:class:`data_loaders.readers.scan.Bytes`) is not queried at all: the check of every
value costs as much as reading the file.
"""

from __future__ import annotations

import re

import duckdb

from data_loaders.readers.messages import MAX_REPORTED, plural
from data_loaders.readers.relation import RawTable
from data_loaders.readers.sql import ident
from threatmon.errors import Problem, UnreadableFileError
from threatmon.outside_text import written_visibly

#: The most characters a value may have: what an XLSX cell holds.
MAX_VALUE_CHARS = 32_767
# Tab, line feed and carriage return are text (a quoted value may span lines).
_CONTROLS = "\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F"
_BIDI = "\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}"
_PATTERN_SQL = f"[{_CONTROLS}{_BIDI}]"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _shown(value: str) -> str:
    """The value as a message may show it: each forbidden character as <U+XXXX>, and
    a long value cut (the reason gives its length)."""
    text = value if len(value) <= 120 else value[:120] + "…"
    return written_visibly(text, _FORBIDDEN)


def _reason(value: str) -> str:
    found = _FORBIDDEN.search(value)
    if found is None:
        return (
            f"The value is {len(value):,} characters long; the limit is "
            f"{MAX_VALUE_CHARS:,} (what a spreadsheet cell holds), so exports would cut it."
        )
    code = f"U+{ord(found.group()):04X}"
    if "\u202a" <= found.group() <= "\u2069":
        return (
            f"The value holds a bidirectional override ({code}), which makes text display "
            "in a misleading order; remove it."
        )
    return f"The value holds a control character ({code}), which no export can hold; remove it."


def unsafe_values(
    con: duckdb.DuckDBPyConnection, raw: RawTable, *, controls: bool = True, lengths: bool = True
) -> list[Problem]:
    """The first values of ``raw`` (up to MAX_REPORTED) holding a control character or
    a bidirectional override (``controls``), or longer than :data:`MAX_VALUE_CHARS`
    (``lengths``), by line and column."""
    tests = []
    if controls:
        tests.append(lambda c: f"regexp_matches({c}, '{_PATTERN_SQL}')")
    if lengths:
        tests.append(lambda c: f"length({c}) > {MAX_VALUE_CHARS}")
    if not tests or not raw.columns:
        return []
    table = ident(raw.table)
    parts = [
        f"SELECT line, {i} AS position, c{i} AS value FROM {table} "
        f"WHERE {' OR '.join(test(f'c{i}') for test in tests)}"
        for i in range(len(raw.columns))
    ]
    found = con.execute(
        f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY line, position LIMIT {MAX_REPORTED}"
    ).fetchall()
    return [
        Problem(
            int(line),
            raw.columns[position] or f"column {position + 1}",
            _shown(value),
            _reason(value),
        )
        for line, position, value in found
    ]


def refuse_unsafe_values(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    name: str,
    *,
    controls: bool = True,
    lengths: bool = True,
) -> None:
    """Raise :class:`UnreadableFileError` listing the unsafe values of ``raw``, if any.

    The message names the first; ``problems`` lists each by line, column and value.
    """
    problems = unsafe_values(con, raw, controls=controls, lengths=lengths)
    if not problems:
        return
    more = " (or more)" if len(problems) >= MAX_REPORTED else ""
    first = problems[0]
    raise UnreadableFileError(
        f"{name} has {plural(len(problems), 'value')}{more} that cannot be stored safely; "
        f"nothing was loaded. First: line {first.row}, column {first.column!r}: "
        f"{first.reason}",
        problems,
    )
