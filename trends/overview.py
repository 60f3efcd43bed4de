"""The overview's numbers: period totals, KPIs, top movers and the page's summary in one pass.

Every function takes DataFrames and returns new ones; no argument is ever modified.
The input is the long monthly aggregate the store returns (``period`` = first day of
the month, one column per key, ``count``), with only non-empty groups present. The
Overview page and the briefing both read :func:`store_overview`, so their key
figures agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from threatmon.coverage import NOT_REPORTED, coverage_grid, with_coverage
from threatmon.periods import PERIOD, VALUE, Window, month_starts
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends.changes import change_levels, percent_change
from trends.comparable import CELL, comparable, full_grid, left_out, window_covered
from trends.rates import rates_per_100k

# -- period totals and KPIs --------------------------------------------------------------------


def window_totals(
    monthly: pd.DataFrame, window: Window, keys: Sequence[str] = (), *, value: str = VALUE
) -> pd.DataFrame:
    """Sum ``value`` over the months of ``window`` (inclusive) by ``keys``.

    Returns one row per key combination present in the window, or a single row
    (possibly 0) when ``keys`` is empty.
    """
    keys = list(keys)
    months = month_starts(*window)
    inside = monthly[monthly[PERIOD].isin(months)]
    if not keys:
        return pd.DataFrame({value: [int(inside[value].sum())]})
    out = inside.groupby(keys, as_index=False)[value].sum()
    out[value] = out[value].astype("int64")
    return out


def compare_windows(
    monthly: pd.DataFrame,
    windows: Mapping[str, Window],
    keys: Sequence[str] = (),
    *,
    value: str = VALUE,
) -> pd.DataFrame:
    """Totals of several windows side by side: ``keys`` then one int column per window name.

    A key combination present in any window appears in every column (0 where absent).
    """
    keys = list(keys)
    parts = []
    for name, window in windows.items():
        totals = window_totals(monthly, window, keys, value=value).rename(columns={value: name})
        parts.append(totals.set_index(keys) if keys else totals)
    if not keys:
        return pd.concat(parts, axis=1)
    out = pd.concat(parts, axis=1).fillna(0).astype("int64").reset_index()
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def kpi_comparison(
    monthly: pd.DataFrame,
    current: Window,
    previous: Window,
    year_earlier: Window,
    keys: Sequence[str] = (),
    *,
    value: str = VALUE,
    grid: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The selected period against the previous comparable period and a year earlier.

    With a coverage ``grid``, each comparison only adds up the country × crime type
    cells reported in every month of both its windows: a cell with a gap on either side
    is left out of that comparison (never counted as 0), and a row without any
    comparable cell has no comparison (NaN).

    Parameters
    ----------
    monthly : DataFrame
        ``period``, ``keys``, ``value`` (and ``country``, ``crime_type`` with a grid),
        covering all three windows.
    current, previous, year_earlier : tuple of date-like
        Inclusive (start, end) of each window; only the months matter.
    keys : sequence of str
        Group columns; empty for one overall row.
    grid : DataFrame, optional
        The monthly coverage grid (:func:`threatmon.coverage.coverage_grid`, countries'
        totals) of the selection over the three windows. Default: everything covered.

    Returns
    -------
    DataFrame
        ``keys``; ``current`` (the selected period's incidents, NaN when none of its
        months was reported); ``previous`` and ``current_previous`` (both periods over
        the cells comparable between them), ``change_previous`` and ``pct_previous``;
        ``year_earlier``, ``current_year``, ``change_year`` and ``pct_year`` likewise.
        ``pct_*`` is NaN when the base is 0. Without a grid the counts are int64 and
        ``current_previous`` and ``current_year`` equal ``current``. Sorted by keys.
    """
    keys = list(keys)
    if grid is None:
        out = compare_windows(
            monthly,
            {"current": current, "previous": previous, "year_earlier": year_earlier},
            keys,
            value=value,
        )
        out["current_previous"] = out["current"]
        out["current_year"] = out["current"]
    else:
        out = _covered_comparison(monthly, grid, current, previous, year_earlier, keys, value)
    out["change_previous"] = out["current_previous"] - out["previous"]
    out["pct_previous"] = percent_change(out["current_previous"], out["previous"])
    out["change_year"] = out["current_year"] - out["year_earlier"]
    out["pct_year"] = percent_change(out["current_year"], out["year_earlier"])
    order = [
        *keys,
        "current",
        "previous",
        "year_earlier",
        "current_previous",
        "current_year",
        "change_previous",
        "pct_previous",
        "change_year",
        "pct_year",
    ]
    return out[order]


