"""Small sensitive counts are hidden with enough complements that no total gives them away."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threatmon.disclosure.suppression import (
    DEFAULT_K,
    SENSITIVE_CRIME_TYPES,
    NarrowedCell,
    RecoveredCell,
    SuppressedTable,
    interval_audit,
    recoverable_cells,
    suppress_table,
)
from threatmon.registry.crime_types import sensitive_crime_types

HT, DRUGS, CYBER = "human_trafficking", "drug_trafficking", "cybercrime"


def _table(rows: dict[str, list[int]], columns=(HT, DRUGS, CYBER)) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(columns))


def _published(values: list[list[float]], margins: bool = True) -> SuppressedTable:
    """A hand-made publication (NaN = hidden) with the last row and column as totals."""
    n_rows, n_cols = len(values), len(values[0])
    index = [f"r{i}" for i in range(n_rows - margins)] + ["Total"] * margins
    columns = [f"c{j}" for j in range(n_cols - margins)] + ["Total"] * margins
    frame = pd.DataFrame(values, index=index, columns=columns, dtype=float)
    mask = pd.DataFrame(False, index=index[: n_rows - margins], columns=columns[: n_cols - margins])
    return SuppressedTable(frame, mask, mask, k=5, margins=margins)


def _hidden(result: SuppressedTable) -> set[tuple[str, str]]:
    stacked = result.values.isna().stack()
    return set(stacked[stacked].index)


def test_sensitive_types_come_from_the_registry():
    assert SENSITIVE_CRIME_TYPES == {"human_trafficking", "child_sexual_exploitation"}
    assert SENSITIVE_CRIME_TYPES == set(sensitive_crime_types())
    assert DEFAULT_K == 5


def test_hand_worked_example():
    """(A, HT) = 2 is primary. Alone in row A it would be 19 - 10 - 7; a complement c must make
    2 + c - 1 >= 4 (rule 3b), so c >= 3: 7 (cyber) rather than 10. Column HT needs c >= 3 too:
    8, its only other non-zero cell. Row C then holds 8 alone: of 3 (drugs, an untouched column
    that would need a complement of its own) and 9 (cyber, which already holds one), 9. That
    closes the cycle A-HT-C-cyber; every line holds two hidden cells or none."""
    table = _table({"A": [2, 10, 7], "B": [0, 4, 12], "C": [8, 3, 9]})
    result = suppress_table(table)

    assert result.primary.to_numpy().tolist() == [[True, False, False], [False] * 3, [False] * 3]
    assert result.secondary.to_numpy().tolist() == [
        [False, False, True],
        [False, False, False],
        [True, False, True],
    ]
    expected = pd.DataFrame(
        [["<5", 10, "c", 19], [0, 4, 12, 16], ["c", 3, "c", 20], [10, 17, 28, 55]],
        index=["A", "B", "C", "Total"],
        columns=[HT, DRUGS, CYBER, "Total"],
        dtype=object,
    )
    pd.testing.assert_frame_equal(result.display(), expected)
    assert all(type(v) is int for v in result.display().loc["Total"])
    assert result.values.loc["Total"].tolist() == [10.0, 17.0, 28.0, 55.0]
    assert result.values.loc["A", HT] != result.values.loc["A", HT]  # NaN
    assert recoverable_cells(result) == []


def test_display_marker_follows_k_and_can_be_chosen():
    table = _table({"A": [2, 10, 7], "B": [0, 4, 12], "C": [8, 3, 9]})
    shown = suppress_table(table, k=3).display(secondary_marker="x")
    assert shown.loc["A", HT] == "<3"
    assert "x" in shown.to_numpy()


def test_two_small_cells_whose_sum_is_published_get_a_third():
    """HT holds 1 and 1, and its total minus the visible 9 leaves 2: both would be 1. Rule 3b:
    hidden cells must leave k - 1 after giving each other one 1, so 9 is hidden too."""
    table = _table({"A": [1, 6, 20], "B": [1, 5, 30], "C": [9, 12, 40]})
    result = suppress_table(table)
    assert _hidden(result) == {
        ("A", HT),
        ("B", HT),
        ("C", HT),
        ("A", DRUGS),
        ("B", DRUGS),
        ("C", DRUGS),
    }
    assert result.secondary.loc["C", HT]
    assert recoverable_cells(result) == []


def test_two_large_primaries_alone_in_a_line_hide_its_total():
    """4 and 4 under "<5" with 8 left over are both 4 (rule 3c). HT has no other non-zero cell,
    so the HT total is hidden; the totals row then holds it alone, so the drugs total joins it."""
    table = _table({"A": [4, 10], "B": [4, 20], "C": [0, 30]}, columns=(HT, DRUGS))
    result = suppress_table(table)
    shown = result.display()
    assert shown.loc["Total"].tolist() == ["c", "c", 68]
    assert shown["Total"].tolist() == [14, 24, 30, 68]
    assert shown[HT].tolist() == ["<5", "<5", 0, "c"]
    assert shown[DRUGS].tolist() == ["c", "c", 30, "c"]
    assert recoverable_cells(result) == []


def test_a_row_of_zeros_hides_its_total():
    """Row A is 3, 0, 0: no cell can be its complement, so its total is hidden, and the totals
    column then needs a second hidden total (19, row B, which already holds hidden cells)."""
    table = _table({"A": [3, 0, 0], "B": [6, 9, 4], "C": [7, 2, 11]})
    shown = suppress_table(table).display()
    assert shown.loc["A"].tolist() == ["<5", 0, 0, "c"]
    assert shown["Total"].tolist() == ["c", "c", 20, 42]
    assert shown.loc["Total"].tolist() == [16, 11, 15, 42]


@pytest.mark.parametrize("counts", [[0, 5, 7, 0], [0, 0, 0, 0], [5, 6, 30, 100]])
def test_zeros_and_counts_from_k_stay_visible(counts):
    table = pd.DataFrame({HT: counts, DRUGS: [1, 2, 3, 4]}, index=list("ABCD"))
    result = suppress_table(table)
    assert not result.primary.to_numpy().any()
    assert not result.values.isna().to_numpy().any()


def test_small_counts_of_other_columns_stay_visible():
    table = pd.DataFrame({DRUGS: [1, 2, 0], CYBER: [4, 1, 3]}, index=list("ABC"))
    result = suppress_table(table)
    pd.testing.assert_frame_equal(result.values.iloc[:3, :2], table.astype(float))


@pytest.mark.parametrize(
    ("sensitive", "expected"),
    [
        (None, [True, False, False]),
        (True, [True, True, True]),
        (False, [False, False, False]),
        ([DRUGS, "not_in_table"], [False, True, False]),
        (CYBER, [False, False, True]),
        (lambda label: label.startswith("c"), [False, False, True]),
    ],
)
def test_which_columns_are_sensitive(sensitive, expected):
    table = _table({"A": [1, 2, 3], "B": [10, 10, 10]})
    primary = suppress_table(table, sensitive=sensitive).primary
    assert primary.loc["A"].tolist() == expected
    assert not primary.loc["B"].any()


def test_without_margins_only_primary_cells_are_hidden():
    table = _table({"A": [2, 10, 7], "B": [0, 4, 12], "C": [8, 3, 9]})
    result = suppress_table(table, margins=False)
    assert result.values.shape == (3, 3)
    assert _hidden(result) == {("A", HT)}
    assert recoverable_cells(result) == []


def test_audit_finds_a_lone_hidden_cell():
    published = _published([[np.nan, 10, 12], [0, 4, 4], [2, 14, 16]])
    assert recoverable_cells(published) == [RecoveredCell("r0", "c0", 2)]


def test_audit_follows_chains_and_hidden_totals():
    """Row 0 gives (0,0) = 3; then column 0 holds (1,0) alone; then row 1's total is solved."""
    published = _published([[np.nan, np.nan, 10], [np.nan, 5, np.nan], [9, 12, 21]])
    assert recoverable_cells(published) == [
        RecoveredCell("r0", "c0", 3),
        RecoveredCell("r0", "c1", 7),
        RecoveredCell("r1", "c0", 6),
        RecoveredCell("r1", "Total", 11),
    ]


