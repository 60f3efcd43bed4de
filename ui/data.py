"""The dashboard's one caching module: the store as a resource, page-sized results as data.

* ``st.cache_resource`` holds one :class:`~threatmon.store.reader.Store` per path; the
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

from threatmon.access.roles import Principal
from threatmon.disclosure.sensitive import SENSITIVE_TYPES
from threatmon.errors import (
    NoStoreError,
    ThreatmonError,
)
from threatmon.filters import Filters, comparison_windows
from threatmon.periods import complete_months, latest_reported_day
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.regions import PROJECT_COUNTRIES, country_of, load_regions
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from threatmon.settings import current_settings
from threatmon.store import Store, StoreLocation
from trends import store_overview
from ui.i18n import current_language, no_data_words, t

# Results are keyed on the store version, so the TTL only bounds memory held for
# selections nobody looks at any more.
TTL = "1h"
MAX_ENTRIES = 64

Selection = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str, str]


#: What a cached result depends on besides its arguments: the store file, and the role,
#: country scope and withheld crime types of whoever asked (results are never shared
#: across roles or scopes).
Access = tuple[str, str, tuple[str, ...], tuple[str, ...]]


@st.cache_resource(show_spinner=False)
def _store(path: str, scope: tuple[str, ...] = (), withheld: tuple[str, ...] = ()) -> Store:
    # The dashboard keeps what it derives from a generation for its next start
    # (threatmon.store.kept): a restarted server's first page reads it back.
    return Store(path, scope, withheld, keep_results=True)


def _principal() -> Principal | None:
    from ui import auth

    return auth.session_principal()


def get_store() -> Store:
    """The store for ``$THREATMON_DB`` (or the default path) as the user may see it.

    Cut to their country scope, and, for roles that may not see small counts, without
    the sensitive crime types (they get those from :func:`sensitive_table` only).
    """
    principal = _principal()
    if principal is None:
        return _store(StoreLocation.resolve().cache_key)
    withheld = SENSITIVE_TYPES if principal.suppressed else ()
    return _store(StoreLocation.resolve().cache_key, principal.scope, withheld)


def system_store() -> Store:
    """The whole store, whoever is signed in: for work done on everyone's behalf (the
    background forecast refresh), never for showing results."""
    return _store(StoreLocation.resolve().cache_key)


def _access(store: Store) -> Access:
    principal = _principal()
    role = principal.role.value if principal else "none"
    return (store.location.cache_key, role, store.scope, store.withheld)


def _store_of(access: Access) -> Store:
    # The restriction travels in the key as get_store() decided it: one rule, one place.
    path, _, scope, withheld = access
    return _store(path, scope, withheld)


@dataclass(frozen=True)
class StoreStatus:
    """What the dashboard needs to know before drawing anything."""

    path: str
    version: str | None = None
    first: dt.date | None = None
    last: dt.date | None = None
    #: The last day of daily or monthly coverage (the default period ends with the
    #: latest complete month of it); None when only coarser figures are held.
    latest: dt.date | None = None
    incidents: int = 0
    meta: dict | None = None
    error: ThreatmonError | None = None

    @property
    def missing(self) -> bool:
        """True when nothing has been stored yet (no file, or a database without a store)."""
        return isinstance(self.error, NoStoreError)

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
    """Coverage and metadata of the store as the user may see it, or why it cannot be read."""
    store = get_store()
    path = store.label
    try:
        version = store.version
        info = _summary(_access(store), version)
    except ThreatmonError as exc:
        return StoreStatus(path=path, error=exc)
    return StoreStatus(path=path, version=version, **info)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _summary(access: Access, version: str) -> dict:
    store = _store_of(access)
    coverage = store.coverage()
    return {
        "first": coverage["first"],
        "last": coverage["last"],
        "latest": latest_reported_day(store.coverage_cells()),
        "incidents": coverage["incidents"],
        "meta": store.meta(),
    }


def regions() -> pd.DataFrame:
    """The regions the user may see: the registry, cut to their country scope if they have one."""
    registry = load_regions()
    principal = _principal()
    if principal is None or not principal.scope:
        return registry
    return registry[registry["country"].isin(principal.scope)].reset_index(drop=True)


def crime_labels() -> dict[str, str]:
    """Crime-type key to English label, in registry order."""
    return {ct.key: ct.label for ct in CRIME_TYPES}


def visible_crime_types() -> tuple[str, ...]:
    """The crime types the user's figures can show (sensitive ones are withheld from viewers)."""
    withheld = get_store().withheld
    return tuple(ct.key for ct in CRIME_TYPES if ct.key not in withheld)


