"""The briefing's key figures, compared only where both periods were reported.

No data is not zero: a country that sent nothing for a crime type in one of the compared
periods would read as a fall to 0 (or a rise from 0). The key figures therefore add up
only the country × crime type series reported in every month of the selected period and
of both comparison periods (:mod:`threatmon.coverage`), and one plain sentence names
what was left out. The charts still show every series, with a gap (never a 0) where a
month was not reported (:func:`chart_gaps`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from reports.words import ENGLISH, Words
from threatmon.coverage import REPORTED, coverage_grid
from threatmon.filters import Filters, comparison_windows
from threatmon.periods import PERIOD, month_starts
from threatmon.registry.regions import PROJECT_COUNTRIES
from threatmon.rules import LOW_COUNT_THRESHOLD
from trends.overview import kpi_comparison, top_movers

KEYS = ("country", "crime_type")


def _delta(change: int, pct: float, words: Words) -> str:
    if change == 0:
        return words.t("briefing.kpi.no_change")
    if pd.isna(pct):
        return words.t("briefing.kpi.from_zero", change=words.number(change, sign=True))
    return words.t(
        "briefing.kpi.delta",
        pct=words.percent(pct, 1, sign=True),
        change=words.number(change, sign=True),
    )


def kpi_rows(
    summary: Mapping[str, pd.DataFrame] | None, spans, words: Words = ENGLISH
) -> list[tuple[str, str, str]]:
    """``(label, value, change)`` of the total and the top movers of an overview summary;
    None (no series reported throughout) gives one "no data" row, never a total of 0."""
    total_label = words.t("briefing.kpi.total")
    if summary is None:
        return [(total_label, words.t("briefing.no_data"), words.t("briefing.kpi.nothing"))]
    previous, year = words.span(*spans["previous"]), words.span(*spans["year_earlier"])
    same = spans["previous"] == spans["year_earlier"]

    def change(row) -> str:
        delta = _delta(int(row["change_previous"]), row["pct_previous"], words)
        text = words.t("briefing.kpi.versus", delta=delta, span=previous)
        if same:  # a 12-month period: the previous period is the year before
            return text
        delta = _delta(int(row["change_year"]), row["pct_year"], words)
        return words.t(
            "briefing.kpi.and",
            first=text,
            second=words.t("briefing.kpi.versus", delta=delta, span=year),
        )

    total = summary["total"].iloc[0]
    rows = [(total_label, words.number(int(total["current"])), change(total))]
    for _, mover in summary["movers"].iterrows():
        rows.append((str(mover["crime"]), words.number(int(mover["current"])), change(mover)))
    return rows


def _comparison_grid(
    cells: pd.DataFrame, filters: Filters, countries: Sequence[str], crime_types: Sequence[str]
) -> pd.DataFrame:
    """Monthly coverage over the three windows of ``filters`` (regional figures for a
    regional selection)."""
    first = min(start for start, _ in comparison_windows(filters).values())
    return coverage_grid(
        cells,
        "M",
        first,
        filters.end,
        level="admin1" if filters.regions else None,
        countries=countries,
        crime_types=crime_types,
    )


def compared_series(
    cells: pd.DataFrame,
    filters: Filters,
    countries: Sequence[str],
    crime_types: Sequence[str],
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(compared, left out): the (country, crime_type) pairs reported in every month of
    the three windows of ``filters``, and the others (a regional selection needs
    regional figures)."""
    spans = comparison_windows(filters)
    grid = _comparison_grid(cells, filters, countries, crime_types)
    months = {m for window in spans.values() for m in month_starts(*window)}
    inside = grid[grid[PERIOD].isin(months)]
    full = inside.groupby(list(KEYS))["coverage"].agg(lambda states: (states == REPORTED).all())
    compared = {key for key, ok in full.items() if ok}
    return compared, {key for key in full.index if key not in compared}


