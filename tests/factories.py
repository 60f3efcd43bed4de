"""Small synthetic inputs shared by tests of several packages (plain functions, importable)."""

import urllib.error
import urllib.request
from http.cookies import SimpleCookie

import numpy as np
import pandas as pd
import pytest

from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import load_regions

#: Where the store suite runs: the embedded DuckDB file and a PostgreSQL database.
BACKENDS = ("duckdb", pytest.param("postgresql", marks=pytest.mark.postgres))


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


def sparse_monthly() -> pd.DataFrame:
    """Two crime types in two regions over Jan 2024 – Jun 2025, some months missing."""
    rows = [
        ("2024-01-01", "MD-CU", "drug_trafficking", 4),
        ("2024-02-01", "MD-CU", "drug_trafficking", 6),
        ("2024-07-01", "MD-CU", "drug_trafficking", 10),
        ("2024-12-01", "MD-BA", "migrant_smuggling", 2),
        ("2025-01-01", "MD-CU", "drug_trafficking", 7),
        ("2025-02-01", "MD-BA", "migrant_smuggling", 5),
        ("2025-06-01", "MD-CU", "drug_trafficking", 1),
    ]
    frame = pd.DataFrame(rows, columns=["period", "region_code", "crime_type", "count"])
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def small_registry() -> pd.DataFrame:
    """Three regions in two countries; one population unknown."""
    return pd.DataFrame(
        {
            "region_code": ["MD-CU", "MD-BA", "EE-37"],
            "country": ["MD", "MD", "EE"],
            "name_en": ["Chișinău", "Bălți", "Harju County"],
            "population": [600_000.0, 100_000.0, np.nan],
        }
    )


def upload_file(
    base: str, session_id: str, size: int = 1000, cookies: dict | None = None, ssl=None
) -> tuple[int, bytes]:
    """PUT a file of ``size`` bytes to ``session_id``'s upload endpoint as the browser does
    (XSRF cookie and header); (status, body)."""
    with urllib.request.urlopen(base + "/_stcore/health", timeout=10, context=ssl) as answer:
        jar = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or ():
            jar.load(header)
    xsrf = jar["_streamlit_xsrf"].value
    jar_text = "; ".join(
        f"{k}={v}" for k, v in {**(cookies or {}), "_streamlit_xsrf": xsrf}.items()
    )
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + b"x" * size + b"\r\n--b--\r\n"
    )
    request = urllib.request.Request(
        f"{base}/_stcore/upload_file/{session_id}/file-1",
        method="PUT",
        data=body,
        headers={
            "Content-Type": "multipart/form-data; boundary=b",
            "X-Xsrftoken": xsrf,
            "Cookie": jar_text,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60, context=ssl) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