def test_audit_sees_a_bridge_that_no_single_line_solves():
    """Two hidden 2x2 blocks joined by (r1, c2): every line holds two unknowns, yet rows r0+r1
    minus columns c0+c1 leaves exactly (r1, c2)."""
    cells = np.array([[1, 2, 5, 5], [3, 4, 6, 5], [5, 5, 7, 8], [5, 5, 9, 1]], dtype=float)
    grid = np.zeros((5, 5))
    grid[:4, :4] = cells
    grid[:4, 4], grid[4, :4], grid[4, 4] = cells.sum(1), cells.sum(0), cells.sum()
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        grid[i, j] = np.nan
    assert recoverable_cells(_published(grid.tolist())) == [RecoveredCell("r1", "c2", 6)]


def test_a_bridge_left_by_the_line_rules_is_closed():
    """With k = 2 only rules 3a and 4 are in play. The 1s form two hidden 2x2 blocks joined by
    (r1, c2): every line holds two or three hidden cells, yet (r1, c2) is a bridge. The smallest
    non-zero cell joining the two sides is (r3, c1) = 3."""
    table = pd.DataFrame(
        [[1, 1, 5, 6], [1, 1, 1, 7], [8, 9, 1, 1], [0, 3, 1, 1]],
        index=["r0", "r1", "r2", "r3"],
        columns=["c0", "c1", "c2", "c3"],
    )
    result = suppress_table(table, k=2, sensitive=True)
    assert int(result.primary.to_numpy().sum()) == 9
    stacked = result.secondary.stack()
    assert list(stacked[stacked].index) == [("r3", "c1")]
    assert recoverable_cells(result) == []
    without_complement = result.values.copy()
    without_complement.loc["r3", "c1"] = 3.0
    published = SuppressedTable(without_complement, result.primary, result.primary, k=2)
    assert recoverable_cells(published) == [RecoveredCell("r1", "c2", 1)]


