"""Incident figures re-sent with revisions: refused, or replacing what they revise, undoably."""

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from tests.factories import BACKENDS
from threatmon.errors import Problem, ValidationError
from threatmon.filters import Filters
from threatmon.granularity import period_end
from threatmon.store.reader import Store
from threatmon.store.revisions import REPLACE_HINT
from threatmon.store.writer import write_session

D = "drug_trafficking"
MONTHS = pd.DataFrame(
    {
        "date": ["2024-01-01", "2024-02-01", "2024-03-01"],
        "period_end": ["2024-01-31", "2024-02-29", "2024-03-31"],
        "country": ["MD"] * 3,
        "region_code": ["MD-CU"] * 3,
        "crime_type": [D] * 3,
        "count": [10, 0, 5],
    }
)
YEAR = pd.DataFrame(
    {
        "date": ["2024-01-01"],
        "period_end": ["2024-12-31"],
        "country": ["MD"],
        "region_code": ["MD-CU"],
        "crime_type": [D],
        "count": [40],
    }
)


def load(location, frame, sha, replace=False, name="file.csv") -> int:
    with write_session(location, user="ana") as writer:
        return writer.add_incidents(frame, file_name=name, sha256=sha * 64, replace=replace)


def state(location) -> dict:
    """Everything a read of the incidents can see, and the rollup."""
    store = Store(location)
    rows = store.incidents()
    columns = list(rows.columns)
    return {
        "rows": rows.sort_values(columns).astype(str).values.tolist(),
        "monthly": store.aggregate(by=("region_code", "crime_type"), freq="M").to_dict("list"),
        "yearly": store.aggregate(by=("country", "crime_type"), freq="Y").to_dict("list"),
        "total": store.aggregate(by=(), freq=None).to_dict("list"),
        "rollup": store.query(
            "SELECT * FROM incidents_monthly ORDER BY month, country, level, region_code, "
            "crime_type"
        )
        .astype(str)
        .values.tolist(),
    }


def loaded_at(location, batch_id) -> str:
    return f"{pd.Timestamp(Store(location).batch(batch_id)['batch']['loaded_at']):%Y-%m-%d %H:%M}"


def test_a_year_over_months_is_refused_naming_the_batch_and_the_overlap(store_location):
    first = load(store_location, MONTHS, "a", name="md-months.csv")
    with pytest.raises(ValidationError) as caught:
        load(store_location, YEAR, "b", name="md-2024.csv")
    assert str(caught.value) == (
        f"This file revises incidents already loaded in batch {first}: "
        "use --replace to supersede them."
    )
    assert caught.value.problems == (
        Problem(
            None,
            "date",
            "2024-01 to 2024-03",
            f"3 figures of batch {first} (md-months.csv, loaded "
            f"{loaded_at(store_location, first)} UTC) cover the same places, crime types and "
            "periods as this file: MD-CU drug trafficking 2024-01, MD-CU drug trafficking "
            "2024-02, MD-CU drug trafficking 2024-03.",
            REPLACE_HINT,
        ),
    )
    assert len(Store(store_location).batches()) == 1


def test_one_figure_re_sent_is_named_in_the_singular(store_location):
    first = load(store_location, MONTHS, "a", name="md-months.csv")
    with pytest.raises(ValidationError) as caught:
        load(store_location, MONTHS.iloc[1:2].assign(count=3), "b")
    assert caught.value.problems == (
        Problem(
            None,
            "date",
            "2024-02",
            f"1 figure of batch {first} (md-months.csv, loaded {loaded_at(store_location, first)} "
            "UTC) covers the same place, crime type and period as this file: MD-CU drug "
            "trafficking 2024-02.",
            REPLACE_HINT,
        ),
    )


def test_the_refusal_names_five_figures_then_how_many_more_and_national_ones_as_such(
    store_location,
):
    months = pd.DataFrame(
        {
            "date": [f"2024-{m:02d}-01" for m in range(1, 8)],
            "period_end": [str(period_end(pd.Timestamp(2024, m, 1), "month")) for m in range(1, 8)],
            "country": ["MD"] * 7,
            "crime_type": ["cbrne"] * 7,
            "count": [1] * 7,
        }
    )
    first = load(store_location, months, "a", name="national.csv")
    year = YEAR.assign(region_code=None, crime_type="cbrne")
    with pytest.raises(ValidationError) as caught:
        load(store_location, year, "b")
    (problem,) = caught.value.problems
    assert problem.value == "2024-01 to 2024-07"
    assert problem.reason == (
        f"7 figures of batch {first} (national.csv, loaded {loaded_at(store_location, first)} "
        "UTC) cover the same places, crime types and periods as this file: MD (national) CBRNE "
        "smuggling 2024-01, MD (national) CBRNE smuggling 2024-02, MD (national) CBRNE "
        "smuggling 2024-03, MD (national) CBRNE smuggling 2024-04, MD (national) CBRNE "
        "smuggling 2024-05 and 2 more."
    )


def test_replace_supersedes_in_one_audited_change_and_undo_restores(store_location):
    first = load(store_location, MONTHS, "a")
    before = state(store_location)
    second = load(store_location, YEAR, "b", replace=True)
    store = Store(store_location)
    load_entry = store.audit().query("action == 'load'").iloc[-1]
    assert f'"replaced": [{{"batch_id": {first}, "rows": 3}}]' in load_entry["details"]
    assert store.incidents()["granularity"].tolist() == ["year"]
    # The months left the rollup too; the year is not a monthly figure.
    assert store.aggregate(by=("region_code",), freq="M").empty
    assert store.aggregate(by=("region_code",), freq="Y")["count"].tolist() == [40]
    with write_session(store_location, user="ana") as writer:
        assert writer.superseded_by(second) == [{"batch_id": first, "rows": 3}]
        summary = writer.undo(second)
    assert summary["restored"] == [{"batch_id": first, "rows": 3}]
    assert state(store_location) == before


