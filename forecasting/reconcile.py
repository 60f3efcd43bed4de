"""Make region, country and total forecasts add up: WLS reconciliation, structural scaling.

The hierarchy is total (``"ALL"``) → countries (ISO2) → regions, as given by a ``regions``
table (``region_code, country``); only countries that appear there belong to it, and the
total is the sum of all of them. Each (crime type, period) is reconciled on its own, but
all of them share the summing matrix ``S``, so they are solved together as the columns
of one (node × group) matrix.

With ``W = diag(S·1)`` (the number of regions under each node: 1 for a region, the
country's region count, all regions for the total) the reconciled regions are
``b = (S' W⁻¹ S)⁻¹ S' W⁻¹ ŷ`` and every node is ``S b`` (Athanasopoulos, Hyndman et
al.; ``wls_struct`` in hierarchicalforecast, ``min_trace(method = "wls_struct")`` in
fable). Because ``P S = I`` for ``P = (S' W⁻¹ S)⁻¹ S' W⁻¹``, ``b`` is computed as the base
regions plus ``P`` applied to the incoherence ``ŷ − S ŷ_regions``: identical in exact
arithmetic, and a coherent input comes back without round-off.

No matrix is inverted: ``S' W⁻¹ S = I + Σ_c 1_c 1_c' / n_c + 1 1' / N`` (``n_c`` regions
in country ``c``, ``N`` in all), and Sherman–Morrison, once per country block and once
for the total, gives ``(S' W⁻¹ S)⁻¹ = I − Σ_c 1_c 1_c' / (2 n_c) − 1 1' / (6 N)``. That
is a few sums per column, where a dense solve of the 230 × 230 system cost more than the
rest of the function together.

Without total rows the hierarchy is countries → regions only (``S' W⁻¹ S = I + Σ_c 1_c
1_c' / n_c``, inverse ``I − Σ_c 1_c 1_c' / (2 n_c)``): the refresh reconciles a crime
type's total only when it covers the same months as every country under it
(:func:`forecasting.refresh.reconciled`).

Counts are counts: reconciled regions are clipped at 0 and countries and the total are
re-aggregated from them, so the result is coherent and non-negative (clipping gives up
a little of the WLS optimality where it bites).

Intervals are the base model's, moved with the mean; they are not themselves reconciled.
Each bound is shifted by (reconciled mean − base mean) and clipped at 0; where the shift
would break ``lower_95 <= lower_80 <= mean <= upper_80 <= upper_95`` the interval is
widened (a lower bound lowered, an upper bound raised) just enough to restore it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REGION, COUNTRY, TOTAL = "region", "country", "total"
TOTAL_AREA = "ALL"
KEY = ("level", "area", "crime_type", "period")
BOUNDS = ("lower_80", "upper_80", "lower_95", "upper_95")
REQUIRED = (*KEY, "mean", *BOUNDS)
BASE_MEAN = "base_mean"
#: Largest parent-minus-children difference that still counts as coherent.
COHERENCE_TOLERANCE = 1e-6


def _check_columns(frame: pd.DataFrame, name: str, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing required column(s): {', '.join(missing)}")


def _describe(level: object, area: object, crime_type: object, period: object) -> str:
    if isinstance(period, pd.Timestamp) and period == period.normalize():
        period = period.strftime("%Y-%m-%d")
    return f"level {level!r}, area {area!r}, crime_type {crime_type!r}, period {period}"


def _hierarchy(regions: pd.DataFrame) -> tuple[pd.Index, pd.Index, np.ndarray]:
    """Region codes, country codes and membership (country × region, 1.0 where inside)."""
    _check_columns(regions, "regions", ("region_code", "country"))
    pairs = regions[["region_code", "country"]].drop_duplicates()
    twice = pairs["region_code"][pairs["region_code"].duplicated()]
    if len(twice):
        code = twice.iloc[0]
        listed = ", ".join(map(repr, pairs.loc[pairs["region_code"] == code, "country"]))
        raise ValueError(f"region {code!r} belongs to more than one country in regions: {listed}")
    if pairs.empty:
        raise ValueError("regions is empty")
    codes = pd.Index(pairs["region_code"])
    countries = pd.Index(pairs["country"].unique())
    membership = (
        countries.get_indexer(pairs["country"])[None, :] == np.arange(len(countries))[:, None]
    )
    return codes, countries, membership.astype(float)


def _matrix(
    frame: pd.DataFrame, regions: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The means as a (node × group) matrix; also membership and each row's node and group.

    Nodes are ordered total, countries, regions; groups are the (crime_type, period) pairs
    in order of first appearance.
    """
    _check_columns(frame, "base", (*KEY, "mean"))
    codes, countries, membership = _hierarchy(regions)
    duplicated = frame.duplicated(subset=list(KEY))
    if duplicated.any():
        row = frame[list(KEY)][duplicated.to_numpy()].iloc[0]
        raise ValueError(f"duplicate rows for {_describe(*row)}")

    level, area = frame["level"].to_numpy(), frame["area"].to_numpy()
    node = np.full(len(frame), -1)
    for name, index, offset in ((REGION, codes, 1 + len(countries)), (COUNTRY, countries, 1)):
        rows = level == name
        found = index.get_indexer(area[rows])
        if (found < 0).any():
            raise ValueError(f"{name} {area[rows][found < 0][0]!r} in base is not in regions")
        node[rows] = found + offset
    total = level == TOTAL
    stray = area[total][area[total] != TOTAL_AREA]
    if len(stray):
        raise ValueError(f"total rows must have area {TOTAL_AREA!r}, got {stray[0]!r}")
    node[total] = 0
    if (node < 0).any():
        raise ValueError(
            f"unknown level {level[node < 0][0]!r}; expected {REGION!r}, {COUNTRY!r} or {TOTAL!r}"
        )

    mean = frame["mean"].to_numpy(dtype=float)
    if not np.isfinite(mean).all():
        row = frame[list(KEY)][~np.isfinite(mean)].iloc[0]
        raise ValueError(f"mean must be finite; it is not for {_describe(*row)}")
    groups = frame.groupby(["crime_type", "period"], sort=False, dropna=False)
    group = groups.ngroup().to_numpy()
    values = np.full((1 + len(countries) + len(codes), groups.ngroups), np.nan)
    values[node, group] = mean
    if not total.any():
        # A hierarchy of countries and regions only: the top is their sum, never a gap.
        values[0] = np.nansum(values[1 + len(countries) :], axis=0)
    gaps = np.argwhere(np.isnan(values.T))  # groups outer, so the first gap is the first group's
    if len(gaps):
        g, n = gaps[0]
        first = frame.iloc[int(np.argmax(group == g))]
        crime_type, period = first["crime_type"], first["period"]
        names = [
            (TOTAL, TOTAL_AREA),
            *((COUNTRY, c) for c in countries),
            *((REGION, r) for r in codes),
        ]
        raise ValueError(f"no row for {_describe(*names[n], crime_type, period)}")
    return values, membership, node, group


