"""Countries and admin-1 regions: names, codes and aliases to ISO codes."""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

from data_loaders.normalise.text import MISSING, Resolution, as_text, closest_key, fold, join_names
from threatmon.registry.regions import (
    ALIAS_SEPARATOR,
    PROJECT_COUNTRIES,
    country_name,
    load_region_names,
    load_regions,
)

# ----------------------------------------------------------------------- countries

COUNTRY_COLUMNS = ("iso2", "iso3", "name_en", "aliases")


@functools.cache
def _country_rows() -> tuple[dict[str, str], ...]:
    path = resources.files("threatmon.registry").joinpath("data", "countries.csv")
    with path.open("r", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COUNTRY_COLUMNS:
            raise ValueError(
                f"countries.csv has columns {reader.fieldnames}, expected {COUNTRY_COLUMNS}"
            )
        return tuple(reader)


@functools.cache
def _country_index() -> dict[str, str]:
    """Folded ISO2, ISO3, English name and every alias → ISO2."""
    index: dict[str, str] = {}
    for row in _country_rows():
        names = [row["iso2"], row["iso3"], row["name_en"]]
        names += [a for a in row["aliases"].split(ALIAS_SEPARATOR) if a]
        for name in names:
            if index.setdefault(fold(name), row["iso2"]) != row["iso2"]:
                raise ValueError(f"countries.csv: {name!r} names two countries")
    return index


def _country_names() -> dict[str, str]:
    return {row["iso2"]: row["name_en"] for row in _country_rows()}


def _resolve_country(value: object) -> Resolution:
    key = fold(as_text(value))
    if not key:
        return Resolution(None, MISSING)
    iso2 = _country_index().get(key)
    if iso2 in PROJECT_COUNTRIES:
        return Resolution(iso2)
    if iso2 is not None:
        name = _country_names()[iso2]
        return Resolution(None, f"{name} ({iso2}) is not one of the project's countries.")
    # Suggest from names only: two- and three-letter codes are all "close" to each other.
    pool = {k: c for k, c in _country_index().items() if c in PROJECT_COUNTRIES and len(k) > 3}
    near = closest_key(key, pool)
    suggestion = None
    if near is not None:
        suggestion = f"Did you mean {pool[near]} ({PROJECT_COUNTRIES[pool[near]]})?"
    reason = f"Not a recognised name or code of a project country ({', '.join(PROJECT_COUNTRIES)})."
    return Resolution(None, reason, suggestion)


def resolve_countries(values: Iterable[str]) -> dict[str, Resolution]:
    """Map raw country values to ISO 3166-1 alpha-2 codes of the project countries.

    Parameters
    ----------
    values : iterable of str
        Distinct raw values: ISO2 (``"md"``), ISO3 (``"MDA"``), English, local,
        Romanian, Ukrainian or Russian names (``"Republica Moldova"``, ``"Молдавия"``),
        compared with :func:`fold`.

    Returns
    -------
    dict of str to Resolution
        One entry per distinct value. Belarus and Russia are recognised but rejected
        (``"Belarus (BY) is not one of the project's countries."``); anything else
        unknown gets a suggestion when a project country's name is close.
    """
    return {value: _resolve_country(value) for value in dict.fromkeys(values)}


# ------------------------------------------------------------------------- regions

# Words that say what kind of unit a name is, in English, Romanian, Ukrainian, Russian,
# Polish, Hungarian, Slovak, Lithuanian, Latvian, Estonian and Georgian, folded. They are
# stripped from either end of a value; the class they belong to breaks ties such as Kyiv
# (city) vs Kyiv (oblast).
_RAION, _OBLAST, _COUNTY, _VOIVODESHIP = "raion", "oblast", "county", "voivodeship"
_REGION, _MUNICIPALITY, _CITY, _AUTONOMOUS = "region", "municipality", "city", "autonomous"
_TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(
        "raion raionul raionului rajon rayon район района районе районі району "
        "district districtul".split(),
        _RAION,
    ),
    "р н": _RAION,  # "р-н", the usual abbreviation of район
    "r n": _RAION,
    # Polish "obwód" and Hungarian "terület" are the words for Ukraine's oblasts.
    **dict.fromkeys(
        "oblast oblasti obl область области області обл obwod obwodu terulet".split(), _OBLAST
    ),
    **dict.fromkeys(
        "judet judetul judetului jud county megye megyei varmegye vm maakond mk apskritis "
        "apskr уезд повіт жудец медье медьє".split(),
        _COUNTY,
    ),
    **dict.fromkeys(
        "voivodeship voivodship wojewodztwo wojewodztwa woj vojvodstvo vajdasag воеводство "
        "воєводство".split(),
        _VOIVODESHIP,
    ),
    **dict.fromkeys(
        [
            *"region regiunea regiune province provincia kraj край регион регіон kerulet".split(),
            *("mkhare", "მხარე", "samospravny kraj", "vuc", "self governing region"),
        ],
        _REGION,
    ),
    **dict.fromkeys(
        "municipality municipiul municipiului municipiu mun мун novads nov муниципий "
        "муніципій".split(),
        _MUNICIPALITY,
    ),
    **dict.fromkeys(
        [
            *"city oras orasul місто м город г miasto varos mesto miestas linn".split(),
            *"pilseta valstspilseta kalaki ქალაქი capital capitala fovaros столица".split(),
            # GADM's and UCDP's "Kiev Special Republican city"; Latvia's pre-2021 cities.
            "special republican city",
            "republican city",
            "republikas pilseta",
            "city with special status",
            "city of special status",
            "місто зі спеціальним статусом",
            "город со специальным статусом",
        ],
        _CITY,
    ),
    **dict.fromkeys(
        [
            "autonomous",
            "autonomous republic",
            "autonomous territorial unit",
            "republic",
            "ар",
            "автономна республіка",
            "автономная республика",
            "республика",
            "республіка",
            "uta",
            "atu",
            "unitatea teritoriala autonoma",
            "ато",  # автономное территориальное образование (Gagauzia)
            "автономне територіальне утворення",
            "автономное территориальное образование",
            "avtonomna respublika",
            "avtonomiuri respublika",
            "ავტონომიური რესპუბლიკა",
        ],
        _AUTONOMOUS,
    ),
}
_TYPE_PHRASES = sorted(
    ((tuple(fold(words).split()), cls) for words, cls in _TYPE_WORDS.items()),
    key=lambda item: -len(item[0]),
)
_NOT_CITIES = {
    "raion": 1,
    "oblast": 1,
    "county": 1,
    "voivodeship": 1,
    "region": 2,
    "autonomous republic": 1,
    "autonomous territorial unit": 1,
    "territorial unit": 1,
    "municipality": 1,
}
# How well each class of type word fits each ``type`` of regions.csv (0 = not at all).
_CLASS_FIT: dict[str, dict[str, int]] = {
    _RAION: {"raion": 2, "municipality": 1, "county": 1},
    _OBLAST: {"oblast": 2, "autonomous republic": 1, "region": 1},
    _COUNTY: {"county": 2, "raion": 1, "region": 1},
    _VOIVODESHIP: {"voivodeship": 2},
    _REGION: _NOT_CITIES,
    _MUNICIPALITY: {
        "municipality": 2,
        "capital": 1,
        "state city": 1,
        "city with special status": 1,
    },
    _CITY: {"city with special status": 2, "state city": 2, "capital": 2, "municipality": 1},
    _AUTONOMOUS: {
        "autonomous republic": 2,
        "autonomous territorial unit": 2,
        "territorial unit": 1,
    },
}