def test_a_day_over_a_month_is_a_revision_and_a_month_over_days_too(store_location):
    load(store_location, MONTHS, "a")
    day = MONTHS.iloc[:1].drop(columns="period_end").assign(date="2024-01-15", count=1)
    with pytest.raises(ValidationError) as caught:
        load(store_location, day, "b")
    assert caught.value.problems[0].value == "2024-01"
    other = MONTHS.assign(region_code="MD-BA").iloc[:1].drop(columns="period_end")
    days = pd.concat([other.assign(date="2024-05-02"), other.assign(date="2024-05-09")])
    load(store_location, days, "c")
    month = other.assign(date="2024-05-01", period_end="2024-05-31", count=2)
    with pytest.raises(ValidationError) as caught:
        load(store_location, month, "d")
    assert caught.value.problems[0].value == "2024-05-02 to 2024-05-09"
    load(store_location, month, "d", replace=True)
    assert Store(store_location).aggregate(
        Filters(regions=["MD-BA"]), by=(), freq="M"
    ).values.tolist() == [[pd.Timestamp("2024-05-01"), 2]]


def test_days_never_revise_days(store_location):
    days = MONTHS.drop(columns="period_end").assign(date="2024-01-15", count=1)
    load(store_location, days, "a")
    load(store_location, days, "b")
    assert Store(store_location).coverage()["incidents"] == 6


def test_a_national_figure_does_not_revise_its_regions(store_location):
    load(store_location, MONTHS, "a")
    load(store_location, YEAR.assign(region_code=None, count=100), "b")
    assert Store(store_location).aggregate(by=(), freq="Y")["count"].tolist() == [100]


def test_undoing_the_older_batch_removes_its_superseded_rows_too(store_location):
    first = load(store_location, MONTHS, "a")
    second = load(store_location, YEAR, "b", replace=True)
    with write_session(store_location, user="ana") as writer:
        writer.undo(first)
    with write_session(store_location, user="ana") as writer:
        summary = writer.undo(second)
    assert "restored" not in summary
    assert Store(store_location).coverage()["records"] == 0


def test_a_chain_of_revisions_undone_from_the_middle(store_location):
    first = load(store_location, MONTHS, "a")
    second = load(store_location, MONTHS.iloc[1:2].assign(count=4), "b", replace=True)
    third = load(store_location, YEAR, "c", replace=True)
    with write_session(store_location, user="ana") as writer:
        writer.undo(second)
    # As if the second had never been loaded: the year replaced all three months.
    assert Store(store_location).incidents()["batch_id"].tolist() == [third]
    with write_session(store_location, user="ana") as writer:
        summary = writer.undo(third)
    assert summary["restored"] == [{"batch_id": first, "rows": 3}]
    assert Store(store_location).incidents()["count"].tolist() == [10, 0, 5]


# -- the property: a revision replaced, then undone, leaves the store as it was ---------------

KEYS = [(region, crime) for region in ("MD-CU", "MD-BA", None) for crime in (D, "cybercrime")]
SPANS = {"year": 1, "quarter": 4, "month": 12}


@st.composite
def figures(draw) -> pd.DataFrame:
    """Figures for 2024 of some keys, each key in one granularity (no two overlap)."""
    rows = []
    for region, crime in KEYS:
        granularity = draw(st.sampled_from([None, *SPANS]))
        if granularity is None:
            continue
        step = 12 // SPANS[granularity]
        for index in sorted(draw(st.sets(st.integers(0, SPANS[granularity] - 1), min_size=1))):
            start = pd.Timestamp(2024, 1 + index * step, 1).date()
            end = period_end(start, granularity)
            rows.append((str(start), str(end), region, crime, draw(st.integers(0, 50))))
    if not rows:
        rows.append(("2024-01-01", "2024-12-31", None, D, 1))
    frame = pd.DataFrame(rows, columns=["date", "period_end", "region_code", "crime_type", "count"])
    return frame.assign(country="MD")


def overlapping(old: pd.DataFrame, new: pd.DataFrame) -> int:
    """The rows of ``old`` that a row of ``new`` revises."""
    pairs = old.reset_index().merge(new, on=["region_code", "crime_type"], suffixes=("", "_n"))
    hit = (pairs["date"] <= pairs["period_end_n"]) & (pairs["date_n"] <= pairs["period_end"])
    return pairs[hit]["index"].nunique()


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=figures(), second=figures())
def test_replace_then_undo_restores_every_incidents_read(
    backend, request, tmp_path_factory, first, second
):
    if backend == "postgresql":
        location = request.getfixturevalue("postgres_url")
        # One database for all examples: each starts from no active batch.
        if Store(location).exists():
            for batch_id in Store(location).batches().query("status == 'active'")["batch_id"]:
                with write_session(location, user="ana") as writer:
                    writer.undo(int(batch_id))
    else:
        location = tmp_path_factory.mktemp("revision") / "store.duckdb"
    load(location, first, "a")
    before = state(location)
    second_id = load(location, second, "b", replace=True)
    with write_session(location, user="ana") as writer:
        replaced = writer.superseded_by(second_id)
        assert sum(item["rows"] for item in replaced) == overlapping(
            first.fillna({"region_code": ""}), second.fillna({"region_code": ""})
        )
        writer.undo(second_id)
    assert state(location) == before
