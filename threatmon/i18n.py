"""The catalogues and their formats, without Streamlit: what the dashboard and the command
line share to write a text in English, Romanian or Ukrainian.

Catalogues are flat JSON files in ``threatmon/locales/`` (``en.json`` is the reference).
:func:`translate` looks a key up in a language and fills named placeholders with
``str.format``; a key missing from that catalogue falls back to English with a warning.
Numbers take the language's separators (:func:`number`), counts its plural forms
(:func:`plural`; in a text, ``{count|incidents}`` writes the value of ``count`` with the
noun of ``plural.incidents`` that fits it: "1 incident", "20 de incidente"), months their
names from the catalogue (:func:`month_name`). The dashboard's ``ui.i18n`` adds the
session's language on top of these; the briefing (``reports.words``) and the CLI's
``--lang`` use them directly.
"""

from __future__ import annotations

import functools
import json
import numbers
import re
import string
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Language code (ISO 639-1) → its name in that language, in menu order.
LANGUAGES: dict[str, str] = {"en": "English", "ro": "Română", "uk": "Українська"}
DEFAULT_LANGUAGE = "en"
_ALIASES = {"ua": "uk"}
LOCALES = Path(__file__).resolve().parent / "locales"

#: Decimal mark and thousands separator of each language: Romanian and Ukrainian write
#: a decimal comma, so "9,999" would read as nine point nine. (No-break space for uk.)
NUMBER_SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (".", ","),
    "ro": (",", "."),
    "uk": (",", "\u00a0"),
}

#: Countries whose regions are named in the registry's ``name_local`` for a language.
LOCAL_NAMES: dict[str, tuple[str, ...]] = {"ro": ("MD", "RO"), "uk": ("UA",)}


@functools.cache
def catalogue(language: str) -> Mapping[str, str]:
    """The texts of ``language`` (read once per process; read-only)."""
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; use one of {list(LANGUAGES)}.")
    with (LOCALES / f"{language}.json").open(encoding="utf-8") as handle:
        texts = json.load(handle)
    return MappingProxyType(texts)


def normalise_language(code: str | None) -> str | None:
    """``code`` as one of :data:`LANGUAGES` (any case, ``ua`` for ``uk``), or None."""
    code = (code or "").strip().lower()
    code = _ALIASES.get(code, code)
    return code if code in LANGUAGES else None


def fill(
    texts: Callable[[str], Mapping[str, str]],
    key: str,
    language: str,
    values: Mapping[str, object],
) -> str:
    """The text of ``key`` in ``language`` from ``texts`` (a catalogue function), filled.

    A key the language lacks, or a translation whose placeholders do not match, falls
    back to English (with a warning); a key English lacks shows as itself.
    """
    if key not in texts(language):
        if key not in texts(DEFAULT_LANGUAGE):
            warnings.warn(f"No text for {key!r} in any catalogue.", stacklevel=4)
            return key
        warnings.warn(f"No {language!r} text for {key!r}; showing English.", stacklevel=4)
        language = DEFAULT_LANGUAGE
    try:
        return format_text(texts(language)[key], language, values)
    except (KeyError, IndexError, ValueError):
        if language == DEFAULT_LANGUAGE:
            raise
        warnings.warn(f"The {language!r} text of {key!r} does not fit; English.", stacklevel=4)
        return format_text(texts(DEFAULT_LANGUAGE)[key], DEFAULT_LANGUAGE, values)


#: Between a placeholder's name and the unit it counts: ``{count|incidents}``.
COUNT_MARK = "|"


def counted(text: str) -> list[tuple[str, str]]:
    """(placeholder, unit) of each counted placeholder of ``text``.

    >>> counted("{count|incidents} in {month}")
    [('count', 'incidents')]
    """
    return [
        tuple(field.split(COUNT_MARK, 1))
        for _, field, _, _ in string.Formatter().parse(text)
        if field is not None and COUNT_MARK in field
    ]


