import re

import numpy as np
import pandas as pd
import pytest

from forecasting.warning.exceedance import COLUMNS, describe, message, outside_interval

MONTH = pd.Timestamp("2026-10-01")


def _checks(rows):
    frame = pd.DataFrame(
        rows, columns=["region_code", "crime_type", "actual", "mean", "lower_95", "upper_95"]
    )
    return frame.assign(period=MONTH, model="ets")


def _quiet(n):
    """n series that landed inside their intervals."""
    return [(f"R{i}", "drug_trafficking", 10.0, 10.0, 4.0, 16.0) for i in range(n)]


def test_a_count_far_above_its_interval_is_listed_with_its_probability():
    checks = _checks([("MD-CA", "migrant_smuggling", 40.0, 10.0, 4.0, 16.0), *_quiet(99)])
    before = checks.copy()
    found = outside_interval(checks)
    pd.testing.assert_frame_equal(checks, before)
    assert tuple(found.columns) == COLUMNS
    assert found[["region_code", "direction", "count", "expected"]].values.tolist() == [
        ["MD-CA", "above", 40.0, 10.0]
    ]
    # sd implied by the 95 % bound: (16 - 10) / 1.96; z = 30 / that = 9.8.
    # About 1e-22, reported at the floor: nothing finer means anything.
    assert found["p_value"].iloc[0] == 1e-9


def test_a_count_just_outside_among_many_is_chance_and_not_listed():
    # z = 2.2: outside the 95 % interval, but one in 200 series does that by chance.
    checks = _checks([("MD-CA", "migrant_smuggling", 16.7, 10.0, 4.0, 16.0), *_quiet(199)])
    assert outside_interval(checks).empty
    # Alone, the same miss passes the false discovery rate.
    assert len(outside_interval(checks.head(1))) == 1


def test_few_incidents_are_not_listed_however_surprising():
    checks = _checks([("UA-51", "cybercrime", 4.0, 0.2, 0.0, 1.0)])
    assert outside_interval(checks).empty
    assert len(outside_interval(checks, min_count=3)) == 1


def test_a_drop_below_the_interval_is_listed_as_below():
    checks = _checks([("RO-SV", "document_fraud", 2.0, 30.0, 20.0, 40.0), *_quiet(20)])
    found = outside_interval(checks)
    assert found[["region_code", "direction"]].values.tolist() == [["RO-SV", "below"]]


def test_the_most_surprising_comes_first():
    checks = _checks(
        [
            ("A", "cybercrime", 30.0, 10.0, 4.0, 16.0),
            ("B", "cybercrime", 60.0, 10.0, 4.0, 16.0),
            *_quiet(10),
        ]
    )
    assert outside_interval(checks)["region_code"].tolist() == ["B", "A"]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=re.escape("`fdr` must be between 0 and 1. Got 1.5.")):
        outside_interval(_checks(_quiet(1)), fdr=1.5)
    with pytest.raises(
        ValueError, match=re.escape("`checks` is missing column(s): actual, upper_95.")
    ):
        outside_interval(_checks(_quiet(1)).drop(columns=["actual", "upper_95"]))


def test_the_sentence_names_count_range_and_month_but_no_model():
    checks = _checks([("MD-CA", "migrant_smuggling", 40.0, 10.0, 4.0, 16.0)])
    row = next(outside_interval(checks).itertuples(index=False))
    text = describe(row, {"MD-CA": "Cahul (Moldova)"}, {"migrant_smuggling": "Migrant smuggling"})
    # z = 30 / (6 / 1.96) = 9.8: beyond one in a million, and never written 1e-22.
    assert text == (
        "Cahul (Moldova), Migrant smuggling: 40 incidents in October 2026, above the range of "
        "4.0–16.0 expected from the months up to September 2026 (chance of this by "
        "coincidence: less than 1 in a million)."
    )
    assert np.isfinite(row.p_value)
    assert message(row).key == "alert.above"
    assert message(row).params["previous"] == pd.Timestamp("2026-09-01")


def test_a_count_below_its_range_may_be_a_reporting_gap():
    checks = _checks([("MD-CA", "migrant_smuggling", 2.0, 20.0, 12.0, 28.0)])
    row = next(outside_interval(checks).itertuples(index=False))
    text = describe(row, {"MD-CA": "Cahul (Moldova)"}, {"migrant_smuggling": "Migrant smuggling"})
    assert text.startswith(
        "Cahul (Moldova), Migrant smuggling: 2 incidents in October 2026, below the range of "
        "12.0–28.0 expected from the months up to September 2026 (chance of this by "
        "coincidence: "
    )
    assert text.endswith("; a drop this sharp can also be a reporting gap.")
