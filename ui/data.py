"""The dashboard's one caching module: the store as a resource, page-sized results as data.

* ``st.cache_resource`` holds one :class:`~data_loaders.store.Store` per path; the
  store itself opens DuckDB lazily and hands out a cursor per query, so sharing it
  between sessions (threads) is safe. Nothing connects at import time.
* ``st.cache_data`` wrappers return small, page-sized frames keyed on the store path,
  :attr:`Store.version` (which changes when a writer publishes a new generation) and
  the selection as plain tuples. The incident table itself is never cached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_loaders.crime_types import CRIME_TYPES
from data_loaders.errors import ThreatmonError
from data_loaders.filters import Filters
from data_loaders.regions import PROJECT_COUNTRIES, load_regions
from data_loaders.store import Store, resolve_db_path
from forecasting import trends

# Results are keyed on the store version, so the TTL only bounds memory held for
# selections nobody looks at any more.
TTL = "1h"
MAX_ENTRIES = 64

Selection = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str, str]


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def get_store() -> Store:
    """The shared store for ``$THREATMON_DB`` (or the default path)."""
    return _store(str(resolve_db_path()))


@dataclass(frozen=True)
class StoreStatus:
    """What the dashboard needs to know before drawing anything."""

    path: str
    version: str | None = None
    first: dt.date | None = None
    last: dt.date | None = None
    incidents: int = 0
    meta: dict | None = None
    error: ThreatmonError | None = None

    @property
    def ok(self) -> bool:
        """True when the store could be read."""
        return self.error is None

    @property
    def is_demo(self) -> bool:
        """True for a store of synthetic demo data."""
        return bool(self.meta) and self.meta.get("demo") == "true"

    @property
    def has_data(self) -> bool:
        """True when the store holds at least one incident."""
        return self.ok and self.last is not None


def store_status() -> StoreStatus:
    """Coverage and metadata of the store, or the error that prevents reading it."""
    store = get_store()
    path = str(store.path)
    try:
        version = store.version
        info = _summary(path, version)
    except ThreatmonError as exc:
        return StoreStatus(path=path, error=exc)
    return StoreStatus(path=path, version=version, **info)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _summary(path: str, version: str) -> dict:
    store = _store(path)
    coverage = store.coverage()
    return {
        "first": coverage["first"],
        "last": coverage["last"],
        "incidents": coverage["incidents"],
        "meta": store.meta(),
    }


def regions() -> pd.DataFrame:
    """The region registry (parsed once per process by ``data_loaders.regions``)."""
    return load_regions()


def crime_labels() -> dict[str, str]:
    """Crime-type key to English label, in registry order."""
    return {ct.key: ct.label for ct in CRIME_TYPES}


def selection_key(filters: Filters) -> Selection:
    """``filters`` as plain, hashable values for cache keys."""
    return (
        tuple(filters.countries),
        tuple(filters.regions),
        tuple(filters.crime_types),
        filters.start.isoformat() if filters.start else "",
        filters.end.isoformat() if filters.end else "",
    )


def _filters(selection: Selection) -> Filters:
    countries, regions_, crimes, start, end = selection
    return Filters(
        countries=countries,
        regions=regions_,
        crime_types=crimes,
        start=start or None,
        end=end or None,
    )


def windows(filters: Filters) -> dict[str, tuple[dt.date, dt.date]]:
    """The selected period and its two comparison periods as (start, end) pairs."""
    previous, year = filters.previous_period(), filters.year_earlier()
    return {
        "current": (filters.start, filters.end),
        "previous": (previous.start, previous.end),
        "year_earlier": (year.start, year.end),
    }


def overview(
    filters: Filters, *, min_total: int = 10, alpha: float | None = 0.05
) -> dict[str, pd.DataFrame]:
    """The overview page's frames for ``filters`` (see :func:`trends.overview_summary`)."""
    store = get_store()
    return _overview(str(store.path), store.version, selection_key(filters), min_total, alpha)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner="Summarising incidents…")
def _overview(
    path: str, version: str, selection: Selection, min_total: int, alpha: float | None
) -> dict[str, pd.DataFrame]:
    filters = _filters(selection)
    spans = windows(filters)
    first = min(start for start, _ in spans.values())
    # One query over the union of the three windows, answered by the monthly rollup.
    monthly = _store(path).aggregate(
        filters.replace(start=first, end=filters.end),
        by=("country", "region_code", "crime_type"),
        freq="M",
    )
    return trends.overview_summary(
        monthly,
        spans["current"],
        spans["previous"],
        spans["year_earlier"],
        regions(),
        crime_labels(),
        country_names=PROJECT_COUNTRIES,
        countries=filters.countries,
        selected_regions=filters.regions,
        crime_types=filters.crime_types,
        min_total=min_total,
        alpha=alpha,
    )


__all__ = [
    "StoreStatus",
    "crime_labels",
    "get_store",
    "overview",
    "regions",
    "selection_key",
    "store_status",
    "windows",
]
