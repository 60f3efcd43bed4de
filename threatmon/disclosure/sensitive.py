"""Sensitive crime types as viewers see them: country counts per calendar quarter, suppressed.

Viewers (the steering committee, case meetings) never get a sensitive crime type in any
figure: their store withholds those rows (:class:`threatmon.store.reader.Store`). What they
do get is this table: per calendar quarter, each country's count of each sensitive type,
with counts of 1 to k−1 shown as "<k" and complements hidden so that no hidden count can
be worked out from the published totals (:func:`threatmon.disclosure.suppression.suppress_table`).

Readers of different country scopes get different rows of the same tables: each quarter's
pattern of hidden cells is computed once over every project country and each reader gets
their rows of it, with totals over their countries shown only where the all-country table
already determines them (:mod:`threatmon.disclosure.scopes`). Tables suppressed scope by
scope would not agree, and two readers could subtract one from the other.

The quarters are a fixed calendar grid, not the period chosen in the filters, so two
tables never overlap in time: a count cannot be recovered by subtracting one published
period from a longer one.

No data is not zero: a country that reported nothing of a type in a quarter, or only
some of its months, gets "no data" there (:data:`~threatmon.disclosure.suppression.NO_DATA`),
never 0 (a part of a quarter is not the quarter's count), and the totals add up the
reported cells only (:mod:`threatmon.coverage`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from threatmon.coverage import NO_DATA, NOT_REPORTED, PARTLY, REPORTED, coverage_grid
from threatmon.disclosure.scopes import scope_tables
from threatmon.disclosure.suppression import DEFAULT_K, TOTAL
from threatmon.registry.crime_types import sensitive_crime_types
from threatmon.settings import current_settings

SENSITIVE_TYPES: tuple[str, ...] = sensitive_crime_types()
QUARTERS = 4


def configured_k() -> int:
    """The deployment's k: counts from 1 to k−1 are shown as "<k" (``$THREATMON_SUPPRESSION_K``,
    default 5).

    Raises
    ------
    ValueError
        The setting is not a whole number from 3 to 20.
    """
    return current_settings().suppression_k


def complete_quarters(last_day, count: int = QUARTERS) -> list[pd.Period]:
    """The ``count`` calendar quarters up to the last one that ends on or before ``last_day``."""
    last_day = pd.Timestamp(last_day)
    quarter = last_day.to_period("Q")
    if last_day < quarter.end_time.normalize():
        quarter -= 1
    return [quarter - offset for offset in range(count - 1, -1, -1)]


def quarterly_tables(
    counts: pd.DataFrame,
    quarters: Sequence[pd.Period],
    countries: Mapping[str, str],
    crime_labels: Mapping[str, str],
    *,
    k: int = DEFAULT_K,
    coverage: pd.DataFrame | None = None,
    scope: Sequence[str] = (),
) -> pd.DataFrame:
    """One suppressed country × crime-type table per quarter, stacked, newest quarter first.

    Parameters
    ----------
    counts : DataFrame
        ``period`` (any day of the quarter), ``country``, ``crime_type``, ``count``; rows of
        other quarters, countries or crime types are ignored. Not modified.
    quarters : sequence of pandas.Period
        The quarters to publish.
    countries : mapping
        Country code to name, in row order: every country a reader may be given (the
        pattern of hidden cells is computed over all of them, whatever ``scope``).
    crime_labels : mapping
        Crime-type key to column label, for the sensitive types to publish.
    k : int
        Counts from 1 to k−1 are shown as "<k".
    coverage : DataFrame, optional
        :func:`threatmon.coverage.coverage_grid` at quarters (``country``, ``crime_type``,
        ``period``, ``coverage``): a cell is a count only where its quarter is reported in
        full (then a missing row is 0); otherwise it is "no data". None: every cell is
        reported (only for counts known to be complete).

    Returns
    -------
    DataFrame
        ``quarter``, ``country`` (names, then "Total"), one column per crime type and
        ``Total``; cells are whole numbers, "<k", "c" for a hidden complement, or "no
        data" where nothing (or only part of the quarter) was reported.
    """
    data = counts.assign(quarter=pd.to_datetime(counts["period"]).dt.to_period("Q"))
    keys = list(crime_labels)
    reported = None
    if coverage is not None:
        full = coverage[coverage["coverage"] == REPORTED]
        reported = set(
            zip(
                full["country"],
                full["crime_type"],
                pd.to_datetime(full["period"]).dt.to_period("Q"),
                strict=True,
            )
        )
    parts = []
    for quarter in sorted(quarters, reverse=True):
        rows = data[(data["quarter"] == quarter) & data["crime_type"].isin(keys)]
        table = (
            rows.pivot_table(index="country", columns="crime_type", values="count", aggfunc="sum")
            .reindex(index=list(countries), columns=keys)
            .fillna(0)  # a reported quarter without a row: 0; unreported ones are masked
            .astype("int64")
        )
        no_data = None
        if reported is not None:
            no_data = pd.DataFrame(
                [[(c, key, quarter) not in reported for key in keys] for c in table.index],
                index=table.index,
                columns=table.columns,
            )
        [cut] = scope_tables(table, [scope], k=k, sensitive=True, no_data=no_data)
        shown = cut.display().rename(index={**countries}, columns={**crime_labels})
        shown.index.name = "country"
        parts.append(shown.reset_index().assign(quarter=str(quarter)))
    if not parts:
        return pd.DataFrame(columns=["quarter", "country", *crime_labels.values(), TOTAL])
    frame = pd.concat(parts, ignore_index=True)
    return frame[["quarter", *[c for c in frame.columns if c != "quarter"]]]


def sensitive_table(
    source,
    last_day,
    *,
    scope: Sequence[str] = (),
    quarters: int = QUARTERS,
    k: int | None = None,
) -> pd.DataFrame:
    """The table of a viewer with country ``scope`` (empty: all), read from ``source``.

    ``source`` is a store that holds the sensitive types of every country (no country
    scope: the pattern of hidden cells is computed over all of them, then cut to
    ``scope``); it is never shown to the viewer itself. ``k`` defaults to
    :func:`configured_k`.

    Raises
    ------
    ValueError
        ``source`` has a country scope, or ``scope`` names a country outside the project.
    """
    from threatmon.filters import Filters
    from threatmon.registry.crime_types import crime_type_label

    if source.scope:
        raise ValueError(
            "`source` must hold every country (no scope): the suppression pattern is computed "
            f"over all of them and cut to `scope`. Got a source scoped to {source.scope!r}."
        )
    countries = table_countries()
    unknown = [code for code in scope if code not in countries]
    if unknown:
        raise ValueError(f"`scope` holds a country outside the project. Got {unknown[0]!r}.")
    grid = complete_quarters(last_day, quarters)
    start, end = grid[0].start_time.date(), grid[-1].end_time.date()
    filters = Filters(crime_types=SENSITIVE_TYPES, start=start, end=end)
    counts = source.aggregate(filters, by=("country", "crime_type"), freq="Q")
    labels = {key: crime_type_label(key) for key in SENSITIVE_TYPES}
    coverage = coverage_grid(
        source.coverage_cells(filters),
        "Q",
        start,
        end,
        countries=list(countries),
        crime_types=SENSITIVE_TYPES,
    )
    k = configured_k() if k is None else k
    return quarterly_tables(counts, grid, countries, labels, k=k, coverage=coverage, scope=scope)


def table_countries(scope: Sequence[str] = ()) -> dict[str, str]:
    """Country code → row name of the tables of a reader with this scope, in row order."""
    from threatmon.registry.regions import PROJECT_COUNTRIES

    return {code: name for code, name in PROJECT_COUNTRIES.items() if not scope or code in scope}


def published_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Each quarter's project-wide total of each sensitive type, as published in ``table``.

    Parameters
    ----------
    table : DataFrame
        As returned by :func:`quarterly_tables`.

    Returns
    -------
    DataFrame
        ``quarter``, ``crime`` (the column label), ``count``: the "Total" row's value, or
        NaN where that total is itself hidden or no country reported; ``coverage``:
        "reported" when every country's cell of the column is, "partly" when some are
        "no data", "not reported" when all are. Oldest quarter first, for a trend chart.
        Nothing here is not already in the published table.
    """
    totals = table[table["country"] == TOTAL].drop(columns=["country", TOTAL])
    long = totals.melt(id_vars="quarter", var_name="crime", value_name="shown")
    counts = pd.to_numeric(long["shown"], errors="coerce")
    cells = table[table["country"] != TOTAL].drop(columns=["country", TOTAL])
    missing = (cells.drop(columns="quarter") == NO_DATA).assign(quarter=cells["quarter"])
    share = missing.groupby("quarter").mean().reset_index()
    share = share.melt(id_vars="quarter", var_name="crime", value_name="missing")
    long = long.merge(share, on=["quarter", "crime"], how="left")
    states = [
        NOT_REPORTED if m >= 1 else PARTLY if m > 0 else REPORTED
        for m in long["missing"].fillna(0.0)
    ]
    return (
        long.assign(count=counts, coverage=states)
        .drop(columns=["shown", "missing"])
        .sort_values(["quarter", "crime"], kind="stable")
        .reset_index(drop=True)
    )