def _phrases_by_length() -> list[tuple[int, dict[tuple[str, ...], tuple[int, str]]]]:
    """The type phrases by length, longest first, each with its place in _TYPE_PHRASES."""
    tables: dict[int, dict[tuple[str, ...], tuple[int, str]]] = {}
    for order, (phrase, cls) in enumerate(_TYPE_PHRASES):
        tables.setdefault(len(phrase), {}).setdefault(phrase, (order, cls))
    return sorted(tables.items(), reverse=True)


_PHRASES_BY_LENGTH = _phrases_by_length()


def _strip_types(key: str) -> tuple[str, frozenset[str]]:
    """Remove type words from both ends of a folded value; return the core and classes.

    Each pass removes the first phrase of _TYPE_PHRASES (longest first) found at either
    end, the front before the back; looked up by length rather than tried one by one,
    since the registry's index strips every spelling of every region.
    """
    tokens = key.split()
    classes: set[str] = set()
    changed = True
    while changed:
        changed = False
        for n, table in _PHRASES_BY_LENGTH:
            if len(tokens) <= n:
                continue
            head = table.get(tuple(tokens[:n]))
            tail = table.get(tuple(tokens[-n:]))
            if head is not None and (tail is None or head[0] <= tail[0]):
                tokens, cls = tokens[n:], head[1]
            elif tail is not None:
                tokens, cls = tokens[:-n], tail[1]
            else:
                continue
            classes.add(cls)
            changed = True
            break
    return " ".join(tokens), frozenset(classes)