class _Counting(string.Formatter):
    """``str.format`` that also writes ``{name|unit}`` (see :func:`count_text`)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def get_field(self, field_name, args, kwargs):
        if COUNT_MARK not in field_name:
            return super().get_field(field_name, args, kwargs)
        name, unit = field_name.split(COUNT_MARK, 1)
        return count_text(unit, kwargs[name], self.language), name


def format_text(text: str, language: str, values: Mapping[str, object]) -> str:
    """``text`` (a catalogue's) filled with ``values`` in ``language``: ``str.format``,
    and ``{name|unit}`` by :func:`count_text`.

    >>> format_text("{count|incidents} in {month}", "ro", {"count": 20, "month": "mai"})
    '20 de incidente in mai'
    """
    if COUNT_MARK not in text:
        return text.format(**values)
    return _Counting(language).vformat(text, (), values)


def translate(key: str, language: str, /, **values: object) -> str:
    """The text of ``key`` in ``language`` with ``values`` filled in (see :func:`fill`).

    >>> translate("date.span", "ro", start="ian. 2026", end="iun. 2026")
    'ian. 2026 – iun. 2026'
    """
    return fill(catalogue, key, language, values)


def known(key: str) -> bool:
    """Whether the English catalogue has ``key`` (a registry name not yet translated has
    none, and shows as the registry has it)."""
    return key in catalogue(DEFAULT_LANGUAGE)


def number(value: float, decimals: int = 0, sign: bool = False, language: str = "en") -> str:
    """``value`` with the language's separators: "12,345.6" (en), "12.345,6" (ro),
    "12 345,6" (uk); ``sign`` writes "+" for positive values.

    >>> number(12345.678, 1, language="ro")
    '12.345,7'
    """
    decimal, group = NUMBER_SEPARATORS[language]
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    return text.translate({ord("."): decimal, ord(","): group})


def month_name(day, long: bool = False, language: str = "en") -> str:
    """``day``'s month and year: "Nov 2025" (or "November 2025" when ``long``)."""
    # Imported here: the command line reads the languages without loading pandas.
    import pandas as pd

    stamp = pd.Timestamp(day)
    if long:
        month = translate(f"month.long.{stamp.month}", language)
    else:
        month = translate(f"month.short.{stamp.month}", language)
    return translate("date.month_year", language, month=month, year=stamp.year)


def month_span(start, end, long_single: bool = False, language: str = "en") -> str:
    """ "Nov 2025 – Oct 2026", or one month alone when ``start`` and ``end`` share it."""
    import pandas as pd

    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if (first.year, first.month) == (last.year, last.month):
        return month_name(first, long=long_single, language=language)
    return translate(
        "date.span",
        language,
        start=month_name(first, language=language),
        end=month_name(last, language=language),
    )


def plural_form(count: int, language: str = "en") -> int:
    """Which of the language's plural forms ``count`` takes (CLDR rules for integers).

    English: 1 month / 2 months. Romanian: 1 lună / 2 luni / 20 de luni (0 and 2–19,
    also after the hundreds, take the second form). Ukrainian: 1 місяць / 2 місяці /
    5 місяців (21 takes the first form, 22–24 the second, 11–14 the third).
    """
    n = abs(int(count))
    if language == "ro":
        if n == 1:
            return 0
        return 1 if n == 0 or 1 <= n % 100 <= 19 else 2
    if language == "uk":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        return 1 if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else 2
    return 0 if n == 1 else 1


def plural(unit: str, count: int, language: str = "en") -> str:
    """``count`` and ``unit`` in the language's plural form: "1 month", "20 de luni",
    "5 місяців" (the catalogue's ``plural.<unit>``, forms separated by ``|``).

    >>> plural("months", 2, language="uk")
    '2 місяці'
    """
    return count_text(unit, count, language)


#: The form a number written with decimals takes ("1.0 incidents", "1,5 incidente"):
#: English "other", Romanian "few"; Ukrainian's (the genitive singular) is not among the
#: catalogue's three, so its texts write fractions without a counted noun.
FRACTION_FORM: dict[str, int] = {"en": 1, "ro": 1, "uk": 2}
_SPACES = " \u00a0\u202f\u2009"


def count_value(value: object, language: str = "en") -> int | float:
    """The number ``value`` stands for: a number, or one :func:`number` has already
    written in ``language`` ("1,192" in English, "1.192" in Romanian, "1 192" in
    Ukrainian); a float when it is written with decimals ("1.0").

    Raises
    ------
    ValueError
        For anything else (a word, an empty text): no plural form can be chosen for it.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, str):
        decimal, group = NUMBER_SEPARATORS[language]
        text = value.strip().replace("\u2212", "-").replace(group, "")
        text = text.translate({ord(space): None for space in _SPACES}).replace(decimal, ".")
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        if re.fullmatch(r"[+-]?\d+\.\d+", text):
            return float(text)
    raise ValueError(f"{value!r} is not a number, so no plural form can be chosen for it.")


def count_text(unit: str, value: object, language: str = "en") -> str:
    """``value`` with the form of ``unit`` (``plural.<unit>``) its number takes.

    ``value`` is a number, written here with the language's separators, or a number
    :func:`number` has already written, kept as it is: "1.192" in Romanian reads as
    1192 and takes "1.192 de incidente".

    >>> count_text("months", "1,192", "en")
    '1,192 months'
    """
    count = count_value(value, language)
    if isinstance(value, str):
        shown = value
    else:
        shown = number(count, 0 if isinstance(count, int) else 1, language=language)
    if isinstance(count, int):
        form = plural_form(count, language)
    else:
        form = FRACTION_FORM[language]
    forms = translate(f"plural.{unit}", language, n=shown).split("|")
    return forms[min(form, len(forms) - 1)]


def region_name(code: str, name_en: str, name_local: str, country: str, language: str) -> str:
    """A region's name in ``language``, where the registry knows it.

    Romanian uses the registry's local names for Moldova and Romania ("București"),
    Ukrainian those of Ukraine ("Одеська область"); otherwise the English name.
    """
    if country in LOCAL_NAMES.get(language, ()) and name_local:
        return name_local
    return name_en or code


def region_names(registry: pd.DataFrame, language: str) -> dict[str, str]:
    """Region code → name in ``language`` for every row of the region registry."""
    columns = ["region_code", "country", "name_en", "name_local"]
    return {
        row.region_code: region_name(
            row.region_code, row.name_en, row.name_local, row.country, language
        )
        for row in registry[columns].itertuples(index=False)
    }


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALES",
    "LOCAL_NAMES",
    "NUMBER_SEPARATORS",
    "COUNT_MARK",
    "FRACTION_FORM",
    "catalogue",
    "count_text",
    "count_value",
    "counted",
    "fill",
    "format_text",
    "known",
    "month_name",
    "month_span",
    "normalise_language",
    "number",
    "plural",
    "plural_form",
    "region_name",
    "region_names",
    "translate",
]