def sensitive_source() -> Store:
    """The whole store (every country, the sensitive crime types), for building the user's
    suppressed table only, cut to their scope there (never for showing anything else)."""
    return _store(get_store().location.cache_key)


def sensitive_trend(last_day: dt.date, quarters: int = 8) -> pd.DataFrame:
    """Project-wide quarterly totals of the sensitive types, as the suppressed tables of
    the last ``quarters`` quarters publish them (:func:`sensitive.published_totals`)."""
    store = get_store()
    return _sensitive_trend(_access(store), store.version, last_day, quarters, suppression_k())


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _sensitive_trend(
    access: Access, version: str, last_day: dt.date, quarters: int, k: int
) -> pd.DataFrame:
    from threatmon.disclosure import sensitive

    table = sensitive.sensitive_table(
        _store(access[0]), last_day, scope=access[2], quarters=quarters, k=k
    )
    return sensitive.published_totals(table)


def suppression_k() -> int:
    """The deployment's k ("<k" for counts 1 to k−1); part of every cache key it shapes."""
    from threatmon.disclosure.sensitive import configured_k

    return configured_k()


#: Quarters of published totals the viewers' forecast of a sensitive type starts from.
FORECAST_QUARTERS = 16


def sensitive_forecast(last_day: dt.date, crime: str, horizon: int):
    """The viewers' forecast of one sensitive type (its column label), made only from the
    quarterly totals their suppressed tables publish (:mod:`forecasting.published`)."""
    store = get_store()
    return _sensitive_forecast(
        _access(store), store.version, last_day, crime, horizon, suppression_k()
    )


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _sensitive_forecast(
    access: Access, version: str, last_day: dt.date, crime: str, horizon: int, k: int
):
    from forecasting.published import published_forecast

    totals = _sensitive_trend(access, version, last_day, FORECAST_QUARTERS, k)
    return published_forecast(totals, crime, horizon)


def sensitive_countries() -> dict[str, str]:
    """Country code → name as the user's suppressed tables name their rows."""
    from threatmon.disclosure.sensitive import table_countries

    return table_countries(get_store().scope)


def sensitive_table(last_day: dt.date) -> pd.DataFrame:
    """Viewers' table of the sensitive crime types (:mod:`threatmon.disclosure.sensitive`)."""
    store = get_store()
    return _sensitive_table(_access(store), store.version, last_day, suppression_k())


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _sensitive_table(access: Access, version: str, last_day: dt.date, k: int) -> pd.DataFrame:
    from threatmon.disclosure import sensitive

    # Read with the sensitive types and every country: the pattern of hidden cells is
    # the all-country one, cut to the scope, so that no two scopes' tables disagree.
    # Only the suppressed table leaves this function.
    return sensitive.sensitive_table(_store(access[0]), last_day, scope=access[2], k=k)


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
    return comparison_windows(filters)


def overview(
    filters: Filters, *, min_total: int = LOW_COUNT_THRESHOLD, alpha: float | None = CHANGE_ALPHA
) -> dict[str, pd.DataFrame]:
    """The overview page's frames for ``filters`` (see :func:`trends.overview_summary`)."""
    store = get_store()
    with st.spinner(t("spinner.summarising")):
        return _overview(_access(store), store.version, selection_key(filters), min_total, alpha)


# Spinners are drawn by the callers, in the session's language (a decorator's text is fixed).
@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _overview(
    access: Access, version: str, selection: Selection, min_total: int, alpha: float | None
) -> dict[str, pd.DataFrame]:
    store = _store_of(access)
    return store.kept_frames(
        "overview",
        [selection, min_total, alpha],
        lambda: store_overview(
            store, _filters(selection), regions(), crime_labels(), min_total=min_total, alpha=alpha
        ),
    )


