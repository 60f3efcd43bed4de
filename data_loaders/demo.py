"""Synthetic, seeded demo data: migration flows, incidents and the signals planted in them.

Nothing here is real. The generator imitates the shape of the 2022 displacement from
Ukraine and of police-recorded crime in the project's countries closely enough that
every page (trends, hotspot maps, forecasts, early warning) finds something true, and
it returns what it planted so that tests and pages can check it is found.
``docs/demo-data.md`` lists every assumption.

Structure (region effects, reporting practice, month-to-month noise) depends only on
the seed; ``scale`` multiplies the expected counts, so a small demo has the shape of a
big one. Everything is vectorised numpy: ten million rows take seconds.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import zlib
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from threatmon.distance import distance_matrix_km
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import load_regions
from threatmon.store.reader import describe, resolve_location
from threatmon.store.writer import write_session

DEMO_START = date(2021, 1, 1)
DEMO_END = date(2026, 10, 31)
WAR_START = date(2022, 2, 24)
MAX_SCALE = 100
ROWS_AT_SCALE_1 = 500_000
# Part of each batch's sha256, so a store built by a changed generator is a new "file".
# 2: the crossing-point registry grew from 57 to 91 points, which changes every seed's data.
GENERATOR_VERSION = 2

RECEIVING_COUNTRIES: tuple[str, ...] = ("PL", "HU", "RO", "SK", "MD")
# fmt: off
SIGNAL_COLUMNS: tuple[str, ...] = (
    "region_code", "crime_type", "kind", "start", "factor", "ramp_months", "role",
)
SOURCES: tuple[str, ...] = (
    "DEMO national police", "DEMO border police", "DEMO customs",
    "DEMO monthly statistical return",
)
# fmt: on
_POLICE, _BORDER, _CUSTOMS, _RETURNS = range(4)

# -- migration flows ----------------------------------------------------------------------------
# Receiving country: pre-war arrivals per day, the February-March 2022 surge (crossings in
# total) and the later "plateau" of pendular crossings per month. Tuned so that 2022 totals
# are of the order UNHCR published (PL ~9 M, HU ~1.9 M, RO ~1.7 M, SK ~1 M, MD ~1 M) and
# Moldova's share is front-loaded, as it was. Pre-war traffic is deliberately modest.
_FLOW_PROFILE: dict[str, tuple[float, float, float]] = {
    "PL": (2_500, 1_900_000, 680_000),
    "HU": (600, 330_000, 140_000),
    "RO": (600, 280_000, 125_000),
    "SK": (300, 260_000, 65_000),
    "MD": (400, 450_000, 35_000),
}
_CROSSING_TYPE_WEIGHT = {"road": 1.0, "rail": 0.35, "pedestrian": 0.25, "river": 0.15}
# Later waves of the plateau: (centre, width in days, height relative to the plateau).
_FLOW_WAVES: tuple[tuple[str, float, float], ...] = (
    ("2022-10-25", 25.0, 0.35),  # strikes on the power grid
    ("2024-05-20", 18.0, 0.25),  # Kharkiv offensive
)
_WEEKDAY = np.array([0.97, 0.95, 0.95, 0.98, 1.05, 1.08, 1.02])  # Monday first


class _Profile(NamedTuple):
    """How one crime type behaves; see docs/demo-data.md for the reasoning."""

    rate: float  # relative incidents per inhabitant (drug trafficking = 1)
    border: float  # extra multiplier at a crossing: 1 + border * exp(-d / 60 km)
    peak: int  # month of the seasonal peak
    amplitude: float  # seasonal amplitude, kept small (see docs: early warning)
    trend: float  # growth per year
    at_crossing: float  # share of a crossing region's records tied to a crossing point
    suspects: float  # mean suspects per incident
    no_suspects: float  # share of records with suspects unknown
    flow: float  # response to lagged arrivals through nearby crossings


_PROFILES: dict[str, _Profile] = {
    "human_trafficking": _Profile(0.06, 1.5, 7, 0.07, 0.02, 0.3, 1.6, 0.15, 0.5),
    "migrant_smuggling": _Profile(0.10, 8.0, 8, 0.10, 0.00, 0.7, 1.8, 0.10, 1.0),
    "child_sexual_exploitation": _Profile(0.10, 0.0, 7, 0.05, 0.06, 0.0, 1.1, 0.20, 0.0),
    "drug_trafficking": _Profile(1.00, 1.0, 8, 0.07, 0.02, 0.3, 1.4, 0.15, 0.0),
    "firearms_trafficking": _Profile(0.10, 3.0, 7, 0.07, 0.00, 0.4, 1.3, 0.15, 0.0),
    "vehicle_crime": _Profile(0.80, 1.0, 9, 0.10, -0.04, 0.15, 1.3, 0.40, 0.0),
    "terrorism": _Profile(0.01, 0.0, 1, 0.00, 0.00, 0.0, 1.5, 0.30, 0.0),
    "financial_crime": _Profile(0.90, 0.0, 12, 0.06, 0.03, 0.0, 1.4, 0.25, 0.0),
    "cybercrime": _Profile(0.80, 0.0, 11, 0.10, 0.10, 0.0, 1.2, 0.70, 0.0),
    "document_fraud": _Profile(0.25, 3.0, 7, 0.08, 0.00, 0.6, 1.1, 0.10, 0.5),
    "cbrne": _Profile(0.005, 3.0, 1, 0.00, 0.00, 0.6, 1.5, 0.30, 0.0),
    "organised_crime": _Profile(0.12, 0.5, 10, 0.03, 0.00, 0.0, 4.0, 0.20, 0.0),
}
_VICTIM_TYPES = ("human_trafficking", "child_sexual_exploitation")
_CUSTOMS_TYPES = ("drug_trafficking", "firearms_trafficking", "cbrne")

# Country reporting practice: overall recording level, share of incidents that arrive as
# monthly statistical returns (count > 1), and share of single records that are geocoded.
# fmt: off
_REPORTING = {"MD": 1.1, "UA": 1.0, "RO": 0.8, "PL": 1.0, "HU": 0.75, "SK": 0.85, "EE": 1.2,
              "LV": 1.0, "LT": 1.1, "GE": 0.9}
_RETURN_SHARE = {"UA": 0.40, "GE": 0.30, "HU": 0.25, "RO": 0.20, "MD": 0.10}
_GEOCODED = {"PL": 0.8, "EE": 0.75, "LV": 0.7, "LT": 0.7, "SK": 0.6, "MD": 0.6, "RO": 0.5,
             "HU": 0.5, "UA": 0.3, "GE": 0.3}
# fmt: on
_RETURN_SIZE = 5  # incidents per monthly return, at most
# From March 2022: multipliers by group of countries and crime type.
# fmt: off
_WAR_EFFECTS: tuple[tuple[tuple[str, ...], dict[str, float]], ...] = (
    (("UA",), {"firearms_trafficking": 2.0, "terrorism": 3.0, "cbrne": 1.5, "cybercrime": 1.3,
               "vehicle_crime": 0.8, "financial_crime": 0.9}),
    (("MD", "RO", "PL", "SK", "HU"), {"firearms_trafficking": 1.3, "cybercrime": 1.15}),
    (("EE", "LV", "LT", "GE"), {"cybercrime": 1.1}),
)
# fmt: on
# Share of incidents a region still records, from a month on (occupation, hostilities).
_REPORTING_BREAKS: dict[str, tuple[tuple[str, float], ...]] = {
    "UA-43": (("2021-01", 0.10), ("2022-03", 0.02)),  # Crimea, occupied since 2014
    "UA-40": (("2021-01", 0.10), ("2022-03", 0.02)),  # Sevastopol
    "UA-09": (("2021-01", 0.50), ("2022-03", 0.20), ("2022-07", 0.02)),  # Luhansk
    "UA-14": (("2021-01", 0.60), ("2022-03", 0.25)),  # Donetsk
    "UA-23": (("2022-03", 0.60),),  # Zaporizhzhia
    "UA-65": (("2022-03", 0.15), ("2022-12", 0.50)),  # Kherson, right bank freed Nov 2022
    "UA-63": (("2022-03", 0.50), ("2022-10", 0.75)),  # Kharkiv
    "UA-59": (("2022-03", 0.40), ("2022-05", 0.85)),  # Sumy
    "UA-74": (("2022-03", 0.40), ("2022-05", 0.85)),  # Chernihiv
    "UA-32": (("2022-03", 0.50), ("2022-05", 0.95)),  # Kyiv Oblast
    "UA-48": (("2022-03", 0.70), ("2022-12", 0.90)),  # Mykolaiv
    "GE-AB": (("2021-01", 0.05),),  # Abkhazia, outside Tbilisi's control
}
# fmt: off
_CAPITALS = ("UA-30", "MD-CU", "RO-B", "PL-14", "HU-BU", "SK-BL", "EE-37", "LV-RIX", "LT-VL",
             "GE-TB")
# fmt: on
# fmt: off
_CAPITAL_EFFECT = {"cybercrime": 1.6, "financial_crime": 1.6, "organised_crime": 1.3,
                   "child_sexual_exploitation": 1.2, "drug_trafficking": 1.2}
# fmt: on
# Long-standing stolen-vehicle hubs (Kaunas, and the used-car market of Marijampolė), so
# that the fading signal has something to fade.
_HOTSPOTS = {("LT-KU", "vehicle_crime"): 2.5, ("LT-MR", "vehicle_crime"): 2.5}
_BORDER_KM = 60.0  # e-folding distance of border exposure
_AT_CROSSING_KM = 25.0  # distance used for a region that hosts the crossing
_FLOW_REACH_KM = 250.0
_FLOW_LAGS = (0.5, 0.3, 0.2)  # weights of arrivals 1, 2 and 3 months earlier
_NOISE_SHAPE = 50.0  # gamma noise per region, type and month (CV 0.14)
_FLOW_POWER = 0.75  # response to the excess of arrivals over 2021, damping March 2022
_MAX_FACTOR = 15.0
_FLOOR = 15.0  # minimum expected incidents per region and type over the history
_REGION_SD, _COUNTRY_SD = 0.3, 0.25


class _Signal(NamedTuple):
    kind: str
    crime_type: str
    start: str
    core: tuple[str, ...]
    neighbours: tuple[str, ...]
    factor: float
    ramp_months: int


# fmt: off
_SIGNALS: tuple[_Signal, ...] = (
    # Weapons leaking from Odesa into southern Moldova (Cahul, Taraclia, Gagauzia, Cantemir).
    _Signal("emerging", "firearms_trafficking", "2026-02", ("UA-51", "MD-CA"),
            ("MD-TA", "MD-GA", "MD-CT"), 3.0, 3),
    # A new route over Poland's Belarus border, spilling into Lithuania's Alytus county.
    _Signal("emerging", "migrant_smuggling", "2026-03", ("PL-20", "PL-06"), ("LT-AL",), 3.0, 3),
    # Forged documents at the Siret crossing and next door.
    _Signal("emerging", "document_fraud", "2026-03", ("RO-SV",), ("RO-BT",), 3.0, 3),
    # A stolen-vehicle hub winding down.
    _Signal("fading", "vehicle_crime", "2025-11", ("LT-KU",), ("LT-MR",), 0.3, 9),
)
# fmt: on
# Extra expected incidents per month (scale 1) an emerging signal adds at least, so that
# small regions still show a change a low-count guard accepts.
_MIN_EXTRA = {"core": 6.0, "neighbour": 3.0}


@dataclass(frozen=True)
class DemoSettings:
    """What to generate: the random seed and the size relative to the default.

    Parameters
    ----------
    seed : int
        Same seed, same data (bit for bit). At least 0.
    scale : float
        Multiplies the expected number of incident rows (1.0 gives about 500 000);
        greater than 0 and at most 100. Flows are real-world magnitudes and do not scale.
    """

    seed: int = 20260224
    scale: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise TypeError(f"`seed` must be an integer. Got {self.seed!r}.")
        if self.seed < 0:
            raise ValueError(f"`seed` must be 0 or greater. Got {self.seed!r}.")
        if isinstance(self.scale, bool) or not isinstance(self.scale, int | float | np.number):
            raise TypeError(f"`scale` must be a number. Got {self.scale!r}.")
        if not math.isfinite(self.scale):
            raise ValueError(f"`scale` must be a finite number. Got {self.scale!r}.")
        if self.scale <= 0:
            raise ValueError(f"`scale` must be greater than 0. Got {self.scale!r}.")
        if self.scale > MAX_SCALE:
            raise ValueError(f"`scale` must be at most {MAX_SCALE}. Got {self.scale!r}.")


def _rng(settings: DemoSettings, stream: str) -> np.random.Generator:
    # One independent stream per purpose: adding draws to one never shifts another, and the
    # structural streams ignore `scale`, which keeps the shape identical at every scale.
    return np.random.default_rng([int(settings.seed), zlib.crc32(stream.encode())])


def _months() -> np.ndarray:
    return np.arange(np.datetime64(DEMO_START, "M"), np.datetime64(DEMO_END, "M") + 1)


def _month_index(month: str) -> int:
    return int((np.datetime64(month, "M") - np.datetime64(DEMO_START, "M")).astype(int))


# -- flows -------------------------------------------------------------------------------------


def _receiving_crossings() -> pd.DataFrame:
    """Crossing points on Ukraine's border with a receiving country, and that country."""
    cp = load_crossing_points()
    into_b = (cp["country_a"] == "UA") & cp["country_b"].isin(RECEIVING_COUNTRIES)
    into_a = (cp["country_b"] == "UA") & cp["country_a"].isin(RECEIVING_COUNTRIES)
    cp["receiving"] = np.where(into_b, cp["country_b"], np.where(into_a, cp["country_a"], ""))
    return cp[cp["receiving"] != ""].reset_index(drop=True)