# Adjectival forms: Russian "Кагульский район", Ukrainian "Одеської області", and
# transliterated "Kagulskiy". Best effort: strip the inflection and the -ск-/-цьк-
# suffix and compare with the nominative stem ("Кагул" → "кагул").
_ADJ_CYRILLIC = re.compile(
    r"(?P<base>.+?)(?P<sfx>ськ|цьк|ск|цк)"
    # Endings as fold() writes them (ї → і): ий, ій, ая, ого, ої → оі, ому, ую …
    r"(?:ий|ій|ый|ой|ая|а|е|ое|ого|оі|ому|ую|у|их|ых|ие|ые|ей|ім|ими|ыми|і)"
)
_ADJ_LATIN = re.compile(
    r"(?P<base>.+?)(?P<sfx>tsk|sk|ck)(?:iy|yi|yy|ii|y|i|aya|a|e|oe|oye|ogo|oi|oy|oho|oyi)"
)
_TRAILING_VOWELS = re.compile(r"[аяыиіеєоуюьйaeiouy]+$")
_MIN_STEM = 3


def _trim(stem: str) -> set[str]:
    stem = _TRAILING_VOWELS.sub("", stem)
    out = {stem}
    if len(stem) > 1 and stem[-1] == stem[-2]:  # Одесса / Одеса, Черкассы / Черкаси
        out.add(stem[:-1])
    return out


def _stems(core: str) -> set[tuple[str, bool]]:
    """Stems of the last word of ``core``, each flagged True when read as an adjective."""
    head, _, last = core.rpartition(" ")
    prefix = f"{head} " if head else ""
    found: set[tuple[str, bool]] = set()
    match = _ADJ_CYRILLIC.fullmatch(last) or _ADJ_LATIN.fullmatch(last)
    if match:
        base, sfx = match["base"], match["sfx"]
        if sfx in ("ськ", "ск", "sk"):
            bases = {base, base + sfx[0]}  # Одеська ← Одеса, Київська ← Київ
        else:
            bases = {base + sfx[:-1].rstrip("ь")}  # Вінницька ← Вінниця, Vinnytska
        found = {(stem, True) for b in bases for stem in _trim(b)}
    else:
        stem = _TRAILING_VOWELS.sub("", last)
        variants = {stem}
        for ending in ("ськ", "ск", "sk", "к", "k"):  # Луганськ, Бессарабка
            if stem.endswith(ending):
                variants.add(stem[: -len(ending)])
        found = {(s, False) for v in variants for s in _trim(v)}
    return {(prefix + stem, adj) for stem, adj in found if len(stem) >= _MIN_STEM}


_CODE_KEY = re.compile(r"([a-z]{2}) ([a-z0-9]{1,3})")


@dataclass(frozen=True)
class _Region:
    code: str
    country: str
    name: str
    type: str


