"""The linear relaxation over a working set of columns (grown by pricing), its Lagrangian bound over
all columns, and integer solves of components with HiGHS."""

from __future__ import annotations

import time
from typing import Any

import highspy
import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from .arrays import FloatArray, IntArray
from .model import Columns, Rows

INF = highspy.kHighsInf
# subgradient steps end when the step has halved this far (four times without a better bound for three
# steps): the bound then moves by little more than the time it takes
SUBGRADIENT_SMALLEST_STEP = 1 / 16


class _Deadline:
    """Stops HiGHS at a perf_counter deadline from its interrupt callbacks (simplex, interior point
    and branch and bound). HiGHS's own time limit is checked between larger steps and was seen to
    run over by seconds on a busy machine; the callbacks come often and cost little."""

    def __init__(self) -> None:
        self.at = float("inf")

    def __call__(self, event: Any) -> None:
        if time.perf_counter() > self.at:
            event.interrupt()


def _highs(time_limit: float, threads: int = 1) -> Any:
    """A quiet HiGHS instance that stops after `time_limit` seconds (see set_deadline)."""
    solver: Any = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", threads)
    deadline = _Deadline()
    solver.cbSimplexInterrupt += deadline
    solver.cbIpmInterrupt += deadline
    solver.cbMipInterrupt += deadline
    solver.resettle_deadline = deadline
    set_deadline(solver, time_limit)
    return solver


def set_deadline(solver: Any, time_limit: float) -> None:
    """Both HiGHS's own time limit and the interrupt at `time_limit` seconds from now. HiGHS counts
    its limit over every run of one instance (a relaxation re-solved for pricing stopped after 3.7 s
    of a 30.9 s limit, having run 27.5 s before), so the limit is set past the time it has run."""
    time_limit = max(0.05, float(time_limit))
    solver.setOptionValue("time_limit", solver.getRunTime() + time_limit)
    solver.resettle_deadline.at = time.perf_counter() + time_limit


class CutRows:
    """Cut rows over all columns: triplets (cut row, column, coefficient) and right-hand sides."""

    def __init__(self) -> None:
        self.row: IntArray = np.zeros(0, dtype=np.int64)
        self.column: IntArray = np.zeros(0, dtype=np.int64)
        self.coefficient: FloatArray = np.zeros(0)
        self.rhs: FloatArray = np.zeros(0)

    def __len__(self) -> int:
        return len(self.rhs)

    def extend(self, row: ArrayLike, column: IntArray, coefficient: FloatArray, rhs: FloatArray) -> None:
        self.row = np.concatenate([self.row, np.asarray(row, dtype=np.int64) + len(self.rhs)])
        self.column = np.concatenate([self.column, column])
        self.coefficient = np.concatenate([self.coefficient, coefficient])
        self.rhs = np.concatenate([self.rhs, rhs])


def _csc(rows: Rows, cols: Columns, idx: IntArray, cuts: CutRows | None = None) -> csc_matrix:
    row_index, values, position = rows.col_entries(cols, idx)
    n_rows = rows.n_rows
    if cuts is not None and len(cuts):
        column_position = np.full(len(cols), -1, dtype=np.int64)
        column_position[idx] = np.arange(len(idx))
        cut_position = column_position[cuts.column]
        inside = cut_position >= 0
        row_index = np.concatenate([row_index, cuts.row[inside] + rows.n_rows])
        values = np.concatenate([values, cuts.coefficient[inside]])
        position = np.concatenate([position, cut_position[inside]])
        n_rows += len(cuts)
    matrix = coo_matrix((values, (row_index, position)), shape=(n_rows, len(idx))).tocsc()
    matrix.sort_indices()
    return matrix


def _upper(rows: Rows, cuts: CutRows | None) -> FloatArray:
    if cuts is not None and len(cuts):
        return np.concatenate([rows.upper, cuts.rhs])
    return rows.upper


