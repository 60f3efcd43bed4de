"""Rates per 100,000 inhabitants: counts set against the populations of the region registry."""

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
