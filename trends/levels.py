"""Figures at the level and granularity a view cannot show, summarised for a sentence.

A country may report national figures only (a statistics release), or yearly ones
(a prosecutor's annual form). A monthly view never spreads a year over its months and
a map never spreads a national figure over regions; these functions say instead what
the view leaves out, so the page can name it.
"""

from __future__ import annotations

import pandas as pd

from threatmon.granularity import GRANULARITIES

#: The columns of :func:`coarser_figures`.
COARSER_COLUMNS: tuple[str, ...] = ("country", "granularity", "crime_types", "rows", "count")
#: The columns of :func:`not_allocated`.
NOT_ALLOCATED_COLUMNS: tuple[str, ...] = ("country", "total", "regions", "not_allocated")


def coarser_figures(unshown: pd.DataFrame) -> pd.DataFrame:
    """One row per country and granularity of the figures a view cannot show.

    Parameters
    ----------
    unshown : DataFrame
        ``country``, ``crime_type``, ``granularity``, ``rows``, ``count`` (as
        ``Store.unshown`` returns them; other columns are ignored).

    Returns
    -------
    DataFrame
        ``country``, ``granularity``, ``crime_types`` (a sorted tuple of keys), ``rows``
        and ``count`` (int64), by country and then from the finest granularity to the
        coarsest.
    """
    if unshown.empty:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in COARSER_COLUMNS})
    grouped = unshown.groupby(["country", "granularity"], sort=False)
    out = grouped.agg(
        crime_types=("crime_type", lambda keys: tuple(sorted(set(keys)))),
        rows=("rows", "sum"),
        count=("count", "sum"),
    ).reset_index()
    out["rows"] = out["rows"].astype("int64")
    out["count"] = out["count"].astype("int64")
    order = out["granularity"].map({g: i for i, g in enumerate(GRANULARITIES)})
    out = out.assign(_order=order).sort_values(["country", "_order"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)[list(COARSER_COLUMNS)]


def not_allocated(country_totals: pd.DataFrame, region_totals: pd.DataFrame) -> pd.DataFrame:
    """Per country, how much of its total no region's figure holds.

    Parameters
    ----------
    country_totals : DataFrame
        ``country``, ``count``: the countries' totals, a national figure counting
        instead of its regions (``Store.aggregate(by=("country",), freq=None)``).
    region_totals : DataFrame
        ``region_code``, ``count``: the regional figures of the same selection; a
        region's country is the first two letters of its ISO 3166-2 code.

    Returns
    -------
    DataFrame
        ``country``, ``total``, ``regions`` and ``not_allocated`` (int64) for the
        countries whose total is not fully allocated to regions, by country. A negative
        ``not_allocated`` means the regions add up to more than the national figure.
    """
    totals = country_totals.groupby("country")["count"].sum()
    regional = (
        region_totals.assign(country=region_totals["region_code"].str[:2])
        .groupby("country")["count"]
        .sum()
    )
    out = pd.DataFrame({"total": totals}).join(pd.DataFrame({"regions": regional}), how="left")
    out = out.fillna({"regions": 0}).astype("int64")
    out["not_allocated"] = out["total"] - out["regions"]
    out = out[out["not_allocated"] != 0].reset_index()
    return out.rename(columns={"index": "country"})[list(NOT_ALLOCATED_COLUMNS)]
