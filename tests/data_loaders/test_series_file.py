import pandas as pd
import pytest

from data_loaders.series_file import read_series
from threatmon.errors import ValidationError


def _write(tmp_path, text: str):
    path = tmp_path / "series.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path, **kwargs):
    kwargs = {"date_col": "period", "value_col": "n"} | kwargs
    with pytest.raises(ValidationError) as info:
        read_series(path, **kwargs)
    return str(info.value), [(p.row, p.column, p.value, p.reason) for p in info.value.problems]


# A national yearly release: year, offences (real zeros included), written newest first.
YEARLY = "year;offences\n" + "".join(
    f"{year};{count}\n"
    for year, count in zip(
        range(2024, 2009, -1),
        [41, 37, 0, 29, 33, 30, 28, 25, 27, 22, 19, 21, 17, 15, 12],
        strict=True,
    )
)


def test_a_yearly_release_is_years_not_july_1905(tmp_path):
    found = read_series(_write(tmp_path, YEARLY), date_col="year", value_col="offences")
    assert (found.freq, found.form) == ("Y", "period")
    assert list(found.series.index) == list(pd.date_range("2010-01-01", "2024-01-01", freq="YS"))
    assert found.series.index.freq == "YS"
    assert found.series.iloc[0] == 12.0 and found.series.iloc[-1] == 41.0
    assert found.series["2022-01-01"] == 0.0  # a reported zero, kept
    assert found.exog is None


@pytest.mark.parametrize(
    ("text", "freq", "first", "size"),
    [
        ("2023-Q3;5\n2023Q4;0\n2024-q1;7\n", "Q", "2023-07-01", 3),
        ("2025-05;4\n2025-06;0\n2025-07;2\n", "M", "2025-05-01", 3),
        ("2024-W52;1\n2025-W01;3\n2025-W02;2\n", "W", "2024-12-23", 3),
        ("2024-12-30;1\n2025-01-06;3\n", "W", "2024-12-30", 2),
        ("01.05.2025;4\n01.06.2025;0\n", "M", "2025-05-01", 2),
    ],
)
def test_each_period_form_is_read_with_its_frequency(tmp_path, text, freq, first, size):
    found = read_series(_write(tmp_path, "period;n\n" + text), date_col="period", value_col="n")
    assert found.freq == freq
    assert found.series.index[0] == pd.Timestamp(first)
    assert len(found.series) == size


