"""Which regions of a selection have figures to map and test: no data is not zero.

A region is *covered* for a selection when its country reported regional (admin-1)
figures for every selected crime type in every period of the selection
(:func:`threatmon.coverage.coverage_grid` with ``level="admin1"``). Only then does a
missing row mean no incident. Every other region is "no data": drawn apart on the
map (never in the lowest class), left out of class breaks, of the empirical Bayes
pool and of Gi*, Local Moran and the emerging analysis, with a note that says why:
its country sent only national figures, or reported a crime type for some of the
periods only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from threatmon.coverage import coverage_grid
from threatmon.i18n import plural, translate
from threatmon.registry.crime_types import crime_type_label
from threatmon.registry.regions import country_name

#: The category of a covered region none of whose neighbours is covered: nothing to
#: compare it with, so no Gi* or Local Moran class.
NO_NEIGHBOUR = "no neighbour"
COVERAGE_COLUMNS = ("region_code", "country", "covered", "note")
#: How many incomplete crime types a note names before "and N more".
_NAMED = 3


def _more_crime_types(count: int) -> str:
    return translate("map.no_data.more", "en", count=count)


#: The catalogues' ``plural.<unit>`` of the periods a partly reporting country covered,
#: in the form they take after "of" ("24 de luni", the genitive "з 21 місяця").
PERIOD_UNITS: dict[str, str] = {"M": "of_months", "W": "of_weeks"}


def _months(count: int) -> str:
    return plural(PERIOD_UNITS["M"], count)


def _weeks(count: int) -> str:
    return plural(PERIOD_UNITS["W"], count)


@dataclass(frozen=True)
class NoDataWords:
    """The words of the no-data legend entry and notes; English unless a page passes its
    translations (placeholders: ``country``, ``crime``, ``covered``, ``units``).
    ``more`` writes "and 2 more crime types" for a count, ``months`` and ``weeks`` the
    ``units`` ("24 months"): their nouns depend on the count."""

    legend: str = "No data"
    national: str = "{country} sent only national figures for this selection"
    nothing: str = "{country} reported nothing by region for this selection"
    partly: str = "{country} reported {crime} by region for {covered} of {units}"
    months: Callable[[int], str] = _months
    weeks: Callable[[int], str] = _weeks
    more: Callable[[int], str] = _more_crime_types
    no_neighbour: str = "No neighbouring region has data: no hot or cold spot class"
    no_population: str = "No population figure: no rate"
    country: Callable[[str], str] = country_name
    crime: Callable[[str], str] = crime_type_label


ENGLISH = NoDataWords()


def region_coverage(
    cells: pd.DataFrame,
    registry: pd.DataFrame,
    codes: Sequence[str],
    *,
    start,
    end,
    freq: str | None,
    crime_types: Sequence[str] = (),
    words: NoDataWords = ENGLISH,
) -> pd.DataFrame:
    """Whether each region of ``codes`` is covered for the selection, and why not.

    Parameters
    ----------
    cells : DataFrame
        :meth:`threatmon.store.reader.Store.coverage_cells` of the selection.
    registry : DataFrame
        ``region_code`` and ``country`` of every region.
    codes : sequence of str
        The selection's regions.
    start, end : date-like
        The selection's first and last day.
    freq : {"W", "M", "Q"} or None
        The periods that must all be covered (None: the whole span, as a map sums it;
        counted in months either way, in weeks for ``"W"``).
    crime_types : sequence of str
        The selected crime types; empty: every crime type any selected country reported
        in the span (a type nobody reported is in no figure).
    words : NoDataWords

    Returns
    -------
    DataFrame
        :data:`COVERAGE_COLUMNS`, one row per region in the order of ``codes``;
        ``note`` is empty for a covered region.
    """
    frame = pd.DataFrame({"region_code": list(codes)})
    frame["country"] = frame["region_code"].map(registry.set_index("region_code")["country"])
    countries = sorted(frame["country"].dropna().unique())
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    inside = cells[
        cells["country"].isin(countries) & (cells["end"] >= first) & (cells["start"] <= last)
    ]
    types = list(crime_types) or sorted(inside["crime_type"].unique())
    inside = inside[inside["crime_type"].isin(types)]
    totals = None
    if types and countries:
        # One grid for every country (not one per country: ten times the work, half of
        # a map's first draw).
        regional = coverage_grid(
            inside, freq, first, last, level="admin1", countries=countries, crime_types=types
        )
        totals = regional.groupby(["country", "crime_type"], sort=False)[["units", "covered"]].sum()
    notes = {
        country: _note(
            inside, country, None if totals is None else totals.loc[country], freq, words
        )
        for country in countries
    }
    frame["note"] = frame["country"].map(notes).fillna("")
    frame["covered"] = frame["country"].notna() & (frame["note"] == "")
    return frame[list(COVERAGE_COLUMNS)]


def _note(cells, country, totals: pd.DataFrame | None, freq, words: NoDataWords) -> str:
    """Why ``country``'s regions are not covered; empty when they are.

    ``totals``: the country's ``units`` and ``covered`` by crime type from the regional
    coverage grid; None when no crime type is selected or reported.
    """
    name = words.country(country)
    if totals is None:
        return words.nothing.format(country=name)
    missing = totals[totals["covered"] < totals["units"]]
    if missing.empty:
        return ""
    if totals["covered"].sum() == 0:
        national = cells[(cells["country"] == country) & (cells["level"] == "national")]
        if not national.empty:
            return words.national.format(country=name)
        return words.nothing.format(country=name)
    units = words.weeks if freq == "W" else words.months
    parts = [
        words.partly.format(
            country=name,
            crime=words.crime(crime),
            covered=int(row.covered),
            units=units(int(row.units)),
        )
        for crime, row in missing.head(_NAMED).iterrows()
    ]
    if len(missing) > _NAMED:
        parts.append(words.more(len(missing) - _NAMED))
    return "; ".join(parts)


def both_periods(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Coverage for a change between two periods: covered only where both are.

    The note of the current period comes first; a region covered now but not before
    gets the previous period's.
    """
    merged = current.merge(
        previous[["region_code", "covered", "note"]], on="region_code", suffixes=("", "_before")
    )
    merged["note"] = merged["note"].where(merged["note"] != "", merged["note_before"])
    merged["covered"] = merged["covered"] & merged["covered_before"]
    return merged[list(COVERAGE_COLUMNS)]
