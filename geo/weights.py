"""Spatial weights for admin-1 regions: which regions count as each other's neighbours.

Hot-spot statistics compare a region with its neighbours, so every region needs at
least one. Two builders, both returning a binary :class:`libpysal.weights.W` whose
ids are the region codes, in the order of the input frame:

* :func:`contiguity_weights` — regions that share a border or a corner (Queen
  contiguity). Simplified boundaries leave hairline gaps and slivers between
  neighbours, so two regions also count as touching when they come within
  ``snap_km`` of each other, measured in an equal-area projection (EPSG:3035).
* :func:`distance_band_weights` — regions whose representative points lie within
  ``threshold_km`` of each other, great-circle distance.

Islands: a region that would have no neighbour (an island unit, an exclave, a lone
region of a country, or a distance band too short for a remote region) is joined to
its single nearest region, and that region to it, so the relation stays symmetric.
Without this, Gi* would compare an island with itself only and Local Moran would
give it a spatial lag of zero. Separate groups of several regions are not joined to
each other: only regions with no neighbour at all are.

Nothing is cached here: callers cache (``ui/data.py``).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from libpysal.weights import W

from threatmon.distance import distance_matrix_km
from threatmon.errors import TooFewRegionsError

#: Equal-area projection for Europe (ETRS89-extended / LAEA Europe); its units are metres.
EQUAL_AREA_CRS = "EPSG:3035"
GEOGRAPHIC_CRS = "EPSG:4326"
#: Default gap, in km, below which two boundaries count as touching.
DEFAULT_SNAP_KM = 0.5


def contiguity_weights(
    regions: gpd.GeoDataFrame,
    id_column: str = "region_code",
    *,
    snap_km: float = DEFAULT_SNAP_KM,
) -> W:
    """Queen contiguity between region polygons, with a snapping tolerance and islands joined.

    Parameters
    ----------
    regions : GeoDataFrame
        One row per region, with polygon geometries and a CRS.
    id_column : str, default "region_code"
        Column with the unique region codes that become the weights' ids.
    snap_km : float, default 0.5
        Two regions are neighbours when their boundaries touch or come closer than
        this many kilometres (measured in EPSG:3035). Bridges the hairline gaps that
        simplifying each polygon on its own leaves between true neighbours; 0 means
        exact touching only.

    Returns
    -------
    libpysal.weights.W
        Binary weights, ids in the order of ``regions``. A region without any
        neighbour is joined, both ways, to the region whose centroid is nearest to
        its own.

    Raises
    ------
    TooFewRegionsError
        Fewer than two regions (a ValueError too).
    ValueError
        A missing ``id_column``, duplicate or missing codes,
        missing or empty geometries, no CRS, or a negative ``snap_km``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> grid = gpd.GeoDataFrame(
    ...     {"region_code": ["A", "B", "C"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 0, 6, 1)],
    ...     crs="EPSG:4326",
    ... )
    >>> contiguity_weights(grid).neighbors
    {'A': ['B'], 'B': ['A', 'C'], 'C': ['B']}
    """
    ids = _region_ids(regions, id_column)
    if not (math.isfinite(snap_km) and snap_km >= 0):
        raise ValueError(f"`snap_km` must be a finite number >= 0. Got {snap_km!r}.")
    projected = regions.geometry.to_crs(EQUAL_AREA_CRS)
    geometries = projected.to_numpy()
    tree = shapely.STRtree(geometries)
    # "dwithin" at distance 0 is exactly "intersects", so one query covers both cases.
    left, right = tree.query(geometries, predicate="dwithin", distance=snap_km * 1000.0)
    neighbours: list[set[int]] = [set() for _ in ids]
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            neighbours[i].add(j)
            neighbours[j].add(i)
    centroids = gpd.GeoSeries(projected.centroid, crs=EQUAL_AREA_CRS).to_crs(GEOGRAPHIC_CRS)
    _join_islands(neighbours, _distances_km(centroids))
    return _weights(ids, neighbours)


def distance_band_weights(
    regions: gpd.GeoDataFrame,
    threshold_km: float,
    *,
    id_column: str = "region_code",
) -> W:
    """Binary distance band: regions whose representative points are within ``threshold_km``.

    Parameters
    ----------
    regions : GeoDataFrame
        One row per region, with geometries and a CRS.
    threshold_km : float
        Largest great-circle distance, in km, between two regions' representative
        points for them to be neighbours (inclusive).
    id_column : str, default "region_code"
        Column with the unique region codes that become the weights' ids.

    Returns
    -------
    libpysal.weights.W
        Binary weights, ids in the order of ``regions``. A region with no other
        region within the band is joined, both ways, to its nearest region.

    Notes
    -----
    A representative point is guaranteed to lie inside its polygon (a centroid is
    not, for a crescent-shaped region); it is computed in EPSG:3035 and the
    distances are haversine distances on the sphere (:mod:`threatmon.distance`), so the
    band means the same number of km everywhere in the project area.

    Raises
    ------
    ValueError
        As :func:`contiguity_weights`, or a ``threshold_km`` that is not a positive
        finite number.
    """
    ids = _region_ids(regions, id_column)
    if not (math.isfinite(threshold_km) and threshold_km > 0):
        raise ValueError(f"`threshold_km` must be a positive finite number. Got {threshold_km!r}.")
    points = regions.geometry.to_crs(EQUAL_AREA_CRS).representative_point()
    distances = _distances_km(points.to_crs(GEOGRAPHIC_CRS))
    within = distances <= threshold_km
    np.fill_diagonal(within, False)
    neighbours = [set(np.flatnonzero(row).tolist()) for row in within]
    _join_islands(neighbours, distances)
    return _weights(ids, neighbours)


def _region_ids(regions: gpd.GeoDataFrame, id_column: str) -> list[str]:
    if not isinstance(regions, gpd.GeoDataFrame):
        raise ValueError(f"`regions` must be a GeoDataFrame. Got {type(regions).__name__}.")
    if id_column not in regions.columns:
        raise ValueError(f"`regions` has no column {id_column!r}.")
    if len(regions) < 2:
        raise TooFewRegionsError(
            f"Spatial weights need at least two regions. Got {len(regions)}.",
            needed=2,
            found=len(regions),
        )
    if regions.crs is None:
        raise ValueError("`regions` has no CRS; set one (e.g. EPSG:4326) before building weights.")
    codes = regions[id_column]
    if codes.isna().any():
        raise ValueError(f"Column {id_column!r} has missing region codes.")
    duplicated = sorted(codes[codes.duplicated()].astype(str).unique())
    if duplicated:
        raise ValueError(f"Duplicate region codes in {id_column!r}: {duplicated}.")
    geometry = regions.geometry
    missing = codes[geometry.isna() | geometry.is_empty].astype(str).tolist()
    if missing:
        raise ValueError(f"Regions without a geometry: {missing}.")
    return codes.astype(str).tolist()


def _distances_km(points: gpd.GeoSeries) -> np.ndarray:
    """Great-circle distance matrix between points given in EPSG:4326."""
    return distance_matrix_km(points.y, points.x, points.y, points.x)


def _join_islands(neighbours: list[set[int]], distances_km: np.ndarray) -> None:
    """Give every region without neighbours its nearest region, both ways (in place)."""
    islands = [i for i, found in enumerate(neighbours) if not found]
    for i in islands:
        others = distances_km[i].copy()
        others[i] = np.inf
        nearest = int(np.argmin(others))
        neighbours[i].add(nearest)
        neighbours[nearest].add(i)


def _weights(ids: list[str], neighbours: list[set[int]]) -> W:
    by_id = {ids[i]: [ids[j] for j in sorted(found)] for i, found in enumerate(neighbours)}
    # Islands are already joined; libpysal's warning about disconnected components
    # (e.g. two countries that do not touch) would only be noise for the caller.
    return W(by_id, id_order=ids, silence_warnings=True)
