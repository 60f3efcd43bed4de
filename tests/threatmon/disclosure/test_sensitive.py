"""The viewers' table of sensitive crime types: fixed quarters, small counts suppressed."""

import datetime as dt

import pandas as pd
import pytest

from threatmon.disclosure.sensitive import SENSITIVE_TYPES, complete_quarters, quarterly_tables
from threatmon.disclosure.suppression import recoverable_cells, suppress_table

COUNTRIES = {"MD": "Moldova", "UA": "Ukraine", "RO": "Romania"}
LABELS = {"human_trafficking": "Human trafficking", "child_sexual_exploitation": "CSE"}


def test_the_sensitive_types_come_from_the_registry():
    assert SENSITIVE_TYPES == ("human_trafficking", "child_sexual_exploitation")


def test_quarters_end_with_the_last_complete_one():
    assert [str(q) for q in complete_quarters("2026-10-31", 3)] == ["2026Q1", "2026Q2", "2026Q3"]
    assert [str(q) for q in complete_quarters("2026-09-30", 2)] == ["2026Q2", "2026Q3"]


def test_small_counts_are_hidden_with_their_complements_per_quarter():
    counts = pd.DataFrame(
        {
            "period": ["2026-07-01", "2026-07-01", "2026-08-01", "2026-07-01", "2026-04-01"],
            "country": ["MD", "UA", "UA", "RO", "MD"],
            "crime_type": ["human_trafficking"] * 3 + ["child_sexual_exploitation"] * 2,
            "count": [2, 30, 15, 9, 40],
        }
    )
    quarters = complete_quarters("2026-09-30", 2)
    frame = quarterly_tables(counts, quarters, COUNTRIES, LABELS)
    assert frame.columns.tolist() == ["quarter", "country", "Human trafficking", "CSE", "Total"]
    q3 = frame[frame["quarter"] == "2026Q3"].set_index("country")
    assert q3.loc["Moldova", "Human trafficking"] == "<5"
    # The column total (two months of Ukraine summed, and Moldova's 2) would give the 2
    # away next to Ukraine's 45: Ukraine's count is hidden as its complement, and both
    # row totals with them.
    assert q3.loc["Total", "Human trafficking"] == 47
    assert q3.loc["Ukraine", "Human trafficking"] == "c"
    assert (q3.loc["Moldova", "Total"], q3.loc["Ukraine", "Total"]) == ("c", "c")
    assert q3.loc["Romania"].tolist()[1:] == [0, 9, 9]
    assert frame["quarter"].tolist()[0] == "2026Q3"  # newest first
    q2 = frame[frame["quarter"] == "2026Q2"].set_index("country")
    assert q2.loc["Moldova", "CSE"] == 40 and q2.loc["Total", "Total"] == 40


def test_no_published_table_lets_a_hidden_count_be_worked_out():
    counts = pd.DataFrame(
        {
            "period": ["2026-07-01"] * 6,
            "country": ["MD", "MD", "UA", "UA", "RO", "RO"],
            "crime_type": list(LABELS) * 3,
            "count": [1, 3, 7, 2, 12, 30],
        }
    )
    table = counts.pivot_table(
        index="country", columns="crime_type", values="count", aggfunc="sum"
    ).reindex(index=list(COUNTRIES), columns=list(LABELS))
    assert recoverable_cells(suppress_table(table, sensitive=True)) == []
    frame = quarterly_tables(counts, complete_quarters("2026-09-30", 1), COUNTRIES, LABELS)
    shown = frame.drop(columns=["quarter", "country"]).to_numpy().ravel().tolist()
    assert 1 not in shown and 3 not in shown and 2 not in shown
    assert counts["count"].tolist() == [1, 3, 7, 2, 12, 30]  # input untouched


def test_the_trend_shows_only_published_totals_oldest_first():
    from threatmon.disclosure.sensitive import published_totals

    counts = pd.DataFrame(
        {
            "period": ["2026-04-01", "2026-07-01", "2026-07-01"],
            "country": ["MD", "MD", "UA"],
            "crime_type": ["human_trafficking"] * 3,
            "count": [12, 2, 30],
        }
    )
    table = quarterly_tables(counts, complete_quarters("2026-09-30", 2), COUNTRIES, LABELS)
    trend = published_totals(table)
    assert trend["quarter"].tolist() == ["2026Q2", "2026Q2", "2026Q3", "2026Q3"]
    got = trend.set_index(["quarter", "crime"])["count"].to_dict()
    assert got[("2026Q2", "Human trafficking")] == 12
    assert got[("2026Q3", "Human trafficking")] == 32
    assert got[("2026Q3", "CSE")] == 0


