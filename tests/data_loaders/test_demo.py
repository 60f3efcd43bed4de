"""Tests for data_loaders.demo: reproducible, valid, and true to what it claims to plant."""

import json

import numpy as np
import pandas as pd
import pytest

from data_loaders.demo import (
    DEMO_END,
    DEMO_START,
    SIGNAL_COLUMNS,
    DemoSettings,
    build_demo_store,
    generate_flows,
    generate_incidents,
    planted_signals,
    reported_batches,
)
from data_loaders.demo.reporting import active_totals
from threatmon.contract import (
    FLOW_COLUMNS,
    INCIDENT_COLUMNS,
    INCIDENT_OPTIONAL,
    INCIDENT_REQUIRED,
    validate_flows,
    validate_incidents,
)
from threatmon.coverage import coverage_records
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import load_regions
from threatmon.store.reader import Store

LAST_6 = ("2026-05-01", "2026-10-31")
PREVIOUS_6 = ("2025-11-01", "2026-04-30")


@pytest.fixture(scope="module")
def flows():
    """The default seed's flows (they do not depend on the scale)."""
    return generate_flows(DemoSettings())


@pytest.fixture(scope="module")
def incidents(flows):
    """The default demo at scale 1 (~0.5 s, ~525k rows)."""
    return generate_incidents(DemoSettings(), flows)


@pytest.fixture(scope="module")
def signals():
    """The signals planted in the default demo."""
    return planted_signals(DemoSettings())


def _total(incidents, region, crime_type, window):
    """Incidents of one region and type between two inclusive dates."""
    rows = incidents[
        (incidents["region_code"] == region)
        & (incidents["crime_type"] == crime_type)
        & incidents["date"].between(*window)
    ]
    return int(rows["count"].sum())


def _monthly(frame, value, **equals):
    """Monthly sums of ``value`` over the rows where each column equals the given value."""
    mask = np.ones(len(frame), dtype=bool)
    for column, wanted in equals.items():
        mask &= (frame[column] == wanted).to_numpy()
    return frame[mask].groupby(frame["date"].dt.to_period("M"))[value].sum()


# -- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scale": 0}, ValueError, "`scale` must be greater than 0. Got 0."),
        ({"scale": -0.5}, ValueError, "`scale` must be greater than 0. Got -0.5."),
        ({"scale": 101}, ValueError, "`scale` must be at most 100. Got 101."),
        ({"scale": float("nan")}, ValueError, "`scale` must be a finite number. Got nan."),
        ({"scale": "big"}, TypeError, "`scale` must be a number. Got 'big'."),
        ({"seed": -1}, ValueError, "`seed` must be 0 or greater. Got -1."),
        ({"seed": 1.5}, TypeError, "`seed` must be an integer. Got 1.5."),
        ({"seed": True}, TypeError, "`seed` must be an integer. Got True."),
    ],
)
def test_bad_settings_say_what_and_got(kwargs, error, message):
    """Each invalid setting fails when built, with the exact message."""
    with pytest.raises(error) as caught:
        DemoSettings(**kwargs)
    assert str(caught.value) == message


def test_limits_are_accepted():
    """The largest scale and seed 0 are valid; settings are frozen."""
    settings = DemoSettings(seed=0, scale=100)
    with pytest.raises(AttributeError):
        settings.scale = 2  # type: ignore[misc]


# -- reproducibility and contract ----------------------------------------------------------------


def test_same_seed_gives_identical_frames():
    """Same seed and scale: the same flows, incidents and signals, bit for bit."""
    settings = DemoSettings(seed=5, scale=0.05)
    first_flows, second_flows = generate_flows(settings), generate_flows(settings)
    pd.testing.assert_frame_equal(first_flows, second_flows)
    pd.testing.assert_frame_equal(
        generate_incidents(settings, first_flows), generate_incidents(settings, second_flows)
    )
    pd.testing.assert_frame_equal(planted_signals(settings), planted_signals(settings))


def test_different_seed_gives_different_data():
    """Another seed changes flows and incidents."""
    one, two = DemoSettings(seed=1, scale=0.05), DemoSettings(seed=2, scale=0.05)
    flows_one, flows_two = generate_flows(one), generate_flows(two)
    assert not flows_one["arrivals"].equals(flows_two["arrivals"])
    incidents_one = generate_incidents(one, flows_one)
    incidents_two = generate_incidents(two, flows_two)
    assert not incidents_one[["date", "region_code"]].equals(incidents_two[["date", "region_code"]])


