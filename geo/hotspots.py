"""Local hot-spot statistics per region: Getis-Ord Gi* and Local Moran's I, from esda.

Series in (one value per region code), DataFrame out; inputs are never modified.
Both statistics are tested by conditional permutation with a fixed seed, so the
same data always give the same map, and corrected for testing every region at once
with the Benjamini–Hochberg false discovery rate (FDR).

esda computes the statistics and their permutations (``keep_simulations=True``); the
p-values are computed here from those permutations (:func:`permutation_p_values`),
because esda's own ``p_sim`` misleads on real data:

* It is *folded*: it counts the simulations in whichever tail the observed value lies
  in, so under the null it falls below ``alpha`` twice as often as ``alpha`` (esda's
  own docs call this "uniformly too small"). The decision here uses the two-sided
  ``min(1, 2 * min(p_upper, p_lower))``.
* It drops ties from the lower tail: when most permutations *equal* the observed
  value (a map of mostly zeros, uniform counts) esda counts the draws strictly below
  it, none, and reports its smallest p-value, a "significant" cold spot where about
  half the permutations are as extreme. Here each tail counts the draws at least as
  extreme, ties included, so such a region is never significant.
* ``esda.G_Local`` returns ``p_sim`` in float32 (0.001 becomes 0.0010000000475).

Also worked around: ``esda.Moran_Local`` row-standardises the weights object it is
given, in place, so both functions hand esda a fresh binary copy; and with the seed
set, esda (without numba) reseeds NumPy's global random state, which is restored
afterwards so callers' own random draws do not change.

Regions that are in the weights but missing from ``values`` count as 0: with
incident counts a region without a row simply had no incidents.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import esda
import numpy as np
import pandas as pd
from libpysal.weights import W
from numpy.typing import ArrayLike
from scipy import stats

from threatmon.rules import HOTSPOT_ALPHA

#: Local Moran quadrant numbers (esda's PySAL scheme) → cluster label.
MORAN_QUADRANTS: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
GI_COLUMNS = ["region_code", "value", "gi_z", "p_sim", "p_fdr", "hot_cold"]
MORAN_COLUMNS = ["region_code", "value", "moran_i", "z", "p_sim", "p_fdr", "cluster"]


def getis_ord(
    values: pd.Series,
    weights: W,
    *,
    permutations: int = 999,
    alpha: float = HOTSPOT_ALPHA,
    seed: int | None = 12345,
) -> pd.DataFrame:
    """Getis-Ord Gi* hot and cold spots, significant after the FDR correction.

    Gi* compares the sum of a region's and its neighbours' values with what the
    same total spread at random would give. It is computed by ``esda.G_Local`` with
    ``star=True`` on binary weights (every neighbour and the region itself count
    once, as in Getis & Ord 1992 and Esri's Hot Spot Analysis).

    Parameters
    ----------
    values : Series
        Non-negative values (counts or rates) indexed by region code. Regions of
        ``weights`` missing here count as 0.
    weights : libpysal.weights.W
        Neighbour relation, e.g. from :func:`geo.weights.contiguity_weights`. Only
        who neighbours whom is used: weight values and transformations are ignored.
    permutations : int, default 999
        Conditional permutations per region. The smallest attainable ``p_sim`` is
        ``1 / (permutations + 1)``.
    alpha : float, default 0.05
        False discovery rate at which a region is called hot or cold.
    seed : int or None, default 12345
        Seed of the permutations; the same seed gives the same result.

    Returns
    -------
    DataFrame
        One row per region, in the weights' order:

        ``region_code``
            The weights' id.
        ``value``
            The value used (0 where ``values`` had none).
        ``gi_z``
            Standardised Gi* (esda's ``Zs``): above 0 when the neighbourhood sum is
            higher than expected.
        ``p_sim``
            One-sided pseudo p-value of the nearer tail, ``min(p_upper, p_lower)``
            of :func:`permutation_p_values` (ties with the observation count in
            both tails).
        ``p_fdr``
            Benjamini–Hochberg adjustment, over all regions, of the two-sided
            ``min(1, 2 * p_sim)``.
        ``hot_cold``
            ``"hot"`` where ``p_fdr <= alpha``, ``p_upper < p_lower`` and
            ``gi_z > 0``; ``"cold"`` where ``p_lower < p_upper`` and ``gi_z < 0``;
            ``"none"`` otherwise (including the rare case where the analytical z and
            the permutation tail disagree).

    Raises
    ------
    ValueError
        Empty ``values``, duplicate or unknown region codes, missing or negative
        values, or invalid ``permutations`` / ``alpha``.

    Notes
    -----
    With ``n`` regions, Benjamini–Hochberg can only flag anything if at least one
    region has ``p <= alpha / n``; with 999 permutations the smallest two-sided p is
    0.002, so on ~230 regions about five regions must reach it before any region is
    flagged. Strong clusters do; raise ``permutations`` for finer resolution.
    If all values are equal there is nothing to cluster: ``gi_z`` is 0, the
    p-values are 1 and every region is ``"none"``. A region whose permutations cannot
    vary (its neighbourhood is the whole map) gets ``gi_z`` 0 and p-values 1, where
    esda itself would report NaN and its smallest p-value. More generally, a region
    whose observed Gi* equals at least half of its permutations (zeros among zeros)
    has ``p_sim`` above 0.5 and is never significant.
    """
    _check_test_settings(permutations, alpha)
    y = _values_in_weights_order(values, weights, non_negative=True)
    frame = pd.DataFrame({"region_code": list(weights.id_order), "value": y})
    if np.ptp(y) == 0:
        return _without_clustering(frame, {"gi_z": 0.0}, "hot_cold", GI_COLUMNS)
    with _esda_quietly():
        gi = esda.G_Local(
            y,
            _binary_copy(weights),
            transform="B",
            star=True,
            permutations=permutations,
            keep_simulations=True,
            n_jobs=1,  # joblib processes cost more than the whole run on ~230 regions
            seed=seed,
        )
    untestable = _untestable(gi.Zs, gi.sim)
    gi_z = np.where(untestable, 0.0, gi.Zs)
    p_upper, p_lower = permutation_p_values(gi.Gs, gi.sim)
    frame["gi_z"] = gi_z
    frame["p_sim"] = np.where(untestable, 1.0, np.minimum(p_upper, p_lower))
    frame["p_fdr"] = benjamini_hochberg(two_sided(frame["p_sim"]))
    significant = is_significant(frame["p_fdr"].to_numpy(), alpha)
    frame["hot_cold"] = np.select(
        [
            significant & (p_upper < p_lower) & (gi_z > 0),
            significant & (p_lower < p_upper) & (gi_z < 0),
        ],
        ["hot", "cold"],
        default="none",
    )
    return frame[GI_COLUMNS]


def local_moran(
    values: pd.Series,
    weights: W,
    *,
    permutations: int = 999,
    alpha: float = HOTSPOT_ALPHA,
    seed: int | None = 12345,
) -> pd.DataFrame:
    """Local Moran's I clusters (HH, LL) and outliers (HL, LH), significant after FDR.

    Computed by ``esda.Moran_Local`` on row-standardised weights: a region's
    spatial lag is the mean of its neighbours' values.

    Parameters
    ----------
    values : Series
        Values indexed by region code. Regions of ``weights`` missing here count
        as 0.
    weights : libpysal.weights.W
        Neighbour relation; only who neighbours whom is used.
    permutations, alpha, seed
        As in :func:`getis_ord`.

    Returns
    -------
    DataFrame
        One row per region, in the weights' order: ``region_code``, ``value``,
        ``moran_i`` (the local statistic ``Is``), ``z`` (``Is`` standardised by the
        mean and spread of its permutations, esda's ``z_sim``), ``p_sim`` (the
        nearer tail's pseudo p-value, ties counted in both tails, as in
        :func:`getis_ord`), ``p_fdr`` (Benjamini–Hochberg adjustment of
        ``min(1, 2 * p_sim)``) and ``cluster``: ``"HH"`` high among high, ``"LL"``
        low among low, ``"HL"`` high among low, ``"LH"`` low among high — each only
        where ``p_fdr <= alpha`` — else ``"none"``.

    Raises
    ------
    ValueError
        Empty ``values``, duplicate or unknown region codes, missing values, or
        invalid ``permutations`` / ``alpha``.

    Notes
    -----
    "High" and "low" are relative to the mean over all regions. If all values are
    equal, ``moran_i`` and ``z`` are 0, the p-values 1 and every cluster
    ``"none"``; a region whose permutations cannot vary (its neighbourhood is the
    whole map) gets ``z`` 0 and p-values 1, and one whose ``moran_i`` equals half
    or more of its permutations is never significant.
    """
    _check_test_settings(permutations, alpha)
    y = _values_in_weights_order(values, weights, non_negative=False)
    frame = pd.DataFrame({"region_code": list(weights.id_order), "value": y})
    if np.ptp(y) == 0:
        return _without_clustering(frame, {"moran_i": 0.0, "z": 0.0}, "cluster", MORAN_COLUMNS)
    with _esda_quietly():
        lisa = esda.Moran_Local(
            y,
            _binary_copy(weights),
            transformation="r",
            permutations=permutations,
            keep_simulations=True,
            n_jobs=1,
            seed=seed,
        )
    untestable = _untestable(lisa.z_sim, lisa.sim)
    p_upper, p_lower = permutation_p_values(lisa.Is, lisa.sim)
    frame["moran_i"] = lisa.Is
    frame["z"] = np.where(untestable, 0.0, lisa.z_sim)
    frame["p_sim"] = np.where(untestable, 1.0, np.minimum(p_upper, p_lower))
    frame["p_fdr"] = benjamini_hochberg(two_sided(frame["p_sim"]))
    quadrant = pd.Series(lisa.q).map(MORAN_QUADRANTS).to_numpy()
    frame["cluster"] = np.where(is_significant(frame["p_fdr"].to_numpy(), alpha), quadrant, "none")
    return frame[MORAN_COLUMNS]


def permutation_p_values(
    observed: ArrayLike, simulated: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo p-values of each tail, ties with the observation counted in both.

    Parameters
    ----------
    observed : array_like, shape (n,)
        The observed statistic of each region.
    simulated : array_like, shape (permutations, n)
        Its permutations (esda's ``sim`` with ``keep_simulations=True``).

    Returns
    -------
    p_upper, p_lower : ndarray, shape (n,)
        ``(1 + #{sim >= observed}) / (permutations + 1)`` and
        ``(1 + #{sim <= observed}) / (permutations + 1)``. Draws equal to the
        observation count in both, so ``p_upper + p_lower >= 1``: a region whose
        observation equals half or more of its draws has both above 0.5.

    Notes
    -----
    esda computes the observed statistic and its permutations by different sums, so
    values equal in exact arithmetic can differ in the last bits (on rates, not on
    counts); draws within ``1e-9`` of the statistic's scale count as ties.

    Examples
    --------
    >>> p_upper, p_lower = permutation_p_values([0.0], [[0.0], [0.0], [1.0], [0.0]])
    >>> p_upper.tolist(), p_lower.tolist()
    ([1.0], [0.8])
    """
    x = np.asarray(observed, dtype="float64")
    sims = np.asarray(simulated, dtype="float64")
    draws = sims.shape[0] + 1
    scale = np.maximum(np.abs(x), np.abs(sims).max(axis=0, initial=0.0))
    tolerance = 1e-9 * np.where(scale > 0, scale, 1.0)
    at_or_above = (sims >= x - tolerance).sum(axis=0)
    at_or_below = (sims <= x + tolerance).sum(axis=0)
    return (1.0 + at_or_above) / draws, (1.0 + at_or_below) / draws


def two_sided(p_nearer: ArrayLike) -> np.ndarray:
    """Two-sided p-values from the nearer tail's pseudo p-values: ``min(1, 2p)``.

    The nearer tail is chosen after seeing the data; doubling restores the nominal
    error rate. With ``p = min(p_upper, p_lower)`` of :func:`permutation_p_values`
    this is ``min(1, 2 * min(p_upper, p_lower))``.
    """
    return np.minimum(1.0, 2.0 * np.asarray(p_nearer, dtype="float64"))


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (FDR); reject where ``adjusted <= alpha``.

    Parameters
    ----------
    p_values : array_like
        Any shape; all values are adjusted together as one family.

    Returns
    -------
    ndarray of float64
        Same shape as ``p_values``.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.20]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.2]
    """
    p = np.asarray(p_values, dtype="float64")
    if p.size == 0:
        return p.copy()
    return stats.false_discovery_control(p.ravel(), method="bh").reshape(p.shape)


def is_significant(p_values: ArrayLike, alpha: float) -> np.ndarray:
    """``p <= alpha``, counting values that exceed ``alpha`` by rounding only as equal.

    A Benjamini–Hochberg adjusted p-value of exactly ``alpha`` (e.g. 0.002 × 100 / 4
    = 0.05) comes out of floating point as 0.05000000000000001; the textbook rule
    rejects it, so this does too.
    """
    return np.asarray(p_values, dtype="float64") <= alpha * (1 + 1e-9)


def _check_test_settings(permutations: int, alpha: float) -> None:
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        raise ValueError(f"`permutations` must be a positive integer. Got {permutations!r}.")
    if permutations < 1:
        raise ValueError(f"`permutations` must be a positive integer. Got {permutations!r}.")
    check_alpha(alpha)


def check_alpha(alpha: float) -> None:
    """Raise ``ValueError`` unless ``0 < alpha < 1``."""
    if not (isinstance(alpha, int | float) and math.isfinite(alpha) and 0 < alpha < 1):
        raise ValueError(f"`alpha` must be between 0 and 1 (exclusive). Got {alpha!r}.")


def check_weights(weights: W) -> None:
    """Raise ``ValueError`` unless ``weights`` is a libpysal ``W`` with at least two regions."""
    if not isinstance(weights, W):
        raise ValueError(f"`weights` must be a libpysal.weights.W. Got {type(weights).__name__}.")
    if weights.n < 2:
        raise ValueError(f"`weights` must hold at least two regions. Got {weights.n}.")


def _values_in_weights_order(values: pd.Series, weights: W, *, non_negative: bool) -> np.ndarray:
    check_weights(weights)
    if not isinstance(values, pd.Series):
        raise ValueError(
            f"`values` must be a pandas Series indexed by region code. Got {type(values).__name__}."
        )
    if values.empty:
        raise ValueError("`values` is empty; pass at least one region's value.")
    duplicated = sorted(map(str, values.index[values.index.duplicated()].unique()))
    if duplicated:
        raise ValueError(f"`values` has duplicate region codes: {duplicated}.")
    known = set(weights.id_order)
    unknown = sorted(str(code) for code in values.index if code not in known)
    if unknown:
        raise ValueError(f"Region codes not in the weights: {unknown}.")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    missing = sorted(map(str, numbers.index[numbers.isna()]))
    if missing:
        raise ValueError(f"`values` is missing or not numeric for: {missing}.")
    if non_negative:
        negative = sorted(map(str, numbers.index[numbers < 0]))
        if negative:
            raise ValueError(f"Gi* needs non-negative values; negative for: {negative}.")
    return numbers.reindex(list(weights.id_order), fill_value=0.0).to_numpy(dtype="float64")


def _binary_copy(weights: W) -> W:
    # esda changes the transformation of the W it is given; a copy keeps the
    # caller's object as it was, and rebuilding from the neighbour lists makes every
    # weight 1 whatever transformation the caller had applied.
    return W(
        {key: list(found) for key, found in weights.neighbors.items()},
        id_order=list(weights.id_order),
        silence_warnings=True,
    )


@contextmanager
def _esda_quietly() -> Iterator[None]:
    """Keep NumPy's global random state and hide esda's notice about future defaults.

    The notice concerns esda's own ``p_sim``, which is not used here.
    """
    state = np.random.get_state()
    try:
        # 0/0 for untestable regions (see _untestable) is expected and handled.
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.filterwarnings(
                "ignore",
                message="The alternative hypothesis for conditional randomization",
                category=DeprecationWarning,
            )
            # esda rebuilds the weights internally (Gi* adds the diagonal) without
            # libpysal's silence flag; disconnected parts (Georgia borders no other
            # project country) are expected, not a problem to report.
            warnings.filterwarnings(
                "ignore", message="The weights matrix is not fully connected", category=UserWarning
            )
            yield
    finally:
        np.random.set_state(state)


def _untestable(z: np.ndarray, simulated: np.ndarray) -> np.ndarray:
    """Regions whose permutations cannot vary: every draw equals the observation.

    That happens when a region's neighbourhood is the whole map or all other values
    are equal. esda then gives a NaN z (0/0); the p-values are 1 whatever the
    rounding of the draws.
    """
    return ~np.isfinite(z) | (simulated.std(axis=0) == 0)


def _without_clustering(
    frame: pd.DataFrame, zeros: dict[str, float], label: str, columns: list[str]
) -> pd.DataFrame:
    for name, value in zeros.items():
        frame[name] = value
    frame["p_sim"] = 1.0
    frame["p_fdr"] = 1.0
    frame[label] = "none"
    return frame[columns]
