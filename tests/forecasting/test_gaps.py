"""No data is not zero: forecasts of series whose countries stop, start late or never report."""

import json

import numpy as np
import pandas as pd
import pytest

from forecasting.forecast import forecast_series
from forecasting.refresh import NOT_RECONCILED, count_panel, refresh
from forecasting.selection import Selection, incident_series
from forecasting.series import NOTHING_REPORTED, latest_stretch
from threatmon.cli import main
from threatmon.errors import TooFewPeriodsError
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

REGIONS = pd.DataFrame(
    {"region_code": ["MD-CA", "MD-CU", "RO-SV", "RO-BT"], "country": ["MD", "MD", "RO", "RO"]}
)
CRIME = "migrant_smuggling"
#: Moldova reports from 2022-01, falls silent from 2025-11 to 2026-04, then reports again;
#: Romania reports from 2021-07 and stops after 2026-07. October 2026 is complete.
MD_MONTHS = pd.date_range("2022-01-01", "2026-10-01", freq="MS")
MD_SILENT = pd.date_range("2025-11-01", "2026-04-01", freq="MS")
RO_MONTHS = pd.date_range("2021-07-01", "2026-07-01", freq="MS")


def _incidents() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for code, country in zip(REGIONS["region_code"], REGIONS["country"], strict=True):
        months = MD_MONTHS.difference(MD_SILENT) if country == "MD" else RO_MONTHS
        season = 1 + 0.3 * np.sin(2 * np.pi * months.month.to_numpy() / 12)
        counts = np.maximum(rng.poisson(20 * season), 1)  # every reported month has a row
        rows += [(m, country, code, CRIME, int(c)) for m, c in zip(months, counts, strict=True)]
    frame = pd.DataFrame(rows, columns=["date", "country", "region_code", "crime_type", "count"])
    # A day of November: October is complete; cybercrime is reported only then.
    frame.loc[len(frame)] = (pd.Timestamp("2026-11-02"), "MD", "MD-CA", "cybercrime", 1)
    return frame


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("gaps") / "store.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(_incidents(), file_name="gaps.csv", sha256="9" * 64)
    return path


@pytest.fixture(scope="module")
def panel(store_path):
    return count_panel(Store(store_path), REGIONS)


def test_a_country_silent_for_six_months_has_gaps_there_not_zeros(panel):
    for level, area in (("region", "MD-CA"), ("region", "MD-CU"), ("country", "MD")):
        series = panel[(level, area, CRIME)]
        assert series[MD_SILENT].isna().all(), area
        assert series[:"2021-12-01"].isna().all(), area  # before Moldova's first month
        assert series.notna().sum() == len(MD_MONTHS) - len(MD_SILENT)
        assert (series.dropna() > 0).all()  # no zero stands in for a month not reported
    romania = panel[("country", "RO", CRIME)]
    assert romania["2026-08-01":].isna().all() and romania[:"2026-07-01"].notna().all()


def test_the_total_is_known_only_where_every_reporting_country_is(panel):
    total = panel[("total", "ALL", CRIME)]
    both = MD_MONTHS.difference(MD_SILENT).intersection(RO_MONTHS)
    assert list(total.dropna().index) == list(both)
    summed = panel[("country", "MD", CRIME)] + panel[("country", "RO", CRIME)]
    pd.testing.assert_series_equal(total[both], summed[both], check_names=False)


def test_a_crime_type_never_reported_is_all_missing(panel):
    assert panel.xs("cybercrime", axis=1, level="crime_type").isna().all().all()


def test_the_single_series_path_has_the_same_gaps(store_path, panel):
    store = Store(store_path)
    for selection, key in (
        (Selection(country="MD", crime_types=(CRIME,)), ("country", "MD", CRIME)),
        (Selection(region="RO-SV", crime_types=(CRIME,)), ("region", "RO-SV", CRIME)),
        (Selection(crime_types=(CRIME,)), ("total", "ALL", CRIME)),
    ):
        series = incident_series(store, selection)
        np.testing.assert_array_equal(series.to_numpy(), panel[key].to_numpy())


