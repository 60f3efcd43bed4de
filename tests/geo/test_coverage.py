"""No data is not zero on maps and in hot spots: regions without coverage are apart.

Inline stores on the committed registry: Moldova reports migrant smuggling by region
every month (a planted cluster in the south), Romania by region for 14 of 24 months,
Ukraine only national figures, and (in the second store) Ukraine cybercrime by region.
"""

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W

from geo.analysis import COLUMNS, covered_weights, region_hotspots, selection_weights
from geo.coverage import NO_NEIGHBOUR, both_periods, region_coverage
from geo.layers import layers_map, region_layers
from geo.mapdata import region_values
from geo.maps import HATCH_ID
from geo.symbology import NO_DATA_HATCH, region_colours
from threatmon.coverage import NO_DATA
from threatmon.errors import TooFewRegionsError
from threatmon.filters import Filters
from threatmon.registry.regions import load_regions
from threatmon.store.reader import Store
from threatmon.store.writer import write_session
from trends.rates import empirical_bayes_rates

SMUGGLING = "migrant_smuggling"
CLUSTER = ("MD-CA", "MD-CT", "MD-LE", "MD-GA", "MD-TA")
MONTHS = pd.date_range("2025-01-01", "2026-12-01", freq="MS")
PERIOD = Filters(countries=("MD",), crime_types=(SMUGGLING,), start="2025-01-01", end="2026-12-31")
COLUMNS_OF = ["date", "period_end", "country", "region_code", "crime_type", "count"]


def _regional(country: str, crime_type: str, months, seed: int, cluster=()) -> list[tuple]:
    """Monthly regional figures (a reported 0 included) at 20 per 100k a year."""
    rng = np.random.default_rng(seed)
    regions = load_regions().query("country == @country")
    rows = []
    for region in regions.itertuples(index=False):
        rate = 20.0 * (8.0 if region.region_code in cluster else 1.0)
        expected = rate * region.population / 100_000 / 12
        for month, count in zip(months, rng.poisson(expected, len(months)), strict=True):
            end = month + pd.offsets.MonthEnd(0)
            rows.append((month, end, country, region.region_code, crime_type, int(count)))
    return rows


def _national(country: str, crime_type: str, months) -> list[tuple]:
    return [(m, m + pd.offsets.MonthEnd(0), country, None, crime_type, 500) for m in months]


def _store(path, *parts: list[tuple]) -> Store:
    with write_session(path, user="tester") as writer:
        for i, rows in enumerate(parts):
            frame = pd.DataFrame(rows, columns=COLUMNS_OF)
            writer.add_incidents(frame, file_name=f"part{i}.csv", sha256=f"{i:064d}")
    return Store(path)


@pytest.fixture(scope="module")
def moldova(tmp_path_factory):
    """Moldova alone: the reference."""
    path = tmp_path_factory.mktemp("cov") / "md.duckdb"
    return _store(path, _regional("MD", SMUGGLING, MONTHS, 11, CLUSTER))


@pytest.fixture(scope="module")
def gappy(tmp_path_factory):
    """Moldova as above; Romania stops after 14 months; Ukraine national smuggling figures
    and regional cybercrime."""
    path = tmp_path_factory.mktemp("cov") / "gappy.duckdb"
    return _store(
        path,
        _regional("MD", SMUGGLING, MONTHS, 11, CLUSTER),
        _regional("RO", SMUGGLING, MONTHS[:14], 12),
        _national("UA", SMUGGLING, MONTHS),
        _regional("UA", "cybercrime", MONTHS, 13),
    )


@pytest.fixture(scope="module")
def national_only(tmp_path_factory):
    path = tmp_path_factory.mktemp("cov") / "national.duckdb"
    return _store(path, _national("MD", SMUGGLING, MONTHS), _national("RO", SMUGGLING, MONTHS))


def _coverage(store, filters, freq="M"):
    registry = load_regions()
    codes = registry[registry["country"].isin(filters.countries)]["region_code"].tolist()
    return region_coverage(
        store.coverage_cells(filters),
        registry,
        codes,
        start=filters.start,
        end=filters.end,
        freq=freq,
        crime_types=filters.crime_types,
    )


def test_a_region_is_covered_only_where_its_country_reported_by_region_throughout(gappy):
    three = PERIOD.replace(countries=("MD", "RO", "UA"))
    coverage = _coverage(gappy, three).set_index("region_code")
    assert coverage.loc["MD-CA", "covered"] and coverage.loc["MD-CA", "note"] == ""
    assert not coverage.loc["RO-CJ", "covered"]
    assert coverage.loc["RO-CJ", "note"] == (
        "Romania reported Migrant smuggling by region for 14 of 24 months"
    )
    assert coverage.loc["UA-30", "note"] == "Ukraine sent only national figures for this selection"
    assert coverage.groupby("country")["covered"].all().to_dict() == {
        "MD": True,
        "RO": False,
        "UA": False,
    }
    # Ukraine's cybercrime is regional and complete.
    cyber = _coverage(gappy, three.replace(crime_types=("cybercrime",)))
    assert cyber.groupby("country")["covered"].all().to_dict() == {
        "MD": False,
        "RO": False,
        "UA": True,
    }
    assert cyber.set_index("region_code").loc["MD-CA", "note"] == (
        "Moldova reported nothing by region for this selection"
    )


