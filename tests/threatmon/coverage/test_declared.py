"""What a batch declares it reports in full: checked, and stored on whole periods."""

import datetime as dt

import pytest

from threatmon.coverage.declared import DECLARED_COLUMNS, DeclaredCoverage, declared_frame
from threatmon.errors import ValidationError

D = dt.date


def test_a_declaration_is_stored_on_whole_periods():
    frame = declared_frame(
        [
            DeclaredCoverage("MD", "cybercrime", "admin1", "month", D(2025, 1, 15), D(2025, 6, 3)),
            DeclaredCoverage("UA", "cbrne", "national", "quarter", D(2025, 2, 1), D(2025, 5, 1)),
            DeclaredCoverage(
                "RO", "drug_trafficking", "admin1", "day", D(2025, 3, 9), D(2025, 3, 9)
            ),
        ]
    )
    assert list(frame.columns) == list(DECLARED_COLUMNS)
    assert frame.astype(str).values.tolist() == [
        ["MD", "cybercrime", "admin1", "month", "2025-01-01", "2025-06-30"],
        ["UA", "cbrne", "national", "quarter", "2025-01-01", "2025-06-30"],
        # A daily extract declares whole months.
        ["RO", "drug_trafficking", "admin1", "day", "2025-03-01", "2025-03-31"],
    ]


def test_a_repeated_declaration_is_stored_once():
    one = DeclaredCoverage("MD", "cybercrime", "admin1", "month", D(2025, 1, 1), D(2025, 2, 1))
    assert len(declared_frame([one, one])) == 1


def test_bad_declarations_are_named_by_position_and_nothing_is_stored():
    with pytest.raises(ValidationError) as caught:
        declared_frame(
            [
                DeclaredCoverage(
                    "MD", "cybercrime", "admin1", "month", D(2025, 1, 1), D(2025, 2, 1)
                ),
                DeclaredCoverage(
                    "FR", "theft", "region", "fortnight", D(2025, 1, 1), D(2025, 2, 1)
                ),
                DeclaredCoverage("MD", "cbrne", "national", "month", D(2025, 3, 1), D(2025, 2, 1)),
            ]
        )
    problems = caught.value.problems
    assert [(p.row, p.column, p.value, p.reason) for p in problems] == [
        (1, "country", "FR", "Not a project country."),
        (1, "crime_type", "theft", "Not a crime type key."),
        (1, "level", "region", "Not a level (admin1 or national)."),
        (1, "granularity", "fortnight", "Not a granularity."),
        (2, "last", "2025-02-01", "The coverage ends before it starts (2025-03-01)."),
    ]
    assert str(caught.value).startswith("5 problem(s) in the declared coverage. First: ")


def test_the_span_of_a_week_and_a_year():
    week = DeclaredCoverage("UA", "cbrne", "national", "week", D(2025, 1, 8), D(2025, 1, 14))
    assert week.span() == (D(2025, 1, 6), D(2025, 1, 19))
    year = DeclaredCoverage("GE", "cbrne", "national", "year", D(2022, 5, 1), D(2023, 1, 1))
    assert year.span() == (D(2022, 1, 1), D(2023, 12, 31))
