"""The numbers a map shows, per region and per crossing point: frames in, frames out.

A region's value is its incident count in the period, its rate per 100,000
inhabitants (smoothed toward the overall rate of the regions drawn by empirical Bayes,
or raw), or its change against the previous period of the same length. A
change is only shown when the two periods together hold at least ``min_total``
incidents (the overview's low-count guard): 1 → 3 is +200 % and means nothing. A
region without coverage (:mod:`geo.coverage`) has no value at all: "no data", with
the reason in its tooltip, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.coverage import ENGLISH, NO_NEIGHBOUR, NoDataWords
from geo.maps import tooltip_html
from geo.symbology import ENGLISH_MAP, MapWords
from threatmon.coverage import NO_DATA
from threatmon.rules import CHANGE_ALPHA, HOTSPOT_ALPHA, LOW_COUNT_THRESHOLD
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
    coverage: pd.DataFrame | None = None,
    words: NoDataWords = ENGLISH,
    map_words: MapWords = ENGLISH_MAP,
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
        The regions drawn; the smoothed rates shrink toward the covered ones' overall rate.
    coverage : DataFrame, optional
        :func:`geo.coverage.region_coverage` of the selection (for a change, of both
        periods: :func:`geo.coverage.both_periods`); None: every region is covered.
    words : NoDataWords
        The language of the no-data tooltips.
    map_words : MapWords
        The language of the other tooltips, and how they write numbers.

    Returns
    -------
    DataFrame
        ``region_code, name_en, country, current, previous, population, rate,
        rate_smoothed, change_pct, p_value, value, tooltip, no_data``; a region without
        coverage has every number missing and its tooltip says why.
    """
    if measure not in NUMERIC_MEASURES:
        raise ValueError(
            f"`measure` must be 'count', 'rate', 'rate_raw' or 'change'. Got {measure!r}."
        )
    everything = registry.loc[
        registry["region_code"].isin(list(codes)),
        ["region_code", "country", "name_en", "name_local"],
    ].reset_index(drop=True)
    notes = pd.Series("", index=everything["region_code"])
    if coverage is not None:
        known = coverage.set_index("region_code")
        covered = known["covered"].reindex(notes.index).astype("boolean").fillna(False)
        reason = known["note"].reindex(notes.index).fillna("")
        notes = reason.where(reason != "", words.legend).where(~covered.astype(bool), "")
    frame = everything[(notes == "").to_numpy()].reset_index(drop=True)
    for name, source in (("current", current), ("previous", previous)):
        totals = source.groupby("region_code")["count"].sum()
        # Only covered regions are here: a region without a row had no incident.
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
            f"{map_words.region(row.region_code, row.name_en)} ({row.region_code})",
            _tooltip_rows(row, period_label, alpha, map_words),
        )
        for row in frame.itertuples(index=False)
    ]
    frame["no_data"] = False
    missing = everything[(notes != "").to_numpy()].reset_index(drop=True)
    missing["no_data"] = True
    missing["tooltip"] = [
        tooltip_html(
            f"{map_words.region(row.region_code, row.name_en)} ({row.region_code})",
            [(words.legend, notes[row.region_code])],
        )
        for row in missing.itertuples(index=False)
    ]
    out = pd.concat([frame, missing], ignore_index=True) if len(missing) else frame
    order = {code: i for i, code in enumerate(everything["region_code"])}
    out = out.sort_values("region_code", key=lambda codes: codes.map(order), kind="stable")
    return out.reset_index(drop=True)


def _tooltip_rows(row, period_label: str, alpha: float, words: MapWords) -> list[tuple[str, str]]:
    rows = [(words.incidents.format(period=period_label).strip(), words.number(row.current))]
    rows.append((words.previous, words.number(row.previous)))
    if np.isnan(row.change_pct):
        rows.append((words.change, words.too_few))
    else:
        change = words.percent(row.change_pct)
        if not row.p_value < alpha:
            change = words.within_chance.format(change=change)
        rows.append((words.change, change))
    if not np.isnan(row.rate):
        rows.append((words.per_100k.format(n=words.number(100_000)), _rate(words, row.rate)))
        rows.append((words.smoothed, _rate(words, row.rate_smoothed)))
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


def hotspot_values(
    hot: pd.DataFrame,
    measure: str,
    words: NoDataWords = ENGLISH,
    map_words: MapWords = ENGLISH_MAP,
) -> pd.DataFrame:
    """The map values of a hotspot table (:func:`geo.analysis.region_hotspots`).

    ``measure`` picks the category shown: ``hotspot`` (Gi* hot/cold), ``emerging`` or
    ``clusters`` (Local Moran); the tooltip gives every statistic of the region, or
    why it has none, in ``map_words``' language. Regions without data are
    :data:`geo.coverage.NO_DATA` whatever the measure, those without a neighbour with
    data :data:`geo.coverage.NO_NEIGHBOUR`.
    """
    column = {"hotspot": "hot_cold", "emerging": "emerging_category", "clusters": "moran_cluster"}
    # A region without data, or without a neighbour with data, has no category of any kind.
    apart = hot["hot_cold"].isin([NO_DATA, NO_NEIGHBOUR])
    value = hot[column[measure]].where(~apart, hot["hot_cold"])
    tooltips = [_hotspot_tooltip(row, words, map_words) for row in hot.itertuples(index=False)]
    return pd.DataFrame(
        {
            "region_code": hot["region_code"],
            "value": value,
            "tooltip": tooltips,
            "no_data": (hot["hot_cold"] == NO_DATA).to_numpy(),
        }
    )


def _hotspot_tooltip(row, words: NoDataWords, said: MapWords) -> str:
    title = f"{said.region(row.region_code, row.name)} ({row.region_code})"
    if row.hot_cold == NO_DATA:
        return tooltip_html(title, [(words.legend, getattr(row, "note", "") or words.legend)])
    rows = [(said.per_100k_smoothed.format(n=said.number(100_000)), _rate(said, row.value))]
    if row.hot_cold == NO_NEIGHBOUR:
        return tooltip_html(title, [*rows, ("", getattr(row, "note", "") or row.hot_cold)])
    return tooltip_html(
        title,
        [
            *rows,
            (said.gi_z, _shown(said, row.gi_z, 2, sign=True)),
            (said.p_fdr, _shown(said, row.p_fdr, 3)),
            (
                said.hot_or_cold.format(alpha=said.number(HOTSPOT_ALPHA, 2)),
                said.category("hotspot", row.hot_cold),
            ),
            (said.emerging_pattern, said.category("emerging", row.emerging_category)),
            (said.local_moran, said.category("clusters", row.moran_cluster)),
        ],
    )


def _shown(said: MapWords, value: float, decimals: int, sign: bool = False) -> str:
    return "–" if value is None or value != value else said.number(value, decimals, sign)


def _rate(said: MapWords, value: float) -> str:
    """A rate with one decimal, or two significant digits when it is below 0.05: a region
    with a few incidents among millions must not read "0.0", which says none."""
    if value and value == value and abs(value) < 0.05:
        return said.number(value, 1 - math.floor(math.log10(abs(value))))
    return _shown(said, value, 1)
