"""Hotspots of a selection in the store: the one code path of the map page and the CLI.

``threatmon hotspots`` and the map page both call :func:`region_hotspots`: the
regions of the selection, their incidents (or rate per 100,000 inhabitants, smoothed
by empirical Bayes unless raw rates are asked for) over the period for Getis-Ord Gi*
and Local Moran, and the same per month (or week…) for the emerging hot spot
analysis, on contiguity weights built from the committed boundaries.
"""

from __future__ import annotations

import pandas as pd
from libpysal.weights import W

from geo import boundaries
from geo.emerging import emerging_hot_spots
from geo.hotspots import getis_ord, local_moran
from geo.mapdata import regions_in_view
from geo.weights import contiguity_weights, distance_band_weights
from threatmon.errors import TooFewRegionsError
from threatmon.filters import Filters
from threatmon.registry.regions import load_regions
from threatmon.rules import HOTSPOT_ALPHA
from threatmon.store.reader import Store
from trends.rates import empirical_bayes_rates

#: Columns of :func:`region_hotspots`, in order (the CLI's JSON keys).
COLUMNS: tuple[str, ...] = (
    "region_code",
    "name",
    "value",
    "gi_z",
    "p_sim",
    "p_fdr",
    "hot_cold",
    "emerging_category",
    "moran_cluster",
)
#: What the statistics are computed on: incidents per 100,000 inhabitants smoothed by
#: empirical Bayes (:func:`trends.rates.empirical_bayes_rates`), raw, or plain counts.
MEASURES: tuple[str, ...] = ("rate", "rate_raw", "count")
#: Permutations for Gi*. With 999 the smallest two-sided p-value is 0.002, and the false
#: discovery rate correction over ~230 regions then needs ten or more regions at that
#: floor before it flags any: a real cluster of five would never show. 9,999 lowers the
#: floor tenfold for about 0.4 s (see docs/hotspots.md).
DEFAULT_PERMUTATIONS = 9_999
#: Fewer regions than this have no neighbourhood structure worth testing.
MIN_REGIONS = 3
_PANDAS_FREQ = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS", "Y": "YS"}


def check_selection(codes: list[str]) -> None:
    """Refuse a selection too small to hold a neighbourhood structure."""
    if len(codes) < MIN_REGIONS:
        raise TooFewRegionsError(
            f"A hotspot analysis needs at least {MIN_REGIONS} regions; the selection has "
            f"{len(codes)}. Select a country or several regions.",
            needed=MIN_REGIONS,
            found=len(codes),
        )


def selection_weights(codes: list[str], band_km: float | None = None) -> W:
    """Neighbours among the committed boundaries of ``codes``.

    Contiguity (regions that share a border) by default; with ``band_km``, regions whose
    representative points lie within that many kilometres: useful where units differ
    greatly in size (Latvia's small municipalities next to Ukraine's oblasts).
    """
    check_selection(codes)
    shapes = boundaries.regions()
    chosen = shapes[shapes["region_code"].isin(codes)].reset_index(drop=True)
    if band_km is not None:
        return distance_band_weights(chosen, band_km)
    return contiguity_weights(chosen)


def period_panel(counts: pd.DataFrame, codes: list[str], start, end, freq: str) -> pd.DataFrame:
    """Every region × period of the window with its ``count`` (0 where none was stored)."""
    periods = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=_PANDAS_FREQ[freq])
    if freq == "W":
        # DuckDB's weeks start on Monday, like ISO weeks; include the week holding ``start``.
        first = pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday())
        periods = pd.date_range(first, pd.Timestamp(end), freq="W-MON")
    elif len(periods) == 0 or periods[0] > pd.Timestamp(start):
        periods = pd.DatetimeIndex([pd.Timestamp(start).to_period(freq).start_time]).append(periods)
    grid = pd.MultiIndex.from_product([codes, periods], names=["region_code", "period"])
    indexed = counts.set_index(["region_code", "period"])["count"]
    panel = indexed.reindex(grid, fill_value=0).reset_index()
    panel["count"] = panel["count"].astype("int64")
    return panel


