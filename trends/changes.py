"""Period comparisons for the overview: KPIs, dense monthly series, change levels and rates.

Every function takes DataFrames and returns new ones; no argument is ever modified.
The input is the long monthly aggregate the store returns (``period`` = first day of
the month, one column per key, ``count``), with only non-empty groups present.

The change levels follow ACLED Trendfinder's "Change Level" categories (percentage
change against a comparison period, with a guard against low baselines), made
symmetric and given a statistical low-count guard; see :func:`change_levels` and
``docs/dashboard.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

PERIOD = "period"
VALUE = "count"

LARGE_INCREASE = "large increase"
MODERATE_INCREASE = "moderate increase"
LIMITED_CHANGE = "limited change"
MODERATE_DECREASE = "moderate decrease"
LARGE_DECREASE = "large decrease"
#: The change levels from the largest increase to the largest decrease.
LEVELS: tuple[str, ...] = (
    LARGE_INCREASE,
    MODERATE_INCREASE,
    LIMITED_CHANGE,
    MODERATE_DECREASE,
    LARGE_DECREASE,
)
#: Order of the ranked table: the strongest signals first, increases before decreases.
LEVEL_RANK: dict[str, int] = {
    LARGE_INCREASE: 0,
    LARGE_DECREASE: 1,
    MODERATE_INCREASE: 2,
    MODERATE_DECREASE: 3,
    LIMITED_CHANGE: 4,
}
FLAG_LOW_COUNTS = "low counts"
FLAG_NOT_SIGNIFICANT = "not significant"

Window = tuple[dt.date | pd.Timestamp | str, dt.date | pd.Timestamp | str]


# -- months ------------------------------------------------------------------------------------


def month_start(day) -> pd.Timestamp:
    """The first day of the month of ``day`` as a Timestamp."""
    stamp = pd.Timestamp(day)
    return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)


def month_starts(start, end) -> pd.DatetimeIndex:
    """The first days of every month from ``start``'s month to ``end``'s month, inclusive."""
    first, last = month_start(start), month_start(end)
    if last < first:
        return pd.DatetimeIndex([], name=PERIOD)
    return pd.date_range(first, last, freq="MS", name=PERIOD)


def last_complete_months(last_date, months: int = 12) -> tuple[dt.date, dt.date]:
    """The last ``months`` whole calendar months of data ending on or before ``last_date``.

    Parameters
    ----------
    last_date : date-like
        The last day with data in the store.
    months : int
        How many months the window spans.

    Returns
    -------
    tuple of date
        First day of the first month and last day of the last month. The month of
        ``last_date`` counts as complete only when ``last_date`` is its last day.

    Examples
    --------
    >>> last_complete_months("2026-10-31")
    (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    >>> last_complete_months("2026-10-30", months=3)
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    """
    if months < 1:
        raise ValueError(f"`months` must be an integer greater than 0. Got {months!r}.")
    last = pd.Timestamp(last_date)
    end_month = month_start(last)
    if (last + pd.Timedelta(days=1)).day != 1:
        end_month -= pd.DateOffset(months=1)
    start = end_month - pd.DateOffset(months=months - 1)
    end = end_month + pd.offsets.MonthEnd(0)
    return start.date(), end.date()


def complete_months(
    frame: pd.DataFrame,
    start,
    end,
    keys: Sequence[str] = (),
    *,
    value: str = VALUE,
    categories: Mapping[str, Sequence] | None = None,
) -> pd.DataFrame:
    """A dense monthly series: every month of ``start``..``end`` for every key combination.

    Parameters
    ----------
    frame : DataFrame
        Columns ``period`` (month starts), ``keys`` and ``value``; absent months mean 0.
        Rows outside the range are dropped; several rows for one month and key are summed.
    start, end : date-like
        The range; only their months matter.
    keys : sequence of str
        Columns that identify one series (e.g. ``["crime_type"]``).
    categories : mapping, optional
        For a key, the full list of values to include even when absent from ``frame``
        (their series are all zeros). By default, the values present in ``frame``.

    Returns
    -------
    DataFrame
        ``period``, ``keys``, ``value`` (int64), sorted by keys then period.
    """
    keys = list(keys)
    months = month_starts(start, end)
    data = frame[frame[PERIOD].between(months.min(), months.max())] if len(months) else frame[:0]
    summed = data.groupby([PERIOD, *keys], as_index=True)[value].sum() if len(data) else None
    levels = [months]
    for key in keys:
        given = (categories or {}).get(key)
        values = list(given) if given is not None else sorted(frame[key].dropna().unique())
        levels.append(pd.Index(values, name=key))
    full = pd.MultiIndex.from_product(levels, names=[PERIOD, *keys])
    if summed is None:
        dense = pd.Series(0, index=full, dtype="int64", name=value)
    else:
        dense = summed.reindex(full, fill_value=0).astype("int64")
    out = dense.reset_index()
    return out.sort_values([*keys, PERIOD], kind="stable").reset_index(drop=True)


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


def percent_change(current, previous) -> np.ndarray:
    """``100 * (current - previous) / previous``; NaN where ``previous`` is 0."""
    current = np.asarray(current, dtype="int64")
    previous = np.asarray(previous, dtype="int64")
    change = (current - previous) * 100
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(previous > 0, change / np.where(previous > 0, previous, 1), np.nan)
    return pct.astype("float64")


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


def top_movers(kpis: pd.DataFrame, n: int = 3, *, min_total: int = 10) -> pd.DataFrame:
    """The ``n`` rows of a :func:`kpi_comparison` with the largest absolute change vs previous.

    Rows whose current plus previous count is below ``min_total`` are left out, so a
    move from 1 to 3 never displaces a real one. Ties keep the input order.
    """
    enough = kpis[(kpis["current"] + kpis["previous"]) >= min_total]
    order = enough["change_previous"].abs().sort_values(ascending=False, kind="stable").index
    return enough.loc[order[:n]].reset_index(drop=True)


# -- change levels -----------------------------------------------------------------------------


def binomial_p_values(current, previous) -> np.ndarray:
    """Two-sided exact conditional binomial test of equal rates for two Poisson counts.

    Given ``n = current + previous`` events in two periods of equal length, under
    "no change" ``current`` is Binomial(n, 1/2). Identical to
    ``scipy.stats.binomtest(current, n, 0.5).pvalue`` (the distribution is symmetric,
    so the two-sided p-value is twice the smaller tail, capped at 1), but vectorised,
    and built on ``scipy.special.bdtr`` (the binomial CDF): importing ``scipy.stats``
    would add about two seconds to the dashboard's first page load. NaN where ``n``
    is 0.
    """
    current = np.asarray(current, dtype="int64")
    previous = np.asarray(previous, dtype="int64")
    total = current + previous
    smaller = np.minimum(current, previous)
    safe_total = np.where(total > 0, total, 1)
    p = np.minimum(1.0, 2.0 * special.bdtr(smaller, safe_total, 0.5))
    # Exactly half of the events in each period: the observed value is the mode, p = 1.
    p = np.where(current == previous, 1.0, p)
    return np.where(total > 0, p, np.nan)


def change_levels(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    keys: Sequence[str],
    min_total: int = 10,
    alpha: float | None = 0.05,
    *,
    value: str = VALUE,
    moderate: float = 10.0,
    large: float = 25.0,
) -> pd.DataFrame:
    """Classify the change from ``previous`` to ``current`` per key, Trendfinder style.

    Levels by percentage change ``pct = 100 * (current - previous) / previous``:

    ============================  ===============================
    large increase                pct > +``large``
    moderate increase             +``moderate`` <= pct <= +``large``
    limited change                -``moderate`` < pct < +``moderate``
    moderate decrease             -``large`` <= pct <= -``moderate``
    large decrease                pct < -``large``
    ============================  ===============================

    A zero previous count with a positive current count is an unbounded increase
    (``pct`` is NaN, the level "large increase" when the guard passes).

    Low-count guard: a row is only classified as a moderate or large change when
    ``current + previous >= min_total`` **and** the exact conditional binomial test
    (:func:`binomial_p_values`; periods of equal length) gives ``p < alpha``.
    Otherwise it is "limited change" with ``flag`` "low counts" (too few events) or
    "not significant" (enough events, but a change of that size is plausible by
    chance). So 1 -> 3 (+200 %) is "limited change, low counts", and 100 -> 80 (-20 %,
    p = 0.16) is "limited change, not significant" while 1000 -> 800 is a moderate
    decrease. ``alpha=None`` drops the test and keeps only the count guard (ACLED's
    own guard is a count guard).

    Parameters
    ----------
    current, previous : DataFrame
        ``keys`` and ``value`` (the totals of two periods of equal length); a key
        combination missing from one side counts 0 there.
    keys : sequence of str
        The columns that identify a row, e.g. ``["region_code", "crime_type"]``.
    min_total : int
        Minimum ``current + previous`` before a change can be classified.
    alpha : float or None
        Significance level of the binomial test; None: no test, counts only.
    moderate, large : float
        The percentage thresholds (ACLED: 10 and 25).

    Returns
    -------
    DataFrame
        ``keys``, ``current``, ``previous``, ``change``, ``pct_change``, ``p_value``,
        ``level`` (ordered categorical, :data:`LEVELS` from increase to decrease),
        ``flag`` ("", "low counts" or "not significant"), ranked: large changes first,
        then moderate, then limited (increases before decreases within a size), then
        by absolute change, largest first, then by keys.
    """
    keys = list(keys)
    if not keys:
        raise ValueError("`keys` must name at least one column. Got [].")
    if alpha is not None and not 0 < alpha < 1:
        raise ValueError(f"`alpha` must be between 0 and 1. Got {alpha!r}.")
    if not 0 <= moderate <= large:
        raise ValueError(
            f"Thresholds must satisfy 0 <= moderate <= large. Got moderate={moderate!r}, "
            f"large={large!r}."
        )
    cur = current[[*keys, value]].groupby(keys)[value].sum().rename("current")
    prev = previous[[*keys, value]].groupby(keys)[value].sum().rename("previous")
    out = pd.concat([cur, prev], axis=1).fillna(0).astype("int64").reset_index()

    c = out["current"].to_numpy()
    p = out["previous"].to_numpy()
    pct = percent_change(c, p)
    # Unbounded growth from zero counts as beyond any threshold.
    growth = np.where(p > 0, pct, np.where(c > 0, np.inf, 0.0))
    p_value = binomial_p_values(c, p)
    enough = (c + p) >= min_total
    significant = enough if alpha is None else enough & (np.nan_to_num(p_value, nan=1.0) < alpha)

    raw = np.select(
        [growth > large, growth >= moderate, growth < -large, growth <= -moderate],
        [LARGE_INCREASE, MODERATE_INCREASE, LARGE_DECREASE, MODERATE_DECREASE],
        default=LIMITED_CHANGE,
    )
    level = np.where(significant, raw, LIMITED_CHANGE)
    guarded = (raw != LIMITED_CHANGE) & ~significant
    flag = np.where(~enough, FLAG_LOW_COUNTS, np.where(guarded, FLAG_NOT_SIGNIFICANT, ""))

    out["change"] = c - p
    out["pct_change"] = pct
    out["p_value"] = p_value
    out["level"] = pd.Categorical(level, categories=list(LEVELS), ordered=True)
    out["flag"] = flag.astype(object)
    return _rank(out, keys)


def _rank(levels: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rank = levels["level"].astype(str).map(LEVEL_RANK)
    ordered = levels.assign(_rank=rank, _abs=-levels["change"].abs())
    ordered = ordered.sort_values(["_rank", "_abs", *keys], kind="stable")
    return ordered.drop(columns=["_rank", "_abs"]).reset_index(drop=True)


# -- rates -------------------------------------------------------------------------------------


def rates_per_100k(
    frame: pd.DataFrame,
    populations: pd.DataFrame,
    by: str = "country",
    *,
    value: str = VALUE,
    regions: Sequence[str] = (),
) -> pd.DataFrame:
    """Add ``population`` and ``rate`` (``value`` per 100 000 inhabitants) to ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Has a ``by`` column and ``value``.
    populations : DataFrame
        The region registry's ``region_code``, ``country`` and ``population``.
    by : {"country", "region_code"}
        What ``frame`` is split by; a country's population is the sum of its regions.
    regions : sequence of str
        When the selection is restricted to some regions, only their population
        counts (a rate for two raions must not divide by all of Moldova).

    Returns
    -------
    DataFrame
        A copy of ``frame`` with ``population`` (float, NaN when unknown) and ``rate``
        (NaN when the population is unknown or 0).
    """
    if by not in ("country", "region_code"):
        raise ValueError(f"`by` must be 'country' or 'region_code'. Got {by!r}.")
    pop = populations[["region_code", "country", "population"]]
    if regions:
        pop = pop[pop["region_code"].isin(list(regions))]
    # A country with any unknown regional population has an unknown total.
    totals = pop.groupby(by)["population"].agg(
        lambda s: np.nan if s.isna().any() else float(s.sum())
    )
    out = frame.copy()
    out["population"] = out[by].map(totals).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = out[value].astype("float64") * 100_000 / out["population"]
    out["rate"] = rate.where(out["population"] > 0)
    return out


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
    min_total: int = 10,
    alpha: float = 0.05,
) -> dict[str, pd.DataFrame]:
    """Everything the overview page shows, from one monthly aggregate.

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

    total = kpi_comparison(monthly, current, previous, year_earlier)
    by_crime = kpi_comparison(monthly, current, previous, year_earlier, ["crime_type"])
    movers_frame = top_movers(by_crime, movers, min_total=min_total)
    movers_frame.insert(1, "crime", movers_frame["crime_type"].map(dict(crime_labels)))

    shown = ["", *movers_frame["crime_type"]]
    current_months = monthly[monthly[PERIOD].isin(month_starts(*current))]
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

    trend = complete_months(monthly, *span, ["crime_type"], categories={"crime_type": all_crimes})
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
        monthly, *span, ["country"], categories={"country": present_countries}
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
    min_total: int = 10,
    alpha: float | None = 0.05,
) -> dict[str, pd.DataFrame]:
    """:func:`overview_summary` of a selection, read from ``store`` in one query.

    The Overview page and the briefing both call this, so their key figures agree.
    """
    from threatmon.filters import comparison_windows
    from threatmon.registry.regions import PROJECT_COUNTRIES

    spans = comparison_windows(filters)
    first = min(start for start, _ in spans.values())
    # One query over the union of the three windows, answered by the monthly rollup.
    monthly = store.aggregate(
        filters.replace(start=first, end=filters.end),
        by=("country", "region_code", "crime_type"),
        freq="M",
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
    )
