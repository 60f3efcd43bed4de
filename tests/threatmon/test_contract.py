"""The data contract: every violation reported with row, column, value and reason."""

import pandas as pd
import pytest

from threatmon.contract import (
    INCIDENT_COLUMNS,
    INCIDENT_DERIVED,
    INCIDENT_OPTIONAL,
    INCIDENT_REQUIRED,
    NOT_A_PERIOD,
    validate_flows,
    validate_incidents,
)
from threatmon.errors import Problem, ValidationError


def test_valid_frame_comes_back_typed_in_contract_order(incidents_few):
    clean = validate_incidents(incidents_few)
    assert tuple(clean.columns) == INCIDENT_COLUMNS
    assert str(clean["date"].dtype) == "datetime64[us]"
    assert clean["count"].tolist() == [1, 2, 5]
    assert clean["victims"].isna().all()


def test_input_is_not_mutated(incidents_few):
    before = incidents_few.copy()
    validate_incidents(incidents_few)
    pd.testing.assert_frame_equal(incidents_few, before)


def test_missing_and_extra_columns():
    frame = pd.DataFrame({"date": ["2024-01-01"], "country": ["MD"], "colour": ["red"]})
    with pytest.raises(ValidationError) as caught:
        validate_incidents(frame)
    reasons = [(p.column, p.reason) for p in caught.value.problems]
    assert ("crime_type", "Required column 'crime_type' is missing.") in reasons
    assert ("count", "Required column 'count' is missing.") in reasons
    assert "region_code" not in [column for column, _ in reasons]
    assert any(
        column == "colour" and "not part of the contract" in reason for column, reason in reasons
    )


def test_every_bad_value_is_reported_in_one_pass(incidents_few):
    frame = incidents_few.copy()
    frame.loc[0, "count"] = 0
    frame.loc[1, "region_code"] = "RO-CJ"
    frame.loc[2, "date"] = "not a date"
    frame["latitude"] = [47.0, 95.0, None]
    with pytest.raises(ValidationError) as caught:
        validate_incidents(frame)
    assert caught.value.problems == (
        Problem(0, "count", 0, "Value is below 1."),
        Problem(1, "latitude", 95.0, "Value is outside -90 to 90."),
        Problem(1, "region_code", "RO-CJ", "Region belongs to RO, not to country MD."),
        Problem(2, "date", "not a date", "Date is missing or not a date."),
    )
    assert str(caught.value).startswith("4 problems in incidents; nothing was written. First: ")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("count", 1.5, "Value is not a whole number."),
        ("count", "<5", "Value is not a number."),
        ("count", None, "Value is missing."),
        ("country", "MDA", "Value is not one of the project's countries."),
        ("crime_type", "arson", "Value is not a crime-type key."),
        ("region_code", "MD-XX", "Value is not an ISO 3166-2 code of the region registry."),
        ("date", "1999-12-31", "Date is outside 2000-01-01 to 2100-12-31."),
    ],
)
def test_single_bad_value(incidents_few, column, value, reason):
    frame = incidents_few.copy().astype({column: "object"})
    frame.loc[1, column] = value
    with pytest.raises(ValidationError) as caught:
        validate_incidents(frame)
    assert caught.value.problems[0] == Problem(1, column, value, reason)


def test_duplicate_incident_ids_within_a_load(incidents_few):
    frame = incidents_few.assign(incident_id=["A", "B", "A"])
    with pytest.raises(ValidationError) as caught:
        validate_incidents(frame)
    assert caught.value.problems == (
        Problem(2, "incident_id", "A", "incident_id appears more than once in the same load."),
    )


def test_flows_contract():
    frame = pd.DataFrame(
        {"date": ["2022-03-01", "2022-03-02"], "country": ["PL", "PL"], "arrivals": [100000, -1]}
    )
    with pytest.raises(ValidationError) as caught:
        validate_flows(frame)
    assert caught.value.problems == (Problem(1, "arrivals", -1, "Value is below 0."),)
    clean = validate_flows(frame.assign(arrivals=[1, 2]))
    assert clean["departures"].isna().all()
    assert clean["arrivals"].dtype == "int64"


def test_problem_reads_like_a_sentence():
    problem = Problem(12, "region_code", "MD-XX", "Unknown region.", "Did you mean MD-CA Cahul?")
    assert str(problem) == (
        "row 12, column 'region_code': Unknown region. Got 'MD-XX'. Did you mean MD-CA Cahul?"
    )


# -- figures for longer periods, and national figures -------------------------------------------


def figures(**columns) -> pd.DataFrame:
    """Moldovan drug-trafficking figures; ``columns`` give the rest, one value per row."""
    rows = len(next(iter(columns.values())))
    base = {"country": ["MD"] * rows, "crime_type": ["drug_trafficking"] * rows}
    return pd.DataFrame({**base, **columns})


def test_the_columns_a_file_may_map_and_those_derived():
    assert set(INCIDENT_REQUIRED + INCIDENT_OPTIONAL + INCIDENT_DERIVED) == set(INCIDENT_COLUMNS)
    assert INCIDENT_COLUMNS[:4] == ("date", "period_end", "granularity", "level")