@dataclass(frozen=True)
class _RegionIndex:
    regions: dict[str, _Region]
    exact: dict[str, frozenset[str]]  # folded code, name or alias → codes
    loose: dict[str, frozenset[str]]  # the same with type words stripped
    stems: dict[str, frozenset[tuple[str, bool]]]  # stem → (code, from an adjective)
    codes: dict[str, str]  # folded current or former ISO 3166-2 code → code


def prepare_regions() -> None:
    """Build the indexes of country and region names now rather than at the first value
    resolved (once per process, about 0.05 s: see :mod:`data_loaders.warm_up`)."""
    _country_index()
    _region_index()


@functools.cache
def _region_index() -> _RegionIndex:
    regions: dict[str, _Region] = {}
    exact: dict[str, set[str]] = defaultdict(set)
    loose: dict[str, set[str]] = defaultdict(set)
    stems: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    codes: dict[str, str] = {}
    spellings: dict[str, list[str]] = defaultdict(list)
    names = load_region_names()
    for code, name in zip(names["region_code"].tolist(), names["name"].tolist(), strict=True):
        spellings[code].append(name)
    for row in load_regions().itertuples(index=False):
        code = row.region_code
        regions[code] = _Region(code, row.country, row.name_en, row.type)
        for raw in (code, row.name_en, row.name_local, *row.aliases, *spellings[code]):
            key = fold(raw)
            exact[key].add(code)
            if _CODE_KEY.fullmatch(key) and raw.upper() == raw:
                codes[key] = code  # MD-CA, and former codes kept as aliases (PL-DS, HU-DE)
                continue
            core, _ = _strip_types(key)
            loose[core].add(code)
            for stem in _stems(core):
                stems[stem[0]].add((code, stem[1]))
    return _RegionIndex(
        regions,
        {k: frozenset(v) for k, v in exact.items()},
        {k: frozenset(v) for k, v in loose.items()},
        {k: frozenset(v) for k, v in stems.items()},
        codes,
    )


def _best_fit(codes: set[str], classes: frozenset[str]) -> set[str]:
    """The codes whose type fits the stripped type words best (empty if none fits)."""
    regions = _region_index().regions
    scores = {c: max(_CLASS_FIT[cls].get(regions[c].type, 0) for cls in classes) for c in codes}
    best = max(scores.values(), default=0)
    return {c for c, s in scores.items() if s == best} if best > 0 else set()


def _stem_hits(core: str) -> tuple[set[str], set[str]]:
    """Regions whose stem matches: those read the same way (adjective or noun), and all."""
    # Only Cyrillic values and transliterated adjectives: a Latin nominative such as
    # "Sum" should be a typo with a suggestion, not quietly Sumy.
    if not re.search("[\u0400-\u04ff]", core) and not _ADJ_LATIN.fullmatch(core.split()[-1]):
        return set(), set()
    wanted = _stems(core)
    adjective = any(adj for _, adj in wanted)
    hits = {hit for stem, _ in wanted for hit in _region_index().stems.get(stem, ())}
    # "Київського" (adjective) means the oblast (Київська), "Київ" (noun) the city.
    return {code for code, adj in hits if adj == adjective}, {code for code, _ in hits}


def _match(key: str, allowed: Callable[[str], bool]) -> set[str]:
    """Codes that ``key`` names, trying exact names, then without type words, then stems."""
    index = _region_index()
    core, classes = _strip_types(key)
    stem_hits = functools.cache(lambda: _stem_hits(core))  # only if the names miss
    stages: tuple[Callable[[], Iterable[str]], ...] = (
        lambda: index.exact.get(key, ()),
        lambda: index.loose.get(core, ()),
        lambda: stem_hits()[0],
        lambda: stem_hits()[1],
    )
    fallback: set[str] = set()
    for stage in stages:
        hits = {code for code in stage() if allowed(code)}
        if not hits:
            continue
        if not classes:
            return hits
        # "Kyiv region" first finds Kyiv City by name; keep looking for a unit of the
        # kind the type word says, and fall back to the first find ("Cahul city").
        fitting = _best_fit(hits, classes)
        if fitting:
            return fitting
        fallback = fallback or hits
    return fallback