def _table_of(md_human_trafficking: int) -> pd.DataFrame:
    counts = pd.DataFrame(
        {
            "period": ["2026-07-01"] * 4,
            "country": ["MD", "UA", "RO", "UA"],
            "crime_type": ["human_trafficking"] * 3 + ["child_sexual_exploitation"],
            "count": [md_human_trafficking, 30, 0, 12],
        }
    )
    return quarterly_tables(counts, complete_quarters("2026-09-30", 1), COUNTRIES, LABELS)


def test_a_quarters_cells_per_country_are_the_published_ones_with_codes():
    from threatmon.disclosure.sensitive import country_cells

    table = _table_of(2)
    cells = country_cells(table, "2026Q3", "Human trafficking", COUNTRIES)
    assert cells["country"].tolist() == ["MD", "UA", "RO"]
    assert cells["shown"].tolist() == ["<5", "c", 0]
    # Ukraine's 12 would give Moldova's count away through its row total: hidden too.
    assert country_cells(table, "2026Q3", "CSE", COUNTRIES)["shown"].tolist() == [0, "c", 0]


def test_two_tables_that_publish_the_same_cells_give_the_same_country_cells():
    """2 and 3 are both "<5": nothing downstream of the cells can tell them apart."""
    from threatmon.disclosure.sensitive import country_cells

    two, three = _table_of(2), _table_of(3)
    pd.testing.assert_frame_equal(
        country_cells(two, "2026Q3", "Human trafficking", COUNTRIES),
        country_cells(three, "2026Q3", "Human trafficking", COUNTRIES),
    )


def test_country_cells_name_an_unknown_quarter_or_column():
    from threatmon.disclosure.sensitive import country_cells

    table = _table_of(7)
    with pytest.raises(ValueError) as caught:
        country_cells(table, "2025Q1", "CSE", COUNTRIES)
    assert str(caught.value) == "No published table for quarter '2025Q1'."
    with pytest.raises(ValueError) as caught:
        country_cells(table, "2026Q3", "Drugs", COUNTRIES)
    assert str(caught.value) == (
        "No published column 'Drugs'; use one of ['Human trafficking', 'CSE']."
    )


def test_the_table_rows_follow_the_readers_scope():
    from threatmon.disclosure.sensitive import table_countries

    assert list(table_countries(("UA", "MD"))) == ["MD", "UA"]
    assert table_countries(("MD",)) == {"MD": "Moldova"}
    assert len(table_countries()) == 10


def test_k_is_the_deployments_choice_within_bounds(monkeypatch):
    from threatmon.disclosure.sensitive import configured_k
    from threatmon.settings import K_ENV_VAR

    monkeypatch.delenv(K_ENV_VAR, raising=False)
    assert configured_k() == 5
    monkeypatch.setenv(K_ENV_VAR, " 10 ")
    assert configured_k() == 10
    for raw in ("2", "21", "five", "5.5"):
        monkeypatch.setenv(K_ENV_VAR, raw)
        with pytest.raises(ValueError) as caught:
            configured_k()
        assert str(caught.value) == (
            f"$THREATMON_SUPPRESSION_K must be a whole number from 3 to 20. Got {raw!r}."
        )


class _Source:
    """Just enough of a store for sensitive_table: its counts and its (empty) scope."""

    scope = ()
    reporting = ("MD", "UA")

    def aggregate(self, filters, by, freq):
        return pd.DataFrame(
            {
                "period": ["2026-07-01"] * 3,
                "country": ["MD", "UA", "UA"],
                "crime_type": [
                    "human_trafficking",
                    "human_trafficking",
                    "child_sexual_exploitation",
                ],
                "count": [6, 40, 25],
            }
        )

    def coverage_cells(self, filters):
        # Both countries sent both types for every month of the quarter.
        months = pd.date_range("2026-07-01", "2026-09-01", freq="MS")
        return pd.DataFrame(
            [
                (country, crime, "national", "month", month, month + pd.offsets.MonthEnd(0))
                for country in self.reporting
                for crime in SENSITIVE_TYPES
                for month in months
            ],
            columns=["country", "crime_type", "level", "granularity", "start", "end"],
        )


