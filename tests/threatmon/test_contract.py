"""The data contract: every violation reported with row, column, value and reason."""

import pandas as pd
import pytest

from threatmon.contract import INCIDENT_COLUMNS, validate_flows, validate_incidents
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
    assert ("region_code", "Required column 'region_code' is missing.") in reasons
    assert ("count", "Required column 'count' is missing.") in reasons
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