# -- figures a view cannot show -----------------------------------------------------------------

#: The frequency code that shows a granularity's figures whole (a year in a yearly view).
_FREQUENCY_OF: dict[str, str] = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def coarser(filters: Filters, freq: str = "M") -> dict[str, pd.DataFrame]:
    """The selection's figures a view at ``freq`` cannot show, and their totals at their own
    granularity: ``figures`` (:func:`trends.levels.coarser_figures`) and, per granularity,
    ``period``, ``country``, ``crime_type``, ``count`` under that granularity's name."""
    store = get_store()
    return _coarser(_access(store), store.version, selection_key(filters), freq)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _coarser(
    access: Access, version: str, selection: Selection, freq: str
) -> dict[str, pd.DataFrame]:
    store = _store_of(access)
    return store.kept_frames(
        "coarser", [selection, freq], lambda: _coarser_of(store, selection, freq)
    )


def _coarser_of(store: Store, selection: Selection, freq: str) -> dict[str, pd.DataFrame]:
    from trends.levels import coarser_figures

    # A year that overlaps the selected months without lying inside them is still one the
    # view leaves out: the question is asked over the whole years the selection touches.
    filters = _whole_years(_filters(selection))
    figures = coarser_figures(store.unshown(filters, freq))
    out = {"figures": figures}
    for granularity, rows in figures.groupby("granularity", sort=False):
        keys = {key for keys in rows["crime_types"] for key in keys}
        scoped = filters.replace(
            countries=tuple(sorted(set(rows["country"]))), crime_types=tuple(sorted(keys))
        )
        out[granularity] = store.aggregate(
            scoped, by=("country", "crime_type"), freq=_FREQUENCY_OF[granularity]
        )
    return out


def _whole_years(filters: Filters) -> Filters:
    start = None if filters.start is None else dt.date(filters.start.year, 1, 1)
    end = None if filters.end is None else dt.date(filters.end.year, 12, 31)
    return filters.replace(start=start, end=end)


def not_allocated(filters: Filters) -> pd.DataFrame:
    """Per country, the part of its total that no region's figure holds (national figures):
    :func:`trends.levels.not_allocated` of the selection."""
    store = get_store()
    return _not_allocated(_access(store), store.version, selection_key(filters))


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _not_allocated(access: Access, version: str, selection: Selection) -> pd.DataFrame:
    from trends.levels import NOT_ALLOCATED_COLUMNS
    from trends.levels import not_allocated as remainder

    store = _store_of(access)
    filters = _filters(selection)
    if filters.regions:
        # A selection of regions holds regional figures only.
        return pd.DataFrame(columns=list(NOT_ALLOCATED_COLUMNS))
    return remainder(
        store.aggregate(filters, by=("country",), freq=None),
        store.aggregate(filters, by=("region_code",), freq=None),
    )


# -- the map page ------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def boundaries() -> dict:
    """The committed region polygons and country outlines (read once per process)."""
    from geo import boundaries as shapes

    return {"regions": shapes.regions(), "context": shapes.context()}


@st.cache_resource(show_spinner=False, max_entries=MAX_ENTRIES)
def _weights(codes: tuple[str, ...]):
    from geo.analysis import selection_weights

    return selection_weights(list(codes))


def tile_url() -> str | None:
    """The tile server of this deployment (``$THREATMON_TILE_URL``), or None: no tiles."""
    return current_settings().tile_url


def map_inputs(filters: Filters, heat_decimals: int = 1) -> dict[str, pd.DataFrame]:
    """Per-region counts now and in the previous period, crossing points, heat points."""
    store = get_store()
    with st.spinner(t("spinner.summarising")):
        return _map_inputs(_access(store), store.version, selection_key(filters), heat_decimals)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _map_inputs(
    access: Access, version: str, selection: Selection, heat_decimals: int
) -> dict[str, pd.DataFrame]:
    store = _store_of(access)
    filters = _filters(selection)
    return store.kept_frames(
        "map_inputs",
        [selection, heat_decimals],
        lambda: {
            "current": store.aggregate(filters, by=("region_code",), freq=None),
            "previous": store.aggregate(filters.previous_period(), by=("region_code",), freq=None),
            "crossing_incidents": store.aggregate(filters, by=("crossing_point",), freq=None),
            "flows": store.flows(filters, by=("crossing_point",), freq=None),
            "heat": store.points(filters, decimals=heat_decimals),
        },
    )