def _label(code: str) -> str:
    return f"{code} {_region_index().regions[code].name}"


def _region_country(country: object) -> tuple[str | None, Resolution | None]:
    """The row's country as ISO2, or a Resolution explaining why regions can't be known."""
    if country is None or not fold(as_text(country)):
        return None, None
    iso2 = _country_index().get(fold(as_text(country)))
    if iso2 in PROJECT_COUNTRIES:
        return iso2, None
    return None, Resolution(
        None,
        f"Regions are only known for the project's countries; the row's country is "
        f"{as_text(country)!r}.",
    )


@functools.cache
def _suggestion_pool(iso2: str | None) -> dict[str, frozenset[str]]:
    index = _region_index()
    pool: dict[str, set[str]] = defaultdict(set)
    for table in (index.exact, index.loose):
        for key, codes in table.items():
            mine = {c for c in codes if iso2 is None or index.regions[c].country == iso2}
            if mine and not _CODE_KEY.fullmatch(key):
                pool[key] |= mine
    return {k: frozenset(v) for k, v in pool.items()}


def _ambiguous(codes: set[str]) -> Resolution:
    regions = _region_index().regions
    ordered = sorted(codes)
    countries = {regions[c].country for c in codes}
    if len(countries) == 1:
        name = country_name(next(iter(countries)))
        listed = join_names([_label(c) for c in ordered])
        return Resolution(None, f"Matches more than one region of {name}: {listed}.")
    listed = join_names([f"{_label(c)} ({country_name(regions[c].country)})" for c in ordered])
    verb = "both match" if len(ordered) == 2 else "all match"
    return Resolution(
        None, f"Ambiguous without a country: {listed} {verb}.", "Add the country to the row."
    )


# --------------------------------------------------------------------- national rows

#: Region cells that stand for the whole of the row's country, folded. Only whole cells
#: and only words that name no part of a country: "Total Sud" or "Total regiunea Nord"
#: (a part) are no match and stay unknown regions.
TOTAL_WORDS: frozenset[str] = frozenset(
    fold(word)
    for word in (
        "Total",
        "National",
        "National total",
        "Country total",
        "Total național",
        "Total pe țară",
        "Total pe republică",
        "Всього",
        "Усього",
        "Всього по країні",
        "Загалом",
        "Всего",
        "Итого",
    )
)
#: Why a total row cannot be placed without a country column.
TOTAL_WITHOUT_COUNTRY = (
    "A total stands for the row's country, and the file has no country column (or the "
    "row's country cannot be read)."
)


def _national(key: str, iso2: str | None) -> Resolution | None:
    """The resolution of a region value that names a country or a total; None otherwise."""
    if key in TOTAL_WORDS:
        if iso2 is None:
            return Resolution(None, TOTAL_WITHOUT_COUNTRY, "Add a country column.")
        return Resolution(None, country=iso2)
    named = _country_index().get(key)
    if named is None:
        return None
    if named == iso2 or (iso2 is None and named in PROJECT_COUNTRIES):
        return Resolution(None, country=named)
    shown = f"{_country_names()[named]} ({named})"
    if iso2 is None:
        return Resolution(None, f"{shown} is not one of the project's countries.")
    return Resolution(
        None,
        f"{shown} is a country, not a region of {country_name(iso2)}.",
        "Leave the region empty for a national figure of the row's country.",
    )