# What an attacker can solve, from linear algebra alone: an entry is determined iff dropping its
# column from the system of line equations lowers the rank. Checks the graph-based audit.
def _oracle(grid: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int, int]]:
    n_rows, n_cols = grid.shape
    sign = np.ones(grid.shape)
    sign[-1, :] *= -1
    sign[:, -1] *= -1
    unknown = [tuple(p) for p in np.argwhere(hidden)]
    system = np.zeros((n_rows + n_cols, len(unknown)))
    rhs = np.zeros(n_rows + n_cols)
    for i in range(n_rows):
        for j in range(n_cols):
            if hidden[i, j]:
                system[i, unknown.index((i, j))] = system[n_rows + j, unknown.index((i, j))] = 1
            else:
                rhs[[i, n_rows + j]] -= sign[i, j] * grid[i, j]
    if not unknown:
        return []
    rank = np.linalg.matrix_rank(system)
    solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    return [
        (int(i), int(j), round(solution[e] * sign[i, j]))
        for e, (i, j) in enumerate(unknown)
        if np.linalg.matrix_rank(np.delete(system, e, axis=1)) < rank
    ]


def _grid(counts: np.ndarray) -> np.ndarray:
    grid = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=np.int64)
    grid[:-1, :-1] = counts
    grid[:-1, -1], grid[-1, :-1], grid[-1, -1] = counts.sum(1), counts.sum(0), counts.sum()
    return grid


small_counts = st.one_of(st.integers(0, 4), st.integers(0, 30), st.just(0), st.just(1))


@st.composite
def tables(draw, max_rows=8, max_cols=8, counts=small_counts, max_k=10):
    """A random count table, its sensitive column labels and k."""
    n_rows, n_cols = draw(st.integers(1, max_rows)), draw(st.integers(1, max_cols))
    cells = draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    sensitive = draw(st.lists(st.booleans(), min_size=n_cols, max_size=n_cols))
    table = pd.DataFrame(
        np.array(cells, dtype=np.int64).reshape(n_rows, n_cols),
        index=[f"r{i}" for i in range(n_rows)],
        columns=[f"c{j}" for j in range(n_cols)],
    )
    labels = [c for c, s in zip(table.columns, sensitive, strict=True) if s]
    return table, labels, draw(st.integers(2, max_k))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_audit_agrees_with_linear_algebra(data):
    """Random hidden entries, zeros included, in random tables with totals."""
    table, _, _ = data.draw(tables())
    grid = _grid(table.to_numpy())
    hidden = np.array(data.draw(st.lists(st.booleans(), min_size=grid.size, max_size=grid.size)))
    hidden = hidden.reshape(grid.shape)
    published = _published(np.where(hidden, np.nan, grid).tolist())
    index, columns = published.values.index, published.values.columns
    audit = [
        (index.get_loc(c.row), columns.get_loc(c.column), c.value)
        for c in recoverable_cells(published)
    ]
    assert audit == _oracle(grid, hidden)
    assert all(grid[i, j] == value for i, j, value in audit)