def map_key(filters: Filters, settings, **details) -> tuple:
    """The key of the map page's drawn map (:func:`ui.map_cache.map_key`) for ``filters``,
    the page's ``settings`` and ``details``, as this reader sees the store now."""
    from ui.map_cache import map_key as key_of

    store = get_store()
    return key_of(
        _access(store),
        store.version,
        selection_key(filters),
        settings,
        current_language(),
        **details,
    )


def hotspots(filters: Filters, measure: str = "rate") -> pd.DataFrame:
    """Gi* and emerging hot spots of the selection (:func:`geo.analysis.region_hotspots`)."""
    store = get_store()
    with st.spinner(t("spinner.hotspots")):
        return _hotspots(
            _access(store), store.version, selection_key(filters), measure, current_language()
        )


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _hotspots(
    access: Access, version: str, selection: Selection, measure: str, language: str
) -> pd.DataFrame:
    from geo.analysis import region_hotspots
    from geo.mapdata import regions_in_view

    filters = _filters(selection)
    codes = regions_in_view(regions(), filters.countries, filters.regions)
    store = _store_of(access)
    return store.kept_frame(
        "hotspots",
        [selection, measure, language],
        lambda: region_hotspots(
            store,
            filters,
            measure=measure,
            weights=_weights(tuple(codes)),
            codes=codes,
            words=no_data_words(language),
        ),
    )


def region_coverage(filters: Filters, freq: str | None = None) -> pd.DataFrame:
    """Which regions of the selection have data (:func:`geo.coverage.region_coverage`)."""
    store = get_store()
    return _region_coverage(
        _access(store), store.version, selection_key(filters), freq, current_language()
    )


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _region_coverage(
    access: Access, version: str, selection: Selection, freq: str | None, language: str
) -> pd.DataFrame:
    from geo.coverage import region_coverage as coverage_of
    from geo.mapdata import regions_in_view

    filters = _filters(selection)
    registry = regions()
    store = _store_of(access)
    return store.kept_frame(
        "region_coverage",
        [selection, freq, language],
        lambda: coverage_of(
            store.coverage_cells(filters),
            registry,
            regions_in_view(registry, filters.countries, filters.regions),
            start=filters.start,
            end=filters.end,
            freq=freq,
            crime_types=filters.crime_types,
            words=no_data_words(language),
        ),
    )


def region_trend(filters: Filters, region_code: str, months: int = 36) -> pd.DataFrame:
    """Monthly incidents by crime type of one region, ``months`` up to the period's end."""
    store = get_store()
    return _region_trend(_access(store), store.version, selection_key(filters), region_code, months)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _region_trend(
    access: Access, version: str, selection: Selection, region_code: str, months: int
) -> pd.DataFrame:
    filters = _filters(selection)
    end = pd.Timestamp(filters.end)
    start = (end.to_period("M") - (months - 1)).start_time.date()
    scoped = filters.replace(countries=(), regions=(region_code,), start=start)
    monthly = _store_of(access).aggregate(scoped, by=("crime_type",), freq="M")
    trend = complete_months(monthly, start, filters.end, ["crime_type"])
    return trend.assign(crime=trend["crime_type"].map(crime_labels()))


# -- the forecasts page ------------------------------------------------------------------------


def forecast_refresh():
    """Where the forecasts of all series stand; starts their refresh after a load.

    Returns a :class:`forecasting.cache.RefreshStatus`. Called on every run of the pages
    that show forecasts: the check is one small query and a few file lookups.
    """
    from forecasting import cache

    # The refresh forecasts every series of the whole store, whoever's click starts it.
    store = system_store()
    found = cache.status(store)
    if found.state == cache.STALE:
        try:
            if cache.start_background(store):
                found = cache.status(store)
        except OSError as exc:  # e.g. a store on a read-only share
            return cache.RefreshStatus(cache.FAILED, error=f"cannot start it: {exc}")
    return found


