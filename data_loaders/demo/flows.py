"""Synthetic daily border crossings from Ukraine, shaped like the 2022 displacement."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_loaders.demo.settings import DEMO_END, DEMO_START, WAR_START, DemoSettings, rng
from threatmon.registry.crossing_points import load_crossing_points

RECEIVING_COUNTRIES: tuple[str, ...] = ("PL", "HU", "RO", "SK", "MD")
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
    structure = rng(settings, "flow-structure")
    weight = crossings["type"].map(_CROSSING_TYPE_WEIGHT).fillna(0.5).to_numpy()
    weight = weight * structure.lognormal(0.0, 0.5, len(crossings))
    share = weight / pd.Series(weight).groupby(crossings["receiving"]).transform("sum").to_numpy()
    expected_in = np.stack([arrivals[c] for c in crossings["receiving"]]) * share[:, None]
    expected_out = np.stack([departures[c] for c in crossings["receiving"]]) * share[:, None]
    noise = rng(settings, "flow-noise")
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
