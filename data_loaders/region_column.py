"""Which column holds the regions, when several look like it: the file's values decide.

An event list may carry a "region" column of world regions ("Europe", UCDP GED) beside the
admin-1 names ("adm_1"), a national release a "region" of development regions beside its
"raion". :func:`data_loaders.mapping.map_columns` lists every header that may hold the
regions, admin-1 names first; here each is judged by how many of its distinct values
resolve to regions (or to the country itself) of the file's countries, and the first of
which most do is taken. An explicit mapping (``--map``, a saved source, the Upload page's
form) is never second-guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb

from data_loaders.mapping import ColumnMapping
from data_loaders.normalise import fold, resolve_countries, resolve_regions
from data_loaders.normalise.text import join_names
from data_loaders.readers import RawTable
from threatmon.errors import Problem
from threatmon.registry.regions import country_name

#: World and continental regions (UN M49 and the data sets' own), folded: a column of these
#: says where the country lies, not where in the country.
WORLD_REGIONS: frozenset[str] = frozenset(
    fold(name)
    for name in (
        "Europe",
        "Eastern Europe",
        "Western Europe",
        "Northern Europe",
        "Southern Europe",
        "Central Europe",
        "Central and Eastern Europe",
        "Europe and Central Asia",
        "Europe & Central Asia",
        "Eurasia",
        "Asia",
        "Central Asia",
        "Western Asia",
        "Middle East",
        "Africa",
        "Americas",
        "North America",
        "South America",
        "Latin America",
        "Oceania",
        "Caucasus",
        "South Caucasus",
        "Europa",
        "Europa de Est",
        "Європа",
        "Східна Європа",
        "Европа",
        "Восточная Европа",
    )
)
#: Distinct values judged per column, the most frequent first.
_SAMPLE = 5000
#: Listed world regions in a reason.
_SHOWN = 3


@dataclass(frozen=True)
class RegionColumn:
    """The region column chosen for a file, and why."""

    column: str | None
    """The file header that feeds ``region_code``; None when none does."""
    reason: str | None
    """One sentence for the summary; None when there was nothing to choose."""
    mapping: ColumnMapping
    """The column mapping with the choice applied."""
    problem: Problem | None = None
    """A refusal of the file: the candidates' values look like places but none resolve."""


@dataclass(frozen=True)
class _Judged:
    header: str
    values: int  # distinct non-empty values judged
    resolved: int  # of which name a region or the country of the row
    world: tuple[str, ...]  # the values that are world regions
    countries: tuple[str, ...]  # the countries of the resolved values

    @property
    def only_world(self) -> bool:
        return self.values > 0 and len(self.world) == self.values

    @property
    def mostly_regions(self) -> bool:
        return self.resolved * 2 > self.values

    def summary(self) -> str:
        """``"'adm_1': 13 of 13 distinct values are regions of Ukraine"``."""
        if self.only_world:
            shown = ", ".join(self.world[:_SHOWN]) + (", …" if len(self.world) > _SHOWN else "")
            return f"{self.header!r} holds world regions ({shown})"
        if not self.values:
            return f"{self.header!r} is empty"
        where = "regions"
        if self.countries and len(self.countries) <= 3:
            where += " of " + join_names([country_name(c) for c in self.countries])
        few = "only " if not self.mostly_regions else ""
        share = f"{self.resolved:,} of {self.values:,}"
        return f"{self.header!r}: {few}{share} distinct values are {where}"


