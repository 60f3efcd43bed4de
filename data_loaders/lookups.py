"""The small lookup tables :class:`data_loaders.staging.Staging` joins with the raw rows:
each distinct raw value of a column with what it resolves to, or why it does not.

Built as DataFrames (a few hundred rows for a 10M-row file) and registered by the staging;
:func:`raw_probes` keeps the joins the cheap way round.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb
import pandas as pd

from data_loaders import normalise


def _text(values) -> pd.Series:
    return pd.Series(list(values), dtype="string")


def resolution_frame(resolutions: dict) -> pd.DataFrame:
    """raw, value, reason, suggestion, category: one row per distinct raw value."""
    found = resolutions.values()
    return pd.DataFrame(
        {
            "raw": _text(resolutions),
            "value": _text(r.value for r in found),
            "reason": _text(r.reason for r in found),
            "suggestion": _text(r.suggestion for r in found),
            "category": _text(r.category for r in found),
        }
    )


def paired_resolution_frame(resolutions: dict) -> pd.DataFrame:
    """Like :func:`resolution_frame`, for values resolved with their row's country:
    ``resolutions`` is keyed by (raw value, country)."""
    found = resolutions.values()
    return pd.DataFrame(
        {
            "raw": _text(raw for raw, _ in resolutions),
            "country": _text(country for _, country in resolutions),
            "value": _text(r.value for r in found),
            "reason": _text(r.reason for r in found),
            "suggestion": _text(r.suggestion for r in found),
            # A region value that is the whole country: a national figure.
            "nation": _text(r.country for r in found),
        }
    )


def number_frame(values: list[str], thousands: str | None, minimum: int) -> pd.DataFrame:
    """raw, value (Int64, NULL when refused), reason: counts read from their text."""
    parsed = {raw: normalise.parse_count(raw, thousands) for raw in values}
    reasons = {}
    for raw, (number, reason) in parsed.items():
        if reason is None and number is not None and number < minimum:
            reason = f"Value is below {minimum}."
        reasons[raw] = reason
    return pd.DataFrame(
        {
            "raw": _text(values),
            "value": pd.Series(
                [None if reasons[v] else parsed[v][0] for v in values], dtype="Int64"
            ),
            "reason": _text(reasons[v] for v in values),
        }
    )


@contextlib.contextmanager
def raw_probes(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within: every join of the raw rows with lookups is probed by the raw rows.

    DuckDB's planner puts the side it estimates smaller in a hash table. A join on
    computed coordinates (``placement_map``) left it no estimate of the joined rows, and
    it hashed the million of them to probe with a lookup of a few hundred dates: 1.5 s of
    CPU for ``staged`` at 1M rows instead of 0.8 s. A lookup is always the smaller side.
    """
    before = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    try:
        yield
    finally:
        con.execute(f"SET disabled_optimizers = '{before}'")
