"""Synthetic incident rows: expected counts drawn as Poisson single records and monthly
returns, dated, placed at crossings or geocoded, with victims, suspects and sources.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from data_loaders.demo.geography import Geography, geography, inside_regions
from data_loaders.demo.rates import (
    GEOCODED,
    PROFILES,
    RETURN_SHARE,
    RETURN_SIZE,
    base_rates,
    country_table,
    flow_multiplier,
    normaliser,
    reporting_by_month,
)
from data_loaders.demo.settings import DemoSettings, demo_months, rng
from data_loaders.demo.signals import signal_multiplier, signal_table
from threatmon.registry.crime_types import CRIME_TYPE_KEYS

# fmt: off
SOURCES: tuple[str, ...] = (
    "DEMO national police", "DEMO border police", "DEMO customs",
    "DEMO monthly statistical return",
)
# fmt: on
_POLICE, _BORDER, _CUSTOMS, _RETURNS = range(4)
_VICTIM_TYPES = ("human_trafficking", "child_sexual_exploitation")
_CUSTOMS_TYPES = ("drug_trafficking", "firearms_trafficking", "cbrne")
_NOISE_SHAPE = 50.0  # gamma noise per region, type and month (CV 0.14)
_FLOOR = 15.0  # minimum expected incidents per region and type over the history


def _expected_counts(settings: DemoSettings, geo: Geography, flows: pd.DataFrame) -> np.ndarray:
    """(months, regions, types) expected incidents at scale 1."""
    rates = base_rates(settings, geo) * flow_multiplier(geo, flows)
    rates *= signal_multiplier(geo, signal_table(settings, geo))
    noise = rng(settings, "incident-noise")
    rates *= noise.gamma(_NOISE_SHAPE, 1 / _NOISE_SHAPE, rates.shape)
    expected = rates * normaliser(geo, rates)
    # Top up rare cells so every region records every type at least a few times over the
    # history (spread like the region's reporting, so occupied regions stay near silent).
    reporting = reporting_by_month(geo.regions)
    deficit = np.clip(_FLOOR - expected.sum(axis=0), 0, None)  # (regions, types)
    expected += deficit[None, :, :] * (reporting / reporting.sum(axis=0))[:, :, None]
    # Renormalise: the top-up shrinks a little but stays far above zero.
    return expected * normaliser(geo, expected)


def _incident_ids(n: int) -> pd.Series:
    """``DEMO-000000001``… built as one Arrow buffer (Python strings would take seconds)."""
    width = 14
    digits = np.empty((n, width), dtype=np.uint8)
    digits[:, :5] = np.frombuffer(b"DEMO-", dtype=np.uint8)
    number = np.arange(1, n + 1, dtype=np.int64)
    for column in range(width - 1, 4, -1):
        digits[:, column] = number % 10 + ord("0")
        number //= 10
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int64)
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(digits))
    return pd.Series(array.cast(pa.string()), dtype="str")


def _strings(codes: np.ndarray, labels) -> pd.Series:
    """Code column from integer codes (-1: missing), via an Arrow dictionary (fast at 10M)."""
    codes = codes.astype("int32")
    missing = codes < 0
    indices = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
    array = pa.DictionaryArray.from_arrays(indices, pa.array([str(x) for x in labels]))
    return pd.Series(array.cast(pa.string()), dtype="str")


def _bounded_normal(draw: np.random.Generator, n: int) -> np.ndarray:
    # Clipped at two standard deviations: no geocoded point strays far from its region.
    return np.clip(draw.normal(0.0, 1.0, n), -2.0, 2.0)


def _nullable(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype("int64"), missing)


def generate_incidents(settings: DemoSettings, flows: pd.DataFrame) -> pd.DataFrame:
    """Synthetic incidents for every region and crime type, January 2021 to October 2026.

    Parameters
    ----------
    settings : DemoSettings
        ``seed`` fixes everything; ``scale`` multiplies the expected number of rows
        (about 500 000 at 1.0) without changing the shape of the data.
    flows : DataFrame
        Migration flows with ``crossing_point``, normally :func:`generate_flows`' result.
        Migrant smuggling, human trafficking and document fraud respond to the arrivals
        through nearby crossing points 1-3 months earlier.

    Returns
    -------
    DataFrame
        The incident contract columns, ordered by date. Most rows are single incidents
        (``count`` 1, a day within the month); the rest are monthly statistical returns
        (``count`` > 1, dated the first of the month, source ``DEMO monthly statistical
        return``). Code columns are strings, ``victims``/``suspects`` nullable ``Int64``.
    """
    missing = {"date", "crossing_point", "arrivals"} - set(flows.columns)
    if missing:
        raise ValueError(
            f"`flows` must have the columns date, crossing_point and arrivals. "
            f"Missing: {', '.join(sorted(missing))}."
        )
    geo = geography()
    regions = geo.regions
    expected = _expected_counts(settings, geo, flows) * settings.scale
    n_m, n_r, n_k = expected.shape
    share = country_table(regions, RETURN_SHARE, 0.05)[None, :, None]
    draw = rng(settings, "rows")
    singles = draw.poisson(expected * (1 - share)).ravel()
    returned = draw.poisson(expected * share).ravel()
    # A month's returned incidents arrive as ceil(n / 5) returns (one per district office)
    # of near-equal size: the total stays Poisson, and rows still grow with the scale.
    n_returns = -(-returned // RETURN_SIZE)
    cells = np.arange(n_m * n_r * n_k, dtype=np.int32)
    cell = np.concatenate([np.repeat(cells, singles), np.repeat(cells, n_returns)])
    n, n_single = len(cell), int(singles.sum())
    is_return = np.arange(n) >= n_single
    return_cell = cell[n_single:]
    first = np.cumsum(n_returns) - n_returns
    position = np.arange(n - n_single) - np.repeat(first, n_returns)
    parts = n_returns[return_cell]
    count = np.ones(n, dtype="int64")
    count[n_single:] = returned[return_cell] // parts + (position < returned[return_cell] % parts)
    month, rest = np.divmod(cell, n_r * n_k)
    region, kind = np.divmod(rest, n_k)
    del cell, rest, return_cell, position, parts

    month_start = demo_months().astype("datetime64[D]")
    days_in_month = (
        (month_start + np.timedelta64(31, "D")).astype("datetime64[M]").astype("datetime64[D]")
        - month_start
    ).astype("int64")
    day = month_start.astype("int64")[month]
    day[:n_single] += (draw.random(n_single) * days_in_month[month[:n_single]]).astype("int64")

    # Border-type records in a region that hosts crossings are often tied to one of them.
    at_crossing_share = np.array([PROFILES[k].at_crossing for k in CRIME_TYPE_KEYS])
    hosts = geo.hosted[:, 0] >= 0
    at_crossing = ~is_return & hosts[region] & (draw.random(n) < at_crossing_share[kind])
    crossing = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(at_crossing)
    options = (geo.hosted[region[rows]] >= 0).sum(axis=1)
    pick = (draw.random(len(rows)) * options).astype("int64")
    crossing[rows] = geo.hosted[region[rows], pick]

    latitude = np.full(n, np.nan)
    longitude = np.full(n, np.nan)
    cp_lat = geo.crossings["latitude"].to_numpy()[crossing[rows]]
    cp_lon = geo.crossings["longitude"].to_numpy()[crossing[rows]]
    latitude[rows] = cp_lat + _bounded_normal(draw, len(rows)) * 0.01  # about 1 km
    longitude[rows] = cp_lon + _bounded_normal(draw, len(rows)) * 0.01 / np.cos(np.radians(cp_lat))
    geocoded_share = country_table(regions, GEOCODED, 0.5)
    geocoded = np.flatnonzero(~is_return & ~at_crossing & (draw.random(n) < geocoded_share[region]))
    seat_lat = regions["latitude"].to_numpy()[region[geocoded]]
    seat_lon = regions["longitude"].to_numpy()[region[geocoded]]
    spread = geo.jitter_deg[region[geocoded]]
    latitude[geocoded] = seat_lat + _bounded_normal(draw, len(geocoded)) * spread
    longitude[geocoded] = seat_lon + _bounded_normal(draw, len(geocoded)) * spread / np.cos(
        np.radians(seat_lat)
    )
    latitude[geocoded], longitude[geocoded] = inside_regions(
        regions, region[geocoded], latitude[geocoded], longitude[geocoded]
    )
    del rows, geocoded

    # Victims and suspects: one record per person-event, returns add up their incidents.
    victim_type = np.isin(np.array(CRIME_TYPE_KEYS), _VICTIM_TYPES)[kind]
    victims = count + draw.poisson(0.3 * count)
    no_victims = ~victim_type | (draw.random(n) < 0.1)
    mean_suspects = np.array([PROFILES[k].suspects for k in CRIME_TYPE_KEYS])[kind]
    suspects = count + draw.poisson((mean_suspects - 1) * count)
    no_suspects = (
        draw.random(n) < np.array([PROFILES[k].no_suspects for k in CRIME_TYPE_KEYS])[kind]
    )
    source = np.full(n, _POLICE, dtype=np.int8)
    source[at_crossing] = _BORDER
    customs = at_crossing & np.isin(np.array(CRIME_TYPE_KEYS), _CUSTOMS_TYPES)[kind]
    source[customs & (draw.random(n) < 0.4)] = _CUSTOMS
    source[is_return] = _RETURNS

    order = np.argsort(day, kind="stable")
    countries = list(dict.fromkeys(regions["country"]))
    country_code = np.array([countries.index(c) for c in regions["country"]], dtype=np.int8)
    frame = pd.DataFrame(
        {
            "date": day[order].astype("datetime64[D]").astype("datetime64[us]"),
            "country": _strings(country_code[region[order]], countries),
            "region_code": _strings(region[order], regions["region_code"]),
            "crime_type": _strings(kind[order], CRIME_TYPE_KEYS),
            "count": count[order],
            "crossing_point": _strings(crossing[order], geo.crossings["crossing_point_id"]),
            "latitude": np.round(latitude[order], 5),
            "longitude": np.round(longitude[order], 5),
            "victims": _nullable(victims[order], no_victims[order]),
            "suspects": _nullable(suspects[order], no_suspects[order]),
            "source": _strings(source[order], SOURCES),
        }
    )
    frame["incident_id"] = _incident_ids(n)
    return frame