def _judge(con: duckdb.DuckDBPyConnection, raw: RawTable, header: str, country: str | None):
    column = f"c{raw.columns.index(header)}"
    nation = f"r.c{raw.columns.index(country)}" if country else "NULL"
    rows = con.execute(
        f"SELECT r.{column}, {nation}, count(*) AS n FROM {raw.table} r "
        f"WHERE r.{column} IS NOT NULL GROUP BY ALL ORDER BY n DESC, 1 LIMIT {_SAMPLE}"
    ).fetchall()
    countries = resolve_countries({str(c) for _, c, _ in rows if c is not None})
    pairs = [(str(v), countries[str(c)].value if c is not None else None) for v, c, _ in rows]
    resolutions = resolve_regions(pairs, suggest=False)
    resolved: dict[str, set[str]] = {}
    for (value, _), found in resolutions.items():
        if found.value or found.country:
            resolved.setdefault(value, set()).add((found.value or found.country)[:2])
    values = list(dict.fromkeys(value for value, _ in pairs))
    world = tuple(v for v in values if fold(v) in WORLD_REGIONS)
    codes = sorted({c for found in resolved.values() for c in found})
    return _Judged(header, len(values), len(resolved), world, tuple(codes))


def _with_column(mapping: ColumnMapping, header: str | None) -> ColumnMapping:
    """``mapping`` with ``header`` (or nothing) feeding ``region_code``; the other
    candidates ignored."""
    columns = {h: t for h, t in mapping.columns.items() if t != "region_code"}
    if header is not None:
        columns[header] = "region_code"
    ignored = [h for h in mapping.ignored if h != header]
    ignored += [h for h in mapping.region_candidates if h != header and h not in ignored]
    return replace(mapping, columns=columns, ignored=tuple(ignored))


def choose_region_column(
    con: duckdb.DuckDBPyConnection, raw: RawTable, mapping: ColumnMapping
) -> RegionColumn:
    """Choose the column that holds the file's regions among ``mapping.region_candidates``.

    Parameters
    ----------
    con : DuckDB connection
        Holds ``raw.table``.
    raw : RawTable
    mapping : ColumnMapping
        As :func:`data_loaders.mapping.map_columns` made it.

    Returns
    -------
    RegionColumn
        The first candidate most of whose distinct values (the 5,000 most frequent) name a
        region or the country of their row; else, of the candidates that hold more than
        world regions, the one with the largest share (its unknown values are then the
        rows' problems), with a problem for the file when several were tried; else, when
        every candidate holds world regions only, no region column, provided the rows
        have a country column or coordinates to be placed by; else the first candidate
        and a problem. The reason names the column and what was found in each.
    """
    region = mapping.canonical.get("region_code")
    if not mapping.region_candidates:
        reason = f"Region column {region!r}: chosen in the mapping." if region else None
        return RegionColumn(region, reason, mapping)
    country = mapping.canonical.get("country")
    judged = [_judge(con, raw, header, country) for header in mapping.region_candidates]
    others = [j.summary() for j in judged]
    chosen = next((j for j in judged if j.values and j.mostly_regions), None)
    problem = None
    if chosen is None:
        places = [j for j in judged if j.values and not j.only_world]
        empty = [j for j in judged if not j.values]
        if places:
            chosen = max(places, key=lambda j: (j.resolved / j.values, -judged.index(j)))
            if len(places) > 1:
                problem = _unresolved(judged)
        elif empty:
            chosen = empty[0]
        elif country or {"latitude", "longitude"} <= mapping.canonical.keys():
            text = "; ".join(others)
            how = "placed by their coordinates" if not country else "national figures"
            if country and {"latitude", "longitude"} <= mapping.canonical.keys():
                how = "placed by their coordinates, or national figures without them"
            reason = f"No region column: {text}, so the rows are {how}."
            return RegionColumn(None, reason, _with_column(mapping, None))
        else:
            chosen, problem = judged[0], _unresolved(judged)
    rest = [text for j, text in zip(judged, others, strict=True) if j is not chosen]
    reason = f"Region column {chosen.summary()}"
    reason += f"; {'; '.join(rest)}." if rest else "."
    return RegionColumn(chosen.header, reason, _with_column(mapping, chosen.header), problem)


def _unresolved(judged: list[_Judged]) -> Problem:
    tried = "; ".join(j.summary() for j in judged)
    return Problem(
        None,
        "region_code",
        None,
        f"No column holds mostly regions of the file's countries: {tried}.",
        "Map the column that holds the regions with --map COLUMN=region_code (on the Upload "
        "page, in the column mapping), or correct the names listed below.",
    )