def _forecast_json(capsys, store_path, *area) -> dict:
    argv = ["forecast", "--db", str(store_path), *area, "--crime-type", CRIME, "--json"]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_the_forecast_starts_after_the_last_reported_month(store_path, capsys):
    romania = _forecast_json(capsys, store_path, "--country", "RO")
    assert romania["forecast"][0]["period"] == "2026-08"
    assert romania["message"].startswith(
        "Not reported after 2026-07: the forecast starts after it."
    )
    cahul = _forecast_json(capsys, store_path, "--region", "MD-CA")
    assert [row["period"] for row in cahul["forecast"]][:2] == ["2026-11", "2026-12"]
    assert cahul["message"].startswith(
        "Not reported from 2025-11 to 2026-04: modelled on the 6 months reported since 2026-05."
    )


def test_a_series_never_reported_is_not_forecast(store_path, capsys):
    argv = ["forecast", "--db", str(store_path), "--country", "RO", "--crime-type", "cybercrime"]
    assert main(argv) != 0
    assert NOTHING_REPORTED in capsys.readouterr().err.replace("\n", " ")


def test_gaps_are_never_filled():
    index = pd.date_range("2020-01-01", periods=40, freq="MS")
    values = np.r_[np.full(20, 50.0), np.full(6, np.nan), np.full(12, 10.0), [np.nan, np.nan]]
    series = pd.Series(values, index=index)
    stretch, note = latest_stretch(series)
    assert list(stretch.index) == list(index[26:38]) and (stretch == 10).all()
    assert note == (
        "Not reported from 2021-09 to 2022-02: modelled on the 12 months reported since "
        "2022-03. Not reported after 2023-02: the forecast starts after it."
    )
    result = forecast_series(series, horizon=3)
    # The level of the latest stretch, from the month after the last reported one: the
    # 50s before the gap and the silence after it say nothing about it.
    assert list(result.forecast["period"]) == list(
        pd.date_range("2023-03-01", periods=3, freq="MS")
    )
    np.testing.assert_allclose(result.forecast["mean"], 10.0)
    assert result.message.startswith(note)
    with pytest.raises(TooFewPeriodsError, match=NOTHING_REPORTED.replace("(", r"\(")[:40]):
        forecast_series(pd.Series(np.nan, index=index), horizon=3)


@pytest.mark.slow
def test_reconciliation_adds_up_reported_series_only(store_path):
    result = refresh(Store(store_path), workers=1, regions=REGIONS)
    series = result.series
    assert set(series["crime_type"]) == {CRIME}  # cybercrime was never reported
    assert result.meta["not_reported"] == (4 + 2 + 1) * 11
    forecasts = result.forecasts
    first = forecasts.groupby(["level", "area"])["period"].min()
    assert first[("country", "MD")] == first[("region", "MD-CA")] == pd.Timestamp("2026-11-01")
    assert first[("country", "RO")] == first[("region", "RO-SV")] == pd.Timestamp("2026-08-01")
    # The total's last month with both countries is 2026-07, Moldova's is 2026-10: they
    # forecast other months, so the total is left as its model forecast it.
    assert first[("total", "ALL")] == pd.Timestamp("2026-08-01")
    total = forecasts[forecasts["level"] == "total"]
    np.testing.assert_array_equal(total["mean"], total["base_mean"])
    message = series.loc[series["level"] == "total", "message"].iloc[0]
    assert message.endswith(NOT_RECONCILED)
    # Each country adds up its regions.
    for country, codes in (("MD", ["MD-CA", "MD-CU"]), ("RO", ["RO-SV", "RO-BT"])):
        mine = forecasts[forecasts["area"] == country].set_index("period")["mean"]
        regions = forecasts[forecasts["area"].isin(codes)].groupby("period")["mean"].sum()
        np.testing.assert_allclose(mine, regions.loc[mine.index], atol=1e-6)
    assert result.meta["incoherence"] < 1e-6
