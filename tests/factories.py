"""Small synthetic inputs shared by tests of several packages (plain functions, importable)."""

import numpy as np
import pandas as pd

from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import load_regions

#: Where the store suite runs: the embedded DuckDB file and a PostgreSQL database.
BACKENDS = ("duckdb", "postgresql")


def random_incidents(n: int, seed: int = 0, start="2024-01-01", days=400) -> pd.DataFrame:
    """``n`` valid incident rows spread over regions, crime types and ``days`` days."""
    rng = np.random.default_rng(seed)
    regions = load_regions()
    picks = rng.integers(0, len(regions), n)
    return pd.DataFrame(
        {
            "date": pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D"),
            "country": regions["country"].to_numpy()[picks],
            "region_code": regions["region_code"].to_numpy()[picks],
            "crime_type": np.asarray(CRIME_TYPE_KEYS)[rng.integers(0, len(CRIME_TYPE_KEYS), n)],
            "count": rng.integers(1, 4, n),
            "victims": rng.integers(0, 3, n),
        }
    )
