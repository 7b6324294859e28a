"""Feasible assignments built column by column: first come first served, by value, by an LP
solution, and the final pass that adds every need that still fits."""

from __future__ import annotations

import time

import numpy as np


class State:
    """An assignment (need -> column) with the capacity and budgets it leaves."""

    CHUNK = 100_000

    def __init__(self, p, cols):
        self.p = p
        self.cols = cols
        self.col_of = [-1] * p.n_needs
        self.rem_cap = p.offer_cap.astype(np.int64).tolist()
        self.rem_bud = cols.key_budget.astype(np.int64).tolist()
        self.cut_short = False

    def copy(self):
        s = State.__new__(State)
        s.__dict__.update(self.__dict__)
        s.col_of = list(self.col_of)
        s.rem_cap = list(self.rem_cap)
        s.rem_bud = list(self.rem_bud)
        return s

    def fill(self, order, deadline=None):
        """Take columns in `order`, each when its need is free and it fits; stop early (leaving the
        rest out, `cut_short` set) when the perf_counter `deadline` passes."""
        order = np.asarray(order, dtype=np.int64)
        for k in range(0, len(order), self.CHUNK):
            if deadline is not None and time.perf_counter() > deadline:
                self.cut_short = True
                break
            self._fill(order[k : k + self.CHUNK])
        return self

    def _fill(self, order):
        col_of, rem_cap, rem_bud = self.col_of, self.rem_cap, self.rem_bud
        cols = self.cols
        taken = np.array(col_of) >= 0
        order = order[~taken[cols.need[order]]]
        for j, n, o, u, b, c in zip(
            order.tolist(),
            cols.need[order].tolist(),
            cols.offer[order].tolist(),
            cols.units[order].tolist(),
            cols.bkey[order].tolist(),
            cols.charge[order].tolist(),
            strict=True,
        ):
            if col_of[n] >= 0 or rem_cap[o] < u:
                continue
            if b >= 0:
                if rem_bud[b] < c:
                    continue
                rem_bud[b] -= c
            rem_cap[o] -= u
            col_of[n] = j

    def remove(self, n):
        j = self.col_of[n]
        if j < 0:
            return
        cols = self.cols
        self.rem_cap[int(cols.offer[j])] += int(cols.units[j])
        if cols.bkey[j] >= 0:
            self.rem_bud[int(cols.bkey[j])] += int(cols.charge[j])
        self.col_of[n] = -1

    def columns(self):
        c = np.array(self.col_of, dtype=np.int64)
        return c[c >= 0]

    def objective(self):
        c = self.columns()
        return float(self.cols.value[c].sum()) if len(c) else 0.0


def first_come(p, cols, deadline=None):
    """Needs in file order, each taking its first offer (file order) that fits, the first stream
    (listed order) with budget left: the first-come-first-served baseline."""
    return State(p, cols).fill(np.arange(len(cols)), deadline)


def by_value(p, cols, deadline=None):
    order = np.lexsort((np.arange(len(cols)), -cols.value))
    return State(p, cols).fill(order, deadline)


def from_lp(p, cols, x, idx):
    """Round an LP solution x over columns idx: large x first, then value; then fill by value."""
    x = np.asarray(x)
    keep = x > 1e-6
    sel = idx[keep]
    order = sel[np.lexsort((-cols.value[sel], -np.round(x[keep], 6)))]
    s = State(p, cols).fill(order)
    return complete(s)


def from_columns(p, cols, chosen):
    """A state from a set of columns (assumed feasible); columns that do not fit are skipped."""
    chosen = np.asarray(chosen, dtype=np.int64)
    return State(p, cols).fill(chosen)


def complete(state):
    """Add, by value, every need that still fits (spare capacity and, if paid, budget left)."""
    cols = state.cols
    free_need = np.array(state.col_of) < 0
    cand = np.flatnonzero(free_need[cols.need])
    if len(cand):
        rem = np.array(state.rem_cap)
        cand = cand[rem[cols.offer[cand]] >= cols.units[cand]]
        order = cand[np.lexsort((cand, -cols.value[cand]))]
        state.fill(order)
    return state