def _covered_comparison(
    monthly: pd.DataFrame,
    grid: pd.DataFrame,
    current: Window,
    previous: Window,
    year_earlier: Window,
    keys: list[str],
    value: str,
) -> pd.DataFrame:
    """The three windows' totals by ``keys``, each comparison over its comparable cells."""
    cells = grid[CELL].drop_duplicates().reset_index(drop=True)
    windows = {"current": current, "previous": previous, "year_earlier": year_earlier}
    for name, window in windows.items():
        totals = window_totals(monthly, window, CELL, value=value).rename(columns={value: name})
        cells = cells.merge(totals, on=CELL, how="left")
    # A reported month without a row is a zero; a month not reported is masked below.
    cells = cells.fillna({name: 0 for name in windows})
    months = grid[grid[PERIOD].isin(month_starts(*current))]
    any_current = months[months["coverage"] != NOT_REPORTED][CELL].drop_duplicates()
    seen = cells.merge(any_current.assign(_seen=True), on=CELL, how="left")["_seen"]
    vs_previous = comparable(grid, current, previous)["comparable"].to_numpy()
    vs_year = comparable(grid, current, year_earlier)["comparable"].to_numpy()
    masked = pd.DataFrame(
        {
            "current": cells["current"].where(seen.fillna(False).astype(bool).to_numpy()),
            "previous": cells["previous"].where(vs_previous),
            "current_previous": cells["current"].where(vs_previous),
            "year_earlier": cells["year_earlier"].where(vs_year),
            "current_year": cells["current"].where(vs_year),
        }
    ).astype("float64")
    columns = list(masked.columns)
    if not keys:
        return pd.DataFrame({c: [masked[c].sum(min_count=1)] for c in columns})
    masked[keys] = cells[keys]
    out = masked.groupby(keys, sort=True)[columns].sum(min_count=1).reset_index()
    return out


def top_movers(
    kpis: pd.DataFrame, n: int = 3, *, min_total: int = LOW_COUNT_THRESHOLD
) -> pd.DataFrame:
    """The ``n`` rows of a :func:`kpi_comparison` with the largest absolute change vs previous.

    Rows whose current plus previous count is below ``min_total`` are left out, so a
    move from 1 to 3 never displaces a real one, and so are rows without a comparison
    (no comparable cell). Ties keep the input order.
    """
    enough = kpis[(kpis["current_previous"] + kpis["previous"]) >= min_total]
    order = enough["change_previous"].abs().sort_values(ascending=False, kind="stable").index
    return enough.loc[order[:n]].reset_index(drop=True)


# -- the overview page's numbers in one pass ---------------------------------------------------