def _country_flow_rates(days: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Expected daily arrivals and departures per receiving country."""
    t = (days - np.datetime64(WAR_START)).astype("float64")
    war = t >= 0
    tw = np.where(war, t, 0.0)
    day_of_year = (days - days.astype("datetime64[Y]")).astype("float64")
    # Ordinary traffic: summer travel, and 2021's COVID restrictions easing until July.
    covid = 1 - 0.3 * np.clip((np.datetime64("2021-07-01") - days).astype("float64") / 180, 0, 1)
    baseline = (1 + 0.25 * np.cos(2 * np.pi * (day_of_year - 200) / 365.25)) * covid
    # The surge peaks about eight days after 24 February and decays within weeks.
    surge = np.where(war, (1 - np.exp(-(tw + 1) / 5)) * np.exp(-tw / 20), 0.0)
    surge /= surge.sum()
    plateau = (1 - np.exp(-tw / 40)) * np.exp(-tw / (6 * 365.25))
    plateau *= 1 + 0.2 * np.cos(2 * np.pi * (day_of_year - 213) / 365.25)
    for centre, width, height in _FLOW_WAVES:
        offset = (days - np.datetime64(centre)).astype("float64")
        plateau += height * np.exp(-0.5 * (offset / width) ** 2)
    plateau = np.where(war, plateau, 0.0)
    weekday = _WEEKDAY[(days.astype("int64") + 3) % 7]  # 1970-01-01 was a Thursday
    # Returns: few in spring 2022, about as many as arrivals from autumn 2022 on.
    returning = 0.1 + 0.85 / (1 + np.exp(-(days - np.datetime64("2022-06-15")).astype(float) / 35))
    arrivals, departures = {}, {}
    for country, (base, surge_total, plateau_month) in _FLOW_PROFILE.items():
        ordinary = base * baseline
        displaced = surge_total * surge + plateau_month / 30.44 * plateau
        recent = np.convolve(displaced, np.full(60, 1 / 60))[: len(days)]  # trailing mean
        arrivals[country] = (ordinary + displaced) * weekday
        departures[country] = (0.97 * ordinary + returning * recent) * weekday
    return arrivals, departures


def generate_flows(settings: DemoSettings) -> pd.DataFrame:
    """Daily border crossings from Ukraine per receiving crossing point.

    Parameters
    ----------
    settings : DemoSettings
        Only the seed matters; flows have real-world magnitudes at every scale.

    Returns
    -------
    DataFrame
        The flow contract columns ``date, country, crossing_point, arrivals,
        departures``: one row per day from :data:`DEMO_START` to :data:`DEMO_END` and
        per crossing point between Ukraine and Moldova, Poland, Slovakia, Hungary or
        Romania; ``country`` is the receiving side, so a country's total is the sum over
        its crossing points.
    """
    crossings = _receiving_crossings()
    days = np.arange(np.datetime64(DEMO_START), np.datetime64(DEMO_END) + 1)
    arrivals, departures = _country_flow_rates(days)
    structure = _rng(settings, "flow-structure")
    weight = crossings["type"].map(_CROSSING_TYPE_WEIGHT).fillna(0.5).to_numpy()
    weight = weight * structure.lognormal(0.0, 0.5, len(crossings))
    share = weight / pd.Series(weight).groupby(crossings["receiving"]).transform("sum").to_numpy()
    expected_in = np.stack([arrivals[c] for c in crossings["receiving"]]) * share[:, None]
    expected_out = np.stack([departures[c] for c in crossings["receiving"]]) * share[:, None]
    noise = _rng(settings, "flow-noise")
    shape = 25.0  # day-to-day noise of a crossing's traffic, CV 0.2
    n_in = noise.poisson(expected_in * noise.gamma(shape, 1 / shape, expected_in.shape))
    n_out = noise.poisson(expected_out * noise.gamma(shape, 1 / shape, expected_out.shape))
    n_cross, n_days = expected_in.shape
    return pd.DataFrame(
        {
            "date": np.tile(days, n_cross).astype("datetime64[us]"),
            "country": np.repeat(crossings["receiving"].to_numpy(), n_days),
            "crossing_point": np.repeat(crossings["crossing_point_id"].to_numpy(), n_days),
            "arrivals": n_in.ravel().astype("int64"),
            "departures": n_out.ravel().astype("int64"),
        }
    ).sort_values(["date", "country", "crossing_point"], ignore_index=True)


# -- geography ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geography:
    regions: pd.DataFrame
    crossings: pd.DataFrame
    distance: np.ndarray  # (regions, crossings) km, capped for regions hosting the crossing
    hosted: np.ndarray  # (regions, J) crossing index per region, -1 padding
    jitter_deg: np.ndarray  # per region, spread of geocoded points around the seat


def _geography() -> _Geography:
    regions = load_regions()
    crossings = load_crossing_points()
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
    return _Geography(regions, crossings, distance, hosted, jitter_deg)


# -- expected counts ---------------------------------------------------------------------------


def _country_table(regions: pd.DataFrame, table: dict, default: float) -> np.ndarray:
    return regions["country"].map(table).fillna(default).to_numpy(dtype="float64")


def _reporting_by_month(regions: pd.DataFrame) -> np.ndarray:
    """(months, regions): the share of incidents a region still records."""
    out = np.ones((len(_months()), len(regions)))
    for j, code in enumerate(regions["region_code"]):
        for month, share in _REPORTING_BREAKS.get(code, ()):
            out[_month_index(month) :, j] = share
    return out


def _base_rates(settings: DemoSettings, geo: _Geography) -> np.ndarray:
    """(months, regions, types) relative expected incidents, without flows or signals."""
    regions = geo.regions
    months = _months()
    n_m, n_r, n_k = len(months), len(regions), len(CRIME_TYPE_KEYS)
    profiles = [_PROFILES[k] for k in CRIME_TYPE_KEYS]
    rate = np.array([p.rate for p in profiles])
    border = np.array([p.border for p in profiles])
    exposure = 1 + border[None, :] * np.exp(-geo.distance.min(axis=1) / _BORDER_KM)[:, None]
    structure = _rng(settings, "incident-structure")
    countries = regions["country"].to_numpy()
    country_codes, country_idx = np.unique(countries, return_inverse=True)
    practice = structure.lognormal(-(_COUNTRY_SD**2) / 2, _COUNTRY_SD, (len(country_codes), n_k))
    per_region = structure.lognormal(-(_REGION_SD**2) / 2, _REGION_SD, (n_r, n_k))
    level = (regions["population"].to_numpy() / 1e5)[:, None] * rate[None, :] * exposure
    level *= practice[country_idx] * per_region
    level *= _country_table(regions, _REPORTING, 1.0)[:, None]
    codes = regions["region_code"].to_numpy()
    for k, key in enumerate(CRIME_TYPE_KEYS):
        level[np.isin(codes, _CAPITALS), k] *= _CAPITAL_EFFECT.get(key, 1.0)
    for (code, key), factor in _HOTSPOTS.items():
        level[codes == code, CRIME_TYPE_KEYS.index(key)] *= factor

    month_of_year = months.astype("int64") % 12 + 1
    years = np.arange(n_m) / 12
    peak = np.array([p.peak for p in profiles])
    amplitude = np.array([p.amplitude for p in profiles])
    season = 1 + amplitude * np.cos(2 * np.pi * (month_of_year[:, None] - peak) / 12)
    trend = np.exp(np.outer(years, [p.trend for p in profiles]))
    war = np.ones((n_m, n_r, n_k))
    from_march = _month_index("2022-03")
    for group, effects in _WAR_EFFECTS:
        members = np.isin(countries, group)
        for key, factor in effects.items():
            war[from_march:, members, CRIME_TYPE_KEYS.index(key)] *= factor
    time_shape = (season * trend)[:, None, :] * war
    return level[None, :, :] * time_shape * _reporting_by_month(regions)[:, :, None]


def _flow_multiplier(geo: _Geography, flows: pd.DataFrame) -> np.ndarray:
    """(months, regions, types): the lagged response to arrivals through nearby crossings.

    Each crossing's monthly arrivals are compared with its pre-war mean; the excess,
    damped by a power below 1 (March 2022 would dwarf everything else), is averaged over
    the crossings within reach weighted by proximity, and lagged 1-3 months. Rows without
    a crossing point, and crossings without pre-war months, add nothing.
    """
    months = _months()
    n_r = len(geo.regions)
    known = flows.dropna(subset=["crossing_point"])
    month_of = pd.to_datetime(known["date"]).to_numpy().astype("datetime64[M]")
    table = (
        pd.DataFrame(
            {
                "cp": known["crossing_point"].astype(str).to_numpy(),
                "m": month_of,
                "a": known["arrivals"].to_numpy(dtype="float64"),
            }
        )
        .groupby(["cp", "m"])["a"]
        .sum()
        .unstack("m")
        .reindex(index=geo.crossings["crossing_point_id"], columns=months)
    )
    monthly = table.to_numpy()  # (crossings, months), NaN where a crossing has no flows
    pre_war = months < np.datetime64(WAR_START, "M")
    observed = ~np.isnan(monthly) & pre_war
    baseline = np.where(observed, monthly, 0.0).sum(axis=1) / np.maximum(observed.sum(axis=1), 1)
    safe = np.where(baseline > 0, baseline, np.nan)[:, None]
    with np.errstate(invalid="ignore"):
        excess = np.nan_to_num(np.clip(monthly / safe - 1, 0, None), nan=0.0) ** _FLOW_POWER
    lagged = np.zeros_like(excess)
    for lag, w in enumerate(_FLOW_LAGS, start=1):
        lagged[:, lag:] += w * excess[:, :-lag]
    has_flows = ~np.isnan(monthly).all(axis=1)
    weight = np.where(
        (geo.distance <= _FLOW_REACH_KM) & has_flows[None, :],
        np.exp(-geo.distance / _BORDER_KM),
        0.0,
    )
    total = weight.sum(axis=1, keepdims=True)
    pressure = (weight @ lagged) / np.where(total > 0, total, 1.0)  # (regions, months)
    proximity = weight.max(axis=1) if weight.size else np.zeros(n_r)
    beta = np.array([_PROFILES[k].flow for k in CRIME_TYPE_KEYS])
    return 1 + (pressure.T * proximity[None, :])[:, :, None] * beta[None, None, :]


def _normaliser(geo: _Geography, rates: np.ndarray) -> float:
    """The constant that makes ``rates`` produce ROWS_AT_SCALE_1 expected rows."""
    share = _country_table(geo.regions, _RETURN_SHARE, 0.05)
    rows_per_incident = (1 - share) + share / _RETURN_SIZE
    return ROWS_AT_SCALE_1 / float((rates * rows_per_incident[None, :, None]).sum())


def _signal_table(settings: DemoSettings, geo: _Geography) -> pd.DataFrame:
    base = _base_rates(settings, geo)
    base = base * _normaliser(geo, base)
    codes = list(geo.regions["region_code"])
    rows = []
    for signal in _SIGNALS:
        start = _month_index(signal.start)
        k = CRIME_TYPE_KEYS.index(signal.crime_type)
        for role, members in (("core", signal.core), ("neighbour", signal.neighbours)):
            for code in members:
                if code not in codes:
                    continue
                if signal.kind == "fading":
                    factor = signal.factor
                else:
                    nominal = signal.factor if role == "core" else 1 + (signal.factor - 1) / 2
                    before = float(base[start - 12 : start, codes.index(code), k].mean())
                    factor = min(max(nominal, 1 + _MIN_EXTRA[role] / before), _MAX_FACTOR)
                rows.append(
                    (
                        code,
                        signal.crime_type,
                        signal.kind,
                        date.fromisoformat(signal.start + "-01"),
                        round(factor, 2),
                        signal.ramp_months,
                        role,
                    )
                )
    return pd.DataFrame(rows, columns=list(SIGNAL_COLUMNS))


def planted_signals(settings: DemoSettings) -> pd.DataFrame:
    """The changes deliberately planted in the demo incidents, for tests and pages to find.

    Parameters
    ----------
    settings : DemoSettings
        The factors depend on the seed (a small region needs a larger factor to show a
        clear change), not on the scale.

    Returns
    -------
    DataFrame
        One row per region and crime type: ``region_code``, ``crime_type``, ``kind``
        (``"emerging"`` or ``"fading"``), ``start`` (first month, a date), ``factor``
        (the multiplier reached, relative to the level before ``start``),
        ``ramp_months`` (months to get there, linearly) and ``role`` (``"core"`` or
        ``"neighbour"``: emerging signals spread to neighbouring regions at half
        strength, so a hotspot statistic sees a cluster).
    """
    return _signal_table(settings, _geography())


def _signal_multiplier(geo: _Geography, signals: pd.DataFrame) -> np.ndarray:
    n_m = len(_months())
    out = np.ones((n_m, len(geo.regions), len(CRIME_TYPE_KEYS)))
    codes = list(geo.regions["region_code"])
    for row in signals.itertuples(index=False):
        start = _month_index(row.start.strftime("%Y-%m"))
        progress = np.clip((np.arange(n_m) - start + 1) / row.ramp_months, 0, 1)
        out[:, codes.index(row.region_code), CRIME_TYPE_KEYS.index(row.crime_type)] = (
            1 + (row.factor - 1) * progress
        )
    return out


def _expected_counts(settings: DemoSettings, geo: _Geography, flows: pd.DataFrame) -> np.ndarray:
    """(months, regions, types) expected incidents at scale 1."""
    rates = _base_rates(settings, geo) * _flow_multiplier(geo, flows)
    rates *= _signal_multiplier(geo, _signal_table(settings, geo))
    noise = _rng(settings, "incident-noise")
    rates *= noise.gamma(_NOISE_SHAPE, 1 / _NOISE_SHAPE, rates.shape)
    expected = rates * _normaliser(geo, rates)
    # Top up rare cells so every region records every type at least a few times over the
    # history (spread like the region's reporting, so occupied regions stay near silent).
    reporting = _reporting_by_month(geo.regions)
    deficit = np.clip(_FLOOR - expected.sum(axis=0), 0, None)  # (regions, types)
    expected += deficit[None, :, :] * (reporting / reporting.sum(axis=0))[:, :, None]
    # Renormalise: the top-up shrinks a little but stays far above zero.
    return expected * _normaliser(geo, expected)


# -- rows --------------------------------------------------------------------------------------


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
    geo = _geography()
    regions = geo.regions
    expected = _expected_counts(settings, geo, flows) * settings.scale
    n_m, n_r, n_k = expected.shape
    share = _country_table(regions, _RETURN_SHARE, 0.05)[None, :, None]
    draw = _rng(settings, "rows")
    singles = draw.poisson(expected * (1 - share)).ravel()
    returned = draw.poisson(expected * share).ravel()
    # A month's returned incidents arrive as ceil(n / 5) returns (one per district office)
    # of near-equal size: the total stays Poisson, and rows still grow with the scale.
    n_returns = -(-returned // _RETURN_SIZE)
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

    month_start = _months().astype("datetime64[D]")
    days_in_month = (
        (month_start + np.timedelta64(31, "D")).astype("datetime64[M]").astype("datetime64[D]")
        - month_start
    ).astype("int64")
    day = month_start.astype("int64")[month]
    day[:n_single] += (draw.random(n_single) * days_in_month[month[:n_single]]).astype("int64")

    # Border-type records in a region that hosts crossings are often tied to one of them.
    at_crossing_share = np.array([_PROFILES[k].at_crossing for k in CRIME_TYPE_KEYS])
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
    geocoded_share = _country_table(regions, _GEOCODED, 0.5)
    geocoded = np.flatnonzero(~is_return & ~at_crossing & (draw.random(n) < geocoded_share[region]))
    seat_lat = regions["latitude"].to_numpy()[region[geocoded]]
    seat_lon = regions["longitude"].to_numpy()[region[geocoded]]
    spread = geo.jitter_deg[region[geocoded]]
    latitude[geocoded] = seat_lat + _bounded_normal(draw, len(geocoded)) * spread
    longitude[geocoded] = seat_lon + _bounded_normal(draw, len(geocoded)) * spread / np.cos(
        np.radians(seat_lat)
    )
    del rows, geocoded

    # Victims and suspects: one record per person-event, returns add up their incidents.
    victim_type = np.isin(np.array(CRIME_TYPE_KEYS), _VICTIM_TYPES)[kind]
    victims = count + draw.poisson(0.3 * count)
    no_victims = ~victim_type | (draw.random(n) < 0.1)
    mean_suspects = np.array([_PROFILES[k].suspects for k in CRIME_TYPE_KEYS])[kind]
    suspects = count + draw.poisson((mean_suspects - 1) * count)
    no_suspects = (
        draw.random(n) < np.array([_PROFILES[k].no_suspects for k in CRIME_TYPE_KEYS])[kind]
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


# -- the store ---------------------------------------------------------------------------------


def _demo_sha256(settings: DemoSettings, kind: str) -> str:
    scale = float(settings.scale)
    text = f"threatmon-demo:v{GENERATOR_VERSION}:{kind}:seed={settings.seed}:scale={scale!r}"
    return hashlib.sha256(text.encode()).hexdigest()


def signals_json(signals: pd.DataFrame) -> str:
    """The planted signals as the JSON list stored under the meta key ``demo_signals``."""
    records = signals.assign(start=signals["start"].map(date.isoformat)).to_dict("records")
    return json.dumps(records, ensure_ascii=False)


def build_demo_store(path, settings: DemoSettings, *, user: str = "demo") -> dict:
    """Generate the demo and replace the store at ``path`` with it, in one write session.

    Parameters
    ----------
    path : path-like or None
        The store, resolved like :func:`threatmon.store.reader.resolve_db_path`. Whatever is
        there is replaced atomically (readers see the old store until the end).
    settings : DemoSettings
        Seed and scale.
    user : str
        Recorded in the batches and the audit log.

    Returns
    -------
    dict
        ``path``, ``rows`` (incident rows), ``incidents`` (sum of ``count``),
        ``flow_rows``, ``signals``, ``generate_seconds``, ``write_seconds`` and
        ``seconds`` (the total).
    """
    started = time.perf_counter()
    flows = generate_flows(settings)
    incidents = generate_incidents(settings, flows)
    signals = planted_signals(settings)
    generated = time.perf_counter()
    summary = {
        "path": describe(resolve_location(path)),
        "rows": len(incidents),
        "incidents": int(incidents["count"].sum()),
        "flow_rows": len(flows),
        "signals": len(signals),
    }
    with write_session(path, user=user, fresh=True) as writer:
        writer.add_flows(
            flows, file_name="demo-flows (synthetic)", sha256=_demo_sha256(settings, "flows")
        )
        writer.add_incidents(
            incidents,
            file_name="demo-incidents (synthetic)",
            sha256=_demo_sha256(settings, "incidents"),
        )
        writer.set_meta("demo", "true")
        writer.set_meta("demo_seed", str(settings.seed))
        writer.set_meta("demo_scale", repr(float(settings.scale)))
        writer.set_meta("demo_signals", signals_json(signals))
        writer.audit(
            "demo",
            None,
            {
                "seed": settings.seed,
                "scale": settings.scale,
                "generator_version": GENERATOR_VERSION,
                **summary,
            },
        )
    finished = time.perf_counter()
    summary["generate_seconds"] = round(generated - started, 3)
    summary["write_seconds"] = round(finished - generated, 3)
    summary["seconds"] = round(finished - started, 3)
    return summary
