"""The header row every format must have: names stripped, at most 1,000, none repeated,
and no date among them (a date means the first row is data, not names).
"""

from __future__ import annotations

import re

from threatmon.errors import UnreadableFileError

_MAX_COLUMNS = 1000
_LOOKS_LIKE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})([ T].*)?$")


def clean_name(cell: str) -> str:
    return cell.strip().strip("\ufeff").strip()


def check_header(name: str, columns: list[str]) -> tuple[str, ...]:
    if len(columns) > _MAX_COLUMNS:
        raise UnreadableFileError(
            f"{name} has {len(columns):,} columns; at most {_MAX_COLUMNS:,} can be read."
        )
    if columns and not any(columns):
        raise UnreadableFileError(f"{name} has no header row: its first row has no names.")
    dated = next((c for c in columns if _LOOKS_LIKE_DATE.match(c)), None)
    if dated is not None:
        raise UnreadableFileError(
            f"{name} has no header row: its first row looks like data ({dated!r} is a date). "
            "Add a row of column names at the top."
        )
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            raise UnreadableFileError(
                f"{name} has the column {column!r} more than once in its header; rename one "
                "so that every column has its own name."
            )
        seen.add(column)
    return tuple(columns)