def left_out_sentence(
    left_out: set[tuple[str, str]], crime_labels: Mapping[str, str], words: Words = ENGLISH
) -> str:
    """One plain sentence naming the series the key figures leave out, or "" for none."""
    if not left_out:
        return ""
    by_country: dict[str, list[str]] = {}
    for country, crime in left_out:
        by_country.setdefault(country, []).append(crime)
    # Countries missing the same crime types are named together, in registry order.
    groups: dict[str, list[str]] = {}
    for country in [c for c in PROJECT_COUNTRIES if c in by_country]:
        crimes = [label for key, label in crime_labels.items() if key in by_country[country]]
        every = len(crimes) == len(crime_labels)
        shown = words.t("briefing.kpi.every_crime_type") if every else ", ".join(crimes)
        groups.setdefault(shown, []).append(words.country(country))
    parts = [f"{words.join(names)} ({shown})" for shown, names in groups.items()]
    return words.t("briefing.kpi.left_out", parts="; ".join(parts))


def covered_summary(
    store,
    filters: Filters,
    regions: pd.DataFrame,
    crime_labels: Mapping[str, str],
    *,
    min_total: int = LOW_COUNT_THRESHOLD,
    words: Words = ENGLISH,
) -> tuple[dict[str, pd.DataFrame] | None, str]:
    """The key figures of the series reported throughout the three windows (None if there
    is none), and the sentence on what was left out (see the module docstring).

    The figures are the Overview's (:func:`trends.overview.kpi_comparison` and
    :func:`trends.overview.top_movers`, as :func:`trends.overview.overview_summary` calls
    them): ``total`` (one row) and ``movers`` (with the label ``crime``), from one query
    of the countries' monthly totals.
    """
    spans = comparison_windows(filters)
    first = min(start for start, _ in spans.values())
    span = filters.replace(start=first, end=filters.end)
    countries = list(filters.countries) or sorted(set(regions["country"]))
    crime_types = list(filters.crime_types) or list(crime_labels)
    compared, left_out = compared_series(
        store.coverage_cells(span), filters, countries, crime_types
    )
    if not compared:
        return None, left_out_sentence(left_out, crime_labels, words)
    # A selection of regions is counted from their regional figures only.
    by = ("country", "region_code", "crime_type") if filters.regions else KEYS
    totals = store.aggregate(span, by=by, freq="M")
    pairs = pd.Series(list(zip(totals["country"], totals["crime_type"], strict=True)))
    kept = totals[pairs.isin(compared).to_numpy()]
    windows = (spans["current"], spans["previous"], spans["year_earlier"])
    by_crime = kpi_comparison(kept, *windows, ["crime_type"])
    movers = top_movers(by_crime, 3, min_total=min_total)
    movers.insert(1, "crime", movers["crime_type"].map(dict(crime_labels)))
    summary = {"total": kpi_comparison(kept, *windows), "movers": movers}
    return summary, left_out_sentence(left_out, crime_labels, words)


def chart_gaps(
    summary: Mapping[str, pd.DataFrame],
    cells: pd.DataFrame,
    filters: Filters,
    countries: Sequence[str],
    crime_types: Sequence[str],
) -> dict[str, pd.DataFrame]:
    """``summary`` with its ``trend`` (by crime type) and ``countries`` (by country) counts
    and rates missing where no country, or the country, reported the month at all; a
    month some of it was reported for keeps what was. Not modified."""
    grid = _comparison_grid(cells, filters, countries, crime_types)
    out = dict(summary)
    for name, key in (("trend", "crime_type"), ("countries", "country")):
        frame = summary[name]
        if frame.empty:
            continue
        states = grid.groupby([key, PERIOD])["covered"].sum().rename("covered").reset_index()
        marked = frame[[key, PERIOD]].merge(states, on=[key, PERIOD], how="left")
        silent = marked["covered"].fillna(0).eq(0).to_numpy()
        values = [c for c in ("count", "rate") if c in frame.columns]
        out[name] = frame.assign(**{c: frame[c].astype("float64").mask(silent) for c in values})
    return out