def test_incidents_pass_the_contract(incidents):
    """The generated incidents are days in regions, in the columns a file may hold, and
    validate."""
    file_columns = [c for c in INCIDENT_COLUMNS if c in INCIDENT_REQUIRED + INCIDENT_OPTIONAL]
    assert list(incidents.columns) == [c for c in file_columns if c != "period_end"]
    clean = validate_incidents(incidents)
    assert len(clean) == len(incidents)
    assert set(clean["granularity"]) == {"day"} and set(clean["level"]) == {"admin1"}
    assert clean["date"].min() >= pd.Timestamp(DEMO_START)
    assert clean["date"].max() <= pd.Timestamp(DEMO_END)
    assert incidents["incident_id"].iloc[0] == "DEMO-000000001"
    assert incidents["incident_id"].is_unique
    assert incidents["date"].is_monotonic_increasing


def test_flows_pass_the_contract(flows):
    """Flows validate, cover every day, and only Ukraine's five western neighbours receive."""
    assert set(flows.columns) == set(FLOW_COLUMNS)
    validate_flows(flows)
    assert set(flows["country"]) == {"MD", "PL", "SK", "HU", "RO"}
    days = (pd.Timestamp(DEMO_END) - pd.Timestamp(DEMO_START)).days + 1
    assert flows.groupby("crossing_point").size().eq(days).all()
    assert flows["crossing_point"].str.contains("UA").all()


def test_rows_follow_the_scale(incidents, flows):
    """About 500k rows at scale 1 and about 2 % of that at scale 0.02."""
    assert 450_000 <= len(incidents) <= 550_000
    small = generate_incidents(DemoSettings(scale=0.02), flows)
    assert 0.015 <= len(small) / len(incidents) <= 0.03


def test_shape_does_not_depend_on_scale(incidents, flows):
    """The crime-type mix at scale 0.2 matches scale 1 within a percentage point."""
    small = generate_incidents(DemoSettings(scale=0.2), flows)
    mix_small = small.groupby("crime_type")["count"].sum() / small["count"].sum()
    mix_full = incidents.groupby("crime_type")["count"].sum() / incidents["count"].sum()
    assert (mix_small - mix_full).abs().max() < 0.01


# -- incidents -----------------------------------------------------------------------------------


def test_every_region_and_crime_type_has_incidents(incidents):
    """At scale 1 every region records every crime type at least once over the history."""
    totals = incidents.groupby(["region_code", "crime_type"])["count"].sum()
    index = pd.MultiIndex.from_product(
        [load_regions()["region_code"], CRIME_TYPE_KEYS], names=["region_code", "crime_type"]
    )
    assert totals.reindex(index, fill_value=0).min() >= 1


def test_rare_types_are_rare(incidents):
    """Terrorism and CBRNE are far rarer than drugs, cybercrime or financial crime."""
    totals = incidents.groupby("crime_type")["count"].sum()
    for rare in ("terrorism", "cbrne"):
        for common in ("drug_trafficking", "cybercrime", "financial_crime", "vehicle_crime"):
            assert totals[rare] * 10 < totals[common]


def test_returns_and_records_are_distinct(incidents):
    """Single records count 1 on any day; statistical returns count more, dated the 1st."""
    returns = incidents["source"] == "DEMO monthly statistical return"
    assert (incidents.loc[~returns, "count"] == 1).all()
    assert incidents.loc[returns, "date"].dt.day.eq(1).all()
    assert incidents.loc[returns, "latitude"].isna().all()
    assert 0.02 < returns.mean() < 0.2


def test_border_records_sit_at_their_crossing(incidents):
    """Records with a crossing point have coordinates within a few km of it."""
    from threatmon.distance import haversine_km
    from threatmon.registry.crossing_points import load_crossing_points

    at = incidents[incidents["crossing_point"].notna()]
    assert len(at) > 0
    assert set(at["crime_type"]) <= {
        "migrant_smuggling", "document_fraud", "firearms_trafficking", "cbrne",
        "drug_trafficking", "human_trafficking", "vehicle_crime",
    }  # fmt: skip
    points = load_crossing_points().set_index("crossing_point_id")
    seat = points.loc[at["crossing_point"]]
    distance = haversine_km(
        at["latitude"], at["longitude"], seat["latitude"].to_numpy(), seat["longitude"].to_numpy()
    )
    assert distance.max() < 5