def _line_rules_broken(grid: np.ndarray, hidden: np.ndarray, primary: np.ndarray, k: int):
    """Lines of the grid (totals last) that break rule 3 of the module docstring."""
    lines = [(hidden[i], grid[i], primary[i]) for i in range(grid.shape[0])]
    lines += [(hidden[:, j], grid[:, j], primary[:, j]) for j in range(grid.shape[1])]
    broken = []
    for number, (hid, val, pri) in enumerate(lines):
        if hid.sum() == 1:
            broken.append((number, "alone"))
        if hid.any() and not hid[-1]:
            n, s = hid[:-1].sum(), val[:-1][hid[:-1]].sum()
            if s - (n - 1) < k - 1:
                broken.append((number, "capped"))
            if pri[:-1][hid[:-1]].all() and s - (n - 1) * (k - 1) > 1:
                broken.append((number, "lifted"))
    return broken


@settings(max_examples=100, deadline=None)
@given(tables())
@pytest.mark.slow
def test_suppression_leaves_nothing_to_recover(drawn):
    table, labels, k = drawn
    before = table.copy()
    result = suppress_table(table, k=k, sensitive=labels)

    pd.testing.assert_frame_equal(table, before)
    assert recoverable_cells(result) == []
    assert interval_audit(result) == []
    counts = table.to_numpy()
    expected_primary = (counts >= 1) & (counts < k) & table.columns.isin(labels)[np.newaxis, :]
    assert (result.primary.to_numpy() == expected_primary).all()
    hidden = result.values.isna().to_numpy()
    assert hidden[:-1, :-1][expected_primary].all()
    assert not (result.primary.to_numpy() & result.secondary.to_numpy()).any()
    assert (hidden[:-1, :-1] == (result.primary | result.secondary).to_numpy()).all()
    grid = _grid(counts)
    assert (grid[hidden] > 0).all()  # zeros are never hidden
    assert (result.values.to_numpy()[~hidden] == grid[~hidden]).all()
    primary = np.zeros(grid.shape, dtype=bool)
    primary[:-1, :-1] = expected_primary
    assert _line_rules_broken(grid, hidden, primary, k) == []
    again = suppress_table(table, k=k, sensitive=labels)
    pd.testing.assert_frame_equal(again.values, result.values)
    pd.testing.assert_frame_equal(again.display(), result.display())


def test_rule_checker_sees_a_lone_primary():
    """The property test's checker is not vacuous."""
    grid = _grid(np.array([[2, 10], [0, 4]]))
    hidden = np.zeros(grid.shape, dtype=bool)
    hidden[0, 0] = True
    assert _line_rules_broken(grid, hidden, hidden, 5) == [
        (0, "alone"),
        (0, "capped"),
        (0, "lifted"),
        (3, "alone"),
        (3, "capped"),
        (3, "lifted"),
    ]


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([[1, -1]], "row 'A', column 'drug_trafficking': counts must not be negative. Got -1."),
        ([[1.5, 2]], "row 'A', column 'human_trafficking': counts must be whole numbers. Got 1.5."),
        ([[1, np.nan]], "row 'A', column 'drug_trafficking': counts must not be missing. Got nan."),
    ],
)
def test_bad_counts_name_row_column_and_value(counts, message):
    table = pd.DataFrame(counts, index=["A"], columns=[HT, DRUGS])
    with pytest.raises(ValueError, match=re.escape(message)):
        suppress_table(table)


def test_the_first_bad_count_in_reading_order_is_named():
    table = pd.DataFrame({HT: [1, -2], DRUGS: [3.5, 1]}, index=["A", "B"])
    message = "row 'A', column 'drug_trafficking': counts must be whole numbers. Got 3.5."
    with pytest.raises(ValueError, match=re.escape(message)):
        suppress_table(table)


def test_text_counts_are_refused():
    table = pd.DataFrame({HT: ["1"]}, index=["A"])
    message = "column 'human_trafficking': counts must be numbers. Got dtype 'str'."
    with pytest.raises(ValueError, match=re.escape(message)):
        suppress_table(table)


@pytest.mark.parametrize("k", [1, 0, -5, 2.5, True])
def test_k_must_be_an_integer_of_at_least_two(k):
    table = _table({"A": [1, 2, 3]})
    with pytest.raises(
        ValueError, match=re.escape(f"`k` must be an integer of at least 2. Got {k!r}.")
    ):
        suppress_table(table, k=k)


