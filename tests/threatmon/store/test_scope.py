"""A country scope is enforced by the store itself, for every query including raw SQL."""

import pandas as pd
import pytest

from tests.factories import random_incidents
from threatmon.filters import Filters
from threatmon.store.reader import Store
from threatmon.store.writer import write_session


@pytest.fixture(scope="module")
def store(module_store_location):
    """Two incident batches (one Moldovan only, one mixed) and one Polish flows batch."""
    path = module_store_location
    mixed = random_incidents(3000, seed=5)
    moldovan = mixed[mixed["country"] == "MD"].head(50).assign(date=pd.Timestamp("2025-06-01"))
    flows = pd.DataFrame(
        {"date": ["2024-03-01"], "country": ["PL"], "crossing_point": [None], "arrivals": [9]}
    )
    with write_session(path, user="t") as writer:
        writer.add_incidents(mixed, file_name="mixed.csv", sha256="a" * 64)
        writer.add_incidents(moldovan, file_name="md.csv", sha256="b" * 64)
        writer.add_flows(flows, file_name="flows.csv", sha256="c" * 64)
    return Store(path)


def test_every_table_with_a_country_is_cut_to_the_scope(store):
    md = store.scoped(["MD"])
    for table in ("incidents", "incidents_monthly", "flows"):
        got = md.query(f"SELECT DISTINCT country FROM {table} ORDER BY 1")["country"].tolist()
        assert got in (["MD"], []), table
    assert md.query("SELECT count(*) AS n FROM flows")["n"].item() == 0


def test_the_query_api_cannot_see_past_the_scope(store):
    md = store.scoped(["MD"])
    everything = store.aggregate(by=("country",), freq=None).set_index("country")["count"]
    got = md.aggregate(by=("country",), freq=None)
    assert got["country"].tolist() == ["MD"]
    assert got["count"].item() == everything["MD"]
    # Asking for another country explicitly gives nothing, not an error that confirms it.
    assert md.aggregate(Filters(countries=["UA"]), by=("country",), freq=None).empty
    assert md.incidents()["country"].unique().tolist() == ["MD"]
    assert md.coverage()["incidents"] == everything["MD"]
    assert md.points()["count"].sum() <= everything["MD"]


def test_a_scoped_reader_sees_only_batches_with_rows_in_scope(store):
    assert store.batches()["file_name"].tolist() == ["flows.csv", "md.csv", "mixed.csv"]
    assert store.scoped(["MD"]).batches()["file_name"].tolist() == ["md.csv", "mixed.csv"]
    assert store.scoped(["PL"]).batches()["file_name"].tolist() == ["flows.csv", "mixed.csv"]
    targets = set(store.scoped(["MD"]).audit()["target"].dropna())
    assert "batch:3" not in targets and {"batch:1", "batch:2"} <= targets


def test_a_scoped_reader_counts_a_mixed_load_in_its_scope_only(store):
    md = store.scoped(["MD"])
    mixed = md.batches().set_index("file_name").loc["mixed.csv"]
    rows = store.query(
        "SELECT count(*) AS n, min(date) AS first, max(date) AS last FROM incidents "
        "WHERE batch_id = 1 AND country = 'MD'"
    ).iloc[0]
    assert store.batches().set_index("file_name").loc["mixed.csv", "rows_loaded"] == 3000
    assert (mixed["rows_loaded"], mixed["rows_in_file"]) == (rows["n"], rows["n"])
    assert rows["n"] < 3000
    assert (pd.Timestamp(mixed["first_date"]), pd.Timestamp(mixed["last_date"])) == (
        pd.Timestamp(rows["first"]),
        pd.Timestamp(rows["last"]),
    )


def test_an_unscoped_store_and_a_bad_scope():
    assert Store("x.duckdb").scope == ()
    assert repr(Store("x.duckdb").scoped(["RO", "MD"])) == "Store('x.duckdb', scope=('MD', 'RO'))"
    with pytest.raises(ValueError) as caught:
        Store("x.duckdb", scope=["MD'; DROP TABLE incidents; --"])
    assert str(caught.value) == "Not a project country: MD'; DROP TABLE incidents; --."


def test_withheld_crime_types_are_in_no_incident_table(store):
    hidden = ("human_trafficking", "child_sexual_exploitation")
    viewer = Store(store.location, withheld=hidden)
    for table in ("incidents", "incidents_monthly"):
        got = viewer.query(f"SELECT count(*) AS n FROM {table} WHERE crime_type IN {hidden}")
        assert got["n"].item() == 0, table
    everything = store.aggregate(by=("crime_type",), freq=None).set_index("crime_type")["count"]
    shown = viewer.aggregate(by=("crime_type",), freq=None).set_index("crime_type")["count"]
    assert shown.to_dict() == everything.drop(list(hidden)).to_dict()
    assert viewer.flows()["arrivals"].sum() == store.flows()["arrivals"].sum()
    # Scope and withheld types combine, and survive .scoped().
    both = viewer.scoped(["MD"])
    assert both.withheld == tuple(sorted(hidden)) and both.restricted
    assert set(both.aggregate(by=("country", "crime_type"), freq=None)["country"]) == {"MD"}
    with pytest.raises(ValueError) as caught:
        Store("x.duckdb", withheld=["nope"])
    assert str(caught.value) == "Not a crime type: nope."
