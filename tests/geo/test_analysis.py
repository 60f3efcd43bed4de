"""Hotspots of a store selection: the code path shared by the map page and the CLI."""

import numpy as np
import pandas as pd
import pytest

from geo.analysis import COLUMNS, period_panel, region_hotspots, rounded_table
from geo.emerging import CATEGORIES
from threatmon.filters import Filters
from threatmon.registry.regions import load_regions
from threatmon.store.reader import Store
from threatmon.store.writer import write_session
from trends.rates import empirical_bayes_rates

# Southern Moldova: Cahul, Cantemir, Leova, Gagauzia and Taraclia border one another.
CLUSTER = ("MD-CA", "MD-CT", "MD-LE", "MD-GA", "MD-TA")
PERIOD = Filters(countries=("MD",), start="2025-01-01", end="2026-12-31")


def _planted_store(path, seed: int) -> Store:
    """24 months of Moldovan incidents at 20 per 100k a year, eight times that in CLUSTER."""
    rng = np.random.default_rng(seed)
    regions = load_regions()
    moldova = regions[regions["country"] == "MD"]
    months = pd.date_range("2025-01-01", "2026-12-01", freq="MS")
    rows = []
    for region in moldova.itertuples(index=False):
        rate = 20.0 * (8.0 if region.region_code in CLUSTER else 1.0)
        expected = rate * region.population / 100_000 / 12
        for month, count in zip(months, rng.poisson(expected, len(months)), strict=True):
            if count:
                rows.append((month, "MD", region.region_code, "migrant_smuggling", int(count)))
    frame = pd.DataFrame(rows, columns=["date", "country", "region_code", "crime_type", "count"])
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="planted.csv", sha256=f"{seed:064d}")
    return Store(path)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return _planted_store(tmp_path_factory.mktemp("hot") / "planted.duckdb", seed=11)


def test_a_planted_cluster_comes_out_hot_and_nothing_else_does(planted):
    table = region_hotspots(planted, PERIOD)
    assert tuple(table.columns) == COLUMNS
    assert len(table) == 37
    hot = set(table.loc[table["hot_cold"] == "hot", "region_code"])
    assert len(hot & set(CLUSTER)) >= 3, table.head(8)
    assert hot <= set(CLUSTER), hot - set(CLUSTER)
    assert table["gi_z"].is_monotonic_decreasing
    assert set(table["emerging_category"]) <= set(CATEGORIES)


def test_values_are_smoothed_rates_per_100k_over_the_period(planted):
    """The default rate is empirical-Bayes smoothed over the selection's regions; raw
    rates and counts are there on request."""
    table = region_hotspots(planted, PERIOD, permutations=99).set_index("region_code")
    regions = load_regions().set_index("region_code")
    totals = planted.aggregate(PERIOD, by=("region_code",), freq=None).set_index("region_code")
    moldova = table.index.tolist()
    counts = totals["count"].reindex(moldova, fill_value=0)
    smoothed = empirical_bayes_rates(counts, regions.loc[moldova, "population"])
    np.testing.assert_allclose(table.loc[moldova, "value"], smoothed)
    code = "MD-CA"
    raw = region_hotspots(planted, PERIOD, measure="rate_raw", permutations=99)
    expected = totals.loc[code, "count"] * 100_000 / regions.loc[code, "population"]
    assert raw.set_index("region_code").loc[code, "value"] == pytest.approx(expected)
    counted = region_hotspots(planted, PERIOD, measure="count", permutations=99)
    assert counted.set_index("region_code").loc[code, "value"] == totals.loc[code, "count"]


def test_regions_of_a_country_that_sent_nothing_are_no_data_not_cold_spots(planted):
    """Only Moldova's incidents are stored; with Ukraine selected too, its 27 regions are
    no data (before, they counted 0 and 23 of them came out cold), and Moldova's results
    are those of Moldova alone."""
    both = PERIOD.replace(countries=("MD", "UA"))
    table = region_hotspots(planted, both, measure="count", permutations=199)
    shown = table.set_index("region_code")
    ukraine = shown[shown.index.str.startswith("UA-")]
    assert len(ukraine) == 27
    assert set(ukraine["hot_cold"]) == {"no data"}
    assert ukraine["value"].isna().all()
    assert set(ukraine["note"]) == {"Ukraine reported nothing by region for this selection"}
    alone = region_hotspots(planted, PERIOD, measure="count", permutations=199)
    moldova = shown.loc[alone["region_code"], ["value", "gi_z", "p_fdr", "hot_cold"]]
    pd.testing.assert_frame_equal(moldova, alone.set_index("region_code")[moldova.columns])


