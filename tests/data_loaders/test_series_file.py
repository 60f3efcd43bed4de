import pandas as pd
import pytest

from data_loaders.series_file import read_series
from threatmon.errors import ValidationError


def _write(tmp_path, text: str):
    path = tmp_path / "series.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_daily_file_is_summed_into_months_with_gaps_as_zero(tmp_path):
    path = _write(
        tmp_path,
        "day;cases;arrivals\n03.01.2024;2;100\n20.01.2024;3;50,5\n15.03.2024;4;10\n",
    )
    series, exog = read_series(
        path, date_col="day", value_col="cases", exog_col="arrivals", freq="M"
    )
    assert series.tolist() == [5.0, 0.0, 4.0]
    assert list(series.index) == list(pd.date_range("2024-01-01", periods=3, freq="MS"))
    assert exog.tolist() == [150.5, 0.0, 10.0]


def test_weeks_start_on_monday(tmp_path):
    path = _write(tmp_path, "date,n\n2024-01-03,1\n2024-01-07,2\n2024-01-08,4\n")
    series, exog = read_series(path, date_col="date", value_col="n", freq="W")
    assert exog is None
    assert series.to_dict() == {pd.Timestamp("2024-01-01"): 3.0, pd.Timestamp("2024-01-08"): 4.0}


def test_every_bad_cell_is_reported_with_its_line(tmp_path):
    path = _write(tmp_path, "date,n\n2024-01-01,1\nsoon,2\n2024-03-01,-4\n2024-04-01,many\n")
    with pytest.raises(ValidationError) as info:
        read_series(path, date_col="date", value_col="n")
    assert str(info.value) == "series.csv: 3 problem(s); nothing was forecast."
    assert [(p.row, p.column, p.value, p.reason) for p in info.value.problems] == [
        (
            3,
            "date",
            "soon",
            "Not a date in any accepted format (YYYY-MM-DD, dd.mm.yyyy, dd/mm/yyyy, "
            "Excel serial number).",
        ),
        (4, "n", "-4", "Value is negative."),
        (5, "n", "many", "Not a number."),
    ]


def test_a_missing_column_names_the_columns_there_are(tmp_path):
    path = _write(tmp_path, "date,n\n2024-01-01,1\n")
    with pytest.raises(
        ValidationError, match="series.csv has no column 'count'; it has 'date', 'n'."
    ):
        read_series(path, date_col="date", value_col="count")


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
