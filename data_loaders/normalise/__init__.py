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
- :func:`resolve_crossing_points` maps crossing-point ids and names to registry ids and
  checks that each lies on the border of the row's country.
- :func:`detect_date_convention` decides one date convention per file and names every
  value that cannot be read under it (or refuses to guess the order of day and month);
  :func:`parse_dates` applies it.
- :func:`read_periods` reads a date column as periods (a day, an ISO week, a month, a
  quarter or a year: ``2025-06-14``, ``2025-W24``, ``2025-06``, ``2025-Q2``, ``2025``),
  one granularity per file; days keep the conventions above.
- :func:`parse_count` reads a non-negative whole number, with a declared thousands
  separator when the user gives one.

The country names live in ``threatmon/registry/data/countries.csv`` (see its
``COUNTRIES.md``), region names in ``threatmon/registry/data/regions.csv`` (see
:mod:`threatmon.registry.regions`), crime-type synonyms in
:mod:`threatmon.registry.crime_types`.
"""

from data_loaders.normalise.counts import THOUSANDS_SEPARATORS, parse_count
from data_loaders.normalise.crimes import resolve_crime_types
from data_loaders.normalise.crossings import resolve_crossing_points
from data_loaders.normalise.dates import (
    DATE_ORDERS,
    DateConvention,
    detect_date_convention,
    parse_dates,
)
from data_loaders.normalise.periods import Period, PeriodReading, read_periods, span
from data_loaders.normalise.places import resolve_countries, resolve_regions
from data_loaders.normalise.text import Resolution, fold

__all__ = [
    "DATE_ORDERS",
    "THOUSANDS_SEPARATORS",
    "DateConvention",
    "Period",
    "PeriodReading",
    "Resolution",
    "detect_date_convention",
    "fold",
    "parse_count",
    "parse_dates",
    "read_periods",
    "resolve_countries",
    "resolve_crime_types",
    "resolve_crossing_points",
    "resolve_regions",
    "span",
]
