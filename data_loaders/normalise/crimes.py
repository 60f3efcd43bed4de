"""Crime-type keys, labels, synonyms, ICCS codes and national articles to registry keys."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from data_loaders.normalise.text import MISSING, Resolution, as_text, closest_key, fold
from threatmon.registry.crime_types import CRIME_TYPES, CrimeType
from threatmon.registry.crosswalks import CROSSWALKS, Crosswalk, article_code, get_crosswalk
from threatmon.registry.iccs import ICCS_LABELS, descends, iccs_name, parse_iccs

# --------------------------------------------------------------------- crime types


@functools.cache
def _crime_index() -> dict[str, str]:
    """Folded key, label and synonyms → key; fold() already treats ``_`` as a space."""
    index: dict[str, str] = {}
    for crime_type in CRIME_TYPES:
        for name in (crime_type.key, crime_type.label, *crime_type.synonyms):
            if index.setdefault(fold(name), crime_type.key) != crime_type.key:
                raise ValueError(f"crime-type name {name!r} names two crime types")
    return index


@functools.cache
def _iccs_label_index() -> dict[str, str]:
    """Folded ICCS label → code; the registry's own ICCS labels included."""
    index = {fold(label): code for code, label in ICCS_LABELS.items()}
    for crime_type in CRIME_TYPES:
        index.setdefault(fold(crime_type.iccs_label), crime_type.iccs)
    return index


#: Why a recognised category has no key (the end of its refusal or skip line).
OUTSIDE = "outside the 12 crime types"


def _keys(types: Iterable[CrimeType]) -> str:
    return ", ".join(f"{ct.key} (ICCS{ct.iccs})" for ct in types)


def _resolve_iccs(code: str) -> Resolution:
    """The key an ICCS code lies in; else the category it names, and why it has no key.

    A code above keys (a section, or a total such as ``0502`` Theft above vehicle theft)
    is a category of its own: national tables give such totals next to their parts, so
    it is refused or skipped like a category outside the keys, never split among them.
    """
    # The deepest key wins should one key's code ever lie below another's.
    holders = sorted(
        (ct for ct in CRIME_TYPES if descends(code, ct.iccs)), key=lambda ct: -len(ct.iccs)
    )
    if holders:
        return Resolution(holders[0].key)
    below = [ct for ct in CRIME_TYPES if descends(ct.iccs, code)]
    if len(below) > 1:
        reason = f"spans several crime types ({_keys(below)})"
    elif below:
        reason = f"spans {_keys(below)} and categories outside the 12 crime types"
    else:
        reason = OUTSIDE
    return Resolution(None, reason, category=iccs_name(code))


def _resolve_crime_type(value: object, crosswalk: Crosswalk | None) -> Resolution:
    text = as_text(value)
    key = fold(text)
    if not key:
        return Resolution(None, MISSING)
    index = _crime_index()
    if key in index:
        return Resolution(index[key])
    article = article_code(text) if crosswalk is not None else None
    if article is not None and article in crosswalk.lines:
        return Resolution(crosswalk.lines[article].key)
    code = parse_iccs(text) or _iccs_label_index().get(key)
    if code is not None:
        return _resolve_iccs(code)
    if article is not None:
        return Resolution(None, OUTSIDE, category=crosswalk.category(article))
    near = closest_key(key, index)
    suggestion = None
    if near is not None:
        found = next(ct for ct in CRIME_TYPES if ct.key == index[near])
        suggestion = f"Did you mean {found.key} ({found.label})?"
    elif crosswalk is None and article_code(text) is not None:
        suggestion = f"A criminal-code article? Choose a crosswalk: {', '.join(CROSSWALKS)}."
    return Resolution(None, "Not a known crime type.", suggestion)


def resolve_crime_types(
    values: Iterable[str], crosswalk: str | None = None
) -> dict[str, Resolution]:
    """Map raw crime-type values to the keys of :data:`~threatmon.registry.crime_types.CRIME_TYPES`.

    Parameters
    ----------
    values : iterable of str
        Distinct raw values: keys (``"migrant_smuggling"``, ``"Migrant-Smuggling"``),
        English labels and the registry's synonyms in any language, compared with
        :func:`fold` (so underscores, hyphens and spaces are alike); ICCS codes at any
        level with or without the prefix (``"0601"``, ``"ICCS030221"``) and ICCS labels
        (``"Smuggling of migrants"``); with ``crosswalk``, that country's criminal-code
        articles (``"332"``, ``"362^1"``).
    crosswalk : str, optional
        The name of a crosswalk of :mod:`threatmon.registry.crosswalks` (``"ua-cc"``).

    Returns
    -------
    dict of str to Resolution
        One entry per distinct value. An ICCS code maps to the key whose code it equals
        or lies below.
        An ICCS code or label that lies in no key (outside them, or above one or more of
        them) and an article missing from the crosswalk get ``category``
        (``"ICCS0101 Intentional homicide"``, ``"UA CC art. 115"``) and a reason that ends
        the category's line (``"outside the 12 crime types"``, ``"spans several crime types
        (…)"``): the caller refuses or skips them per category, not per value.
        Other unknown values get ``"Not a known crime type."`` and, when close,
        ``"Did you mean migrant_smuggling (Migrant smuggling)?"``.
    """
    table = None if crosswalk is None else get_crosswalk(crosswalk)
    return {value: _resolve_crime_type(value, table) for value in dict.fromkeys(values)}
