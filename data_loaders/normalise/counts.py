"""Whole, non-negative numbers as national extracts write them."""

from __future__ import annotations

import re

from data_loaders.normalise.text import MISSING, as_text

# -------------------------------------------------------------------------- counts

_MISSING_MARKERS = frozenset({"-", "–", "—", "na", "n/a", "null", "none", "nan", "..", ":"})
_CENSORED = re.compile(r"(?:[<>≤≥]=?|=<|=>) ?[0-9][0-9 .,]*|[0-9]+ ?\+|[0-9]+ ?[-–—] ?[0-9]+")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
# Digit grouping that cannot be a decimal mark: spaces (plain, no-break, narrow, thin)
# and apostrophes (Swiss style and Excel exports).
_GROUPING = frozenset(" \u00a0\u202f\u2009'’")
_NUMBER_CHARS = re.compile(r"[0-9.,]+")
_DIGITS = re.compile(r"[0-9]+")
_MAX_DIGITS = 18  # fits a signed 64-bit integer

#: The thousands separators a user may declare (``--thousands``): option value → the
#: characters it stands for. A declared "," makes "." the decimal mark and the reverse;
#: beside a space or an apostrophe either mark is decimal.
THOUSANDS_SEPARATORS: dict[str, str] = {
    ",": ",",
    ".": ".",
    "space": " \u00a0\u202f\u2009",
    "'": "'’",
}


def _grouped(part: str, separator: str) -> str | None:
    """Digits of ``part`` if every ``separator`` splits off a group of three, else None."""
    groups = part.split(separator)
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return "".join(groups)


def parse_count(value: str, thousands: str | None = None) -> tuple[int | None, str | None]:
    """Read a count: a non-negative whole number.

    Parameters
    ----------
    value : str
        The raw cell, e.g. ``"12"``, ``"1 234"``, ``"12.0"``.
    thousands : str, optional
        The file's thousands separator as the user declares it, one of
        :data:`THOUSANDS_SEPARATORS` (``","``, ``"."``, ``"space"``, ``"'"``). With it,
        ``"1,192"`` under ``","`` reads 1192, only that separator groups digits, and a
        value grouped otherwise is refused with the reason (``"1,19"``: ``"Value has
        digit groups that are not thousands: ',' must separate groups of three
        digits."``; ``"1 192"``: ``"Value groups digits with a space, but the thousands
        separator given is ','."``). Without it, the rules below.

    Returns
    -------
    (int or None, str or None)
        ``(number, None)``, or ``(None, reason)``:

        - ``""`` and placeholders (``-``, ``NA``, ``n/a``, ``null``, ``..``, ``:``) →
          ``"Value is missing."``;
        - ``"<5"``, ``"≤5"``, ``">100"``, ``"10+"``, ``"1-4"`` → ``"Value is a suppressed
          or censored count ('<5'); the store needs the exact number."``;
        - ``"-3"`` → ``"Value is negative."``; ``"1.5"`` and ``"1,5"`` → ``"Value is not
          a whole number."``; ``"abc"`` → ``"Value is not a number."``.

        Separators: spaces (also no-break and thin) and apostrophes group thousands
        (``"1 234"``, ``"1'234"``). A dot or comma that occurs twice groups thousands
        (``"1.234.567"``, ``"1,234,567"``); with both, the last is the decimal mark
        (``"1.234,0"``). A single dot or comma is a decimal mark (``"12.0"``, ``"12,0"``
        → 12), except when it has exactly three digits after it and one to three before
        (``"1,234"``, ``"1.234"``): that reads 1234 in English and 1.234 in the region's
        own formats, so it is refused as ambiguous rather than guessed.
    """
    text = as_text(value).strip()
    if not text or text.casefold() in _MISSING_MARKERS:
        return None, MISSING
    if _CENSORED.fullmatch(text):
        return None, (
            f"Value is a suppressed or censored count ({text!r}); the store needs the exact number."
        )
    negative = text[0] in "-−"
    body = text[1:].lstrip() if text[0] in "+-−" else text
    if _SCIENTIFIC.fullmatch(body):
        return None, "Value is in scientific notation; write the count in full."
    if thousands is not None:
        parsed = _declared(body, thousands)
        if isinstance(parsed, str):
            return None, parsed
        digits, fraction = parsed
        return _whole(digits, fraction, negative)
    grouping = {c for c in body if c in _GROUPING}
    ungrouped = "".join(c for c in body if c not in grouping)
    if len(grouping) > 1 or not _NUMBER_CHARS.fullmatch(ungrouped) or not re.search("[0-9]", body):
        return None, "Value is not a number."
    marks = [c for c in body if c in ".,"]
    decimal = None
    if len(set(marks)) == 2:
        decimal = body.rstrip("0123456789")[-1]  # the later of the two
        if marks.count(decimal) > 1:
            return None, "Value is not a number."
    elif len(marks) == 1 and not grouping:
        whole, _, fraction = body.partition(marks[0])
        if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole != "0":
            return None, (
                "Value is ambiguous: the separator can be a decimal mark (a fraction) or a "
                "thousands separator; write whole counts without separators."
            )
        decimal = marks[0]
    elif len(marks) == 1:
        decimal = marks[0]  # "1 234,5": spaces group, so the comma is decimal
    whole, _, fraction = body.partition(decimal) if decimal else (body, "", "")
    whole = whole or "0"  # ".5"
    thousands = grouping | {m for m in marks if m != decimal}
    if len(thousands) > 1:
        return None, "Value is not a number."
    if thousands:
        digits = _grouped(whole, thousands.pop())
        if digits is None:
            return None, "Value has digit groups that are not thousands (groups of three)."
    else:
        digits = whole
    if not digits.isdigit() or (fraction and not fraction.isdigit()):
        return None, "Value is not a number."
    return _whole(digits, fraction, negative)


