"""The changes planted in the demo incidents (emerging and fading), for tests and pages to
find, and the multiplier that plants them.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from data_loaders.demo.geography import Geography, geography
from data_loaders.demo.rates import base_rates, normaliser
from data_loaders.demo.settings import DemoSettings, demo_months, month_index
from threatmon.registry.crime_types import CRIME_TYPE_KEYS

# fmt: off
SIGNAL_COLUMNS: tuple[str, ...] = (
    "region_code", "crime_type", "kind", "start", "factor", "ramp_months", "role",
)
# fmt: on
_MAX_FACTOR = 15.0


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


def signal_table(settings: DemoSettings, geo: Geography) -> pd.DataFrame:
    base = base_rates(settings, geo)
    base = base * normaliser(geo, base)
    codes = list(geo.regions["region_code"])
    rows = []
    for signal in _SIGNALS:
        start = month_index(signal.start)
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
    return signal_table(settings, geography())


def signal_multiplier(geo: Geography, signals: pd.DataFrame) -> np.ndarray:
    n_m = len(demo_months())
    out = np.ones((n_m, len(geo.regions), len(CRIME_TYPE_KEYS)))
    codes = list(geo.regions["region_code"])
    for row in signals.itertuples(index=False):
        start = month_index(row.start.strftime("%Y-%m"))
        progress = np.clip((np.arange(n_m) - start + 1) / row.ramp_months, 0, 1)
        out[:, codes.index(row.region_code), CRIME_TYPE_KEYS.index(row.crime_type)] = (
            1 + (row.factor - 1) * progress
        )
    return out
