"""Statistical disclosure control for published count tables: "<k" cells and their complements.

A count of 1-4 child-exploitation cases in a small raion can point at a person. In sensitive
columns such counts are hidden (*primary* suppression). The table is published with its row,
column and grand totals, so further cells are hidden (*secondary* suppression, complements) until
no hidden cell can be worked back out of what is shown.

Model. The totals are one more row and one more column, so what is published is an
(R+1) x (C+1) grid in which every line (row or column) adds up to its last entry. A reader knows
every visible entry, that hidden entries are whole numbers of at least 1 (zeros are never hidden)
and that a primary cell is below k (it is shown as "<k"). Rules, applied greedily, one hidden entry
at a time, until none is broken:

1. Primary: a cell of a sensitive column with ``1 <= count < k``. A zero names nobody.
2. Complements are non-zero cells of any column: a sensitive cell's row total would otherwise give
   it away. Zeros are never hidden: in ``x + 0 = S`` the line still caps ``x`` at its true value,
   and readers may then rely on "hidden means at least 1" (rules 3b and 3c assume it).
3. Every line holding a hidden entry (a cell or its total)

   a. holds at least two: a lone one equals the total minus the visible entries;
   b. if its total is visible, with ``n`` hidden cells summing to ``S``: ``S - (n - 1) >= k - 1``.
      The others being at least 1, the line caps each hidden cell at ``S - (n - 1)``; that cap must
      say no more than "<k". (Two hidden 1s under a total that leaves 2 are both 1.)
   c. if its total is visible and all its hidden cells are primary: ``S - (n - 1)(k - 1) <= 1``.
      The others being at most k - 1, the line must not lift any of them above 1. (Two "<5"
      cells that leave 8 are both 4.)

   A line is mended by hiding one more cell of it: among the non-zero cells large enough to mend
   rule 3b alone, the one whose crossing line already holds a hidden entry (a cell in an untouched
   line would be alone there and need a complement of its own), then the smallest, then the first.
   If no cell is large enough, the largest, and look again. If even all of them cannot mend it,
   the line's total is hidden instead: that drops the line's equation, and the totals row or column
   it sits in is then mended by the same rules (down to the grand total).
4. A hidden entry is recoverable exactly iff it is a bridge of the graph whose nodes are the lines
   and whose edges are the hidden entries (see `recoverable_cells`); rule 3a removes the bridges
   that hang alone in a line, and a remaining bridge is mended by hiding a non-zero entry that
   joins its two sides (cells before totals, then the smallest).
5. No primary cell may be narrowed beyond "<k" by bounds chained across lines. Rules 3b and 3c
   reason one line at a time: with rows ``[1, 26]`` and ``[4, 4]``, the second column sensitive,
   they hide the four cells and show the totals, yet the first column leaves 5, so its hidden 4 is
   at most 4, and the second row leaves 8 with the "<5" cell at most 4: both are 4. Once rules 1-4
   hold, `interval_audit` minimises and maximises every primary cell by linear programming over
   all that is published (as tau-Argus does); for the first cell (row-major) whose range is not
   the whole of ``[1, k - 1]``, the smallest visible non-zero cell of its row or column is hidden
   (one whose crossing line already holds a hidden entry first), else the smaller of its two
   totals, else (its lines all hidden) the smallest visible entry left, cells before totals. Then
   rules 3 to 5 are checked again.

Every step hides one more non-zero entry, and a grid with every non-zero entry hidden breaks no
rule (with every total hidden each cell ranges freely), so the loop ends; the result depends only
on the table, k and the sensitive columns.

No data. A cell nobody reported (a country that sent nothing for a crime type and quarter) is
unknown, not zero: it is published as "no data" (`NO_DATA`), counts in no total, is never a small
cell and never a complement. The totals add up the reported cells only, so the reader knows such a
cell takes no part in any line: the protection of a hidden cell never rests on it (a "no data"
beside a "<k" does not hide the "<k"; were it counted as an unknown of at least 1 it would seem to,
and the "<k" would be recoverable by subtraction). A total whose cells are all "no data" is "no
data" too.

Limits. Greedy, not the cost-minimising search of tau-Argus: it may hide more than needed, and a
step of rule 5 need not widen the cell it was taken for (the audit simply runs again). The audit is
the continuous relaxation, but the line equations are totally unimodular, so its bounds are whole
numbers and every whole value between them is reached by a whole-number completion: "<k" cells
can take every value from 1 to k - 1. It protects primary cells only: complements may be
bounded (they are shown as "c", which promises no range). Every audit costs a few HiGHS solves,
most of the running time on large tables. With k = 2, "<2" beside visible zeros can only mean 1,
so k = 2 hides nothing in effect.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

from threatmon.coverage import NO_DATA
from threatmon.registry.crime_types import sensitive_crime_types

# The registry marks the types whose victims a small count can single out: a trafficked person
# or an exploited child in a raion of a few thousand people. The other types count offences with
# no individual victim (drugs, firearms, CBRNE, money laundering, migrant smuggling, where the
# UN Protocol does not make the migrant a victim) or victims a count does not expose (stolen
# cars, terrorism, whose victims are public anyway).
SENSITIVE_CRIME_TYPES: frozenset[str] = frozenset(sensitive_crime_types())
DEFAULT_K = 5
TOTAL = "Total"
# Eurostat's flag for "confidential": unlike "<k" it says nothing about the size, which would be
# false for a complement of 12 and would tighten the bounds rule 3c protects.
SECONDARY_MARKER = "c"

Sensitivity = bool | Callable[[Hashable], bool] | Iterable[Hashable] | None
Entry = tuple[int, int]
# Line equations x hidden entries up to which the interval audit hands HiGHS a dense matrix.
_DENSE_LIMIT = 20_000


@dataclass(frozen=True, eq=False)
class SuppressedTable:
    """A count table ready to publish.

    Attributes
    ----------
    values : pandas.DataFrame
        Float copy of the table with hidden entries as NaN; with a ``"Total"`` row and column
        when built with ``margins=True`` (a hidden total is NaN too).
    primary : pandas.DataFrame
        Boolean mask over the cells (no totals): counts 1 to k-1 of sensitive columns.
    secondary : pandas.DataFrame
        Boolean mask over the cells: hidden only so that primary cells cannot be recovered.
    k : int
        The threshold the table was protected for.
    margins : bool
        Whether the totals are published (and so part of ``values``).
    no_data : pandas.DataFrame or None
        Boolean mask shaped like ``values``: entries nothing was reported for (NaN in
        ``values`` as well, but neither hidden nor part of any total); None: none.
    """

    values: pd.DataFrame
    primary: pd.DataFrame
    secondary: pd.DataFrame
    k: int = DEFAULT_K
    margins: bool = True
    no_data: pd.DataFrame | None = None

    def unreported(self) -> np.ndarray:
        """The :attr:`no_data` mask as an array shaped like ``values`` (all False if None)."""
        if self.no_data is None:
            return np.zeros(self.values.shape, dtype=bool)
        return self.no_data.to_numpy(dtype=bool)

    def display(
        self, secondary_marker: str = SECONDARY_MARKER, no_data_marker: str = NO_DATA
    ) -> pd.DataFrame:
        """The table as viewers see it.

        Parameters
        ----------
        secondary_marker : str
            Shown for complements and hidden totals.
        no_data_marker : str
            Shown for entries nothing was reported for.

        Returns
        -------
        pandas.DataFrame
            Object frame: visible counts as ``int``, primary cells as ``f"<{k}"``, entries
            not reported as ``no_data_marker``, other hidden entries as ``secondary_marker``.
        """
        shown = np.array(
            [
                [secondary_marker if np.isnan(v) else int(v) for v in row]
                for row in self.values.to_numpy()
            ],
            dtype=object,
        ).reshape(self.values.shape)
        n_rows, n_cols = self.primary.shape
        shown[:n_rows, :n_cols][self.primary.to_numpy(dtype=bool)] = f"<{self.k}"
        shown[self.unreported()] = no_data_marker
        return pd.DataFrame(shown, index=self.values.index, columns=self.values.columns)


@dataclass(frozen=True)
class RecoveredCell:
    """A hidden entry whose value follows from what is published."""

    row: Hashable
    column: Hashable
    value: int


@dataclass(frozen=True)
class NarrowedCell:
    """A primary cell that what is published confines to less than "<k" says.

    ``low`` and ``high`` are the least and greatest values the cell can take over all real
    completions of the published table (the linear programming bounds); "<k" promises 1 and
    k - 1.
    """

    row: Hashable
    column: Hashable
    low: float
    high: float


def suppress_table(
    table: pd.DataFrame,
    *,
    k: int = DEFAULT_K,
    sensitive: Sensitivity = None,
    margins: bool = True,
    no_data: pd.DataFrame | None = None,
) -> SuppressedTable:
    """Hide small sensitive counts and the complements that protect them.

    Parameters
    ----------
    table : pandas.DataFrame
        Non-negative whole counts, rows e.g. regions, columns e.g. crime types or months. Not
        modified.
    k : int
        Counts from 1 to ``k - 1`` of sensitive columns are hidden; at least 2 (but "<2" can
        only mean 1, so 3 or more protects anything).
    sensitive : bool, callable, iterable of labels or None
        Which columns are subject to primary suppression: ``None`` for the labels in
        `SENSITIVE_CRIME_TYPES`, ``True``/``False`` for all/none, a predicate called with each
        column label, or column labels (one string is one label; labels absent from the table
        are ignored, so the whole registry set can be passed to any table).
    margins : bool
        Whether the row, column and grand totals are published (the default, and the safe
        choice when any of them appears anywhere). Without them only primary cells are hidden.
    no_data : pandas.DataFrame, optional
        Boolean mask shaped like ``table``: cells nothing was reported for. Their values are
        ignored (NaN is fine); they are published as "no data", never hidden, never counted in
        a total (see the module docstring). A total all of whose cells are unreported is "no
        data" too.

    Returns
    -------
    SuppressedTable

    Raises
    ------
    ValueError
        If ``k`` is below 2, a count is missing, negative or not whole, or (with margins) a row
        or column is already labelled ``"Total"``.
    """
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 2:
        raise ValueError(f"`k` must be an integer of at least 2. Got {k!r}.")
    k = int(k)
    unreported = _unreported(table, no_data)
    counts = _counts(table.mask(unreported, 0) if unreported.any() else table)
    if margins and (TOTAL in table.index or TOTAL in table.columns):
        raise ValueError(
            f"`table` must not have a {TOTAL!r} row or column: totals are added (and protected) "
            "here. Pass the table without them."
        )
    in_sensitive = _sensitive_columns(table.columns, sensitive)
    primary = (counts >= 1) & (counts < k) & in_sensitive[np.newaxis, :]
    grid = _with_totals(counts)
    hidden = np.zeros(grid.shape, dtype=bool)
    hidden[:-1, :-1] = primary
    if margins:
        hidden = _protect(grid, hidden, k)
    else:
        grid, hidden = grid[:-1, :-1], hidden[:-1, :-1]
    blank = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=bool)
    blank[:-1, :-1] = unreported
    blank[:-1, -1] = unreported.all(axis=1)
    blank[-1, :-1] = unreported.all(axis=0)
    blank[-1, -1] = unreported.all()
    if not margins:
        blank = blank[:-1, :-1]
    values = np.where(hidden | blank, np.nan, grid.astype(float))
    index, columns = table.index, table.columns
    if margins:
        index, columns = index.append(pd.Index([TOTAL])), columns.append(pd.Index([TOTAL]))
    n_rows, n_cols = counts.shape
    return SuppressedTable(
        values=pd.DataFrame(values, index=index, columns=columns),
        primary=pd.DataFrame(primary, index=table.index, columns=table.columns),
        secondary=pd.DataFrame(
            hidden[:n_rows, :n_cols] & ~primary, index=table.index, columns=table.columns
        ),
        k=k,
        margins=margins,
        no_data=pd.DataFrame(blank, index=index, columns=columns) if blank.any() else None,
    )


def _unreported(table: pd.DataFrame, no_data: pd.DataFrame | None) -> np.ndarray:
    """The ``no_data`` mask as a bool array shaped like ``table``, or a ValueError."""
    if no_data is None:
        return np.zeros(table.shape, dtype=bool)
    if not (no_data.index.equals(table.index) and no_data.columns.equals(table.columns)):
        raise ValueError("`no_data` must have the rows and columns of `table`, in that order.")
    return no_data.fillna(False).to_numpy(dtype=bool)


def recoverable_cells(suppressed: SuppressedTable) -> list[RecoveredCell]:
    """Hidden entries (cells or totals) whose exact value follows from what is published.

    Each line's entries, with totals subtracted, add up to zero, so the hidden entries form a
    linear system over the lines. Solving a line with one unknown and repeating finds the
    entries that hang alone; more generally, an entry is determined iff no cycle of hidden
    entries runs through it, i.e. it is a bridge of the graph (lines as nodes, hidden entries as
    edges). Its value is then the sum of the hidden parts of the row lines on one side of the
    bridge minus those of the column lines on that side. Only visible values are used.

    Parameters
    ----------
    suppressed : SuppressedTable
        As returned by `suppress_table` (or built by hand to audit another method).

    Returns
    -------
    list of RecoveredCell
        In row-major order; empty when nothing can be recovered.
    """
    if not suppressed.margins:
        return []  # no totals, no equations
    # An unreported entry takes no part in any total: outside the equations, not an unknown.
    unreported = suppressed.unreported()
    published = np.where(unreported, 0.0, suppressed.values.to_numpy(dtype=float))
    hidden = np.isnan(published)
    sign = _signs(published.shape)
    visible = np.where(hidden, 0.0, published * sign)
    # What each line's hidden entries (signed) add up to: minus its visible ones.
    remainder = np.concatenate([-visible.sum(axis=1), -visible.sum(axis=0)])
    n_rows = published.shape[0]
    adjacency = _adjacency(hidden)
    found = []
    for i, j in _bridges(hidden):
        side = _reach(adjacency, i, without=(i, j))
        signed = sum(remainder[v] if v < n_rows else -remainder[v] for v in side)
        value = int(round(signed * sign[i, j]))
        found.append(RecoveredCell(suppressed.values.index[i], suppressed.values.columns[j], value))
    return found


def interval_audit(suppressed: SuppressedTable) -> list[NarrowedCell]:
    """Primary cells whose feasible range is narrower than the ``[1, k - 1]`` that "<k" says.

    A reader knows the visible entries, that every line adds up to its total, that hidden entries
    are at least 1 and that primary cells are at most k - 1. Over the real numbers these form a
    linear program; each primary cell is minimised and maximised over it (HiGHS), and a cell is
    reported when its minimum exceeds 1 or its maximum falls short of k - 1 (tolerance 1e-6).
    This catches bounds chained across lines, which `recoverable_cells` and rules 3b and 3c do not
    see. A primary cell left visible is reported with its value as both bounds.

    Parameters
    ----------
    suppressed : SuppressedTable
        As returned by `suppress_table` (or built by hand to audit another method).

    Returns
    -------
    list of NarrowedCell
        In row-major order; empty when every primary cell keeps its full range.

    Raises
    ------
    ValueError
        If no completion of the published table exists (the visible entries contradict their
        totals or the bounds).
    """
    unreported = suppressed.unreported()
    published = np.where(unreported, 0.0, suppressed.values.to_numpy(dtype=float))
    hidden = np.isnan(published)
    primary = np.zeros(published.shape, dtype=bool)
    cells = suppressed.primary.to_numpy(dtype=bool)
    primary[: cells.shape[0], : cells.shape[1]] = cells
    index, columns = suppressed.values.index, suppressed.values.columns
    return [
        NarrowedCell(index[i], columns[j], low, high)
        for i, j, low, high in _narrowed(
            np.where(hidden, 0.0, published), hidden, primary, suppressed.k, suppressed.margins
        )
    ]


def _narrowed(
    grid: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    k: int,
    margins: bool = True,
    completed: bool = False,
    first_only: bool = False,
    reached: np.ndarray | None = None,
) -> list[tuple[int, int, float, float]]:
    """``(i, j, low, high)`` of the primary entries narrowed below ``[1, k - 1]`` (row-major).

    ``grid`` holds the published values; with ``margins`` its last row and column are the totals.
    The values of hidden entries are ignored unless ``completed`` says they are a completion (the
    true counts), which then spares the solves for the bounds it already reaches. With
    ``first_only`` the search stops at the first narrowed hidden cell. ``reached`` (two masks
    shaped like ``grid``: entries known to reach 1, and k - 1) is read and updated; hiding more
    entries only widens ranges, so `_protect` carries it from one audit to the next.
    """
    found = [
        (int(i), int(j), float(grid[i, j]), float(grid[i, j]))
        for i, j in np.argwhere(primary & ~hidden)
    ]
    targets = [(int(i), int(j)) for i, j in np.argwhere(primary & hidden)]
    if not targets or not margins or k == 2:
        # Without totals a hidden entry is bounded by nothing but "<k"; "<2" is 1 anyway.
        return sorted(found)
    # Imported here: scipy.optimize takes seconds to import, and every page imports this
    # module while only a table with hidden cells and totals solves anything.
    from scipy import sparse
    from scipy.optimize import linprog

    n_rows, n_cols = grid.shape
    unknown = np.argwhere(hidden)
    column_of = np.full(grid.shape, -1)
    column_of[hidden] = np.arange(len(unknown))
    # Line equations, one per row then one per column: cells add up to the last entry (the
    # total; the grand total is the last entry of both of its lines).
    rows, cols, coefficients = [], [], []
    for e, (i, j) in enumerate(unknown):
        rows += [i, n_rows + j]
        cols += [e, e]
        coefficients += [-1.0 if j == n_cols - 1 else 1.0, -1.0 if i == n_rows - 1 else 1.0]
    visible = np.where(hidden, 0.0, grid)
    row_sign, col_sign = np.ones(grid.shape), np.ones(grid.shape)
    row_sign[:, -1] = -1
    col_sign[-1, :] = -1
    rhs = -np.concatenate([(visible * row_sign).sum(axis=1), (visible * col_sign).sum(axis=0)])
    used = np.unique(rows)
    renumber = np.full(n_rows + n_cols, -1)
    renumber[used] = np.arange(len(used))
    a_eq = sparse.csr_array((coefficients, (renumber[rows], cols)), shape=(len(used), len(unknown)))
    if a_eq.shape[0] * a_eq.shape[1] <= _DENSE_LIMIT:
        a_eq = a_eq.toarray()  # small programs solve faster from a dense matrix
    b_eq = rhs[used]
    upper = np.where(primary[hidden], k - 1.0, np.inf)
    bounds = np.column_stack([np.ones(len(unknown)), upper])
    tolerance = 1e-6
    is_primary = primary[hidden]
    low = grid[hidden].astype(float) if completed else np.full(len(unknown), np.inf)
    high = grid[hidden].astype(float) if completed else np.full(len(unknown), -np.inf)
    if reached is not None:
        low[reached[0][hidden]] = 1.0
        high[reached[1][hidden]] = k - 1.0

    def solve(objective: np.ndarray) -> np.ndarray:
        result = linprog(
            objective,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=bounds,
            method="highs",
            options={"presolve": False},  # these programs are small and already reduced
        )
        if result.status == 2:
            raise ValueError("the published table has no completion: its entries contradict.")
        if result.status != 0:
            raise RuntimeError(f"interval audit: linear program failed ({result.message})")
        # Every solution is a completion: what it reaches, the bounds reach.
        np.minimum(low, result.x, out=low)
        np.maximum(high, result.x, out=high)
        return result.x

    # Each cell is pushed to its bound with the other unsettled primary cells pushed along at a
    # weight small enough not to trade against it (vertices are whole numbers: the line matrix is
    # totally unimodular), so one solve often settles many cells. A cell that stops short of its
    # bound is solved again alone, for its exact bound.
    weight = 1 / (2 * k * int(is_primary.sum()))
    for i, j in targets:
        e = column_of[i, j]
        for direction, side, bound in ((1.0, low, 1.0), (-1.0, high, k - 1.0)):
            if abs(side[e] - bound) <= tolerance:
                continue
            objective = np.where(is_primary & (np.abs(side - bound) > tolerance), weight, 0.0)
            objective[e] = 1.0
            solve(direction * objective)
            if abs(side[e] - bound) > tolerance:
                objective[:] = 0.0
                objective[e] = 1.0
                side[e] = solve(direction * objective)[e]
        if low[e] > 1 + tolerance or high[e] < k - 1 - tolerance:
            found.append((i, j, float(low[e]), float(high[e])))
            if first_only:
                break
    if reached is not None:
        reached[0][hidden] |= is_primary & (low <= 1 + tolerance)
        reached[1][hidden] |= is_primary & (high >= k - 1 - tolerance)
    return sorted(found)


def _counts(table: pd.DataFrame) -> np.ndarray:
    """The counts as an int array, or ValueError naming the first bad cell in reading order."""
    for column, dtype in table.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise ValueError(
                f"column {column!r}: counts must be numbers. Got dtype {str(dtype)!r}."
            )
    values = table.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        checks = (
            (np.isnan(values), "counts must not be missing."),
            (values < 0, "counts must not be negative."),
            (~np.isfinite(values) | (values % 1 != 0), "counts must be whole numbers."),
        )
    bad = np.logical_or.reduce([mask for mask, _ in checks])
    if bad.any():
        i, j = np.argwhere(bad)[0]
        reason = next(reason for mask, reason in checks if mask[i, j])
        value = table.iat[i, j]
        value = value.item() if isinstance(value, np.generic) else value
        raise ValueError(
            f"row {table.index[i]!r}, column {table.columns[j]!r}: {reason} Got {value!r}."
        )
    return values.astype(np.int64)


def _sensitive_columns(columns: pd.Index, sensitive: Sensitivity) -> np.ndarray:
    if sensitive is None:
        sensitive = SENSITIVE_CRIME_TYPES
    if isinstance(sensitive, bool | np.bool_):
        return np.full(len(columns), bool(sensitive))
    if callable(sensitive):
        return np.array([bool(sensitive(c)) for c in columns], dtype=bool)
    labels = {sensitive} if isinstance(sensitive, str) else set(sensitive)
    return np.array([c in labels for c in columns], dtype=bool)


def _with_totals(counts: np.ndarray) -> np.ndarray:
    grid = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=np.int64)
    grid[:-1, :-1] = counts
    grid[:-1, -1] = counts.sum(axis=1)
    grid[-1, :-1] = counts.sum(axis=0)
    grid[-1, -1] = counts.sum()
    return grid


def _signs(shape: tuple[int, int]) -> np.ndarray:
    # Totals enter their lines with -1 so that every line sums to zero; the grand total is a
    # total in both of its lines, hence +1.
    sign = np.ones(shape)
    sign[-1, :] *= -1
    sign[:, -1] *= -1
    return sign


def _protect(grid: np.ndarray, primary: np.ndarray, k: int) -> np.ndarray:
    """Hide entries one at a time (rules 3 to 5 of the module docstring) until none is needed."""
    hidden = primary.copy()
    n_rows, n_cols = grid.shape
    reached = np.zeros((2, *grid.shape), dtype=bool)  # primary cells proven to reach 1, k - 1
    lines = [(True, [(i, j) for j in range(n_cols)]) for i in range(n_rows)]
    lines += [(False, [(i, j) for i in range(n_rows)]) for j in range(n_cols)]
    while True:
        for is_row, line in lines:
            step = _mend_line(grid, hidden, primary, k, is_row, line)
            if step is not None:
                break
        else:
            # Lines first: they are cheap and mend most bridges on the way.
            bridges = _bridges(hidden)
            if bridges:
                step = _mend_bridge(grid, hidden, bridges[0])
            else:
                # Last, as it is the dearest: bounds chained across lines (rule 5).
                narrowed = _narrowed(
                    grid, hidden, primary, k, completed=True, first_only=True, reached=reached
                )
                if not narrowed:
                    return hidden
                step = _widen(grid, hidden, narrowed[0][:2])
        hidden[step] = True


def _widen(grid: np.ndarray, hidden: np.ndarray, cell: Entry) -> Entry:
    """The entry to hide next for a narrowed primary ``cell`` (rule 5 of the module docstring)."""
    i, j = cell
    last_row, last_col = grid.shape[0] - 1, grid.shape[1] - 1
    free = ~hidden & (grid > 0)
    crossing_rows, crossing_cols = hidden.any(axis=1), hidden.any(axis=0)
    # Cells of its row (crossing line: their column) and of its column (crossing line: their row).
    in_lines = [((i, c), crossing_cols[c]) for c in range(last_col) if free[i, c]]
    in_lines += [((r, j), crossing_rows[r]) for r in range(last_row) if free[r, j]]
    if in_lines:
        return min(in_lines, key=lambda pc: (not pc[1], grid[pc[0]], pc[0]))[0]
    totals = [p for p in ((i, last_col), (last_row, j)) if free[p]]
    if totals:
        return min(totals, key=lambda p: (grid[p], p))
    # Its lines are all hidden: the bound comes from further away, so hide the smallest entry
    # left, cells before totals. With every non-zero entry hidden no cell is narrowed.
    rest = [(int(r), int(c)) for r, c in np.argwhere(free)]
    return min(rest, key=lambda p: (p[0] == last_row or p[1] == last_col, grid[p], p))


def _mend_line(
    grid: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    k: int,
    is_row: bool,
    line: list[Entry],
) -> Entry | None:
    """The entry to hide next so that ``line`` obeys rule 3, or None if it does."""
    *cells, total = line
    hidden_cells = [p for p in cells if hidden[p]]
    if not hidden_cells and not hidden[total]:
        return None
    least = 1  # the smallest single complement that mends the line
    if hidden[total]:
        if hidden_cells:
            return None
    else:
        n, s = len(hidden_cells), int(sum(grid[p] for p in hidden_cells))
        slack = s - (n - 1) - (k - 1)
        lifted = all(primary[p] for p in hidden_cells) and s - (n - 1) * (k - 1) > 1
        if n >= 2 and slack >= 0 and not lifted:
            return None
        least = max(1, 1 - slack)
    candidates = [p for p in cells if not hidden[p] and grid[p] > 0]
    # A complement of value c raises the slack by c - 1, so cells of 1 never mend rule 3b.
    if not candidates or sum(int(grid[p]) - 1 for p in candidates) < least - 1:
        # Never None in practice: a hidden total is at least 1, so its line has a non-zero cell.
        return None if hidden[total] else total
    crossing = hidden.any(axis=0) if is_row else hidden.any(axis=1)
    enough = [p for p in candidates if grid[p] >= least]
    if enough:
        return min(enough, key=lambda p: (not crossing[p[1] if is_row else p[0]], grid[p], p))
    return max(candidates, key=lambda p: grid[p])


def _mend_bridge(grid: np.ndarray, hidden: np.ndarray, bridge: Entry) -> Entry:
    """A non-zero entry that closes a cycle through ``bridge`` (or at least touches its sides)."""
    n_rows = grid.shape[0]
    adjacency = _adjacency(hidden)
    side_a = _reach(adjacency, bridge[0], without=bridge)
    side_b = _reach(adjacency, n_rows + bridge[1], without=bridge)
    free = [(int(i), int(j)) for i, j in np.argwhere(~hidden & (grid > 0))]

    def joins(p: Entry) -> bool:
        row, col = p[0], n_rows + p[1]
        return (row in side_a and col in side_b) or (row in side_b and col in side_a)

    def touches(p: Entry) -> bool:
        return bool({p[0], n_rows + p[1]} & (side_a | side_b))

    last_row, last_col = n_rows - 1, grid.shape[1] - 1
    for wanted in (joins, touches):
        candidates = [p for p in free if wanted(p)]
        if candidates:
            return min(candidates, key=lambda p: (p[0] == last_row or p[1] == last_col, grid[p], p))
    # Unreachable: with every non-zero entry around a bridge hidden, it lies on a cycle.
    raise RuntimeError(f"no entry can protect hidden entry {bridge}")


def _adjacency(hidden: np.ndarray) -> list[list[tuple[int, Entry]]]:
    """Lines as nodes (rows 0..R, then columns), hidden entries as edges."""
    n_rows = hidden.shape[0]
    adjacency: list[list[tuple[int, Entry]]] = [[] for _ in range(sum(hidden.shape))]
    for i, j in np.argwhere(hidden):
        edge = (int(i), int(j))
        adjacency[edge[0]].append((n_rows + edge[1], edge))
        adjacency[n_rows + edge[1]].append((edge[0], edge))
    return adjacency


def _reach(adjacency: list[list[tuple[int, Entry]]], start: int, without: Entry) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        for node, edge in adjacency[todo.pop()]:
            if edge != without and node not in seen:
                seen.add(node)
                todo.append(node)
    return seen


def _bridges(hidden: np.ndarray) -> list[Entry]:
    """Hidden entries on no cycle, sorted (Tarjan's bridge search, iterative)."""
    adjacency = _adjacency(hidden)
    order = [-1] * len(adjacency)
    low = [0] * len(adjacency)
    found: list[Entry] = []
    counter = 0
    for root in range(len(adjacency)):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            for nxt, edge in neighbours:
                if edge == via:
                    continue
                if order[nxt] == -1:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, edge, iter(adjacency[nxt])))
                    break
                low[node] = min(low[node], order[nxt])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
    return sorted(found)