def test_victims_only_where_they_belong(incidents):
    """Victims are recorded for trafficking and child sexual exploitation only."""
    with_victims = incidents.loc[incidents["victims"].notna(), "crime_type"]
    assert set(with_victims) == {"human_trafficking", "child_sexual_exploitation"}
    assert (incidents["suspects"].dropna() >= 1).all()


def test_occupied_regions_go_quiet(incidents):
    """Crimea, Sevastopol and Luhansk record little after February 2022."""
    for region in ("UA-43", "UA-40", "UA-09"):
        monthly = _monthly(incidents, "count", region_code=region)
        before = monthly[: pd.Period("2022-01", "M")].mean()
        after = monthly[pd.Period("2023-01", "M") :].sum() / 46
        assert after < 0.3 * before


# -- flows ---------------------------------------------------------------------------------------


def _arrivals_2022(flows):
    return flows[flows["date"].dt.year == 2022].groupby("country")["arrivals"].sum()


def test_poland_receives_most_and_moldova_most_per_inhabitant(flows):
    """2022: Poland has the most arrivals (millions); Moldova the most per inhabitant."""
    arrivals = _arrivals_2022(flows)
    population = load_regions().groupby("country")["population"].sum()
    assert arrivals.idxmax() == "PL"
    assert 8e6 <= arrivals["PL"] <= 10e6
    assert arrivals.drop("PL").between(2e5, 2.5e6).all()
    per_inhabitant = arrivals / population.reindex(arrivals.index)
    assert per_inhabitant.idxmax() == "MD"


def test_arrivals_surge_after_the_invasion(flows):
    """March 2022 arrivals exceed ten times January 2022's."""
    monthly = flows.groupby(flows["date"].dt.to_period("M"))["arrivals"].sum()
    assert monthly[pd.Period("2022-03", "M")] > 10 * monthly[pd.Period("2022-01", "M")]


def test_returns_grow_after_mid_2022(flows):
    """Departures are a small share of arrivals in spring 2022 and most of them a year later."""
    monthly = flows.groupby(flows["date"].dt.to_period("M"))[["arrivals", "departures"]].sum()
    share = monthly["departures"] / monthly["arrivals"]
    assert share[pd.Period("2022-03", "M")] < 0.3
    assert share[pd.Period("2023-03", "M")] > 0.8


def test_smuggling_follows_arrivals_with_a_lag(flows, incidents):
    """Moldova's migrant smuggling correlates with arrivals a month earlier, more than at once."""
    arrivals = _monthly(flows, "arrivals", country="MD")
    smuggling = _monthly(incidents, "count", country="MD", crime_type="migrant_smuggling")
    smuggling = smuggling.reindex(arrivals.index, fill_value=0)
    lagged = np.corrcoef(arrivals.shift(1).iloc[3:], smuggling.iloc[3:])[0, 1]
    same_month = np.corrcoef(arrivals.iloc[3:], smuggling.iloc[3:])[0, 1]
    assert lagged > 0.5
    assert lagged > same_month


# -- planted signals -----------------------------------------------------------------------------


def test_signals_table(signals):
    """Signals name real regions and types, start in the last year, and say which way."""
    assert tuple(signals.columns) == SIGNAL_COLUMNS
    assert set(signals["region_code"]) <= set(load_regions()["region_code"])
    assert set(signals["crime_type"]) <= set(CRIME_TYPE_KEYS)
    assert set(signals["kind"]) == {"emerging", "fading"}
    emerging = signals["kind"] == "emerging"
    assert (signals.loc[emerging, "factor"] > 1).all()
    assert (signals.loc[~emerging, "factor"] < 1).all()
    assert signals["start"].between(pd.Timestamp("2025-11-01").date(), DEMO_END).all()
    assert {"UA-51", "MD-CA", "PL-20", "PL-06", "RO-SV"} <= set(signals["region_code"])


def test_emerging_signals_are_large_increases(incidents, signals):
    """Every core emerging signal grows by more than 25 % over the last six months."""
    core = signals[(signals["kind"] == "emerging") & (signals["role"] == "core")]
    for row in core.itertuples():
        last = _total(incidents, row.region_code, row.crime_type, LAST_6)
        previous = _total(incidents, row.region_code, row.crime_type, PREVIOUS_6)
        assert previous >= 5, row.region_code
        assert last > 1.25 * previous, (row.region_code, row.crime_type, previous, last)