def _declared(body: str, thousands: str) -> tuple[str, str] | str:
    """(whole digits, fraction digits) of ``body`` under a declared separator, or a reason."""
    if thousands not in THOUSANDS_SEPARATORS:
        raise ValueError(
            f"The thousands separator is one of {', '.join(map(repr, THOUSANDS_SEPARATORS))}. "
            f"Got {thousands!r}."
        )
    separators = THOUSANDS_SEPARATORS[thousands]
    decimals = {",": ".", ".": ","}.get(thousands, ".,")
    for char in body:
        if (char in _GROUPING or char in ".,") and char not in separators + decimals:
            return (
                f"Value groups digits with {_shown(char)}, but the thousands separator given "
                f"is {_shown(separators[0])}."
            )
    marks = [c for c in body if c in decimals]
    if len(marks) > 1:
        return "Value is not a number."
    whole, _, fraction = body.partition(marks[0]) if marks else (body, "", "")
    unified = "".join(separators[0] if c in separators else c for c in whole or "0")
    groups = unified.split(separators[0])
    if not all(map(_DIGITS.fullmatch, groups)) or (fraction and not _DIGITS.fullmatch(fraction)):
        return "Value is not a number."
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        return (
            f"Value has digit groups that are not thousands: {_shown(separators[0])} must "
            "separate groups of three digits."
        )
    return "".join(groups), fraction


def _shown(char: str) -> str:
    """A separator as a report names it: spaces of every width are "a space"."""
    return "a space" if char in THOUSANDS_SEPARATORS["space"] else repr(char)


def _whole(digits: str, fraction: str, negative: bool) -> tuple[int | None, str | None]:
    digits = digits.lstrip("0") or "0"
    if negative and (digits != "0" or fraction.strip("0")):
        return None, "Value is negative."
    if fraction.strip("0"):
        return None, "Value is not a whole number."
    if len(digits) > _MAX_DIGITS:
        return None, "Value is too large for a count."
    return int(digits), None
