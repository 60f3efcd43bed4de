"""Tables of different country scopes are cut from one pattern: together they give nothing away."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from threatmon.disclosure.scopes import joint_audit, scope_tables
from threatmon.disclosure.sensitive import complete_quarters, quarterly_tables
from threatmon.disclosure.suppression import (
    NarrowedCell,
    interval_audit,
    recoverable_cells,
    suppress_table,
)

EVERY = {"MD": "Moldova", "UA": "Ukraine", "RO": "Romania", "PL": "Poland"}
LABELS = {"human_trafficking": "Human trafficking", "child_sexual_exploitation": "CSE"}
# Moldova's 3 is hidden with Romania's 8 as its complement for all countries, so Ukraine's
# 200 is shown there; Moldova and Ukraine alone hide Ukraine instead and show their total.
COUNTS = pd.DataFrame(
    {
        "period": ["2026-07-01"] * 7,
        "country": ["MD", "UA", "RO", "MD", "UA", "RO", "PL"],
        "crime_type": ["human_trafficking"] * 3 + ["child_sexual_exploitation"] * 4,
        "count": [3, 200, 8, 10, 50, 12, 7],
    }
)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns="quarter").set_index("country")


def test_the_tables_of_two_scopes_together_do_not_pin_a_small_count():
    """Issue 20: suppressed scope by scope, all countries showed Ukraine's 200 and Moldova
    and Ukraine their total of 203 beside Moldova's "<5": 3. Cut from one pattern, Moldova
    and Ukraine show Ukraine's 200 too, and their total, which would tell Moldova's 3 from
    Romania's complement, is hidden."""
    quarter = complete_quarters("2026-09-30", 1)
    every = _shown(quarterly_tables(COUNTS, quarter, EVERY, LABELS))
    two = _shown(quarterly_tables(COUNTS, quarter, EVERY, LABELS, scope=("MD", "UA")))
    assert every.loc["Ukraine", "Human trafficking"] == 200
    assert two.loc["Moldova", "Human trafficking"] == "<5"
    assert two.index.tolist() == ["Moldova", "Ukraine", "Total"]
    assert two.loc["Ukraine"].tolist() == every.loc["Ukraine"].tolist()  # one pattern
    assert two.loc["Total"].tolist() == ["c", "c", 263]  # 13 + 250: both rows shown
    assert joint_audit([every, two]) == []


def test_the_joint_audit_sees_what_two_separately_suppressed_tables_give_away():
    table = pd.DataFrame(
        {"HT": [3, 200, 8, 0], "CSE": [10, 50, 12, 7]}, index=["MD", "UA", "RO", "PL"]
    )
    every = suppress_table(table, sensitive=["HT"]).display()
    two = suppress_table(table.loc[["MD", "UA"]], sensitive=["HT"]).display()
    assert two.loc["Total", "HT"] == 203 and every.loc["UA", "HT"] == 200
    assert joint_audit([every]) == [] and joint_audit([two]) == []
    assert joint_audit([every, two]) == [NarrowedCell("MD", "HT", 3.0, 3.0)]


# -- scope tables --------------------------------------------------------------------------------

ROWS = ["MD", "UA", "RO", "PL"]


def _example() -> pd.DataFrame:
    return pd.DataFrame({"HT": [3, 200, 8, 0], "CSE": [10, 50, 12, 7]}, index=ROWS)


def test_a_scope_shows_its_rows_of_the_whole_pattern_and_only_the_totals_it_determines():
    every, two, ua_ro, md, ro_pl = scope_tables(
        _example(),
        [None, ["MD", "UA"], ["RO", "UA"], ["MD"], ["RO", "PL"]],
        sensitive=["HT"],
    )
    assert every.display().loc["Total"].tolist() == [211, 79, 290]
    # Moldova and Romania hold the hidden cells of both columns: a scope with one of them
    # splits them, and its column totals would tell the two apart.
    assert two.display().loc["Total"].tolist() == ["c", "c", 263]
    assert ua_ro.display().index.tolist() == ["UA", "RO", "Total"]  # the table's order
    assert ua_ro.display().loc["Total"].tolist() == ["c", "c", 270]
    assert md.display().loc["Total"].tolist() == ["c", "c", 13]
    # Romania and Poland: Romania's two hidden cells add up to its total; each column's
    # hidden cells are Moldova's and Romania's, so neither column total is determined.
    assert ro_pl.display().loc["Total"].tolist() == ["c", "c", 27]
    for scoped in (two, ua_ro, md, ro_pl):
        rows = scoped.primary.index
        shown = scoped.display()
        assert shown.loc[rows].values.tolist() == every.display().loc[rows].values.tolist()
        pd.testing.assert_frame_equal(scoped.primary, every.primary.loc[rows])
        pd.testing.assert_frame_equal(scoped.secondary, every.secondary.loc[rows])


