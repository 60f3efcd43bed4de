"""Events placed by their coordinates: the admin-1 region a point lies in.

The committed boundaries (``geo/data/regions.geojson``, Natural Earth simplified to about
1 km; see :mod:`geo.boundaries`) are the only geography: no network, no gazetteer. Points
are judged once per *distinct* (latitude, longitude, country, stated region), vectorised
with shapely's STRtree, so a million rows of a few thousand places take a second or two.

The rules, with the thresholds of :mod:`threatmon.rules`:

- A point inside a region goes to it; on the edge two regions share, to the one with the
  lowest code (the boundaries form a coverage, so nothing else overlaps).
- A point outside every region but within :data:`~threatmon.rules.PLACEMENT_SNAP_KM` of
  one goes to the nearest (borders and coasts drawn at 1 km; ties broken by distance,
  then code); farther out it is outside the project's countries and refused.
- With the row's country, only its regions are candidates: a point in another project
  country (beyond the snapping distance of the row's) is refused naming both.
- A row that states its region is checked instead of placed: a point more than
  :data:`~threatmon.rules.PLACEMENT_MISMATCH_KM` outside that region is refused, naming the
  stated region and where the point lies.

Distances are measured in a Lambert azimuthal equal-area projection centred on the
project (48° N, 30° E), within about 1.5 % everywhere from Tallinn to Tbilisi.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from threatmon.registry.regions import country_name, region_name
from threatmon.rules import PLACEMENT_MISMATCH_KM, PLACEMENT_SNAP_KM

_PROJECTION = "+proj=laea +lat_0=48 +lon_0=30 +datum=WGS84 +units=m +no_defs"
#: What a point outside its stated region or the project's countries asks of the sender.
CHECK_HINT = "Check the coordinates (latitude, longitude in decimal degrees) and the region."

Key = tuple[float, float, str | None, str | None]
"""(latitude, longitude, the row's country or None, the row's stated region or None)."""


@dataclass(frozen=True)
class Placement:
    """Where a point lies, or why it cannot be used."""

    region: str | None
    """The region the row goes to (placed, or its stated region confirmed); None if refused."""
    reason: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class _Regions:
    codes: np.ndarray  # region codes, sorted
    countries: np.ndarray  # their ISO2
    shapes: np.ndarray  # projected (multi)polygons
    tree: object  # shapely STRtree of shapes


@functools.cache
def _regions() -> _Regions:
    # Imported here: geopandas, pyproj and shapely take a second to load, and most files
    # have no coordinates.
    import shapely

    from geo.boundaries import regions

    frame = regions().to_crs(_PROJECTION)
    shapes = np.asarray(frame.geometry.values, dtype=object)
    codes = frame["region_code"].to_numpy(dtype=str)
    shapely.prepare(shapes)
    return _Regions(codes, frame["country"].to_numpy(dtype=str), shapes, shapely.STRtree(shapes))


@functools.cache
def _transformer():
    import pyproj

    return pyproj.Transformer.from_crs("EPSG:4326", _PROJECTION, always_xy=True)


def _project(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _transformer().transform(lon, lat)


#: The side of the cells that confirm points without testing them (metres, projected).
_CELL = 15_000.0


@dataclass(frozen=True)
class _Cells:
    """Per region, a grid of the cells whose every point is confirmed in it: within
    :data:`~threatmon.rules.PLACEMENT_MISMATCH_KM` of its boundary or inside. Region ``j``
    covers cells ``ix0[j] <= ix < ix0[j] + nx[j]`` (likewise ``iy``) of the global grid
    ``floor(x / _CELL)``, stored row by row from ``offset[j]`` in ``confirmed``."""

    ix0: np.ndarray
    iy0: np.ndarray
    nx: np.ndarray
    ny: np.ndarray
    offset: np.ndarray
    confirmed: np.ndarray


@functools.cache
def _cells() -> _Cells:
    # Every point of a cell lies within half its diagonal of the cell's centre, so a cell
    # whose centre is within (the mismatch distance less that) of a region holds only
    # points the exact test would confirm. Each point inside a region is in such a cell:
    # a good file's points are confirmed by one look-up each (0.1 s for 600k distinct
    # points instead of 0.5 s), and only the few farther out are measured exactly. Built
    # once per process, 30k cells in about 0.04 s.
    import shapely

    geo = _regions()
    near = PLACEMENT_MISMATCH_KM * 1000
    within = near - _CELL * np.sqrt(2) / 2 - 1.0  # 1 m to spare for rounding
    bounds = shapely.bounds(geo.shapes)
    ix0 = np.floor((bounds[:, 0] - near) / _CELL).astype(np.int64)
    iy0 = np.floor((bounds[:, 1] - near) / _CELL).astype(np.int64)
    nx = np.floor((bounds[:, 2] + near) / _CELL).astype(np.int64) - ix0 + 1
    ny = np.floor((bounds[:, 3] + near) / _CELL).astype(np.int64) - iy0 + 1
    offset = np.concatenate([[0], np.cumsum(nx * ny)])
    confirmed = np.zeros(int(offset[-1]), dtype=bool)
    for j, shape in enumerate(geo.shapes):
        iy, ix = np.divmod(np.arange(nx[j] * ny[j]), nx[j])
        centres = shapely.points((ix0[j] + ix + 0.5) * _CELL, (iy0[j] + iy + 0.5) * _CELL)
        confirmed[offset[j] : offset[j + 1]] = shapely.dwithin(shape, centres, within)
    return _Cells(ix0, iy0, nx, ny, offset, confirmed)


#: The side, in degrees, of the cells of :func:`degree_cells`.
DEGREE_CELL = 0.2


@functools.cache
def degree_cells() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(region code, ``floor(latitude / DEGREE_CELL)``, ``floor(longitude / DEGREE_CELL)``)
    of the cells in degrees whose every point the exact test confirms in that region.

    The SQL side of the check (:func:`data_loaders.placing.placement_frame`): a row whose
    point falls in such a cell of its stated region is confirmed by a join, before any
    point is fetched, projected or hashed (a good file's rows nearly all are). A cell is
    kept when its projected centre lies within the mismatch distance, less the farthest
    projected corner and 100 m for the bend of its edges, of the region: every point of
    it is then close enough. Built once per process from the regions' bounding boxes.
    """
    import shapely

    from geo.boundaries import regions

    geo = _regions()
    bounds = regions().bounds.to_numpy()  # the same rows, in degrees
    low = np.floor(bounds[:, [1, 0]] / DEGREE_CELL).astype(np.int64)
    high = np.floor(bounds[:, [3, 2]] / DEGREE_CELL).astype(np.int64)
    sizes = (high[:, 0] - low[:, 0] + 1) * (high[:, 1] - low[:, 1] + 1)
    owner = np.repeat(np.arange(len(sizes)), sizes)
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = np.repeat(high[:, 1] - low[:, 1] + 1, sizes)
    row, col = np.divmod(np.arange(int(sizes.sum())) - first, width)
    ilat, ilon = low[owner, 0] + row, low[owner, 1] + col
    cx, cy = _project((ilat + 0.5) * DEGREE_CELL, (ilon + 0.5) * DEGREE_CELL)
    cx, cy = np.asarray(cx), np.asarray(cy)
    reach = np.zeros(len(ilat))
    for dlat, dlon in ((0, 0), (0, 1), (1, 0), (1, 1)):
        x, y = _project((ilat + dlat) * DEGREE_CELL, (ilon + dlon) * DEGREE_CELL)
        reach = np.maximum(reach, np.hypot(np.asarray(x) - cx, np.asarray(y) - cy))
    within = PLACEMENT_MISMATCH_KM * 1000 - reach * 1.001 - 100.0
    kept = np.zeros(len(ilat), dtype=bool)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for j, shape in enumerate(geo.shapes):
        part = slice(starts[j], starts[j + 1])
        kept[part] = shapely.dwithin(shape, shapely.points(cx[part], cy[part]), within[part])
    return geo.codes[owner[kept]], ilat[kept].astype(np.int32), ilon[kept].astype(np.int32)