def measured(counts: pd.Series, populations: pd.Series, measure: str) -> pd.Series:
    """``counts`` as the ``measure`` of :data:`MEASURES`, indexed like ``counts``.

    Rates are per 100,000 inhabitants; the smoothed ones shrink toward the overall
    rate of the regions given. A region without a known population counts as 0.
    """
    if measure == "count":
        return counts.astype("float64")
    if measure == "rate_raw":
        values = counts.astype("float64") * 100_000 / populations
    else:
        values = pd.Series(empirical_bayes_rates(counts, populations), index=counts.index)
    return values.fillna(0.0)


def region_hotspots(
    store: Store,
    filters: Filters,
    *,
    freq: str = "M",
    measure: str = "rate",
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = HOTSPOT_ALPHA,
    seed: int = 12345,
    band_km: float | None = None,
    weights: W | None = None,
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """Gi* hot and cold spots, Local Moran clusters and the emerging category of each region.

    Parameters
    ----------
    store : Store
    filters : Filters
        Countries or regions limit the regions analysed (and their neighbourhoods);
        crime types the incidents counted; ``start`` and ``end`` are required.
    freq : {"W", "M", "Q"}
        Time step of the emerging hot spot analysis.
    measure : {"rate", "rate_raw", "count"}
        Incidents per 100,000 inhabitants, smoothed toward the selection's overall rate
        by empirical Bayes (default: a populous region is not a hot spot just for its
        people, nor a region of a few thousand for a handful of incidents); the raw
        rates; or plain counts. Each period of the emerging analysis is smoothed on
        its own.
    band_km : float, optional
        Neighbours within this distance instead of contiguity (:func:`selection_weights`).
    weights : W, optional
        Prebuilt weights for exactly the selection's regions (the dashboard caches them);
        ``band_km`` is then ignored.
    codes : list of str, optional
        The regions analysed, when they are fewer than the filters name: a reader with a
        country scope sees only their own countries' regions, and ``weights`` are built
        for those.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, one row per region, ordered by ``gi_z`` (hottest first).
    """
    if measure not in MEASURES:
        raise ValueError(f"`measure` must be 'rate', 'rate_raw' or 'count'. Got {measure!r}.")
    if freq not in ("W", "M", "Q"):
        raise ValueError(f"`freq` must be 'W', 'M' or 'Q'. Got {freq!r}.")
    if filters.start is None or filters.end is None:
        raise ValueError("A hotspot analysis needs a period: give both start and end.")
    registry = load_regions()
    if codes is None:
        codes = regions_in_view(registry, filters.countries, filters.regions)
    check_selection(codes)
    counts = store.aggregate(filters, by=("region_code",), freq=freq)
    panel = period_panel(counts, codes, filters.start, filters.end, freq)
    population = registry.set_index("region_code")["population"].astype("float64")
    panel["value"] = pd.concat(
        [
            measured(group["count"], group["region_code"].map(population), measure)
            for _, group in panel.groupby("period", sort=False)
        ]
    ).reindex(panel.index)
    totals = panel.groupby("region_code", sort=False)["count"].sum().reindex(codes)
    values = measured(totals, population.reindex(codes), measure)
    weights = weights if weights is not None else selection_weights(codes, band_km)
    gi = getis_ord(values, weights, permutations=permutations, alpha=alpha, seed=seed)
    emerging = emerging_hot_spots(panel[["region_code", "period", "value"]], weights, alpha=alpha)
    moran = local_moran(values, weights, permutations=permutations, alpha=alpha, seed=seed)
    names = registry.set_index("region_code")["name_en"]
    out = gi.merge(emerging[["region_code", "category"]], on="region_code", how="left")
    out = out.merge(moran[["region_code", "cluster"]], on="region_code", how="left")
    out = out.rename(columns={"category": "emerging_category", "cluster": "moran_cluster"})
    out.insert(1, "name", out["region_code"].map(names))
    out = out[list(COLUMNS)].sort_values("gi_z", ascending=False, kind="stable")
    return out.reset_index(drop=True)
