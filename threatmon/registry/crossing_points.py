"""The border-crossing-point registry.

Major road, rail, pedestrian and river (ferry) crossings on the borders of the project
countries, read from ``threatmon/registry/data/crossing_points.csv``. ``country_a`` is the
side that comes first in :data:`threatmon.registry.regions.PROJECT_COUNTRIES` order,
``country_b`` the other side (a project country, Belarus or Russia); ``region_a`` and
``region_b`` are ISO 3166-2 codes, empty for a side outside the project. The
``source`` column says where each position comes from and ``status`` whether the point is
closed; see
``threatmon/registry/data/README.md``.
"""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

COLUMNS: tuple[str, ...] = (
    "crossing_point_id",
    "name_en",
    "name_local",
    "country_a",
    "country_b",
    "region_a",
    "region_b",
    "latitude",
    "longitude",
    "type",
    "source",
    "status",
)
"""The columns of :func:`load_crossing_points`, in file order."""

TYPES: tuple[str, ...] = ("road", "rail", "pedestrian", "river")
"""Allowed values of the ``type`` column; ``river`` means a ferry."""

STATUSES: tuple[str, ...] = ("open", "closed")
"""Allowed values of the ``status`` column. ``closed``: every Ukraine–Belarus and
Ukraine–Russia checkpoint (since 24 February 2022, or 2014 where Ukraine lost control);
``open`` means no closure recorded here (several are restricted, see the data README).
Stored flows and incidents at a closed point stay valid: they may predate the closure."""


@functools.cache
def _crossing_points() -> pd.DataFrame:
    # keep_default_na=False: an empty region_b must stay "" rather than become NaN.
    path = resources.files("threatmon.registry").joinpath("data", "crossing_points.csv")
    with path.open("r", encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != COLUMNS:
        raise ValueError(
            f"crossing_points.csv has columns {tuple(frame.columns)}, expected {COLUMNS}"
        )
    frame["latitude"] = frame["latitude"].astype("float64")
    frame["longitude"] = frame["longitude"].astype("float64")
    return frame


def load_crossing_points() -> pd.DataFrame:
    """Return the crossing-point registry.

    Returns
    -------
    DataFrame
        One row per crossing point with the columns of :data:`COLUMNS`;
        ``latitude``/``longitude`` are ``float64`` (WGS 84), the other columns are
        strings, with ``""`` for a missing ``region_b``. The file is parsed once; every
        call returns a fresh copy, so callers may modify the result freely.
    """
    return _crossing_points().copy()


def crossing_point_ids() -> tuple[str, ...]:
    """Return the stable ids of all crossing points, in registry order.

    Returns
    -------
    tuple of str
        E.g. ``("MD-RO-CAHUL", ...)``.
    """
    return tuple(_crossing_points()["crossing_point_id"])