def prepare_boundaries() -> None:
    """Load the boundaries and the projection, and build :func:`degree_cells`, now rather
    than when a file's points are first looked at (once per process, about 0.2 s with the
    imports of geopandas, shapely and pyproj: see :mod:`data_loaders.warm_up`).

    The finer grid of :func:`_cells` is left to the first file with points to judge one by
    one: a good file has none."""
    degree_cells()


def _in_cells(position: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point lies in a confirmed cell of the region at ``position`` (-1: none)."""
    cells = _cells()
    region = np.maximum(position, 0)
    # In floats first: a point projected to infinity or NaN fails the comparisons.
    ix = np.floor(x / _CELL) - cells.ix0[region]
    iy = np.floor(y / _CELL) - cells.iy0[region]
    found = (position >= 0) & (ix >= 0) & (iy >= 0) & (ix < cells.nx[region])
    found &= iy < cells.ny[region]
    at = np.flatnonzero(found)
    found[at] = cells.confirmed[
        cells.offset[region[at]]
        + iy[at].astype(np.int64) * cells.nx[region[at]]
        + ix[at].astype(np.int64)
    ]
    return found


def _positions(geo: _Regions, stated: np.ndarray) -> np.ndarray:
    """Each stated code's position in ``geo.codes``; -1 for None, "" or an unknown code."""
    import pandas as pd

    # Hashing the few hundred distinct codes instead of sorting the strings of every point.
    values = stated if isinstance(stated, pd.Categorical) else np.asarray(stated, dtype=object)
    index, names = pd.factorize(values, use_na_sentinel=True)
    names = np.asarray(names, dtype=str)
    found = np.searchsorted(geo.codes, names)
    known = found < len(geo.codes)
    known[known] = geo.codes[found[known]] == names[known]
    found = np.where(known, found, -1)
    return np.where(index >= 0, found[index] if len(found) else -1, -1)


def _in_stated_regions(
    geo: _Regions, stated: np.ndarray, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Whether each point lies inside the region its row states, or close enough outside
    it to be confirmed (:data:`~threatmon.rules.PLACEMENT_MISMATCH_KM`): first by the cells
    of :func:`_cells`, then the rest tested region by region on arrays, since nearly every
    point of a good file is confirmed (those that are not are looked at one by one).
    ``stated`` holds None or "" where the row states none."""
    import shapely

    position = _positions(geo, stated)
    confirmed = _in_cells(position, x, y)
    rest = np.flatnonzero(~confirmed & (position >= 0))
    if not len(rest):
        return confirmed
    order = rest[np.argsort(position[rest], kind="stable")]
    regions, starts = np.unique(position[order], return_index=True)
    near = PLACEMENT_MISMATCH_KM * 1000
    for region, rows in zip(regions, np.split(order, starts[1:]), strict=True):
        shape = geo.shapes[region]
        hit = shapely.contains_xy(shape, x[rows], y[rows])
        # Borders are drawn at about 1 km: points just outside are measured, still at once.
        outside = np.flatnonzero(~hit)
        if len(outside):
            gaps = shapely.distance(shape, shapely.points(x[rows[outside]], y[rows[outside]]))
            hit[outside] = gaps <= near
        confirmed[rows] = hit
    return confirmed


def confirmed_in_stated(lat: np.ndarray, lon: np.ndarray, stated) -> np.ndarray:
    """Whether each point is confirmed in the region its row states (None or "": none;
    ``stated`` an array or a :class:`pandas.Categorical`, missing: none).

    The arrays side of :func:`place_points` for a large file: what it returns True for,
    :func:`place_points` would confirm as ``Placement(stated)``; the rest still need it.
    """
    if not len(lat):
        return np.zeros(0, dtype=bool)
    x, y = _project(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    return _in_stated_regions(_regions(), stated, np.asarray(x), np.asarray(y))


def _label(code: str) -> str:
    return f"{code} {region_name(code)}"


def _where(lat: float, lon: float) -> str:
    return f"({lat}, {lon})"


def _km(metres: float) -> str:
    return f"{metres / 1000:,.0f} km"


def place_points(keys: Iterable[Key]) -> dict[Key, Placement]:
    """Place each distinct point, or check it against its stated region.

    Parameters
    ----------
    keys : iterable of (latitude, longitude, country, stated region)
        Decimal degrees (WGS84), the row's ISO 3166-1 alpha-2 country or None, the
        ISO 3166-2 code the row states or None. Latitude and longitude must be numbers
        within ±90 and ±180.

    Returns
    -------
    dict of Key to Placement
        One entry per distinct key. Refusals: ``"The coordinates (44.1, 37.2) lie outside
        the project's countries (the nearest region, UA-43 Autonomous Republic of Crimea,
        is 48 km away)."``; ``"The coordinates (47.0, 28.8) lie in MD-CU Chișinău
        (Moldova), not in Ukraine, the row's country."``; ``"The coordinates (47.9, 37.6)
        lie 120 km outside UA-23 Zaporizhzhia, the row's region, in UA-14 Donetsk."``
    """

    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    import shapely

    geo = _regions()
    lat = np.array([k[0] for k in keys], dtype=float)
    lon = np.array([k[1] for k in keys], dtype=float)
    x, y = _project(lat, lon)
    stated = np.array([k[3] or "" for k in keys], dtype=str)
    confirmed = _in_stated_regions(geo, stated, x, y)
    # One Placement per region, shared by its points (a large file has hundreds of thousands).
    confirmations: dict[str, Placement] = {}
    out: dict[Key, Placement] = {}
    for i in np.flatnonzero(confirmed):
        key = keys[i]
        placement = confirmations.get(key[3])
        if placement is None:
            placement = confirmations[key[3]] = Placement(key[3])
        out[key] = placement
    todo = np.flatnonzero(~confirmed)
    points = np.empty(len(keys), dtype=object)
    points[todo] = shapely.points(x[todo], y[todo])
    inside: dict[int, list[int]] = {}
    for point, shape in zip(*geo.tree.query(points[todo], predicate="intersects"), strict=True):
        inside.setdefault(int(todo[point]), []).append(int(shape))
    # The nearest region of every point in none, at once (a file of swapped coordinates
    # has thousands of them).
    outside = np.array([i for i in todo if i not in inside], dtype=int)
    nearest: dict[int, tuple[int, float]] = {}
    if len(outside):
        (found, shape), gaps = geo.tree.query_nearest(
            points[outside], return_distance=True, all_matches=False
        )
        nearest = {
            int(outside[f]): (int(s), float(g)) for f, s, g in zip(found, shape, gaps, strict=True)
        }
    snap = PLACEMENT_SNAP_KM * 1000
    for i in todo:
        key = keys[i]
        _, _, country, stated = key
        hits = sorted(inside.get(i, []), key=lambda s: geo.codes[s])
        if stated is not None:
            out[key] = _check(geo, points[i], key, hits)
            continue
        allowed = [s for s in hits if country is None or geo.countries[s] == country]
        if allowed:
            out[key] = Placement(str(geo.codes[allowed[0]]))
            continue
        near, distance = nearest.get(i, (None, float("inf")))
        if near is None or (country is not None and geo.countries[near] != country):
            near, distance = _nearest(geo, points[i], country)
        if near is not None and distance <= snap:
            out[key] = Placement(str(geo.codes[near]))
            continue
        where = _where(key[0], key[1])
        if hits:
            home = geo.codes[hits[0]]
            reason = (
                f"The coordinates {where} lie in {_label(home)} "
                f"({country_name(geo.countries[hits[0]])}), not in {country_name(country)}, "
                "the row's country."
            )
            out[key] = Placement(None, reason, "Check the coordinates and the country.")
            continue
        anywhere, gap = nearest.get(i) or _nearest(geo, points[i], None)
        reason = f"The coordinates {where} lie outside the project's countries"
        if anywhere is not None and gap < 100 * snap:
            reason += f" (the nearest region, {_label(geo.codes[anywhere])}, is {_km(gap)} away)"
        out[key] = Placement(None, reason + ".", CHECK_HINT)
    return out


def _nearest(geo: _Regions, point, country: str | None) -> tuple[int | None, float]:
    """The nearest region (of ``country`` if given) and its distance in metres."""
    import shapely

    mask = np.ones(len(geo.codes), dtype=bool) if country is None else geo.countries == country
    if not mask.any():
        return None, float("inf")
    distances = shapely.distance(geo.shapes[mask], point)
    order = np.lexsort((geo.codes[mask], distances))
    best = np.flatnonzero(mask)[order[0]]
    return int(best), float(distances[order[0]])


def _check(geo: _Regions, point, key: Key, hits: list[int]) -> Placement:
    """A stated region, confirmed unless the point lies too far outside it."""
    import shapely

    stated = key[3]
    position = np.searchsorted(geo.codes, stated)
    if position >= len(geo.codes) or geo.codes[position] != stated:
        return Placement(stated)  # no boundary (never: every registry code has one)
    if position in hits:
        return Placement(stated)
    distance = float(shapely.distance(geo.shapes[position], point))
    if distance <= PLACEMENT_MISMATCH_KM * 1000:
        return Placement(stated)
    if hits:
        there = f"in {_label(geo.codes[hits[0]])}"
    else:
        near, gap = _nearest(geo, point, None)
        there = "outside the project's countries"
        if near is not None and gap <= PLACEMENT_SNAP_KM * 1000:
            there = f"by {_label(geo.codes[near])}"
    reason = (
        f"The coordinates {_where(key[0], key[1])} lie {_km(distance)} outside "
        f"{_label(stated)}, the row's region, {there}."
    )
    return Placement(None, reason, CHECK_HINT)
