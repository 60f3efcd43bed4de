"""What each demo source sends: the synthetic incidents cut into the batches a store
receives, each with the coverage it declares.

:func:`generate_incidents` makes what "happened" (every region, crime type and month);
real countries report it on their own schedules, so the demo store does not hold all of
it. The shapes, chosen away from the planted signals (:mod:`data_loaders.demo.signals`:
UA/MD firearms, PL/LT migrant smuggling, RO document fraud, LT vehicle crime) so those
stay findable:

- **Daily rows by region** for every other country, one batch that declares what it
  reports in full (country × crime type, admin-1, day, January 2021 – October 2026): a
  month without a row there is a zero, not a gap.
- **Hungary** sends monthly tables by region for every crime type, zeros included, in
  its own batch (``demo-hu-monthly (synthetic)``); no daily rows.
- **Georgia** sends quarterly national figures for human trafficking, organised crime,
  terrorism and CBRNE (Q1 2021 – Q3 2026; October 2026's quarter is not over) and no
  regional rows for them.
- **Latvia** stops reporting from April to September 2025: no rows, no declared coverage.
- **Estonia** never reports cybercrime.
- **A revision**: a later batch re-sends Hungary's June 2026 tables with late
  registrations added, loaded with ``replace=True`` (the first figures are superseded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from data_loaders.demo.settings import DEMO_END, DEMO_START, DemoSettings, rng
from threatmon.coverage.declared import DeclaredCoverage
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import load_regions

MONTHLY_COUNTRY = "HU"
QUARTERLY_COUNTRY = "GE"
QUARTERLY_TYPES: tuple[str, ...] = (
    "human_trafficking",
    "organised_crime",
    "terrorism",
    "cbrne",
)
#: The last day the quarterly figures reach: the last quarter that ended in the history.
QUARTERLY_END = date(2026, 9, 30)
SILENT_COUNTRY = "LV"
SILENT_FROM = date(2025, 4, 1)
SILENT_TO = date(2025, 9, 30)
#: (country, crime type) pairs a country never reports.
NEVER_REPORTED: tuple[tuple[str, str], ...] = (("EE", "cybercrime"),)
REVISED_MONTH = date(2026, 6, 1)
#: Late registrations a revision adds: Poisson with this share of the first figure.
_LATE_SHARE = 0.12

MONTHLY_SOURCE = "DEMO Hungarian police monthly tables"
REVISED_SOURCE = "DEMO Hungarian police monthly tables (revised)"
QUARTERLY_SOURCE = "DEMO Georgian quarterly national statistics"


@dataclass(frozen=True)
class DemoBatch:
    """One file of the demo as a store receives it.

    ``kind`` names it in the batch's sha256; ``covers`` is what it declares it reports in
    full; ``replace`` loads it over the figures it revises.
    """

    kind: str
    file_name: str
    frame: pd.DataFrame
    covers: tuple[DeclaredCoverage, ...] = ()
    replace: bool = False


def _daily_covers(countries: list[str]) -> tuple[DeclaredCoverage, ...]:
    """What the daily batch reports in full: every country it holds, every crime type it
    sends, the whole history except the silent months."""
    spans = {
        SILENT_COUNTRY: [
            (DEMO_START, SILENT_FROM - timedelta(days=1)),
            (SILENT_TO + timedelta(days=1), DEMO_END),
        ]
    }
    covers = []
    for country in countries:
        for crime_type in CRIME_TYPE_KEYS:
            if (country, crime_type) in NEVER_REPORTED:
                continue
            if country == QUARTERLY_COUNTRY and crime_type in QUARTERLY_TYPES:
                continue
            for first, last in spans.get(country, [(DEMO_START, DEMO_END)]):
                covers.append(DeclaredCoverage(country, crime_type, "admin1", "day", first, last))
    return tuple(covers)


def _monthly_tables(incidents: pd.DataFrame) -> pd.DataFrame:
    """Hungary's monthly counts by region and crime type, zeros included."""
    rows = incidents[incidents["country"] == MONTHLY_COUNTRY]
    regions = load_regions()
    codes = regions.loc[regions["country"] == MONTHLY_COUNTRY, "region_code"].tolist()
    months = pd.date_range(pd.Timestamp(DEMO_START), pd.Timestamp(DEMO_END), freq="MS")
    grid = pd.MultiIndex.from_product(
        [months, codes, CRIME_TYPE_KEYS], names=["date", "region_code", "crime_type"]
    )
    month = rows["date"].dt.to_period("M").dt.to_timestamp()
    counts = (
        rows["count"]
        .groupby([month.rename("date"), rows["region_code"], rows["crime_type"]])
        .sum()
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    counts["date"] = counts["date"].astype("datetime64[us]")
    counts["period_end"] = (counts["date"] + pd.offsets.MonthEnd(0)).astype("datetime64[us]")
    counts["country"] = MONTHLY_COUNTRY
    counts["source"] = MONTHLY_SOURCE
    columns = ["date", "period_end", "country", "region_code", "crime_type", "count", "source"]
    return counts[columns].astype({"region_code": "str", "crime_type": "str"})


def _revision(settings: DemoSettings, tables: pd.DataFrame) -> pd.DataFrame:
    """The revised month: every figure of it re-sent, with late registrations added."""
    month = tables[tables["date"] == pd.Timestamp(REVISED_MONTH)].reset_index(drop=True)
    late = rng(settings, "revision").poisson(_LATE_SHARE * month["count"].to_numpy())
    return month.assign(count=month["count"] + late, source=REVISED_SOURCE)


def _quarterly(incidents: pd.DataFrame) -> pd.DataFrame:
    """Georgia's national quarterly figures for :data:`QUARTERLY_TYPES`, zeros included."""
    chosen = (incidents["country"] == QUARTERLY_COUNTRY) & incidents["crime_type"].isin(
        QUARTERLY_TYPES
    )
    rows = incidents[chosen & (incidents["date"] <= pd.Timestamp(QUARTERLY_END))]
    quarters = pd.date_range(pd.Timestamp(DEMO_START), pd.Timestamp(QUARTERLY_END), freq="QS")
    grid = pd.MultiIndex.from_product([quarters, QUARTERLY_TYPES], names=["date", "crime_type"])
    quarter = rows["date"].dt.to_period("Q").dt.to_timestamp()
    counts = (
        rows["count"]
        .groupby([quarter.rename("date"), rows["crime_type"]])
        .sum()
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    counts["date"] = counts["date"].astype("datetime64[us]")
    counts["period_end"] = (counts["date"] + pd.offsets.QuarterEnd(0)).astype("datetime64[us]")
    counts["country"] = QUARTERLY_COUNTRY
    counts["source"] = QUARTERLY_SOURCE
    columns = ["date", "period_end", "country", "crime_type", "count", "source"]
    return counts[columns].astype({"crime_type": "str"})


def _daily(incidents: pd.DataFrame) -> pd.DataFrame:
    """The daily rows the daily batch holds: all but what other sources send or nobody does."""
    country, crime_type, day = incidents["country"], incidents["crime_type"], incidents["date"]
    drop = country.eq(MONTHLY_COUNTRY)
    drop |= country.eq(QUARTERLY_COUNTRY) & crime_type.isin(QUARTERLY_TYPES)
    drop |= country.eq(SILENT_COUNTRY) & day.between(
        pd.Timestamp(SILENT_FROM), pd.Timestamp(SILENT_TO)
    )
    for never_country, never_type in NEVER_REPORTED:
        drop |= country.eq(never_country) & crime_type.eq(never_type)
    return incidents[~drop].reset_index(drop=True)


def reported_batches(settings: DemoSettings, incidents: pd.DataFrame) -> list[DemoBatch]:
    """The incident batches of the demo, in load order, from the synthetic incidents.

    Parameters
    ----------
    settings : DemoSettings
        The seed of the revision's late registrations.
    incidents : DataFrame
        :func:`data_loaders.demo.generate_incidents`' result (what happened).

    Returns
    -------
    list of DemoBatch
        The daily rows (with their declared coverage), Hungary's monthly tables,
        Georgia's quarterly national figures and the revision of one Hungarian month
        (``replace=True``). The rows the store keeps active are the first three minus
        the revised month's first figures, plus the revision.
    """
    daily = _daily(incidents)
    tables = _monthly_tables(incidents)
    countries = [c for c in dict.fromkeys(load_regions()["country"]) if c != MONTHLY_COUNTRY]
    return [
        DemoBatch("incidents", "demo-incidents (synthetic)", daily, _daily_covers(countries)),
        DemoBatch("hu-monthly", "demo-hu-monthly (synthetic)", tables),
        DemoBatch("ge-quarterly", "demo-ge-quarterly (synthetic)", _quarterly(incidents)),
        DemoBatch(
            "hu-monthly-revision",
            f"demo-hu-monthly-revised-{REVISED_MONTH:%Y-%m} (synthetic)",
            _revision(settings, tables),
            replace=True,
        ),
    ]


def active_totals(batches: list[DemoBatch]) -> tuple[int, int]:
    """Rows and incidents (sum of ``count``) the store keeps active after loading
    ``batches``: a replacing batch's rows stand in for the rows of the months it re-sends."""
    rows = incidents = 0
    for batch in batches:
        rows += len(batch.frame)
        incidents += int(batch.frame["count"].sum())
        if batch.replace:
            for earlier in batches:
                if earlier is batch or earlier.replace:
                    continue
                frame = earlier.frame
                if frame.empty or "period_end" not in frame:
                    continue
                same = frame["country"].isin(batch.frame["country"]) & frame["date"].isin(
                    batch.frame["date"]
                )
                rows -= int(same.sum())
                incidents -= int(frame.loc[same, "count"].sum())
    return rows, incidents
