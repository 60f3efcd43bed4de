"""The SQL side of placing rows by their coordinates (:mod:`data_loaders.staging`).

``placement_map`` holds each distinct (latitude, longitude, the row's country, the row's
stated region) of the rows that have coordinates and either no region or a resolved one
that the point does not confirm, with the region the row goes to or why it is refused
(:func:`data_loaders.normalise.placement.place_points`). ``staged`` joins it on the same
typed expressions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from data_loaders.normalise.placement import (
    DEGREE_CELL,
    confirmed_in_stated,
    degree_cells,
    place_points,
)

#: Why a row of a file with neither a region nor a country column needs its coordinates.
POINT_NEEDED = (
    "Without a region or a country column each row needs its coordinates; add a country "
    "column for national figures."
)


def number_sql(raw: str) -> str:
    """A coordinate cell as a DOUBLE, or NULL; decimal commas (Excel in the region) read."""
    return f"TRY_CAST(replace({raw}, ',', '.') AS DOUBLE)"


def valid_point_sql(lat: str, lon: str) -> str:
    """True when both typed coordinates are within range (NULL and NaN are not)."""
    return f"({lat} BETWEEN -90 AND 90 AND {lon} BETWEEN -180 AND 180)"


#: Distinct points judged at once (about 100 MB of arrays).
_BATCH = 1 << 20


def placement_frame(
    con: duckdb.DuckDBPyConnection, raw_table: str, source: dict[str, str], joins: str
) -> pd.DataFrame:
    """The rows of ``placement_map``: lat, lon, country, stated, region, reason, suggestion.

    ``joins`` brings in ``cm`` (the country map, when the file has a country column) and
    ``rm`` (the region map, when it has a region column) as :class:`Staging` joins them.
    """
    lat = number_sql(f"r.{source['latitude']}")
    lon = number_sql(f"r.{source['longitude']}")
    country = "cm.value" if "country" in source else "NULL::VARCHAR"
    wanted = valid_point_sql(lat, lon)
    cells = ""
    if "region_code" in source:
        stated = "rm.value"
        # A row naming its country (a national figure) or an unknown region is left alone.
        wanted += f" AND (r.{source['region_code']} IS NULL OR rm.value IS NOT NULL)"
        # A row whose point lies in a cell confirmed in its stated region is confirmed by
        # the join: only the others are grouped, fetched and judged (about 0.2 s of CPU
        # less for a good file of a million rows and 600k distinct points).
        cells = (
            f"LEFT JOIN threatmon_degree_cells pc ON pc.region = rm.value "
            f"AND pc.ilat = TRY_CAST(floor({lat} / {DEGREE_CELL}) AS INTEGER) "
            f"AND pc.ilon = TRY_CAST(floor({lon} / {DEGREE_CELL}) AS INTEGER)"
        )
        wanted += " AND pc.region IS NULL"
    else:
        stated = "NULL::VARCHAR"
    # Through Arrow, with the two code columns dictionary-encoded: a file of 600k distinct
    # points would otherwise make two Python strings per point (0.1 s of CPU). In batches:
    # a 10M-row file has millions of distinct points, and the arrays of a whole result held
    # next to DuckDB's cells took the process past 2 GB.
    with _cells_registered(con, bool(cells)):
        batches = con.sql(
            f"SELECT DISTINCT {lat} AS lat, {lon} AS lon, {country} AS country, "
            f"{stated} AS stated FROM {raw_table} r {joins} {cells} WHERE {wanted}"
        ).to_arrow_reader(_BATCH)
        keys = _unconfirmed(batches)
    placed = place_points(keys)
    return pd.DataFrame(
        {
            "lat": pd.Series([k[0] for k in keys], dtype="float64"),
            "lon": pd.Series([k[1] for k in keys], dtype="float64"),
            "country": pd.Series([k[2] for k in keys], dtype="string"),
            "stated": pd.Series([k[3] for k in keys], dtype="string"),
            "region": pd.Series([placed[k].region for k in keys], dtype="string"),
            "reason": pd.Series([placed[k].reason for k in keys], dtype="string"),
            "suggestion": pd.Series([placed[k].suggestion for k in keys], dtype="string"),
        }
    )


@contextlib.contextmanager
def _cells_registered(con: duckdb.DuckDBPyConnection, wanted: bool) -> Iterator[None]:
    """``threatmon_degree_cells`` (:func:`degree_cells`) readable by ``con`` meanwhile."""
    if not wanted:
        yield
        return
    codes, ilat, ilon = degree_cells()
    cells = pa.table({"region": codes.astype(object), "ilat": ilat, "ilon": ilon})
    con.register("threatmon_degree_cells", cells)
    try:
        yield
    finally:
        con.unregister("threatmon_degree_cells")


def _unconfirmed(batches) -> list[tuple[float, float, str | None, str | None]]:
    """The distinct points of ``batches`` not confirmed in the region their row states."""
    keys: list[tuple[float, float, str | None, str | None]] = []
    for batch in batches:
        found = pa.Table.from_batches([batch])
        lats, lons = _floats(found["lat"]), _floats(found["lon"])
        stated_codes = _categories(found["stated"])
        # A row whose point lies in the region it states needs no entry: ``staged`` reads
        # the map only to place rows without a region and to refuse the others (a good file
        # of a million points stated by region leaves the map empty).
        needed = np.flatnonzero(~confirmed_in_stated(lats, lons, stated_codes))
        keys += zip(
            lats[needed].tolist(),
            lons[needed].tolist(),
            _objects_at(_categories(found["country"]), needed),
            _objects_at(stated_codes, needed),
            strict=True,
        )
    return keys


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """A fetched DOUBLE column without NULLs (the query keeps valid points only)."""
    return column.to_numpy()


def _categories(column: pa.ChunkedArray) -> pd.Categorical:
    """A fetched text column as a Categorical (NULL: missing)."""
    return column.combine_chunks().dictionary_encode().to_pandas().array


def _objects_at(values: pd.Categorical, rows: np.ndarray) -> list[str | None]:
    """The values at ``rows`` as Python strings, None for NULL."""
    codes = values.codes[rows]
    names = np.asarray(values.categories, dtype=object)
    return [names[code] if code >= 0 else None for code in codes.tolist()]


#: ``pm`` when ``placement_map`` is empty (nearly every file): the NULLs the LEFT JOIN would
#: give every row, without computing and hashing each row's coordinates to find none.
NO_PLACEMENT = (
    "CROSS JOIN (SELECT NULL::VARCHAR AS region, NULL::VARCHAR AS stated, "
    "NULL::VARCHAR AS reason, NULL::VARCHAR AS suggestion) pm"
)


def placement_join(source: dict[str, str], empty: bool = False) -> str:
    """The join of ``placement_map`` (alias ``pm``) after ``cm`` and ``rm``; ``empty``:
    the map has no rows."""
    if empty:
        return NO_PLACEMENT
    lat = number_sql(f"r.{source['latitude']}")
    lon = number_sql(f"r.{source['longitude']}")
    country = "cm.value" if "country" in source else "NULL"
    stated = "rm.value" if "region_code" in source else "NULL"
    return (
        f"LEFT JOIN placement_map pm ON pm.lat = {lat} AND pm.lon = {lon} "
        f"AND pm.country IS NOT DISTINCT FROM {country} "
        f"AND pm.stated IS NOT DISTINCT FROM {stated}"
    )