def label_changes(
    levels: pd.DataFrame,
    regions: pd.DataFrame,
    crime_labels: Mapping[str, str],
    country_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Add ``region``, ``country`` and ``crime`` display columns to a :func:`change_levels` frame.

    ``regions`` is the registry (``region_code``, ``country``, ``name_en``); ``country``
    holds the English name when ``country_names`` maps ISO2 codes to names, else the
    code. An unknown code or key is shown as itself.
    """
    names = dict(zip(regions["region_code"], regions["name_en"], strict=True))
    countries = dict(zip(regions["region_code"], regions["country"], strict=True))
    out = levels.copy()
    codes = out["region_code"]
    out.insert(0, "region", codes.map(names).fillna(codes))
    iso2 = codes.map(countries)
    shown = iso2.map(dict(country_names)).fillna(iso2) if country_names else iso2
    out.insert(1, "country", shown.fillna(""))
    crimes = out["crime_type"]
    out.insert(2, "crime", crimes.map(dict(crime_labels)).fillna(crimes))
    return out


def overview_summary(
    monthly: pd.DataFrame,
    current: Window,
    previous: Window,
    year_earlier: Window,
    regions: pd.DataFrame,
    crime_labels: Mapping[str, str],
    *,
    country_names: Mapping[str, str] | None = None,
    countries: Sequence[str] = (),
    selected_regions: Sequence[str] = (),
    crime_types: Sequence[str] = (),
    movers: int = 3,
    min_total: int = LOW_COUNT_THRESHOLD,
    alpha: float = CHANGE_ALPHA,
    totals: pd.DataFrame | None = None,
    grid: pd.DataFrame | None = None,
    region_grid: pd.DataFrame | None = None,
    reported_ever: set[tuple[str, str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Everything the overview page shows, from the monthly aggregates of the selection.

    No data is not zero: with a coverage ``grid``, a month a country did not report for
    a crime type is a gap in every series (NaN, never 0), and the key figures and the
    change table compare only the country × crime type cells reported in both periods
    (:func:`kpi_comparison`); ``left_out`` names the others.

    Parameters
    ----------
    monthly : DataFrame
        ``period``, ``country``, ``region_code``, ``crime_type``, ``count`` over the union
        of the three windows (as returned by ``Store.aggregate``).
    current, previous, year_earlier : tuple of date-like
        Inclusive windows; ``previous`` has the same number of months as ``current``.
    regions : DataFrame
        The region registry (``region_code``, ``country``, ``name_en``, ``population``).
    crime_labels : mapping
        Crime-type key to display label.
    country_names : mapping, optional
        ISO2 code to English name, for the change table's ``country`` column.
    countries, selected_regions, crime_types : sequence of str
        The selection (empty: all); the series and the coverage grid span them, and
        populations are restricted to the selected regions.
    totals : DataFrame, optional
        ``period``, ``country``, ``crime_type``, ``count``: the countries' monthly totals,
        in which a national figure counts instead of its regions' breakdown (as
        ``Store.aggregate`` without ``region_code`` returns them). The key figures, the
        trend and the country panels read it; the regional change table reads
        ``monthly``. Default: ``monthly`` summed, for stores with regional figures only.
    grid : DataFrame, optional
        The monthly coverage grid of the countries' totals
        (:func:`threatmon.coverage.coverage_grid` with ``level=None``) for the selected
        countries × crime types over the three windows. Default: every month reported.
    region_grid : DataFrame, optional
        The same with ``level="admin1"``, for the regional change table (a region is
        reported where its country's regional figures are). Default: ``grid``.
    reported_ever : set of (country, crime_type), optional
        The cells with any coverage in the store, to tell "never reported" from a gap.

    Returns
    -------
    dict of DataFrame
        ``total`` (one :func:`kpi_comparison` row), ``movers`` (the crime types with the
        largest absolute change, :func:`top_movers`), ``sparklines`` (monthly totals of
        the current window: ``crime_type`` "" for the total), ``trend`` (monthly counts
        by ``crime_type`` and label ``crime`` over all windows, with ``coverage``),
        ``changes`` (:func:`change_levels` by region and crime type, labelled),
        ``countries`` (monthly counts and rates per 100 000 by ``country``, with
        ``coverage``), ``no_data`` (``country``: the selected countries without any
        reported month) and ``left_out`` (:func:`trends.comparable.left_out`). A month
        not reported is NaN in every series.
    """
    starts = [pd.Timestamp(w[0]) for w in (current, previous, year_earlier)]
    span = (min(starts), pd.Timestamp(current[1]))
    all_crimes = list(crime_types) or list(crime_labels)
    present_countries = list(countries) or sorted(regions["country"].unique())

    if totals is None:
        totals = monthly
    if grid is None:
        grid = full_grid(present_countries, all_crimes, *span)
    if region_grid is None:
        region_grid = grid
    total = kpi_comparison(totals, current, previous, year_earlier, grid=grid)
    by_crime = kpi_comparison(totals, current, previous, year_earlier, ["crime_type"], grid=grid)
    movers_frame = top_movers(by_crime, movers, min_total=min_total)
    movers_frame.insert(1, "crime", movers_frame["crime_type"].map(dict(crime_labels)))

    current_grid = grid[grid[PERIOD].isin(month_starts(*current))]
    spark_total = _series(totals, current_grid, []).assign(crime_type="")
    shown = list(movers_frame["crime_type"])
    spark_crimes = _series(
        totals, current_grid[current_grid["crime_type"].isin(shown)], ["crime_type"]
    )
    sparklines = pd.concat([spark_total, spark_crimes], ignore_index=True)
    sparklines = sparklines[[PERIOD, "crime_type", VALUE, "coverage"]]

    trend = _series(totals, grid, ["crime_type"])
    trend.insert(2, "crime", trend["crime_type"].map(dict(crime_labels)))
    trend = trend[trend.groupby("crime_type")[VALUE].transform("sum") > 0]
    trend = trend.reset_index(drop=True)

    changes = _regional_changes(
        monthly, region_grid, current, previous, regions, min_total=min_total, alpha=alpha
    )
    changes = label_changes(changes, regions, crime_labels, country_names)

    by_country = _series(totals, grid, ["country"])
    by_country = rates_per_100k(by_country, regions, "country", regions=selected_regions)
    silent = by_country.groupby("country")[VALUE].apply(lambda s: s.isna().all())
    no_data = pd.DataFrame({"country": [c for c in present_countries if silent.get(c, True)]})
    by_country = by_country[~by_country["country"].isin(no_data["country"])]

    windows = {"current": current, "previous": previous, "year_earlier": year_earlier}
    pairs = [("current", "previous")]
    if tuple(previous) != tuple(year_earlier):
        pairs.append(("current", "year_earlier"))
    leftover = left_out(grid, windows, pairs, reported_ever=reported_ever)

    return {
        "total": total,
        "movers": movers_frame,
        "sparklines": sparklines,
        "trend": trend,
        "changes": changes,
        "countries": by_country.reset_index(drop=True),
        "no_data": no_data,
        "left_out": leftover,
    }


def _series(frame: pd.DataFrame, grid: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Monthly ``count`` by ``keys`` on the grid's months: NaN where nobody reported,
    ``coverage`` saying how much of each month was (the rows are summed to ``keys`` first)."""
    summed = frame.groupby([*keys, PERIOD], as_index=False)[VALUE].sum()
    return with_coverage(summed, grid, keys)


def _regional_changes(
    monthly: pd.DataFrame,
    grid: pd.DataFrame,
    current: Window,
    previous: Window,
    regions: pd.DataFrame,
    *,
    min_total: int,
    alpha: float | None,
) -> pd.DataFrame:
    """:func:`change_levels` by region and crime type; a side whose country was not
    reported in every month of its window is NaN (the row's level "no data")."""
    keys = ["region_code", "crime_type"]
    now = window_totals(monthly, current, keys).rename(columns={VALUE: "now"})
    before = window_totals(monthly, previous, keys).rename(columns={VALUE: "before"})
    both = now.merge(before, on=keys, how="outer")
    country_of = dict(zip(regions["region_code"], regions["country"], strict=True))
    cells = list(zip(both["region_code"].map(country_of), both["crime_type"], strict=True))
    for side, window in (("now", current), ("before", previous)):
        covered = window_covered(grid, window)
        covered = covered[covered["covered"]]
        reported = set(zip(covered["country"], covered["crime_type"], strict=True))
        # A row on the other side only is a zero here when this window was reported.
        hit = [cell in reported for cell in cells]
        both[side] = both[side].astype("float64").fillna(0.0).where(hit)
    return change_levels(
        both[[*keys, "now"]].rename(columns={"now": VALUE}),
        both[[*keys, "before"]].rename(columns={"before": VALUE}),
        keys,
        min_total=min_total,
        alpha=alpha,
    )


def store_overview(
    store,
    filters,
    regions: pd.DataFrame,
    crime_labels: Mapping[str, str],
    *,
    min_total: int = LOW_COUNT_THRESHOLD,
    alpha: float | None = CHANGE_ALPHA,
) -> dict[str, pd.DataFrame]:
    """:func:`overview_summary` of a selection, read from ``store`` in two queries and
    its coverage.

    The Overview page and the briefing both call this, so their key figures agree. The
    regional breakdown feeds the change table only; every total reads the countries'
    figures, where a national figure is the total and its regions the breakdown
    (docs/store.md, "National and regional figures"), so nothing is counted twice.
    What was not reported is a gap and is left out of every comparison
    (:mod:`threatmon.coverage`).
    """
    from threatmon.filters import comparison_windows
    from threatmon.registry.regions import PROJECT_COUNTRIES, country_of

    spans = comparison_windows(filters)
    first = min(start for start, _ in spans.values())
    # Queries over the union of the three windows, answered by the monthly rollup.
    span = filters.replace(start=first, end=filters.end)
    monthly = store.aggregate(span, by=("country", "region_code", "crime_type"), freq="M")
    totals = (
        monthly
        if filters.regions
        else store.aggregate(span, by=("country", "crime_type"), freq="M")
    )
    countries = list(filters.countries) or sorted(regions["country"].unique())
    if filters.regions:
        countries = sorted({country_of(code) for code in filters.regions})
    # Withheld crime types are not part of this reader's selection (nor left out of it).
    withheld = set(getattr(store, "withheld", ()))
    crime_types = list(filters.crime_types) or [k for k in crime_labels if k not in withheld]
    cells = store.coverage_cells(filters.replace(start=None, end=None))
    reported_ever = set(zip(cells["country"], cells["crime_type"], strict=True))
    month_end = (pd.Timestamp(filters.end) + pd.offsets.MonthEnd(0)).date()
    grids = {
        level: coverage_grid(
            cells,
            "M",
            first,
            month_end,
            level=level,
            countries=countries,
            crime_types=crime_types,
        )
        for level in (None, "admin1")
    }
    return overview_summary(
        monthly,
        spans["current"],
        spans["previous"],
        spans["year_earlier"],
        regions,
        crime_labels,
        country_names=PROJECT_COUNTRIES,
        countries=countries,
        selected_regions=filters.regions,
        crime_types=crime_types,
        min_total=min_total,
        alpha=alpha,
        totals=totals,
        # A selection of regions is counted from their regional figures only.
        grid=grids["admin1"] if filters.regions else grids[None],
        region_grid=grids["admin1"],
        reported_ever=reported_ever,
    )