def test_without_a_crime_type_filter_every_reported_type_must_be_covered(gappy):
    """All crime types means every type a selected country reported: Ukraine's cybercrime
    makes Moldova's regions no data, since Moldova sent no cybercrime."""
    everything = PERIOD.replace(countries=("MD", "UA"), crime_types=())
    coverage = _coverage(gappy, everything).set_index("region_code")
    assert coverage.loc["MD-CA", "note"] == (
        "Moldova reported Cybercrime by region for 0 of 24 months"
    )
    assert coverage.loc["UA-30", "note"] == (
        "Ukraine reported Migrant smuggling by region for 0 of 24 months"
    )
    alone = _coverage(gappy, everything.replace(countries=("MD",)))
    assert alone["covered"].all()


def test_a_change_needs_coverage_in_both_periods(gappy):
    ro = PERIOD.replace(countries=("RO",), start="2025-01-01", end="2025-06-30")
    now = _coverage(gappy, ro.replace(start="2026-01-01", end="2026-06-30"))
    before = _coverage(gappy, ro)
    assert before["covered"].all() and not now["covered"].any()
    both = both_periods(before, now)
    assert not both["covered"].any()
    assert both["note"].iloc[0] == "Romania reported Migrant smuggling by region for 2 of 6 months"


def test_uncovered_regions_are_no_data_and_never_change_the_others(moldova, gappy):
    """Property: adding countries without data for the crime type (Romania partly, Ukraine
    national only) changes no Moldovan value, class or p-value (same seed)."""
    alone = region_hotspots(moldova, PERIOD, permutations=999).set_index("region_code")
    three = PERIOD.replace(countries=("MD", "RO", "UA"))
    table = region_hotspots(gappy, three, permutations=999)
    assert tuple(table.columns) == COLUMNS
    assert len(table) == 37 + 42 + 27
    shown = table.set_index("region_code")
    stats = ["value", "gi_z", "p_sim", "p_fdr", "hot_cold", "emerging_category", "moran_cluster"]
    pd.testing.assert_frame_equal(shown.loc[alone.index, stats], alone[stats])
    assert len(set(alone.index[alone["hot_cold"] == "hot"]) & set(CLUSTER)) >= 3
    others = shown[~shown.index.str.startswith("MD-")]
    assert (others["hot_cold"] == NO_DATA).all()
    assert (others["moran_cluster"] == NO_DATA).all()
    assert others["emerging_category"].isna().all()
    assert others[["value", "gi_z", "p_sim", "p_fdr"]].isna().all().all()
    assert shown.loc["UA-30", "note"] == "Ukraine sent only national figures for this selection"
    # The regions without data come last, after every tested region.
    assert table["gi_z"].iloc[:37].notna().all()


def test_a_store_of_national_figures_gives_no_hotspots_and_an_all_no_data_map(national_only):
    two = PERIOD.replace(countries=("MD", "RO"))
    with pytest.raises(TooFewRegionsError) as raised:
        region_hotspots(national_only, two, permutations=99)
    assert str(raised.value) == (
        "A hotspot analysis needs at least 3 regions with regional figures for every "
        "selected crime type and period; 0 of the 79 selected regions have them. The "
        "others are shown as no data."
    )
    coverage = _coverage(national_only, two)
    assert not coverage["covered"].any()
    assert set(coverage["note"]) == {
        "Moldova sent only national figures for this selection",
        "Romania sent only national figures for this selection",
    }
    layers = _layers(national_only, two, coverage, "count")
    assert set(layers.colours) == {NO_DATA_HATCH}
    assert layers.legend.rows == ((NO_DATA_HATCH, "No data"),)
    assert layers.values["value"].isna().all()


def _layers(store, filters, coverage, measure):
    from geo import boundaries

    registry = load_regions()
    codes = coverage["region_code"].tolist()
    inputs = {
        "current": store.aggregate(filters, by=("region_code",), freq=None),
        "previous": store.aggregate(filters.previous_period(), by=("region_code",), freq=None),
    }
    return region_layers(
        boundaries.regions(),
        registry,
        inputs,
        pd.DataFrame(),
        codes=codes,
        measure=measure,
        layers=(),
        coverage=coverage,
    )