def _resolve_region(value: object, country: object, suggest: bool = True) -> Resolution:
    key = fold(as_text(value))
    if not key:
        return Resolution(None, MISSING)
    iso2, refusal = _region_country(country)
    if refusal is not None:
        return refusal
    national = _national(key, iso2)
    if national is not None:
        return national
    index = _region_index()
    where = f"Not a known region of {country_name(iso2)}." if iso2 else "Not a known region."

    if _CODE_KEY.fullmatch(key):
        code = index.codes.get(key)
        if code is None:
            # A near code is a guess between unrelated units: no suggestion.
            return Resolution(None, where)
        home = index.regions[code].country
        if iso2 is not None and home != iso2:
            shown = key.replace(" ", "-").upper()
            reason = f"{shown} is in {country_name(home)}, but the row's country is {iso2}."
            return Resolution(None, reason)
        return Resolution(code)

    def in_country(code: str) -> bool:
        return iso2 is None or index.regions[code].country == iso2

    hits = _match(key, in_country)
    if len(hits) == 1:
        return Resolution(next(iter(hits)))
    if hits:
        return _ambiguous(hits)
    if not suggest:
        return Resolution(None, where)
    if iso2 is not None:
        elsewhere = sorted(_match(key, lambda code: True))
        if elsewhere:
            found = join_names(
                [f"{_label(c)} in {country_name(index.regions[c].country)}" for c in elsewhere]
            )
            return Resolution(None, where, f"It matches {found}; check the row's country.")
    core, _ = _strip_types(key)
    pool = _suggestion_pool(iso2)
    near = closest_key(core, pool)
    suggestion = None
    if near is not None:
        suggestion = f"Did you mean {' or '.join(_label(c) for c in sorted(pool[near]))}?"
    return Resolution(None, where, suggestion)


def resolve_regions(
    pairs: Iterable[tuple[str, str | None]], *, suggest: bool = True
) -> dict[tuple[str, str | None], Resolution]:
    """Map raw region values, each with its row's country, to ISO 3166-2 codes.

    Parameters
    ----------
    pairs : iterable of (str, str or None)
        Distinct (raw region value, ISO 3166-1 alpha-2 country or ``None``) pairs.
        Accepted values, compared with :func:`fold`:

        - current ISO 3166-2 codes in any case and with ``-``, space or ``_``
          (``"MD-CA"``, ``"md ca"``) and the former codes kept as aliases in
          ``regions.csv`` (Natural Earth ``"PL-DS"``, Hungarian city codes ``"HU-DE"``);
        - English and local names and every alias of ``regions.csv``, and every spelling
          of ``region_names.csv``: ISO 3166-2 names and their translations, KMU 2010 and
          BGN/PCGN romanisations, Russian-era names ("Zaporizhzhya", "Kishinev",
          "Nikolaev", "Kharkivshchyna");
        - those names with type words before or after them, in English, Romanian,
          Ukrainian, Russian, Polish, Hungarian, Slovak, Lithuanian, Latvian, Estonian and
          Georgian (``"Kiev Special Republican city"``): ``"Raionul Cahul"``, ``"р-н Кагул"``,
          ``"Jud. Suceava"``, ``"woj. podkarpackie"``, ``"Одесская обл."``, ``"mun.
          Chișinău"``, ``"Kyiv region"``. The kind of word breaks ties (``"Kyiv
          region"`` is the oblast, ``"Kyiv"`` and ``"Kyiv city"`` the city);
        - best effort, Russian and Ukrainian adjectives and their inflections
          (``"Кагульский район"``, ``"Одеської області"``).

        - the country itself, a national figure: its names and codes as
          ``countries.csv`` lists them (``"Moldova"``, ``"Republica Moldova"``,
          ``"Moldova, Republic of"``, ``"MDA"``, ``"Україна"``), and the words of
          :data:`TOTAL_WORDS` (``"Total"``, ``"Всього"``), which need the row's country.

    Returns
    -------
    dict of (str, str or None) to Resolution
        One entry per distinct pair; a national figure has ``value`` None and its
        ``country`` set. With a country, only its regions are candidates,
        and a code of another country is refused (``"MD-CA is in Moldova, but the row's
        country is RO."``); without one, a name shared by two countries is ambiguous.
        Unknown values get ``"Not a known region of Moldova."`` (or ``"Not a known
        region."``) and, when a name is close, ``"Did you mean MD-CA Cahul?"``; with
        ``suggest=False`` (telling which column holds the regions) no suggestion is
        looked for.
    """
    return {pair: _resolve_region(*pair, suggest=suggest) for pair in dict.fromkeys(pairs)}
