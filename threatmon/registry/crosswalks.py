"""National code crosswalks: criminal-code articles of one country → crime-type keys.

Each crosswalk is a shipped file in ``threatmon/registry/data/crosswalks/`` (``code``,
``key``, ``title``, ``source``: the article, the registry key it falls under, its title
in English and the law it comes from). It lists only the articles that fall under one of
the twelve keys; an article it does not list is outside them. Articles are compared by
:func:`article_code`, so ``301-1``, ``301¹``, ``301^1`` and ``ст. 301-1`` are one article.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

from threatmon.registry.crime_types import CRIME_TYPE_KEYS


@dataclass(frozen=True)
class CrosswalkLine:
    """One article of a crosswalk."""

    code: str
    key: str
    title: str
    source: str


@dataclass(frozen=True)
class Crosswalk:
    """A country's criminal code mapped to the registry's keys."""

    name: str
    country: str
    law: str
    file: str

    @property
    def lines(self) -> dict[str, CrosswalkLine]:
        """:func:`article_code` of each listed article → its line."""
        return _lines(self.file)

    def category(self, code: str) -> str:
        """How an article outside the twelve keys is named, e.g. ``"UA CC art. 115"``."""
        return f"{self.country} CC art. {code}"


#: The shipped crosswalks by the name ``--crosswalk`` takes.
CROSSWALKS: dict[str, Crosswalk] = {
    "ua-cc": Crosswalk(
        "ua-cc",
        "UA",
        "Criminal Code of Ukraine No. 2341-III of 5 April 2001",
        "ua_criminal_code.csv",
    ),
    "md-cc": Crosswalk(
        "md-cc",
        "MD",
        "Criminal Code of the Republic of Moldova No. 985-XV of 18 April 2002",
        "md_criminal_code.csv",
    ),
}

_COLUMNS = ("code", "key", "title", "source")
# The words that may precede an article number: English, Romanian, Ukrainian, Russian.
_ARTICLE_WORD = re.compile(r"^(?:art(?:icle|icolul|\.)?|ст(?:аття|атья|\.)?)\s*", re.IGNORECASE)
# Parts of an article: "301-1" (Ukraine), "362^1" or "362¹" (Moldova), "362/1", "362.1".
_ARTICLE = re.compile(r"(\d{1,4})(?:\s*[-^/.]\s*(\d{1,2}))?")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def crosswalk_names() -> tuple[str, ...]:
    """The names ``--crosswalk`` accepts."""
    return tuple(CROSSWALKS)


def get_crosswalk(name: str) -> Crosswalk:
    """The crosswalk called ``name``; ``KeyError`` naming the known ones if unknown."""
    try:
        return CROSSWALKS[name]
    except KeyError:
        known = ", ".join(CROSSWALKS)
        raise KeyError(f"Unknown crosswalk {name!r}. Known: {known}") from None


def article_code(text: str) -> str | None:
    """The comparison form of an article number (``"362-1"``), or None if ``text`` is none.

    >>> article_code("362^1"), article_code("Art. 362¹"), article_code("ст. 301-1")
    ('362-1', '362-1', '301-1')
    """
    text = text.strip()
    text = _ARTICLE_WORD.sub("", text)
    # A superscript part follows the number directly: "362¹" is article 362, part 1.
    text = re.sub(r"(\d)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)$", r"\1-\2", text).translate(_SUPERSCRIPTS)
    found = _ARTICLE.fullmatch(text.strip())
    if found is None:
        return None
    number, part = found.groups()
    return number if part is None else f"{number}-{part}"


@functools.cache
def _lines(file: str) -> dict[str, CrosswalkLine]:
    path = resources.files("threatmon.registry").joinpath("data", "crosswalks", file)
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise ValueError(f"{file} has columns {reader.fieldnames}, expected {_COLUMNS}")
        lines: dict[str, CrosswalkLine] = {}
        for row in reader:
            line = CrosswalkLine(**row)
            code = article_code(line.code)
            if code is None:
                raise ValueError(f"{file}: {line.code!r} is not an article number")
            if line.key not in CRIME_TYPE_KEYS:
                raise ValueError(f"{file}: article {line.code} maps to unknown key {line.key!r}")
            if code in lines:
                raise ValueError(f"{file}: article {line.code} is listed twice")
            lines[code] = line
    return lines
