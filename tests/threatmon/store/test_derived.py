"""Incident rows streamed as Arrow get the contract's derived columns where they lack them."""

import datetime as dt

import pyarrow as pa

from threatmon.contract import INCIDENT_COLUMNS
from threatmon.store.derived import complete_incidents
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

D = dt.date


def arrow_rows(**given) -> pa.Table:
    """Four Moldovan rows in the contract's columns; ``given`` replaces some of them."""
    columns = {
        "date": pa.array([D(2024, 1, 1), D(2024, 1, 1), D(2024, 4, 1), D(2024, 5, 6)]),
        "period_end": pa.array([None, "2024-12-31", None, None], pa.string()),
        "granularity": pa.array([None, None, "quarter", None], pa.string()),
        "level": pa.nulls(4, pa.string()),
        "country": pa.array(["MD"] * 4),
        "region_code": pa.array(["MD-CU", None, "MD-CU", None]),
        "crime_type": pa.array(["cbrne"] * 4),
        "count": pa.array([1, 0, 3, 2], pa.int64()),
    }
    columns.update(given)
    for name in INCIDENT_COLUMNS:
        if name not in columns:
            kind = pa.float64() if name in ("latitude", "longitude") else pa.string()
            kind = pa.int64() if name in ("victims", "suspects") else kind
            columns[name] = pa.nulls(4, kind)
    return pa.table({name: columns[name] for name in INCIDENT_COLUMNS if name in columns})


def test_days_years_quarters_and_national_rows_are_derived():
    table = complete_incidents(arrow_rows()).read_all()
    assert table.column_names == list(INCIDENT_COLUMNS)
    assert table.column("period_end").to_pylist() == [
        D(2024, 1, 1),
        D(2024, 12, 31),
        D(2024, 6, 30),
        D(2024, 5, 6),
    ]
    assert table.column("granularity").to_pylist() == ["day", "year", "quarter", "day"]
    assert table.column("level").to_pylist() == ["admin1", "national", "admin1", "national"]


def test_rows_without_the_derived_columns_at_all():
    table = arrow_rows().drop_columns(["period_end", "granularity", "level"])
    completed = complete_incidents(table).read_all()
    assert completed.column("granularity").to_pylist() == ["day"] * 4
    assert completed.column("period_end").to_pylist() == table.column("date").to_pylist()


def test_arrow_rows_are_stored_with_their_period_and_level(store_location):
    with write_session(store_location, user="ana") as writer:
        writer.add_rows("incidents", arrow_rows(), file_name="stream.csv", sha256="s" * 64)
    store = Store(store_location)
    assert store.granularities()[["level", "granularity", "rows"]].values.tolist() == [
        ["admin1", "day", 1],
        ["admin1", "quarter", 1],
        ["national", "day", 1],
        ["national", "year", 1],
    ]
    batch = store.batch(1)["batch"]
    assert (str(batch["first_date"])[:10], str(batch["last_date"])[:10]) == (
        "2024-01-01",
        "2024-12-31",
    )
