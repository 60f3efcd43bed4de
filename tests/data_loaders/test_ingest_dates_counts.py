"""Real extracts' dates and counts: the order of day and month, times of day, declared
thousands separators, and files with a header only."""

import json
import shutil

import pandas as pd
import pytest

from data_loaders.ingest import NO_DATA_ROWS, IngestOptions, ingest_file
from threatmon.errors import Problem
from threatmon.store.reader import Store

UNDECIDED = (
    "The order of day and month cannot be decided: 3 distinct slashed dates are valid both "
    "day first and month first (e.g. '01/02/2026 12:00:00 AM', '03/04/2026 12:00:00 AM'), "
    "and no date shows the order. Give the date order: dmy (day first) or mdy (month "
    "first), with --date-order or the Upload page's Date order option."
)
# An event list exported by an American system: every date is month-first, none shows it.
MONTH_FIRST_AMBIGUOUS = (
    "date,region,crime_type,count\n"
    "01/02/2026 12:00:00 AM,Cahul,migrant_smuggling,1\n"
    "03/04/2026 12:00:00 AM,Cahul,migrant_smuggling,2\n"
    "05/06/2026 3:15:00 PM,Bălți,document_fraud,1\n"
)


@pytest.fixture
def store(tmp_path, demo_store_path):
    """A private copy of the small demo store."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, path)
    return Store(path)


def write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def stored_dates(store: Store, batch_id: int) -> list[str]:
    frame = store.query(
        "SELECT date FROM incidents WHERE batch_id = ? ORDER BY date", [int(batch_id)]
    )
    return [f"{day:%Y-%m-%d}" for day in pd.to_datetime(frame["date"])]


# -- the order of day and month -----------------------------------------------------------------


def test_a_file_whose_dates_do_not_show_the_order_is_refused_with_one_problem(tmp_path, store):
    before = len(store.batches())
    result = ingest_file(
        write(tmp_path / "us.csv", MONTH_FIRST_AMBIGUOUS), user="ana", db=store.location
    )
    assert result.status == "rejected"
    assert result.problems == (Problem(None, "date", None, UNDECIDED),)
    assert result.problem_count == 1
    assert result.date_format == "dd/mm/yyyy or mm/dd/yyyy (order unknown)"
    assert len(store.batches()) == before


def test_the_undecided_order_is_reported_beside_the_other_problems(tmp_path, store):
    text = MONTH_FIRST_AMBIGUOUS.replace("Bălți", "Baltzi")
    result = ingest_file(write(tmp_path / "us.csv", text), user="ana", db=store.location)
    assert [(p.row, p.column) for p in result.problems] == [(None, "date"), (4, "region_code")]
    assert result.problem_count == 2


@pytest.mark.parametrize(
    ("order", "dates"),
    [
        ("mdy", ["2026-01-02", "2026-03-04", "2026-05-06"]),
        ("dmy", ["2026-02-01", "2026-04-03", "2026-06-05"]),
    ],
)
def test_the_date_order_option_reads_them(tmp_path, store, order, dates):
    result = ingest_file(
        write(tmp_path / "us.csv", MONTH_FIRST_AMBIGUOUS),
        user="ana",
        db=store.location,
        options=IngestOptions(date_order=order),
    )
    assert result.status == "loaded", result.problems
    assert result.to_json()["date_order"] == order
    assert stored_dates(store, result.batch_id) == dates


def test_unambiguous_dates_still_decide_without_the_option(tmp_path, store):
    text = MONTH_FIRST_AMBIGUOUS + "08/29/2026 12:00:00 AM,Cahul,migrant_smuggling,1\n"
    result = ingest_file(write(tmp_path / "us.csv", text), user="ana", db=store.location)
    assert result.status == "loaded", result.problems
    assert result.date_format == "mm/dd/yyyy (month first)"
    assert stored_dates(store, result.batch_id) == [
        "2026-01-02",
        "2026-03-04",
        "2026-05-06",
        "2026-08-29",
    ]


def test_a_date_that_contradicts_the_given_order_is_a_problem(tmp_path, store):
    text = MONTH_FIRST_AMBIGUOUS + "29/08/2026,Cahul,migrant_smuggling,1\n"
    result = ingest_file(
        write(tmp_path / "us.csv", text),
        user="ana",
        db=store.location,
        options=IngestOptions(date_order="mdy"),
    )
    assert result.problems == (
        Problem(
            5,
            "date",
            "29/08/2026",
            "Only valid as day-first (dd/mm/yyyy), but the date order given is month first (mdy).",
        ),
    )


def test_times_with_seconds_and_am_pm_keep_the_day(tmp_path, store):
    text = (
        "date,region,crime_type,count\n"
        "8/29/2026 12:00:00 AM,Cahul,migrant_smuggling,1\n"
        "2026-08-30 13:05:00,Cahul,migrant_smuggling,1\n"
        "31.08.2026 00:00,Cahul,migrant_smuggling,1\n"
    )
    result = ingest_file(write(tmp_path / "times.csv", text), user="ana", db=store.location)
    assert result.status == "loaded", result.problems
    assert stored_dates(store, result.batch_id) == ["2026-08-29", "2026-08-30", "2026-08-31"]


def test_an_unknown_date_order_or_separator_is_refused_by_the_options():
    with pytest.raises(ValueError, match=r"`date_order` is one of dmy, mdy. Got 'ymd'."):
        IngestOptions(date_order="ymd")
    with pytest.raises(
        ValueError, match=r"`thousands` is one of ',', '\.', 'space', \"'\". Got '_'."
    ):
        IngestOptions(thousands="_")


# -- thousands separators -----------------------------------------------------------------------

FLOWS = (
    "date,country,arrivals,departures\n"
    '2026-03-01,PL,"1,192","12,034"\n'
    '2026-03-02,PL,"1,234,567",0\n'
)


def test_without_the_option_a_comma_group_stays_ambiguous(tmp_path, store):
    result = ingest_file(
        write(tmp_path / "flows.csv", FLOWS),
        user="ana",
        db=store.location,
        options=IngestOptions(kind="flows"),
    )
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (2, "arrivals", "1,192"),
        (2, "departures", "12,034"),
    ]
    assert result.problems[0].reason.startswith("Value is ambiguous")


def test_a_declared_comma_reads_the_counts(tmp_path, store):
    result = ingest_file(
        write(tmp_path / "flows.csv", FLOWS),
        user="ana",
        db=store.location,
        options=IngestOptions(kind="flows", thousands=","),
    )
    assert result.status == "loaded", result.problems
    assert json.loads(json.dumps(result.to_json()))["thousands"] == ","
    frame = store.query(
        "SELECT arrivals, departures FROM flows WHERE batch_id = ? ORDER BY date",
        [result.batch_id],
    )
    assert frame.values.tolist() == [[1192, 12034], [1234567, 0]]


@pytest.mark.parametrize(
    ("thousands", "count", "victims"),
    [(".", "1.192", "2.000"), ("space", "1\u202f192", "2\u00a0000"), ("'", "1'192", "2'000")],
)
def test_each_declared_separator_reads_count_and_victims(
    tmp_path, store, thousands, count, victims
):
    text = (
        "date,region,crime_type,count,victims\n"
        f"2026-03-01,Cahul,human_trafficking,{count},{victims}\n"
    )
    result = ingest_file(
        write(tmp_path / "national.csv", text),
        user="ana",
        db=store.location,
        options=IngestOptions(thousands=thousands),
    )
    assert result.status == "loaded", result.problems
    frame = store.query(
        "SELECT count, victims FROM incidents WHERE batch_id = ?", [result.batch_id]
    )
    assert frame.values.tolist() == [[1192, 2000]]


def test_a_wrong_grouping_under_the_option_is_a_problem(tmp_path, store):
    text = 'date,region,crime_type,count\n2026-03-01,Cahul,cbrne,"1,19"\n'
    result = ingest_file(
        write(tmp_path / "bad.csv", text),
        user="ana",
        db=store.location,
        options=IngestOptions(thousands=","),
    )
    assert result.problems == (
        Problem(
            2,
            "count",
            "1,19",
            "Value has digit groups that are not thousands: ',' must separate groups of three "
            "digits.",
        ),
    )


# -- no data rows -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["date,region,crime_type,count\n", "date,region,crime_type,count\n,,,\n,,,\n"],
    ids=["header-only", "empty-rows-only"],
)
def test_a_file_without_data_rows_is_refused_and_makes_no_batch(tmp_path, store, text):
    before = len(store.batches())
    for dry_run in (True, False):
        result = ingest_file(
            write(tmp_path / "empty.csv", text), user="ana", db=store.location, dry_run=dry_run
        )
        assert result.status == "rejected"
        assert result.problems == (Problem(None, None, None, NO_DATA_ROWS),)
        assert NO_DATA_ROWS == "No data rows; nothing loaded."
        assert result.message == "Rejected: 1 problem; nothing was written."
    assert len(store.batches()) == before


def test_an_xlsx_with_a_header_only_is_refused(tmp_path, store):
    path = tmp_path / "empty.xlsx"
    pd.DataFrame(columns=["date", "region", "crime_type", "count"]).to_excel(path, index=False)
    result = ingest_file(path, user="ana", db=store.location)
    assert result.problems == (Problem(None, None, None, NO_DATA_ROWS),)
