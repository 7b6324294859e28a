"""The linear relaxation over a working set of columns (grown by pricing), its Lagrangian bound over
all columns, and integer solves of components with HiGHS."""

from __future__ import annotations

import time

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

INF = highspy.kHighsInf


def _highs(time_limit, threads=1):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.05, float(time_limit)))
    h.setOptionValue("threads", threads)
    return h


class CutRows:
    """Cut rows over all columns: triplets (cut row, column, coefficient) and right-hand sides."""

    def __init__(self):
        self.r = np.zeros(0, dtype=np.int64)
        self.c = np.zeros(0, dtype=np.int64)
        self.v = np.zeros(0)
        self.rhs = np.zeros(0)

    def __len__(self):
        return len(self.rhs)

    def extend(self, r, c, v, rhs):
        self.r = np.concatenate([self.r, np.asarray(r, dtype=np.int64) + len(self.rhs)])
        self.c = np.concatenate([self.c, c])
        self.v = np.concatenate([self.v, v])
        self.rhs = np.concatenate([self.rhs, rhs])


def _csc(rows, cols, idx, cuts=None):
    r, v, c = rows.col_entries(cols, idx)
    n_rows = rows.n_rows
    if cuts is not None and len(cuts):
        pos = np.full(len(cols), -1, dtype=np.int64)
        pos[idx] = np.arange(len(idx))
        cp = pos[cuts.c]
        k = cp >= 0
        r = np.concatenate([r, cuts.r[k] + rows.n_rows])
        v = np.concatenate([v, cuts.v[k]])
        c = np.concatenate([c, cp[k]])
        n_rows += len(cuts)
    m = coo_matrix((v, (r, c)), shape=(n_rows, len(idx))).tocsc()
    m.sort_indices()
    return m


def _upper(rows, cuts):
    if cuts is not None and len(cuts):
        return np.concatenate([rows.upper, cuts.rhs])
    return rows.upper


class Relaxation:
    """The LP over a working subset of columns; rows are fixed (all of them)."""

    def __init__(self, rows, cols, idx, time_limit):
        self.rows, self.cols = rows, cols
        self.idx = np.asarray(idx, dtype=np.int64)
        self.h = _highs(time_limit)
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.idx)
        lp.num_row_ = rows.n_rows
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = cols.value[self.idx].astype(np.float64)
        lp.col_lower_ = np.zeros(len(self.idx))
        lp.col_upper_ = np.ones(len(self.idx))
        lp.row_lower_ = np.full(rows.n_rows, -INF)
        lp.row_upper_ = rows.upper.astype(np.float64)
        m = _csc(rows, cols, self.idx)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = m.indptr.astype(np.int32)
        lp.a_matrix_.index_ = m.indices.astype(np.int32)
        lp.a_matrix_.value_ = m.data
        self.h.passModel(lp)

    def add(self, new):
        new = np.asarray(new, dtype=np.int64)
        m = _csc(self.rows, self.cols, new)
        self.h.addCols(
            len(new),
            self.cols.value[new].astype(np.float64),
            np.zeros(len(new)),
            np.ones(len(new)),
            m.nnz,
            m.indptr.astype(np.int32),
            m.indices.astype(np.int32),
            m.data,
        )
        self.idx = np.concatenate([self.idx, new])

    def add_cuts(self, r, c, v, rhs):
        """New cut rows; every column is in the working set (positions are column indices)."""
        m = coo_matrix((v, (r, c)), shape=(len(rhs), len(self.cols))).tocsr()
        m.sort_indices()
        self.h.addRows(
            len(rhs),
            np.full(len(rhs), -INF),
            np.asarray(rhs, dtype=np.float64),
            m.nnz,
            m.indptr[:-1].astype(np.int32),
            m.indices.astype(np.int32),
            m.data,
        )

    def run(self, time_limit):
        self.h.setOptionValue("time_limit", max(0.05, float(time_limit)))
        self.h.run()
        ok = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        sol = self.h.getSolution()
        x = np.asarray(sol.col_value)
        y = np.asarray(sol.row_dual)
        return ok, x, y, self.h.getInfo().objective_function_value


