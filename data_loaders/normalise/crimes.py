"""Crime-type keys, labels and synonyms to registry keys."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from data_loaders.normalise.text import MISSING, Resolution, as_text, closest_key, fold
from threatmon.registry.crime_types import CRIME_TYPES

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


def _resolve_crime_type(value: object) -> Resolution:
    key = fold(as_text(value))
    if not key:
        return Resolution(None, MISSING)
    index = _crime_index()
    if key in index:
        return Resolution(index[key])
    near = closest_key(key, index)
    suggestion = None
    if near is not None:
        found = next(ct for ct in CRIME_TYPES if ct.key == index[near])
        suggestion = f"Did you mean {found.key} ({found.label})?"
    return Resolution(None, "Not a known crime type.", suggestion)


def resolve_crime_types(values: Iterable[str]) -> dict[str, Resolution]:
    """Map raw crime-type values to the keys of :data:`~threatmon.registry.crime_types.CRIME_TYPES`.

    Parameters
    ----------
    values : iterable of str
        Distinct raw values: keys (``"migrant_smuggling"``, ``"Migrant-Smuggling"``),
        English labels and the registry's synonyms in any language, compared with
        :func:`fold` (so underscores, hyphens and spaces are alike).

    Returns
    -------
    dict of str to Resolution
        One entry per distinct value; unknown values get ``"Not a known crime type."``
        and, when close, ``"Did you mean migrant_smuggling (Migrant smuggling)?"``.
    """
    return {value: _resolve_crime_type(value) for value in dict.fromkeys(values)}
