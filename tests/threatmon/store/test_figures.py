"""Figures for days, weeks, months, quarters and years, in regions and nationwide: what each
view shows, what it says it cannot show, and a national total never added to its regions."""

import datetime as dt

import pandas as pd
import pytest

from threatmon.filters import Filters
from threatmon.store.queries import EVERYTHING, Held, aggregate_sql
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

D, C, M = "drug_trafficking", "cybercrime", "migrant_smuggling"
# date, period_end, region (None: national), crime type, count, latitude, longitude
FIGURES = [
    ("2024-01-01", "2024-12-31", None, D, 100, None, None),  # a national year
    ("2024-01-01", "2024-01-31", "MD-CU", D, 10, None, None),  # regional months
    ("2024-02-01", "2024-02-29", "MD-CU", D, 0, None, None),  # a reported zero
    ("2024-03-01", "2024-03-31", "MD-CU", D, 5, None, None),
    ("2024-01-01", "2024-01-31", "MD-BA", D, 3, None, None),
    ("2024-01-15", None, "MD-CU", C, 2, 47.0, 28.8),  # regional days
    ("2024-04-02", None, "MD-BA", C, 1, None, None),
    ("2024-05-01", None, None, C, 7, 47.1, 28.9),  # a national day
    ("2024-01-01", "2024-03-31", None, M, 30, None, None),  # national quarters
    ("2024-04-01", "2024-06-30", None, M, 25, None, None),
]
WEEK = ("2024-01-08", "2024-01-14", None, "cbrne", 4)  # Ukraine, a national ISO week


def figures() -> pd.DataFrame:
    frame = pd.DataFrame(
        FIGURES,
        columns=[
            "date",
            "period_end",
            "region_code",
            "crime_type",
            "count",
            "latitude",
            "longitude",
        ],
    ).assign(country="MD")
    week = pd.DataFrame(
        [WEEK], columns=["date", "period_end", "region_code", "crime_type", "count"]
    ).assign(country="UA")
    return pd.concat([frame, week], ignore_index=True)


@pytest.fixture(scope="module")
def store(module_store_location):
    """The figures above in one batch, on each backend."""
    with write_session(module_store_location, user="ana") as writer:
        writer.add_incidents(figures(), file_name="figures.csv", sha256="f" * 64)
    return Store(module_store_location)


