"""The region registry: every admin-1 unit of the ten project countries.

One row per current ISO 3166-2 code, read from the package data file
``threatmon/registry/data/regions.csv``; ``threatmon/registry/data/README.md`` gives the sources
(ISO 3166-2 via pycountry, GeoNames seats, national statistics offices) and the
decisions behind it: Crimea and Sevastopol are Ukraine, Transnistria (MD-SN) and
Bender are Moldova, Hungary's cities with county rights are aliases of their counties,
and Latvia has its post-2021 units. ``region_names.csv`` adds the spellings sources use,
each with its source (:func:`load_region_names`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources

import pandas as pd

PROJECT_COUNTRIES: dict[str, str] = {
    "MD": "Moldova",
    "UA": "Ukraine",
    "RO": "Romania",
    "PL": "Poland",
    "HU": "Hungary",
    "SK": "Slovakia",
    "EE": "Estonia",
    "LV": "Latvia",
    "LT": "Lithuania",
    "GE": "Georgia",
}
"""ISO 3166-1 alpha-2 code to English name, in the project's display order."""

NEIGHBOUR_COUNTRIES: dict[str, str] = {
    "BY": "Belarus",
    "RU": "Russia",
}
"""Countries outside the project that appear on the far side of crossing points."""

COLUMNS: tuple[str, ...] = (
    "region_code",
    "country",
    "name_en",
    "name_local",
    "type",
    "population",
    "latitude",
    "longitude",
    "aliases",
)
"""The columns of :func:`load_regions`, in file order."""

ALIAS_SEPARATOR = "|"

NAME_COLUMNS: tuple[str, ...] = ("region_code", "name", "kind", "source")
"""The columns of :func:`load_region_names`, in file order."""

NAME_KINDS: tuple[str, ...] = (
    "official",
    "exonym",
    "romanisation",
    "russian_era",
    "local_variant",
)
"""The kinds of name in ``region_names.csv``: the official name in the country's language
(and ISO 3166-2's), a name in another language, a romanisation of a Ukrainian or Georgian
name, a Russian name or its romanisation, a colloquial or regional form."""


@functools.cache
def _regions() -> pd.DataFrame:
    # keep_default_na=False: an empty aliases cell must stay "", not become NaN.
    path = resources.files("threatmon.registry").joinpath("data", "regions.csv")
    with path.open("r", encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != COLUMNS:
        raise ValueError(f"regions.csv has columns {tuple(frame.columns)}, expected {COLUMNS}")
    frame["population"] = frame["population"].astype("int64")
    frame["latitude"] = frame["latitude"].astype("float64")
    frame["longitude"] = frame["longitude"].astype("float64")
    frame["aliases"] = [
        tuple(a for a in cell.split(ALIAS_SEPARATOR) if a) for cell in frame["aliases"]
    ]
    return frame


@functools.cache
def _region_names() -> pd.DataFrame:
    path = resources.files("threatmon.registry").joinpath("data", "region_names.csv")
    with path.open("r", encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != NAME_COLUMNS:
        raise ValueError(
            f"region_names.csv has columns {tuple(frame.columns)}, expected {NAME_COLUMNS}"
        )
    return frame


def load_region_names() -> pd.DataFrame:
    """Return the names sources write for each region, with the source of each.

    Returns
    -------
    DataFrame
        Columns :data:`NAME_COLUMNS`, all strings: one row per spelling of a region
        (``"UA-23", "Zaporizhzhya", "romanisation", "romanised from «Запоріжжя»: BGN/PCGN
        1965 Ukrainian romanisation"``), ``kind`` one of :data:`NAME_KINDS`. Built by
        ``python -m devtools.build_region_names`` (see ``threatmon/registry/data/README.md``);
        the names complement ``name_en``, ``name_local`` and ``aliases`` of
        :func:`load_regions`. Every call returns a fresh copy.
    """
    return _region_names().copy()


def load_regions() -> pd.DataFrame:
    """Return the region registry.

    Returns
    -------
    DataFrame
        One row per admin-1 unit, sorted by country (in :data:`PROJECT_COUNTRIES`
        order) then ``region_code``, with the columns of :data:`COLUMNS`.
        ``population`` is ``int64``, ``latitude``/``longitude`` are ``float64`` (the
        unit's administrative seat) and ``aliases`` holds a tuple of strings per row.
        The file is parsed once; every call returns a fresh copy, so callers may
        modify the result without affecting later calls.
    """
    return _regions().copy()


@functools.cache
def _by_code() -> pd.DataFrame:
    return _regions().set_index("region_code")


def region_codes(countries: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return the ISO 3166-2 codes of the registry, optionally for some countries.

    Parameters
    ----------
    countries : iterable of str, optional
        ISO 3166-1 alpha-2 codes; ``None`` means all project countries.

    Returns
    -------
    tuple of str
        Codes in registry order.

    Raises
    ------
    KeyError
        If a country is not one of :data:`PROJECT_COUNTRIES`.
    """
    frame = _regions()
    if countries is None:
        return tuple(frame["region_code"])
    wanted = set(countries)
    unknown = sorted(wanted - PROJECT_COUNTRIES.keys())
    if unknown:
        raise KeyError(f"not project countries: {unknown}")
    return tuple(frame.loc[frame["country"].isin(wanted), "region_code"])


def _row(code: str) -> pd.Series:
    try:
        return _by_code().loc[code]
    except KeyError:
        raise KeyError(f"unknown region code: {code!r}") from None


def region_name(code: str) -> str:
    """Return the English name of a region.

    Parameters
    ----------
    code : str
        ISO 3166-2 code, e.g. ``"MD-CA"``.

    Returns
    -------
    str
        E.g. ``"Cahul"``.

    Raises
    ------
    KeyError
        If the code is not in the registry.
    """
    return str(_row(code)["name_en"])


def country_of(code: str) -> str:
    """Return the ISO 3166-1 alpha-2 country of a region.

    Parameters
    ----------
    code : str
        ISO 3166-2 code, e.g. ``"UA-43"``.

    Returns
    -------
    str
        E.g. ``"UA"``.

    Raises
    ------
    KeyError
        If the code is not in the registry.
    """
    return str(_row(code)["country"])


def country_name(iso2: str) -> str:
    """Return the English name of a project or neighbour country.

    Parameters
    ----------
    iso2 : str
        ISO 3166-1 alpha-2 code, e.g. ``"MD"`` or ``"BY"``.

    Returns
    -------
    str
        E.g. ``"Moldova"``.

    Raises
    ------
    KeyError
        If the code is neither in :data:`PROJECT_COUNTRIES` nor in
        :data:`NEIGHBOUR_COUNTRIES`.
    """
    try:
        return PROJECT_COUNTRIES.get(iso2) or NEIGHBOUR_COUNTRIES[iso2]
    except KeyError:
        raise KeyError(f"unknown country code: {iso2!r}") from None