def test_a_table_that_already_has_totals_is_refused():
    table = _table({"A": [1, 2, 3], "Total": [1, 2, 3]})
    message = "`table` must not have a 'Total' row or column"
    with pytest.raises(ValueError, match=re.escape(message)):
        suppress_table(table)


# Chained bounds: the linear programming audit, checked against brute force on tiny tables.


def _completions(published: np.ndarray, primary: np.ndarray, k: int, cap: int):
    """Every whole-number completion of a published grid (NaN = hidden, totals last): hidden
    cells at least 1, primary ones at most k - 1, other hidden cells at most ``cap`` (enough for
    tiny tables), totals the sums. Independent of the module: plain enumeration with pruning."""
    cells = published[:-1, :-1]
    unknown = [tuple(p) for p in np.argwhere(np.isnan(cells))]
    visible = np.where(np.isnan(cells), 0, cells)
    row_left = published[:-1, -1] - visible.sum(axis=1)  # NaN where the total is hidden
    col_left = published[-1, :-1] - visible.sum(axis=0)
    grand_left = published[-1, -1] - visible.sum()

    def extend(depth: int, assignment: list[int]):
        if depth == len(unknown):
            grid = np.zeros(published.shape)
            grid[:-1, :-1] = visible
            for (i, j), value in zip(unknown, assignment, strict=True):
                grid[i, j] = value
            grid[:-1, -1], grid[-1, :-1] = grid[:-1, :-1].sum(1), grid[:-1, :-1].sum(0)
            grid[-1, -1] = grid[:-1, :-1].sum()
            shown = ~np.isnan(published)
            if (grid[shown] == published[shown]).all() and (grid[~shown] >= 1).all():
                yield grid
            return
        i, j = unknown[depth]
        upper = k - 1 if primary[i, j] else cap
        for left, line in (
            (row_left[i], [p for p in unknown if p[0] == i]),
            (col_left[j], [p for p in unknown if p[1] == j]),
        ):
            if np.isnan(left):
                continue
            done = sum(v for p, v in zip(unknown[:depth], assignment, strict=True) if p in line)
            rest = [p for p in line if p not in unknown[: depth + 1]]
            upper = min(upper, int(left) - done - len(rest))
        if not np.isnan(grand_left):  # the grand total caps all hidden cells together
            upper = min(upper, int(grand_left) - sum(assignment) - (len(unknown) - depth - 1))
        for value in range(1, upper + 1):
            yield from extend(depth + 1, [*assignment, value])

    yield from extend(0, [])


def _ranges(result: SuppressedTable, cap: int) -> dict[tuple[int, int], set[int]]:
    """The values each primary cell takes over all completions (the search stops once every
    primary cell has shown every value of 1 .. k - 1)."""
    primary = result.primary.to_numpy()
    seen = {(int(i), int(j)): set() for i, j in np.argwhere(primary)}
    full = set(range(1, result.k))
    for grid in _completions(result.values.to_numpy(dtype=float), primary, result.k, cap):
        for i, j in seen:
            seen[i, j].add(int(grid[i, j]))
        if all(values == full for values in seen.values()):
            break
    return seen


def _chained_example() -> pd.DataFrame:
    return pd.DataFrame([[1, 26], [4, 4]], index=["r0", "r1"], columns=["c0", "c1"])


def test_audit_sees_bounds_chained_across_lines():
    """Rows [1, 26] and [4, 4], column c1 sensitive: with the four cells hidden and the totals
    shown (what rules 3 and 4 alone publish), column c0 leaves 5, so its 4 is at most 4, and row
    r1 leaves 8 with the "<5" cell at most 4: both are 4."""
    grid = _grid(_chained_example().to_numpy()).astype(float)
    grid[:2, :2] = np.nan
    published = _published(grid.tolist())
    primary = pd.DataFrame(
        [[False, False], [False, True]], index=["r0", "r1"], columns=["c0", "c1"]
    )
    published = SuppressedTable(published.values, primary, ~primary, k=5)
    [narrowed] = interval_audit(published)
    assert (narrowed.row, narrowed.column) == ("r1", "c1")
    assert narrowed.low == pytest.approx(4) and narrowed.high == pytest.approx(4)
    assert isinstance(narrowed, NarrowedCell)
    assert recoverable_cells(published) == []  # no linear combination gives it away exactly
    assert _ranges(published, cap=35) == {(1, 1): {4}}