def test_dates_on_year_starts_need_the_frequency_said(tmp_path):
    path = _write(tmp_path, "period,n\n2023-01-01,4\n2024-01-01,5\n")
    assert _problems(path) == (
        "series.csv: every date starts years, quarters and months alike, so the frequency "
        "is not clear; say which with --freq Y, Q or M.",
        [],
    )
    found = read_series(path, date_col="period", value_col="n", freq="Y")
    assert list(found.series.index) == [pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01")]


def test_daily_dates_are_refused_not_summed(tmp_path):
    path = _write(tmp_path, "period;n\n2024-01-01;2\n2024-01-20;3\n2024-02-01;4\n")
    assert _problems(path) == (
        "series.csv: the dates do not all start periods of one frequency (1 January, the "
        "first day of a quarter or a month, or a Monday); give --freq Y, Q, M or W to see the "
        "rows that do not fit.",
        [],
    )
    assert _problems(path, freq="M") == (
        "series.csv: 1 problem(s); nothing was forecast.",
        [
            (
                3,
                "period",
                "2024-01-20",
                "2024-01-20 is not the start of a month; with --freq M give months as 2024-01.",
            )
        ],
    )
    assert _problems(path, freq="W")[1][0] == (
        3,
        "period",
        "2024-01-20",
        "2024-01-20 is not the start of an ISO week (a Monday); with --freq W give weeks as "
        "2024-W03.",
    )


def test_periods_of_another_frequency_are_refused_with_the_frequency_named(tmp_path):
    path = _write(tmp_path, "period,n\n2022,1\n2023-06,2\n2024,3\n")
    assert _problems(path)[1] == [
        (
            3,
            "period",
            "2023-06",
            "2023-06 is a month, but the series is yearly (--freq Y); give years as 2022.",
        )
    ]
    assert _problems(path, freq="Q")[1][0] == (
        2,
        "period",
        "2022",
        "2022 is a year, but the series is quarterly (--freq Q); give quarters as 2022-Q3.",
    )


def test_two_ways_of_writing_periods_are_refused(tmp_path):
    path = _write(tmp_path, "period,n\n2022-06,1\n2022-07-01,2\n2022-08,3\n")
    assert _problems(path)[1] == [
        (
            3,
            "period",
            "2022-07-01",
            "2022-07-01 is written as a date while 2 other rows are written as months like "
            "2022-06 (line 2); write every period the same way.",
        )
    ]


def test_duplicates_and_gaps_are_named_and_a_gap_is_not_zero(tmp_path):
    path = _write(tmp_path, "period,n\n2022-Q1,1\n2022-Q2,2\n2022-Q2,5\n2023-Q1,3\n2023-Q3,4\n")
    assert _problems(path) == (
        "series.csv: 3 problem(s); nothing was forecast.",
        [
            (
                4,
                "period",
                "2022-Q2",
                "2022-Q2 appears again (first on line 3); a series file gives each period once.",
            ),
            (
                5,
                "period",
                "2023-Q1",
                "2022-Q3 to 2022-Q4 (2 quarters) are missing before 2023-Q1; a missing period "
                "is not zero: give each its row, with 0 where none were recorded.",
            ),
            (
                6,
                "period",
                "2023-Q3",
                "2023-Q2 is missing before 2023-Q3; a missing period is not zero: give each its "
                "row, with 0 where none were recorded.",
            ),
        ],
    )


def test_impossible_periods_and_short_numbers_are_named(tmp_path):
    path = _write(
        tmp_path,
        "period,n\n2022.0,1\n0042,2\n2022-13,3\n2022-Q5,4\n2020-W53,5\n2021-W53,6\nsoon,7\n,8\n",
    )
    message, problems = _problems(path)
    assert message == "series.csv: 7 problem(s); nothing was forecast."
    assert [(row, reason) for row, _, _, reason in problems] == [
        (2, "2022.0 is neither a year (2022) nor an Excel date serial (44713 is 2022-06-01)."),
        (3, "0042 is outside the years 1900 to 2199."),
        (4, "2022-13 is not a month: months run from 01 to 12."),
        (5, "2022-Q5 is not a quarter: quarters run from Q1 to Q4."),
        (7, "2021-W53 is not an ISO week: 2021 has 52 weeks."),
        (
            8,
            "Not a period or a date: give years as 2022, quarters as 2022-Q3, months as "
            "2022-06, ISO weeks as 2022-W24, or dates as 2022-06-01.",
        ),
        (9, "Value is missing."),
    ]


def test_bad_values_are_reported_with_their_lines(tmp_path):
    path = _write(tmp_path, "period,n,arrivals\n2024-01,1,10\n2024-02,-4,5\n2024-03,many,\n")
    assert _problems(path, exog_col="arrivals") == (
        "series.csv: 3 problem(s); nothing was forecast.",
        [
            (3, "n", "-4", "Value is negative."),
            (4, "arrivals", None, "Value is missing."),
            (4, "n", "many", "Not a number."),
        ],
    )


def test_the_regressor_follows_the_rows_into_time_order(tmp_path):
    path = _write(tmp_path, "period;n;arrivals\n2024-03;4;10\n2024-01;2;100\n2024-02;3;50,5\n")
    found = read_series(path, date_col="period", value_col="n", exog_col="arrivals")
    assert found.series.tolist() == [2.0, 3.0, 4.0]
    assert found.exog.tolist() == [100.0, 50.5, 10.0]
    assert found.exog.index.equals(found.series.index)


def test_a_missing_column_names_the_columns_there_are(tmp_path):
    path = _write(tmp_path, "date,n\n2024-01-01,1\n")
    with pytest.raises(
        ValidationError, match="series.csv has no column 'count'; it has 'date', 'n'."
    ):
        read_series(path, date_col="date", value_col="count")


def test_a_header_only_file_is_refused(tmp_path):
    with pytest.raises(ValidationError, match=r"^series.csv has no rows\.$"):
        read_series(_write(tmp_path, "period,n\n"), date_col="period", value_col="n")


def test_dates_in_no_decidable_order_are_one_problem(tmp_path):
    path = _write(tmp_path, "date,n\n01/02/2024,1\n03/04/2024,2\n05/06/2024,3\n")
    with pytest.raises(ValidationError) as info:
        read_series(path, date_col="date", value_col="n")
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (None, "date")
    assert problem.reason.startswith(
        "The order of day and month cannot be decided: 3 distinct slashed dates are valid"
    )
    assert problem.suggestion == "A series file takes no date order: write its dates as YYYY-MM-DD."