def test_the_same_seed_gives_the_same_table(planted):
    first = region_hotspots(planted, PERIOD, permutations=199, seed=3)
    again = region_hotspots(planted, PERIOD, permutations=199, seed=3)
    pd.testing.assert_frame_equal(first, again)


def test_bad_requests_are_refused_with_a_reason(planted):
    with pytest.raises(ValueError, match="needs at least 3 regions; the selection has 2"):
        region_hotspots(planted, PERIOD.replace(regions=("MD-CA", "MD-CU")))
    with pytest.raises(ValueError, match="needs a period: give both start and end"):
        region_hotspots(planted, Filters(countries=("MD",)))
    message = "`measure` must be 'rate', 'rate_raw' or 'count'. Got 'total'."
    with pytest.raises(ValueError, match=message):
        region_hotspots(planted, PERIOD, measure="total")
    with pytest.raises(ValueError, match="`freq` must be 'W', 'M' or 'Q'. Got 'D'."):
        region_hotspots(planted, PERIOD, freq="D")


def test_the_panel_of_covered_regions_has_every_period_with_zeros():
    counts = pd.DataFrame(
        {
            "region_code": ["A", "B"],
            "period": pd.to_datetime(["2025-02-01", "2025-03-01"]),
            "count": [4, 2],
        }
    )
    panel = period_panel(counts, ["A", "B", "C"], "2025-01-01", "2025-03-31", "M")
    assert len(panel) == 9
    assert panel["count"].sum() == 6
    assert panel.loc[(panel["region_code"] == "C"), "count"].tolist() == [0, 0, 0]
    quarters = period_panel(counts, ["A"], "2025-02-01", "2025-12-31", "Q")
    assert quarters["period"].dt.month.tolist() == [1, 4, 7, 10]


def test_a_reader_with_a_country_scope_gets_hotspots_over_their_regions_only(planted):
    """The dashboard passes a scoped reader's own regions and their weights; before, all
    230 registry regions met weights of 37 and the map fell back without hot spots."""
    moldova = load_regions().query("country == 'MD'")["region_code"].tolist()
    everywhere = Filters(start="2025-01-01", end="2026-12-31")
    table = region_hotspots(planted, everywhere, permutations=99, codes=moldova)
    assert sorted(table["region_code"]) == sorted(moldova)


def test_gi_only_gives_the_same_hot_and_cold_spots_without_the_other_analyses(planted):
    full = region_hotspots(planted, PERIOD, permutations=99)
    only = region_hotspots(planted, PERIOD, permutations=99, gi_only=True)
    assert tuple(only.columns) == COLUMNS
    columns = ["region_code", "value", "gi_z", "p_sim", "p_fdr", "hot_cold", "note"]
    pd.testing.assert_frame_equal(only[columns], full[columns])
    assert only["emerging_category"].isna().all()
    assert only["moran_cluster"].isna().all()


def test_the_rounded_table_keeps_small_p_values_and_missing_values():
    hot = pd.DataFrame(
        {
            "region_code": ["MD-CA", "MD-CT", "MD-LE", "MD-BA"],
            "value": [123.456789012345, 0.0061, 7.0, np.nan],
            "gi_z": [3.14159265358979, -1.23456, 0.0, np.nan],
            "p_sim": [0.0001, 0.0123456789, 0.00012345678, np.nan],
            "p_fdr": [0.000466666666666, 0.5, 1.0, np.nan],
            "hot_cold": ["hot", "none", "none", "no data"],
        }
    )
    shown = rounded_table(hot)
    assert shown["value"].tolist()[:3] == [123.46, 0.01, 7.0]
    assert shown["gi_z"].tolist()[:3] == [3.14, -1.23, 0.0]
    assert shown["p_sim"].tolist()[:3] == [0.0001, 0.012, 0.0001235]
    assert shown["p_fdr"].tolist()[:3] == [0.0004667, 0.5, 1.0]
    assert shown.iloc[3, 1:5].isna().all()
    assert hot["gi_z"].iloc[0] == 3.14159265358979  # not modified
