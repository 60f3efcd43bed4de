"""Change levels: exact values on small inline frames, plus properties of the levels."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from trends.changes import (
    FLAG_LOW_COUNTS,
    FLAG_NOT_SIGNIFICANT,
    LEVELS,
    binomial_p_values,
    change_levels,
    percent_change,
)

INCREASES = {"large increase": 2, "moderate increase": 1}
DECREASES = {"large decrease": 2, "moderate decrease": 1}


def pair(current: int, previous: int, **kwargs) -> pd.Series:
    """The change-level row of one key going from ``previous`` to ``current``."""
    cur = pd.DataFrame({"k": ["a"], "count": [current]})
    prev = pd.DataFrame({"k": ["a"], "count": [previous]})
    return change_levels(cur, prev, ["k"], **kwargs).iloc[0]


# -- change levels: hand-picked cases ----------------------------------------------------------


def test_one_to_three_is_not_a_large_increase():
    """+200 % on four events is noise: limited change, flagged low counts."""
    row = pair(3, 1)
    assert row["level"] == "limited change"
    assert row["flag"] == FLAG_LOW_COUNTS
    assert row["pct_change"] == 200.0


def test_hundred_to_140_is_a_large_increase():
    row = pair(140, 100)
    assert row["level"] == "large increase"
    assert row["flag"] == ""
    assert row["change"] == 40
    assert row["pct_change"] == pytest.approx(40.0)
    assert row["p_value"] < 0.05


def test_hundred_to_80_is_a_moderate_decrease_by_percentage():
    """-20 % is in the moderate band; with the count guard alone it is classified."""
    row = pair(80, 100, alpha=None)
    assert row["level"] == "moderate decrease"
    assert row["pct_change"] == pytest.approx(-20.0)


def test_hundred_to_80_is_not_significant_at_five_percent():
    """With the default binomial guard, 100 -> 80 (p = 0.157) could be chance."""
    row = pair(80, 100)
    assert (row["level"], row["flag"]) == ("limited change", FLAG_NOT_SIGNIFICANT)
    assert row["p_value"] == pytest.approx(0.15653, abs=1e-5)
    assert pair(800, 1000)["level"] == "moderate decrease"


@pytest.mark.parametrize(
    ("current", "previous", "level"),
    [
        (1100, 1000, "moderate increase"),  # exactly +10 %
        (1099, 1000, "limited change"),  # just below +10 %
        (1250, 1000, "moderate increase"),  # exactly +25 %
        (1251, 1000, "large increase"),  # just above +25 %
        (900, 1000, "moderate decrease"),  # exactly -10 %
        (901, 1000, "limited change"),  # just above -10 %
        (750, 1000, "moderate decrease"),  # exactly -25 %
        (749, 1000, "large decrease"),  # just below -25 %
    ],
)
def test_threshold_boundaries(current, previous, level):
    """Bounds are inclusive for moderate, exclusive for large (ACLED: "greater than 25 %")."""
    assert pair(current, previous)["level"] == level


def test_zero_previous_with_enough_events_is_a_large_increase():
    row = pair(12, 0)
    assert row["level"] == "large increase"
    assert np.isnan(row["pct_change"])
    assert row["p_value"] == pytest.approx(2 * 0.5**12)


def test_zero_previous_with_few_events_is_limited():
    row = pair(4, 0)
    assert (row["level"], row["flag"]) == ("limited change", FLAG_LOW_COUNTS)


def test_enough_events_but_not_significant():
    """13 vs 10 is +30 %, but p ≈ 0.68: limited change, flagged not significant."""
    row = pair(13, 10)
    assert row["level"] == "limited change"
    assert row["flag"] == FLAG_NOT_SIGNIFICANT


def test_limited_change_with_many_events_has_no_flag():
    row = pair(1050, 1000)
    assert (row["level"], row["flag"]) == ("limited change", "")


def test_min_total_is_inclusive():
    """current + previous = min_total passes the count guard."""
    assert pair(10, 0, min_total=10)["level"] == "large increase"
    assert pair(10, 0, min_total=11)["flag"] == FLAG_LOW_COUNTS


def test_missing_keys_count_as_zero_and_output_is_ranked():
    """A key present on one side only is compared with 0; rows come out ranked."""
    current = pd.DataFrame({"k": ["a", "b", "c", "d"], "count": [140, 60, 1000, 3]})
    previous = pd.DataFrame({"k": ["a", "b", "c", "e"], "count": [100, 100, 1000, 20]})
    out = change_levels(current, previous, ["k"])
    assert list(out["k"]) == ["a", "b", "e", "d", "c"]
    assert list(out["level"].astype(str)) == [
        "large increase",
        "large decrease",
        "large decrease",
        "limited change",
        "limited change",
    ]
    assert out.set_index("k").loc["e", "current"] == 0
    assert out.set_index("k").loc["d", "previous"] == 0


def test_ranking_order():
    """Large before moderate before limited; increases before decreases; then |change|."""
    current = pd.DataFrame({"k": list("abcdef"), "count": [2000, 1300, 1150, 880, 400, 1000]})
    previous = pd.DataFrame({"k": list("abcdef"), "count": [1000] * 6})
    out = change_levels(current, previous, ["k"])
    assert list(out["level"].astype(str)) == [
        "large increase",
        "large increase",
        "large decrease",
        "moderate increase",
        "moderate decrease",
        "limited change",
    ]
    assert list(out["k"]) == ["a", "b", "e", "c", "d", "f"]


def test_level_is_an_ordered_categorical():
    out = change_levels(
        pd.DataFrame({"k": ["a"], "count": [5]}), pd.DataFrame({"k": ["a"], "count": [5]}), ["k"]
    )
    assert list(out["level"].cat.categories) == [*LEVELS, "no data"]
    assert out["level"].cat.ordered


def test_a_period_not_reported_is_no_data_never_a_change_from_zero():
    """NaN given for a side is unknown: no level, no change, no percentage, no p-value;
    a key absent from a side is still a reported zero."""
    current = pd.DataFrame({"k": ["a", "b", "c"], "count": [40.0, 30.0, 12.0]})
    previous = pd.DataFrame({"k": ["a", "b"], "count": [np.nan, 10.0]})
    out = change_levels(current, previous, ["k"], alpha=None).set_index("k")
    assert out.loc["a", "level"] == "no data"
    assert np.isnan(out.loc["a", "previous"]) and out.loc["a", "current"] == 40
    assert np.isnan(out.loc["a", ["change", "pct_change", "p_value"]].astype(float)).all()
    assert out.loc["a", "flag"] == ""
    assert out.loc["c", "level"] == "large increase" and out.loc["c", "previous"] == 0
    assert out.index[-1] == "a"  # rows without data come last


def test_change_levels_does_not_mutate_inputs():
    current = pd.DataFrame({"k": ["a", "b"], "count": [140, 3]})
    previous = pd.DataFrame({"k": ["a", "c"], "count": [100, 9]})
    before = current.copy(), previous.copy()
    change_levels(current, previous, ["k"])
    pd.testing.assert_frame_equal(current, before[0])
    pd.testing.assert_frame_equal(previous, before[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"keys": []}, "`keys` must name at least one column. Got []."),
        ({"alpha": 0}, "`alpha` must be between 0 and 1. Got 0."),
        (
            {"moderate": 30.0},
            "Thresholds must satisfy 0 <= moderate <= large. Got moderate=30.0, large=25.0.",
        ),
    ],
)
def test_change_levels_rejects_bad_settings(kwargs, message):
    frame = pd.DataFrame({"k": ["a"], "count": [1]})
    arguments = {"keys": ["k"], **kwargs}
    with pytest.raises(ValueError) as info:
        change_levels(frame, frame, **arguments)
    assert str(info.value) == message


# -- change levels: properties -----------------------------------------------------------------

counts = st.integers(min_value=0, max_value=5000)


@settings(max_examples=300, deadline=None)
@given(counts, counts)
def test_p_values_equal_scipy_binomtest(current, previous):
    """The vectorised test is scipy's exact two-sided binomtest at p = 1/2."""
    got = binomial_p_values([current], [previous])[0]
    if current + previous == 0:
        assert np.isnan(got)
    else:
        assert got == pytest.approx(
            binomtest(current, current + previous, 0.5).pvalue, rel=1e-9, abs=1e-250
        )