def test_non_planted_controls_do_not_jump(incidents):
    """The same regions' unplanted, well-counted series do not grow by more than 25 %."""
    # Cybercrime has no border, crossing or flow term, so nothing planted can leak into it.
    # "Well-counted" means at least 150 incidents in six months: with the generator's noise
    # (Poisson, and gamma per month with CV 0.14) a 25 % rise is then about two standard
    # deviations of the ratio, against about one at 50 incidents (UA-51 financial crime had
    # 72), where any change to the shared random stream, such as more crossing points, could
    # tip the test either way (docs/demo-data.md, "Noise elsewhere, measured").
    for region, crime_type in [("UA-51", "cybercrime"), ("PL-06", "cybercrime")]:
        last = _total(incidents, region, crime_type, LAST_6)
        previous = _total(incidents, region, crime_type, PREVIOUS_6)
        assert previous >= 150, (region, crime_type, previous)
        assert last <= 1.25 * previous, (region, crime_type, previous, last)


def test_fading_signal_decreases(incidents, signals):
    """The fading signal's core loses more than a fifth over the last six months."""
    row = signals[(signals["kind"] == "fading") & (signals["role"] == "core")].iloc[0]
    last = _total(incidents, row["region_code"], row["crime_type"], LAST_6)
    previous = _total(incidents, row["region_code"], row["crime_type"], PREVIOUS_6)
    assert last < 0.8 * previous


# -- the store -----------------------------------------------------------------------------------


def test_build_demo_store(tmp_path):
    """A tiny demo store is marked as demo and carries its seed, scale and signals."""
    path = tmp_path / "demo.duckdb"
    settings = DemoSettings(seed=11, scale=0.01)
    summary = build_demo_store(path, settings)
    store = Store(path)
    assert store.is_demo()
    meta = store.meta()
    assert meta["demo_seed"] == "11"
    assert float(meta["demo_scale"]) == 0.01
    stored = pd.DataFrame(json.loads(meta["demo_signals"]))
    expected = planted_signals(settings)
    assert stored["region_code"].tolist() == expected["region_code"].tolist()
    assert stored["factor"].tolist() == expected["factor"].tolist()
    coverage = store.coverage()
    assert coverage["records"] == summary["rows"]
    assert coverage["incidents"] == summary["incidents"]
    assert store.query("SELECT count(*) AS n FROM flows")["n"].iat[0] == summary["flow_rows"]
    assert "demo" in set(store.audit()["action"])
    assert summary["seconds"] >= summary["write_seconds"] >= 0


def test_build_demo_store_replaces_the_previous_store(tmp_path):
    """Building again replaces the demo rather than adding a second copy."""
    path = tmp_path / "demo.duckdb"
    build_demo_store(path, DemoSettings(seed=1, scale=0.01))
    second = build_demo_store(path, DemoSettings(seed=2, scale=0.01))
    store = Store(path)
    assert store.coverage()["records"] == second["rows"]
    assert store.meta()["demo_seed"] == "2"
    assert len(store.batches()) == second["batches"] == 5


def test_incidents_need_crossing_points_in_flows():
    """Flows without crossing points cannot drive the lagged response; the error says so."""
    flows = pd.DataFrame({"date": ["2022-03-01"], "country": ["PL"], "arrivals": [1]})
    with pytest.raises(ValueError, match="Missing: crossing_point."):
        generate_incidents(DemoSettings(scale=0.01), flows)


# -- what each source reports ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """A small demo store (seed 3, scale 0.05) and its build summary."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    summary = build_demo_store(path, DemoSettings(seed=3, scale=0.05))
    return Store(path), summary


def _records(store):
    records = pd.DataFrame(coverage_records(store.coverage_cells()))
    return records.set_index(["country", "crime_type", "level", "granularity"])


def test_batches_are_the_sources(small_store):
    """Flows, the daily rows, Hungary's monthly tables, Georgia's quarterly figures and
    the revision of one Hungarian month, which superseded that month's first figures."""
    store, summary = small_store
    batches = store.batches().sort_values("batch_id")
    assert batches["file_name"].tolist() == [
        "demo-flows (synthetic)",
        "demo-incidents (synthetic)",
        "demo-hu-monthly (synthetic)",
        "demo-ge-quarterly (synthetic)",
        "demo-hu-monthly-revised-2026-06 (synthetic)",
    ]
    assert store.coverage()["records"] == summary["rows"]
    assert store.coverage()["incidents"] == summary["incidents"]
    assert store.coverage()["granularities"] == ["day", "month", "quarter"]
    superseded = store.query("SELECT count(*) AS n FROM incidents_superseded")["n"].iat[0]
    assert superseded == 20 * 12  # Hungary's regions × crime types, one month


