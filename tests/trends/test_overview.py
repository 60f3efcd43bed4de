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
            "current": [3, 150, 40, 500],
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