def test_the_map_hatches_no_data_outside_the_classes_computed_on_covered_regions(gappy):
    three = PERIOD.replace(countries=("MD", "RO", "UA"))
    coverage = _coverage(gappy, three, freq=None)
    layers = _layers(gappy, three, coverage, "rate")
    values = layers.values.set_index("region_code")
    assert values.loc["RO-CJ", "no_data"] and np.isnan(values.loc["RO-CJ", "value"])
    assert (
        "Romania reported Migrant smuggling by region for 14 of 24 months"
        in (values.loc["RO-CJ", "tooltip"])
    )
    # Smoothed toward Moldova's rate alone, as if the others were not drawn.
    moldova = values[values.index.str.startswith("MD-")]
    population = load_regions().set_index("region_code").loc[moldova.index, "population"]
    expected = empirical_bayes_rates(moldova["current"], population)
    np.testing.assert_allclose(moldova["value"], expected)
    colours = pd.Series(layers.colours.to_numpy(), index=layers.regions["region_code"])
    assert (colours[~colours.index.str.startswith("MD-")] == NO_DATA_HATCH).all()
    assert NO_DATA_HATCH not in set(colours[colours.index.str.startswith("MD-")])
    alone = region_colours(moldova[["value"]].reset_index(), "rate", method="quantiles", k=5)
    assert layers.legend.rows[:-1] == alone[1].rows
    assert layers.legend.rows[-1] == (NO_DATA_HATCH, "No data")
    html = layers_map(layers).get_root().render()
    assert f'"fillColor": "url(#{HATCH_ID})"' in html
    assert f'getElementById("{HATCH_ID}")' in html and "\\u003cpattern id=" in html
    assert "class=\\u0027tm-no-data\\u0027" in html and "No data" in html


def test_a_hotspot_map_draws_no_data_apart_with_the_reason(gappy):
    three = PERIOD.replace(countries=("MD", "UA"))
    hot = region_hotspots(gappy, three, permutations=99)
    registry = load_regions()
    for measure in ("hotspot", "emerging", "clusters"):
        layers = region_layers(
            __import__("geo.boundaries", fromlist=["regions"]).regions(),
            registry,
            {},
            pd.DataFrame(),
            codes=hot["region_code"].tolist(),
            measure=measure,
            layers=(),
            hot=hot,
        )
        values = layers.values.set_index("region_code")
        assert values.loc["UA-30", "value"] == NO_DATA
        assert "Ukraine sent only national figures" in values.loc["UA-30", "tooltip"]
        assert layers.legend.rows[-1] == (NO_DATA_HATCH, "No data")


def test_numbers_of_no_data_regions_are_missing_not_zero():
    registry = load_regions()
    codes = ["MD-CA", "MD-CT", "UA-30"]
    coverage = pd.DataFrame(
        {
            "region_code": codes,
            "country": ["MD", "MD", "UA"],
            "covered": [True, True, False],
            "note": ["", "", "Ukraine sent only national figures for this selection"],
        }
    )
    current = pd.DataFrame({"region_code": ["MD-CA"], "count": [5]})
    frame = region_values(
        current, current.iloc[:0], registry, "count", codes=codes, coverage=coverage
    )
    assert frame["region_code"].tolist() == codes
    assert frame["value"].tolist()[:2] == [5.0, 0.0]
    assert np.isnan(frame["value"].iloc[2]) and np.isnan(frame["current"].iloc[2])
    assert frame["no_data"].tolist() == [False, False, True]


def test_a_region_without_a_covered_neighbour_gets_no_class():
    # A-B-C-D form a chain; E neighbours only X, which has no data.
    weights = W(
        {
            "A": ["B"],
            "B": ["A", "C"],
            "C": ["B", "D"],
            "D": ["C"],
            "E": ["X"],
            "X": ["E"],
        },
        silence_warnings=True,
    )
    kept, islands = covered_weights(weights, ["A", "B", "C", "D", "E"])
    assert islands == ["E"]
    assert list(kept.id_order) == ["A", "B", "C", "D"]
    assert kept.neighbors["D"] == ["C"]
    with pytest.raises(TooFewRegionsError) as raised:
        covered_weights(weights, ["A", "B", "E"])
    assert str(raised.value) == (
        "A hotspot analysis needs at least 3 regions with data that neighbour one another; "
        "2 of the 3 regions with data have a neighbour with data."
    )


def test_an_island_keeps_its_value_but_has_no_hot_spot_class(moldova):
    """Briceni made to border only Kyiv City, which has no data: it is measured, but has
    no one to be compared with."""
    codes = load_regions().query("country == 'MD'")["region_code"].tolist()
    island = "MD-BR"
    base = selection_weights(codes).neighbors
    neighbours = {k: [n for n in v if n != island] for k, v in base.items() if k != island}
    neighbours[island], neighbours["UA-30"] = ["UA-30"], [island]
    selection = [*codes, "UA-30"]
    weights = W(neighbours, id_order=selection, silence_warnings=True)
    filters = PERIOD.replace(countries=(), regions=tuple(selection))
    table = region_hotspots(
        moldova, filters, permutations=99, weights=weights, codes=selection
    ).set_index("region_code")
    row = table.loc[island]
    assert row["hot_cold"] == NO_NEIGHBOUR and row["moran_cluster"] == NO_NEIGHBOUR
    assert row["value"] > 0 and np.isnan(row["gi_z"]) and row["emerging_category"] is None
    assert row["note"] == "No neighbouring region has data: no hot or cold spot class"
    assert table.loc["UA-30", "hot_cold"] == NO_DATA
    assert table.loc["UA-30", "note"] == "Ukraine reported nothing by region for this selection"