def lagrangian(rows, cols, y, cuts=None):
    """(bound, reduced costs) for row prices y >= 0: y.b + sum_j max(0, c_j - a_j.y) bounds the
    optimum of the integer program (and of its relaxation) over every column."""
    y = np.maximum(np.nan_to_num(y), 0.0)
    upper = _upper(rows, cuts)
    yext = np.append(y[: rows.n_rows], 0.0)  # row -1 (no row) has price 0
    rc = cols.value - yext[rows.need_row[cols.need]] - cols.units * yext[rows.offer_row[cols.offer]]
    if len(rows.key_row):
        kr = np.where(cols.bkey >= 0, rows.key_row[np.maximum(cols.bkey, 0)], -1)
        rc = rc - cols.charge * yext[kr]
    if cuts is not None and len(cuts):
        yc = y[rows.n_rows :]
        rc = rc - np.bincount(cuts.c, weights=cuts.v * yc[cuts.r], minlength=len(cols))
    return float(y @ upper + np.maximum(rc, 0.0).sum()), rc


def best_prices(rows, cols, y, cuts=None):
    """Row duals come with a solver's sign convention; either sign, clipped, is a valid price
    vector; keep the one giving the smaller bound."""
    b1, rc1 = lagrangian(rows, cols, y, cuts)
    b2, rc2 = lagrangian(rows, cols, -y, cuts)
    if b2 < b1:
        return b2, rc2, np.maximum(-y, 0.0)
    return b1, rc1, np.maximum(y, 0.0)


def components(rows, cols, idx, cuts=None):
    """Label each column of idx by the connected component (shared rows) it belongs to."""
    if not len(idx):
        return np.zeros(0, dtype=np.int64), 0
    m = _csc(rows, cols, idx, cuts).tocoo()
    r, c = m.row, m.col
    n = len(idx)
    R = m.shape[0]
    # bipartite graph: columns 0..n-1, rows n..n+R-1
    g = csr_matrix((np.ones(len(r)), (c, r + n)), shape=(n + R, n + R))
    _, lab = connected_components(g, directed=False)
    lab = lab[:n]
    u, lab = np.unique(lab, return_inverse=True)
    return lab, len(u)


def solve_mip(rows, cols, idx, start, time_limit, gap=1e-9, cuts=None):
    """Integer program over columns idx (a component), warm-started from the 0/1 vector `start`.
    Returns (chosen columns, objective, dual bound, status string)."""
    idx = np.asarray(idx, dtype=np.int64)
    m = _csc(rows, cols, idx, cuts)
    used = np.flatnonzero(np.diff(m.tocsr().indptr) > 0)
    m = m[used, :].tocsc()
    m.sort_indices()
    h = _highs(time_limit)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("mip_abs_gap", 1e-7)
    if len(idx) > 20_000:
        h.setOptionValue("presolve", "off")  # presolve (probing) of large components outlasts time limits
    lp = highspy.HighsLp()
    lp.num_col_ = len(idx)
    lp.num_row_ = len(used)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = cols.value[idx].astype(np.float64)
    lp.col_lower_ = np.zeros(len(idx))
    lp.col_upper_ = np.ones(len(idx))
    lp.row_lower_ = np.full(len(used), -INF)
    lp.row_upper_ = _upper(rows, cuts)[used].astype(np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = m.indptr.astype(np.int32)
    lp.a_matrix_.index_ = m.indices.astype(np.int32)
    lp.a_matrix_.value_ = m.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(idx)
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=np.float64)
        sol.value_valid = True
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value) if info.primal_solution_status >= 1 else None
    chosen = idx[x > 0.5] if x is not None and len(x) == len(idx) else None
    st = "optimal" if status == highspy.HighsModelStatus.kOptimal else h.modelStatusToString(status)
    bound = info.mip_dual_bound
    if not np.isfinite(bound):
        bound = None
    return chosen, info.objective_function_value, bound, st, time.perf_counter() - t0
