"""Rates per 100,000 inhabitants: counts set against the populations of the region registry,
raw or smoothed toward the overall rate (empirical Bayes)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from threatmon.periods import VALUE


def rates_per_100k(
    frame: pd.DataFrame,
    populations: pd.DataFrame,
    by: str = "country",
    *,
    value: str = VALUE,
    regions: Sequence[str] = (),
) -> pd.DataFrame:
    """Add ``population`` and ``rate`` (``value`` per 100 000 inhabitants) to ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Has a ``by`` column and ``value``.
    populations : DataFrame
        The region registry's ``region_code``, ``country`` and ``population``.
    by : {"country", "region_code"}
        What ``frame`` is split by; a country's population is the sum of its regions.
    regions : sequence of str
        When the selection is restricted to some regions, only their population
        counts (a rate for two raions must not divide by all of Moldova).

    Returns
    -------
    DataFrame
        A copy of ``frame`` with ``population`` (float, NaN when unknown) and ``rate``
        (NaN when the population is unknown or 0).
    """
    if by not in ("country", "region_code"):
        raise ValueError(f"`by` must be 'country' or 'region_code'. Got {by!r}.")
    pop = populations[["region_code", "country", "population"]]
    if regions:
        pop = pop[pop["region_code"].isin(list(regions))]
    # A country with any unknown regional population has an unknown total.
    totals = pop.groupby(by)["population"].agg(
        lambda s: np.nan if s.isna().any() else float(s.sum())
    )
    out = frame.copy()
    out["population"] = out[by].map(totals).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = out[value].astype("float64") * 100_000 / out["population"]
    out["rate"] = rate.where(out["population"] > 0)
    return out


def empirical_bayes_rates(counts, populations, *, per: float = 100_000) -> np.ndarray:
    """Rates shrunk toward the overall rate by how little their populations say (global EB).

    A raion of 40,000 with 4 incidents has a raw rate of 10 per 100,000, eight times
    an oblast of 2.4 M with 30, on evidence of four incidents. Marshall's (1991)
    empirical Bayes estimate keeps a region's own rate where its population makes it
    reliable and pulls it toward the overall rate where it does not:

    ``m = sum(e) / sum(b)`` (the overall rate), ``s2 = sum(b (r - m)^2) / sum(b)``
    (the population-weighted spread of the raw rates ``r = e / b``),
    ``a = s2 - m / mean(b)`` (the spread left after Poisson noise, the between-region
    variance), ``w = a / (a + m / b)`` and ``smoothed = m + w (r - m)``.

    Parameters
    ----------
    counts : array_like, shape (n,)
        Incidents per region (non-negative).
    populations : array_like, shape (n,)
        Inhabitants per region; NaN or 0 where unknown.
    per : float, default 100,000
        Rates per this many inhabitants.

    Returns
    -------
    ndarray of float64, shape (n,)
        Smoothed rates; NaN where the population is unknown (those regions take no
        part in ``m`` and ``a`` either). All NaN if no population is known.

    Notes
    -----
    This is ``esda.smoothing.Empirical_Bayes`` (tested equal) with Marshall's rule for
    ``a <= 0`` that esda lacks: when the raw rates vary no more than Poisson noise
    would make them, every region gets ``m``; esda's weights then turn negative or
    exceed 1 and give rates outside the raw ones (a raw 2 became 22 in a test).
    The prior is the regions passed in: smoothing the regions of one map pulls them
    toward that map's overall rate.

    Examples
    --------
    >>> empirical_bayes_rates([0, 0], [1_000, 5_000]).tolist()
    [0.0, 0.0]
    """
    e = np.asarray(counts, dtype="float64")
    b = np.asarray(populations, dtype="float64")
    if e.shape != b.shape or e.ndim != 1:
        raise ValueError(
            f"`counts` and `populations` must be 1-D and of the same length. "
            f"Got shapes {e.shape} and {b.shape}."
        )
    if (e < 0).any() or np.isnan(e).any():
        raise ValueError("`counts` must be non-negative numbers.")
    out = np.full(e.shape, np.nan)
    known = np.isfinite(b) & (b > 0)
    if not known.any():
        return out
    e_known, b_known = e[known], b[known]
    overall = e_known.sum() / b_known.sum()
    raw = e_known / b_known
    spread = (b_known * (raw - overall) ** 2).sum() / b_known.sum()
    between = spread - overall / b_known.mean()
    if between > 0:
        weight = between / (between + overall / b_known)
        out[known] = (overall + weight * (raw - overall)) * per
    else:
        out[known] = overall * per
    return out
