"""`threatmon forecast --series` end to end: yearly, quarterly, monthly and weekly files, the
periods in the output, the files refused, and JSON any parser reads."""

import json

import numpy as np
import pytest

from threatmon.cli import main

# A national statistics release: offences per year, 2010-2024.
YEARLY = "year,offences\n" + "".join(
    f"{2010 + i},{n}\n"
    for i, n in enumerate([12, 15, 17, 21, 19, 22, 27, 25, 28, 30, 33, 29, 35, 37, 41])
)


def _file(tmp_path, text: str, name: str = "series.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _forecast(path, *extra, date_col="period", value_col="n"):
    return ["forecast", "--series", str(path), "--date-col", date_col, "--value-col", value_col]


def _json(capsys):
    text = capsys.readouterr().out

    def refuse(constant):
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_a_yearly_release_is_forecast_in_years(tmp_path, capsys):
    path = _file(tmp_path, YEARLY, "national.csv")
    args = _forecast(path, date_col="year", value_col="offences")
    assert main([*args, "--json"]) == 0
    out = _json(capsys)
    assert (out["series"], out["freq"], out["horizon"]) == ("national.csv", "Y", 3)
    assert [row["period"] for row in out["forecast"]] == ["2025", "2026", "2027"]
    assert {row["model"] for row in out["backtest"]} == {"naive", "level", "ets", "combination"}
    assert out["message"].startswith("Chosen by backtest over 3 origins, 3 years ahead: ")
    assert out["skill"] is True
    # The old reading made Excel serials of the years: days of July 1905.
    assert "1905" not in json.dumps(out)
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.startswith("Forecast of national.csv (regressor: no regressor), 3 years ahead.\n")
    assert "\n2025     " in text and "\n2027     " in text


def test_twelve_years_get_a_forecast_with_a_note(tmp_path, capsys):
    path = _file(tmp_path, "\n".join(YEARLY.splitlines()[:13]) + "\n")
    assert main([*_forecast(path, date_col="year", value_col="offences"), "--json"]) == 0
    out = _json(capsys)
    assert out["chosen"] == "level"
    assert out["message"] == (
        "Only 12 years of data; at least 13 are needed to choose a model by backtest. "
        "Showing the mean of the last 3 years, with intervals from its changes."
    )
    assert out["backtest"] == []
    assert [row["period"] for row in out["forecast"]] == ["2022", "2023", "2024"]


@pytest.mark.parametrize(
    ("freq", "first", "size", "horizon", "periods"),
    [
        ("Q", "2017-Q1", 32, 4, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]),
        ("M", "2020-01", 60, 6, ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]),
        ("W", "2023-W01", 120, 6, [f"2025-W{w:02d}" for w in range(17, 23)]),
    ],
)
def test_each_frequency_gives_its_own_periods(
    tmp_path, capsys, freq, first, size, horizon, periods
):
    import pandas as pd

    starts = {
        "Q": pd.date_range("2017-01-01", periods=size, freq="QS"),
        "M": pd.date_range("2020-01-01", periods=size, freq="MS"),
        "W": pd.date_range("2023-01-02", periods=size, freq="W-MON"),
    }[freq]
    labels = {
        "Q": [f"{t.year}-Q{t.quarter}" for t in starts],
        "M": [f"{t:%Y-%m}" for t in starts],
        "W": [f"{t.isocalendar()[0]}-W{t.isocalendar()[1]:02d}" for t in starts],
    }[freq]
    assert labels[0] == first
    rng = np.random.default_rng(11)
    rows = "".join(f"{label},{n}\n" for label, n in zip(labels, rng.poisson(40, size), strict=True))
    path = _file(tmp_path, "period,n\n" + rows)
    assert main([*_forecast(path), "--json"]) == 0
    out = _json(capsys)
    assert (out["freq"], out["horizon"]) == (freq, horizon)
    assert [row["period"] for row in out["forecast"]] == periods


def test_dates_that_do_not_fit_the_frequency_are_refused_never_regrouped(tmp_path, capsys):
    path = _file(tmp_path, "period,n\n2022-05-01,3\n2022-06-15,4\n2022-07-01,5\n")
    assert main([*_forecast(path), "--freq", "M"]) == 1
    assert capsys.readouterr().err == (
        "error: series.csv: 1 problem(s); nothing was forecast.\n"
        "  - row 3, column 'period': 2022-06-15 is not the start of a month; with --freq M "
        "give months as 2022-06. Got '2022-06-15'.\n"
    )
    assert main([*_forecast(path), "--freq", "M", "--json"]) == 1
    out = _json(capsys)
    assert out["problems"] == [
        {
            "row": 3,
            "column": "period",
            "value": "2022-06-15",
            "reason": "2022-06-15 is not the start of a month; with --freq M give months as "
            "2022-06.",
            "suggestion": None,
        }
    ]


def test_years_read_as_months_a_gap_and_ambiguous_dates_are_refused(tmp_path, capsys):
    yearly = _file(tmp_path, YEARLY)
    args = _forecast(yearly, date_col="year", value_col="offences")
    assert main([*args, "--freq", "M", "--json"]) == 1
    problems = _json(capsys)["problems"]
    assert len(problems) == 15
    assert problems[0]["reason"] == (
        "2010 is a year, but the series is monthly (--freq M); give months as 2022-06."
    )
    gap = _file(tmp_path, "period,n\n2021,4\n2023,0\n", "gap.csv")
    assert main(_forecast(gap)) == 1
    assert "2022 is missing before 2023; a missing period is not zero" in capsys.readouterr().err
    starts = _file(tmp_path, "period,n\n2021-01-01,4\n2022-01-01,0\n", "starts.csv")
    assert main(_forecast(starts)) == 1
    assert capsys.readouterr().err == (
        "error: starts.csv: every date starts years, quarters and months alike, so the "
        "frequency is not clear; say which with --freq Y, Q or M.\n"
    )


def test_the_store_is_forecast_by_month_or_week_only(capsys):
    args = ["forecast", "--country", "MD", "--crime-type", "cbrne", "--freq", "Y"]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "error: --freq Y applies to --series; the store is forecast by month (M) or week (W).\n"
    )


def test_help_says_what_the_horizon_counts(capsys):
    with pytest.raises(SystemExit):
        main(["forecast", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "periods ahead, in the frequency's periods: years (Y, default 3), quarters (Q, "
        "default 4), months (M, default 6) or weeks (W, default 6)"
    ) in text


def test_json_of_a_forecast_never_holds_nan_or_infinity(capsys):
    from threatmon.cli.common import print_json

    print_json({"mase": float("inf"), "rows": [{"lag": float("nan"), "n": 3.5}]})
    assert _json(capsys) == {"mase": None, "rows": [{"lag": None, "n": 3.5}]}