def rows(frame: pd.DataFrame) -> list[list[str]]:
    """A frame as text rows (dates as ISO days), for exact comparisons."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.strftime("%Y-%m-%d")
    return out.astype(str).values.tolist()


def test_a_monthly_view_shows_days_and_months_and_a_reported_zero(store):
    assert rows(store.aggregate(by=(), freq="M")) == [
        ["2024-01-01", "15"],
        ["2024-02-01", "0"],
        ["2024-03-01", "5"],
        ["2024-04-01", "1"],
        ["2024-05-01", "7"],
    ]
    assert rows(store.aggregate(Filters(crime_types=[D]), by=(), freq="M", measure="records")) == [
        ["2024-01-01", "2"],
        ["2024-02-01", "1"],
        ["2024-03-01", "1"],
    ]


def test_a_monthly_view_says_what_it_cannot_show(store):
    assert rows(store.unshown(freq="M")) == [
        ["MD", D, "national", "year", "1", "100"],
        ["MD", M, "national", "quarter", "2", "55"],
        ["UA", "cbrne", "national", "week", "1", "4"],
    ]
    # A view of March to June still overlaps the year and both quarters.
    window = Filters(countries=["MD"], start="2024-03-01", end="2024-06-30")
    assert rows(store.unshown(window, freq="M"))[1] == ["MD", M, "national", "quarter", "2", "55"]
    assert store.unshown(freq=None).empty
    assert rows(store.unshown(Filters(countries=["MD"]), freq="Y")) == []
    assert list(store.unshown(freq="Y").columns) == [
        "country",
        "crime_type",
        "level",
        "granularity",
        "rows",
        "count",
    ]


def test_the_national_figure_is_the_total_and_its_regions_are_never_added(store):
    assert rows(store.aggregate(by=("country", "crime_type"), freq="Y")) == [
        ["2024-01-01", "MD", C, "10"],  # a national day is one incident more, not a total
        ["2024-01-01", "MD", D, "100"],  # the national year, not the months' 18
        ["2024-01-01", "MD", M, "55"],
    ]
    assert store.aggregate(by=(), freq=None)["count"].tolist() == [169]
    assert store.coverage()["incidents"] == 169
    assert store.coverage()["granularities"] == ["day", "week", "month", "quarter", "year"]


def test_a_regional_breakdown_sums_the_regions_only(store):
    assert rows(store.aggregate(by=("region_code",), freq="M")) == [
        ["2024-01-01", "MD-BA", "3"],
        ["2024-01-01", "MD-CU", "12"],
        ["2024-02-01", "MD-CU", "0"],
        ["2024-03-01", "MD-CU", "5"],
        ["2024-04-01", "MD-BA", "1"],
    ]
    assert store.aggregate(Filters(regions=["MD-CU"]), by=(), freq="Y")["count"].tolist() == [17]
    assert rows(store.points()) == [["47.0", "28.8", "2"]]


def test_what_the_regions_leave_unallocated(store):
    # National days of C are incidents beside the regions' (the total is 10), not a
    # total the regions break down: only D's yearly figure is.
    assert rows(store.not_allocated(freq="Y")) == [
        ["2024-01-01", "MD", D, "100", "18", "82"],
    ]
    # The breakdown is of all the country's regions, whichever the filters select.
    assert store.not_allocated(Filters(regions=["MD-BA"]), freq="Y").equals(
        store.not_allocated(freq="Y")
    )
    assert store.not_allocated(freq="M").empty  # no month has both


def test_a_quarterly_view_of_months_is_exact(store):
    assert rows(store.aggregate(by=("crime_type",), freq="Q")) == [
        ["2024-01-01", C, "2"],
        ["2024-01-01", D, "18"],
        ["2024-01-01", M, "30"],
        ["2024-04-01", C, "8"],  # April's regional day and May's national one
        ["2024-04-01", M, "25"],
    ]


def test_weeks_show_only_in_a_weekly_view(store):
    assert rows(store.aggregate(by=("country",), freq="W")) == [
        ["2024-01-08", "UA", "4"],
        ["2024-01-15", "MD", "2"],
        ["2024-04-01", "MD", "1"],
        ["2024-04-29", "MD", "7"],
    ]
    assert "UA" not in set(store.aggregate(by=("country",), freq="M")["country"])
    assert rows(store.unshown(Filters(countries=["MD"]), freq="W")) == [
        ["MD", D, "admin1", "month", "4", "18"],
        ["MD", D, "national", "year", "1", "100"],
        ["MD", M, "national", "quarter", "2", "55"],
    ]


def test_a_date_window_shows_the_periods_wholly_inside_it(store):
    half = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    # Without the national year, drug trafficking is its regions' months.
    assert rows(store.aggregate(half, by=("crime_type",), freq="Y")) == [
        ["2024-01-01", C, "10"],
        ["2024-01-01", D, "18"],
        ["2024-01-01", M, "55"],
    ]
    assert rows(store.aggregate(Filters(start="2024-01-20"), by=("crime_type",), freq="D")) == [
        ["2024-04-02", C, "1"],
        ["2024-05-01", C, "7"],
    ]


def test_what_the_store_holds_by_granularity(store):
    assert rows(store.granularities(Filters(countries=["MD"], crime_types=[D, C]))) == [
        ["MD", C, "admin1", "day", "2024-01-15", "2024-04-02", "2"],
        ["MD", C, "national", "day", "2024-05-01", "2024-05-01", "1"],
        ["MD", D, "admin1", "month", "2024-01-01", "2024-03-31", "4"],
        ["MD", D, "national", "year", "2024-01-01", "2024-12-31", "1"],
    ]
    assert store.held() == Held(("week", "month", "quarter", "year"), True)


def test_raw_rows_carry_their_period_and_level(store):
    national = store.incidents(Filters(crime_types=[M]))
    assert rows(national[["date", "period_end", "granularity", "level", "count"]]) == [
        ["2024-01-01", "2024-03-31", "quarter", "national", "30"],
        ["2024-04-01", "2024-06-30", "quarter", "national", "25"],
    ]
    assert national["region_code"].isna().all()


def test_a_store_of_regional_days_is_read_with_the_plain_sql():
    sql, _ = aggregate_sql(Filters(), ("country",), "M", held=Held((), False))
    assert sql == (
        "SELECT date_trunc('month', month)::DATE AS period, country, "
        "coalesce(sum(count), 0)::BIGINT AS count FROM incidents_monthly "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    )
    general, _ = aggregate_sql(Filters(), ("country",), "M", held=EVERYTHING)
    assert "level = 'national'" in general
