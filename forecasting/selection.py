"""Monthly series from the store: incidents of a selection and the migration flows that match it.

A selection is the whole area, one country or one region, for one crime type or all.
Months are complete months only (a month still being filled would look like a
collapse). The matching flow series is what a forecast may use as a regressor:

* a region: arrivals through the crossing points on its border (``region_a`` or
  ``region_b`` in the crossing-point registry); a region without a crossing gets its
  country's series;
* a receiving country (Moldova, Poland, Hungary, Romania, Slovakia): its arrivals
  from Ukraine;
* Ukraine or the whole area: all arrivals from Ukraine;
* a country that records no flows (the Baltic states, Georgia): none.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_loaders.crossing_points import load_crossing_points
from data_loaders.filters import Filters
from data_loaders.regions import load_regions
from data_loaders.store import Store
from forecasting.trends import complete_months, last_complete_months


@dataclass(frozen=True)
class Selection:
    """What one series counts: an area (all, a country or a region) and crime types."""

    country: str | None = None
    region: str | None = None
    crime_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.country and self.region:
            raise ValueError("Give a country or a region, not both.")

    @property
    def label(self) -> str:
        """The area as the CLI and the page name it."""
        return self.region or self.country or "all countries"


def _months(store: Store) -> tuple[pd.Timestamp, pd.Timestamp]:
    coverage = store.coverage()
    if coverage["last"] is None:
        raise ValueError(f"The store at {store.path} holds no incidents.")
    first = pd.Timestamp(coverage["first"]).to_period("M").start_time
    if pd.Timestamp(coverage["first"]).day != 1:
        first = (pd.Timestamp(coverage["first"]).to_period("M") + 1).start_time
    _, end = last_complete_months(coverage["last"], 1)
    return first, pd.Timestamp(end).to_period("M").start_time


def incident_series(store: Store, selection: Selection) -> pd.Series:
    """Monthly incidents of ``selection`` over the store's complete months (0 where none)."""
    first, last = _months(store)
    filters = Filters(
        countries=(selection.country,) if selection.country else (),
        regions=(selection.region,) if selection.region else (),
        crime_types=selection.crime_types,
        start=first.date(),
        end=(last + pd.offsets.MonthEnd(0)).date(),
    )
    monthly = store.aggregate(filters, by=(), freq="M")
    dense = complete_months(monthly, first, last)
    return pd.Series(
        dense["count"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(dense["period"], freq="MS", name="period"),
        name="incidents",
    )


def flow_series(store: Store, selection: Selection) -> tuple[pd.Series | None, str]:
    """Monthly arrivals that match ``selection``, and a sentence saying which they are."""
    first, last = _months(store)
    window = Filters(start=first.date(), end=(last + pd.offsets.MonthEnd(0)).date())
    receiving = set(store.flows(window, by=("country",), freq=None)["country"])
    country = selection.country
    if selection.region:
        crossings = load_crossing_points()
        mine = crossings[
            (crossings["region_a"] == selection.region)
            | (crossings["region_b"] == selection.region)
        ]["crossing_point_id"].tolist()
        by_point = store.flows(window, by=("crossing_point",), freq="M")
        chosen = by_point[by_point["crossing_point"].isin(mine)]
        if not chosen.empty:
            monthly = chosen.groupby("period", as_index=False)["arrivals"].sum()
            noun = "crossing point" if len(mine) == 1 else "crossing points"
            return _dense(monthly, first, last), (
                f"arrivals from Ukraine through the {len(mine)} {noun} of {selection.region}"
            )
        regions = load_regions().set_index("region_code")["country"]
        country = regions.get(selection.region)
    if country in receiving:
        monthly = store.flows(window.replace(countries=(country,)), by=(), freq="M")
        return _dense(monthly, first, last), f"arrivals from Ukraine into {country}"
    if country in (None, "UA"):
        monthly = store.flows(window, by=(), freq="M")
        return _dense(monthly, first, last), "all arrivals from Ukraine"
    return None, f"no migration flows are recorded for {country}"


def _dense(monthly: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    frame = monthly.rename(columns={"arrivals": "count"})[["period", "count"]]
    dense = complete_months(frame, first, last)
    return pd.Series(
        dense["count"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(dense["period"], freq="MS", name="period"),
        name="arrivals",
    )