def test_the_viewers_table_takes_k_from_the_setting(monkeypatch):
    from threatmon.disclosure.sensitive import sensitive_table
    from threatmon.settings import K_ENV_VAR

    monkeypatch.delenv(K_ENV_VAR, raising=False)
    shown = sensitive_table(_Source(), "2026-09-30", scope=("MD", "UA"), quarters=1)
    shown = shown.set_index("country")
    assert shown.loc["Moldova", "Human trafficking"] == 6
    monkeypatch.setenv(K_ENV_VAR, "10")
    shown = sensitive_table(_Source(), "2026-09-30", scope=("MD", "UA"), quarters=1)
    shown = shown.set_index("country")
    assert shown.loc["Moldova", "Human trafficking"] == "<10"
    assert list(shown.index) == ["Moldova", "Ukraine", "Total"]  # the scope's rows


def test_the_viewers_table_is_cut_from_every_countrys_source_only():
    from threatmon.disclosure.sensitive import sensitive_table

    scoped = _Source()
    scoped.scope = ("MD",)
    with pytest.raises(ValueError) as caught:
        sensitive_table(scoped, "2026-09-30", scope=("MD",), quarters=1)
    assert str(caught.value) == (
        "`source` must hold every country (no scope): the suppression pattern is computed "
        "over all of them and cut to `scope`. Got a source scoped to ('MD',)."
    )
    with pytest.raises(ValueError) as caught:
        sensitive_table(_Source(), "2026-09-30", scope=("MD", "XX"), quarters=1)
    assert str(caught.value) == "`scope` holds a country outside the project. Got 'XX'."


# -- no data is not zero ------------------------------------------------------------------------


def _silent_store(tmp_path):
    """Moldova sends both types monthly for 2026Q2-Q3, Ukraine human trafficking for Q3 only
    (July and August with rows, September reported as 0 by a declaration); Romania sends
    human trafficking for July only; Estonia, Latvia, Lithuania and Georgia send nothing."""
    from threatmon.coverage import DeclaredCoverage
    from threatmon.store.reader import Store
    from threatmon.store.writer import write_session

    rows = [
        *[("MD", "human_trafficking", m, 7) for m in range(4, 10)],
        *[("MD", "child_sexual_exploitation", m, 9) for m in range(4, 10)],
        ("UA", "human_trafficking", 7, 30),
        ("UA", "human_trafficking", 8, 12),
        ("RO", "human_trafficking", 7, 40),
    ]
    frame = pd.DataFrame(
        {
            "date": [pd.Timestamp(2026, m, 1) for _, _, m, _ in rows],
            "period_end": [pd.Timestamp(2026, m, 1) + pd.offsets.MonthEnd(0) for *_, m, _ in rows],
            "country": [c for c, *_ in rows],
            "crime_type": [t for _, t, *_ in rows],
            "count": [n for *_, n in rows],
        }
    )
    september = DeclaredCoverage(
        "UA", "human_trafficking", "national", "month", dt.date(2026, 9, 1), dt.date(2026, 9, 30)
    )
    path = tmp_path / "silent.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="sent.csv", sha256="a" * 64, covers=[september])
    return Store(path)


