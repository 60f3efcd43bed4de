"""Names that come from outside (an uploaded file's name), made safe to show and store.

A right-to-left override in a file name (``report‮vsc.exe``) makes the Loads table,
the Audit page and the briefing show it in a misleading order, and a control character
breaks exports; values in files are refused for either (see
:mod:`data_loaders.readers.hygiene`), but a file name is the analyst's label of a load,
so it is kept, with those characters replaced by a visible ``<U+XXXX>``.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def written_visibly(text: str, unsafe: re.Pattern) -> str:
    """``text`` with every character ``unsafe`` matches written as ``<U+XXXX>``."""
    return unsafe.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def neutral_name(name: str) -> str:
    """``name`` with every control character and bidirectional mark, override or isolate
    written as ``<U+XXXX>``."""
    return written_visibly(name, _UNSAFE)


# What an XLSX cell cannot hold (XML 1.0 forbids these controls; openpyxl raises on them).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """``text`` with each control character a spreadsheet cannot hold written as
    ``<U+XXXX>`` (a store loaded before such values were refused may still hold some)."""
    return written_visibly(text, _NOT_IN_XML)
