"""Turn the messy values of an upload into the contract's canonical ones.

Every function here works on the *distinct* raw values of one column (a file of
10 million rows has a few hundred distinct region names), so plain Python loops are
fine and nothing here touches DuckDB or Streamlit. Each value maps to a canonical value
or to a reason written as a full sentence, ready for a report line such as
``row 12, column 'region': Not a known region of Moldova. Got 'Cahull'. Did you mean
MD-CA Cahul?``.

- :func:`fold` is the comparison key for names: case, diacritics, Cyrillic ``ё``,
  hyphens, dots and apostrophes do not matter.
- :func:`resolve_countries`, :func:`resolve_regions` and :func:`resolve_crime_types`
  map names, codes and synonyms to ISO 3166-1 alpha-2 codes, ISO 3166-2 codes and
  crime-type keys, with a "Did you mean …?" suggestion for near misses.
- :func:`detect_date_convention` decides one date convention per file and names every
  value that cannot be read under it; :func:`parse_dates` applies it.
- :func:`parse_count` reads a non-negative whole number.

The country names live in ``data/countries.csv`` (see ``data/COUNTRIES.md``), region
names in ``data/regions.csv`` (see :mod:`data_loaders.regions`), crime-type synonyms in
:mod:`data_loaders.crime_types`.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

from data_loaders.crime_types import CRIME_TYPES
from data_loaders.regions import ALIAS_SEPARATOR, PROJECT_COUNTRIES, country_name, load_regions

__all__ = [
    "DateConvention",
    "Resolution",
    "detect_date_convention",
    "fold",
    "parse_count",
    "parse_dates",
    "resolve_countries",
    "resolve_crime_types",
    "resolve_regions",
]

MISSING = "Value is missing."

# --------------------------------------------------------------------------- fold

# Removed outright, so "L'viv", "Lʼviv" and "Lviv" meet (ʼ U+02BC is the Ukrainian
# apostrophe, ʹ U+02B9 the transliteration soft sign of "Volynʹ").
_APOSTROPHES = frozenset("'’‘ʼʹ`´′")
# Letters that NFKD leaves alone but that people type without their stroke, and ґ, which
# Soviet-era spelling (still common in Russian-language systems) writes as г.
_LETTERS = {"ł": "l", "đ": "d", "ø": "o", "ı": "i", "æ": "ae", "œ": "oe", "ґ": "г"}
# й is a letter of its own in Russian and Ukrainian, not и with a breve: keep it. ё and ї
# lose their diaeresis (е/ё are written interchangeably; ї → і).
_KEEP = frozenset("й")
# Look-alike letters: extracts typed on mixed keyboards put Latin "c", "o", "i" into
# Cyrillic words and vice versa. Lower case only, because fold() casefolds first; m, h,
# t and b come from the capitals М, Н, Т, В.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxyikmhtb", "асеорхуікмнтв")
_CYRILLIC_TO_LATIN = str.maketrans("асеорхуік", "aceopxyik")


def _is_separator(char: str) -> bool:
    return char.isspace() or char in "._" or unicodedata.category(char) == "Pd"


def _unmix(word: str) -> str:
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in word)
    latin = sum("a" <= c <= "z" for c in word)
    if cyrillic and latin:
        if cyrillic > latin:
            return word.translate(_LATIN_TO_CYRILLIC)
        if latin > cyrillic:
            return word.translate(_CYRILLIC_TO_LATIN)
    return word


def _fold_once(text: str) -> str:
    chars: list[str] = []
    for char in unicodedata.normalize("NFC", text).casefold():
        if char in _KEEP:
            chars.append(char)
            continue
        if char in _APOSTROPHES:
            continue
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            # NFKD can produce capitals (ℌ → H) and casefold can produce several letters.
            for letter in part.casefold():
                if letter in _APOSTROPHES:
                    continue
                chars.append(" " if _is_separator(letter) else _LETTERS.get(letter, letter))
    return " ".join(_unmix(word) for word in "".join(chars).split())


def fold(text: str) -> str:
    """Return the comparison key of a name: case-, diacritic- and punctuation-insensitive.

    Parameters
    ----------
    text : str
        Any text, e.g. ``"Ştefan-Vodă"`` or ``"Одеська обл."``.

    Returns
    -------
    str
        Lower-case (casefolded) text without combining marks, so ş/ș → s, ţ/ț → t,
        ă/â → a, î → i, ő → o; ł → l. Cyrillic stays Cyrillic, with ё → е, ї → і,
        ґ → г (й is kept). Apostrophes (``'`` ``’`` ``ʼ`` …) are removed; whitespace,
        hyphens and dashes, dots and underscores become single spaces; the ends are
        stripped. Look-alike letters of the other script inside a mostly-Cyrillic or
        mostly-Latin word are replaced (a Latin ``i`` typed in ``"Kиiв"``).
        ``fold(fold(x)) == fold(x)``.

    Examples
    --------
    >>> fold("  Raionul  Ştefan-Vodă ")
    'raionul stefan voda'
    >>> fold("Придністров'я") == fold("придністровя")
    True
    """
    # A second pass settles the rare characters whose folded form folds further
    # (compatibility forms that decompose into letters with their own case mappings).
    current = _fold_once(text)
    for _ in range(3):
        again = _fold_once(current)
        if again == current:
            break
        current = again
    return current


# --------------------------------------------------------------------- resolutions


@dataclass(frozen=True)
class Resolution:
    """The canonical value of one raw value, or why there is none.

    Attributes
    ----------
    value : str or None
        The canonical value (ISO code or crime-type key); ``None`` if not resolved.
    reason : str or None
        A full sentence saying why ``value`` is ``None``.
    suggestion : str or None
        A full sentence such as ``"Did you mean MD-CA Cahul?"``.
    """

    value: str | None
    reason: str | None = None
    suggestion: str | None = None


def _text(value: object) -> str:
    # DISTINCT values come from a database: tolerate None and non-strings, never raise.
    return "" if value is None else str(value)


def _closest(key: str, pool: Iterable[str], cutoff: float = 0.8) -> str | None:
    matches = difflib.get_close_matches(key, list(pool), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ----------------------------------------------------------------------- countries

COUNTRY_COLUMNS = ("iso2", "iso3", "name_en", "aliases")


@functools.cache
def _country_rows() -> tuple[dict[str, str], ...]:
    path = resources.files("data_loaders").joinpath("data", "countries.csv")
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
    key = fold(_text(value))
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
    near = _closest(key, pool)
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

# Words that say what kind of unit a name is, in English, Romanian, Ukrainian,
# Russian and the local languages, folded. They are stripped from either end of a
# value; the class they belong to breaks ties such as Kyiv (city) vs Kyiv (oblast).
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
    **dict.fromkeys("oblast oblasti obl область области області обл".split(), _OBLAST),
    **dict.fromkeys(
        "judet judetul judetului jud county megye varmegye vm maakond apskritis уезд "
        "повіт жудец медье медьє".split(),
        _COUNTY,
    ),
    **dict.fromkeys(
        "voivodeship voivodship wojewodztwo woj воеводство воєводство".split(), _VOIVODESHIP
    ),
    **dict.fromkeys("region regiunea regiune kraj край регион регіон მხარე".split(), _REGION),
    **dict.fromkeys(
        "municipality municipiul municipiului municipiu mun novads муниципий муніципій".split(),
        _MUNICIPALITY,
    ),
    **dict.fromkeys(
        "city oras orasul місто м город г valstspilseta miasto varos mesto miestas linn "
        "capital capitala fovaros столица".split(),
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


def _strip_types(key: str) -> tuple[str, frozenset[str]]:
    """Remove type words from both ends of a folded value; return the core and classes."""
    tokens = key.split()
    classes: set[str] = set()
    changed = True
    while changed:
        changed = False
        for phrase, cls in _TYPE_PHRASES:
            n = len(phrase)
            if len(tokens) <= n:
                continue
            if tuple(tokens[:n]) == phrase:
                tokens = tokens[n:]
            elif tuple(tokens[-n:]) == phrase:
                tokens = tokens[:-n]
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


@functools.cache
def _region_index() -> _RegionIndex:
    regions: dict[str, _Region] = {}
    exact: dict[str, set[str]] = defaultdict(set)
    loose: dict[str, set[str]] = defaultdict(set)
    stems: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    codes: dict[str, str] = {}
    for row in load_regions().itertuples(index=False):
        code = row.region_code
        regions[code] = _Region(code, row.country, row.name_en, row.type)
        for raw in (code, row.name_en, row.name_local, *row.aliases):
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
    if country is None or not fold(_text(country)):
        return None, None
    iso2 = _country_index().get(fold(_text(country)))
    if iso2 in PROJECT_COUNTRIES:
        return iso2, None
    return None, Resolution(
        None,
        f"Regions are only known for the project's countries; the row's country is "
        f"{_text(country)!r}.",
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
        listed = _join([_label(c) for c in ordered])
        return Resolution(None, f"Matches more than one region of {name}: {listed}.")
    listed = _join([f"{_label(c)} ({country_name(regions[c].country)})" for c in ordered])
    verb = "both match" if len(ordered) == 2 else "all match"
    return Resolution(
        None, f"Ambiguous without a country: {listed} {verb}.", "Add the country to the row."
    )


def _resolve_region(value: object, country: object) -> Resolution:
    key = fold(_text(value))
    if not key:
        return Resolution(None, MISSING)
    iso2, refusal = _region_country(country)
    if refusal is not None:
        return refusal
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
    if iso2 is not None:
        elsewhere = sorted(_match(key, lambda code: True))
        if elsewhere:
            found = _join(
                [f"{_label(c)} in {country_name(index.regions[c].country)}" for c in elsewhere]
            )
            return Resolution(None, where, f"It matches {found}; check the row's country.")
    core, _ = _strip_types(key)
    pool = _suggestion_pool(iso2)
    near = _closest(core, pool)
    suggestion = None
    if near is not None:
        suggestion = f"Did you mean {' or '.join(_label(c) for c in sorted(pool[near]))}?"
    return Resolution(None, where, suggestion)


def resolve_regions(
    pairs: Iterable[tuple[str, str | None]],
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
        - English and local names and every alias of ``regions.csv``;
        - those names with type words before or after them, in English, Romanian,
          Ukrainian, Russian and local languages: ``"Raionul Cahul"``, ``"р-н Кагул"``,
          ``"Jud. Suceava"``, ``"woj. podkarpackie"``, ``"Одесская обл."``, ``"mun.
          Chișinău"``, ``"Kyiv region"``. The kind of word breaks ties (``"Kyiv
          region"`` is the oblast, ``"Kyiv"`` and ``"Kyiv city"`` the city);
        - best effort, Russian and Ukrainian adjectives and their inflections
          (``"Кагульский район"``, ``"Одеської області"``).

    Returns
    -------
    dict of (str, str or None) to Resolution
        One entry per distinct pair. With a country, only its regions are candidates,
        and a code of another country is refused (``"MD-CA is in Moldova, but the row's
        country is RO."``); without one, a name shared by two countries is ambiguous.
        Unknown values get ``"Not a known region of Moldova."`` (or ``"Not a known
        region."``) and, when a name is close, ``"Did you mean MD-CA Cahul?"``.
    """
    return {pair: _resolve_region(*pair) for pair in dict.fromkeys(pairs)}


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
    key = fold(_text(value))
    if not key:
        return Resolution(None, MISSING)
    index = _crime_index()
    if key in index:
        return Resolution(index[key])
    near = _closest(key, index)
    suggestion = None
    if near is not None:
        found = next(ct for ct in CRIME_TYPES if ct.key == index[near])
        suggestion = f"Did you mean {found.key} ({found.label})?"
    return Resolution(None, "Not a known crime type.", suggestion)


def resolve_crime_types(values: Iterable[str]) -> dict[str, Resolution]:
    """Map raw crime-type values to the keys of :data:`~data_loaders.crime_types.CRIME_TYPES`.

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


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateConvention:
    """How the dates of one file are written.

    Attributes
    ----------
    name : str
        A short description for reports, e.g. ``"dd.mm.yyyy (day first)"`` or
        ``"mixed: yyyy-mm-dd (ISO) and dd.mm.yyyy (day first)"``.
    day_first : bool or None
        How dd/mm/yyyy vs mm/dd/yyyy dates are read: ``True`` day first, ``False``
        month first, ``None`` when the file has no such dates (ISO and Excel serials
        need no order; dotted dates are always day first).
    """

    name: str
    day_first: bool | None


NOT_A_DATE = (
    "Not a date in any accepted format (YYYY-MM-DD, dd.mm.yyyy, dd/mm/yyyy, Excel serial number)."
)
EXCEL_MAX_SERIAL = 109_575
"""The largest Excel serial accepted: 2200-01-01."""

_TIME = r"(?:[T ](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?)?"
# Year first: ISO 8601 and, for Hungarian systems, "2024.03.25." / "2024. 03. 25.".
_YEAR_FIRST = re.compile(
    r"(?P<y>[0-9]{4})(?P<sep>[-./]) ?(?P<a>[0-9]{1,2})(?P=sep) ?(?P<b>[0-9]{1,2})\.?"
    + _TIME
    + r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_DOTTED = re.compile(r"(?P<a>[0-9]{1,2})\.(?P<b>[0-9]{1,2})\.(?P<y>[0-9]{4})" + _TIME)
_SLASHED = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<sep>[/-])(?P<b>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})" + _TIME
)
_SERIAL = re.compile(r"(?P<n>[0-9]{1,9})(?:\.(?P<frac>[0-9]+))?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclass(frozen=True)
class _Shape:
    family: str  # "year-first", "dotted", "slashed", "serial"
    year: int = 0
    a: int = 0  # year-first: month; dotted and slashed: first number
    b: int = 0
    sep: str = ""
    serial: int = 0


def _shape(text: str) -> _Shape | None:
    for family, pattern in (
        ("year-first", _YEAR_FIRST),
        ("dotted", _DOTTED),
        ("slashed", _SLASHED),
    ):
        m = pattern.fullmatch(text)
        if m:
            sep = m.groupdict().get("sep") or ""
            return _Shape(family, int(m["y"]), int(m["a"]), int(m["b"]), sep)
    m = _SERIAL.fullmatch(text)
    if m:
        return _Shape("serial", serial=int(m["n"]))
    return None


def _calendar_problem(year: int, month: int, day: int) -> str | None:
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return "Not a real date: the year is out of range."
    if not 1 <= month <= 12:
        return f"Not a real date: there is no month {month}."
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"Not a real date: {calendar.month_name[month]} {year} has {days} days."
    return None


def _serial_problem(serial: int) -> str | None:
    if serial == 60:
        return (
            "Excel serial number 60 stands for 29 February 1900, a day that never existed "
            "(Excel keeps a Lotus 1-2-3 leap-year bug)."
        )
    if not 1 <= serial <= EXCEL_MAX_SERIAL:
        return (
            f"A number outside the Excel serial dates accepted (1 to {EXCEL_MAX_SERIAL}, "
            "i.e. 1900-01-01 to 2200-01-01)."
        )
    return None


def _serial_date(serial: int) -> datetime.date:
    # Excel counts 1900 as a leap year: serials from 61 on are one day ahead of a
    # plain count from 1899-12-31, so they count from 1899-12-30 instead.
    if serial < 60:
        return _EXCEL_EPOCH + datetime.timedelta(days=serial + 1)
    return _EXCEL_EPOCH + datetime.timedelta(days=serial)


def _slashed_pattern(day_first: bool, sep: str) -> str:
    return sep.join(("dd", "mm", "yyyy") if day_first else ("mm", "dd", "yyyy"))


def detect_date_convention(values: Iterable[str]) -> tuple[DateConvention, dict[str, str]]:
    """Decide one date convention for a file from its distinct date values.

    Parameters
    ----------
    values : iterable of str
        Distinct raw date values. Accepted formats:

        - year first: ISO ``YYYY-MM-DD`` with an optional time (``T14:30``, a space
          and ``14:30:05``, fractions, ``Z`` or an offset; the time is dropped), and
          ``YYYY.MM.DD`` / ``YYYY/MM/DD`` as Hungarian systems write them;
        - ``dd.mm.yyyy``, always day first in this region;
        - ``dd/mm/yyyy`` or ``mm/dd/yyyy`` (or with ``-``), four-digit years only;
        - Excel serial numbers from 1 (1900-01-01) to 109575 (2200-01-01) in the 1900
          date system, with or without a fraction (the time of day, dropped).

        Dotted and slashed dates may carry a time after a space (``HH:MM[:SS]``).
        Formats may be mixed in one file (ISO and dotted, or typed text dates beside
        Excel's numbers): each is unambiguous once the slashed order is decided.

    Returns
    -------
    DateConvention
        The convention. Slashed dates are day first if some are only valid day first
        (``25/03/2024``) and none only month first; month first if the reverse; by
        majority if both occur (a tie goes to day first); day first "assumed" when
        every one is ambiguous (both numbers at most 12).
    dict of str to str
        Every value that :func:`parse_dates` will map to ``None`` under the returned
        convention, with the reason: values in no accepted format, impossible dates
        (``31.02.2024``, ``2024-13-01``), slashed dates that contradict the decided
        order (``"Only valid as month-first (mm/dd/yyyy), but other rows are day-first
        (e.g. '25/03/2024')."``), Excel serial 60 (Excel's fictitious 1900-02-29) and
        serials out of range, and empty values.
    """
    problems: dict[str, str] = {}
    families: dict[str, list[_Shape]] = defaultdict(list)
    # Slashed values by which order makes them a real date.
    only_day_first: list[str] = []
    only_month_first: list[str] = []
    slashed: dict[str, _Shape] = {}
    for raw in dict.fromkeys(values):
        text = _text(raw).strip()
        if not text:
            problems[raw] = MISSING
            continue
        shape = _shape(text)
        if shape is None:
            problems[raw] = NOT_A_DATE
            continue
        families[shape.family].append(shape)
        problem = None
        if shape.family == "year-first":
            problem = _calendar_problem(shape.year, shape.a, shape.b)
        elif shape.family == "dotted":
            problem = _calendar_problem(shape.year, shape.b, shape.a)
        elif shape.family == "serial":
            problem = _serial_problem(shape.serial)
        else:
            slashed[raw] = shape
            day_first_ok = _calendar_problem(shape.year, shape.b, shape.a) is None
            month_first_ok = _calendar_problem(shape.year, shape.a, shape.b) is None
            if day_first_ok and not month_first_ok:
                only_day_first.append(raw)
            elif month_first_ok and not day_first_ok:
                only_month_first.append(raw)
        if problem:
            problems[raw] = problem

    day_first: bool | None = None
    parts: list[str] = []
    if families["year-first"]:
        seps = dict.fromkeys(s.sep for s in families["year-first"])
        shown = " or ".join(sep.join(("yyyy", "mm", "dd")) for sep in seps)
        parts.append(f"{shown} ({'ISO' if list(seps) == ['-'] else 'year first'})")
    if families["dotted"]:
        parts.append("dd.mm.yyyy (day first)")
        day_first = True
    if slashed:
        sep = "/" if any(s.sep == "/" for s in slashed.values()) else "-"
        day_first = len(only_day_first) >= len(only_month_first)
        if only_day_first or only_month_first:
            how = "day first" if day_first else "month first"
        else:
            how = "day first, assumed: no date shows the order"
        parts.append(f"{_slashed_pattern(day_first, sep)} ({how})")
        # The minority contradicts; on a tie (day_first above) the month-first-only ones.
        wrong = set(only_month_first if day_first else only_day_first)
        example = (only_day_first if day_first else only_month_first)[:1]
        for raw, shape in slashed.items():
            if raw in wrong and example:
                problems[raw] = (
                    f"Only valid as {'month' if day_first else 'day'}-first "
                    f"({_slashed_pattern(not day_first, shape.sep)}), but other rows are "
                    f"{'day' if day_first else 'month'}-first (e.g. {example[0]!r})."
                )
                continue
            month, day = (shape.b, shape.a) if day_first else (shape.a, shape.b)
            problem = _calendar_problem(shape.year, month, day)
            if problem:
                problems[raw] = problem
    if families["serial"]:
        parts.append("Excel serial numbers (1900 date system)")

    if not parts:
        name = "no dates recognised"
    elif len(parts) == 1:
        name = parts[0]
    else:
        name = "mixed: " + _join(parts)
    return DateConvention(name, day_first), problems


def _parse_date(raw: object, convention: DateConvention) -> datetime.date | None:
    shape = _shape(_text(raw).strip())
    if shape is None:
        return None
    if shape.family == "serial":
        return None if _serial_problem(shape.serial) else _serial_date(shape.serial)
    if shape.family == "year-first":
        year, month, day = shape.year, shape.a, shape.b
    elif shape.family == "dotted":
        year, month, day = shape.year, shape.b, shape.a
    elif convention.day_first is None:
        return None  # a slashed date needs an order, and this convention has none
    elif convention.day_first:
        year, month, day = shape.year, shape.b, shape.a
    else:
        year, month, day = shape.year, shape.a, shape.b
    if _calendar_problem(year, month, day):
        return None
    return datetime.date(year, month, day)


def parse_dates(
    values: Iterable[str], convention: DateConvention
) -> dict[str, datetime.date | None]:
    """Read date values under a convention from :func:`detect_date_convention`.

    Parameters
    ----------
    values : iterable of str
        Distinct raw date values.
    convention : DateConvention
        Decides the order of slashed dates; every other accepted format is read the
        same under any convention.

    Returns
    -------
    dict of str to datetime.date or None
        One entry per distinct value; ``None`` when it is not a real date under the
        convention (``31/02/2024``, ``2024-13-01``, Excel serial 60, text). These are
        exactly the values named by :func:`detect_date_convention` for the same values.
    """
    return {raw: _parse_date(raw, convention) for raw in dict.fromkeys(values)}


# -------------------------------------------------------------------------- counts

_MISSING_MARKERS = frozenset({"-", "–", "—", "na", "n/a", "null", "none", "nan", "..", ":"})
_CENSORED = re.compile(r"(?:[<>≤≥]=?|=<|=>) ?[0-9][0-9 .,]*|[0-9]+ ?\+|[0-9]+ ?[-–—] ?[0-9]+")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
# Digit grouping that cannot be a decimal mark: spaces (plain, no-break, narrow, thin)
# and apostrophes (Swiss style and Excel exports).
_GROUPING = frozenset(" \u00a0\u202f\u2009'’")
_NUMBER_CHARS = re.compile(r"[0-9.,]+")
_MAX_DIGITS = 18  # fits a signed 64-bit integer


def _grouped(part: str, separator: str) -> str | None:
    """Digits of ``part`` if every ``separator`` splits off a group of three, else None."""
    groups = part.split(separator)
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return "".join(groups)


def parse_count(value: str) -> tuple[int | None, str | None]:
    """Read a count: a non-negative whole number.

    Parameters
    ----------
    value : str
        The raw cell, e.g. ``"12"``, ``"1 234"``, ``"12.0"``.

    Returns
    -------
    (int or None, str or None)
        ``(number, None)``, or ``(None, reason)``:

        - ``""`` and placeholders (``-``, ``NA``, ``n/a``, ``null``, ``..``, ``:``) →
          ``"Value is missing."``;
        - ``"<5"``, ``"≤5"``, ``">100"``, ``"10+"``, ``"1-4"`` → ``"Value is a suppressed
          or censored count ('<5'); the store needs the exact number."``;
        - ``"-3"`` → ``"Value is negative."``; ``"1.5"`` and ``"1,5"`` → ``"Value is not
          a whole number."``; ``"abc"`` → ``"Value is not a number."``.

        Separators: spaces (also no-break and thin) and apostrophes group thousands
        (``"1 234"``, ``"1'234"``). A dot or comma that occurs twice groups thousands
        (``"1.234.567"``, ``"1,234,567"``); with both, the last is the decimal mark
        (``"1.234,0"``). A single dot or comma is a decimal mark (``"12.0"``, ``"12,0"``
        → 12), except when it has exactly three digits after it and one to three before
        (``"1,234"``, ``"1.234"``): that reads 1234 in English and 1.234 in the region's
        own formats, so it is refused as ambiguous rather than guessed.
    """
    text = _text(value).strip()
    if not text or text.casefold() in _MISSING_MARKERS:
        return None, MISSING
    if _CENSORED.fullmatch(text):
        return None, (
            f"Value is a suppressed or censored count ({text!r}); the store needs the exact number."
        )
    negative = text[0] in "-−"
    body = text[1:].lstrip() if text[0] in "+-−" else text
    if _SCIENTIFIC.fullmatch(body):
        return None, "Value is in scientific notation; write the count in full."
    grouping = {c for c in body if c in _GROUPING}
    ungrouped = "".join(c for c in body if c not in grouping)
    if len(grouping) > 1 or not _NUMBER_CHARS.fullmatch(ungrouped) or not re.search("[0-9]", body):
        return None, "Value is not a number."
    marks = [c for c in body if c in ".,"]
    decimal = None
    if len(set(marks)) == 2:
        decimal = body.rstrip("0123456789")[-1]  # the later of the two
        if marks.count(decimal) > 1:
            return None, "Value is not a number."
    elif len(marks) == 1 and not grouping:
        whole, _, fraction = body.partition(marks[0])
        if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole != "0":
            return None, (
                "Value is ambiguous: the separator can be a decimal mark (a fraction) or a "
                "thousands separator; write whole counts without separators."
            )
        decimal = marks[0]
    elif len(marks) == 1:
        decimal = marks[0]  # "1 234,5": spaces group, so the comma is decimal
    whole, _, fraction = body.partition(decimal) if decimal else (body, "", "")
    whole = whole or "0"  # ".5"
    thousands = grouping | {m for m in marks if m != decimal}
    if len(thousands) > 1:
        return None, "Value is not a number."
    if thousands:
        digits = _grouped(whole, thousands.pop())
        if digits is None:
            return None, "Value has digit groups that are not thousands (groups of three)."
    else:
        digits = whole
    if not digits.isdigit() or (fraction and not fraction.isdigit()):
        return None, "Value is not a number."
    digits = digits.lstrip("0") or "0"
    if negative and (digits != "0" or fraction.strip("0")):
        return None, "Value is negative."
    if fraction.strip("0"):
        return None, "Value is not a whole number."
    if len(digits) > _MAX_DIGITS:
        return None, "Value is too large for a count."
    return int(digits), None