class Relaxation:
    """The LP over a working subset of columns; rows are fixed (all of them)."""

    def __init__(self, rows: Rows, cols: Columns, idx: IntArray, time_limit: float) -> None:
        self.rows, self.cols = rows, cols
        self.idx = np.asarray(idx, dtype=np.int64)
        self.solver = _highs(time_limit)
        # presolve again at every round of pricing costs more than it saves (measured on borough-1000)
        self.solver.setOptionValue("presolve", "off")
        model = highspy.HighsLp()
        model.num_col_ = len(self.idx)
        model.num_row_ = rows.n_rows
        model.sense_ = highspy.ObjSense.kMaximize
        model.col_cost_ = cols.value[self.idx].astype(np.float64)
        model.col_lower_ = np.zeros(len(self.idx))
        model.col_upper_ = np.ones(len(self.idx))
        model.row_lower_ = np.full(rows.n_rows, -INF)
        model.row_upper_ = rows.upper.astype(np.float64)
        matrix = _csc(rows, cols, self.idx)
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        model.a_matrix_.index_ = matrix.indices.astype(np.int32)
        model.a_matrix_.value_ = matrix.data
        self.solver.passModel(model)

    def add(self, new: ArrayLike) -> None:
        added = np.asarray(new, dtype=np.int64)
        matrix = _csc(self.rows, self.cols, added)
        self.solver.addCols(
            len(added),
            self.cols.value[added].astype(np.float64),
            np.zeros(len(added)),
            np.ones(len(added)),
            matrix.nnz,
            matrix.indptr.astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data,
        )
        self.idx = np.concatenate([self.idx, added])

    def drop(self, reduced: FloatArray, shares: FloatArray, keep: int) -> int:
        """Delete columns that are out of the solution with the most negative reduced costs (`reduced`
        over all columns, at the last prices; `shares` the last solution) until `keep` are left, or
        all such columns are gone. A column at 0 with a negative reduced cost is nonbasic, so the
        basis stays valid. Returns how many were deleted."""
        excess = len(self.idx) - keep
        if excess <= 0 or len(shares) != len(self.idx):
            return 0
        inside = reduced[self.idx]
        candidates = np.flatnonzero((shares <= 1e-12) & (inside < -1e-9))
        if len(candidates) > excess:
            candidates = candidates[np.argpartition(inside[candidates], excess - 1)[:excess]]
        if not len(candidates):
            return 0
        candidates = np.sort(candidates)
        self.solver.deleteCols(len(candidates), candidates.astype(np.int32))
        self.idx = np.delete(self.idx, candidates)
        return len(candidates)

    def add_cuts(self, row: IntArray, column: IntArray, coefficient: FloatArray, rhs: FloatArray) -> None:
        """New cut rows; every column is in the working set (positions are column indices)."""
        matrix = coo_matrix((coefficient, (row, column)), shape=(len(rhs), len(self.cols))).tocsr()
        matrix.sort_indices()
        self.solver.addRows(
            len(rhs),
            np.full(len(rhs), -INF),
            np.asarray(rhs, dtype=np.float64),
            matrix.nnz,
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data,
        )

    def set_upper(self, row: IntArray, upper: FloatArray) -> None:
        """New upper bounds of rows (cuts included, numbered after the rows); the basis is kept, so the
        next run starts from it."""
        if len(row):
            self.solver.changeRowsBounds(
                len(row), np.asarray(row, dtype=np.int32), np.full(len(row), -INF), np.asarray(upper, dtype=np.float64)
            )

    def run(self, time_limit: float) -> tuple[bool, FloatArray, FloatArray, float]:
        """(solved to optimality, column values, row duals, objective) within `time_limit` seconds."""
        set_deadline(self.solver, time_limit)
        self.solver.run()
        ok = bool(self.solver.getModelStatus() == highspy.HighsModelStatus.kOptimal)
        solution = self.solver.getSolution()
        shares = np.asarray(solution.col_value, dtype=np.float64)
        duals = np.asarray(solution.row_dual, dtype=np.float64)
        return ok, shares, duals, float(self.solver.getInfo().objective_function_value)


