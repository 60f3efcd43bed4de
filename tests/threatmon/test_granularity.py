import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from threatmon.granularity import (
    GRANULARITIES,
    granularity_of,
    period_end,
    period_label,
    period_start,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "granularity", "start", "end", "label"),
    [
        (D(2025, 6, 14), "day", D(2025, 6, 14), D(2025, 6, 14), "2025-06-14"),
        (D(2025, 6, 14), "week", D(2025, 6, 9), D(2025, 6, 15), "2025-W24"),
        (D(2025, 6, 14), "month", D(2025, 6, 1), D(2025, 6, 30), "2025-06"),
        (D(2024, 2, 14), "month", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
        (D(2025, 6, 14), "quarter", D(2025, 4, 1), D(2025, 6, 30), "2025-Q2"),
        (D(2025, 12, 31), "quarter", D(2025, 10, 1), D(2025, 12, 31), "2025-Q4"),
        (D(2025, 6, 14), "year", D(2025, 1, 1), D(2025, 12, 31), "2025"),
        # ISO week 1 of 2026 starts on Monday 2025-12-29.
        (D(2025, 12, 31), "week", D(2025, 12, 29), D(2026, 1, 4), "2026-W01"),
    ],
)
def test_periods(day, granularity, start, end, label):
    assert period_start(day, granularity) == start
    assert period_end(start, granularity) == end
    assert period_label(start, granularity) == label
    assert granularity_of(start, end) == granularity


def test_a_span_that_is_no_calendar_period_has_no_granularity():
    assert granularity_of(D(2025, 6, 3), D(2025, 6, 9)) is None
    assert granularity_of(D(2025, 6, 1), D(2025, 7, 31)) is None


def test_unknown_granularity_is_refused():
    with pytest.raises(ValueError, match="`granularity` must be one of"):
        period_end(D(2025, 1, 1), "decade")


@given(st.dates(D(2000, 1, 1), D(2100, 12, 1)), st.sampled_from(GRANULARITIES))
def test_every_day_lies_in_its_period(day, granularity):
    start = period_start(day, granularity)
    end = period_end(start, granularity)
    assert start <= day <= end
    assert granularity_of(start, end) == granularity
    assert period_start(end + dt.timedelta(days=1), granularity) == end + dt.timedelta(days=1)
