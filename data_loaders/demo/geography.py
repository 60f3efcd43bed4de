"""The regions and crossing points the demo places incidents in, and how far apart they are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.boundaries import regions as region_boundaries
from threatmon.distance import distance_matrix_km
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import load_regions

_AT_CROSSING_KM = 25.0  # distance used for a region that hosts the crossing


@dataclass(frozen=True)
class Geography:
    regions: pd.DataFrame
    crossings: pd.DataFrame
    distance: np.ndarray  # (regions, crossings) km, capped for regions hosting the crossing
    hosted: np.ndarray  # (regions, J) crossing index per region, -1 padding
    jitter_deg: np.ndarray  # per region, spread of geocoded points around the seat


def geography() -> Geography:
    regions = load_regions()
    # Closed points (Ukraine's with Belarus and Russia) carry no traffic to place cases at.
    crossings = load_crossing_points()
    crossings = crossings[crossings["status"] == "open"].reset_index(drop=True)
    distance = distance_matrix_km(
        regions["latitude"], regions["longitude"], crossings["latitude"], crossings["longitude"]
    )
    code = regions["region_code"].to_numpy()[:, None]
    hosts = (code == crossings["region_a"].to_numpy()) | (code == crossings["region_b"].to_numpy())
    # A region's seat can lie far inland; one that hosts the crossing is on the border.
    distance = np.where(hosts, np.minimum(distance, _AT_CROSSING_KM), distance)
    width = max(int(hosts.sum(axis=1).max()), 1)
    hosted = np.full((len(regions), width), -1, dtype=np.int64)
    for i, row in enumerate(hosts):
        found = np.flatnonzero(row)
        hosted[i, : len(found)] = found
    seats = distance_matrix_km(
        regions["latitude"], regions["longitude"], regions["latitude"], regions["longitude"]
    )
    np.fill_diagonal(seats, np.inf)
    # A quarter of the distance to the nearest other seat keeps most points inside.
    jitter_deg = np.clip(seats.min(axis=1) / 4, 2.0, 25.0) / 111.0
    return Geography(regions, crossings, distance, hosted, jitter_deg)


def inside_regions(
    regions: pd.DataFrame, region: np.ndarray, latitude: np.ndarray, longitude: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Geocoded points moved inside their region where the scatter around its seat left it
    (into the sea, over a border): pulled halfway, then three quarters of the way, back
    to the seat, and where even that is outside, to a point inside the boundary.

    The ingest checks an incident's coordinates against its region; a demo extract must
    pass that check like any good file (the benchmarks load it).
    """
    shapes = region_boundaries().set_index("region_code").geometry
    codes = regions["region_code"].to_numpy()
    seat_lat, seat_lon = regions["latitude"].to_numpy(), regions["longitude"].to_numpy()
    latitude, longitude = latitude.copy(), longitude.copy()
    for index in np.unique(region):
        shape = shapes.get(codes[index])
        if shape is None:
            continue
        shapely.prepare(shape)
        rows = np.flatnonzero(region == index)
        for pull in (0.5, 0.25, 0.0):
            outside = rows[~shapely.contains_xy(shape, longitude[rows], latitude[rows])]
            if not outside.size:
                break
            latitude[outside] = seat_lat[index] + (latitude[outside] - seat_lat[index]) * pull
            longitude[outside] = seat_lon[index] + (longitude[outside] - seat_lon[index]) * pull
            rows = outside
        else:
            outside = rows[~shapely.contains_xy(shape, longitude[rows], latitude[rows])]
            anchor = shape.representative_point()
            latitude[outside], longitude[outside] = anchor.y, anchor.x
    return latitude, longitude
