"""Comparison keys for names, and the resolution every lookup returns."""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MISSING = "Value is missing."

# --------------------------------------------------------------------------- fold

# Removed outright, so "L'viv", "Lʼviv" and "Lviv" meet (ʼ U+02BC is the Ukrainian
# apostrophe, ʹ U+02B9 and ʺ U+02BA the soft sign and apostrophe of BGN/PCGN: "Volynʹ").
_APOSTROPHES = frozenset("'’‘ʼʹʺ`´′″")
# Letters that NFKD leaves alone but that people type without their stroke, and ґ, which
# Soviet-era spelling (still common in Russian-language systems) writes as г.
_LETTERS = {"ł": "l", "đ": "d", "ø": "o", "ı": "i", "æ": "ae", "œ": "oe", "ґ": "г"}
# й is a letter of its own in Russian and Ukrainian, not и with a breve: keep it. ё and ї
# lose their diaeresis (е/ё are written interchangeably; ї → і).
_KEEP = frozenset("й")
# Look-alike letters: extracts typed on mixed keyboards put Latin "c", "o", "i" into
# Cyrillic words and vice versa. Lower case only, because fold() casefolds first; m, h,
# t and b come from the capitals М, Н, Т, В.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxyikmhtb", "асеорхуікмнтв")
_CYRILLIC_TO_LATIN = str.maketrans("асеорхуік", "aceopxyik")


def _is_separator(char: str) -> bool:
    return char.isspace() or char in "._" or unicodedata.category(char) == "Pd"


def _unmix(word: str) -> str:
    if word.isascii():
        return word  # nothing of the other script (most words, and all codes)
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in word)
    latin = sum("a" <= c <= "z" for c in word)
    if cyrillic and latin:
        if cyrillic > latin:
            return word.translate(_LATIN_TO_CYRILLIC)
        if latin > cyrillic:
            return word.translate(_CYRILLIC_TO_LATIN)
    return word


@functools.cache
def _fold_char(char: str) -> str:
    """One casefolded character's folded letters (" " for a separator); cached, since the
    names of a whole registry use a few hundred distinct characters."""
    if char in _KEEP:
        return char
    if char in _APOSTROPHES:
        return ""
    letters = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part):
            continue
        # NFKD can produce capitals (ℌ → H) and casefold can produce several letters.
        for letter in part.casefold():
            if letter in _APOSTROPHES:
                continue
            letters.append(" " if _is_separator(letter) else _LETTERS.get(letter, letter))
    return "".join(letters)


def _fold_once(text: str) -> str:
    folded = "".join(map(_fold_char, unicodedata.normalize("NFC", text).casefold()))
    return " ".join(_unmix(word) for word in folded.split())


def fold(text: str) -> str:
    """Return the comparison key of a name: case-, diacritic- and punctuation-insensitive.

    Parameters
    ----------
    text : str
        Any text, e.g. ``"Ştefan-Vodă"`` or ``"Одеська обл."``.

    Returns
    -------
    str
        Lower-case (casefolded) text without combining marks, so ş/ș → s, ţ/ț → t,
        ă/â → a, î → i, ő → o; ł → l. Cyrillic stays Cyrillic, with ё → е, ї → і,
        ґ → г (й is kept). Apostrophes (``'`` ``’`` ``ʼ`` …) are removed; whitespace,
        hyphens and dashes, dots and underscores become single spaces; the ends are
        stripped. Look-alike letters of the other script inside a mostly-Cyrillic or
        mostly-Latin word are replaced (a Latin ``i`` typed in ``"Kиiв"``).
        ``fold(fold(x)) == fold(x)``.

    Examples
    --------
    >>> fold("  Raionul  Ştefan-Vodă ")
    'raionul stefan voda'
    >>> fold("Придністров'я") == fold("придністровя")
    True
    """
    # A second pass settles the rare characters whose folded form folds further
    # (compatibility forms that decompose into letters with their own case mappings).
    current = _fold_once(text)
    if current.isascii():
        # Folded ASCII is lower case, without apostrophes or separators other than single
        # spaces: a second pass would change nothing (the registries' names, mostly).
        return current
    for _ in range(3):
        again = _fold_once(current)
        if again == current:
            break
        current = again
    return current


# --------------------------------------------------------------------- resolutions


@dataclass(frozen=True)
class Resolution:
    """The canonical value of one raw value, or why there is none.

    Attributes
    ----------
    value : str or None
        The canonical value (ISO code or crime-type key); ``None`` if not resolved.
    reason : str or None
        A full sentence saying why ``value`` is ``None``.
    suggestion : str or None
        A full sentence such as ``"Did you mean MD-CA Cahul?"``.
    category : str or None
        A recognised category outside the registry (``"ICCS0101 Intentional homicide"``):
        refused or skipped as a whole, per category rather than per value.
    country : str or None
        A region value that stands for a whole country (``"Republica Moldova"``,
        ``"Total"``): that country's ISO 3166-1 alpha-2 code, with ``value`` None. The
        row is a national figure.
    """

    value: str | None
    reason: str | None = None
    suggestion: str | None = None
    category: str | None = None
    country: str | None = None


def as_text(value: object) -> str:
    """``value`` as a string; None becomes "" (DISTINCT values come from a database)."""
    return "" if value is None else str(value)


def closest_key(key: str, pool: Iterable[str], cutoff: float = 0.8) -> str | None:
    """The member of ``pool`` most like ``key`` (difflib ratio ≥ ``cutoff``), or None."""
    matches = difflib.get_close_matches(key, list(pool), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def join_names(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
