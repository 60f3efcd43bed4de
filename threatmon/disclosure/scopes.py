"""One count table published to readers of different country scopes, consistent across them.

Readers with different country scopes get different rows of the same table: the committee
sees every country, a Moldova and Ukraine account those two. Were each scope's table
suppressed on its own, the tables would hide different cells and add up different totals,
and two of them together could give away what each protects: all countries show Ukraine's
200 (its complements are elsewhere), Moldova and Ukraine show Moldova "<5", Ukraine "c" and
their total 203, so Moldova is 3.

So one pattern is computed, over the whole table (every country), by
:func:`~threatmon.disclosure.suppression.suppress_table`, and every scope's table is cut
from it (:func:`scope_tables`):

* its cells and their row totals (a country's total over the columns, whatever the scope)
  are those rows of the whole table, hidden or shown as there;
* its own totals (the sums over its countries of each column, and its grand total) are
  shown only when the whole table already determines them: when they are a linear
  combination of what it publishes (its visible totals, less its visible cells). Otherwise
  they are hidden ("c"). A scope that holds all of a column's hidden cells, or none of
  them, shows its total of that column; one that splits them does not (Moldova and Ukraine
  above: their total would separate Moldova's "<5" from the complement elsewhere).

What any number of scopes' tables publish together is then a part of what the whole table
publishes, which rules 1-5 of :mod:`~threatmon.disclosure.suppression` protect: no
combination of scopes, defined or not, recovers a hidden entry or narrows a "<k" cell beyond
what the whole table alone does (nothing). No accounts need to be known, and adding one
changes no published table. :func:`joint_audit` checks this over what is actually shown.

"No data" cells stay unknown: they take no part in any total of any scope, so no scope's
total rests on them, and they are never hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from threatmon.coverage import NO_DATA
from threatmon.disclosure.suppression import (
    DEFAULT_K,
    SECONDARY_MARKER,
    TOTAL,
    NarrowedCell,
    Sensitivity,
    SuppressedTable,
    suppress_table,
)

Scope = Sequence[Hashable] | None
_CONTRADICT = "the published tables have no completion together: they contradict."


def scope_tables(
    table: pd.DataFrame,
    scopes: Iterable[Scope],
    *,
    k: int = DEFAULT_K,
    sensitive: Sensitivity = None,
    margins: bool = True,
    no_data: pd.DataFrame | None = None,
) -> list[SuppressedTable]:
    """Each scope's rows of one suppression pattern over the whole ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        Every row any reader may be given (e.g. every project country), as for
        :func:`~threatmon.disclosure.suppression.suppress_table`. Not modified.
    scopes : iterable of sequences of row labels, or None
        The readers' rows; None or empty for all of them. Rows keep the order of ``table``.
    k, sensitive, margins, no_data
        As for :func:`~threatmon.disclosure.suppression.suppress_table`.

    Returns
    -------
    list of SuppressedTable
        One per scope, in order: its rows of the whole table's pattern, and its own totals
        (shown only where the whole table determines them, see the module docstring).

    Raises
    ------
    ValueError
        As :func:`~threatmon.disclosure.suppression.suppress_table`, or if a scope names a
        row ``table`` does not have.
    """
    whole = suppress_table(table, k=k, sensitive=sensitive, margins=margins, no_data=no_data)
    cut = _Cutter(whole, table)
    return [cut(scope) for scope in scopes]


class _Cutter:
    """Cuts scopes out of one suppressed table: what it publishes is worked out once."""

    def __init__(self, whole: SuppressedTable, table: pd.DataFrame) -> None:
        self.whole = whole
        n_rows, n_cols = table.shape
        blank = whole.unreported()
        self.unreported = blank[:n_rows, :n_cols]
        self.counts = np.where(self.unreported, 0, table.to_numpy(dtype=float, na_value=0.0))
        values = whole.values.to_numpy(dtype=float)
        self.unknown = np.isnan(values[:n_rows, :n_cols]) & ~self.unreported
        self.labels = table.index
        if not whole.margins:
            return
        # What the whole table publishes about its hidden cells: each visible total is the
        # sum of its line's hidden cells plus visible ones.
        shown = ~np.isnan(values) & ~blank
        every_row, every_col = np.ones(n_rows, dtype=bool), np.ones(n_cols, dtype=bool)
        lines = [(np.arange(n_rows) == i, every_col) for i in range(n_rows) if shown[i, -1]]
        lines += [(every_row, np.arange(n_cols) == j) for j in range(n_cols) if shown[-1, j]]
        if shown[-1, -1]:
            lines.append((every_row, every_col))
        self.equations = np.array([self._over(*line) for line in lines]).reshape(
            len(lines), int(self.unknown.sum())
        )
        self.rank = np.linalg.matrix_rank(self.equations) if len(lines) else 0

    def _over(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """A line's hidden cells as a 0/1 vector over all hidden cells (row-major)."""
        return (rows[:, np.newaxis] & cols[np.newaxis, :])[self.unknown].astype(float)

    def _determined(self, rows: np.ndarray, cols: np.ndarray) -> bool:
        """Whether the whole table already publishes the sum of these cells."""
        vector = self._over(rows, cols)
        if not vector.any():
            return True
        if not len(self.equations):
            return False
        return np.linalg.matrix_rank(np.vstack([self.equations, vector])) == self.rank

    def __call__(self, scope: Scope) -> SuppressedTable:
        whole = self.whole
        if scope is None or len(scope) == 0:
            return whole
        wanted = set(scope)
        missing = [label for label in scope if label not in set(self.labels)]
        if missing:
            raise ValueError(f"scope: no row {missing[0]!r} in the table.")
        keep = np.array([label in wanted for label in self.labels])
        primary, secondary = whole.primary[keep], whole.secondary[keep]
        if not whole.margins:
            no_data = None if whole.no_data is None else whole.no_data[keep]
            return SuppressedTable(whole.values[keep], primary, secondary, whole.k, False, no_data)
        n_cols = self.counts.shape[1]
        every_col = np.ones(n_cols, dtype=bool)
        rows = np.append(keep, True)  # its rows of the whole table, then its own totals
        values = whole.values.to_numpy(dtype=float)[rows].copy()
        blank = whole.unreported()[rows].copy()
        sums = np.append(self.counts[keep].sum(axis=0), self.counts[keep].sum())
        shown = [self._determined(keep, np.arange(n_cols) == j) for j in range(n_cols)]
        shown.append(self._determined(keep, every_col))
        values[-1] = np.where(shown, sums, np.nan)
        blank[-1, :-1] = self.unreported[keep].all(axis=0)
        blank[-1, -1] = self.unreported[keep].all()
        values[blank] = np.nan
        index = self.labels[keep].append(pd.Index([TOTAL]))
        return SuppressedTable(
            values=pd.DataFrame(values, index=index, columns=whole.values.columns),
            primary=primary,
            secondary=secondary,
            k=whole.k,
            margins=True,
            no_data=(
                pd.DataFrame(blank, index=index, columns=whole.values.columns)
                if blank.any()
                else None
            ),
        )


