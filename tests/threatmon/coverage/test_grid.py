"""Coverage of a view's periods, view frames with gaps, and the one question: is this
country, crime type, level and period covered?"""

import pandas as pd
import pytest

from tests.threatmon.coverage.factories import cells
from threatmon.coverage.grid import (
    NOT_REPORTED,
    PARTLY,
    REPORTED,
    coverage_grid,
    covered_keys,
    is_covered,
    with_coverage,
)

C, H = "cybercrime", "human_trafficking"


# Moldova: monthly by region January–June 2025 but silent in March and April; daily rows
# for cybercrime in January only. Ukraine: quarterly national figures for 2025-Q1.
STORE = cells(
    *[("MD", H, "admin1", "month", f"2025-{m:02d}-01") for m in (1, 2, 5, 6)],
    ("MD", C, "admin1", "day", "2025-01-01"),
    ("UA", H, "national", "quarter", "2025-01-01"),
)


def states(grid: pd.DataFrame) -> list[list[str]]:
    return [
        [r.country, r.crime_type, f"{r.period:%Y-%m}", r.coverage]
        for r in grid.itertuples(index=False)
    ]


def test_a_monthly_view_has_gaps_where_a_country_was_silent():
    grid = coverage_grid(STORE, "M", "2025-01-01", "2025-06-30", countries=["MD"], crime_types=[H])
    assert [s[3] for s in states(grid)] == [
        REPORTED,
        REPORTED,
        NOT_REPORTED,
        NOT_REPORTED,
        REPORTED,
        REPORTED,
    ]


def test_a_quarterly_national_figure_covers_a_quarter_never_its_months():
    monthly = coverage_grid(
        STORE, "M", "2025-01-01", "2025-03-31", countries=["UA"], crime_types=[H]
    )
    assert set(monthly["coverage"]) == {NOT_REPORTED}
    quarterly = coverage_grid(
        STORE, "Q", "2025-01-01", "2025-06-30", countries=["UA"], crime_types=[H]
    )
    assert states(quarterly) == [["UA", H, "2025-01", REPORTED], ["UA", H, "2025-04", NOT_REPORTED]]
    # Regional views need regional figures.
    regional = coverage_grid(
        STORE, "Q", "2025-01-01", "2025-03-31", level="admin1", countries=["UA"], crime_types=[H]
    )
    assert set(regional["coverage"]) == {NOT_REPORTED}


def test_a_quarter_with_some_months_is_partly_reported():
    grid = coverage_grid(STORE, "Q", "2025-01-01", "2025-06-30", countries=["MD"], crime_types=[H])
    assert states(grid) == [["MD", H, "2025-01", PARTLY], ["MD", H, "2025-04", PARTLY]]
    assert grid[["units", "covered"]].values.tolist() == [[3, 2], [3, 2]]


def test_countries_and_crime_types_without_cells_are_rows_of_the_grid():
    grid = coverage_grid(
        STORE, "M", "2025-01-01", "2025-01-31", countries=["MD", "LV"], crime_types=[C, H]
    )
    assert states(grid) == [
        ["LV", C, "2025-01", NOT_REPORTED],
        ["LV", H, "2025-01", NOT_REPORTED],
        ["MD", C, "2025-01", REPORTED],
        ["MD", H, "2025-01", REPORTED],
    ]
    assert covered_keys(grid) == {
        ("MD", C, pd.Timestamp("2025-01-01")),
        ("MD", H, pd.Timestamp("2025-01-01")),
    }


def test_a_view_frame_gets_zeros_where_reported_and_gaps_where_not():
    grid = coverage_grid(STORE, "M", "2025-01-01", "2025-06-30", countries=["MD"], crime_types=[H])
    frame = pd.DataFrame(
        {"period": pd.to_datetime(["2025-01-01", "2025-05-01"]), "country": "MD", "count": [4, 2]}
    )
    got = with_coverage(frame, grid, ["country"], value="count")
    assert got["count"].tolist()[:2] == [4.0, 0.0]  # February was reported without a row
    assert got["count"].isna().tolist() == [False, False, True, True, False, False]
    assert got["coverage"].tolist()[2] == NOT_REPORTED


def test_a_country_over_crime_types_is_partly_reported_when_one_is_missing():
    grid = coverage_grid(
        STORE, "M", "2025-01-01", "2025-02-28", countries=["MD"], crime_types=[C, H]
    )
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-02-01"]), "country": "MD", "count": [3]})
    got = with_coverage(frame, grid, ["country"], value="count")
    assert got["coverage"].tolist() == [REPORTED, PARTLY]
    assert got["count"].tolist() == [0.0, 3.0]
    gaps = with_coverage(frame, grid, ["country"], value="count", partly_is_gap=True)
    assert gaps["count"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("country", "crime_type", "level", "start", "granularity", "expected"),
    [
        ("MD", H, "admin1", "2025-02-01", "month", True),
        ("MD", H, "admin1", "2025-03-01", "month", False),  # silent
        ("MD", H, "national", "2025-02-01", "month", False),  # regions only
        ("MD", H, None, "2025-02-01", "month", True),
        ("MD", H, "admin1", "2025-01-01", "quarter", False),  # March missing
        ("MD", H, "admin1", "2025-02-14", "day", True),  # a day of a covered month
        ("MD", C, "admin1", "2025-01-20", "day", True),  # daily rows cover their month
        ("MD", C, "admin1", "2025-01-13", "week", True),
        ("MD", C, "admin1", "2025-01-27", "week", False),  # runs into February
        ("MD", C, "admin1", "2025-02-01", "month", False),
        ("UA", H, "national", "2025-02-01", "quarter", True),  # any day of the quarter
        ("UA", H, "national", "2025-02-01", "month", False),
        ("UA", H, "national", "2025-01-01", "year", False),
        ("LV", H, None, "2025-01-01", "month", False),  # never reported
    ],
)
def test_is_covered(country, crime_type, level, start, granularity, expected):
    assert is_covered(STORE, country, crime_type, level, start, granularity) is expected


def test_is_covered_refuses_unknown_levels_and_granularities():
    with pytest.raises(ValueError, match=r"^Not a granularity: 'fortnight'\.$"):
        is_covered(STORE, "MD", H, "admin1", "2025-01-01", "fortnight")
    with pytest.raises(ValueError, match=r"^Not a level: 'region'\.$"):
        is_covered(STORE, "MD", H, "region", "2025-01-01", "month")


def test_an_empty_store_covers_nothing():
    assert not is_covered(cells(), "MD", H, None, "2025-01-01", "month")
