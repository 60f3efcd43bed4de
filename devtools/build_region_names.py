"""Build the committed ``threatmon/registry/data/region_names.csv``: names as sources write them.

A developer tool, not run by CI (a test checks that the committed file is its output)::

    .venv/bin/python -m devtools.build_region_names [--out threatmon/registry/data/region_names.csv]

Every row is ``region_code,name,kind,source``; ``kind`` is one of :data:`KINDS`. The
rows come from, in this order (a spelling that several sources give is one row, with the
first source's kind and every source, joined by "; "):

1. ``regions.csv``: ``name_local`` (official) and ``name_en`` (exonym); the ISO 3166-2
   subdivision names as pycountry ships them (from Debian's iso-codes).
2. The hand-written ``devtools/data/region_names_input.csv`` (each row with its source):
   the Ukrainian nouns the oblasts are named after (Запоріжжя), Ukrainian colloquial names
   (Харківщина), the Russian names of Ukraine's oblasts and Moldova's raions and
   municipalities and the Soviet names (Ворошиловград, Котовск), Hungarian names of
   Romania's counties, a few English exonyms.
3. Romanisations, by the systems of :mod:`devtools.romanise`, of every Ukrainian name of a
   Ukrainian region, every Russian name of a Ukrainian, Moldovan or Georgian region and
   every Georgian name of a Georgian region (from 1, 2 and 4). A romanised Russian name
   stays a ``russian_era`` name ("Kishinev", "Zaporozhye"); the others are
   ``romanisation``.
4. The translations of the ISO names in the iso-codes catalogues of the project's
   languages (:data:`LANGUAGES`): in the country's own language they are official names,
   in Russian for the former Soviet countries Russian-era names, otherwise exonyms.

A name is left out when, folded as the matcher folds it, it is a registry name of a region
abroad only, or names another region of the same country; in the latter case an oblast's
name is kept with its type word ("Київ" of the oblast becomes "Київ область", since "Київ"
is the city), and a name two regions would both take goes to neither. The output is
sorted by registry order, kind and name, so the build is deterministic for a given
pycountry.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gettext
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pycountry

from data_loaders.normalise.text import fold
from devtools.romanise import SYSTEMS
from threatmon.registry.regions import load_regions

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "threatmon" / "registry" / "data" / "region_names.csv"
INPUT = Path(__file__).resolve().parent / "data" / "region_names_input.csv"
COLUMNS = ("region_code", "name", "kind", "source")
KINDS = ("official", "exonym", "romanisation", "russian_era", "local_variant")

#: iso-codes catalogues read for translations of the subdivision names.
LANGUAGES = ("uk", "ru", "ro", "pl", "hu", "sk", "et", "lv", "lt", "ka")
#: The official language of each project country.
OFFICIAL_LANGUAGE = {
    "MD": "ro",
    "UA": "uk",
    "RO": "ro",
    "PL": "pl",
    "HU": "hu",
    "SK": "sk",
    "EE": "et",
    "LV": "lv",
    "LT": "lt",
    "GE": "ka",
}
#: Countries where Russian was an official language of the Soviet period.
SOVIET = frozenset({"UA", "MD", "GE", "EE", "LV", "LT"})
#: Which names are romanised: (country, language of the name).
ROMANISED = frozenset({("UA", "uk"), ("UA", "ru"), ("MD", "ru"), ("GE", "ru"), ("GE", "ka")})
#: The type word that keeps a name that alone would name another region, by script.
TYPE_SUFFIX = {"oblast": {"cyrillic": "область", "latin": "Oblast"}}

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_GEORGIAN = re.compile("[\u10a0-\u10ff]")


@dataclass(frozen=True)
class Name:
    region_code: str
    name: str
    kind: str
    source: str
    language: str = ""


def _pycountry_source() -> str:
    return f"pycountry {pycountry_version()} (Debian iso-codes)"


def pycountry_version() -> str:
    from importlib.metadata import version

    return version("pycountry")


def _split(name: str) -> list[str]:
    """ "Kirovohrad (Kirovograd)" → both; "Bender [Tighina]" → both; "Găgăuzia, Unitatea …
    (UTAG)" → the whole name and the part in brackets."""
    parts = [name]
    for pattern in (r"^(.+?)\s*\((.+)\)$", r"^(.+?)\s*\[(.+)\]$"):
        found = re.match(pattern, name)
        if found:
            parts = [found[1].strip(), found[2].strip()]
            if "," in found[1]:
                parts[0] = name
    return [p for p in parts if p]


def registry_names() -> list[Name]:
    rows = []
    for row in load_regions().itertuples():
        rows.append(Name(row.region_code, row.name_local, "official", "regions.csv name_local"))
        rows.append(Name(row.region_code, row.name_en, "exonym", "regions.csv name_en"))
    return rows


def iso_names() -> list[Name]:
    rows = []
    source = _pycountry_source()
    for row in load_regions().itertuples():
        iso = pycountry.subdivisions.get(code=row.region_code)
        for part in _split(iso.name):
            rows.append(Name(row.region_code, part, "official", f"ISO 3166-2 name, {source}"))
    return rows


def iso_translations() -> list[Name]:
    rows = []
    source = _pycountry_source()
    catalogues = {
        lang: gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang])
        for lang in LANGUAGES
    }
    for row in load_regions().itertuples():
        iso = pycountry.subdivisions.get(code=row.region_code)
        for lang, catalogue in catalogues.items():
            translated = catalogue.gettext(iso.name)
            if translated == iso.name:
                continue
            if lang == OFFICIAL_LANGUAGE[row.country]:
                kind = "official"
            elif lang == "ru" and row.country in SOVIET:
                kind = "russian_era"
            else:
                kind = "exonym"
            for part in _split(translated):
                text = f"ISO 3166-2 name in iso-codes' {lang} translation, {source}"
                rows.append(Name(row.region_code, part, kind, text, lang))
    return rows


