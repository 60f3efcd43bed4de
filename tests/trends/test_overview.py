"""The overview's numbers: period totals, KPIs, top movers and the page summary."""

import numpy as np
import pandas as pd
import pytest

from tests.factories import small_registry, sparse_monthly
from trends.overview import kpi_comparison, overview_summary, top_movers, window_totals


@pytest.fixture
def monthly():
    return sparse_monthly()


@pytest.fixture
def registry():
    return small_registry()


def test_window_totals(monthly):
    assert window_totals(monthly, ("2024-01-01", "2024-06-30"))["count"].tolist() == [10]
    by = window_totals(monthly, ("2024-07-01", "2025-06-30"), ["crime_type"])
    assert by.to_dict("list") == {
        "crime_type": ["drug_trafficking", "migrant_smuggling"],
        "count": [18, 7],
    }


def test_kpi_comparison(monthly):
    """Jan–Jun 2025 against Jul–Dec 2024 and Jan–Jun 2024."""
    out = kpi_comparison(
        monthly,
        ("2025-01-01", "2025-06-30"),
        ("2024-07-01", "2024-12-31"),
        ("2024-01-01", "2024-06-30"),
        ["crime_type"],
    )
    assert out.drop(columns="pct_year").to_dict("list") == {
        "crime_type": ["drug_trafficking", "migrant_smuggling"],
        "current": [8, 5],
        "previous": [10, 2],
        "year_earlier": [10, 0],
        "current_previous": [8, 5],
        "current_year": [8, 5],
        "change_previous": [-2, 3],
        "pct_previous": [-20.0, 150.0],
        "change_year": [-2, 5],
    }
    assert out["pct_year"][0] == -20.0 and np.isnan(out["pct_year"][1])
    total = kpi_comparison(
        monthly,
        ("2025-01-01", "2025-06-30"),
        ("2024-07-01", "2024-12-31"),
        ("2024-01-01", "2024-06-30"),
    )
    assert total[["current", "previous", "year_earlier"]].iloc[0].tolist() == [13, 12, 10]


def test_top_movers_skips_low_counts():
    kpis = pd.DataFrame(
        {
            "crime_type": ["a", "b", "c", "d"],
            "current_previous": [3, 150, 40, 500],
            "previous": [0, 100, 90, 490],
            "change_previous": [3, 50, -50, 10],
        }
    )
    out = top_movers(kpis, n=2, min_total=10)
    assert out["crime_type"].tolist() == ["b", "c"]


def test_overview_summary(monthly, registry):
    frame = monthly.assign(country="MD")
    labels = {"drug_trafficking": "Drug trafficking", "migrant_smuggling": "Migrant smuggling"}
    out = overview_summary(
        frame,
        ("2025-01-01", "2025-06-30"),
        ("2024-07-01", "2024-12-31"),
        ("2024-01-01", "2024-06-30"),
        registry,
        labels,
        countries=["MD"],
    )
    assert out["total"]["current"].tolist() == [13]
    assert set(out["movers"]["crime"]) <= set(labels.values())
    assert out["trend"]["period"].nunique() == 18
    assert out["changes"].columns[:3].tolist() == ["region", "country", "crime"]
    assert set(out["changes"]["region"]) == {"Chișinău", "Bălți"}
    assert out["countries"]["country"].unique().tolist() == ["MD"]
    assert out["countries"]["rate"].sum() == pytest.approx(35 * 100_000 / 700_000)
    spark_total = out["sparklines"][out["sparklines"]["crime_type"] == ""]
    assert spark_total["count"].tolist() == [7, 5, 0, 0, 0, 1]


# -- coverage: no data is not zero --------------------------------------------------------------

CURRENT = ("2025-01-01", "2025-06-30")
PREVIOUS = ("2024-07-01", "2024-12-31")
YEAR = ("2024-01-01", "2024-06-30")
MONTHS = pd.date_range("2024-01-01", "2025-06-01", freq="MS")
TWO_REGIONS = pd.DataFrame(
    {
        "region_code": ["MD-CU", "LV-011"],
        "country": ["MD", "LV"],
        "name_en": ["Chișinău", "Ādaži"],
        "population": [700_000.0, 300_000.0],
    }
)
LABELS = {"drug_trafficking": "Drug trafficking", "cybercrime": "Cybercrime"}