def test_chained_bounds_are_widened():
    """The audit widens the "<5" cell by hiding a total of its lines (all its cells are hidden):
    the smaller, 8 (row r1); the totals column then needs a second hidden entry."""
    result = suppress_table(_chained_example(), sensitive=["c1"])
    assert interval_audit(result) == []
    assert recoverable_cells(result) == []
    assert result.display().loc["Total"].tolist() == [5, 30, 35]
    assert result.display()["Total"].tolist() == ["c", "c", 35]
    assert _ranges(result, cap=35) == {(1, 1): {1, 2, 3, 4}}


def test_audit_reports_a_visible_primary_cell():
    published = _published([[3, 10, 13], [5, 4, 9], [8, 14, 22]])
    primary = pd.DataFrame(
        [[True, False], [False, False]], index=["r0", "r1"], columns=["c0", "c1"]
    )
    published = SuppressedTable(published.values, primary, ~primary, k=5)
    assert interval_audit(published) == [NarrowedCell("r0", "c0", 3.0, 3.0)]


def test_without_margins_nothing_is_narrowed():
    result = suppress_table(_chained_example(), sensitive=["c1"], margins=False)
    assert interval_audit(result) == []


@settings(max_examples=25, deadline=None)
@given(tables(max_rows=2, max_cols=3, counts=st.integers(0, 5), max_k=5))
def test_every_primary_cell_can_take_every_value_below_k(drawn):
    """Brute force over whole-number completions: each "<k" cell can be any of 1 .. k - 1."""
    table, labels, k = drawn
    result = suppress_table(table, k=k, sensitive=labels)
    assert interval_audit(result) == []
    ranges = _ranges(result, cap=int(table.to_numpy().sum()) + k)
    assert all(values == set(range(1, k)) for values in ranges.values())


# -- no data is not zero ------------------------------------------------------------------------


def test_unreported_cells_are_no_data_outside_every_total_and_never_small():
    table = _table({"A": [2, 10, 7], "B": [np.nan, 4, 12], "C": [8, 3, 9]})
    unreported = table.isna()
    result = suppress_table(table, no_data=unreported)
    shown = result.display()
    assert shown.loc["B", HT] == "no data"
    assert shown.loc["Total", HT] == 10  # 2 + 8: B's cell takes no part
    assert shown.loc["C", HT] == "c"
    assert not result.primary.loc["B", HT] and not result.secondary.loc["B", HT]
    assert recoverable_cells(result) == [] and interval_audit(result) == []
    # An unreported 3 is not a small count: its value is ignored, whatever it is.
    masked = suppress_table(table.fillna(3), no_data=unreported)
    assert masked.display().equals(shown)


def test_a_line_of_nothing_but_no_data_has_a_no_data_total():
    table = _table({"A": [6, 10, 7], "B": [np.nan, np.nan, np.nan]})
    shown = suppress_table(table, no_data=table.isna()).display()
    assert shown.loc["B"].tolist() == ["no data"] * 4
    assert shown.loc["Total"].tolist() == [6, 10, 7, 23]


def test_the_audit_never_counts_a_no_data_cell_as_protection():
    """Row r0 holds a hidden 2 beside "no data": the row total 12 minus the visible 10 is the
    2, whatever "no data" stands for, since totals add up reported cells only."""
    values = [[np.nan, np.nan, 10, 12], [5, 6, 7, 18], [np.nan, 6, 17, 30]]
    table = _published(values)
    no_data = pd.DataFrame(False, index=table.values.index, columns=table.values.columns)
    no_data.iloc[0, 1] = True
    primary = table.primary.copy()
    primary.iloc[0, 0] = True
    audited = SuppressedTable(table.values, primary, table.secondary, k=5, no_data=no_data)
    assert recoverable_cells(audited) == [
        RecoveredCell("r0", "c0", 2),
        RecoveredCell("Total", "c0", 7),
    ]
    assert interval_audit(audited) == [NarrowedCell("r0", "c0", 2.0, 2.0)]


def test_no_data_must_match_the_table():
    table = _table({"A": [2, 10, 7]})
    with pytest.raises(ValueError) as caught:
        suppress_table(table, no_data=pd.DataFrame({HT: [False]}, index=["B"]))
    assert str(caught.value) == (
        "`no_data` must have the rows and columns of `table`, in that order."
    )
