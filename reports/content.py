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
from reports.briefing_texts import (
    ALERT_COLUMNS,
    REFERENCE_SOURCES,
    alerts_table,
    briefing_labels,
    demo_note,
    reference_sources,
    sensitive_shown,
    withheld_note,
)
from reports.changes import change_table
from reports.chart_png import ChartExportError, figure_png
from reports.figure_words import localise_figure
from reports.forecast_table import forecast_area, forecast_rows
from reports.hotspot_map import hotspot_map, map_title
from reports.key_figures import chart_gaps, covered_summary, kpi_rows
from reports.words import ENGLISH, Words
from threatmon.disclosure.marking import marking_text
from threatmon.disclosure.sensitive import sensitive_table
from threatmon.errors import EmptyStoreError, FilterError, Problem
from threatmon.filters import Filters, comparison_windows
from threatmon.granularity import period_label
from threatmon.periods import (
    default_period,
    last_complete_months,
    latest_reported_day,
    month_end,
    month_start,
)
from threatmon.registry.crime_types import CRIME_TYPE_KEYS, CRIME_TYPES
from threatmon.registry.regions import load_regions
from threatmon.rules import CHANGE_ALPHA, LOW_COUNT_THRESHOLD
from threatmon.store.reader import Store
from trends import store_overview
from trends.levels import coarser_figures

__all__ = [
    "ALERT_COLUMNS",
    "REFERENCE_SOURCES",
    "alerts_table",
    "briefing_content",
    "briefing_filters",
]

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


def _crime_labels(store: Store, words: Words = ENGLISH) -> dict[str, str]:
    """Key to label of the crime types the reader's figures may show, in registry order."""
    return {ct.key: words.crime(ct.key) for ct in CRIME_TYPES if ct.key not in store.withheld}


def _area_text(filters: Filters, registry: pd.DataFrame, store: Store, words: Words) -> str:
    if filters.regions:
        names = dict(zip(registry["region_code"], registry["name_en"], strict=True))
        shown = [f"{names.get(code, code)} ({code})" for code in filters.regions]
        if len(shown) <= 5:
            return ", ".join(shown)
        return words.t("briefing.regions", n=words.number(len(shown)))
    countries = filters.countries or store.scope
    if countries:
        return ", ".join(words.country(code) for code in countries)
    return words.t("briefing.all_countries")


def _crime_text(filters: Filters, labels: Mapping[str, str], store: Store, words: Words) -> str:
    if filters.crime_types:
        return ", ".join(labels[key] for key in filters.crime_types)
    if store.withheld:
        return words.t("briefing.all_crime_types_but_sensitive")
    return words.t("briefing.all_crime_types")


# -- charts --------------------------------------------------------------------------------------


def _trend_charts(
    summary: Mapping[str, pd.DataFrame], spans, several_countries: bool, words: Words = ENGLISH
) -> list[tuple[str, bytes]]:
    """(caption, PNG) of the trend lines and, for several countries, the small multiples."""
    current = spans["current"]
    shown = (min(start for start, _ in spans.values()), current[1])
    partly = words.t("chart.partly_reported")
    figures = [
        (
            words.t("briefing.trends.caption", span=words.span(*shown)),
            charts.trend_lines(
                summary["trend"],
                current,
                title=words.t("chart.trend_title"),
                y_title=words.t("chart.per_month"),
                partly_label=partly,
            ),
        )
    ]
    if several_countries:
        frame = summary["countries"]
        names = words.countries()
        if frame["rate"].notna().any():
            figure = charts.country_small_multiples(
                frame,
                current,
                names,
                y_title=words.t("chart.per_100k_month"),
                title=words.t("chart.countries_rate_title"),
                partly_label=partly,
            )
            caption = words.t("briefing.trends.countries_rate")
        else:
            figure = charts.country_small_multiples(
                frame,
                current,
                names,
                value="count",
                y_title=words.t("chart.per_month"),
                title=words.t("chart.countries_count_title"),
                partly_label=partly,
            )
            caption = words.t("briefing.trends.countries_count")
        figures.append((caption, figure))
    return [
        (
            caption,
            figure_png(
                localise_figure(figure, words.language),
                width=_CHART_WIDTH,
                height=int(figure.layout.height or 450),
                scale=_CHART_SCALE,
            ),
        )
        for caption, figure in figures
    ]


