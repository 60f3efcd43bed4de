"""SQL text the readers build: quoted literals and identifiers, and the trimming of values.

Trimmed of surrounding whitespace and NULL when empty. In CSV and Parquet text a
value is trimmed when it starts with whitespace or ends with a space (trim() on
every value doubled the 10M-row read time); a value ending in a tab or NBSP with
no space keeps it. XLSX cells are converted in Python and fully stripped.
"""

from __future__ import annotations

# Whitespace trimmed from values. NBSP comes with copy-pasted names and Excel exports.
_WS = " \t\r\n\u00a0"


def trim_sql(column: str) -> str:
    # A full trim() on every value doubled the read time of 10M rows. Comparing with
    # '!' catches any leading whitespace or control character and ends_with a
    # trailing space, both cheap; only values caught are trimmed (of all of _WS).
    # A value ending in a tab or NBSP with no space before it keeps it.
    return (
        f"CASE WHEN {column} < '!' OR ends_with({column}, ' ') "
        f"THEN nullif(trim({column}, {literal(_WS)}), '') ELSE {column} END"
    )


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
