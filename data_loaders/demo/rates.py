"""Expected incidents per month, region and crime type before signals and noise: how each
crime type behaves, how each country reports, the war, and the response to arrivals.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from data_loaders.demo.geography import Geography
from data_loaders.demo.settings import (
    ROWS_AT_SCALE_1,
    WAR_START,
    DemoSettings,
    demo_months,
    month_index,
    rng,
)
from threatmon.registry.crime_types import CRIME_TYPE_KEYS


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


PROFILES: dict[str, _Profile] = {
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
# Country reporting practice: overall recording level, share of incidents that arrive as
# monthly statistical returns (count > 1), and share of single records that are geocoded.
# fmt: off
_REPORTING = {"MD": 1.1, "UA": 1.0, "RO": 0.8, "PL": 1.0, "HU": 0.75, "SK": 0.85, "EE": 1.2,
              "LV": 1.0, "LT": 1.1, "GE": 0.9}
RETURN_SHARE = {"UA": 0.40, "GE": 0.30, "HU": 0.25, "RO": 0.20, "MD": 0.10}
GEOCODED = {"PL": 0.8, "EE": 0.75, "LV": 0.7, "LT": 0.7, "SK": 0.6, "MD": 0.6, "RO": 0.5,
            "HU": 0.5, "UA": 0.3, "GE": 0.3}
# fmt: on
RETURN_SIZE = 5  # incidents per monthly return, at most
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
_CAPITAL_EFFECT = {"cybercrime": 1.6, "financial_crime": 1.6, "organised_crime": 1.3,
                   "child_sexual_exploitation": 1.2, "drug_trafficking": 1.2}
# fmt: on
# Long-standing stolen-vehicle hubs (Kaunas, and the used-car market of Marijampolė), so
# that the fading signal has something to fade.
_HOTSPOTS = {("LT-KU", "vehicle_crime"): 2.5, ("LT-MR", "vehicle_crime"): 2.5}
_BORDER_KM = 60.0  # e-folding distance of border exposure
_FLOW_REACH_KM = 250.0
_FLOW_LAGS = (0.5, 0.3, 0.2)  # weights of arrivals 1, 2 and 3 months earlier
_FLOW_POWER = 0.75  # response to the excess of arrivals over 2021, damping March 2022
_REGION_SD, _COUNTRY_SD = 0.3, 0.25


def country_table(regions: pd.DataFrame, table: dict, default: float) -> np.ndarray:
    return regions["country"].map(table).fillna(default).to_numpy(dtype="float64")


def reporting_by_month(regions: pd.DataFrame) -> np.ndarray:
    """(months, regions): the share of incidents a region still records."""
    out = np.ones((len(demo_months()), len(regions)))
    for j, code in enumerate(regions["region_code"]):
        for month, share in _REPORTING_BREAKS.get(code, ()):
            out[month_index(month) :, j] = share
    return out


def base_rates(settings: DemoSettings, geo: Geography) -> np.ndarray:
    """(months, regions, types) relative expected incidents, without flows or signals."""
    regions = geo.regions
    months = demo_months()
    n_m, n_r, n_k = len(months), len(regions), len(CRIME_TYPE_KEYS)
    profiles = [PROFILES[k] for k in CRIME_TYPE_KEYS]
    rate = np.array([p.rate for p in profiles])
    border = np.array([p.border for p in profiles])
    exposure = 1 + border[None, :] * np.exp(-geo.distance.min(axis=1) / _BORDER_KM)[:, None]
    structure = rng(settings, "incident-structure")
    countries = regions["country"].to_numpy()
    country_codes, country_idx = np.unique(countries, return_inverse=True)
    practice = structure.lognormal(-(_COUNTRY_SD**2) / 2, _COUNTRY_SD, (len(country_codes), n_k))
    per_region = structure.lognormal(-(_REGION_SD**2) / 2, _REGION_SD, (n_r, n_k))
    level = (regions["population"].to_numpy() / 1e5)[:, None] * rate[None, :] * exposure
    level *= practice[country_idx] * per_region
    level *= country_table(regions, _REPORTING, 1.0)[:, None]
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
    from_march = month_index("2022-03")
    for group, effects in _WAR_EFFECTS:
        members = np.isin(countries, group)
        for key, factor in effects.items():
            war[from_march:, members, CRIME_TYPE_KEYS.index(key)] *= factor
    time_shape = (season * trend)[:, None, :] * war
    return level[None, :, :] * time_shape * reporting_by_month(regions)[:, :, None]


def flow_multiplier(geo: Geography, flows: pd.DataFrame) -> np.ndarray:
    """(months, regions, types): the lagged response to arrivals through nearby crossings.

    Each crossing's monthly arrivals are compared with its pre-war mean; the excess,
    damped by a power below 1 (March 2022 would dwarf everything else), is averaged over
    the crossings within reach weighted by proximity, and lagged 1-3 months. Rows without
    a crossing point, and crossings without pre-war months, add nothing.
    """
    months = demo_months()
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
    beta = np.array([PROFILES[k].flow for k in CRIME_TYPE_KEYS])
    return 1 + (pressure.T * proximity[None, :])[:, :, None] * beta[None, None, :]


def normaliser(geo: Geography, rates: np.ndarray) -> float:
    """The constant that makes ``rates`` produce ROWS_AT_SCALE_1 expected rows."""
    share = country_table(geo.regions, RETURN_SHARE, 0.05)
    rows_per_incident = (1 - share) + share / RETURN_SIZE
    return ROWS_AT_SCALE_1 / float((rates * rows_per_incident[None, :, None]).sum())