def test_a_scope_holding_every_hidden_cell_of_a_column_shows_its_total():
    """The whole table's HT total less Ukraine's and Poland's visible counts is Moldova and
    Romania's total: shown, it tells nothing new."""
    [md_ro] = scope_tables(_example(), [["MD", "RO"]], sensitive=["HT"])
    assert md_ro.display().loc["Total"].tolist() == [11, 22, 33]
    assert md_ro.display().loc["MD", "HT"] == "<5"


def test_an_empty_scope_is_every_row_and_an_unknown_row_is_refused():
    [every] = scope_tables(_example(), [()], sensitive=["HT"])
    assert every.display().index.tolist() == [*ROWS, "Total"]
    with pytest.raises(ValueError) as caught:
        scope_tables(_example(), [["MD", "XX"]], sensitive=["HT"])
    assert str(caught.value) == "scope: no row 'XX' in the table."


def test_no_data_takes_part_in_no_scope_total():
    """Ukraine sent nothing: its cells are "no data" in every scope, outside every total, so
    Moldova and Ukraine's totals are Moldova's: its row total (shown), and its hidden cells
    (hidden). A scope of Ukraine alone has "no data" totals."""
    table = _example().astype(float)
    no_data = pd.DataFrame(False, index=ROWS, columns=table.columns)
    no_data.loc["UA"] = True
    every, two, ua = scope_tables(
        table, [None, ["MD", "UA"], ["UA"]], sensitive=["HT"], no_data=no_data
    )
    assert every.display().loc["UA"].tolist() == ["no data"] * 3
    assert every.display().loc["Total"].tolist() == [11, 29, 40]
    assert two.display().loc["Total"].tolist() == ["c", "c", 13]
    assert ua.display().loc["Total"].tolist() == ["no data"] * 3
    assert joint_audit([every.display(), two.display(), ua.display()]) == []


def test_without_margins_a_scope_is_its_rows():
    every, two = scope_tables(_example(), [None, ["MD", "UA"]], sensitive=["HT"], margins=False)
    assert two.display().index.tolist() == ["MD", "UA"]
    assert two.display().loc["MD", "HT"] == "<5" and two.display().loc["UA", "HT"] == 200


# -- the joint audit -----------------------------------------------------------------------------


def test_the_joint_audit_reads_a_number_shown_elsewhere_as_known():
    shown = pd.DataFrame({"HT": ["<5"]}, index=["MD"], dtype=object)
    other = pd.DataFrame({"HT": [3]}, index=["MD"], dtype=object)
    assert joint_audit([shown]) == []
    assert joint_audit([shown, other]) == [NarrowedCell("MD", "HT", 3.0, 3.0)]


def test_the_joint_audit_refuses_tables_that_contradict():
    one = pd.DataFrame({"HT": ["<5", 7], "Total": [9, 7]}, index=["MD", "Total"], dtype=object)
    other = pd.DataFrame({"HT": [3], "Total": [3]}, index=["MD"], dtype=object)
    other.loc["Total"] = [3, 3]
    with pytest.raises(ValueError) as caught:
        joint_audit([one, other])
    assert str(caught.value) == (
        "the published tables have no completion together: they contradict."
    )


# -- property: no set of scopes pins a "<k" cell ------------------------------------------------


@st.composite
def scoped_tables(draw):
    """A small count table, its sensitive columns, k, a "no data" mask and a few scopes."""
    n_rows, n_cols = draw(st.integers(2, 5)), draw(st.integers(1, 3))
    size = n_rows * n_cols
    cells = draw(
        st.lists(st.one_of(st.integers(0, 4), st.integers(0, 30)), min_size=size, max_size=size)
    )
    table = pd.DataFrame(
        np.array(cells, dtype=np.int64).reshape(n_rows, n_cols),
        index=[f"r{i}" for i in range(n_rows)],
        columns=[f"c{j}" for j in range(n_cols)],
    )
    sensitive = draw(st.lists(st.booleans(), min_size=n_cols, max_size=n_cols))
    labels = [c for c, s in zip(table.columns, sensitive, strict=True) if s]
    blank = draw(st.lists(st.integers(0, 9), min_size=size, max_size=size))
    no_data = pd.DataFrame(
        np.array(blank).reshape(n_rows, n_cols) == 0, index=table.index, columns=table.columns
    )
    rows = st.sets(st.sampled_from(list(table.index)), min_size=1)
    scopes = draw(st.lists(rows.map(sorted), min_size=1, max_size=3))
    return table, labels, draw(st.integers(3, 6)), no_data, [None, *scopes]


