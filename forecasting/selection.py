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

No data is not zero: a period the selection's countries did not report is missing (NaN)
in the incident series, never 0 (:func:`covered_periods`). Flows are not incidents and
keep their own convention (a month without a flow row is no recorded arrival).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.wording import Count, Country, Worded, note
from threatmon.coverage import REPORTED, coverage_grid
from threatmon.errors import EmptyStoreError
from threatmon.filters import Filters
from threatmon.periods import PERIOD, last_complete_months, latest_reported_day
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import load_regions
from threatmon.store import Store


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


#: Period start of each frequency, as pandas names it.
FREQUENCIES: dict[str, str] = {"M": "MS", "W": "W-MON"}


def period_window(store: Store, freq: str) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """First and last complete period (their starts) and the last day of the last one."""
    if freq not in FREQUENCIES:
        raise ValueError(f"`freq` must be one of {', '.join(FREQUENCIES)}. Got {freq!r}.")
    coverage = store.coverage()
    if coverage["last"] is None:
        raise EmptyStoreError(
            f"The store at {store.location} holds no incidents.", path=str(store.location)
        )
    # Daily and monthly coverage decide the last period: a yearly figure does not make
    # December a period of data (its months are gaps either way).
    reached = latest_reported_day(store.coverage_cells()) or coverage["last"]
    first_day, last_day = pd.Timestamp(coverage["first"]), pd.Timestamp(reached)
    if freq == "M":
        first = first_day.to_period("M").start_time
        if first_day.day != 1:
            first = (first_day.to_period("M") + 1).start_time
        _, end = last_complete_months(reached, 1)
        last = pd.Timestamp(end).to_period("M").start_time
        return first, last, pd.Timestamp(end)
    # Weeks run Monday to Sunday, as DuckDB's date_trunc('week') counts them.
    first = first_day + pd.Timedelta(days=(7 - first_day.weekday()) % 7)
    end = last_day - pd.Timedelta(days=(last_day.weekday() + 1) % 7)
    return first, end - pd.Timedelta(days=6), end


def incident_series(store: Store, selection: Selection, freq: str = "M") -> pd.Series:
    """Incidents of ``selection`` per month (or week) over the store's complete periods:
    NaN where the selection's figures do not cover the period (:func:`covered_periods`),
    0 where they do and hold no incident."""
    first, last, end = period_window(store, freq)
    filters = Filters(
        countries=(selection.country,) if selection.country else (),
        regions=(selection.region,) if selection.region else (),
        crime_types=selection.crime_types,
        start=first.date(),
        end=end.date(),
    )
    counts = store.aggregate(filters, by=(), freq=freq)
    dense = _dense(counts, first, last, freq, "count", "incidents")
    covered = covered_periods(store.coverage_cells(filters), selection, freq, dense.index, end)
    return dense.where(covered)


def covered_periods(
    cells: pd.DataFrame, selection: Selection, freq: str, index: pd.DatetimeIndex, end
) -> np.ndarray:
    """Which periods of ``index`` (month or week starts up to the day ``end``) the
    selection's figures cover.

    A region is covered where its country's regional (admin-1) figures are; a country
    where it reported at any level (a national figure covers its total); the whole area
    per crime type over the countries that reported it. A series summed over several
    countries or crime types counts every country × crime type that reported anything in
    the window, so a period is covered only when each of them reported it: a sum over a
    changing set would show a country falling silent as a drop.

    Parameters
    ----------
    cells : DataFrame
        :meth:`threatmon.store.reader.Store.coverage_cells`.
    selection : Selection
    freq : {"M", "W"}
    index : DatetimeIndex
        The series' periods (month starts, or Mondays).
    end : date-like
        The last day of the last period.

    Returns
    -------
    ndarray of bool
        One per period of ``index``.
    """
    if not len(index):
        return np.zeros(0, dtype=bool)
    if selection.region:
        countries = [load_regions().set_index("region_code")["country"].get(selection.region)]
    elif selection.country:
        countries = [selection.country]
    else:
        countries = sorted(cells["country"].unique())
    crime_types = list(selection.crime_types) or list(CRIME_TYPE_KEYS)
    if not countries or cells.empty:
        return np.zeros(len(index), dtype=bool)
    grid = coverage_grid(
        cells,
        freq,
        index[0],
        end,
        level="admin1" if selection.region else None,
        countries=countries,
        crime_types=crime_types,
    )
    reported = grid["coverage"] == REPORTED
    pairs = grid.assign(hit=reported).groupby(["country", "crime_type"])["covered"].transform("sum")
    active = grid[pairs > 0]
    if active.empty:
        return np.zeros(len(index), dtype=bool)
    every = active.assign(hit=reported[pairs > 0]).groupby(PERIOD)["hit"].all()
    return every.reindex(index, fill_value=False).to_numpy(dtype=bool)


def flow_series(
    store: Store, selection: Selection, freq: str = "M"
) -> tuple[pd.Series | None, str]:
    """Arrivals per month (or week) that match ``selection``, and a sentence naming them
    (a :class:`~forecasting.wording.Worded` text: English, with its note for the pages)."""
    first, last, end = period_window(store, freq)
    window = Filters(start=first.date(), end=end.date())
    receiving = set(store.flows(window, by=("country",), freq=None)["country"])
    country = selection.country
    if selection.region:
        crossings = load_crossing_points()
        mine = crossings[
            (crossings["region_a"] == selection.region)
            | (crossings["region_b"] == selection.region)
        ]["crossing_point_id"].tolist()
        by_point = store.flows(window, by=("crossing_point",), freq=freq)
        chosen = by_point[by_point["crossing_point"].isin(mine)]
        if not chosen.empty:
            summed = chosen.groupby("period", as_index=False)["arrivals"].sum()
            noun = "crossing point" if len(mine) == 1 else "crossing points"
            return _dense(summed, first, last, freq, "arrivals", "arrivals"), Worded(
                f"arrivals from Ukraine through the {len(mine)} {noun} of {selection.region}",
                note(
                    "flows_points",
                    count=Count(len(mine), "crossing_points"),
                    region=selection.region,
                ),
            )
        regions = load_regions().set_index("region_code")["country"]
        country = regions.get(selection.region)
    if country in receiving:
        summed = store.flows(window.replace(countries=(country,)), by=(), freq=freq)
        return _dense(summed, first, last, freq, "arrivals", "arrivals"), Worded(
            f"arrivals from Ukraine into {country}", note("flows_country", country=Country(country))
        )
    if country in (None, "UA"):
        summed = store.flows(window, by=(), freq=freq)
        return _dense(summed, first, last, freq, "arrivals", "arrivals"), Worded(
            "all arrivals from Ukraine", note("flows_all")
        )
    return None, Worded(
        f"no migration flows are recorded for {country}",
        note("flows_none", country=Country(country)),
    )


def _dense(
    frame: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp, freq: str, value: str, name: str
) -> pd.Series:
    """``value`` per period from ``first`` to ``last`` (period starts), 0 where absent."""
    index = pd.date_range(first, last, freq=FREQUENCIES[freq], name="period")
    totals = frame.assign(period=pd.to_datetime(frame["period"])).groupby("period")[value].sum()
    return totals.reindex(index, fill_value=0).astype("float64").rename(name)
