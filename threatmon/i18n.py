"""The catalogues and their formats, without Streamlit: what the dashboard and the command
line share to write a text in English, Romanian or Ukrainian.

Catalogues are flat JSON files in ``threatmon/locales/`` (``en.json`` is the reference).
:func:`translate` looks a key up in a language and fills named placeholders with
``str.format``; a key missing from that catalogue falls back to English with a warning.
Numbers take the language's separators (:func:`number`), counts its plural forms
(:func:`plural`), months their names from the catalogue (:func:`month_name`). The
dashboard's ``ui.i18n`` adds the session's language on top of these; the briefing
(``reports.words``) and the CLI's ``--lang`` use them directly.
"""

from __future__ import annotations

import functools
import json
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
        return texts(language)[key].format(**values)
    except (KeyError, IndexError, ValueError):
        if language == DEFAULT_LANGUAGE:
            raise
        warnings.warn(f"The {language!r} text of {key!r} does not fit; English.", stacklevel=4)
        return texts(DEFAULT_LANGUAGE)[key].format(**values)


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
    forms = translate(f"plural.{unit}", language, n=number(count, language=language)).split("|")
    return forms[min(plural_form(count, language), len(forms) - 1)]


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
    "catalogue",
    "fill",
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
