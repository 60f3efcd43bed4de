"""The read API: round trip, filters, and aggregation against a pandas reference."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tests.factories import random_incidents
from threatmon.errors import StoreError
from threatmon.filters import Filters
from threatmon.settings import DB_ENV_VAR
from threatmon.store import Store
from threatmon.store.location import resolve_db_path, resolve_location
from threatmon.store.queries import EVERYTHING, Held, aggregate_sql, uses_rollup
from threatmon.store.writer import write_session


@pytest.fixture(scope="module")
def loaded(module_store_location):
    """A store holding 5 000 random incidents and their source frame, on each backend."""
    frame = random_incidents(5000, seed=3)
    with write_session(module_store_location, user="tester") as writer:
        writer.add_incidents(frame, file_name="random.csv", sha256="a" * 64)
    return Store(module_store_location), frame


def reference(frame: pd.DataFrame, filters: Filters, by, freq, measure="count") -> pd.DataFrame:
    """The same aggregation done in pandas."""
    data = frame.assign(date=pd.to_datetime(frame["date"]))
    if filters.countries:
        data = data[data["country"].isin(filters.countries)]
    if filters.regions:
        data = data[data["region_code"].isin(filters.regions)]
    if filters.crime_types:
        data = data[data["crime_type"].isin(filters.crime_types)]
    if filters.start:
        data = data[data["date"] >= pd.Timestamp(filters.start)]
    if filters.end:
        data = data[data["date"] <= pd.Timestamp(filters.end)]
    keys = list(by)
    if freq:
        data = data.assign(period=data["date"].dt.to_period(freq).dt.start_time)
        keys = ["period", *keys]
    if measure == "records":
        data = data.assign(records=1)
    out = data.groupby(keys, as_index=False)[measure].sum()
    out[measure] = out[measure].astype("int64")
    return out.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("freq", ["D", "W", "M", "Q", "Y", None])
@pytest.mark.parametrize("by", [(), ("country",), ("region_code", "crime_type")])
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(countries=["MD", "UA"], start="2024-03-01", end="2024-08-31"),
        Filters(crime_types=["cbrne", "cybercrime"], start="2024-02-15", end="2024-11-03"),
        Filters(regions=["PL-14", "RO-B", "MD-CA"]),
    ],
    ids=["all", "whole-months", "mid-month", "regions"],
)
def test_aggregate_matches_pandas(loaded, filters, by, freq):
    store, frame = loaded
    if freq is None and not by:
        got = store.aggregate(filters, by=by, freq=freq)
        expected = reference(frame, filters, ["country"], None)["count"].sum()
        assert got["count"].tolist() == [expected]
        return
    got = store.aggregate(filters, by=by, freq=freq)
    expected = reference(frame, filters, by, freq)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize("freq", ["D", "W", "M", "Q", "Y", None])
@pytest.mark.parametrize("by", [(), ("country",), ("region_code", "crime_type"), ("source",)])
@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(countries=["MD", "UA"], start="2024-02-15", end="2024-08-31")],
    ids=["all", "mid-month"],
)
def test_the_sql_for_any_store_agrees_on_a_store_of_regional_days(loaded, filters, by, freq):
    store, _ = loaded
    assert store.held() == Held((), False)
    sql, params = aggregate_sql(filters, by, freq, "count", held=EVERYTHING)
    general = store.query(sql, params)
    plain = store.query(*store.aggregate_sql(filters, by, freq))
    pd.testing.assert_frame_equal(general, plain)


@pytest.mark.parametrize("measure", ["records", "victims"])
def test_other_measures(loaded, measure):
    store, frame = loaded
    filters = Filters(start="2024-02-01", end="2024-06-30")
    got = store.aggregate(filters, by=("crime_type",), freq="M", measure=measure)
    pd.testing.assert_frame_equal(
        got, reference(frame, filters, ["crime_type"], "M", measure), check_dtype=False
    )


def test_rollup_is_used_only_when_exact():
    assert uses_rollup(Filters(start="2024-01-01", end="2024-03-31"), ("country",), "M")
    assert uses_rollup(Filters(), ("crime_type",), "Y")
    assert not uses_rollup(Filters(start="2024-01-02"), (), "M")
    assert not uses_rollup(Filters(end="2024-03-30"), (), "M")
    assert not uses_rollup(Filters(), (), "W")
    assert not uses_rollup(Filters(), ("crossing_point",), "M")
    sql, _ = aggregate_sql(Filters(), ("country",), "M")
    assert "FROM incidents_monthly" in sql


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": ("colour",)}, "`by` must be one of"),
        ({"freq": "H"}, "`freq` must be one of 'D', 'W', 'M', 'Q', 'Y'. Got 'H'."),
        ({"measure": "cost"}, "`measure` must be one of"),
        (
            {"by": ("country", "country")},
            "`by` must not repeat a column. Got ['country', 'country'].",
        ),
    ],
)
def test_bad_query_arguments(loaded, kwargs, message):
    store, _ = loaded
    with pytest.raises(ValueError) as caught:
        store.aggregate(Filters(), **kwargs)
    assert message in str(caught.value)


def test_round_trip_of_rows(loaded):
    store, frame = loaded
    rows = store.incidents(Filters(regions=["MD-CA"]))
    expected = frame[frame["region_code"] == "MD-CA"]
    assert len(rows) == len(expected)
    assert rows["count"].sum() == expected["count"].sum()
    assert set(rows["batch_id"]) == {1}


def test_coverage(loaded):
    store, frame = loaded
    coverage = store.coverage()
    assert coverage["records"] == len(frame)
    assert coverage["incidents"] == int(frame["count"].sum())
    assert coverage["first"] == pd.Timestamp(frame["date"].min()).date()


def test_missing_store_says_how_to_make_one(tmp_path):
    store = Store(tmp_path / "none.duckdb")
    with pytest.raises(StoreError) as caught:
        store.aggregate()
    assert str(caught.value) == (
        f"No store at {tmp_path / 'none.duckdb'}. Create the demo store with "
        f"`threatmon demo --db {tmp_path / 'none.duckdb'}`."
    )


def test_path_resolution_order(monkeypatch, tmp_path):
    monkeypatch.delenv(DB_ENV_VAR, raising=False)
    assert str(resolve_db_path()) == "data/threatmon.duckdb"
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "env.duckdb"))
    assert resolve_db_path() == tmp_path / "env.duckdb"
    assert resolve_db_path(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"


def test_a_postgresql_url_is_a_location_not_a_path(monkeypatch, tmp_path):
    url = "postgresql://analyst:s3cret@db.local/threatmon"
    monkeypatch.setenv(DB_ENV_VAR, url)
    assert resolve_location() == url
    assert resolve_location(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"
    store = Store()
    assert store.location.url == url
    assert repr(store) == "Store('postgresql://analyst:***@db.local/threatmon')"
    with pytest.raises(StoreError) as caught:
        resolve_db_path()
    assert str(caught.value) == (
        "postgresql://analyst:***@db.local/threatmon is a PostgreSQL store; "
        "this needs a DuckDB store file."
    )


def test_an_empty_database_says_how_to_make_a_store(postgres_url):
    with pytest.raises(StoreError) as caught:
        Store(postgres_url).aggregate()
    assert str(caught.value) == (
        f"The database {postgres_url} holds no store yet. Create one with "
        "`threatmon migrate --db <url>`, or the demo with `threatmon demo --db <url>`."
    )
    assert not Store(postgres_url).exists()


def test_an_unreachable_database_is_said_with_the_reason_and_no_password(postgres_url):
    url = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:hunter2@")
    url = url.replace("/t_", "/missing_t_")
    with pytest.raises(StoreError) as caught:
        Store(url).coverage()
    message = str(caught.value)
    assert message.startswith("Cannot reach the store at postgresql://postgres:***@/missing_t_")
    assert "does not exist" in message
    assert "hunter2" not in message


def test_flows_by_country_and_month(store_location):
    flows = pd.DataFrame(
        {
            "date": ["2022-02-24", "2022-02-25", "2022-03-01", "2022-03-01"],
            "country": ["PL", "PL", "PL", "MD"],
            "crossing_point": ["A", "B", "A", None],
            "arrivals": [100, 200, 300, 50],
            "departures": [1, None, 3, 4],
        }
    )
    with write_session(store_location, user="t") as writer:
        writer.add_flows(flows, file_name="flows.csv", sha256="b" * 64)
    got = Store(store_location).flows(Filters(countries=["PL"]))
    assert got.to_dict("list") == {
        "period": [pd.Timestamp("2022-02-01"), pd.Timestamp("2022-03-01")],
        "country": ["PL", "PL"],
        "arrivals": [300, 300],
        "departures": [1, 3],
    }


def test_empty_selection_gives_empty_frame(loaded):
    store, _ = loaded
    got = store.aggregate(Filters(start=dt.date(2030, 1, 1)), by=("country",))
    assert got.empty
    assert list(got.columns) == ["period", "country", "count"]
    assert np.issubdtype(got["count"].dtype, np.integer)