def monthly_cells(reported: dict[tuple[str, str], list]) -> pd.DataFrame:
    """Regional monthly cells: (country, crime_type) -> its reported months."""
    from threatmon.coverage import CELL_COLUMNS

    rows = []
    for (country, crime), months in reported.items():
        for month in months:
            start = pd.Timestamp(month)
            end = start + pd.offsets.MonthEnd(0)
            rows.append(
                (country, crime, "admin1", "month", start, end, start, end, 1, "t.csv", 1, False)
            )
    return pd.DataFrame(rows, columns=list(CELL_COLUMNS))


def monthly_rows(counts: dict[tuple[str, str, str], dict]) -> pd.DataFrame:
    """(country, region, crime) -> {month: count} as the store's monthly aggregate."""
    rows = [
        (pd.Timestamp(month), country, region, crime, count)
        for (country, region, crime), by_month in counts.items()
        for month, count in by_month.items()
    ]
    return pd.DataFrame(rows, columns=["period", "country", "region_code", "crime_type", "count"])


def summary_of(monthly, cells, countries, crimes=tuple(LABELS)):
    from threatmon.coverage import coverage_grid

    grid = coverage_grid(
        cells, "M", "2024-01-01", "2025-06-30", countries=countries, crime_types=crimes
    )
    return overview_summary(
        monthly,
        CURRENT,
        PREVIOUS,
        YEAR,
        TWO_REGIONS,
        LABELS,
        countries=countries,
        crime_types=list(crimes),
        totals=monthly.drop(columns="region_code"),
        grid=grid,
        reported_ever=set(zip(cells["country"], cells["crime_type"], strict=True)),
    )


@pytest.fixture
def gapped():
    """Moldova reports both types throughout (cybercrime mostly zeros); Latvia stops
    reporting drug trafficking in Sep–Oct 2024 and never reports cybercrime."""
    stopped = (pd.Timestamp("2024-09-01"), pd.Timestamp("2024-10-01"))
    latvia = [m for m in MONTHS if m not in stopped]
    cells = monthly_cells(
        {
            ("MD", "drug_trafficking"): MONTHS,
            ("MD", "cybercrime"): MONTHS,
            ("LV", "drug_trafficking"): latvia,
        }
    )
    monthly = monthly_rows(
        {
            ("MD", "MD-CU", "drug_trafficking"): {m: 10 for m in MONTHS},
            ("MD", "MD-CU", "cybercrime"): {"2024-02-01": 4, "2024-08-01": 3, "2025-01-01": 2},
            ("LV", "LV-011", "drug_trafficking"): {m: 5 for m in latvia},
        }
    )
    return monthly, cells


def test_kpis_compare_only_cells_reported_in_both_periods(gapped):
    out = summary_of(*gapped, ["LV", "MD"])
    total = out["total"].iloc[0]
    # Everything reported in Jan–Jun 2025: 60 + 2 + 30.
    assert total["current"] == 92
    # Latvia's drug trafficking has a gap in Jul–Dec 2024: left out of that comparison only.
    assert (total["current_previous"], total["previous"]) == (62, 63)
    assert total["change_previous"] == -1
    assert (total["current_year"], total["year_earlier"]) == (92, 94)
    by_crime = kpi_comparison(
        gapped[0], CURRENT, PREVIOUS, YEAR, ["crime_type"], grid=_grid(gapped[1])
    ).set_index("crime_type")
    assert by_crime.loc["drug_trafficking", ["current_previous", "previous"]].tolist() == [60, 60]
    assert by_crime.loc["cybercrime", "previous"] == 3
    # The series add up the countries' crime types (and the crime types' countries).
    countries = out["countries"].set_index(["country", "period"])["count"]
    assert countries[("MD", pd.Timestamp("2024-02-01"))] == 14
    assert np.isnan(countries[("LV", pd.Timestamp("2024-09-01"))])
    trend = out["trend"].set_index(["crime_type", "period"])
    assert trend.loc[("drug_trafficking", pd.Timestamp("2024-08-01")), "count"] == 15
    assert trend.loc[("drug_trafficking", pd.Timestamp("2024-09-01")), "coverage"] == "partly"
    assert out["sparklines"].query("crime_type == ''")["count"].tolist()[:2] == [17, 15]


