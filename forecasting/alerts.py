"""The early-warning list: region × crime-type series whose latest month stands out.

Each alert says in one sentence why it fired and links to the map of that region,
crime type and month, so that a committee member can look before asking.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from data_loaders.crime_types import CRIME_TYPES
from data_loaders.filters import Filters
from data_loaders.regions import load_regions
from data_loaders.store import Store
from forecasting.surges import describe, surges
from forecasting.trends import last_complete_months

#: Columns of :func:`early_warning`, in order (the CLI's JSON keys).
COLUMNS: tuple[str, ...] = (
    "rank",
    "kind",
    "region_code",
    "country",
    "crime_type",
    "period",
    "count",
    "expected",
    "ratio",
    "p_value",
    "sentence",
    "link",
)


def map_link(region_code: str, country: str, crime_type: str, month: pd.Timestamp) -> str:
    """The map page showing this region's crime type in ``month`` (a relative URL)."""
    stamp = f"{pd.Timestamp(month):%Y-%m}"
    query = urlencode(
        {
            "country": country,
            "region": region_code,
            "crime": crime_type,
            "from": stamp,
            "to": stamp,
            "measure": "count",
        }
    )
    return f"maps?{query}"


def early_warning(
    store: Store, *, baseline: int = 12, min_count: int = 5, alpha: float = 0.01
) -> pd.DataFrame:
    """Surges of the store's latest complete month, ranked, explained and linked.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`; ``kind`` is ``"surge"`` (latest month far above its trailing
        ``baseline`` months; :func:`forecasting.surges.surges`).
    """
    coverage = store.coverage()
    if coverage["last"] is None:
        return pd.DataFrame(columns=list(COLUMNS))
    start, end = last_complete_months(coverage["last"], baseline + 1)
    monthly = store.aggregate(
        Filters(start=start, end=end), by=("region_code", "crime_type"), freq="M"
    )
    found = surges(monthly, baseline=baseline, min_count=min_count, alpha=alpha)
    registry = load_regions()
    names = dict(zip(registry["region_code"], registry["name_en"], strict=True))
    countries = dict(zip(registry["region_code"], registry["country"], strict=True))
    crimes = {crime.key: crime.label for crime in CRIME_TYPES}
    out = found.assign(
        kind="surge",
        country=found["region_code"].map(countries),
        sentence=[describe(row, names, crimes, baseline) for _, row in found.iterrows()],
    )
    out["link"] = [
        map_link(row.region_code, row.country, row.crime_type, row.period)
        for row in out.itertuples(index=False)
    ]
    out.insert(0, "rank", range(1, len(out) + 1))
    return out[list(COLUMNS)].reset_index(drop=True)