# -- alerts and forecasts ------------------------------------------------------------------------


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
    words: Words = ENGLISH,
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
    note = words.t("briefing.alerts.note", month=words.month(latest, long=True), top=top)
    return alerts_table(chosen, registry, labels, words), note


# -- sources and the sensitive table -------------------------------------------------------------


def _sources(store: Store, words: Words = ENGLISH) -> list[str]:
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
    kinds = {
        "incidents": words.t("briefing.sources.incidents"),
        "flows": words.t("briefing.sources.flows"),
    }
    lines = []
    for row in batches[batches["status"] == "active"].sort_values("batch_id").itertuples():
        if row.batch_id not in seen.index:
            continue
        rows = seen.loc[row.batch_id]
        kind = kinds.get(row.kind, str(row.kind))
        lines.append(
            words.t(
                "briefing.sources.batch",
                batch=row.batch_id,
                kind=kind,
                file=row.file_name,
                at=f"{pd.Timestamp(row.loaded_at):%Y-%m-%d %H:%M}",
                rows=words.number(int(rows["n"])),
                first=f"{pd.Timestamp(rows['first']):%Y-%m-%d}",
                last=f"{pd.Timestamp(rows['last']):%Y-%m-%d}",
            )
        )
    meta = store.meta()
    if meta.get("demo") == "true":
        lines.append(words.t("briefing.sources.demo", seed=meta.get("demo_seed")))
    return [*lines, *reference_sources(words)]


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
    words: Words = ENGLISH,
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
    words : Words
        The language every text of the briefing is written in (:mod:`reports.words`);
        default English. The marking is printed as configured.

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
    step(0.0, words.t("briefing.step.key_figures"))
    _, last_day = _coverage(store)
    chosen = briefing_filters(store, filters)
    notes: list[str] = []
    given = [day for day in (filters.start, filters.end) if day is not None]
    if any(day not in (chosen.start, chosen.end) for day in given):
        notes.append(
            words.t(
                "briefing.widened",
                given=", ".join(map(str, given)),
                start=str(chosen.start),
                end=str(chosen.end),
            )
        )
    filters = chosen
    # The regions' names in the reader's language, wherever the briefing reads them.
    registry = words.named(_registry(store))
    labels = _crime_labels(store, words)
    marking = marking_text()
    demo = demo_note(store, words)
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
        store, filters, registry, labels, min_total=LOW_COUNT_THRESHOLD, words=words
    )
    kpis = kpi_rows(covered, spans, words)
    changes, changes_note = change_table(
        summary["changes"], spans["current"], spans["previous"], words=words
    )
    months = _months(*spans["current"])
    key_note = (
        words.t(
            "briefing.kpi.note_same",
            span=words.span(*spans["current"]),
            months=words.plural("months", months),
            min=LOW_COUNT_THRESHOLD,
        )
        if spans["previous"] == spans["year_earlier"]
        else words.t(
            "briefing.kpi.note",
            span=words.span(*spans["current"]),
            months=words.plural("months", months),
            min=LOW_COUNT_THRESHOLD,
        )
    )
    notes.append(key_note)
    if left_out:
        notes.append(left_out)
    area = _area_text(filters, registry, store, words)
    crimes = _crime_text(filters, labels, store, words)
    forecast_types = list(forecast_crime_types or filters.crime_types or labels)
    # Read once: the alerts' checks and the forecasts (None for a restricted reader).
    cached = cache.load(store)
    # Chromium takes ~3 s to start: the charts are drawn on a thread while the map, alerts
    # and forecasts are computed here (figure_png may be called from any thread).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-charts") as pool:
        drawing = pool.submit(_trend_charts, summary, spans, len(countries) > 1, words)
        step(0.3, words.t("briefing.step.hotspots"))
        title = map_title(filters, area, crimes, marking, bool(demo), words)
        drawn_map = hotspot_map(store, filters, registry, codes, title, words)
        step(0.55, words.t("briefing.step.alerts"))
        alert_rows, alert_note = _alerts(
            store, last_day, alerts, filters, codes, registry, labels, top_alerts, cached, words
        )
        step(0.65, words.t("briefing.step.forecasts"))
        forecasts, forecast_note = forecast_rows(
            store,
            forecast_types,
            forecast_area(filters, registry, codes, store, words),
            labels,
            horizon,
            cached,
            words,
        )
        step(0.85, words.t("briefing.step.charts"))
        try:
            trend_charts = drawing.result()
        except ChartExportError as exc:
            # The rest of the briefing is still worth printing; it says what is missing.
            warnings.warn(f"Trend charts left out: {exc}", RuntimeWarning, stacklevel=2)
            trend_charts = []
            notes.append(words.t("briefing.no_charts", reason=str(exc)))
    notes += [changes_note, alert_note, forecast_note]
    step(0.9, words.t("briefing.step.sources"))

    extra_tables: list[tuple[str, pd.DataFrame]] = []
    coarser_notes, coarser_tables = _coarser(store, filters, labels, words)
    notes += coarser_notes
    extra_tables += coarser_tables
    heading = words.t("briefing.sensitive.heading")
    if sensitive_source is not None:
        table = sensitive_table(sensitive_source, last_day, scope=store.scope)
        extra_tables.append((heading, sensitive_shown(table, words)))
    if store.withheld:
        notes.insert(0, withheld_note(store, sensitive_source is not None, heading, words))

    longest = max([20, top_alerts, len(forecasts), *(len(t) for _, t in extra_tables)])
    sources = _sources(store, words)
    step(1.0, words.t("briefing.step.ready"))
    period = words.t(
        "briefing.period",
        start=words.day(filters.start),
        end=words.day(filters.end),
        months=words.plural("months", months),
        crimes=crimes,
    )
    return BriefingContent(
        title=words.t("briefing.title", area=area),
        marking=marking,
        period=period,
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
        labels=briefing_labels(words),
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
    store, filters: Filters, labels: Mapping[str, str], words: Words = ENGLISH
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
                words.t(
                    "briefing.coarser.note",
                    country=words.country(row["country"]),
                    crimes=crimes,
                    granularity=_adjective(granularity, words),
                    count=words.number(int(row["count"])),
                    rows=words.number(int(row["rows"])),
                )
            )
        keys = sorted({key for keys in rows["crime_types"] for key in keys})
        totals = store.aggregate(
            years.replace(countries=tuple(sorted(set(rows["country"]))), crime_types=tuple(keys)),
            by=("country", "crime_type"),
            freq=codes[granularity],
        )
        table = pd.DataFrame(
            {
                words.t("briefing.coarser.period"): [
                    period_label(pd.Timestamp(p).date(), granularity) for p in totals["period"]
                ],
                words.t("briefing.coarser.country"): [words.country(c) for c in totals["country"]],
                words.t("briefing.coarser.crime_type"): [
                    labels.get(k, k) for k in totals["crime_type"]
                ],
                words.t("briefing.coarser.incidents"): [
                    words.number(int(n)) for n in totals["count"]
                ],
            }
        )
        adjective = _adjective(granularity, words)
        heading = words.t("briefing.coarser.heading", granularity=adjective)
        tables.append((heading[:1].upper() + heading[1:], table))
    return notes, tables


def _adjective(granularity: str, words: Words) -> str:
    """ "weekly", "quarterly", "yearly" in the language (the catalogue's ``granularity.*``)."""
    return words.t(f"granularity.{granularity}")
