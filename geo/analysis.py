"""Hotspots of a selection in the store: the one code path of the map page and the CLI.

``threatmon hotspots`` and the map page both call :func:`region_hotspots`: the
regions of the selection, their incidents (or rate per 100,000 inhabitants, smoothed
by empirical Bayes unless raw rates are asked for) over the period for Getis-Ord Gi*
and Local Moran, and the same per month (or week…) for the emerging hot spot
analysis, on contiguity weights built from the committed boundaries. Only the regions
with coverage for the whole selection are measured and tested (:mod:`geo.coverage`):
a region whose country sent nothing by region is unknown, not a cold spot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from libpysal.weights import W, w_subset

from geo import boundaries
from geo.coverage import ENGLISH, NO_NEIGHBOUR, NoDataWords, region_coverage
from geo.emerging import emerging_hot_spots
from geo.hotspots import getis_ord, local_moran
from geo.mapdata import regions_in_view
from geo.weights import contiguity_weights, distance_band_weights
from threatmon.coverage import NO_DATA
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
    "note",
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


def rounded_table(hot: pd.DataFrame) -> pd.DataFrame:
    """A :func:`region_hotspots` table rounded for a file people read (the CSV download).

    ``gi_z`` to 2 decimals, ``value`` (a rate per 100,000, or a count) to 2 decimals,
    ``p_sim`` and ``p_fdr`` to 3 decimals, but to 4 significant digits below 0.001 so a
    p-value of 0.0001 (the smallest with 9,999 permutations) is never written as 0.
    Missing values stay missing; ``hot`` is not modified. ``threatmon hotspots --json``
    keeps full precision.
    """

    def p_values(column: pd.Series) -> pd.Series:
        values = column.astype("float64")
        small = values.abs() < 1e-3
        digits = 3 - np.floor(np.log10(values.where(small & (values > 0))))
        fine = [
            round(v, int(d)) if s and v > 0 else round(v, 3)
            for v, d, s in zip(values, digits.fillna(0), small, strict=True)
        ]
        return pd.Series(fine, index=column.index, dtype="float64").where(values.notna())

    out = hot.copy()
    for column in ("value", "gi_z"):
        if column in out:
            out[column] = out[column].astype("float64").round(2)
    for column in ("p_sim", "p_fdr"):
        if column in out:
            out[column] = p_values(out[column])
    return out


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
    """Every region × period of the window with its ``count``, 0 where none was stored.

    Only for regions covered in every period (:func:`geo.coverage.region_coverage`):
    there a missing row is a reported zero; anywhere else it is unknown.
    """
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
    rate of the regions given. A region without a known population has no rate (NaN),
    never 0.
    """
    if measure == "count":
        return counts.astype("float64")
    populations = populations.where(populations > 0)
    if measure == "rate_raw":
        return counts.astype("float64") * 100_000 / populations
    return pd.Series(empirical_bayes_rates(counts, populations), index=counts.index)


def check_covered(covered: list[str], codes: list[str]) -> None:
    """Refuse a selection with too few regions covered to hold a neighbourhood structure."""
    if len(covered) < MIN_REGIONS:
        raise TooFewRegionsError(
            f"A hotspot analysis needs at least {MIN_REGIONS} regions with regional figures "
            f"for every selected crime type and period; {len(covered)} of the {len(codes)} "
            "selected regions have them. The others are shown as no data.",
            needed=MIN_REGIONS,
            found=len(covered),
        )


