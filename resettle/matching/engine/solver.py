"""solve(problem, time_limit): an optimal matching, or the best found with a proven bound.

Steps: compatible pairs (numpy, by bucket and spatial cell); columns (a free pair, or a paid pair
with one stream that could pay it); starting solutions (first come first served, by value); the
linear relaxation over a working set of columns grown by pricing, whose row prices give a
Lagrangian bound over every column; rounding of the relaxation; reduced-cost fixing (a column
whose reduced cost would take the bound below the best solution cannot be in a better one); then
the integer program of each independent component with HiGHS, warm-started; finally every need
that still fits is added, and the unmet needs are explained.
"""

from __future__ import annotations

import time

import numpy as np

from . import heuristics as H
from .cuts import cut_matrix, separate
from .explain import unmet_entries
from .lp import CutRows, Relaxation, best_prices, components, solve_mip
from .model import build_columns, build_rows
from .pairs import build_pairs
from .problem import Problem

WORK_ALL = 400_000       # up to this many columns, the relaxation takes them all at once
PER_NEED = 6             # otherwise: the best columns of each need to start the working set
ADD_PER_NEED = 4         # and the best priced-out columns of each need per pricing round
MIP_MAX = 400_000        # the integer program is tried only on this many columns (after fixing) or fewer
CUT_ROUNDS = 30          # rounds of cuts on the knapsack rows (when every column is in the relaxation)


def _top_per_need(cols, score, k, mask=None):
    """Indices of the k highest-score columns of each need (columns are sorted by need)."""
    idx = np.flatnonzero(mask) if mask is not None else np.arange(len(cols))
    if not len(idx):
        return idx
    order = idx[np.lexsort((-score[idx], cols.need[idx]))]
    need = cols.need[order]
    start = np.flatnonzero(np.r_[True, need[1:] != need[:-1]])
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
    return np.sort(order[rank < k])


def solve(problem, time_limit=60.0, started=None):
    """Match `problem` (a parsed version-1 problem) within about `time_limit` seconds; returns the
    result dict of the spec. Raises ProblemError for a malformed problem."""
    t0 = started if started is not None else time.perf_counter()
    p = problem if isinstance(problem, Problem) else Problem(problem)
    return Solver(p, t0, float(time_limit)).run()


