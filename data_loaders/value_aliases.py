"""A source's value aliases: values its files write that the registries do not know, and
the canonical value an analyst said each stands for.

An agency writes ``Cahull`` for Cahul in every extract; the check refuses it and
suggests ``MD-CA Cahul``. Accepting the suggestion (or choosing the value) once saves
``region_code: Cahull → MD-CA`` with the source, and every later check of that source's
files resolves ``Cahull`` as ``MD-CA`` before validating, without editing the file. The
aliases live in the source profile's options (``column_mappings.options``, key
``value_aliases``), so the CLI's ``--source NAME`` applies them too.

Only the columns resolved against a registry take aliases: country, region, crime type
and crossing point. A value is matched after :func:`~data_loaders.normalise.fold` (case,
diacritics and punctuation do not matter), and its target is checked as any value of the
file is: a region alias of another country than the row's is still refused.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from data_loaders import normalise
from data_loaders.normalise import fold
from threatmon.errors import Problem
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions

#: The source profile's option that holds the aliases: column → {value: target}.
OPTION = "value_aliases"
#: The contract columns whose values are resolved against a registry.
ALIAS_COLUMNS: tuple[str, ...] = ("country", "region_code", "crime_type", "crossing_point")
# The reasons of values an alias can resolve: unknown, or matching several.
_ALIASABLE = re.compile(r"Not a known |Not a recognised |Matches more than one ")
_SUGGESTED = re.compile(r"Did you mean (\S+)[ ?]")


def parse_aliases(aliases: Mapping[str, Mapping[str, str]] | None) -> dict[str, dict[str, str]]:
    """``aliases`` as a plain ``{column: {value: target}}``, checked.

    Raises
    ------
    ValueError
        For a column that takes no aliases, an empty value, or a target that is not a
        canonical value of its column (``alias_choices``).
    """
    checked: dict[str, dict[str, str]] = {}
    for column, values in (aliases or {}).items():
        if column not in ALIAS_COLUMNS:
            raise ValueError(
                f"Value aliases are for the columns {', '.join(ALIAS_COLUMNS)}. Got {column!r}."
            )
        for value, target in values.items():
            if not fold(str(value)):
                raise ValueError(f"A value alias of {column} needs a value. Got {value!r}.")
            if target not in alias_choices(column):
                raise ValueError(f"Not a {column} to alias {value!r} to. Got {target!r}.")
            checked.setdefault(column, {})[str(value)] = str(target)
    return checked


@functools.cache
def _choices(column: str) -> dict[str, str]:
    if column == "country":
        return dict(PROJECT_COUNTRIES)
    if column == "region_code":
        regions = load_regions()
        return dict(zip(regions["region_code"], regions["name_en"], strict=True))
    if column == "crime_type":
        return {ct.key: ct.label for ct in CRIME_TYPES}
    if column == "crossing_point":
        points = load_crossing_points()
        return dict(zip(points["crossing_point_id"], points["name_en"], strict=True))
    return {}


def alias_choices(column: str) -> dict[str, str]:
    """The canonical values of ``column`` an alias may point to → their English names
    (``{"MD-CA": "Cahul", …}``); empty for a column that takes no aliases."""
    return dict(_choices(column))


def alias_label(column: str, target: str) -> str:
    """``"MD-CA Cahul"``: a target with its name, as the check's suggestions write it."""
    name = _choices(column).get(target)
    if column in ("country", "crime_type") and name:
        return f"{target} ({name})"
    return f"{target} {name}" if name else target


def resolve_through(
    resolve: Callable[[list], dict], keys: Iterable, aliases: Mapping[str, str] | None
) -> dict:
    """``resolve(keys)``, each value with an alias resolved as its target instead.

    ``keys`` are a column's distinct raw values, or (raw value, country) pairs; the
    result is keyed by the raw ones, so the problems of a file still quote its values.
    """
    keys = list(keys)
    if not aliases:
        return resolve(keys)
    folded = {fold(value): target for value, target in aliases.items()}

    def through(key):
        if isinstance(key, tuple):
            return (folded.get(fold(str(key[0])), key[0]), *key[1:])
        return folded.get(fold(str(key)), key)

    targets = {key: through(key) for key in keys}
    resolved = resolve(list(dict.fromkeys(targets.values())))
    return {key: resolved[target] for key, target in targets.items()}


_RESOLVERS: dict[str, Callable] = {
    "country": lambda keys, crosswalk: normalise.resolve_countries(keys),
    "region_code": lambda keys, crosswalk: normalise.resolve_regions(keys),
    "crime_type": normalise.resolve_crime_types,
    "crossing_point": lambda keys, crosswalk: normalise.resolve_crossing_points(keys),
}


def resolve_values(column: str, options, keys: Iterable) -> dict:
    """Resolve the distinct values (or (value, country) pairs) of ``column`` against its
    registry, each value with one of ``options``' value aliases as its target instead.

    ``options`` is the file's :class:`~data_loaders.options.IngestOptions` (its
    crosswalk reads crime types).
    """
    resolver = _RESOLVERS[column]
    return resolve_through(
        lambda values: resolver(values, options.crosswalk), keys, options.aliases(column)
    )


@dataclass(frozen=True)
class AliasCandidate:
    """A value of the file that an alias could resolve: where, what, and the suggestion."""

    column: str
    header: str | None
    value: str
    reason: str
    #: The value the check suggested, when it named exactly one; else None.
    suggested: str | None
    #: Lines of the file (up to those listed) that hold the value.
    rows: tuple[int, ...]


def suggested_target(problem: Problem) -> str | None:
    """The one canonical value a problem's "Did you mean …?" names, or None (no
    suggestion, several values, or not a value of the column)."""
    if not problem.suggestion or " or " in problem.suggestion:
        return None
    found = _SUGGESTED.match(problem.suggestion)
    if found is None:
        return None
    target = found.group(1)
    return target if target in _choices(problem.column or "") else None


def alias_candidates(problems: Iterable[Problem]) -> list[AliasCandidate]:
    """The listed problems an alias could solve, one per column and value, in file order."""
    found: dict[tuple[str, str], AliasCandidate] = {}
    for problem in problems:
        column, value = problem.column, problem.value
        if column not in ALIAS_COLUMNS or value is None or problem.row is None:
            continue
        suggested = suggested_target(problem)
        if suggested is None and not _ALIASABLE.match(problem.reason):
            continue
        key = (column, str(value))
        if key in found:
            found[key] = replace(found[key], rows=(*found[key].rows, problem.row))
            continue
        found[key] = AliasCandidate(
            column, problem.header, str(value), problem.reason, suggested, (problem.row,)
        )
    return list(found.values())


def aliases_table(aliases: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str, str]]:
    """(column, value, target) rows of a source's aliases, by column then value."""
    return [
        (column, value, target)
        for column in ALIAS_COLUMNS
        for value, target in sorted((aliases.get(column) or {}).items())
    ]