def _generation(store: Store) -> str:
    """Part of the forecast cache keys: which forecasts a result was built from."""
    from forecasting import cache

    # The cached forecasts (and the total series among them) are fitted on every
    # country; a scoped reader's series are fitted on the spot from what they may see.
    if store.restricted:
        return "live"
    key = cache.fingerprint(store)
    return key if (cache.cache_root(store) / key).exists() else "live"


def forecast(
    country: str | None, region: str | None, crime_type: str, horizon: int, freq: str = "M"
) -> dict:
    """History, forecast, backtest scores and migration linkage of one series."""
    store = get_store()
    with st.spinner(t("spinner.backtesting")):
        return _forecast(
            _access(store),
            store.version,
            _generation(store),
            country,
            region,
            crime_type,
            horizon,
            freq,
        )


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _forecast(
    access: Access,
    version: str,
    generation: str,
    country: str | None,
    region: str | None,
    crime_type: str,
    horizon: int,
    freq: str,
) -> dict:
    from forecasting.cache import forecast_for
    from forecasting.linkage import flow_linkage
    from forecasting.selection import Selection

    store = _store_of(access)
    selection = Selection(country, region, (crime_type,))
    found = forecast_for(store, selection, horizon, freq)
    history, result = found.history, found.result
    link = flow_linkage(history, found.flows, result, found.flows_text, freq)
    return {"history": history, "result": result, "linkage": link, "cached": found.cached}


def alerts() -> pd.DataFrame:
    """The early-warning list of the store's latest complete month."""
    store = get_store()
    with st.spinner(t("spinner.surges")):
        return _alerts(_access(store), store.version, _generation(store))


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _alerts(access: Access, version: str, generation: str) -> pd.DataFrame:
    store = _store_of(access)

    def derive() -> pd.DataFrame:
        # Imported only to derive: a restarted server reads the list back from disk.
        from forecasting import cache
        from forecasting.warning.alerts import early_warning

        forecasts = cache.load(store, generation) if generation != "live" else None
        return early_warning(store, checks=cache.region_checks(forecasts))

    return store.kept_frame("alerts", generation, derive)


# -- the audit page ----------------------------------------------------------------------------


def audit_logs() -> dict:
    """Both logs merged (see :func:`threatmon.store.audit.combined`) and what checking the
    trail found (:func:`threatmon.store.audit_check.verify_trail`, the check of
    ``threatmon audit verify``).

    Not cached: administrators open this page to see what happened a moment ago.
    """
    from threatmon.store import audit
    from threatmon.store.audit_check import verify_trail
    from ui import auth

    store = system_store()
    accounts = auth.accounts()
    store_log = store.audit() if store.exists() else pd.DataFrame()
    return {
        "combined": audit.combined(store_log, accounts.access_log()),
        "verification": verify_trail(store, accounts),
    }


def export_marking() -> list[str]:
    """The lines every export of this store starts with: the classification, DEMO if so."""
    from threatmon.disclosure.export import export_marking
    from threatmon.disclosure.marking import marking_text

    store = get_store()
    return export_marking(store) if store.exists() else [marking_text()]


__all__ = [
    "audit_logs",
    "export_marking",
    "StoreStatus",
    "alerts",
    "forecast",
    "forecast_refresh",
    "boundaries",
    "hotspots",
    "map_inputs",
    "region_coverage",
    "region_trend",
    "crime_labels",
    "get_store",
    "overview",
    "regions",
    "selection_key",
    "store_status",
    "tile_url",
    "windows",
]


def coverage_cells() -> pd.DataFrame:
    """What was reported at all, as the user may see it (the store reads it once per
    generation: :meth:`threatmon.store.reader.Store.coverage_cells`)."""
    return get_store().coverage_cells()


def visible_countries() -> list[str]:
    """The project countries the user may see, in display order."""
    visible = set(regions()["country"])
    return [code for code in PROJECT_COUNTRIES if code in visible]


def countries_of(filters: Filters) -> list[str]:
    """The countries a selection covers: those chosen, and those of chosen regions; none
    chosen: every country the user may see."""
    chosen = set(filters.countries) | {country_of(code) for code in filters.regions}
    visible = visible_countries()
    return [code for code in visible if code in chosen] if chosen else visible
