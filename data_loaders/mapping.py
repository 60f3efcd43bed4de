"""Column mapping: which file column feeds which contract column.

Headers are matched, after folding case, diacritics, spaces and punctuation, against
the canonical names and their common synonyms in English, Romanian, Ukrainian and
Russian. An explicit mapping (``--map SRC=DST`` or the Upload page's form) wins over
synonyms and can be saved per source. Columns that match nothing are ignored and
listed, unless they look like a misspelt contract column, which is an error: a
"victms" column silently ignored would lose data.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from threatmon.contract import (
    FLOW_OPTIONAL,
    FLOW_REQUIRED,
    INCIDENT_OPTIONAL,
    INCIDENT_REQUIRED,
)
from threatmon.errors import Problem

IGNORE = "-"
"""Map a column to this to ignore it explicitly (``--map "Notes=-"``)."""

KINDS = ("incidents", "flows")

#: The first day of a period given by its two ends: date synonyms only where there is a
#: ``period_end`` (in a flow file, "from" may well be a country).
PERIOD_START: tuple[str, ...] = ("period start", "start", "start date", "from", "date from")

# Synonyms are written plainly; they are folded like headers before comparison.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": (
        "day",
        "event date",
        "incident date",
        "date of incident",
        "data",
        "data incidentului",
        "data evenimentului",
        "дата",
        "дата події",
        "дата происшествия",
        "datum",
        "dátum",
        # A period, for tables of weekly, monthly, quarterly or yearly figures.
        "period",
        "time",
        "time period",
        "year",
        "quarter",
        "month",
        "week",
        "perioada",
        "anul",
        "luna",
        "період",
        "рік",
        "місяць",
        "период",
        "год",
        "месяц",
        *PERIOD_START,
    ),
    "period_end": ("period end", "end", "end date", "to", "date to"),
    "country": (
        "country code",
        "iso2",
        "country iso",
        "geo",  # Eurostat
        "tara",
        "ţara",
        "țara",
        "країна",
        "страна",
        "state",
    ),
    "region_code": (
        "region",
        "region name",
        "admin1",
        "adm1",
        "adm_1",  # UCDP GED
        "admin 1",
        "adm1 name",
        "admin1 name",
        "name_1",  # GADM
        "province",
        "oblast",
        "raion",
        "rayon",
        "district",
        "county",
        "judet",
        "județ",
        "judetul",
        "regiune",
        "regiunea",
        "область",
        "район",
        "регіон",
        "регион",
        "voivodeship",
        "wojewodztwo",
        "województwo",
        "megye",
        "kraj",
        "maakond",
        "novads",
        "mkhare",
        "iso 3166 2",
    ),
    "crime_type": (
        "crime",
        "offence",
        "offense",
        "offence type",
        "category",
        "crime category",
        "tip infractiune",
        "tipul infracțiunii",
        "infracțiune",
        "вид злочину",
        "злочин",
        "вид преступления",
        "преступление",
        "kategoria",
        # National tables name the category by its ICCS code or criminal-code article.
        "iccs",
        "iccs code",
        "article",
        "articol",
        "стаття",
        "article no",
        "article number",
    ),
    "count": (
        "n",
        "number",
        "cases",
        "incidents",
        "number of incidents",
        "numar",
        "număr",
        "nr",
        "cazuri",
        "кількість",
        "количество",
        "liczba",
        "total",
        "offences",
        "offenses",
        "recorded offences",
        "obs value",  # Eurostat
        "registered",  # prosecutors' forms: offences registered in the period
        "registered offences",
        "crimes",
        "infracțiuni",
        "infractiuni",
        "infracțiuni înregistrate",
        "зареєстровано",
        "кримінальні правопорушення",
        "преступления",
    ),
    "crossing_point": (
        "bcp",
        "border crossing point",
        "border crossing",
        "crossing",
        "punct de trecere",
        "punctul de trecere",
        "пункт пропуску",
        "пункт пропуска",
        "checkpoint",
    ),
    "latitude": ("lat", "y", "latitudine", "широта"),
    "longitude": ("lon", "lng", "long", "x", "longitudine", "довгота", "долгота"),
    "victims": (
        "victim count",
        "number of victims",
        "victime",
        "жертви",
        "потерпілі",
        "потерпевшие",
        "жертвы",
    ),
    "suspects": (
        "suspect count",
        "number of suspects",
        "suspecti",
        "suspecți",
        "підозрювані",
        "подозреваемые",
        "offenders",
    ),
    "source": (
        "reporting agency",
        "agency",
        "institution",
        "sursa",
        "sursă",
        "джерело",
        "источник",
    ),
    "incident_id": (
        "id",
        "case id",
        "case number",
        "incident number",
        "record id",
        "nr dosar",
        "номер справи",
        "номер дела",
    ),
    "arrivals": (
        "entries",
        "entered",
        "crossings",
        "inflow",
        "intrari",
        "intrări",
        "в'їзд",
        "въезд",
        "прибуття",
        "arrivals from ukraine",
    ),
    "departures": ("exits", "exited", "outflow", "returns", "iesiri", "ieșiri", "виїзд", "выезд"),
}


#: The order in which columns that may hold the regions are tried (folded headers): the
#: names of an admin-1 level first; "region" last, since event lists use it for world
#: regions ("Europe") and national releases for development regions. Others follow in
#: file order.
REGION_PRIORITY: tuple[str, ...] = (
    "region code",
    "iso 3166 2",
    "adm1",
    "adm 1",
    "admin1",
    "admin 1",
    "adm1 name",
    "admin1 name",
    "name 1",
    "oblast",
    "область",
    "raion",
    "rayon",
    "район",
    "judet",
    "judetul",
    "county",
    "voivodeship",
    "wojewodztwo",
    "megye",
    "kraj",
    "maakond",
    "novads",
    "mkhare",
    "district",
    "province",
)


def contract_columns(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) contract columns of ``kind`` ("incidents" or "flows")."""
    if kind == "incidents":
        return INCIDENT_REQUIRED, INCIDENT_OPTIONAL
    if kind == "flows":
        return FLOW_REQUIRED, FLOW_OPTIONAL
    raise ValueError(f"`kind` must be one of 'incidents', 'flows'. Got {kind!r}.")