def test_a_day_a_month_a_year_and_a_national_figure_are_derived():
    clean = validate_incidents(
        figures(
            date=["2024-03-05", "2024-03-01", "2024-01-01", "2024-04-01"],
            period_end=[None, "2024-03-31", "2024-12-31", None],
            granularity=[None, None, None, "quarter"],
            region_code=["MD-BA", "MD-CU", None, "MD-BA"],
            count=[2, 0, 0, 7],
        )
    )
    assert clean[["period_end", "granularity", "level", "count"]].astype(str).values.tolist() == [
        ["2024-03-05", "day", "admin1", "2"],
        ["2024-03-31", "month", "admin1", "0"],
        ["2024-12-31", "year", "national", "0"],
        ["2024-06-30", "quarter", "admin1", "7"],
    ]
    assert clean["region_code"].isna().tolist() == [False, False, True, False]


def test_an_iso_week_runs_from_monday_to_sunday():
    clean = validate_incidents(
        figures(date=["2025-12-29"], period_end=["2026-01-04"], region_code=["MD-CU"], count=[3])
    )
    assert clean["granularity"].tolist() == ["week"]


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        (
            {"date": ["2024-03-05"], "period_end": ["2024-03-01"]},
            Problem(0, "period_end", "2024-03-01", "Period end is before the date."),
        ),
        (
            {"date": ["2024-03-05"], "period_end": ["2024-04-04"]},
            Problem(0, "period_end", "2024-04-04", NOT_A_PERIOD),
        ),
        (
            {"date": ["2024-03-05"], "period_end": ["not a day"]},
            Problem(0, "period_end", "not a day", "Period end is not a date."),
        ),
        (
            {"date": ["2024-03-05"], "granularity": ["month"]},
            Problem(0, "date", "2024-03-05", "Date is not the first day of its month."),
        ),
        (
            {"date": ["2024-03-05"], "granularity": ["week"]},
            Problem(
                0, "date", "2024-03-05", "Date is not the first day of its ISO week (a Monday)."
            ),
        ),
        (
            {"date": ["2024-03-05"], "period_end": ["2024-12-31"], "granularity": ["year"]},
            Problem(0, "date", "2024-03-05", "Date is not the first day of its year."),
        ),
        (
            {"date": ["2024-01-01"], "period_end": ["2024-03-31"], "granularity": ["month"]},
            Problem(
                0,
                "period_end",
                "2024-03-31",
                "Period end is not the last day of the month that starts on the date.",
            ),
        ),
        (
            {"date": ["2024-01-01"], "granularity": ["decade"]},
            Problem(
                0, "granularity", "decade", "Value is not one of day, week, month, quarter, year."
            ),
        ),
        (
            {"date": ["2024-01-01"], "level": ["admin2"]},
            Problem(0, "level", "admin2", "Value is not one of admin1, national."),
        ),
        (
            {"date": ["2024-01-01"], "level": ["national"]},
            Problem(
                0,
                "region_code",
                "MD-CU",
                "A national figure has no region: leave region_code empty, or set level to admin1.",
            ),
        ),
        (
            {"date": ["2024-01-01"], "region_code": [None], "level": ["admin1"]},
            Problem(0, "region_code", None, "Value is missing: an admin1 figure needs a region."),
        ),
        (
            {"date": ["2024-01-01"], "count": [0]},
            Problem(0, "count", 0, "Value is below 1."),
        ),
        (
            {"date": ["2024-01-01"], "period_end": ["2024-01-31"], "count": [-1]},
            Problem(0, "count", -1, "Value is below 0."),
        ),
    ],
    ids=[
        "end-before-start",
        "not-a-period",
        "end-not-a-date",
        "month-not-on-the-1st",
        "week-not-on-a-monday",
        "year-not-on-january-1st",
        "end-not-the-months",
        "unknown-granularity",
        "unknown-level",
        "national-with-a-region",
        "admin1-without-a-region",
        "a-day-of-zero-incidents",
        "a-negative-month",
    ],
)
def test_a_figure_that_is_no_calendar_period_or_place(columns, problem):
    frame = figures(**{"region_code": ["MD-CU"], "count": [1], **columns})
    with pytest.raises(ValidationError) as caught:
        validate_incidents(frame)
    assert caught.value.problems == (problem,)


def test_the_same_figure_twice_in_one_load_is_refused_with_its_rows():
    frame = figures(
        date=["2024-01-01", "2024-03-01", "2024-03-01", "2024-01-10", "2024-01-10", "2024-05-01"],
        period_end=["2024-12-31", "2024-03-31", "2024-03-31", None, None, "2024-05-31"],
        region_code=[None, None, "MD-CU", "MD-BA", "MD-BA", "MD-BA"],
        count=[100, 9, 4, 1, 1, 2],
    )
    with pytest.raises(ValidationError) as caught:
        validate_incidents(frame)
    twice = "of the same country, level, region and crime type: the figure would be counted twice."
    # The regional March and the national year are a breakdown and a total, not the same
    # figure; the two incidents of 10 January are two incidents.
    assert caught.value.problems == (
        Problem(1, "date", "2024-03", f"Overlaps row 0 (2024) {twice}"),
    )


def test_days_alone_are_never_the_same_figure(incidents_few):
    clean = validate_incidents(pd.concat([incidents_few, incidents_few], ignore_index=True))
    assert len(clean) == 6