def test_countries_that_sent_nothing_get_no_data_never_zero(tmp_path):
    from threatmon.disclosure.sensitive import sensitive_table

    table = sensitive_table(_silent_store(tmp_path), "2026-09-30", quarters=2, k=5)
    q3 = table[table["quarter"] == "2026Q3"].set_index("country")
    for name in ("Estonia", "Latvia", "Lithuania", "Georgia", "Poland"):
        assert q3.loc[name].tolist()[1:] == ["no data", "no data", "no data"]
    assert q3.loc["Moldova"].tolist()[1:] == [21, 27, 48]
    assert q3.loc["Ukraine"].tolist()[1:] == [42, "no data", 42]  # September's 0 is reported
    # Romania sent July only: a part of the quarter is not its count.
    assert q3.loc["Romania"].tolist()[1:] == ["no data", "no data", "no data"]
    assert q3.loc["Total"].tolist()[1:] == [63, 27, 90]  # what was reported, nothing else
    q2 = table[table["quarter"] == "2026Q2"].set_index("country")
    assert q2.loc["Ukraine"].tolist()[1:] == ["no data", "no data", "no data"]
    assert q2.loc["Total"].tolist()[1:] == [21, 27, 48]
    assert 0 not in table.drop(columns=["quarter", "country"]).to_numpy().ravel().tolist()


def test_a_reported_quarter_without_rows_is_zero_and_one_without_any_report_no_data():
    counts = pd.DataFrame(
        {
            "period": ["2026-07-01"],
            "country": ["MD"],
            "crime_type": ["human_trafficking"],
            "count": [12],
        }
    )
    coverage = pd.DataFrame(
        {
            "country": ["MD", "MD", "UA", "UA", "RO", "RO"],
            "crime_type": list(LABELS) * 3,
            "period": pd.Timestamp("2026-07-01"),
            "coverage": ["reported", "reported", "reported", "partly", "not reported"]
            + ["not reported"],
        }
    )
    frame = quarterly_tables(
        counts, complete_quarters("2026-09-30", 1), COUNTRIES, LABELS, coverage=coverage
    )
    shown = frame.set_index("country").drop(columns="quarter")
    assert shown.loc["Moldova"].tolist() == [12, 0, 12]
    assert shown.loc["Ukraine"].tolist() == [0, "no data", 0]
    assert shown.loc["Romania"].tolist() == ["no data", "no data", "no data"]
    assert shown.loc["Total"].tolist() == [12, 0, 12]


def test_a_no_data_neighbour_never_protects_a_small_count():
    """Moldova's 2 sits beside Ukraine's "no data": were that an unknown of at least 1 in the
    column total, the 2 would look protected; it is outside every total, so Romania's 9 is
    hidden as the complement instead, and nothing can be worked out."""
    counts = pd.DataFrame(
        {
            "period": ["2026-07-01"] * 3,
            "country": ["MD", "RO", "RO"],
            "crime_type": ["human_trafficking", "human_trafficking", "child_sexual_exploitation"],
            "count": [2, 9, 30],
        }
    )
    coverage = pd.DataFrame(
        {
            "country": ["MD", "MD", "UA", "UA", "RO", "RO"],
            "crime_type": list(LABELS) * 3,
            "period": pd.Timestamp("2026-07-01"),
            "coverage": ["reported", "reported", "not reported", "not reported"] + ["reported"] * 2,
        }
    )
    frame = quarterly_tables(
        counts, complete_quarters("2026-09-30", 1), COUNTRIES, LABELS, coverage=coverage
    )
    shown = frame.set_index("country").drop(columns="quarter")
    assert shown.loc["Moldova", "Human trafficking"] == "<5"
    assert shown.loc["Romania", "Human trafficking"] == "c"
    assert shown.loc["Ukraine"].tolist() == ["no data", "no data", "no data"]


def test_published_totals_say_how_many_countries_they_add_up():
    from threatmon.disclosure.sensitive import published_totals

    counts = pd.DataFrame(
        {
            "period": ["2026-07-01"],
            "country": ["MD"],
            "crime_type": ["human_trafficking"],
            "count": [12],
        }
    )
    coverage = pd.DataFrame(
        {
            "country": ["MD", "MD", "UA", "UA", "RO", "RO"],
            "crime_type": list(LABELS) * 3,
            "period": pd.Timestamp("2026-07-01"),
            "coverage": ["reported", "not reported"] * 3,
        }
    )
    table = quarterly_tables(
        counts, complete_quarters("2026-09-30", 1), COUNTRIES, LABELS, coverage=coverage
    )
    totals = published_totals(table)
    assert totals["crime"].tolist() == ["CSE", "Human trafficking"]
    assert totals["coverage"].tolist() == ["not reported", "reported"]
    assert totals["count"].tolist()[1] == 12 and pd.isna(totals["count"].iloc[0])
