"""Filters are validated when built and know their comparison periods."""

import datetime as dt

import pytest

from threatmon.errors import FilterError
from threatmon.filters import Filters


def test_strings_and_lists_become_tuples_and_dates():
    filters = Filters(countries="MD", crime_types=["cbrne", "cbrne"], start="2024-01-01")
    assert filters.countries == ("MD",)
    assert filters.crime_types == ("cbrne",)
    assert filters.start == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"countries": ["XX"]},
            "Invalid filter: column 'countries': Not one of the project's countries. Got 'XX'.",
        ),
        (
            {"regions": ["MD-ZZ"]},
            "Invalid filter: column 'regions': Not a region code of the registry. Got 'MD-ZZ'.",
        ),
        (
            {"crime_types": ["arson"]},
            "Invalid filter: column 'crime_types': Not a crime-type key. Got 'arson'.",
        ),
        (
            {"start": "2024-13-01"},
            "Invalid filter: column 'start': Not an ISO date (YYYY-MM-DD). Got '2024-13-01'.",
        ),
        (
            {"start": "2024-02-01", "end": "2024-01-01"},
            "Invalid filter: column 'end': End date is before start date 2024-02-01. "
            "Got '2024-01-01'.",
        ),
    ],
)
def test_bad_values_are_named(kwargs, message):
    with pytest.raises(FilterError) as caught:
        Filters(**kwargs)
    assert str(caught.value) == message
    assert len(caught.value.problems) == 1


def test_whole_months_compare_with_the_same_number_of_months_before():
    filters = Filters(start="2026-01-01", end="2026-06-30")
    previous = filters.previous_period()
    assert (previous.start, previous.end) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))


def test_arbitrary_days_compare_with_the_same_number_of_days_before():
    previous = Filters(start="2026-03-10", end="2026-03-19").previous_period()
    assert (previous.start, previous.end) == (dt.date(2026, 2, 28), dt.date(2026, 3, 9))


def test_year_earlier_handles_leap_day():
    earlier = Filters(start="2024-02-01", end="2024-02-29").year_earlier()
    assert (earlier.start, earlier.end) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))


def test_comparison_needs_both_dates():
    with pytest.raises(FilterError, match="needs both a start and an end date"):
        Filters(start="2024-01-01").previous_period()