def covered_weights(weights: W, covered: list[str]) -> tuple[W, list[str]]:
    """The selection's weights restricted to the covered regions, and the islands left.

    A covered region whose neighbours are all uncovered has no one to be compared with:
    it is left out of the statistics (an island), rather than joined to a region it does
    not border. The weights are rebuilt on the remaining regions (libpysal ``w_subset``),
    so an uncovered region never counts as a zero in anyone's neighbourhood.
    """
    kept = w_subset(weights, covered, silence_warnings=True)
    islands = [code for code in covered if not kept.neighbors.get(code)]
    if not islands:
        return kept, []
    testable = [code for code in covered if code not in set(islands)]
    if len(testable) < MIN_REGIONS:
        raise TooFewRegionsError(
            f"A hotspot analysis needs at least {MIN_REGIONS} regions with data that "
            f"neighbour one another; {len(testable)} of the {len(covered)} regions with data "
            "have a neighbour with data.",
            needed=MIN_REGIONS,
            found=len(testable),
        )
    return w_subset(weights, testable, silence_warnings=True), islands


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
    words: NoDataWords = ENGLISH,
    gi_only: bool = False,
) -> pd.DataFrame:
    """Gi* hot and cold spots, Local Moran clusters and the emerging category of each region.

    Only regions covered for the selection (:func:`geo.coverage.region_coverage`: their
    country reported regional figures for every selected crime type in every period)
    are measured and tested; Gi*, Local Moran and the emerging analysis run on the
    weights restricted to them, and their permutation p-values and false discovery rate
    are over them alone. The others are kept, as ``"no data"`` with no value.

    Parameters
    ----------
    store : Store
    filters : Filters
        Countries or regions limit the regions analysed (and their neighbourhoods);
        crime types the incidents counted; ``start`` and ``end`` are required.
    freq : {"W", "M", "Q"}
        Time step of the emerging hot spot analysis, and the periods that must all be
        covered.
    measure : {"rate", "rate_raw", "count"}
        Incidents per 100,000 inhabitants, smoothed toward the covered regions' overall
        rate by empirical Bayes (default: a populous region is not a hot spot just for
        its people, nor a region of a few thousand for a handful of incidents); the raw
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
    words : NoDataWords
        The language of the notes.
    gi_only : bool
        Only Gi* (the briefing's map): ``emerging_category`` and ``moran_cluster`` are
        None for every region, and their two analyses (about half the time) are skipped.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, one row per region, ordered by ``gi_z`` (hottest first, the
        regions without one last). A region without coverage has ``hot_cold`` and
        ``moran_cluster`` ``"no data"``, no value, statistics or emerging category, and a
        ``note`` saying why; a covered region without a covered neighbour has its value
        but ``"no neighbour"`` instead of a class.

    Raises
    ------
    TooFewRegionsError
        Fewer than :data:`MIN_REGIONS` regions selected, covered, or covered with a
        covered neighbour.
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
    coverage = region_coverage(
        store.coverage_cells(filters),
        registry,
        codes,
        start=filters.start,
        end=filters.end,
        freq=freq,
        crime_types=filters.crime_types,
        words=words,
    ).set_index("region_code")
    notes = coverage["note"].copy()
    covered = [code for code in codes if coverage.loc[code, "covered"]]
    check_covered(covered, codes)
    counts = store.aggregate(filters, by=("region_code",), freq=freq)
    panel = period_panel(counts, covered, filters.start, filters.end, freq)
    population = registry.set_index("region_code")["population"].astype("float64")
    panel["value"] = pd.concat(
        [
            measured(group["count"], group["region_code"].map(population), measure)
            for _, group in panel.groupby("period", sort=False)
        ]
    ).reindex(panel.index)
    totals = panel.groupby("region_code", sort=False)["count"].sum().reindex(covered)
    values = measured(totals, population.reindex(covered), measure)
    unmeasured = values.index[values.isna()]
    notes[unmeasured] = words.no_population
    measurable = [code for code in covered if code not in set(unmeasured)]
    check_covered(measurable, codes)
    weights = weights if weights is not None else selection_weights(codes, band_km)
    tested, islands = covered_weights(weights, measurable)
    notes[islands] = words.no_neighbour
    kept = values.reindex(list(tested.id_order))
    gi = getis_ord(kept, tested, permutations=permutations, alpha=alpha, seed=seed)
    in_panel = panel[panel["region_code"].isin(set(tested.id_order))]
    if gi_only:
        emerging = pd.DataFrame({"region_code": [], "category": []}, dtype=object)
        moran = pd.DataFrame({"region_code": [], "cluster": []}, dtype=object)
    else:
        emerging = emerging_hot_spots(
            in_panel[["region_code", "period", "value"]], tested, alpha=alpha
        )
        moran = local_moran(kept, tested, permutations=permutations, alpha=alpha, seed=seed)
    names = registry.set_index("region_code")["name_en"]
    out = pd.DataFrame({"region_code": list(codes)})
    out["name"] = out["region_code"].map(names)
    out["value"] = out["region_code"].map(values).astype("float64")
    out = out.merge(gi.drop(columns="value"), on="region_code", how="left")
    out = out.merge(emerging[["region_code", "category"]], on="region_code", how="left")
    out = out.merge(moran[["region_code", "cluster"]], on="region_code", how="left")
    out = out.rename(columns={"category": "emerging_category", "cluster": "moran_cluster"})
    without = out["region_code"].isin(set(islands)).map({True: NO_NEIGHBOUR, False: NO_DATA})
    out["hot_cold"] = out["hot_cold"].fillna(without)
    out["moran_cluster"] = (
        pd.Series(None, index=out.index, dtype=object)
        if gi_only
        else out["moran_cluster"].fillna(without)
    )
    out["emerging_category"] = (
        out["emerging_category"].astype(object).where(out["emerging_category"].notna(), None)
    )
    out["note"] = out["region_code"].map(notes).fillna("")
    out = out[list(COLUMNS)].sort_values("gi_z", ascending=False, kind="stable")
    return out.reset_index(drop=True)