def test_coverage_has_the_planted_shapes(small_store):
    """Each shape of docs/demo-data.md is in the store's coverage records."""
    store, _ = small_store
    records = _records(store)
    hungary = records.xs("HU", level="country")
    assert set(hungary.index.get_level_values("granularity")) == {"month"}
    assert hungary["gaps"].map(len).eq(0).all() and hungary["periods"].eq(70).all()
    georgia = records.loc[("GE", "terrorism", "national", "quarter")]
    assert (georgia["first"], georgia["last"], georgia["gaps"]) == ("2021-Q1", "2026-Q3", [])
    assert ("GE", "terrorism", "admin1", "day") not in records.index
    assert records.loc[("GE", "cybercrime", "admin1", "day"), "declared"]
    latvia = records.xs("LV", level="country")
    assert latvia["gaps"].map(lambda g: g == [["2025-04", "2025-09"]]).all()
    assert len(latvia) == 12
    assert ("EE", "cybercrime") not in records.index.droplevel([2, 3])
    assert len(records.xs("EE", level="country")) == 11
    # Every other country × crime type is reported in full by day, rare months as zeros.
    daily = records.xs("day", level="granularity")
    full = daily.drop(index="LV", level="country")
    assert full["gaps"].map(len).eq(0).all() and full["declared"].all()


def test_revision_raises_the_month_it_resends():
    """The revised month re-sends every figure of the month with late registrations."""
    settings = DemoSettings(seed=3, scale=0.05)
    batches = reported_batches(settings, generate_incidents(settings, generate_flows(settings)))
    tables, revision = batches[1].frame, batches[3].frame
    assert batches[3].replace
    first = tables[tables["date"] == revision["date"].iat[0]].reset_index(drop=True)
    keys = ["region_code", "crime_type"]
    assert revision[keys].equals(first[keys])
    assert (revision["count"] >= first["count"]).all()
    assert revision["count"].sum() > first["count"].sum()
    rows, incidents = active_totals(batches)
    assert rows == sum(len(b.frame) for b in batches) - len(revision)
    sent = sum(int(b.frame["count"].sum()) for b in batches)
    assert incidents == sent - first["count"].sum()


def test_silent_and_unreported_rows_are_not_sent():
    """No daily row for Latvia's silent months, Estonia's cybercrime, Hungary, or Georgia's
    quarterly types; the quarterly figures add up what happened up to September 2026."""
    settings = DemoSettings(seed=3, scale=0.05)
    incidents = generate_incidents(settings, generate_flows(settings))
    daily, _, quarterly, _ = (b.frame for b in reported_batches(settings, incidents))
    latvia = daily[daily["country"] == "LV"]
    assert not latvia["date"].between("2025-04-01", "2025-09-30").any()
    assert latvia["date"].between("2025-10-01", "2025-10-31").any()
    assert not ((daily["country"] == "EE") & (daily["crime_type"] == "cybercrime")).any()
    assert "HU" not in set(daily["country"])
    georgia = daily[daily["country"] == "GE"]
    assert not georgia["crime_type"].isin(["terrorism", "cbrne"]).any()
    happened = incidents[
        (incidents["country"] == "GE")
        & (incidents["crime_type"] == "human_trafficking")
        & (incidents["date"] <= "2026-09-30")
    ]["count"].sum()
    sent = quarterly.loc[quarterly["crime_type"] == "human_trafficking", "count"].sum()
    assert sent == happened


def test_geocoded_incidents_away_from_crossings_lie_inside_their_region(incidents):
    import shapely

    from geo import boundaries

    shapes = boundaries.regions().set_index("region_code").geometry
    placed = incidents[incidents["latitude"].notna() & incidents["crossing_point"].isna()]
    assert len(placed) > 1000
    # Within about 10 m: coordinates are written with five decimals.
    inside = [
        shapely.contains_xy(shapes[code].buffer(1e-4), part["longitude"], part["latitude"]).all()
        for code, part in placed.groupby("region_code")
    ]
    assert all(inside)
