"""The briefing's content from a demo store: numbers as the store gives them, nothing withheld.

Two briefings are built once for the module (Chromium starts once, ~3 s): an analyst's for
Moldova and Ukraine, and a viewer's for Moldova, with the sensitive crime types withheld
and their suppressed quarterly table added.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime

import pandas as pd
import pypdfium2 as pdfium
import pytest

from forecasting.cache import cache_root, forecast_for
from forecasting.selection import Selection
from forecasting.warning.alerts import COLUMNS as ALERT_SOURCE_COLUMNS
from forecasting.warning.alerts import MODEL_NAMES, early_warning
from reports import content, hotspot_map
from reports.briefing import briefing_pdf
from reports.chart_png import ChartExportError
from reports.content import (
    ALERT_COLUMNS,
    REFERENCE_SOURCES,
    alerts_table,
    briefing_content,
    briefing_filters,
)
from reports.key_figures import compared_series
from reports.words import ENGLISH
from threatmon.disclosure.sensitive import SENSITIVE_TYPES
from threatmon.errors import FilterError
from threatmon.filters import Filters
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.regions import load_regions
from threatmon.settings import DEFAULT_MARKING
from threatmon.store.reader import Store

GENERATED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HEADINGS = ["Key figures", "Trends", "Hotspot map", "Top alerts", "Forecasts", "Data sources"]
SENSITIVE_HEADING = "Sensitive crime types, per country and quarter"
LABELS = {ct.key: ct.label for ct in CRIME_TYPES}
SENSITIVE_LABELS = [LABELS[key] for key in SENSITIVE_TYPES]
# The demo store's data end on 31 Oct 2026: the default period and its comparison.
CURRENT = (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
PREVIOUS = (dt.date(2024, 11, 1), dt.date(2025, 10, 31))
BANNER = (122, 16, 28)


def _build(store: Store, filters: Filters, **kwargs):
    """briefing_content, recording every chart figure and map title it hands to a renderer."""
    drawn: dict[str, list] = {"figures": [], "map_titles": [], "progress": []}
    figure_png, map_png = content.figure_png, hotspot_map.hotspot_png

    def record_figure(figure, **options):
        drawn["figures"].append(figure)
        return figure_png(figure, **options)

    def record_map(*args, **options):
        drawn["map_titles"].append(list(options["title"]))
        return map_png(*args, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(content, "figure_png", record_figure)
        patch.setattr(hotspot_map, "hotspot_png", record_map)
        made = briefing_content(
            store,
            filters,
            generated_at=GENERATED,
            progress=lambda fraction, message: drawn["progress"].append((fraction, message)),
            **kwargs,
        )
    return made, drawn


def _alert_rows() -> pd.DataFrame:
    """Early-warning rows: two in Moldova, one withheld from viewers, one in Romania."""
    rows = [
        ("surge", "MD-CU", "MD", "migrant_smuggling", 12, 3.4, 1e-6),
        ("surge", "MD-BA", "MD", "human_trafficking", 9, 1.0, 1e-5),
        ("above_interval", "RO-IS", "RO", "drug_trafficking", 30, 11.0, 1e-4),
        ("above_interval", "MD-CA", "MD", "firearms_trafficking", 8, 2.5, 1e-3),
    ]
    return pd.DataFrame(
        [
            {
                "rank": rank,
                "kind": kind,
                "region_code": code,
                "country": country,
                "crime_type": crime,
                "period": pd.Timestamp("2026-10-01"),
                "count": count,
                "expected": expected,
                "ratio": count / expected,
                "p_value": p,
                "sentence": f"{code}: {count} {LABELS[crime].lower()} incidents in October 2026.",
                "link": "maps?…",
            }
            for rank, (kind, code, country, crime, count, expected, p) in enumerate(rows, 1)
        ],
        columns=list(ALERT_SOURCE_COLUMNS),
    )


def _files(folder) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


@pytest.fixture(scope="module")
def analyst(demo_store_path):
    """Moldova and Ukraine, default period, two crime types forecast; the folder watched."""
    before = _files(demo_store_path.parent)
    made, drawn = _build(
        Store(demo_store_path),
        Filters(countries=("MD", "UA")),
        forecast_crime_types=("migrant_smuggling", "drug_trafficking"),
    )
    return made, drawn, before, _files(demo_store_path.parent)


@pytest.fixture(scope="module")
def viewer(demo_store_path):
    """Moldova as a viewer gets it, with alerts passed in that include a withheld type."""
    return _build(
        Store(demo_store_path, withheld=SENSITIVE_TYPES),
        Filters(countries=("MD",)),
        sensitive_source=Store(demo_store_path),
        alerts=_alert_rows(),
    )


def _pages(pdf: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def analyst_pdf(analyst) -> bytes:
    return briefing_pdf(analyst[0])


@pytest.fixture(scope="module")
def viewer_pdf(viewer) -> bytes:
    return briefing_pdf(viewer[0])


# -- the period ----------------------------------------------------------------------------------


def test_briefing_filters_fill_the_period_and_widen_it_to_whole_months(demo_store_path):
    store = Store(demo_store_path)
    assert (briefing_filters(store, Filters()).start, briefing_filters(store, Filters()).end) == (
        CURRENT
    )
    widened = briefing_filters(store, Filters(countries=("MD",), start="2026-01-15"))
    assert (widened.countries, widened.start, widened.end) == (
        ("MD",),
        dt.date(2026, 1, 1),
        dt.date(2026, 10, 31),
    )


# -- the analyst's briefing ----------------------------------------------------------------------


@pytest.mark.slow
def test_title_and_period(analyst):
    made = analyst[0]
    assert made.title == "Threat Monitor briefing: Moldova, Ukraine"
    assert made.period == "1 Nov 2025 – 31 Oct 2026 (12 months) · All crime types"
    assert made.marking == DEFAULT_MARKING
    assert made.demo_note == (
        "DEMO — synthetic data generated by threatmon demo (seed 7); not real incidents."
    )
    assert made.generated_at == GENERATED


def _totals(store: Store, filters: Filters, window, by=()) -> pd.DataFrame:
    """The store's totals of the series the key figures compare: those reported in every
    month of the period and both comparison periods (reports.key_figures)."""
    span = filters.replace(start=CURRENT[0], end=CURRENT[1])
    compared, _ = compared_series(
        store.coverage_cells(span.replace(start=PREVIOUS[0])),
        span,
        list(filters.countries),
        list(filters.crime_types) or [key for key in LABELS if key not in store.withheld],
    )
    found = store.aggregate(
        filters.replace(start=window[0], end=window[1]),
        by=("country", "crime_type"),
        freq=None,
    )
    pairs = pd.Series(list(zip(found["country"], found["crime_type"], strict=True)), dtype=object)
    kept = found[pairs.isin(compared).to_numpy()]
    if not by:
        return pd.DataFrame({"count": [int(kept["count"].sum())]})
    return kept.groupby(list(by), as_index=False)["count"].sum()


def test_key_figures_are_the_stores_totals(analyst, demo_store_path):
    store, filters = Store(demo_store_path), Filters(countries=("MD", "UA"))
    now = int(_totals(store, filters, CURRENT)["count"].sum())
    before = int(_totals(store, filters, PREVIOUS)["count"].sum())
    label, value, change = analyst[0].kpis[0]
    assert (label, value) == ("Total incidents", f"{now:,}")
    pct = 100 * (now - before) / before
    # A 12-month period: the previous 12 months are also the same months a year earlier.
    assert change == f"{pct:+.1f} % ({now - before:+,}) vs Nov 2024 – Oct 2025"


def test_top_movers_are_the_largest_changes_by_crime_type(analyst, demo_store_path):
    store, filters = Store(demo_store_path), Filters(countries=("MD", "UA"))
    now = _totals(store, filters, CURRENT, ("crime_type",)).set_index("crime_type")["count"]
    before = _totals(store, filters, PREVIOUS, ("crime_type",)).set_index("crime_type")["count"]
    both = pd.concat([now.rename("now"), before.rename("before")], axis=1).fillna(0)
    both = both[(both["now"] + both["before"]) >= 10].sort_index()
    change = (both["now"] - both["before"]).abs().sort_values(ascending=False, kind="stable")
    expected = [(LABELS[key], f"{int(both.loc[key, 'now']):,}") for key in change.index[:3]]
    assert [(label, value) for label, value, _ in analyst[0].kpis[1:]] == expected


# Draws its charts with Debian's chromium.
@pytest.mark.browser
def test_trend_charts_and_small_multiples_for_two_countries(analyst):
    made, drawn = analyst[0], analyst[1]
    assert len(made.trend_charts) == 2
    assert all(png.startswith(b"\x89PNG") for _, png in made.trend_charts)
    panels = [trace.name for trace in drawn["figures"][1].data]
    assert sorted(panels) == ["Moldova", "Ukraine"]


def test_hotspot_map_title_starts_with_the_marking(analyst):
    made, drawn = analyst[0], analyst[1]
    assert drawn["map_titles"] == [
        [
            DEFAULT_MARKING,
            "Hot and cold spots of incidents per 100,000 inhabitants, Nov 2025 – Oct 2026",
            "Moldova, Ukraine · All crime types",
            "DEMO — synthetic data, not real incidents",
        ]
    ]
    caption, png = made.hotspot_map
    assert png.startswith(b"\x89PNG")
    assert caption.startswith(
        "Hot and cold spots of incidents per 100,000 inhabitants by region, Nov 2025 – Oct 2026"
    )
    assert "Getis-Ord Gi*" in caption


def test_alerts_are_the_early_warning_list_of_the_selected_area(analyst, demo_store_path):
    store = Store(demo_store_path)
    listed = early_warning(store)
    listed = listed[listed["country"].isin(["MD", "UA"])].head(10)
    expected = alerts_table(listed.assign(rank=range(1, len(listed) + 1)), load_regions(), LABELS)
    pd.testing.assert_frame_equal(analyst[0].alerts, expected)
    assert list(analyst[0].alerts.columns) == list(ALERT_COLUMNS)


def test_forecasts_sum_the_next_six_months(analyst, demo_store_path):
    from threatmon.errors import TooFewPeriodsError

    table = analyst[0].forecasts
    assert list(table.columns)[:2] == ["crime type", "area"]
    assert list(table.columns)[3:] == ["80 % range", "model"]
    # Two countries: the forecast is of all countries. The total counts a month only when
    # every country that reports the crime type reported it (no data is not zero); in
    # the small demo's sparse daily rows that may be never, and then it is not forecast.
    try:
        found = forecast_for(
            Store(demo_store_path), Selection(None, None, ("migrant_smuggling",)), 6
        ).result
    except TooFewPeriodsError:
        assert "Migrant smuggling" not in table["crime type"].tolist()
        notes = " ".join(analyst[0].notes)
        assert "nothing was reported for them: Migrant smuggling" in notes
        return
    assert set(table["area"]) == {"All project countries"}
    mean, low, high = (found.forecast[c].sum() for c in ("mean", "lower_80", "upper_80"))
    row = table.iloc[0]

    def shown(value: float) -> str:  # one decimal below 100, whole numbers from 100
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"

    assert row[table.columns[2]] == shown(mean)
    assert row["80 % range"] == f"{shown(low)} – {shown(high)}"
    # Named as the Forecasts page names them (the catalogue's model.*).
    assert row["model"] in {ENGLISH.model(name) for name in MODEL_NAMES}


def test_sources_name_each_load_the_demo_seed_and_the_reference_data(analyst, demo_store_path):
    store = Store(demo_store_path)
    batches = store.batches().sort_values("batch_id")
    # The rows a load still has active: the demo's revision superseded one month of another.
    active = store.query(
        "SELECT batch_id, count(*) AS n FROM incidents GROUP BY batch_id "
        "UNION ALL SELECT batch_id, count(*) FROM flows GROUP BY batch_id"
    ).set_index("batch_id")["n"]
    loaded = batches.set_index("batch_id")["rows_loaded"]
    assert (active.reindex(loaded.index) < loaded).sum() == 1
    lines = list(analyst[0].sources)
    for row, line in zip(batches.itertuples(), lines, strict=False):
        assert line == (
            f"Batch {row.batch_id}, {row.kind}: {row.file_name}; loaded "
            f"{row.loaded_at:%Y-%m-%d %H:%M}; {active[row.batch_id]:,} rows; "
            f"{row.first_date:%Y-%m-%d} to {row.last_date:%Y-%m-%d}."
        )
    assert lines[len(batches) :] == ["Synthetic demo data (seed 7).", *REFERENCE_SOURCES]


def test_building_writes_nothing_beside_the_store(analyst, demo_store_path):
    _, _, before, after = analyst
    assert after == before
    assert not cache_root(Store(demo_store_path)).exists()


def test_pdf_sections_come_in_order_with_the_marking_on_every_page(analyst_pdf):
    pages = _pages(analyst_pdf)
    lines = [line.strip() for page in pages for line in page.splitlines()]
    positions = [lines.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    for number, text in enumerate(pages, start=1):
        page_lines = [line.strip() for line in text.splitlines()]
        assert page_lines[0] == page_lines[-1] == DEFAULT_MARKING, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text


def test_pdf_pages_draw_the_banner_top_and_bottom(analyst_pdf):
    for number, page in enumerate(pdfium.PdfDocument(analyst_pdf), start=1):
        image = page.render(scale=0.5).to_pil().convert("RGB")
        for y in (3, image.height - 3):
            assert image.getpixel((5, y)) == BANNER, f"page {number}, y={y}"
        body = image.crop((0, 30, image.width, image.height - 60)).convert("L")
        assert body.getextrema()[0] < 128, f"page {number} looks blank"


# -- the viewer's briefing -----------------------------------------------------------------------


def _without_table_and_note(pdf: bytes, note: str) -> str:
    flat = _flat("\n".join(_pages(pdf)))
    start = flat.index(SENSITIVE_HEADING + " quarter")  # the heading, then the table's head
    end = flat.index("Data sources", start)
    assert _flat(note) in flat
    return (flat[:start] + flat[end:]).replace(_flat(note), "")


@pytest.mark.slow
def test_viewer_pdf_names_withheld_types_only_in_their_table_and_note(viewer, viewer_pdf):
    made = viewer[0]
    note = made.notes[0]
    assert note.startswith("Human trafficking and child sexual exploitation are left out")
    rest = _without_table_and_note(viewer_pdf, note).lower()
    for word in [*SENSITIVE_LABELS, *SENSITIVE_TYPES]:
        assert word.lower() not in rest, word
    table = _flat("\n".join(_pages(viewer_pdf)))
    assert all(label in table for label in SENSITIVE_LABELS)


# Draws its charts with Debian's chromium.
@pytest.mark.browser
def test_viewer_charts_and_map_show_no_withheld_type(viewer):
    made, drawn = viewer
    assert len(made.trend_charts) == 1  # one country: no small multiples
    names = {trace.name for figure in drawn["figures"] for trace in figure.data}
    assert names and not names & set(SENSITIVE_LABELS)
    (title,) = drawn["map_titles"]
    assert title[0] == DEFAULT_MARKING
    assert title[2] == "Moldova · All crime types except the sensitive ones (see Notes)"


def test_viewer_key_figures_leave_the_withheld_types_out(viewer, demo_store_path):
    visible = [key for key in LABELS if key not in SENSITIVE_TYPES]
    filters = Filters(countries=("MD",), crime_types=visible)
    now = int(_totals(Store(demo_store_path), filters, CURRENT)["count"].sum())
    shown = f"{now:,}" if now else "no data"  # nothing reported throughout: never 0
    assert viewer[0].kpis[0][:2] == ("Total incidents", shown)


def test_viewer_forecasts_every_visible_type_of_the_one_country(viewer):
    table = viewer[0].forecasts
    assert table["crime type"].tolist() == [
        ct.label for ct in CRIME_TYPES if ct.key not in SENSITIVE_TYPES
    ]
    assert set(table["area"]) == {"Moldova"}


def test_alerts_passed_in_are_cut_to_what_the_reader_may_see(viewer):
    alerts = viewer[0].alerts
    assert alerts[["rank", "region", "crime type", "kind"]].values.tolist() == [
        ["1", "Chișinău (MD)", "Migrant smuggling", "surge"],
        ["2", "Cahul (MD)", "Firearms trafficking", "above forecast"],
    ]


def test_viewer_sources_count_only_visible_rows(viewer, demo_store_path):
    store = Store(demo_store_path, withheld=SENSITIVE_TYPES)
    rows = int(store.aggregate(by=(), freq=None, measure="records")["records"].sum())
    lines = [line for line in viewer[0].sources if ", incidents: demo-" in line]
    assert len(lines) == 4  # the demo's incident loads
    assert sum(int(line.split("; ")[-2].split()[0].replace(",", "")) for line in lines) == rows


def test_viewer_gets_the_whole_suppressed_table(viewer, viewer_pdf):
    ((heading, table),) = viewer[0].extra_tables
    assert heading == SENSITIVE_HEADING
    assert list(table.columns) == ["quarter", "country", *SENSITIVE_LABELS, "Total"]
    assert len(table) == 4 * 11  # four quarters of ten countries and a total row
    assert table["quarter"].iloc[0] == "2026Q3"
    cells = {str(cell) for label in SENSITIVE_LABELS for cell in table[label]}
    assert all(cell.isdigit() or cell in ("<5", "c", "no data") for cell in cells)
    assert {"<5", "c"} <= cells
    assert "First" not in _flat("\n".join(_pages(viewer_pdf)))  # nothing cut off


# -- smaller cases -------------------------------------------------------------------------------


def test_alerts_table_reads_like_a_sentence_list():
    table = alerts_table(_alert_rows().head(1), load_regions(), LABELS)
    assert table.to_dict(orient="records") == [
        {
            "rank": "1",
            "kind": "surge",
            "region": "Chișinău (MD)",
            "crime type": "Migrant smuggling",
            "month": "Oct 2026",
            "count": "12",
            "expected": "3.4",
            "sentence": "MD-CU: 12 migrant smuggling incidents in October 2026.",
        }
    ]


def test_a_failed_chart_leaves_a_note_and_the_rest(demo_store_path, monkeypatch):
    """One region: no hot spot test, a one-region forecast; and Chromium fails."""

    def broken(figure, **options):
        raise ChartExportError("Chromium not found or not executable at '/nowhere'.")

    monkeypatch.setattr(content, "figure_png", broken)
    with pytest.warns(RuntimeWarning, match="Trend charts left out"):
        made = briefing_content(
            Store(demo_store_path),
            Filters(regions=("MD-CU",), crime_types=("migrant_smuggling",)),
            generated_at=GENERATED,
        )
    assert list(made.trend_charts) == []
    assert any(n.startswith("The trend charts could not be drawn: Chromium") for n in made.notes)
    assert "No hot spot test: A hotspot analysis needs at least 3 regions" in made.hotspot_map[0]
    assert made.forecasts[["crime type", "area"]].values.tolist() == [
        ["Migrant smuggling", "Chișinău (MD-CU)"]
    ]
    assert made.title == "Threat Monitor briefing: Chișinău (MD-CU)"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"filters": Filters(crime_types=("human_trafficking",)), "viewer": True},
            FilterError,
            "Invalid filter: crime types withheld from this reader: human_trafficking.",
        ),
        (
            {"forecast_crime_types": ("arson",)},
            ValueError,
            "`forecast_crime_types` holds an unknown crime type. Got 'arson'.",
        ),
        (
            {"forecast_crime_types": ("human_trafficking",), "viewer": True},
            ValueError,
            "`forecast_crime_types` holds a crime type withheld from this reader. "
            "Got 'human_trafficking'.",
        ),
        (
            {"horizon": 0},
            ValueError,
            "`horizon` must be an integer of at least 1. Got 0.",
        ),
        (
            {"top_alerts": -1},
            ValueError,
            "`top_alerts` must be an integer of at least 0. Got -1.",
        ),
    ],
    ids=["withheld-filter", "unknown-forecast-type", "withheld-forecast-type", "horizon", "top"],
)
def test_bad_arguments_are_refused_before_any_work(demo_store_path, kwargs, error, message):
    kwargs = dict(kwargs)
    store = Store(demo_store_path, withheld=SENSITIVE_TYPES if kwargs.pop("viewer", False) else ())
    filters = kwargs.pop("filters", Filters())
    with pytest.raises(error) as caught:
        briefing_content(store, filters, **kwargs)
    assert str(caught.value) == message


def test_sensitive_source_must_be_the_same_file_without_a_scope(demo_store_path):
    """The suppressed table's pattern is the all-country one, cut to the reader's scope."""
    store = Store(demo_store_path, scope=("MD",), withheld=SENSITIVE_TYPES)
    scoped = Store(demo_store_path, scope=("MD",))
    with pytest.raises(ValueError) as caught:
        briefing_content(store, Filters(), sensitive_source=scoped)
    assert str(caught.value) == (
        "`sensitive_source` must be the same store file as `store`, with no country scope "
        f"and withholding nothing. Got {scoped!r} for {store!r}."
    )


def test_progress_is_reported_with_rising_fractions(analyst):
    steps = analyst[1]["progress"]
    fractions = [fraction for fraction, _ in steps]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(set(fractions))
    assert all(isinstance(message, str) and message for _, message in steps)
    assert steps[-1][1] == "Briefing ready"


def test_the_change_table_ranks_covered_regions_of_the_selection(analyst, analyst_pdf):
    made = analyst[0]
    table = made.changes
    assert list(table.columns) == ["", "region", "crime type", "before", "now", "change",
                                   "level", "more than chance?"]  # fmt: skip
    assert set(table[""]) <= {"rise", "fall"} and len(table) <= 10
    assert all(region.endswith(("(MD)", "(UA)")) for region in table["region"])
    rises = table[table[""] == "rise"]
    changes = [int(text.split(" ")[0].replace(",", "")) for text in rises["change"]]
    assert changes == sorted(changes, reverse=True) and all(c > 0 for c in changes)
    assert any(note.startswith("Largest changes: the 5 largest rises") for note in made.notes)
    assert "Largest changes, region × crime type" in _flat(" ".join(_pages(analyst_pdf)))