def _grid(cells, countries=("LV", "MD")):
    from threatmon.coverage import coverage_grid

    return coverage_grid(
        cells, "M", "2024-01-01", "2025-06-30", countries=countries, crime_types=tuple(LABELS)
    )


def test_left_out_names_the_gaps_and_what_was_never_reported(gapped):
    out = summary_of(*gapped, ["LV", "MD"])["left_out"]
    assert out[["country", "crime_type", "never"]].values.tolist() == [
        ["LV", "cybercrime", True],
        ["LV", "drug_trafficking", False],
    ]
    gaps = out.set_index("crime_type").loc["drug_trafficking", "missing"]
    assert gaps == (pd.Timestamp("2024-09-01"), pd.Timestamp("2024-10-01"))


def test_a_row_without_coverage_on_one_side_is_no_data_not_a_change(gapped):
    changes = summary_of(*gapped, ["LV", "MD"])["changes"].set_index(["region_code", "crime_type"])
    row = changes.loc[("LV-011", "drug_trafficking")]
    assert row["level"] == "no data" and np.isnan(row["previous"]) and row["current"] == 30
    assert np.isnan(row["pct_change"]) and np.isnan(row["change"])
    assert changes.loc[("MD-CU", "cybercrime"), "previous"] == 3


def test_a_country_without_any_report_is_listed_not_drawn(gapped):
    monthly, cells = gapped
    only_md = cells[cells["country"] == "MD"]
    out = summary_of(monthly[monthly["country"] == "MD"], only_md, ["LV", "MD"])
    assert out["no_data"]["country"].tolist() == ["LV"]
    assert out["countries"]["country"].unique().tolist() == ["MD"]


@pytest.mark.parametrize("month", ["2024-03-01", "2024-10-01", "2025-02-01"])
def test_removing_one_month_of_coverage_makes_a_gap_never_a_zero(gapped, month):
    """Every series and table of the overview: the month is NaN, and no comparison spans it."""
    monthly, cells = gapped
    md = monthly[monthly["country"] == "MD"]
    md_cells = cells[cells["country"] == "MD"]
    full = summary_of(md, md_cells, ["MD"])
    removed = pd.Timestamp(month)
    out = summary_of(md[md["period"] != removed], md_cells[md_cells["start"] != removed], ["MD"])
    for name, key in (
        ("trend", "crime_type"),
        ("countries", "country"),
        ("sparklines", "crime_type"),
    ):
        assert not out[name].duplicated([key, "period"]).any(), name
    for name in ("trend", "countries"):
        frame = out[name]
        assert frame.loc[frame["period"] == removed, "count"].isna().all(), name
        assert (frame.loc[frame["period"] == removed, "coverage"] == "not reported").all()
        others = frame[frame["period"] != removed].reset_index(drop=True)
        kept = full[name][full[name]["period"] != removed].reset_index(drop=True)
        assert others["count"].tolist() == kept["count"].tolist(), name
    sparks = out["sparklines"]
    assert sparks.loc[sparks["period"] == removed, "count"].isna().all()
    total = out["total"].iloc[0]
    in_current = removed >= pd.Timestamp(CURRENT[0])
    in_previous = pd.Timestamp(PREVIOUS[0]) <= removed <= pd.Timestamp(PREVIOUS[1])
    in_year = removed <= pd.Timestamp(YEAR[1])
    assert np.isnan(total["change_previous"]) == (in_current or in_previous)
    assert np.isnan(total["change_year"]) == (in_current or in_year)
    changes = out["changes"]
    if in_current or in_previous:
        assert (changes["level"] == "no data").all()
        assert changes[["change", "pct_change"]].isna().all().all()
    assert not (out["left_out"].empty)
    assert out["left_out"]["missing"].map(lambda m: m == (removed,)).all()
