"""Real statistics releases load with their true period and level: yearly national tables
by ICCS code, monthly tables by raion with zeros, quarterly tables by article, weekly
tables, periods given by their two ends; mixed granularities and repeated figures are
refused. Fixtures are small inline files shaped like Eurostat's crim_off_cat and the
Ukrainian prosecutors' Form 1 (never copies)."""

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_loaders.figures import REPEATED_FIGURE_HINT, ZERO_DAY_HINT
from data_loaders.ingest import IngestOptions, ingest_file
from data_loaders.normalise.periods import NOT_A_CALENDAR_PERIOD
from threatmon.errors import Problem
from threatmon.granularity import period_end, period_label, period_start
from threatmon.store.reader import Store

D = dt.date


def load(tmp_path, text: str, name: str = "figures.csv", **options):
    """Load ``text`` into a fresh store; the result and the store."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "store.duckdb"
    result = ingest_file(path, user="ana", db=db, options=IngestOptions(**options))
    return result, Store(db)


def stored(store: Store, batch_id: int) -> pd.DataFrame:
    frame = store.query(
        "SELECT date, period_end, granularity, level, country, region_code, crime_type, count "
        "FROM incidents WHERE batch_id = ? ORDER BY date, country, region_code, crime_type",
        [int(batch_id)],
    )
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.date
    return frame


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame[list(columns)].itertuples(index=False)
    ]


# -- the real forms ------------------------------------------------------------------------------

# Eurostat crim_off_cat in long form: country, ICCS code, year, offences (with real zeros).
YEARLY_ICCS = (
    "year,geo,iccs,offences\n"
    "2021,RO,ICCS0601,4987\n"
    "2021,RO,ICCS08051,0\n"
    "2022,RO,ICCS0601,5120\n"
    "2022,RO,ICCS08051,12\n"
    "2022,RO,ICCS0101,304\n"
)


def test_a_yearly_national_table_by_iccs_code_keeps_its_zeros(tmp_path):
    result, store = load(tmp_path, YEARLY_ICCS, skip_out_of_scope=True)
    assert result.status == "loaded", result.problems
    assert (result.granularity, result.level) == ("year", {"admin1": 0, "national": 4})
    assert result.date_format == "yyyy (years)"
    assert result.columns == {
        "year": "date",
        "geo": "country",
        "iccs": "crime_type",
        "offences": "count",
    }
    figures = stored(store, result.batch_id)
    assert (
        rows(figures, "date", "period_end", "granularity", "level", "region_code")
        == [(D(2021, 1, 1), D(2021, 12, 31), "year", "national", None)] * 2
        + [(D(2022, 1, 1), D(2022, 12, 31), "year", "national", None)] * 2
    )
    assert rows(figures, "crime_type", "count") == [
        ("drug_trafficking", 4987),
        ("migrant_smuggling", 0),
        ("drug_trafficking", 5120),
        ("migrant_smuggling", 12),
    ]


# A national police's monthly table by raion; the row that names the country is national.
MONTHLY_RAION = (
    "date,country,raion,crime,count\n"
    "2025-06,MD,Cahul,Migrant smuggling,0\n"
    "2025-06,MD,Ungheni,Migrant smuggling,3\n"
    "2025-06,MD,Republica Moldova,Migrant smuggling,7\n"
    "2025-07,MD,Cahul,Migrant smuggling,1\n"
    "2025-07,MD,Ungheni,Migrant smuggling,0\n"
    "2025-07,MD,,Migrant smuggling,4\n"
)


def test_a_monthly_table_by_raion_with_zeros_and_national_rows(tmp_path):
    result, store = load(tmp_path, MONTHLY_RAION)
    assert result.status == "loaded", result.problems
    assert (result.granularity, result.level) == ("month", {"admin1": 4, "national": 2})
    assert result.rows_loaded == 6
    figures = stored(store, result.batch_id)
    assert rows(figures, "date", "period_end", "level", "region_code", "count") == [
        (D(2025, 6, 1), D(2025, 6, 30), "admin1", "MD-CA", 0),
        (D(2025, 6, 1), D(2025, 6, 30), "admin1", "MD-UN", 3),
        (D(2025, 6, 1), D(2025, 6, 30), "national", None, 7),
        (D(2025, 7, 1), D(2025, 7, 31), "admin1", "MD-CA", 1),
        (D(2025, 7, 1), D(2025, 7, 31), "admin1", "MD-UN", 0),
        (D(2025, 7, 1), D(2025, 7, 31), "national", None, 4),
    ]


# Prosecutors' figures by article: 305 and 307 are both drug trafficking (one figure).
QUARTERLY_ARTICLES = (
    "date,country,article,count\n"
    "2025-Q1,UA,332,412\n"
    "2025-Q1,UA,149,0\n"
    "2025-Q1,UA,305,38\n"
    "2025-Q1,UA,307,1250\n"
    "Q2 2025,UA,332,398\n"
    "Q2 2025,UA,149,7\n"
    "Q2 2025,UA,305,41\n"
    "Q2 2025,UA,307,1302\n"
)


def test_a_quarterly_national_table_by_article_adds_up_the_articles_of_one_crime_type(
    tmp_path,
):
    result, store = load(tmp_path, QUARTERLY_ARTICLES, crosswalk="ua-cc")
    assert result.status == "loaded", result.problems
    assert (result.granularity, result.level) == ("quarter", {"admin1": 0, "national": 8})
    assert (result.rows_to_load, result.parts, result.rows_loaded) == (8, 2, 6)
    assert result.message == (
        "Loaded 6 rows as batch 1. 2 rows were added into another row of the same crime "
        "type, place and period (categories that share a crime type are parts of one figure)."
    )
    figures = stored(store, result.batch_id)
    assert rows(figures, "date", "period_end", "crime_type", "count") == [
        (D(2025, 1, 1), D(2025, 3, 31), "drug_trafficking", 1288),
        (D(2025, 1, 1), D(2025, 3, 31), "human_trafficking", 0),
        (D(2025, 1, 1), D(2025, 3, 31), "migrant_smuggling", 412),
        (D(2025, 4, 1), D(2025, 6, 30), "drug_trafficking", 1343),
        (D(2025, 4, 1), D(2025, 6, 30), "human_trafficking", 7),
        (D(2025, 4, 1), D(2025, 6, 30), "migrant_smuggling", 398),
    ]


def test_a_weekly_table_reads_iso_weeks(tmp_path):
    text = (
        "date,country,region,crime_type,count\n"
        "2026-W01,MD,MD-CA,migrant_smuggling,1\n"
        "2026-W01,MD,MD-UN,migrant_smuggling,0\n"
        "2026W02,MD,MD-CA,migrant_smuggling,2\n"
    )
    result, store = load(tmp_path, text)
    assert result.status == "loaded", result.problems
    assert result.granularity == "week"
    assert rows(stored(store, result.batch_id), "date", "period_end", "count") == [
        (D(2025, 12, 29), D(2026, 1, 4), 1),
        (D(2025, 12, 29), D(2026, 1, 4), 0),
        (D(2026, 1, 5), D(2026, 1, 11), 2),
    ]


def test_periods_given_by_their_two_ends(tmp_path):
    text = (
        "from,to,country,crime_type,count\n"
        "2025-04-01,2025-06-30,MD,migrant_smuggling,12\n"
        "2025-07-01,2025-09-30,MD,migrant_smuggling,0\n"
    )
    result, store = load(tmp_path, text)
    assert result.status == "loaded", result.problems
    assert result.columns["from"] == "date" and result.columns["to"] == "period_end"
    assert result.granularity == "quarter"
    assert rows(stored(store, result.batch_id), "date", "period_end", "granularity") == [
        (D(2025, 4, 1), D(2025, 6, 30), "quarter"),
        (D(2025, 7, 1), D(2025, 9, 30), "quarter"),
    ]


def test_two_ends_that_are_no_calendar_period_are_a_problem_of_the_row(tmp_path):
    text = (
        "period_start,period_end,country,crime_type,count\n"
        "2025-06-02,2025-06-08,MD,migrant_smuggling,1\n"
        "2025-06-03,2025-06-09,MD,migrant_smuggling,1\n"
    )
    result, _ = load(tmp_path, text)
    assert result.status == "rejected"
    assert result.problems == (Problem(3, "period_end", "2025-06-09", NOT_A_CALENDAR_PERIOD),)


# -- what is refused -----------------------------------------------------------------------------


def test_a_file_mixing_granularities_is_refused_with_one_problem(tmp_path):
    text = (
        "date,country,region,crime_type,count\n"
        "2025-06,MD,Cahul,migrant_smuggling,0\n"
        "2025-07,MD,Cahul,migrant_smuggling,2\n"
        "2025,MD,Cahul,migrant_smuggling,9\n"
        "2025-06-14,MD,Cahul,migrant_smuggling,1\n"
    )
    result, store = load(tmp_path, text)
    assert result.status == "rejected"
    assert result.granularity is None
    assert result.date_format == "mixed: yyyy (years), yyyy-mm (months) and yyyy-mm-dd (ISO)"
    assert result.problems == (
        Problem(
            None,
            "date",
            None,
            "The rows stand for periods of different lengths: months (e.g. '2025-06' on "
            "line 2), years (e.g. '2025' on line 4) and days (e.g. '2025-06-14' on line 5). "
            "A file holds one granularity: load the rows of each in a file of its own.",
        ),
    )
    assert not store.exists() or store.batches().empty


def test_a_year_is_never_an_excel_serial(tmp_path):
    text = (
        "year,country,crime_type,count\n2022,MD,migrant_smuggling,3\n1905,MD,drug_trafficking,1\n"
    )
    result, _ = load(tmp_path, text)
    assert result.problems == (
        Problem(
            3,
            "date",
            "1905",
            "A year outside 2000 to 2100; a four-digit number is read as a year, never as an "
            "Excel serial date.",
        ),
    )
    valid, store = load(tmp_path, text.splitlines(keepends=True)[0] + text.splitlines()[1] + "\n")
    assert valid.status == "loaded"
    assert rows(stored(store, valid.batch_id), "date", "granularity") == [(D(2022, 1, 1), "year")]


def test_xlsx_with_numeric_year_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["year", "country", "iccs", "offences"])
    sheet.append([2021, "PL", "ICCS0601", 17_512])
    sheet.append([2022.0, "PL", "ICCS0601", 16_940])  # a float column, as pandas writes it
    sheet.append([2022, "PL", "ICCS0903", 0])
    path = tmp_path / "pl.xlsx"
    book.save(path)
    db = tmp_path / "store.duckdb"
    result = ingest_file(path, user="ana", db=db)
    assert result.status == "loaded", result.problems
    assert result.granularity == "year"
    assert rows(stored(Store(db), result.batch_id), "date", "crime_type", "count") == [
        (D(2021, 1, 1), "drug_trafficking", 17_512),
        (D(2022, 1, 1), "cybercrime", 0),
        (D(2022, 1, 1), "drug_trafficking", 16_940),
    ]


def test_a_figure_given_twice_is_refused_with_its_lines(tmp_path):
    text = MONTHLY_RAION + "2025-06,MD,Cahul,Migrant smuggling,2\n"
    result, _ = load(tmp_path, text)
    assert result.problems == (
        Problem(
            8,
            "date",
            "2025-06",
            "The same country, region, category and period as line 2.",
            REPEATED_FIGURE_HINT,
        ),
    )


def test_a_days_count_is_at_least_one_and_a_zero_gets_the_hint(tmp_path):
    text = "date,country,region,crime_type,count\n2025-06-14,MD,Cahul,migrant_smuggling,0\n"
    result, _ = load(tmp_path, text)
    assert result.problems == (Problem(2, "count", "0", "Value is below 1.", ZERO_DAY_HINT),)


def test_figures_a_release_does_not_have_are_left_out_as_not_reported(tmp_path):
    # Eurostat writes ":" for a figure it does not have; other offices "..", "n/a" or nothing.
    text = (
        "year,geo,iccs,offences\n"
        "2021,RO,ICCS0601,4987\n"
        "2021,HU,ICCS0601,:\n"
        "2021,LV,ICCS0601,..\n"
        "2021,EE,ICCS0601,\n"
        "2021,LT,ICCS0601,N/A\n"
        "2021,PL,ICCS0601,0\n"
    )
    result, store = load(tmp_path, text)
    assert result.status == "loaded"
    assert (result.rows_loaded, result.not_reported) == (2, 4)
    assert result.message == (
        "Loaded 2 rows as batch 1. 4 rows give no value (not reported) and were left out: "
        "those places and periods are no data, not 0."
    )
    assert rows(stored(store, 1), "country", "count") == [("PL", 0), ("RO", 4987)]
    assert result.to_json()["not_reported"] == 4
    covered = {record["country"] for record in store.coverage_cells().to_dict("records")}
    assert covered == {"PL", "RO"}


def test_a_days_empty_count_is_still_a_problem_not_a_figure_left_out(tmp_path):
    text = "date,country,region,crime_type,count\n2025-06-14,MD,Cahul,migrant_smuggling,\n"
    result, _ = load(tmp_path, text)
    assert result.problems == (Problem(2, "count", None, "Value is missing."),)


def test_a_national_file_needs_its_country_column(tmp_path):
    result, _ = load(tmp_path, "year,crime_type,count\n2025,migrant_smuggling,3\n")
    assert result.problems == (
        Problem(
            None,
            "country",
            None,
            "Required column 'country' is missing.",
        ),
    )


def test_another_countrys_name_in_the_region_column_is_a_problem(tmp_path):
    text = "year,country,region,crime_type,count\n2025,MD,Romania,migrant_smuggling,3\n"
    result, _ = load(tmp_path, text)
    assert result.problems == (
        Problem(
            2,
            "region_code",
            "Romania",
            "Romania (RO) is a country, not a region of Moldova.",
            "Leave the region empty for a national figure of the row's country.",
        ),
    )


def test_a_flow_file_stays_daily(tmp_path):
    text = "date,country,arrivals\n2025-06,PL,1200\n"
    result, _ = load(tmp_path, text, kind="flows")
    assert [(p.row, p.column, p.reason) for p in result.problems] == [
        (2, "date", "Flows are counted per day: write the day (2026-01-15), not a period.")
    ]


def test_a_dry_run_reports_granularity_and_levels(tmp_path):
    path = tmp_path / "monthly.csv"
    path.write_text(MONTHLY_RAION, encoding="utf-8")
    result = ingest_file(path, user="ana", db=tmp_path / "none.duckdb", dry_run=True)
    assert result.status == "valid"
    assert result.to_json()["granularity"] == "month"
    assert result.to_json()["level"] == {"admin1": 4, "national": 2}


# -- any spelling, the same totals ---------------------------------------------------------------

_SPELLINGS = {
    "day": [lambda d: f"{d:%Y-%m-%d}", lambda d: f"{d:%d.%m.%Y}"],
    "week": [lambda d: period_label(d, "week"), lambda d: period_label(d, "week").replace("-", "")],
    "month": [
        lambda d: f"{d:%Y-%m}",
        lambda d: f"{d.year}M{d:%m}",
        lambda d: f"{d:%m/%Y}",
        lambda d: f"{d:%B %Y}",
    ],
    "quarter": [
        lambda d: f"{d.year}-Q{(d.month + 2) // 3}",
        lambda d: f"Q{(d.month + 2) // 3} {d.year}",
    ],
    "year": [lambda d: f"{d.year}", lambda d: f"{d.year}.0"],
}
PLACES = ("Cahul", "Ungheni", "MD-CU", "", "Republica Moldova")
CRIMES = ("migrant_smuggling", "human_trafficking", "Smuggling of migrants", "ICCS0601")


@st.composite
def tables(draw):
    granularity = draw(st.sampled_from(sorted(_SPELLINGS)))
    spelling = draw(st.sampled_from(_SPELLINGS[granularity]))
    days = draw(st.lists(st.dates(D(2001, 1, 1), D(2099, 12, 1)), min_size=1, max_size=4))
    starts = sorted({period_start(day, granularity) for day in days})
    least = 1 if granularity == "day" else 0
    cells = draw(
        st.lists(
            st.tuples(
                st.sampled_from(starts),
                st.sampled_from(PLACES),
                st.sampled_from(CRIMES),
                st.integers(least, 900),
            ),
            min_size=1,
            max_size=25,
        )
    )
    # One row per figure (the national row is written empty or as the country's name).
    seen, figures = set(), []
    for start, place, crime, count in cells:
        key = (start, place or "Republica Moldova", crime)
        if granularity != "day" and key in seen:
            continue
        seen.add(key)
        figures.append((start, place, crime, count))
    return granularity, spelling, figures


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables())
def test_any_spelling_of_the_periods_loads_the_same_totals(table):
    granularity, spelling, figures = table
    lines = ["date,country,region,crime,count"]
    lines += [f"{spelling(s)},MD,{p},{c},{n}" for s, p, c, n in figures]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        db = Path(folder) / "store.duckdb"
        result = ingest_file(path, user="ana", db=db)
        assert result.status == "loaded", result.problems
        assert result.granularity == granularity
        national = sum(1 for _, place, _, _ in figures if place in ("", "Republica Moldova"))
        assert result.level == {"admin1": len(figures) - national, "national": national}
        totals = Store(db).query(
            "SELECT date, any_value(period_end) AS period_end, sum(count) AS count "
            "FROM incidents GROUP BY date ORDER BY date"
        )
    expected: dict[dt.date, int] = {}
    for start, _, _, count in figures:
        expected[start] = expected.get(start, 0) + count
    assert [
        (day.date(), end.date(), int(n))
        for day, end, n in zip(
            pd.to_datetime(totals["date"]),
            pd.to_datetime(totals["period_end"]),
            totals["count"],
            strict=True,
        )
    ] == [(start, period_end(start, granularity), n) for start, n in sorted(expected.items())]
