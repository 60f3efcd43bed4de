"""Small synthetic inputs for the store tests."""

import numpy as np
import pandas as pd
import pytest

from data_loaders.crime_types import CRIME_TYPE_KEYS
from data_loaders.regions import load_regions

#: Where the store suite runs: the embedded DuckDB file and a PostgreSQL database.
BACKENDS = ("duckdb", "postgresql")


@pytest.fixture(params=BACKENDS)
def store_location(request, tmp_path):
    """Where a new store goes, on each backend in turn: a DuckDB file path, or the URL
    of an empty PostgreSQL database."""
    if request.param == "duckdb":
        return tmp_path / "store.duckdb"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_location(request, tmp_path_factory):
    """Like ``store_location``, shared by the tests of one module."""
    if request.param == "duckdb":
        yield tmp_path_factory.mktemp("store") / "store.duckdb"
        return
    from threatmon.local_postgres import scratch_database

    with scratch_database(
        request.getfixturevalue("postgres_server"), request.module.__name__.rsplit(".")[-1]
    ) as url:
        yield url


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


@pytest.fixture
def make_incidents():
    """Factory for valid random incident frames."""
    return random_incidents


@pytest.fixture
def incidents_few():
    """Three hand-written incidents in two Moldovan regions."""
    return pd.DataFrame(
        {
            "date": ["2024-01-05", "2024-01-20", "2024-02-03"],
            "country": ["MD", "MD", "MD"],
            "region_code": ["MD-CA", "MD-CA", "MD-CU"],
            "crime_type": ["migrant_smuggling", "migrant_smuggling", "drug_trafficking"],
            "count": [1, 2, 5],
        }
    )