def incoherence(frame: pd.DataFrame, regions: pd.DataFrame) -> float:
    """The largest absolute difference between a parent's mean and its children's sum.

    Parameters
    ----------
    frame : DataFrame
        ``level, area, crime_type, period, mean`` (other columns ignored), every node of
        the hierarchy present for every (crime_type, period).
    regions : DataFrame
        ``region_code, country``: the hierarchy.

    Returns
    -------
    float
        0.0 for a coherent (or empty) frame; compare with :data:`COHERENCE_TOLERANCE`.
    """
    values, membership, _, _ = _matrix(frame, regions)
    countries = values[1 : 1 + len(membership)]
    bottom = values[1 + len(membership) :]
    gaps = [countries - membership @ bottom]
    if (frame["level"] == TOTAL).any():
        gaps.append(values[:1] - countries.sum(axis=0))
    return float(max(np.abs(gap).max(initial=0.0) for gap in gaps))


def reconcile(base: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Reconcile region, country and total forecasts so that they add up.

    Parameters
    ----------
    base : DataFrame
        ``level`` (``"region" | "country" | "total"``), ``area`` (region code | ISO2 |
        ``"ALL"``), ``crime_type, period, mean, lower_80, upper_80, lower_95, upper_95``;
        other columns are carried through unchanged. Every node of the hierarchy needs
        exactly one row per (crime_type, period); without any total row, countries and
        regions are reconciled on their own. Not modified.
    regions : DataFrame
        ``region_code, country``: the hierarchy.

    Returns
    -------
    DataFrame
        The rows of ``base`` (same order, index and columns) with ``mean`` and the bounds
        reconciled, plus ``base_mean``, the mean before reconciliation.

    Raises
    ------
    ValueError
        On a missing column, an empty or ambiguous ``regions``, a region or country not in
        ``regions``, an unknown level, a total whose area is not ``"ALL"``, a node without
        a row for some (crime_type, period), duplicate rows, or a non-finite mean.
    """
    _check_columns(base, "base", REQUIRED)
    if BASE_MEAN in base.columns:
        raise ValueError(f"base already has a {BASE_MEAN!r} column; is it reconciled already?")
    values, membership, node, group = _matrix(base, regions)
    size, n_all = membership.sum(axis=1)[:, None], membership.shape[1]
    total, countries, bottom = values[0], values[1 : 1 + len(size)], values[1 + len(size) :]
    # S' W⁻¹ (ŷ − S ŷ_regions): the incoherence is zero on the regions, so only the
    # countries' and the total's gaps, each divided by its weight, reach the regions.
    with_total = bool((base["level"] == TOTAL).any())
    pushed = membership.T @ ((countries - membership @ bottom) / size)
    if with_total:
        pushed += (total - bottom.sum(axis=0)) / n_all
    # Closed-form (S' W⁻¹ S)⁻¹ (module docstring): cheaper than any dense solve.
    bottom = bottom + (pushed - membership.T @ (membership @ pushed / (2 * size)))
    if with_total:
        bottom -= pushed.sum(axis=0) / (6 * n_all)
    bottom = np.clip(bottom, 0.0, None)
    reconciled = np.vstack([bottom.sum(axis=0, keepdims=True), membership @ bottom, bottom])

    out = base.copy()
    mean = reconciled[node, group]
    shift = mean - out["mean"].to_numpy(dtype=float)
    bound = {b: np.clip(out[b].to_numpy(dtype=float) + shift, 0.0, None) for b in BOUNDS}
    # np.minimum / np.maximum keep a missing (NaN) bound missing; fmin / fmax stop a
    # missing inner bound from erasing the outer one.
    bound["lower_80"] = np.minimum(bound["lower_80"], mean)
    bound["lower_95"] = np.minimum(bound["lower_95"], np.fmin(bound["lower_80"], mean))
    bound["upper_80"] = np.maximum(bound["upper_80"], mean)
    bound["upper_95"] = np.maximum(bound["upper_95"], np.fmax(bound["upper_80"], mean))
    out[BASE_MEAN] = out["mean"].astype(float)
    out["mean"] = mean
    for name, value in bound.items():
        out[name] = value
    return out