class Solver:
    def __init__(self, p, t0, time_limit):
        self.p, self.t0, self.limit = p, t0, max(0.1, time_limit)
        self.stats = {}
        self.timed_out = False

    def left(self):
        return self.limit - (time.perf_counter() - self.t0)

    def run(self):
        p = self.p
        pairs = build_pairs(p)
        cols = build_columns(p, pairs)
        rows = build_rows(p, cols)
        self.stats["setup_seconds"] = round(time.perf_counter() - self.t0, 3)
        self.stats.update(pairs=len(pairs), columns=len(cols), rows=rows.n_rows)
        # reserve time for explaining and writing the result
        self.reserve = 0.3 + 0.02 * self.limit + 1.5e-6 * len(pairs)
        starts = {"first_come": H.first_come(p, cols), "by_value": H.by_value(p, cols)}
        self.stats["first_come_objective"] = round(starts["first_come"].objective(), 6)
        best_name = max(starts, key=lambda k: starts[k].objective())
        best = starts[best_name]
        method = best_name
        bound, status = self._trivial_bound(cols), "heuristic"
        if len(cols):
            best, method, bound, status = self._optimise(rows, cols, best, method)
        H.complete(best)
        obj = best.objective()
        result_cols = best.columns()
        assignments = []
        for j in sorted(result_cols.tolist(), key=lambda j: int(cols.need[j])):
            s = int(cols.stream[j])
            assignments.append({"need": p.need_ids[int(cols.need[j])], "offer": p.offer_ids[int(cols.offer[j])],
                                "stream": p.stream_ids[s] if s >= 0 else None})
        unmet = unmet_entries(p, pairs, cols, best)
        bound = max(bound, obj)
        gap = (bound - obj) / max(1.0, abs(bound))
        self.stats.update(objective=obj, bound=bound, gap=gap, status=status, method=method,
                          timed_out=self.timed_out, seconds=round(time.perf_counter() - self.t0, 3))
        if status != "optimal" and gap <= 1e-9:
            self.stats["status"] = "optimal"
        return {"assignments": assignments, "unmet": unmet, "stats": self.stats}

    @staticmethod
    def _trivial_bound(cols):
        """Each need at most once: the sum of each need's best column value."""
        if not len(cols):
            return 0.0
        best = np.full(int(cols.need.max()) + 1, 0.0)
        np.maximum.at(best, cols.need, cols.value)
        return float(best.sum())

    def _optimise(self, rows, cols, best, method):
        p = self.p
        n_cols = len(cols)
        # ---- relaxation, with pricing over every column --------------------------------------------
        if n_cols <= WORK_ALL:
            work = np.arange(n_cols)
        else:
            mask = np.zeros(n_cols, dtype=bool)
            mask[_top_per_need(cols, cols.value, PER_NEED)] = True
            mask[best.columns()] = True
            work = np.flatnonzero(mask)
        bound = self._trivial_bound(cols)
        status = "heuristic"
        lp_t = time.perf_counter()
        relax = Relaxation(rows, cols, work, self.left() - self.reserve)
        rounds = 0
        y_best = rc_best = None
        lag = np.inf
        x = None
        lp_value = None
        cuts = CutRows()
        cut_rounds = 0
        lp_budget = 0.5 * (self.left() - self.reserve)
        while True:
            budget = self.left() - self.reserve
            if budget <= 0.05:
                self.timed_out = True
                break
            ok, x, y, lp_value = relax.run(budget * 0.6 if n_cols > WORK_ALL else budget)
            rounds += 1
            if len(y) != rows.n_rows + len(cuts):
                break
            lb, rc, yy = best_prices(rows, cols, y, cuts)
            if lb < lag:
                lag, y_best, rc_best = lb, yy, rc
                bound = min(bound, lag)
            if not ok:
                self.timed_out = True
                break
            if n_cols <= WORK_ALL:
                # every column is in: strengthen the knapsack rows with cuts
                if cut_rounds >= CUT_ROUNDS or time.perf_counter() - lp_t > lp_budget:
                    break
                x_all = np.zeros(n_cols)
                x_all[relax.idx] = x
                if cut_rounds % 3 == 0:
                    s = H.from_lp(p, cols, x, relax.idx)
                    if s.objective() > best.objective():
                        best, method = s, "lp_rounding"
                if bound - best.objective() <= 1e-9 * max(1.0, abs(bound)):
                    break
                found = separate(p, cols, rows, x_all)
                if not found:
                    break
                r, c, v = cut_matrix(p, cols, found)
                rhs = np.array([f[4] for f in found])
                relax.add_cuts(r, c, v, rhs)
                cuts.extend(r, c, v, rhs)
                cut_rounds += 1
                continue
            inside = np.zeros(n_cols, dtype=bool)
            inside[relax.idx] = True
            out = (~inside) & (rc > 1e-7)
            if not out.any():
                break
            add = _top_per_need(cols, rc, ADD_PER_NEED, out)
            relax.add(add)
        self.stats.update(lp_rounds=rounds, cut_rounds=cut_rounds, cuts=len(cuts), lp_columns=len(relax.idx),
                          lp_seconds=round(time.perf_counter() - lp_t, 3), lp_objective=lp_value)
        if x is not None and len(x) == len(relax.idx):
            s = H.from_lp(p, cols, x, relax.idx)
            if s.objective() > best.objective():
                best, method = s, "lp_rounding"
        del relax
        if rc_best is None:
            return best, method, bound, status
        # ---- reduced-cost fixing, then the integer program of each component --------------------
        lb = best.objective()
        keep = lag + rc_best >= lb - 1e-6 * max(1.0, abs(lb))
        keep[best.columns()] = True
        R = np.flatnonzero(keep)
        self.stats["columns_after_fixing"] = len(R)
        if len(R) > MIP_MAX:
            self.timed_out = self.timed_out or bound - lb > 1e-9 * max(1.0, abs(bound))
            return best, method, bound, "optimal" if not self.timed_out else "gap_left"
        lab, k = components(rows, cols, R, cuts)
        start = np.zeros(n_cols, dtype=bool)
        start[best.columns()] = True
        # the Lagrangian bound of the restricted problem, component by component
        yext = np.append(y_best[:rows.n_rows], 0.0)
        pos = np.maximum(rc_best[R], 0.0)
        comp_bound = np.bincount(lab, weights=pos, minlength=k)
        row_comp = np.full(rows.n_rows + 1, -1, dtype=np.int64)
        r, _, c = rows.col_entries(cols, R)
        row_comp[r] = lab[c]
        has = row_comp[:-1] >= 0
        comp_bound += np.bincount(row_comp[:-1][has], weights=(yext[:-1] * rows.upper)[has], minlength=k)
        if len(cuts):
            pos = np.full(n_cols, -1, dtype=np.int64)
            pos[R] = np.arange(len(R))
            cut_comp = np.full(len(cuts), -1, dtype=np.int64)
            k_in = pos[cuts.c] >= 0
            cut_comp[cuts.r[k_in]] = lab[pos[cuts.c[k_in]]]
            yc = np.zeros(len(cuts))
            yc[:len(y_best) - rows.n_rows] = y_best[rows.n_rows:]
            hc = cut_comp >= 0
            comp_bound += np.bincount(cut_comp[hc], weights=(yc * cuts.rhs)[hc], minlength=k)
        comp_inc = np.bincount(lab, weights=np.where(start[R], cols.value[R], 0.0), minlength=k)
        todo = [c for c in np.argsort(np.bincount(lab, minlength=k)).tolist()
                if comp_bound[c] - comp_inc[c] > 1e-9 * max(1.0, abs(comp_bound[c]))]
        members = {c: R[lab == c] for c in todo} if todo else {}
        chosen = [R[start[R] & ~np.isin(lab, todo)]] if todo else [R[start[R]]]
        total_todo = sum(len(members[c]) for c in todo) or 1
        remaining_cols = total_todo
        n_opt = n_tl = 0
        mip_t = time.perf_counter()
        for c in todo:
            idx = members[c]
            budget = self.left() - self.reserve
            if budget <= 0.05:
                chosen.append(idx[start[idx]])
                self.timed_out = True
                n_tl += 1
                continue
            share = budget * max(0.05, len(idx) / remaining_cols)
            remaining_cols -= len(idx)
            got, _, mb, st, _ = solve_mip(rows, cols, idx, start[idx].astype(float), share, cuts=cuts)
            inc = comp_inc[c]
            if got is not None and cols.value[got].sum() >= inc - 1e-9:
                chosen.append(got)
            else:
                chosen.append(idx[start[idx]])
            if mb is not None:
                comp_bound[c] = min(comp_bound[c], max(mb, inc, cols.value[got].sum() if got is not None else inc))
            if st == "optimal":
                n_opt += 1
                comp_bound[c] = min(comp_bound[c], max(inc, cols.value[got].sum() if got is not None else inc))
            else:
                n_tl += 1
                self.timed_out = True
        self.stats.update(components=int(k), components_solved=len(todo), components_optimal=n_opt,
                          components_stopped=n_tl, mip_seconds=round(time.perf_counter() - mip_t, 3))
        s = H.from_columns(p, cols, np.concatenate(chosen) if chosen else [])
        if s.objective() > best.objective() + 1e-9:
            best, method = s, "integer_program"
        restricted = max(lb, float(comp_bound.sum()))
        bound = min(bound, restricted)
        status = "optimal" if n_tl == 0 else "time_limit"
        return best, method, bound, status
