"""What roles and privacy cost: restricted stores, suppression, sign-in.

Every figure is printed next to a baseline measured in the same run:
the same query on the whole store, the plain suppression loop without its audit.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import median_seconds
from forecasting.published import published_forecast
from threatmon.access.accounts import Accounts
from threatmon.disclosure.sensitive import SENSITIVE_TYPES, published_totals, sensitive_table
from threatmon.disclosure.suppression import interval_audit, suppress_table
from threatmon.filters import Filters
from threatmon.store.reader import Store


def _overview_query(store: Store, end) -> None:
    start = (pd.Timestamp(end) - pd.DateOffset(years=2)).date()
    store.aggregate(
        Filters(start=start, end=end), by=("country", "region_code", "crime_type"), freq="M"
    )


def run(store: Store, repeat: int) -> dict:
    """Median timings of restricted queries, suppression and sign-in on ``store``'s file."""
    end = store.coverage()["last"]
    whole = Store(store.location)
    readers = {
        "whole": whole,
        "scoped MD": Store(store.location, scope=("MD",)),
        "viewer (sensitive withheld)": Store(store.location, withheld=SENSITIVE_TYPES),
        "viewer scoped MD": Store(store.location, scope=("MD",), withheld=SENSITIVE_TYPES),
    }
    queries = {}
    for name, reader in readers.items():
        _overview_query(reader, end)  # open the connection outside the timing
        queries[name] = median_seconds(lambda r=reader: _overview_query(r, end), repeat)
    incidents = {}
    for name, reader in (("whole", whole), ("scoped MD", readers["scoped MD"])):
        incidents[name] = median_seconds(
            lambda r=reader: r.incidents(Filters(countries=("MD",))), repeat
        )

    rng = np.random.default_rng(6)
    table = pd.DataFrame(
        rng.poisson(rng.choice([0.8, 3, 20], size=(40, 12)), size=(40, 12)),
        index=[f"R{i}" for i in range(40)],
        columns=[f"C{j}" for j in range(12)],
    )
    suppressed = suppress_table(table, sensitive=True)
    suppress_s = median_seconds(lambda: suppress_table(table, sensitive=True), repeat)
    audit_s = median_seconds(lambda: interval_audit(suppressed), repeat)

    # What a viewer's sensitive views cost: the Overview's four quarters are the baseline
    # of the sixteen the forecast reads, and the forecast itself (one type, 2 quarters).
    sensitive = readers["whole"]
    table_4_s = median_seconds(lambda: sensitive_table(sensitive, end), repeat)
    table_16_s = median_seconds(lambda: sensitive_table(sensitive, end, quarters=16), repeat)
    totals = published_totals(sensitive_table(sensitive, end, quarters=16))
    crime = totals["crime"].iloc[0]
    forecast_s = median_seconds(lambda: published_forecast(totals, crime), repeat)

    with tempfile.TemporaryDirectory() as folder:
        accounts = Accounts(Path(folder) / "a.sqlite")
        accounts.add("bench", "viewer", password="a long secret for timing", by="bench")
        started = time.perf_counter()
        accounts.authenticate("bench", "a long secret for timing")
        sign_in_s = time.perf_counter() - started
        principal_s = median_seconds(lambda: accounts.principal("bench"), repeat)
    return {
        "overview_query_s": queries,
        "incidents_md_s": incidents,
        "suppress_40x12_s": suppress_s,
        "interval_audit_40x12_s": audit_s,
        "primary_cells": int(suppressed.primary.to_numpy().sum()),
        "sensitive_table_s": {"4 quarters": table_4_s, "16 quarters": table_16_s},
        "published_forecast_s": forecast_s,
        "sign_in_s": sign_in_s,
        "principal_check_s": principal_s,
    }


def report(result: dict) -> list[str]:
    """Lines for the bench table, with ratios against the whole-store baseline."""
    base = result["overview_query_s"]["whole"]
    lines = ["overview query (24 months, region × crime type × month):"]
    for name, seconds in result["overview_query_s"].items():
        lines.append(f"  {name:<30} {seconds * 1000:8.1f} ms  ratio {seconds / base:5.2f}")
    whole, scoped = result["incidents_md_s"]["whole"], result["incidents_md_s"]["scoped MD"]
    lines.append(
        f"Moldovan incident rows: whole store {whole * 1000:.1f} ms, MD-scoped store "
        f"{scoped * 1000:.1f} ms (ratio {scoped / whole:.2f})"
    )
    lines.append(
        f"suppression of a 40 × 12 table ({result['primary_cells']} primary cells): "
        f"{result['suppress_40x12_s'] * 1000:.1f} ms, of which the final interval audit alone "
        f"{result['interval_audit_40x12_s'] * 1000:.1f} ms"
    )
    tables = result["sensitive_table_s"]
    lines.append(
        f"viewers' suppressed quarterly tables: 4 quarters {tables['4 quarters'] * 1000:.0f} ms, "
        f"16 quarters {tables['16 quarters'] * 1000:.0f} ms (ratio "
        f"{tables['16 quarters'] / tables['4 quarters']:.2f}); forecast of one type from the "
        f"16 published totals (3 models × 4 origins refitted) "
        f"{result['published_forecast_s'] * 1000:.0f} ms"
    )
    lines.append(
        f"sign-in (argon2id verify + log): {result['sign_in_s'] * 1000:.0f} ms; account check "
        f"on every click: {result['principal_check_s'] * 1000:.2f} ms"
    )
    return lines