def fold_header(text: str) -> str:
    """A header's comparison key: lower case, no diacritics, words joined by one space."""
    text = unicodedata.normalize("NFKD", str(text).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


@dataclass(frozen=True)
class ColumnMapping:
    """The outcome of matching a file's headers to the contract."""

    columns: dict[str, str]
    """file header → contract column, for every header that feeds the contract."""
    ignored: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    region_candidates: tuple[str, ...] = ()
    """Headers that may hold the regions, in the order to try them (:data:`REGION_PRIORITY`),
    when no explicit mapping names the region column; the first feeds ``region_code``
    until the values decide (:mod:`data_loaders.region_column`), the others are ignored."""

    @property
    def canonical(self) -> dict[str, str]:
        """contract column → file header."""
        return {dst: src for src, dst in self.columns.items()}


def parse_map_option(text: str) -> dict[str, str]:
    """Parse ``"Raion=region_code,Notes=-"`` into a dict; raise ValueError on bad syntax."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ValueError(f"--map entries look like SOURCE=TARGET. Got {item!r}.")
        mapping[source.strip()] = target.strip()
    return mapping


def map_columns(
    headers: Iterable[str], kind: str, explicit: Mapping[str, str] | None = None
) -> ColumnMapping:
    """Match file headers to contract columns.

    Parameters
    ----------
    headers : iterable of str
        The file's header cells, in order.
    kind : {"incidents", "flows"}
    explicit : mapping, optional
        file header → contract column (or ``"-"`` to ignore), applied first.

    Returns
    -------
    ColumnMapping
        Problems (row None) for: an explicit target that is not a contract column,
        an explicit source that is not in the file, two headers feeding one column,
        a required column that nothing feeds (with the closest unmatched header as
        suggestion), and an unmatched header that looks like a misspelt contract column.
    """
    required, optional = contract_columns(kind)
    allowed = required + optional
    headers = list(headers)
    explicit = dict(explicit or {})
    problems: list[Problem] = []
    columns: dict[str, str] = {}
    ignored: list[str] = []

    by_fold = {fold_header(h): h for h in headers}
    for source, target in explicit.items():
        header = source if source in headers else by_fold.get(fold_header(source))
        if header is None:
            problems.append(
                Problem(
                    None,
                    source,
                    None,
                    f"The mapping names a column that is not in the file. "
                    f"File columns: {', '.join(headers)}.",
                )
            )
            continue
        if target == IGNORE:
            ignored.append(header)
        elif target not in allowed:
            problems.append(
                Problem(
                    None,
                    header,
                    target,
                    f"Cannot map to {target!r}: not a column of {kind}. "
                    f"Allowed: {', '.join(allowed)}, or '-' to ignore.",
                )
            )
        else:
            columns[header] = target

    lookup = _synonym_lookup(allowed)
    unmatched: list[str] = []
    regions: list[str] = []
    for header in headers:
        if header in columns or header in ignored or header in explicit:
            continue
        target = lookup.get(fold_header(header))
        if target is None:
            unmatched.append(header)
        elif target == "region_code":
            regions.append(header)
        else:
            columns[header] = target
    # Several columns may look like the regions (UCDP's "region" of world regions beside
    # "adm_1"): an explicit choice wins, else the file's values decide among them.
    candidates: tuple[str, ...] = ()
    if regions and "region_code" in columns.values():
        ignored += regions
    elif regions:
        candidates = tuple(sorted(regions, key=_region_rank))
        columns[candidates[0]] = "region_code"
        ignored += candidates[1:]

    fed: dict[str, list[str]] = {}
    for header, target in columns.items():
        fed.setdefault(target, []).append(header)
    for target, sources in fed.items():
        if len(sources) > 1:
            problems.append(
                Problem(
                    None,
                    target,
                    None,
                    f"Columns {', '.join(map(repr, sources))} all map to "
                    f"{target!r}; keep one, or map the others to '-'.",
                )
            )

    still_needed = [c for c in allowed if c not in fed]
    for header in unmatched:
        close = difflib.get_close_matches(fold_header(header), still_needed, n=1, cutoff=0.8)
        if close:
            problems.append(
                Problem(
                    None,
                    header,
                    None,
                    f"Column {header!r} looks like {close[0]!r} but does not match it.",
                    f"Rename it to {close[0]}, or map {header!r} to {close[0]} "
                    "(or to '-' to ignore it).",
                )
            )
        else:
            ignored.append(header)
    # Region codes name their country, and so do coordinates (the region they lie in);
    # without either (national figures) it is needed.
    placed = "region_code" in fed or {"latitude", "longitude"} <= fed.keys()
    missing_ok = {"country"} if kind == "incidents" and placed else set()
    for target in required:
        if target in fed or target in missing_ok:
            continue
        candidates = [h for h in ignored if h not in explicit]
        hint = (
            f"Map one of the unrecognised columns ({', '.join(map(repr, candidates))}) to {target}."
            if candidates
            else None
        )
        problems.append(
            Problem(None, target, None, f"Required column {target!r} is missing.", hint)
        )
    return ColumnMapping(
        columns=columns,
        ignored=tuple(ignored),
        problems=tuple(problems),
        region_candidates=candidates,
    )


def _region_rank(header: str) -> int:
    key = fold_header(header)
    return REGION_PRIORITY.index(key) if key in REGION_PRIORITY else len(REGION_PRIORITY)


def column_synonyms(column: str, kind: str) -> tuple[str, ...]:
    """The other headers that feed ``column`` in a file of ``kind``."""
    required, optional = contract_columns(kind)
    spans = "period_end" in required + optional
    return tuple(s for s in SYNONYMS.get(column, ()) if spans or s not in PERIOD_START)


def _synonym_lookup(allowed: tuple[str, ...]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in allowed:
        lookup[fold_header(column)] = column
        for synonym in SYNONYMS.get(column, ()):
            if synonym in PERIOD_START and "period_end" not in allowed:
                continue
            lookup.setdefault(fold_header(synonym), column)
    return lookup
