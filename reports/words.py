"""The briefing's words in the reader's language: one object the reports are given.

``reports`` never imports Streamlit or ``ui``, so it does not know the session's
language: the caller passes a :class:`Words` (``Words("ro")``), built by the Overview's
"Build briefing" button from the session's language and by ``threatmon briefing --lang``.
It writes every text of the briefing from the catalogues (:mod:`threatmon.i18n`): the
headings and sentences (:meth:`Words.t`), numbers with the language's separators, months
and days, crime types, countries and regions by the names the dashboard uses (local names
for Moldova and Romania in Romanian, for Ukraine in Ukrainian), and the logic's messages
(:meth:`Words.say`, as ``ui.messages.say`` writes them on the pages). English is the
default (:data:`ENGLISH`) and reads as the briefing always has.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from threatmon import i18n
from threatmon.messages import Message
from threatmon.registry.crime_types import CRIME_TYPE_KEYS, crime_type_label
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions

__all__ = ["ENGLISH", "Words"]


@dataclass(frozen=True)
class Words:
    """Texts of one language (:data:`threatmon.i18n.LANGUAGES`; ``ua`` is taken for ``uk``).

    Raises
    ------
    ValueError
        For a language the catalogues do not have.
    """

    language: str = i18n.DEFAULT_LANGUAGE

    def __post_init__(self) -> None:
        language = i18n.normalise_language(self.language)
        if language is None:
            raise ValueError(
                f"Unknown language {self.language!r}; use one of {list(i18n.LANGUAGES)}."
            )
        object.__setattr__(self, "language", language)

    def t(self, key: str, /, **values: object) -> str:
        """The catalogue's text of ``key``, placeholders filled from ``values``."""
        return i18n.translate(key, self.language, **values)

    def number(self, value: float, decimals: int = 0, sign: bool = False) -> str:
        """``value`` with the language's separators ("12.345,6" in Romanian)."""
        return i18n.number(value, decimals, sign, self.language)

    def percent(self, value: float, decimals: int = 0, sign: bool = False) -> str:
        """``value`` (already a percentage) as "12.5 %" in the language."""
        return self.t("format.percent", value=self.number(value, decimals, sign))

    def month(self, day, long: bool = False) -> str:
        """``day``'s month and year: "Nov 2025", "nov. 2025", "лист. 2025"."""
        return i18n.month_name(day, long, self.language)

    def span(self, start, end) -> str:
        """A span of months: "Nov 2025 – Oct 2026", or one month in full ("October 2026")."""
        return i18n.month_span(start, end, long_single=True, language=self.language)

    def day(self, day: dt.date) -> str:
        """A day: "1 Jan 2026", "1 ian. 2026", "1 січ. 2026"."""
        stamp = pd.Timestamp(day)
        month = self.t(f"month.short.{stamp.month}")
        return self.t("briefing.date.day", day=stamp.day, month=month, year=stamp.year)

    def plural(self, unit: str, count: int) -> str:
        """A count in the language's plural form ("6 months", "6 luni", "6 місяців")."""
        return i18n.plural(unit, count, self.language)

    def join(self, names: Sequence[str]) -> str:
        """ "A", "A and B", "A, B and C" in the language."""
        names = list(names)
        if len(names) <= 1:
            return "".join(names)
        return self.t("briefing.and", first=", ".join(names[:-1]), last=names[-1])

    def crime(self, key: str) -> str:
        """A crime type's label (the registry's English label for a key not translated)."""
        if not i18n.known(f"crime.{key}"):
            return crime_type_label(key) if key in CRIME_TYPE_KEYS else key
        return self.t(f"crime.{key}")

    def country(self, code: str) -> str:
        """A project country's name (the code itself for any other country)."""
        if not i18n.known(f"country.{code}"):
            return PROJECT_COUNTRIES.get(code, code)
        return self.t(f"country.{code}")

    def countries(self) -> dict[str, str]:
        """Every project country's code → name, in the registry's order."""
        return {code: self.country(code) for code in PROJECT_COUNTRIES}

    def model(self, name: str) -> str:
        """A forecasting model in words (the name itself for one not in the catalogue)."""
        return self.t(f"model.{name}") if i18n.known(f"model.{name}") else name

    def region_names(self, registry: pd.DataFrame) -> dict[str, str]:
        """Region code → name for every row of ``registry``, as the map's tooltips name
        them (:func:`threatmon.i18n.region_names`)."""
        return i18n.region_names(registry, self.language)

    def named(self, registry: pd.DataFrame) -> pd.DataFrame:
        """``registry`` with ``name_en`` holding each region's name in the language: what
        the briefing's tables and the map read as a region's name. Not modified."""
        names = self.region_names(registry)
        return registry.assign(name_en=registry["region_code"].map(names))

    def places(self) -> dict[str, str]:
        """Region code → "Name (Country)": names repeat ("Călărași" is in Moldova and in
        Romania), so a region is named with its country in a sentence."""
        return _places(self.language)

    def say(self, message: Message, places: Mapping[str, str] | None = None) -> str:
        """``message`` (from ``trends`` or ``forecasting``) as a sentence: ``msg.<key>``,
        its values with the language's names, months and separators (see
        :class:`threatmon.messages.Message`)."""
        places = self.places() if places is None else places
        values = {}
        for name, value in message.params.items():
            if isinstance(value, Message):
                values[name] = self.say(value, places)
            elif name == "region":
                values[name] = places.get(value, value)
            elif name == "crime":
                values[name] = self.crime(value)
            elif isinstance(value, dt.date | pd.Timestamp):
                values[name] = self.month(value, long=True)
            elif isinstance(value, int | np.integer) and not isinstance(value, bool):
                values[name] = self.number(int(value))
            elif isinstance(value, float | np.floating):
                values[name] = self.number(float(value), 1)
            else:
                values[name] = str(value)
        return self.t(f"msg.{message.key}", **values)


@functools.cache
def _places(language: str) -> Mapping[str, str]:
    words = Words(language)
    registry = load_regions()
    names = words.region_names(registry)
    return MappingProxyType(
        {
            code: f"{names[code]} ({words.country(country)})"
            for code, country in zip(registry["region_code"], registry["country"], strict=True)
        }
    )


#: The briefing's default: English.
ENGLISH = Words()
