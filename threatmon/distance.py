"""Great-circle distances in kilometres, vectorised with numpy.

The haversine formula on a sphere of the mean Earth radius is within ~0.5 % of the
ellipsoidal distance, which is far below the precision of a region's seat or of a
jittered incident coordinate; it needs nothing beyond numpy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# IUGG mean Earth radius, R1 = (2a + b) / 3.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance between points given in decimal degrees.

    Parameters
    ----------
    lat1, lon1 : array_like
        Latitude and longitude of the first points, in degrees.
    lat2, lon2 : array_like
        Latitude and longitude of the second points, in degrees. All four
        arguments broadcast against each other like numpy ufunc arguments, so
        ``haversine_km(a_lat[:, None], a_lon[:, None], b_lat, b_lon)`` is the
        ``(len(a), len(b))`` distance matrix.

    Returns
    -------
    ndarray of float64
        Distances in kilometres, in the broadcast shape of the arguments; NaN where
        any coordinate is NaN.

    Examples
    --------
    >>> round(float(haversine_km(47.0105, 28.8638, 50.4501, 30.5234)))  # Chișinău–Kyiv
    401
    """
    phi1 = np.radians(np.asarray(lat1, dtype="float64"))
    phi2 = np.radians(np.asarray(lat2, dtype="float64"))
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2, dtype="float64") - np.asarray(lon1, dtype="float64"))
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    # Rounding can push h a hair above 1 for antipodal points; arcsin would then give NaN.
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_matrix_km(
    lat_a: ArrayLike, lon_a: ArrayLike, lat_b: ArrayLike, lon_b: ArrayLike
) -> np.ndarray:
    """Distances from every point of set A (rows) to every point of set B (columns), in km.

    Parameters
    ----------
    lat_a, lon_a : array_like, 1-D
        The ``n`` points of A, in degrees.
    lat_b, lon_b : array_like, 1-D
        The ``m`` points of B, in degrees.

    Returns
    -------
    ndarray of float64, shape (n, m)
    """
    lat_a = np.asarray(lat_a, dtype="float64").reshape(-1, 1)
    lon_a = np.asarray(lon_a, dtype="float64").reshape(-1, 1)
    lat_b = np.asarray(lat_b, dtype="float64").reshape(1, -1)
    lon_b = np.asarray(lon_b, dtype="float64").reshape(1, -1)
    return haversine_km(lat_a, lon_a, lat_b, lon_b)