def joint_audit(
    shown: Iterable[pd.DataFrame], k: int = DEFAULT_K, *, tolerance: float = 1e-6
) -> list[NarrowedCell]:
    """ "<k" cells that several published tables, read together, confine to less than "<k" says.

    The tables are what readers see (:meth:`SuppressedTable.display` frames): whole numbers,
    ``"<k"``, ``"c"`` or "no data", with a ``"Total"`` row and column, or neither. A cell is
    the same unknown wherever its row and column labels meet; every visible total is the
    sum of its line's cells (its table's cells: a scope's total covers its rows only) that are
    not "no data". Hidden cells are at least 1, "<k" cells at most k - 1, and a cell shown
    anywhere is known. Each "<k" cell is minimised and maximised over all of that (HiGHS); one
    is reported when it cannot reach 1 or k - 1, or is shown as a number in another table.

    Parameters
    ----------
    shown : iterable of pandas.DataFrame
        The published tables (e.g. the tables of every scope of a deployment, or two readers').
    k : int
        The threshold the tables were published for.
    tolerance : float
        How far a bound may fall short before the cell counts as narrowed.

    Returns
    -------
    list of NarrowedCell
        Sorted by row and column label (as strings); empty when every "<k" cell keeps its
        range.

    Raises
    ------
    ValueError
        If the tables have no completion together (they contradict each other).
    """
    small, hidden_marks = f"<{k}", {f"<{k}", SECONDARY_MARKER}
    known: dict[tuple, float] = {}
    unknown: set[tuple] = set()
    primary: set[tuple] = set()
    lines: list[tuple[list[tuple], float]] = []
    for frame in shown:
        margins = TOTAL in frame.index and TOTAL in frame.columns
        rows = [r for r in frame.index if not (margins and r == TOTAL)]
        cols = [c for c in frame.columns if not (margins and c == TOTAL)]
        reported = {}
        for r in rows:
            for c in cols:
                entry = frame.at[r, c]
                if isinstance(entry, str) and entry == NO_DATA:
                    continue
                reported[(r, c)] = True
                if isinstance(entry, str) and entry in hidden_marks:
                    unknown.add((r, c))
                    if entry == small:
                        primary.add((r, c))
                elif known.setdefault((r, c), float(entry)) != float(entry):
                    raise ValueError(_CONTRADICT)
        if not margins:
            continue
        members = [(r, None) for r in rows] + [(None, c) for c in cols] + [(None, None)]
        for r, c in members:
            entry = frame.at[TOTAL if r is None else r, TOTAL if c is None else c]
            if isinstance(entry, str):
                continue
            cells = [p for p in reported if (r is None or p[0] == r) and (c is None or p[1] == c)]
            lines.append((cells, float(entry)))
    found = [
        NarrowedCell(r, c, known[(r, c)], known[(r, c)]) for r, c in primary if (r, c) in known
    ]
    free = sorted(unknown - set(known), key=lambda p: (str(p[0]), str(p[1])))
    position = {p: e for e, p in enumerate(free)}
    a_eq = np.zeros((len(lines), len(free)))
    b_eq = np.zeros(len(lines))
    for n, (cells, total) in enumerate(lines):
        b_eq[n] = total - sum(known[p] for p in cells if p in known)
        for p in cells:
            if p in position:
                a_eq[n, position[p]] = 1.0
    bounds = [(1.0, k - 1.0 if p in primary else None) for p in free]
    targets = [p for p in free if p in primary]
    if lines and not free:
        if np.abs(b_eq).max() > tolerance:
            raise ValueError(_CONTRADICT)
    elif lines and not targets:
        _bound(np.zeros(len(free)), a_eq, b_eq, bounds)  # only to see that they agree
    elif lines:
        for p in targets:
            objective = np.zeros(len(free))
            objective[position[p]] = 1.0
            low, high = (
                _bound(sign * objective, a_eq, b_eq, bounds)[position[p]] for sign in (1, -1)
            )
            if low > 1 + tolerance or high < k - 1 - tolerance:
                found.append(NarrowedCell(p[0], p[1], float(low), float(high)))
    return sorted(found, key=lambda n: (str(n.row), str(n.column)))


def _bound(objective, a_eq, b_eq, bounds) -> np.ndarray:
    # Imported here: scipy.optimize takes seconds to import, and every page imports this
    # module (through the disclosure rules) while only a scope check solves anything.
    from scipy.optimize import linprog

    result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if result.status == 2:
        raise ValueError(_CONTRADICT)
    if result.status != 0:
        raise RuntimeError(f"joint audit: linear program failed ({result.message})")
    return result.x
