"""The numbers a map shows, per region and per crossing point: frames in, frames out.

A region's value is its incident count in the period, its rate per 100,000
inhabitants (smoothed toward the overall rate of the regions drawn by empirical Bayes,
or raw), or its change against the previous period of the same length. A
change is only shown when the two periods together hold at least ``min_total``
incidents (the overview's low-count guard): 1 → 3 is +200 % and means nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.maps import tooltip_html
from geo.symbology import MORAN_LABELS
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends import binomial_p_values, empirical_bayes_rates, percent_change, rates_per_100k

#: The numeric measures of a region map (:data:`geo.symbology.MEASURES`).
NUMERIC_MEASURES: tuple[str, ...] = ("count", "rate", "rate_raw", "change")


def regions_in_view(
    registry: pd.DataFrame, countries: Sequence[str] = (), regions: Sequence[str] = ()
) -> list[str]:
    """The region codes a map of this selection draws, in registry order.

    Selected regions narrow the view to themselves; otherwise the selected countries
    (or every project country) are drawn whole.
    """
    if regions:
        wanted = set(regions)
        return [code for code in registry["region_code"] if code in wanted]
    if countries:
        wanted = set(countries)
        return registry.loc[registry["country"].isin(wanted), "region_code"].tolist()
    return registry["region_code"].tolist()


def region_values(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    registry: pd.DataFrame,
    measure: str,
    *,
    codes: Sequence[str],
    period_label: str = "",
    min_total: int = LOW_COUNT_THRESHOLD,
    alpha: float = CHANGE_ALPHA,
) -> pd.DataFrame:
    """One row per region in ``codes`` with the value to map and its tooltip.

    Parameters
    ----------
    current, previous : DataFrame
        ``region_code`` and ``count`` summed over the period and over the previous
        period (regions without incidents may be absent: they count as 0).
    registry : DataFrame
        The region registry (``region_code``, ``country``, ``name_en``, ``name_local``,
        ``population``).
    measure : {"count", "rate", "rate_raw", "change"}
        ``rate`` is the smoothed rate per 100,000 (``rate_smoothed``), ``rate_raw``
        the raw one (``rate``).
    codes : sequence of str
        The regions drawn; the smoothed rates shrink toward their overall rate.

    Returns
    -------
    DataFrame
        ``region_code, name_en, country, current, previous, population, rate,
        rate_smoothed, change_pct, p_value, value, tooltip``.
    """
    if measure not in NUMERIC_MEASURES:
        raise ValueError(
            f"`measure` must be 'count', 'rate', 'rate_raw' or 'change'. Got {measure!r}."
        )
    frame = registry.loc[
        registry["region_code"].isin(list(codes)),
        ["region_code", "country", "name_en", "name_local"],
    ].reset_index(drop=True)
    for name, source in (("current", current), ("previous", previous)):
        totals = source.groupby("region_code")["count"].sum()
        frame[name] = frame["region_code"].map(totals).fillna(0).astype("int64")
    frame = rates_per_100k(frame, registry, by="region_code", value="current")
    frame["rate_smoothed"] = empirical_bayes_rates(frame["current"], frame["population"])
    enough = (frame["current"] + frame["previous"]) >= min_total
    change = pd.Series(percent_change(frame["current"], frame["previous"]), index=frame.index)
    frame["change_pct"] = change.where(enough)
    frame["p_value"] = pd.Series(
        binomial_p_values(frame["current"], frame["previous"]), index=frame.index
    ).where(enough)
    frame["value"] = {
        "count": frame["current"].astype("float64"),
        "rate": frame["rate_smoothed"],
        "rate_raw": frame["rate"],
        "change": frame["change_pct"],
    }[measure]
    frame["tooltip"] = [
        tooltip_html(
            f"{row.name_en} ({row.region_code})",
            _tooltip_rows(row, period_label, alpha),
        )
        for row in frame.itertuples(index=False)
    ]
    return frame


def _tooltip_rows(row, period_label: str, alpha: float) -> list[tuple[str, str]]:
    rows = [(f"Incidents {period_label}".strip(), f"{row.current:,}")]
    rows.append(("Previous period", f"{row.previous:,}"))
    if np.isnan(row.change_pct):
        rows.append(("Change", "too few incidents to compare"))
    else:
        significant = "" if row.p_value < alpha else " (within chance)"
        rows.append(("Change", f"{row.change_pct:+.0f} %{significant}"))
    if not np.isnan(row.rate):
        rows.append(("Per 100,000 inhabitants", f"{row.rate:,.1f}"))
        rows.append(("Smoothed (empirical Bayes)", f"{row.rate_smoothed:,.1f}"))
    return rows


def crossing_values(
    crossings: pd.DataFrame,
    incidents: pd.DataFrame,
    flows: pd.DataFrame,
    countries: Sequence[str] = (),
) -> pd.DataFrame:
    """Crossing points with their incidents and arrivals in the period.

    ``incidents`` has ``crossing_point`` and ``count``; ``flows`` has
    ``crossing_point`` and ``arrivals``. With ``countries`` given, only crossings on
    their borders are kept.
    """
    frame = crossings[["crossing_point_id", "name_en", "country_a", "country_b"]].copy()
    frame["latitude"] = crossings["latitude"].astype("float64")
    frame["longitude"] = crossings["longitude"].astype("float64")
    if countries:
        wanted = set(countries)
        frame = frame[frame["country_a"].isin(wanted) | frame["country_b"].isin(wanted)]
    by_point = incidents.groupby("crossing_point")["count"].sum()
    arrivals = flows.groupby("crossing_point")["arrivals"].sum()
    frame["incidents"] = frame["crossing_point_id"].map(by_point).fillna(0).astype("int64")
    frame["arrivals"] = frame["crossing_point_id"].map(arrivals).fillna(0).astype("int64")
    return frame.reset_index(drop=True)


def hotspot_values(hot: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The map values of a hotspot table (:func:`geo.analysis.region_hotspots`).

    ``measure`` picks the category shown: ``hotspot`` (Gi* hot/cold), ``emerging`` or
    ``clusters`` (Local Moran); the tooltip gives every statistic of the region.
    """
    column = {"hotspot": "hot_cold", "emerging": "emerging_category", "clusters": "moran_cluster"}
    value = hot[column[measure]]
    tooltips = [
        tooltip_html(
            f"{row.name} ({row.region_code})",
            [
                ("Per 100,000, smoothed", f"{row.value:,.1f}"),
                ("Gi* z-score", f"{row.gi_z:+.2f}"),
                ("p (FDR-adjusted)", f"{row.p_fdr:.3f}"),
                ("Hot or cold (α = 0.05)", row.hot_cold),
                ("Emerging pattern", row.emerging_category),
                ("Local Moran", MORAN_LABELS.get(row.moran_cluster, row.moran_cluster)),
            ],
        )
        for row in hot.itertuples(index=False)
    ]
    return pd.DataFrame({"region_code": hot["region_code"], "value": value, "tooltip": tooltips})
