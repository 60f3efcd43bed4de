"""Calendar periods: months, whole-month windows, dense monthly series, the default period."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import sparse_monthly
from threatmon.periods import complete_months, default_period, last_complete_months, month_starts


@pytest.fixture
def monthly():
    return sparse_monthly()


def test_month_starts_inclusive():
    assert list(month_starts("2024-11-15", "2025-02-03").strftime("%Y-%m")) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert len(month_starts("2025-02-01", "2025-01-01")) == 0


@pytest.mark.parametrize(
    ("last", "months", "expected"),
    [
        ("2026-10-31", 12, (dt.date(2025, 11, 1), dt.date(2026, 10, 31))),
        ("2026-10-30", 12, (dt.date(2025, 10, 1), dt.date(2026, 9, 30))),
        ("2024-02-29", 1, (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        ("2025-01-15", 2, (dt.date(2024, 11, 1), dt.date(2024, 12, 31))),
    ],
)
def test_last_complete_months(last, months, expected):
    assert last_complete_months(last, months) == expected


def test_last_complete_months_rejects_zero():
    with pytest.raises(ValueError, match=r"`months` must be an integer greater than 0. Got 0."):
        last_complete_months("2026-10-31", 0)


def test_complete_months_fills_zeros(monthly):
    """Every month of the range, for every crime type, zeros where nothing was recorded."""
    before = monthly.copy()
    out = complete_months(monthly, "2024-12-01", "2025-02-28", ["crime_type"])
    pd.testing.assert_frame_equal(monthly, before)
    assert list(out.columns) == ["period", "crime_type", "count"]
    assert out["count"].tolist() == [0, 7, 0, 2, 0, 5]
    assert out["crime_type"].tolist() == ["drug_trafficking"] * 3 + ["migrant_smuggling"] * 3
    assert out["count"].dtype == "int64"


def test_complete_months_with_categories_and_empty_input(monthly):
    out = complete_months(
        monthly[:0],
        "2025-01-01",
        "2025-02-01",
        ["crime_type"],
        categories={"crime_type": ["terrorism"]},
    )
    assert out.to_dict("list") == {
        "period": [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")],
        "crime_type": ["terrorism", "terrorism"],
        "count": [0, 0],
    }


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("2021-01-01", "2026-10-31", ("2025-11-01", "2026-10-31")),
        ("2021-01-01", "2026-10-30", ("2025-10-01", "2026-09-30")),
        ("2026-03-15", "2026-10-31", ("2026-03-01", "2026-10-31")),
        ("2026-10-03", "2026-10-20", ("2026-10-01", "2026-10-31")),
    ],
    ids=["whole-last-month", "last-month-incomplete", "short-data", "under-a-month"],
)
def test_default_period(first, last, expected):
    got = default_period(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    assert got == tuple(dt.date.fromisoformat(day) for day in expected)


@settings(deadline=None)  # the first example imports Streamlit
@given(
    first=st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
    days=st.integers(0, 3000),
    months=st.integers(1, 36),
)
def test_default_period_is_the_dashboards(first, days, months):
    """The same months as the sidebar's default (ui.filters shows them as ``YYYY-MM``)."""
    from ui.filters import default_period as dashboard_period

    last = first + dt.timedelta(days=days)
    start, end = default_period(first, last, months)
    assert (f"{start:%Y-%m}", f"{end:%Y-%m}") == dashboard_period(first, last, months)
    assert start.day == 1 and (end + dt.timedelta(days=1)).day == 1


def _store_of(tmp_path, frame):
    from threatmon.store.reader import Store
    from threatmon.store.writer import write_session

    path = tmp_path / "periods.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="rows.csv", sha256="p" * 64)
    return Store(path)


def test_a_monthly_tables_last_month_is_the_latest_complete_month(tmp_path):
    """A monthly table dated by the first of the month keeps its last month."""
    from threatmon.periods import latest_reported_day

    months = ["2025-04-01", "2025-05-01", "2025-06-01"]
    store = _store_of(
        tmp_path,
        pd.DataFrame(
            {
                "date": months,
                "period_end": [pd.Timestamp(m) + pd.offsets.MonthEnd(0) for m in months],
                "country": "MD",
                "region_code": "MD-CA",
                "crime_type": "drug_trafficking",
                "count": [3, 0, 2],
            }
        ),
    )
    assert last_complete_months(store.coverage()["last"], 1) == (
        dt.date(2025, 6, 1),
        dt.date(2025, 6, 30),
    )
    latest = latest_reported_day(store.coverage_cells())
    assert latest == dt.date(2025, 6, 30)
    assert last_complete_months(latest, 1)[0] == dt.date(2025, 6, 1)
    assert default_period(store.coverage()["first"], latest) == (
        dt.date(2025, 4, 1),
        dt.date(2025, 6, 30),
    )


def test_a_daily_extract_ending_mid_month_leaves_the_month_before(tmp_path):
    from threatmon.periods import latest_reported_day

    store = _store_of(
        tmp_path,
        pd.DataFrame(
            {
                "date": ["2025-04-03", "2025-05-20", "2025-06-10"],
                "country": "MD",
                "region_code": "MD-CA",
                "crime_type": "drug_trafficking",
                "count": [1, 1, 1],
            }
        ),
    )
    assert last_complete_months(store.coverage()["last"], 1)[0] == dt.date(2025, 5, 1)
    latest = latest_reported_day(store.coverage_cells())
    assert latest == dt.date(2025, 6, 10)
    assert last_complete_months(latest, 1) == (dt.date(2025, 5, 1), dt.date(2025, 5, 31))


def test_a_yearly_figure_does_not_extend_the_latest_month(tmp_path):
    """A yearly national figure for 2025 beside monthly tables to June: June is the latest
    complete month, not December (which nobody reported month by month)."""
    from threatmon.periods import latest_reported_day

    store = _store_of(
        tmp_path,
        pd.DataFrame(
            {
                "date": ["2025-06-01", "2025-01-01"],
                "period_end": ["2025-06-30", "2025-12-31"],
                "granularity": ["month", "year"],
                "country": ["MD", "RO"],
                "region_code": ["MD-CA", None],
                "crime_type": "drug_trafficking",
                "count": [3, 40],
            }
        ),
    )
    assert store.coverage()["last"] == dt.date(2025, 12, 31)
    assert latest_reported_day(store.coverage_cells()) == dt.date(2025, 6, 30)
    cells = store.coverage_cells()
    assert latest_reported_day(cells[cells["granularity"] == "year"]) is None
