"""Crossing points: ids and names in any language of the registry to registry ids."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from data_loaders.normalise.text import Resolution, as_text, closest_key, fold, join_names
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import PROJECT_COUNTRIES, country_name

# The two towns of a name are joined by a dash ("Shehyni – Medyka"); fold() turns the
# dash into a space, so the split is made on the raw name.
_TOWN_SEPARATORS = (" – ", " — ", " - ")


@dataclass(frozen=True)
class _Point:
    point_id: str
    name: str
    countries: tuple[str, str]


@dataclass(frozen=True)
class _PointIndex:
    points: dict[str, _Point]
    # Folded id or English name → ids, then local names: a local name may be shared by a
    # road and a rail crossing ("Giurgiulești – Galați"), the English name never is.
    names: tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]
    towns: dict[str, frozenset[str]]  # folded single town → ids, for suggestions only


_KINDS = (" (rail)", " (ferry)")


def _spellings(name: str) -> tuple[list[str], list[str]]:
    """The keys a name is known by (as written, and with its towns swapped) and its towns."""
    kind = next((k for k in _KINDS if name.endswith(k)), "")
    core = name.removesuffix(kind)
    towns = [core]
    for separator in _TOWN_SEPARATORS:
        if separator in core:
            towns = [part.strip() for part in core.split(separator)]
            break
    # "Medyka – Shehyni" is the Polish side's way of writing "Shehyni – Medyka".
    keys = [fold(name), fold(" ".join(reversed(towns)) + kind)]
    return keys, [fold(town) for town in towns]


def prepare_crossing_points() -> None:
    """Build the index of crossing-point names now rather than at the first value resolved
    (once per process: see :mod:`data_loaders.warm_up`)."""
    _point_index()


@functools.cache
def _point_index() -> _PointIndex:
    points: dict[str, _Point] = {}
    english: dict[str, set[str]] = defaultdict(set)
    local: dict[str, set[str]] = defaultdict(set)
    towns: dict[str, set[str]] = defaultdict(set)
    for row in load_crossing_points().itertuples(index=False):
        point_id = row.crossing_point_id
        points[point_id] = _Point(point_id, row.name_en, (row.country_a, row.country_b))
        english[fold(point_id)].add(point_id)
        for name, table in ((row.name_en, english), (row.name_local, local)):
            keys, parts = _spellings(name)
            for key in keys:
                table[key].add(point_id)
            for town in parts:
                towns[town].add(point_id)
    return _PointIndex(
        points,
        tuple({k: frozenset(v) for k, v in table.items()} for table in (english, local)),
        {k: frozenset(v) for k, v in towns.items()},
    )


def _label(point_id: str) -> str:
    return f"{point_id} {_point_index().points[point_id].name}"


def _on_border(point_id: str, iso2: str | None) -> bool:
    return iso2 is None or iso2 in _point_index().points[point_id].countries


def _suggest(key: str, iso2: str | None) -> str | None:
    """ "Did you mean …?" with the nearest names, those on the row's country's border first."""
    index = _point_index()
    for wanted in (iso2, None) if iso2 is not None else (None,):
        for table in (*index.names, index.towns):
            pool = {
                k: ids
                for k, ids in table.items()
                if any(_on_border(point_id, wanted) for point_id in ids)
            }
            near = closest_key(key, pool)
            if near is not None:
                shown = sorted(p for p in pool[near] if _on_border(p, wanted))
                return f"Did you mean {' or '.join(_label(p) for p in shown)}?"
    return None


def _resolve_point(value: object, country: object) -> Resolution:
    key = fold(as_text(value))
    iso2 = as_text(country) if as_text(country) in PROJECT_COUNTRIES else None
    index = _point_index()
    hits = index.names[0].get(key) or index.names[1].get(key, frozenset())
    if not hits:
        return Resolution(None, "Not a known crossing point.", _suggest(key, iso2))
    mine = {p for p in hits if _on_border(p, iso2)}
    if len(mine) == 1:
        return Resolution(next(iter(mine)))
    if len(mine) > 1:
        listed = join_names([_label(p) for p in sorted(mine)])
        return Resolution(None, f"Matches more than one crossing point: {listed}.")
    # The name is known but none of its points is on the row's country's border.
    point_id = sorted(hits)[0]
    first, second = (country_name(c) for c in index.points[point_id].countries)
    reason = (
        f"{point_id} is on the border between {first} and {second}, "
        f"but the row's country is {iso2}."
    )
    return Resolution(None, reason, "Check the row's country or the crossing point.")


def resolve_crossing_points(
    pairs: Iterable[tuple[str, str | None]],
) -> dict[tuple[str, str | None], Resolution]:
    """Map raw crossing-point values, each with its row's country, to registry ids.

    Parameters
    ----------
    pairs : iterable of (str, str or None)
        Distinct (raw value, ISO 3166-1 alpha-2 country or ``None``) pairs. The country
        is the incident's country, or the receiving country of a flow. Accepted values,
        compared with :func:`fold`: the id (``"UA-PL-SHEHYNI"``, ``"ua pl shehyni"``)
        and the English or local name, with its two towns in either order
        (``"Shehyni – Medyka"``, ``"Medyka - Shehyni"``, ``"Шегині – Medyka"``).

    Returns
    -------
    dict of (str, str or None) to Resolution
        One entry per distinct pair. A point that is not on the border of the row's
        country is refused naming its two countries (``"UA-PL-SHEHYNI is on the border
        between Ukraine and Poland, but the row's country is MD."``); an unknown value
        gets ``"Not a known crossing point."`` and, when a name or a single town is
        close, ``"Did you mean UA-PL-SHEHYNI Shehyni – Medyka?"`` (points on the row's
        country's border first). Without a country (it could not be read: the row has
        its own problem) only the name is checked.
    """
    return {pair: _resolve_point(*pair) for pair in dict.fromkeys(pairs)}
