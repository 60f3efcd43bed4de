"""A date column's values as periods (day, ISO week, month, quarter, year), one granularity
per file; and region cells that stand for the whole country."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_loaders.normalise import resolve_regions
from data_loaders.normalise.periods import (
    NOT_A_CALENDAR_PERIOD,
    NOT_A_DATE_OR_PERIOD,
    Period,
    mixed_granularity,
    read_periods,
    span,
)
from data_loaders.normalise.places import TOTAL_WITHOUT_COUNTRY
from data_loaders.normalise.text import Resolution
from threatmon.granularity import period_label

D = dt.date
YEAR_OUTSIDE = (
    "A year outside 2000 to 2100; a four-digit number is read as a year, never as an Excel "
    "serial date."
)


def _one(value: str, order: str | None = None) -> tuple[Period | None, str | None]:
    reading = read_periods([value], order)
    return reading.periods[value], reading.problems.get(value)


@pytest.mark.parametrize(
    ("value", "period"),
    [
        ("2025", Period(D(2025, 1, 1), "year")),
        ("2025.0", Period(D(2025, 1, 1), "year")),  # a number cell of a spreadsheet
        ("2000", Period(D(2000, 1, 1), "year")),
        ("2100", Period(D(2100, 1, 1), "year")),
        ("2025-Q2", Period(D(2025, 4, 1), "quarter")),
        ("2025Q2", Period(D(2025, 4, 1), "quarter")),
        ("2025q4", Period(D(2025, 10, 1), "quarter")),
        ("2025 Q2", Period(D(2025, 4, 1), "quarter")),
        ("Q2 2025", Period(D(2025, 4, 1), "quarter")),
        ("Q1-2025", Period(D(2025, 1, 1), "quarter")),
        ("2025-06", Period(D(2025, 6, 1), "month")),
        ("2025-6", Period(D(2025, 6, 1), "month")),
        ("2025/06", Period(D(2025, 6, 1), "month")),
        ("2025M06", Period(D(2025, 6, 1), "month")),  # Eurostat
        ("06/2025", Period(D(2025, 6, 1), "month")),
        ("06.2025", Period(D(2025, 6, 1), "month")),
        ("June 2025", Period(D(2025, 6, 1), "month")),
        ("Jun 2025", Period(D(2025, 6, 1), "month")),
        ("Sept. 2025", Period(D(2025, 9, 1), "month")),
        ("iunie 2025", Period(D(2025, 6, 1), "month")),
        ("Noi 2025", Period(D(2025, 11, 1), "month")),
        ("червень 2025", Period(D(2025, 6, 1), "month")),
        ("червня 2025", Period(D(2025, 6, 1), "month")),
        ("Июнь 2025", Period(D(2025, 6, 1), "month")),
        ("2025 June", Period(D(2025, 6, 1), "month")),
        ("2025-W24", Period(D(2025, 6, 9), "week")),
        ("2025W24", Period(D(2025, 6, 9), "week")),
        ("2025-w01", Period(D(2024, 12, 30), "week")),  # ISO week 1 may start in December
        ("2020-W53", Period(D(2020, 12, 28), "week")),
        # Days, as the dates convention reads them.
        ("2025-06-14", Period(D(2025, 6, 14), "day")),
        ("14.06.2025", Period(D(2025, 6, 14), "day")),
        ("2025-06-14T08:30:00", Period(D(2025, 6, 14), "day")),
        ("45822", Period(D(2025, 6, 14), "day")),  # an Excel serial has five digits
    ],
)
def test_each_form_reads_as_its_period(value, period):
    assert _one(value) == (period, None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2022", None),
        ("1999", YEAR_OUTSIDE),
        ("2101", YEAR_OUTSIDE),
        ("1905", YEAR_OUTSIDE),  # 2022 read as an Excel serial would have been 1905
        ("1999-06", "The year is outside 2000 to 2100."),
        ("2025-13", "Not a real month: there is no month 13."),
        ("2025-00", "Not a real month: there is no month 0."),
        ("2025-Q5", "Not a real quarter: there is no Q5 (quarters run Q1 to Q4)."),
        ("2021-W53", "Not a real ISO week: 2021 has 52 weeks."),
        ("2100-W52", "The period ends after 2100-12-31."),
        ("Juin 2025", NOT_A_DATE_OR_PERIOD),
        ("last year", NOT_A_DATE_OR_PERIOD),
        ("", "Value is missing."),
    ],
)
def test_a_four_digit_year_is_never_an_excel_serial_and_bad_periods_say_why(value, reason):
    period, problem = _one(value)
    assert problem == reason
    assert (period is None) == (reason is not None)


def test_the_message_for_no_form_names_the_period_forms():
    assert NOT_A_DATE_OR_PERIOD == (
        "Not a date or period in any accepted format: days as YYYY-MM-DD, dd.mm.yyyy, "
        "dd/mm/yyyy or an Excel serial number; ISO weeks as 2025-W24; months as 2025-06, "
        "2025M06, 06/2025 or June 2025; quarters as 2025-Q2; years as 2025."
    )


@pytest.mark.parametrize(
    ("values", "name", "granularity"),
    [
        (["2022", "2023"], "yyyy (years)", "year"),
        (["2025-06", "Jul 2025"], "yyyy-mm or month yyyy (months)", "month"),
        (["2025-Q1", "2025Q2"], "yyyy-Qn or yyyyQn (quarters)", "quarter"),
        (["2025-W01", "2025-W02"], "yyyy-Www (ISO weeks)", "week"),
        (["14.06.2025", "15.06.2025"], "dd.mm.yyyy (day first)", "day"),
        (["garbage"], "no dates recognised", None),
        (["1999"], "yyyy (years)", None),  # named, though its one value has a problem
        (
            ["2025-06", "2025-06-14"],
            "mixed: yyyy-mm (months) and yyyy-mm-dd (ISO)",
            None,
        ),
    ],
)
def test_the_file_has_one_granularity_and_a_name_for_its_forms(values, name, granularity):
    reading = read_periods(values)
    assert reading.name == name
    assert reading.granularity == granularity


def test_mixed_granularities_are_listed_finest_first():
    reading = read_periods(["2025", "2025-06", "2025-06-14", "2025-W24"])
    assert reading.granularities == ("day", "week", "month", "year")
    assert reading.granularity is None


def test_days_keep_their_conventions_and_the_undecided_order_counts_as_days():
    reading = read_periods(["01/02/2025", "03/04/2025"])
    assert reading.periods == {"01/02/2025": None, "03/04/2025": None}
    assert reading.problems == {}
    assert reading.convention.problem is not None
    assert reading.granularity == "day"
    given_order = read_periods(["01/02/2025", "03/04/2025"], "mdy")
    assert given_order.periods["01/02/2025"] == Period(D(2025, 1, 2), "day")


def test_a_month_of_slashes_is_not_a_day_of_slashes():
    reading = read_periods(["06/2025", "25/06/2025"])
    assert reading.periods == {
        "06/2025": Period(D(2025, 6, 1), "month"),
        "25/06/2025": Period(D(2025, 6, 25), "day"),
    }
    assert reading.granularities == ("day", "month")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-04-01", "2025-06-30", (Period(D(2025, 4, 1), "quarter"), None)),
        ("2025-06-01", "2025-06-30", (Period(D(2025, 6, 1), "month"), None)),
        ("2025-06-09", "2025-06-15", (Period(D(2025, 6, 9), "week"), None)),
        ("2025-06-14", "2025-06-14", (Period(D(2025, 6, 14), "day"), None)),
        ("2025-01-01", "2025-12-31", (Period(D(2025, 1, 1), "year"), None)),
        ("2025-04", "2025-06", (Period(D(2025, 4, 1), "quarter"), None)),  # months end last
        ("2025-06-03", "2025-06-09", (None, NOT_A_CALENDAR_PERIOD)),
        ("2025-01-01", "2025-06-30", (None, NOT_A_CALENDAR_PERIOD)),
        ("2025-06-30", "2025-06-01", (None, "The period ends before it starts (2025-06-30).")),
    ],
)
def test_a_span_is_one_calendar_period(start, end, expected):
    reading = read_periods([start, end])
    assert span(reading.periods[start], reading.periods[end]) == expected


def test_the_mixed_granularity_message():
    message = mixed_granularity([("month", "2025-06", 2), ("day", "2025-06-14", 5)])
    assert message == (
        "The rows stand for periods of different lengths: months (e.g. '2025-06' on line 2) "
        "and days (e.g. '2025-06-14' on line 5). A file holds one granularity: load the rows "
        "of each in a file of its own."
    )


_SPELLINGS = {
    "year": [lambda d: f"{d.year}", lambda d: f"{d.year}.0"],
    "quarter": [
        lambda d: f"{d.year}-Q{(d.month + 2) // 3}",
        lambda d: f"{d.year}Q{(d.month + 2) // 3}",
        lambda d: f"Q{(d.month + 2) // 3} {d.year}",
    ],
    "month": [
        lambda d: f"{d:%Y-%m}",
        lambda d: f"{d.year}M{d:%m}",
        lambda d: f"{d:%m/%Y}",
        lambda d: f"{d:%m.%Y}",
        lambda d: f"{d:%B %Y}",
        lambda d: f"{d:%b %Y}",
    ],
    "week": [lambda d: period_label(d, "week"), lambda d: period_label(d, "week").replace("-", "")],
}


@given(
    granularity=st.sampled_from(sorted(_SPELLINGS)),
    day=st.dates(D(2000, 1, 1), D(2100, 11, 30)),
    spelling=st.integers(0, 5),
)
def test_every_spelling_of_a_period_reads_as_its_label(granularity, day, spelling):
    from threatmon.granularity import period_start

    start = period_start(day, granularity)
    if start.year < 2000:
        return
    write = _SPELLINGS[granularity][spelling % len(_SPELLINGS[granularity])]
    value = write(start)
    assert _one(value) == (Period(start, granularity), None)


# -- region cells that stand for the country -------------------------------------------------


def _region(value, country=None):
    return resolve_regions([(value, country)])[(value, country)]


@pytest.mark.parametrize(
    ("value", "country", "nation"),
    [
        ("Moldova", "MD", "MD"),
        ("Republica Moldova", "MD", "MD"),
        ("Moldova, Republic of", None, "MD"),
        ("MDA", None, "MD"),
        ("md", "MD", "MD"),
        ("Україна", "UA", "UA"),
        ("Ukraine", None, "UA"),
        ("UKR", None, "UA"),
        ("România", "RO", "RO"),
        ("Total", "MD", "MD"),
        ("TOTAL", "UA", "UA"),
        ("Total național", "MD", "MD"),
        ("Total pe tara", "MD", "MD"),
        ("Всього", "UA", "UA"),
        ("National", "PL", "PL"),
    ],
)
def test_a_region_cell_that_names_the_country_is_a_national_figure(value, country, nation):
    assert _region(value, country) == Resolution(None, country=nation)


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("Total", None, Resolution(None, TOTAL_WITHOUT_COUNTRY, "Add a country column.")),
        (
            "Romania",
            "MD",
            Resolution(
                None,
                "Romania (RO) is a country, not a region of Moldova.",
                "Leave the region empty for a national figure of the row's country.",
            ),
        ),
        ("Belarus", None, Resolution(None, "Belarus (BY) is not one of the project's countries.")),
        # A part of the country is no total: it stays an unknown region.
        ("Total Sud", "MD", Resolution(None, "Not a known region of Moldova.")),
        ("Cahul", "MD", Resolution("MD-CA")),
    ],
)
def test_other_countries_and_partial_totals_are_not_national(value, country, expected):
    assert _region(value, country) == expected
