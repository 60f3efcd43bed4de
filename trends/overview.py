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

from threatmon.periods import PERIOD, VALUE, Window, complete_months, month_starts
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from trends.changes import change_levels, percent_change
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
) -> pd.DataFrame:
    """The selected period against the previous comparable period and a year earlier.

    Parameters
    ----------
    monthly : DataFrame
        ``period``, ``keys``, ``value``, covering all three windows.
    current, previous, year_earlier : tuple of date-like
        Inclusive (start, end) of each window; only the months matter.
    keys : sequence of str
        Group columns; empty for one overall row.

    Returns
    -------
    DataFrame
        ``keys``, ``current``, ``previous``, ``year_earlier`` (int64), ``change_previous``,
        ``change_year`` (int64) and ``pct_previous``, ``pct_year`` (float, NaN when the
        base is 0), sorted by keys.
    """
    out = compare_windows(
        monthly,
        {"current": current, "previous": previous, "year_earlier": year_earlier},
        keys,
        value=value,
    )
    out["change_previous"] = out["current"] - out["previous"]
    out["pct_previous"] = percent_change(out["current"], out["previous"])
    out["change_year"] = out["current"] - out["year_earlier"]
    out["pct_year"] = percent_change(out["current"], out["year_earlier"])
    return out


def top_movers(
    kpis: pd.DataFrame, n: int = 3, *, min_total: int = LOW_COUNT_THRESHOLD
) -> pd.DataFrame:
    """The ``n`` rows of a :func:`kpi_comparison` with the largest absolute change vs previous.

    Rows whose current plus previous count is below ``min_total`` are left out, so a
    move from 1 to 3 never displaces a real one. Ties keep the input order.
    """
    enough = kpis[(kpis["current"] + kpis["previous"]) >= min_total]
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
) -> dict[str, pd.DataFrame]:
    """Everything the overview page shows, from the monthly aggregates of the selection.

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
        The selection (empty: all); used to draw zero series for absent categories and
        to restrict populations.
    totals : DataFrame, optional
        ``period``, ``country``, ``crime_type``, ``count``: the countries' monthly totals,
        in which a national figure counts instead of its regions' breakdown (as
        ``Store.aggregate`` without ``region_code`` returns them). The key figures, the
        trend and the country panels read it; the regional change table reads
        ``monthly``. Default: ``monthly`` summed, for stores with regional figures only.

    Returns
    -------
    dict of DataFrame
        ``total`` (one :func:`kpi_comparison` row), ``movers`` (the crime types with the
        largest absolute change, :func:`top_movers`), ``sparklines`` (dense monthly totals
        of the current window: ``crime_type`` "" for the total), ``trend`` (dense monthly
        counts by ``crime_type`` and label ``crime`` over all windows), ``changes``
        (:func:`change_levels` by region and crime type, labelled) and ``countries``
        (dense monthly counts and rates per 100 000 by ``country``).
    """
    starts = [pd.Timestamp(w[0]) for w in (current, previous, year_earlier)]
    span = (min(starts), pd.Timestamp(current[1]))
    all_crimes = list(crime_types) or list(crime_labels)
    present_countries = list(countries) or sorted(regions["country"].unique())

    if totals is None:
        totals = monthly
    total = kpi_comparison(totals, current, previous, year_earlier)
    by_crime = kpi_comparison(totals, current, previous, year_earlier, ["crime_type"])
    movers_frame = top_movers(by_crime, movers, min_total=min_total)
    movers_frame.insert(1, "crime", movers_frame["crime_type"].map(dict(crime_labels)))

    shown = ["", *movers_frame["crime_type"]]
    current_months = totals[totals[PERIOD].isin(month_starts(*current))]
    spark_total = complete_months(
        current_months.assign(crime_type=""),
        *current,
        ["crime_type"],
        categories={"crime_type": [""]},
    )
    spark_crimes = complete_months(
        current_months[current_months["crime_type"].isin(shown[1:])],
        *current,
        ["crime_type"],
        categories={"crime_type": shown[1:]},
    )
    sparklines = pd.concat([spark_total, spark_crimes], ignore_index=True)

    trend = complete_months(totals, *span, ["crime_type"], categories={"crime_type": all_crimes})
    trend.insert(2, "crime", trend["crime_type"].map(dict(crime_labels)))
    trend = trend[trend.groupby("crime_type")["count"].transform("sum") > 0]
    trend = trend.reset_index(drop=True)

    keys = ["region_code", "crime_type"]
    changes = change_levels(
        window_totals(monthly, current, keys),
        window_totals(monthly, previous, keys),
        keys,
        min_total=min_total,
        alpha=alpha,
    )
    changes = label_changes(changes, regions, crime_labels, country_names)

    by_country = complete_months(
        totals, *span, ["country"], categories={"country": present_countries}
    )
    by_country = rates_per_100k(by_country, regions, "country", regions=selected_regions)

    return {
        "total": total,
        "movers": movers_frame,
        "sparklines": sparklines,
        "trend": trend,
        "changes": changes,
        "countries": by_country,
    }


def store_overview(
    store,
    filters,
    regions: pd.DataFrame,
    crime_labels: Mapping[str, str],
    *,
    min_total: int = LOW_COUNT_THRESHOLD,
    alpha: float | None = CHANGE_ALPHA,
) -> dict[str, pd.DataFrame]:
    """:func:`overview_summary` of a selection, read from ``store`` in two queries.

    The Overview page and the briefing both call this, so their key figures agree. The
    regional breakdown feeds the change table only; every total reads the countries'
    figures, where a national figure is the total and its regions the breakdown
    (docs/store.md, "National and regional figures"), so nothing is counted twice.
    """
    from threatmon.filters import comparison_windows
    from threatmon.registry.regions import PROJECT_COUNTRIES

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
    return overview_summary(
        monthly,
        spans["current"],
        spans["previous"],
        spans["year_earlier"],
        regions,
        crime_labels,
        country_names=PROJECT_COUNTRIES,
        countries=filters.countries,
        selected_regions=filters.regions,
        crime_types=filters.crime_types,
        min_total=min_total,
        alpha=alpha,
        totals=totals,
    )