def input_names(path: Path = INPUT) -> list[Name]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        expected = ["region_code", "name", "kind", "language", "source"]
        if reader.fieldnames != expected:
            raise SystemExit(f"{path}: columns {reader.fieldnames}, expected {expected}")
        rows = [
            Name(r["region_code"], r["name"], r["kind"], r["source"], r["language"]) for r in reader
        ]
    for row in rows:
        if row.kind not in KINDS:
            raise SystemExit(f"{path}: unknown kind {row.kind!r} for {row.region_code}")
    return rows


def _language(name: Name) -> str:
    if name.language:
        return name.language
    if _GEORGIAN.search(name.name):
        return "ka"
    return ""


def romanisations(names: list[Name], countries: dict[str, str]) -> list[Name]:
    rows = []
    for name in names:
        language = _language(name)
        if (countries[name.region_code], language) not in ROMANISED:
            continue
        for system, description in SYSTEMS[language]:
            latin = system(name.name)
            kind = "russian_era" if language == "ru" else "romanisation"
            source = f"romanised from «{name.name}»: {description}"
            rows.append(Name(name.region_code, latin, kind, source))
    return rows


def _script(name: str) -> str:
    return "cyrillic" if _CYRILLIC.search(name) else "latin"


def build() -> list[dict[str, str]]:
    """The rows of ``region_names.csv``, in file order."""
    regions = load_regions()
    countries = dict(zip(regions["region_code"], regions["country"], strict=True))
    types = dict(zip(regions["region_code"], regions["type"], strict=True))
    order = {code: i for i, code in enumerate(regions["region_code"])}

    # Names the registry gives each region already: a generated name never takes one of
    # another region's (aliases included, e.g. "Kiev" of the city).
    owner: dict[tuple[str, str], str] = {}
    anywhere: dict[str, set[str]] = defaultdict(set)
    for row in regions.itertuples():
        for raw in (row.name_en, row.name_local, *row.aliases):
            owner.setdefault((row.country, fold(raw)), row.region_code)
            anywhere[fold(raw)].add(row.country)

    given = registry_names() + iso_names() + input_names()
    translated = iso_translations()
    latin = romanisations(
        [n for n in given + translated if n.language or _GEORGIAN.search(n.name)], countries
    )
    # Earlier sources name a spelling's kind: a romanisation before a translation that
    # happens to fold to it (Polish "Kaguł" is the Russian-era "Kagul").
    candidates = given + latin + translated

    named: list[tuple[str, Name]] = []
    claims: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name in candidates:
        text = " ".join(name.name.split())
        country = countries[name.region_code]
        key = fold(text)
        if anywhere.get(key, {country}) != {country} and (country, key) not in owner:
            # A region's registry name in another country only ("Bihor" offered for
            # Hajdú-Bihar by a loose translation): that region's.
            print(
                f"left out {text!r} of {name.region_code}: names a region abroad", file=sys.stderr
            )
            continue
        other = owner.get((country, key))
        if other is not None and other != name.region_code:
            suffix = TYPE_SUFFIX.get(types[name.region_code], {}).get(_script(text))
            if suffix is None:
                print(f"left out {text!r} of {name.region_code}: names {other}", file=sys.stderr)
                continue
            text = f"{text} {suffix}"
            key = fold(text)
            if owner.get((country, key), name.region_code) != name.region_code:
                continue
        if key:
            claims[(country, key)].add(name.region_code)
            named.append((key, Name(name.region_code, text, name.kind, name.source)))
    kept: dict[tuple[str, str], Name] = {}
    for key, name in named:
        country = countries[name.region_code]
        codes = claims[(country, key)]
        if len(codes) > 1 and owner.get((country, key)) != name.region_code:
            others = codes - {name.region_code}
            suffixed = {c for c in codes if types[c] in TYPE_SUFFIX}
            if suffixed == others:
                pass  # the city keeps its name; the oblast named after it takes the suffix
            elif suffixed == {name.region_code}:
                suffix = TYPE_SUFFIX[types[name.region_code]][_script(name.name)]
                name = dataclasses.replace(name, name=f"{name.name} {suffix}")
                key = fold(name.name)
                if owner.get((country, key), name.region_code) != name.region_code:
                    continue
            else:
                # Two regions of one country claim the name (a loose translation): neither
                # gets it.
                print(
                    f"left out {name.name!r} of {name.region_code}: also {sorted(codes)}",
                    file=sys.stderr,
                )
                continue
        first = kept.setdefault((name.region_code, key), name)
        if name.source not in first.source.split("; "):
            # One row per spelling: the first source's kind, every source that gives it.
            kept[(name.region_code, key)] = dataclasses.replace(
                first, source=f"{first.source}; {name.source}"
            )
    rank = {kind: i for i, kind in enumerate(KINDS)}
    ordered = sorted(
        kept.values(),
        key=lambda n: (order[n.region_code], rank[n.kind], fold(n.name), n.name),
    )
    return [
        {"region_code": n.region_code, "name": n.name, "kind": n.kind, "source": n.source}
        for n in ordered
    ]


def render(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = build()
    args.out.write_text(render(rows), encoding="utf-8")
    counts = defaultdict(int)
    for row in rows:
        counts[row["kind"]] += 1
    print(f"{len(rows)} names written to {args.out}: {dict(counts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