@settings(max_examples=300, deadline=None)
@given(counts, counts)
@pytest.mark.slow
def test_swapping_periods_mirrors_the_level(current, previous):
    """Swapping the periods keeps the guard and flips the direction, never weakening it.

    Percentages are not antisymmetric (100 -> 80 is -20 %, 80 -> 100 is +25 %), but a
    decrease of d % reversed is an increase of more than d %, so a moderate or large
    decrease always mirrors to an increase at least as large. p-values are symmetric.
    """
    forward, backward = pair(current, previous), pair(previous, current)
    assert (forward["flag"] == FLAG_LOW_COUNTS) == (backward["flag"] == FLAG_LOW_COUNTS)
    assert forward["change"] == -backward["change"]
    if current + previous:
        assert forward["p_value"] == pytest.approx(backward["p_value"])
    level = str(forward["level"])
    if level in DECREASES:
        assert INCREASES.get(str(backward["level"]), 0) >= DECREASES[level]
    if level == "limited change" and forward["flag"]:
        assert str(backward["level"]) in ("limited change", "moderate increase", "large increase")


@settings(max_examples=300, deadline=None)
@given(counts, counts)
@pytest.mark.slow
def test_levels_agree_with_the_sign_and_the_guard(current, previous):
    """Increases only when counts went up, decreases only when down; never on low counts."""
    row = pair(current, previous)
    level = str(row["level"])
    if level in INCREASES:
        assert current > previous
    if level in DECREASES:
        assert current < previous
    if level != "limited change":
        assert current + previous >= 10 and row["p_value"] < 0.05 and row["flag"] == ""


def test_percent_change():
    got = percent_change([110, 5, 0], [100, 0, 0])
    assert got[0] == 10.0
    assert np.isnan(got[1]) and np.isnan(got[2])