def _union_bounds(tables, k):
    """(row, column) -> (low, high) of every "<k" cell over all that ``tables`` publish
    together (their numeric values, independently of the display the joint audit reads)."""
    value, primary, lines = {}, set(), []
    for table in tables:
        cells, blank = table.primary, table.unreported()
        grid = table.values.to_numpy(dtype=float)
        reported = [
            (i, j) for i in range(cells.shape[0]) for j in range(cells.shape[1]) if not blank[i, j]
        ]
        for i, j in reported:
            key = (cells.index[i], cells.columns[j])
            if not np.isnan(grid[i, j]):
                value[key] = grid[i, j]
            else:
                value.setdefault(key, None)
            if cells.iat[i, j]:
                primary.add(key)
        n_rows, n_cols = cells.shape
        for i in range(n_rows + 1):
            for j in range(n_cols + 1):
                if (i < n_rows and j < n_cols) or np.isnan(grid[i, j]) or blank[i, j]:
                    continue
                members = [
                    (cells.index[r], cells.columns[c])
                    for r, c in reported
                    if (i == n_rows or r == i) and (j == n_cols or c == j)
                ]
                lines.append((members, grid[i, j]))
    unknown = sorted(key for key, v in value.items() if v is None)
    if not unknown:
        return {}
    a_eq = np.array([[float(key in members) for key in unknown] for members, _ in lines])
    b_eq = [total - sum(value[p] or 0.0 for p in members) for members, total in lines]
    bounds = [(1, k - 1 if key in primary else None) for key in unknown]
    found = {}
    for e, key in enumerate(unknown):
        if key not in primary:
            continue
        objective = np.zeros(len(unknown))
        objective[e] = 1.0
        ends = [
            linprog(
                sign * objective,
                A_eq=a_eq if lines else None,
                b_eq=b_eq if lines else None,
                bounds=bounds,
                method="highs",
            )
            for sign in (1, -1)
        ]
        assert all(end.status == 0 for end in ends)
        found[key] = (ends[0].x[e], ends[1].x[e])
    return found


@settings(max_examples=50, deadline=None)
@given(scoped_tables())
@pytest.mark.slow
def test_no_set_of_scopes_pins_a_small_count(drawn):
    table, labels, k, no_data, scopes = drawn
    tables = scope_tables(table, scopes, k=k, sensitive=labels, no_data=no_data)
    whole = tables[0]
    for scope, cut in zip(scopes[1:], tables[1:], strict=True):
        assert cut.primary.index.tolist() == [r for r in table.index if r in scope]
        shown, rows = cut.display(), cut.primary.index
        assert shown.loc[rows].values.tolist() == whole.display().loc[rows].values.tolist()
        # Visible totals are the true sums of the scope's reported counts.
        true = table.loc[rows].where(~no_data.loc[rows], 0)
        sums = [*true.sum(axis=0).tolist(), int(true.to_numpy().sum())]
        for value, expected in zip(cut.values.loc["Total"], sums, strict=True):
            assert np.isnan(value) or value == expected
        # Alone, too, it gives nothing away (hidden scope totals included).
        assert recoverable_cells(cut) == [] and interval_audit(cut) == []
    # Every pair of published tables, and all of them together: each "<k" keeps 1 to k - 1.
    groups = [[a, b] for n, a in enumerate(tables) for b in tables[n + 1 :]] + [tables]
    for group in groups:
        for low, high in _union_bounds(group, k).values():
            assert low <= 1 + 1e-6 and high >= k - 1 - 1e-6
    assert joint_audit([t.display() for t in tables], k) == []


def test_the_property_checker_sees_scopes_suppressed_on_their_own():
    """The checker is not vacuous: it pins issue 20's Moldova from the two separate tables."""
    every = suppress_table(_example(), sensitive=["HT"])
    two = suppress_table(_example().loc[["MD", "UA"]], sensitive=["HT"])
    assert _union_bounds([every], 5) == {("MD", "HT"): (1.0, 4.0)}
    assert _union_bounds([every, two], 5) == {("MD", "HT"): (3.0, 3.0)}