def country_cells(
    table: pd.DataFrame, quarter: str, crime: str, countries: Mapping[str, str]
) -> pd.DataFrame:
    """One quarter's published cells of one sensitive type, per country, for a map.

    Parameters
    ----------
    table : DataFrame
        As returned by :func:`quarterly_tables`.
    quarter : str
        A quarter of ``table`` ("2026Q3").
    crime : str
        A crime-type column label of ``table``.
    countries : mapping
        Country code to the name used in ``table`` (the mapping it was built with).

    Returns
    -------
    DataFrame
        ``country`` (code) and ``shown``: the published cell as it is ("<k", "c", "no
        data" or a whole number), in the order of ``countries``. Nothing here is not already in the
        published table.
    """
    rows = table[(table["quarter"] == quarter) & (table["country"] != TOTAL)]
    if rows.empty:
        raise ValueError(f"No published table for quarter {quarter!r}.")
    if crime not in rows.columns:
        raise ValueError(f"No published column {crime!r}; use one of {_crime_columns(table)}.")
    shown = dict(zip(rows["country"], rows[crime], strict=True))
    codes = [code for code, name in countries.items() if name in shown]
    return pd.DataFrame(
        {"country": codes, "shown": [shown[countries[code]] for code in codes]},
        columns=["country", "shown"],
    )


def _crime_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c not in ("quarter", "country", TOTAL)]