def lagrangian(
    rows: Rows, cols: Columns, prices: FloatArray, cuts: CutRows | None = None
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """For row prices >= 0, prices.b + sum_j max(0, c_j - a_j.prices) bounds the optimum of the
    integer program (and of its relaxation) over every column. Each need's price is first set to its
    columns' largest reduced cost without it (at least 0; a need is met at most once, so one column
    of it counts, not all): the bound becomes prices.b + sum_n max(0, max_{j of n} reduced_j), with
    the need rows' prices out of prices.b, never weaker than with the need prices given, and far
    tighter when the prices come from a relaxation over a few columns per need.
    Returns (bound, reduced costs at the raised prices (all <= 0), the raised prices, reduced costs
    at the prices given (for pricing columns in))."""
    prices = np.maximum(np.nan_to_num(prices), 0.0)
    upper = _upper(rows, cuts)
    extended = np.append(prices[: rows.n_rows], 0.0)  # row -1 (no row) has price 0
    offer_rows, key_rows = rows.column_rows(cols)
    other = cols.units * extended[offer_rows]
    if len(rows.key_row):
        other += cols.charge * extended[key_rows]
    if cuts is not None and len(cuts):
        cut_prices = prices[rows.n_rows :]
        other = other + np.bincount(cuts.column, weights=cuts.coefficient * cut_prices[cuts.row], minlength=len(cols))
    base = cols.value - other  # the reduced cost with the need's price at 0
    reduced = base - extended[rows.need_row[cols.need]]
    raised = prices.copy()
    raised[: int((rows.need_row >= 0).sum())] = 0.0  # need rows come first
    reduced_raised = base
    if len(cols):
        starts = np.flatnonzero(np.r_[True, cols.need[1:] != cols.need[:-1]])
        top = np.maximum(np.maximum.reduceat(base, starts), 0.0)
        raised[rows.need_row[cols.need[starts]]] = top
        reduced_raised = base - np.repeat(top, np.diff(np.r_[starts, len(cols)]))
    bound = float(raised @ upper + np.maximum(reduced_raised, 0.0).sum())
    return bound, reduced_raised, raised, reduced


def subgradient(
    rows: Rows, cols: Columns, prices: FloatArray, floor: float, deadline: float
) -> tuple[float, FloatArray, FloatArray, FloatArray] | None:
    """The Lagrangian bound (see lagrangian; without cuts) improved from row `prices` by projected
    subgradient steps on the offer and budget rows, each need taking its best column at the prices
    (Polyak steps towards `floor`, a feasible objective, scaled by the rows' right-hand sides; the
    step halves after three that close little) until the perf_counter `deadline`. Returns what
    lagrangian returns at the best prices found, or None where none beat the prices given.

    Why: where the relaxation over a working set has not converged, its prices bound the columns
    outside it loosely. On london-10,000's ESOL part (3.2M columns; optimum 10.325M) the prices of
    two rounds of pricing bounded it by 10.44-10.53M; steps for 1.2 s by 10.347M, for 7.8 s 10.327M."""
    n_rows = rows.n_rows
    y = np.maximum(np.nan_to_num(prices[:n_rows]), 0.0)
    is_need_row = np.zeros(n_rows, dtype=bool)
    is_need_row[rows.need_row[rows.need_row >= 0]] = True
    offer_rows, key_rows = rows.column_rows(cols)
    column_need_row = rows.need_row[cols.need]
    scale = np.where(rows.upper > 0, rows.upper, 1.0)
    start = lagrangian(rows, cols, y)
    best, step, stale = start, 1.0, 0
    current = start
    while time.perf_counter() < deadline and step > SUBGRADIENT_SMALLEST_STEP and current[0] > floor:
        bound, reduced_raised, raised = current[0], current[1], current[2]
        # each need's best column where worth taking: at the raised prices its reduced cost is 0
        top = np.flatnonzero((reduced_raised == 0.0) & (raised[column_need_row] > 0.0))
        top = top[np.r_[True, cols.need[top][1:] != cols.need[top][:-1]]]
        slack = rows.upper.astype(np.float64)
        for row_of, amount in ((offer_rows[top], cols.units[top]), (key_rows[top], cols.charge[top])):
            has = row_of >= 0
            slack -= np.bincount(row_of[has], weights=amount[has], minlength=n_rows)
        slack[is_need_row | ((y <= 0.0) & (slack > 0.0))] = 0.0
        # in prices times right-hand sides (rows of units and rows of pence alike): the step of a
        # row's price is its slack over its right-hand side squared
        relative = slack / scale
        norm = float(relative @ relative)
        if norm <= 0.0:
            break
        y = np.maximum(y - step * (bound - floor) / norm * relative / scale, 0.0)
        current = lagrangian(rows, cols, y)
        # a step that closes less than a thousandth of what is left counts as none
        if current[0] < best[0] - 1e-3 * (best[0] - floor):
            stale = 0
        else:
            stale += 1
            if stale >= 3:
                step, stale = step / 2, 0
        if current[0] < best[0]:
            best = current
    return best if best[0] < start[0] else None


def best_prices(
    rows: Rows, cols: Columns, duals: FloatArray, cuts: CutRows | None = None
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Row duals come with a solver's sign convention; either sign, clipped, is a valid price
    vector; keep the one giving the smaller bound. Returns what `lagrangian` returns for it."""
    plus = lagrangian(rows, cols, duals, cuts)
    if not np.any(duals < 0):  # the other sign would price every row at 0
        return plus
    minus = lagrangian(rows, cols, -duals, cuts)
    return minus if minus[0] < plus[0] else plus


def components(rows: Rows, cols: Columns, idx: IntArray, cuts: CutRows | None = None) -> tuple[IntArray, int]:
    """Label each column of idx by the connected component (shared rows) it belongs to."""
    if not len(idx):
        return np.zeros(0, dtype=np.int64), 0
    matrix = _csc(rows, cols, idx, cuts).tocoo()
    row_index, column = matrix.row, matrix.col
    n_columns = len(idx)
    n_rows = matrix.shape[0]
    # bipartite graph: columns 0..n_columns-1, rows after them
    graph = csr_matrix(
        (np.ones(len(row_index)), (column, row_index + n_columns)), shape=(n_columns + n_rows, n_columns + n_rows)
    )
    _, label = connected_components(graph, directed=False)
    unique, label = np.unique(label[:n_columns], return_inverse=True)
    return label.astype(np.int64), len(unique)


def solve_mip(
    rows: Rows,
    cols: Columns,
    idx: ArrayLike,
    start: ArrayLike | None,
    time_limit: float,
    gap: float = 1e-9,
    cuts: CutRows | None = None,
) -> tuple[IntArray | None, float, float | None, str, float]:
    """Integer program over columns idx (a component), warm-started from the 0/1 vector `start`.
    Returns (chosen columns, objective, dual bound, status string, seconds)."""
    idx = np.asarray(idx, dtype=np.int64)
    matrix = _csc(rows, cols, idx, cuts)
    used = np.flatnonzero(np.diff(matrix.tocsr().indptr) > 0)
    matrix = matrix[used, :].tocsc()
    matrix.sort_indices()
    solver = _highs(time_limit)
    solver.setOptionValue("mip_rel_gap", gap)
    solver.setOptionValue("mip_abs_gap", 1e-7)
    if len(idx) > 20_000:
        solver.setOptionValue("presolve", "off")  # presolve (probing) of large components outlasts time limits
    model = highspy.HighsLp()
    model.num_col_ = len(idx)
    model.num_row_ = len(used)
    model.sense_ = highspy.ObjSense.kMaximize
    model.col_cost_ = cols.value[idx].astype(np.float64)
    model.col_lower_ = np.zeros(len(idx))
    model.col_upper_ = np.ones(len(idx))
    model.row_lower_ = np.full(len(used), -INF)
    model.row_upper_ = _upper(rows, cuts)[used].astype(np.float64)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    model.a_matrix_.index_ = matrix.indices.astype(np.int32)
    model.a_matrix_.value_ = matrix.data
    model.integrality_ = [highspy.HighsVarType.kInteger] * len(idx)
    solver.passModel(model)
    if start is not None:
        warm = highspy.HighsSolution()
        warm.col_value = np.asarray(start, dtype=np.float64)
        warm.value_valid = True
        solver.setSolution(warm)
    started = time.perf_counter()
    solver.run()
    status = solver.getModelStatus()
    info = solver.getInfo()
    values = np.asarray(solver.getSolution().col_value) if info.primal_solution_status >= 1 else None
    chosen = idx[values > 0.5] if values is not None and len(values) == len(idx) else None
    status_text = "optimal" if status == highspy.HighsModelStatus.kOptimal else str(solver.modelStatusToString(status))
    bound: float | None = float(info.mip_dual_bound)
    if bound is None or not np.isfinite(bound):
        bound = None
    return chosen, float(info.objective_function_value), bound, status_text, time.perf_counter() - started
