"""Emerging Hot Spot Analysis: how each region's hot or cold spot status developed over time.

Follows Esri's published method ("How Emerging Hot Spot Analysis works", ArcGIS Pro,
Space Time Pattern Mining toolbox,
https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm):

1. Every region-period bin gets a Getis-Ord Gi* z-score over its space-time
   neighbourhood: the region and its spatial neighbours, in the bin's period and the
   ``time_window`` periods before it (Esri's "Neighborhood Time Step"). Mean and
   spread are those of the whole cube, as in Esri's space-time Gi*, and the z-score
   is the analytical one (no permutations), two-sided p-values from the normal
   distribution, Benjamini–Hochberg FDR over all bins (Esri's FDR option) unless
   ``fdr=False``.
2. The Mann–Kendall test on each region's series of Gi* z-scores says whether the
   intensity of clustering rises or falls.
3. :func:`classify` turns the per-period hot/cold pattern and the trend into one of
   Esri's 17 categories.

Where Esri's wording leaves room, the choices are documented in :func:`classify`
and in docs/hotspots.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from libpysal.weights import W
from numpy.typing import ArrayLike
from scipy import sparse, stats

from geo.hotspots import benjamini_hochberg, check_alpha, check_weights, is_significant
from threatmon.errors import TooFewPeriodsError
from threatmon.rules import HOTSPOT_ALPHA

NO_PATTERN = "no pattern detected"
_PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
#: Every category :func:`classify` can return: 8 hot, 8 cold, and no pattern.
CATEGORIES: tuple[str, ...] = (
    *(f"{pattern} hot spot" for pattern in _PATTERNS),
    *(f"{pattern} cold spot" for pattern in _PATTERNS),
    NO_PATTERN,
)
EMERGING_COLUMNS = [
    "region_code",
    "category",
    "trend_z",
    "trend_p",
    "hot_share",
    "cold_share",
    "final_z",
    "final_p",
]
PANEL_COLUMNS = ["region_code", "period", "value"]
# Gi* z-scores that are equal in exact arithmetic can differ in the last bits after
# the window sums; Mann–Kendall must see them as ties.
_TIE_DECIMALS = 9


class TrendTest(NamedTuple):
    """Mann–Kendall results: one value per series (floats for a single series)."""

    s: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    p: np.ndarray


def mann_kendall(series: ArrayLike, *, continuity: bool = True) -> TrendTest:
    """Mann–Kendall trend test of each row against time, vectorised, with tie correction.

    Parameters
    ----------
    series : array_like
        One series (1-D) or one series per row (2-D, ``(n_series, n_periods)``), in
        time order, at least two periods, no NaN.
    continuity : bool, default True
        Move ``S`` one step towards 0 before dividing by its standard deviation
        (the usual continuity correction); ``False`` gives the z of
        ``scipy.stats.kendalltau(range(n), x)``.

    Returns
    -------
    TrendTest
        ``s``: the Mann–Kendall statistic, the sum of ``sign(x_j - x_i)`` over all
        ``i < j`` (positive for a rising series); ``variance``: its variance under no
        trend, ``[n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18`` with ``t_g`` the
        size of each group of tied values; ``z``: the standardised statistic (0 when
        the variance is 0, i.e. a constant series); ``p``: its two-sided p-value.

    Examples
    --------
    >>> result = mann_kendall([1.0, 2.0, 2.0, 3.0, 5.0])
    >>> float(result.s), round(float(result.p), 3)
    (9.0, 0.043)
    """
    x = np.asarray(series, dtype="float64")
    single = x.ndim == 1
    x = np.atleast_2d(x)
    if x.ndim != 2:
        raise ValueError(f"`series` must be 1-D or 2-D. Got {x.ndim} dimensions.")
    n = x.shape[1]
    if n < 2:
        raise TooFewPeriodsError(
            f"The Mann–Kendall test needs at least two periods. Got {n}.", needed=2, found=n
        )
    if np.isnan(x).any():
        raise ValueError("`series` contains NaN.")
    earlier, later = np.triu_indices(n, k=1)
    s = np.sign(x[:, later] - x[:, earlier]).sum(axis=1)
    # Each member of a tie group of size t contributes (t-1)(2t+5), so summing over
    # members gives sum_g t(t-1)(2t+5) without finding the groups.
    tied_with = (x[:, :, None] == x[:, None, :]).sum(axis=2)
    tie_term = ((tied_with - 1) * (2 * tied_with + 5)).sum(axis=1)
    variance = (n * (n - 1) * (2 * n + 5) - tie_term) / 18.0
    numerator = s - np.sign(s) if continuity else s
    z = np.divide(
        numerator, np.sqrt(variance), out=np.zeros_like(s, dtype="float64"), where=variance > 0
    )
    p = 2.0 * stats.norm.sf(np.abs(z))
    result = TrendTest(s.astype("float64"), variance, z, p)
    if single:
        return TrendTest(*(np.float64(column[0]) for column in result))
    return result


def space_time_gi_star(
    cube: ArrayLike, weights: W, *, time_window: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Analytical Gi* z-score and two-sided p-value of every region-period bin.

    Parameters
    ----------
    cube : array_like, shape (n_regions, n_periods)
        Non-negative values; rows in ``weights.id_order``, columns in time order.
    weights : libpysal.weights.W
        Spatial neighbours; used as binary, and every region is its own neighbour.
    time_window : int, default 1
        Number of earlier periods in a bin's neighbourhood (Esri's Neighborhood
        Time Step). 0 gives the purely spatial Gi* of each period, but against the
        mean and spread of the whole cube. The first periods have fewer earlier
        periods and so smaller neighbourhoods.

    Returns
    -------
    z, p : ndarray, shape (n_regions, n_periods)
        Getis & Ord's (1992) Gi* z-score, ``(sum_j w_ij x_j - xbar * sum_j w_ij) /
        (S * sqrt((n * sum_j w_ij - (sum_j w_ij)^2) / (n - 1)))`` over all ``n``
        bins of the cube with binary space-time weights, and ``2 * (1 - Phi(|z|))``.
        A constant cube gives z = 0 and p = 1 everywhere.
    """
    check_weights(weights)
    if isinstance(time_window, bool) or not isinstance(time_window, int | np.integer):
        raise ValueError(f"`time_window` must be a non-negative integer. Got {time_window!r}.")
    if time_window < 0:
        raise ValueError(f"`time_window` must be a non-negative integer. Got {time_window!r}.")
    x = np.asarray(cube, dtype="float64")
    if x.ndim != 2 or x.shape[0] != weights.n:
        raise ValueError(
            f"`cube` must have one row per region of the weights ({weights.n}). "
            f"Got shape {x.shape}."
        )
    if not np.isfinite(x).all():
        raise ValueError("`cube` contains NaN or infinite values.")
    n_periods = x.shape[1]
    adjacency = sparse.csr_matrix(weights.sparse, dtype="float64", copy=True)
    adjacency.data[:] = 1.0
    adjacency = (adjacency + sparse.identity(weights.n, format="csr")).tocsr()
    adjacency.data[:] = 1.0
    spatial_sum = adjacency @ x
    spatial_count = np.asarray(adjacency.sum(axis=1)).ravel()
    # Sliding sum over the current and `time_window` earlier periods, by differences
    # of a running total (exact for counts, O(regions × periods)).
    running = np.cumsum(spatial_sum, axis=1)
    window_sum = running.copy()
    width = time_window + 1
    if width < n_periods:
        window_sum[:, width:] -= running[:, :-width]
    periods_in_window = np.minimum(np.arange(n_periods), time_window) + 1
    count = spatial_count[:, None] * periods_in_window[None, :]
    n = x.size
    mean = x.mean()
    spread = x.std()  # population standard deviation, as in Getis & Ord and Esri
    denominator = spread * np.sqrt(np.maximum(n * count - count**2, 0.0) / (n - 1))
    z = np.divide(
        window_sum - mean * count,
        denominator,
        out=np.zeros_like(window_sum),
        where=denominator > 0,
    )
    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p


def classify(
    hot: ArrayLike,
    cold: ArrayLike,
    trend_z: float,
    trend_p: float,
    *,
    threshold: float = 0.9,
    alpha: float = HOTSPOT_ALPHA,
) -> str:
    """Esri's emerging hot spot category of one region.

    Parameters
    ----------
    hot, cold : array_like of bool, shape (n_periods,)
        Whether the region was a significant hot (cold) spot in each period, in time
        order; a period cannot be both.
    trend_z, trend_p : float
        Mann–Kendall z and p of the region's Gi* z-scores: ``trend_z > 0`` means
        clustering of high values grows stronger (or of low values weaker).
    threshold : float, default 0.9
        Esri's "ninety percent of the time-step intervals".
    alpha : float, default 0.05
        A trend counts when ``trend_p <= alpha``.

    Returns
    -------
    str
        One of :data:`CATEGORIES`.

    Notes
    -----
    The rules, for hot spots (cold spots mirror them, a falling z-score being an
    *intensifying* cold spot); "share" is the fraction of periods that were hot:

    * final period hot and share >= threshold: **intensifying** with a significant
      upward trend, **diminishing** with a significant downward trend, else
      **persistent**;
    * final period hot and share < threshold: **new** if never hot before,
      **consecutive** if the final run of hot periods is at least two long and
      there was no hot period before it, **sporadic** if never cold, else
      **oscillating** (has been cold);
    * final period not hot and share >= threshold: **historical**;
    * anything else: **no pattern detected**.

    Esri's definitions overlap in two places, resolved here as follows. Persistent
    does not mention the final period while historical requires it not to be hot,
    so a region hot for 90 % of the periods but not in the last is historical. New
    and consecutive say nothing about cold spells, so a region that was cold and is
    now hot for the first time is a new (not oscillating) hot spot; oscillating is
    left for a region that has been hot before, outside its final run, and also
    cold.

    Examples
    --------
    >>> classify([False] * 9 + [True], [False] * 10, 0.5, 0.6)
    'new hot spot'
    """
    hot_steps = np.asarray(hot, dtype=bool)
    cold_steps = np.asarray(cold, dtype=bool)
    if hot_steps.ndim != 1 or hot_steps.shape != cold_steps.shape or hot_steps.size == 0:
        raise ValueError(
            f"`hot` and `cold` must be 1-D and of the same non-zero length. "
            f"Got shapes {hot_steps.shape} and {cold_steps.shape}."
        )
    both = np.flatnonzero(hot_steps & cold_steps).tolist()
    if both:
        raise ValueError(f"A period cannot be both hot and cold; both at positions {both}.")
    if not (isinstance(threshold, int | float) and 0 < threshold <= 1):
        raise ValueError(f"`threshold` must be in (0, 1]. Got {threshold!r}.")
    check_alpha(alpha)
    trending = bool(trend_p <= alpha) and trend_z != 0  # NaN compares False: no trend
    trend = int(np.sign(trend_z)) if trending else 0
    needed = math.ceil(threshold * hot_steps.size - 1e-9)
    if hot_steps[-1]:
        return _final_period_pattern("hot", hot_steps, cold_steps, trend, needed)
    if cold_steps[-1]:
        return _final_period_pattern("cold", cold_steps, hot_steps, -trend, needed)
    if hot_steps.sum() >= needed:
        return "historical hot spot"
    if cold_steps.sum() >= needed:
        return "historical cold spot"
    return NO_PATTERN


def emerging_hot_spots(
    panel: pd.DataFrame,
    weights: W,
    *,
    time_window: int = 1,
    alpha: float = HOTSPOT_ALPHA,
    fdr: bool = True,
    threshold: float = 0.9,
    periods: Sequence | None = None,
) -> pd.DataFrame:
    """Emerging Hot Spot Analysis of a region × period panel.

    Parameters
    ----------
    panel : DataFrame
        ``region_code, period, value``: one row per region and period at most,
        non-negative values (counts or rates). Region-periods without a row count
        as 0; every region of ``weights`` is analysed.
    weights : libpysal.weights.W
        Spatial neighbours (e.g. :func:`geo.weights.contiguity_weights`).
    time_window : int, default 1
        Earlier periods included in each bin's neighbourhood (Esri's Neighborhood
        Time Step).
    alpha : float, default 0.05
        Significance level for the hot/cold bins and for the trend. Esri labels
        bins by confidence level (90, 95, 99 %); ``alpha=0.10`` counts every bin
        from 90 % confidence on.
    fdr : bool, default True
        Adjust the bins' p-values for multiple testing (Benjamini–Hochberg over all
        regions × periods), as Esri's FDR option does.
    threshold : float, default 0.9
        Esri's "ninety percent of the time-step intervals".
    periods : sequence, optional
        All periods in time order. By default, the sorted distinct periods of
        ``panel``; pass them when a period may have no rows at all (a month with no
        incidents anywhere must still count as a period of zeros).

    Returns
    -------
    DataFrame
        One row per region, in the weights' order: ``region_code``, ``category``
        (one of :data:`CATEGORIES`), ``trend_z`` and ``trend_p`` (Mann–Kendall on
        the region's Gi* z-scores), ``hot_share`` and ``cold_share`` (fraction of
        periods significantly hot, cold), ``final_z`` and ``final_p`` (Gi* z-score
        and the p-value the decision used — FDR-adjusted when ``fdr`` — of the last
        period).

    Raises
    ------
    TooFewPeriodsError
        Fewer than two periods (a ValueError too).
    ValueError
        Missing columns, an empty panel, duplicate region-periods, region codes not
        in the weights, periods not in ``periods``, missing or negative values, or
        invalid settings.
    """
    check_weights(weights)
    check_alpha(alpha)
    cube, _ = _panel_cube(panel, weights, periods)
    z, p = space_time_gi_star(cube, weights, time_window=time_window)
    p_used = benjamini_hochberg(p) if fdr else p
    significant = is_significant(p_used, alpha)
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    trend = mann_kendall(np.round(z, _TIE_DECIMALS))
    categories = [
        classify(hot[row], cold[row], trend.z[row], trend.p[row], threshold=threshold, alpha=alpha)
        for row in range(weights.n)
    ]
    return pd.DataFrame(
        {
            "region_code": list(weights.id_order),
            "category": categories,
            "trend_z": trend.z,
            "trend_p": trend.p,
            "hot_share": hot.mean(axis=1),
            "cold_share": cold.mean(axis=1),
            "final_z": z[:, -1],
            "final_p": p_used[:, -1],
        },
        columns=EMERGING_COLUMNS,
    )


def _final_period_pattern(
    kind: str, same: np.ndarray, opposite: np.ndarray, strengthening: int, needed: int
) -> str:
    """Category of a region that is a ``kind`` spot in the final period.

    ``same`` marks the periods of that kind, ``opposite`` those of the other kind;
    ``strengthening`` is +1 (-1) when clustering of that kind grows (weakens)
    significantly, else 0.
    """
    if same.sum() >= needed:
        if strengthening > 0:
            return f"intensifying {kind} spot"
        if strengthening < 0:
            return f"diminishing {kind} spot"
        return f"persistent {kind} spot"
    if not same[:-1].any():
        return f"new {kind} spot"
    run = _final_run_length(same)
    if run >= 2 and not same[: same.size - run].any():
        return f"consecutive {kind} spot"
    if not opposite.any():
        return f"sporadic {kind} spot"
    return f"oscillating {kind} spot"


def _final_run_length(flags: np.ndarray) -> int:
    """How many periods at the end are all True."""
    gaps = np.flatnonzero(~flags)
    return int(flags.size if gaps.size == 0 else flags.size - 1 - gaps[-1])


def _panel_cube(
    panel: pd.DataFrame, weights: W, periods: Sequence | None
) -> tuple[np.ndarray, list]:
    """The panel as a regions × periods array (weights' order, time order), zeros filled."""
    if not isinstance(panel, pd.DataFrame):
        raise ValueError(f"`panel` must be a DataFrame. Got {type(panel).__name__}.")
    missing = [column for column in PANEL_COLUMNS if column not in panel.columns]
    if missing:
        raise ValueError(f"`panel` lacks columns: {missing}.")
    if panel.empty:
        raise ValueError("`panel` is empty; pass at least one region-period value.")
    duplicated = panel.duplicated(["region_code", "period"], keep="first")
    if duplicated.any():
        pairs = panel.loc[duplicated, ["region_code", "period"]].astype(str)
        shown = sorted({(row.region_code, row.period) for row in pairs.itertuples()})
        raise ValueError(f"`panel` has more than one row for (region_code, period): {shown}.")
    known = set(weights.id_order)
    unknown = sorted({str(code) for code in panel["region_code"] if code not in known})
    if unknown:
        raise ValueError(f"Region codes not in the weights: {unknown}.")
    values = pd.to_numeric(panel["value"], errors="coerce").astype("float64")
    if values.isna().any():
        raise ValueError(
            f"`panel` has missing or non-numeric values in 'value' in "
            f"{int(values.isna().sum())} rows."
        )
    if (values < 0).any():
        raise ValueError(
            f"Gi* needs non-negative values; 'value' is negative in {int((values < 0).sum())} rows."
        )
    if periods is None:
        order = sorted(panel["period"].unique())
    else:
        order = list(periods)
        if len(set(order)) != len(order):
            raise ValueError("`periods` has duplicates.")
        listed = set(order)
        outside = sorted({str(period) for period in panel["period"] if period not in listed})
        if outside:
            raise ValueError(f"Periods in `panel` not in `periods`: {outside}.")
    if len(order) < 2:
        raise TooFewPeriodsError(
            f"Emerging hot spot analysis needs at least two periods. Got {len(order)}.",
            needed=2,
            found=len(order),
        )
    cube = (
        pd.DataFrame({"region_code": panel["region_code"], "period": panel["period"], "v": values})
        .pivot(index="region_code", columns="period", values="v")
        .reindex(index=list(weights.id_order), columns=order)
        .fillna(0.0)
        .to_numpy(dtype="float64")
    )
    return cube, order
