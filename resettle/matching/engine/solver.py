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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import heuristics as H
from .cuts import cut_matrix, separate
from .explain import unmet_entries
from .lp import CutRows, Relaxation, best_prices, components, solve_mip
from .model import build_columns, build_rows
from .pairs import build_pairs
from .problem import Problem

WORK_ALL = 400_000  # up to this many columns, the relaxation takes them all at once
PER_NEED = 6  # otherwise: the best columns of each need to start the working set
ADD_PER_NEED = 4  # and the best priced-out columns of each need per pricing round
RESTRICTED_MAX = 120_000  # columns of the integer program over each need's best columns, when all are too many
MIP_MAX = 400_000  # the integer program is tried only on this many columns (after fixing) or fewer
KEEP_SHARE = 0.001  # keep_offer: the share of the objective that keeping proposals may cost, at most
BOUND_TOL = 1e-7  # relative: a bound this far below the objective is rounding, further is an error
CUT_ROUNDS = 30  # rounds of cuts on the knapsack rows (when every column is in the relaxation)


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


# progress(report): called as the best solution improves, with {"objective", "bound", "seconds"}.
Progress = Callable[[dict[str, float]], None]


def solve(problem, time_limit=60.0, started=None, progress: Progress | None = None):
    """Match `problem` (a parsed version-1 problem) within about `time_limit` seconds; returns the
    result dict of the spec. Raises ProblemError for a malformed problem. `progress`, if given, is
    called with the objective of each better solution found and the bound proven so far."""
    t0 = started if started is not None else time.perf_counter()
    p = problem if isinstance(problem, Problem) else Problem(problem)
    return Solver(p, t0, float(time_limit), progress).run()


class Solver:
    def __init__(self, p, t0, time_limit, progress: Progress | None = None):
        self.p, self.t0, self.limit = p, t0, max(0.1, time_limit)
        self.stats = {}
        self.timed_out = False
        self.progress = progress
        self.reported: float | None = None

    def report(self, objective: Any, bound: Any) -> None:
        """Tell the caller of a better solution (once per improvement): its objective and the bound."""
        objective = float(objective)
        if self.progress is None or (self.reported is not None and objective <= self.reported + 1e-9):
            return
        self.reported = objective
        seconds = round(time.perf_counter() - self.t0, 3)
        self.progress({"objective": objective, "bound": float(bound), "seconds": seconds})

    def left(self):
        return self.limit - (time.perf_counter() - self.t0)

    def run(self):
        p = self.p
        pairs = build_pairs(p)
        cols = build_columns(p, pairs)
        rows = build_rows(p, cols)
        self.stats["setup_seconds"] = round(time.perf_counter() - self.t0, 3)
        self.stats.update(pairs=len(pairs), columns=len(cols), rows=rows.n_rows)
        # reserve time for completing, explaining and writing the result
        self.reserve = 0.3 + 0.02 * self.limit + 1.5e-6 * len(pairs)
        deadline = self.t0 + self.limit - self.reserve
        # the starts: best value first (the better one), then, time allowing, first come first served
        # (the baseline the result is never below when it completes)
        fill_t = time.perf_counter()
        by_value = H.by_value(p, cols, deadline)
        fill_seconds = time.perf_counter() - fill_t
        true_value = self._keep_bonus(cols, by_value.objective())
        starts = {"by_value": by_value}
        if true_value is not None:
            # last run's proposals where they still fit, then the rest by value: a start that the
            # relaxation and the integer programs leave only for a better objective
            keeps = np.flatnonzero(cols.offer == p.need_keep[cols.need])
            order = keeps[np.lexsort((keeps, -cols.value[keeps]))]
            starts["kept"] = H.complete(H.State(p, cols).fill(order, deadline))
        if self.left() - self.reserve > 2 * fill_seconds:
            first = H.first_come(p, cols, deadline)
            if not first.cut_short:
                starts["first_come"] = first
                own = true_value if true_value is not None else cols.value
                self.stats["first_come_objective"] = round(float(own[first.columns()].sum()), 6)
        best_name = max(starts, key=lambda k: starts[k].objective())
        best = starts[best_name]
        method = best_name
        bound, status = self._trivial_bound(cols), "heuristic"
        self.report(best.objective(), bound)
        # the relaxation needs time to be built (about as long as a pass over its columns) and solved
        lp_cost = 0.5 + 2 * fill_seconds * min(1.0, WORK_ALL / max(1, len(cols)))
        if len(cols) and not by_value.cut_short and self.left() - self.reserve > lp_cost:
            best, method, bound, status = self._optimise(rows, cols, best, method)
            self.report(best.objective(), bound)
        elif len(cols):
            self.timed_out, status = True, "time_limit"
        H.complete(best)
        obj = best.objective()
        if true_value is not None:
            self._keep_stats(cols, best, obj, true_value)
            cols.value = true_value
        result_cols = best.columns()
        assignments = []
        for j in sorted(result_cols.tolist(), key=lambda j: int(cols.need[j])):
            s = int(cols.stream[j])
            assignments.append(
                {
                    "need": p.need_ids[int(cols.need[j])],
                    "offer": p.offer_ids[int(cols.offer[j])],
                    "stream": p.stream_ids[s] if s >= 0 else None,
                }
            )
        unmet = unmet_entries(p, pairs, cols, best)
        gap = (bound - obj) / max(1.0, abs(bound))  # of the objective the engine maximised (keep_offer bonus in)
        obj = best.objective()
        if -BOUND_TOL <= gap < 0:  # floating-point rounding of an exact bound, not an error
            bound, gap = max(bound, obj), 0.0
        self.stats.update(
            objective=obj,
            bound=bound,
            gap=gap,
            status=status,
            method=method,
            timed_out=self.timed_out,
            seconds=round(time.perf_counter() - self.t0, 3),
        )
        if gap < -BOUND_TOL:
            # a proven bound below a feasible solution means a step is wrong: say so, claim nothing
            self.stats["bound_below_objective"] = True
            self.stats["status"] = "heuristic" if status == "optimal" else status
        elif status != "optimal" and gap <= 1e-9:
            self.stats["status"] = "optimal"
        return {"assignments": assignments, "unmet": unmet, "stats": self.stats}

    def _keep_bonus(self, cols, floor):
        """The `keep_offer` extension: every column that keeps a need on the offer it was proposed
        last time gets the same small bonus, together at most KEEP_SHARE of `floor` (a feasible
        objective, so at most that share of the optimum). Maximising the objective with the bonus
        then keeps as many proposals as it can among solutions within KEEP_SHARE of the best.
        Returns the columns' own values (None when nothing is to be kept)."""
        keep = self.p.need_keep
        wanted = int((keep >= 0).sum())
        if not wanted or not len(cols):
            return None
        keeps = cols.offer == keep[cols.need]
        bonus = KEEP_SHARE * max(0.0, floor) / wanted
        true_value = cols.value
        cols.value = true_value + np.where(keeps, bonus, 0.0)
        self.stats.update(keep_wanted=wanted, keep_bonus=bonus)
        return true_value

    def _keep_stats(self, cols, best, with_bonus, true_value):
        chosen = best.columns()
        kept = int((cols.offer[chosen] == self.p.need_keep[cols.need[chosen]]).sum())
        self.stats.update(keep_kept=kept, objective_with_keep_bonus=with_bonus)

    def _trivial_bound(self, cols):
        """A bound without any relaxation: the smaller of two. Each need at most once (the sum of each
        need's best column value), and each offer's capacity at most full (per offer, the best values
        of the needs it could serve, taken by value per unit until its capacity is used, the last one
        in part)."""
        if not len(cols):
            return 0.0
        best = np.full(int(cols.need.max()) + 1, 0.0)
        np.maximum.at(best, cols.need, cols.value)
        per_need = float(best.sum())
        first = np.ones(len(cols), dtype=bool)  # one column per pair (a pair's value is the same for every stream)
        first[1:] = cols.pair[1:] != cols.pair[:-1]
        j = np.flatnonzero(first & (cols.value > 0))
        units = cols.units[j].astype(float)
        order = np.lexsort((-cols.value[j] / units, cols.offer[j]))
        j, units = j[order], units[order]
        offer = cols.offer[j]
        cum = np.cumsum(units)
        start = np.flatnonzero(np.r_[True, offer[1:] != offer[:-1]])
        before = np.repeat(np.r_[0.0, cum][start], np.diff(np.r_[start, len(j)]))
        used_before = cum - units - before
        share = np.clip(self.p.offer_cap[offer] - used_before, 0.0, units) / units
        per_offer = float((cols.value[j] * share).sum())
        return min(per_need, per_offer)

    def _optimise(self, rows, cols, best, method):
        """The relaxation and its bound, then reduced-cost fixing and the integer program of each
        component. Returns (best, method, bound, status)."""
        state = self._relax(rows, cols, best, method)
        best, method, bound = state.best, state.method, state.bound
        if state.rc_best is None:
            return best, method, bound, "heuristic"
        # ---- reduced-cost fixing, then the integer program of each component --------------------
        lb = best.objective()
        keep = state.lag + state.rc_best >= lb - 1e-6 * max(1.0, abs(lb))
        keep[best.columns()] = True
        R = np.flatnonzero(keep)
        self.stats["columns_after_fixing"] = len(R)
        if len(R) > MIP_MAX:
            self.timed_out = self.timed_out or bound - lb > 1e-9 * max(1.0, abs(bound))
            if self.timed_out and self.left() - self.reserve > 1.0:
                best, method = self._restricted_mip(rows, cols, state, R, lb)
            return best, method, bound, "optimal" if not self.timed_out else "gap_left"
        return self._solve_components(rows, cols, state, R, lb)

    def _restricted_mip(self, rows, cols, state, R, lb):
        """Too many columns for the integer program, but time left: solve it over each need's best
        columns by reduced cost (and the incumbent's), so the time is used to improve the solution.
        Whatever it finds is feasible for the whole problem; the bound is not touched (it would hold
        only for the subset). Returns (best, method)."""
        per_need = max(1, RESTRICTED_MAX // max(1, self.p.n_needs))
        in_r = np.zeros(len(cols), dtype=bool)
        in_r[R] = True
        subset = _top_per_need(cols, state.rc_best, per_need, in_r)
        subset = np.union1d(subset, state.best.columns())
        self.stats["restricted_columns"] = len(subset)
        sub_state = RelaxationState(best=state.best, method=state.method, bound=state.bound)
        sub_state.cuts, sub_state.y_best, sub_state.rc_best, sub_state.lag = (
            state.cuts,
            state.y_best,
            state.rc_best,
            state.lag,
        )
        best, method, _, _ = self._solve_components(rows, cols, sub_state, subset, lb)
        if method == "integer_program":
            method = "restricted_integer_program"
        return best, method

    # ---- the relaxation ---------------------------------------------------------------------------
    def _relax(self, rows, cols, best, method):
        """The linear relaxation with pricing over every column, rounded as it goes; records its
        statistics. Returns the RelaxationState it ends in."""
        state = RelaxationState(best=best, method=method, bound=self._trivial_bound(cols))
        lp_t = time.perf_counter()
        relax = Relaxation(rows, cols, _working_set(cols, best), self.left() - self.reserve)
        lp_budget = 0.5 * (self.left() - self.reserve)
        self._relaxation_rounds(rows, cols, relax, state, lp_t, lp_budget)
        self.stats.update(
            lp_rounds=state.rounds,
            cut_rounds=state.cut_rounds,
            cuts=len(state.cuts),
            lp_columns=len(relax.idx),
            lp_seconds=round(time.perf_counter() - lp_t, 3),
            lp_objective=state.lp_value,
        )
        if state.x is not None and len(state.x) == len(relax.idx):
            state.take_rounding(H.from_lp(self.p, cols, state.x, relax.idx))
        return state

    def _relaxation_rounds(self, rows, cols, relax, state, lp_t, lp_budget):
        """Solve the relaxation again and again: each time its prices may improve the Lagrangian bound,
        then either cuts are added (every column is in) or priced-out columns are; until nothing
        changes, a limit is reached or time runs out."""
        every_column = len(cols) <= WORK_ALL
        while True:
            budget = self.left() - self.reserve
            if budget <= 0.05:
                self.timed_out = True
                break
            ok, state.x, y, state.lp_value = relax.run(budget if every_column else budget * 0.6)
            state.rounds += 1
            if len(y) != rows.n_rows + len(state.cuts):
                break
            rc = state.take_prices(*best_prices(rows, cols, y, state.cuts))
            self.report(state.best.objective(), state.bound)
            if not ok:
                self.timed_out = True
                break
            if every_column:
                if not self._cut_round(rows, cols, relax, state, lp_t, lp_budget):
                    break
            elif not _price_in(cols, relax, rc):
                break

    def _cut_round(self, rows, cols, relax, state, lp_t, lp_budget):
        """With every column in the relaxation, strengthen the knapsack rows with cuts (rounding the
        relaxation every third round); False when it is time to stop."""
        if state.cut_rounds >= CUT_ROUNDS or time.perf_counter() - lp_t > lp_budget:
            return False
        x_all = np.zeros(len(cols))
        x_all[relax.idx] = state.x
        if state.cut_rounds % 3 == 0:
            state.take_rounding(H.from_lp(self.p, cols, state.x, relax.idx))
        if state.bound - state.best.objective() <= 1e-9 * max(1.0, abs(state.bound)):
            return False
        found = separate(self.p, cols, rows, x_all)
        if not found:
            return False
        r, c, v = cut_matrix(self.p, cols, found)
        rhs = np.array([f[4] for f in found])
        relax.add_cuts(r, c, v, rhs)
        state.cuts.extend(r, c, v, rhs)
        state.cut_rounds += 1
        return True

    # ---- the integer programs ---------------------------------------------------------------------
    def _solve_components(self, rows, cols, state, R, lb):
        """The integer program of each component of the columns R left after fixing whose bound is
        above what the incumbent (of objective lb) has in it. Returns (best, method, bound, status)."""
        best, method = state.best, state.method
        lab, k = components(rows, cols, R, state.cuts)
        start = np.zeros(len(cols), dtype=bool)
        start[best.columns()] = True
        comp_bound = _component_bounds(rows, cols, state, R, lab, k)
        comp_inc = np.bincount(lab, weights=np.where(start[R], cols.value[R], 0.0), minlength=k)
        todo = [
            c
            for c in np.argsort(np.bincount(lab, minlength=k)).tolist()
            if comp_bound[c] - comp_inc[c] > 1e-9 * max(1.0, abs(comp_bound[c]))
        ]
        members = {c: R[lab == c] for c in todo} if todo else {}
        chosen = [R[start[R] & ~np.isin(lab, todo)]] if todo else [R[start[R]]]
        mip_t = time.perf_counter()
        solved, n_opt, n_tl = self._component_mips(rows, cols, state.cuts, members, start, comp_inc, comp_bound)
        chosen.extend(solved)
        self.stats.update(
            components=int(k),
            components_solved=len(todo),
            components_optimal=n_opt,
            components_stopped=n_tl,
            mip_seconds=round(time.perf_counter() - mip_t, 3),
        )
        s = H.from_columns(self.p, cols, np.concatenate(chosen) if chosen else [])
        if s.objective() > best.objective() + 1e-9:
            best, method = s, "integer_program"
        restricted = max(lb, float(comp_bound.sum()))
        bound = min(state.bound, restricted)
        status = "optimal" if n_tl == 0 else "time_limit"
        return best, method, bound, status

    def _component_mips(self, rows, cols, cuts, members, start, comp_inc, comp_bound):
        """The integer program of each component in turn (members: its columns), warm-started from
        the incumbent (start) and given a share of the time left in proportion to its columns; keeps
        the incumbent's part (comp_inc its value) where it finds nothing better, and tightens
        comp_bound in place. Time left over goes back to the components that stopped, in shares by
        their remaining gap, warm-started from what they found. Returns (columns chosen per
        component, components optimal, stopped)."""
        chosen = {c: idx[start[idx]] for c, idx in members.items()}
        value = {c: float(comp_inc[c]) for c in members}
        stopped = set(members)
        remaining_cols = sum(len(idx) for idx in members.values()) or 1
        for c, idx in members.items():
            budget = self.left() - self.reserve
            if budget <= 0.05:
                break
            share = budget * max(0.05, len(idx) / remaining_cols)
            remaining_cols -= len(idx)
            self._component_mip(rows, cols, cuts, c, idx, share, chosen, value, comp_bound, stopped)
        rounds = 0
        while stopped and rounds < 3:
            budget = self.left() - self.reserve
            gaps = {c: max(0.0, comp_bound[c] - value[c]) for c in stopped}
            total = sum(gaps.values())
            if budget <= 0.5 or total <= 0:
                break
            rounds += 1
            for c in sorted(stopped, key=lambda c: -gaps[c]):
                share = max(0.2, budget * gaps[c] / total)
                if self.left() - self.reserve <= 0.2:
                    break
                self._component_mip(rows, cols, cuts, c, members[c], share, chosen, value, comp_bound, stopped)
        self.stats["retry_rounds"] = rounds
        if stopped:
            self.timed_out = True
        return list(chosen.values()), len(members) - len(stopped), len(stopped)

    def _component_mip(self, rows, cols, cuts, c, idx, share, chosen, value, comp_bound, stopped):
        """One integer solve of component c within `share` seconds, from its best columns so far."""
        share = min(share, self.left() - self.reserve)
        warm = np.isin(idx, chosen[c]).astype(float)
        got, _, mb, st, _ = solve_mip(rows, cols, idx, warm, share, cuts=cuts)
        got_value = float(cols.value[got].sum()) if got is not None else value[c]
        if got is not None and got_value >= value[c] - 1e-9:
            chosen[c], value[c] = got, got_value
        if mb is not None:
            comp_bound[c] = min(comp_bound[c], max(mb, value[c]))
        if st == "optimal":
            comp_bound[c] = min(comp_bound[c], value[c])
            stopped.discard(c)


@dataclass
class RelaxationState:
    """What the rounds of the relaxation have found: the incumbent and how it was found, the bound,
    the prices (and reduced costs) of the best Lagrangian bound, the cuts, the last solution."""

    best: H.State
    method: str
    bound: float
    cuts: CutRows = field(default_factory=CutRows)
    lag: float = np.inf
    y_best: np.ndarray | None = None
    rc_best: np.ndarray | None = None
    x: np.ndarray | None = None
    lp_value: float | None = None
    rounds: int = 0
    cut_rounds: int = 0

    def take_prices(self, lag, rc, y):
        """Keep prices whose Lagrangian bound lag is the best so far; returns their reduced costs."""
        if lag < self.lag:
            self.lag, self.y_best, self.rc_best = lag, y, rc
            self.bound = min(self.bound, self.lag)
        return rc

    def take_rounding(self, solution):
        """Keep a rounding of the relaxation that beats the incumbent."""
        if solution.objective() > self.best.objective():
            self.best, self.method = solution, "lp_rounding"


def _working_set(cols, best):
    """Columns the relaxation starts from: all of them when there are few enough, else each need's
    best few and the incumbent's."""
    n_cols = len(cols)
    if n_cols <= WORK_ALL:
        return np.arange(n_cols)
    mask = np.zeros(n_cols, dtype=bool)
    mask[_top_per_need(cols, cols.value, PER_NEED)] = True
    mask[best.columns()] = True
    return np.flatnonzero(mask)


def _price_in(cols, relax, rc):
    """Add to the relaxation each need's best columns among those outside it with a positive reduced
    cost rc; False when there are none."""
    inside = np.zeros(len(cols), dtype=bool)
    inside[relax.idx] = True
    out = (~inside) & (rc > 1e-7)
    if not out.any():
        return False
    relax.add(_top_per_need(cols, rc, ADD_PER_NEED, out))
    return True


def _component_bounds(rows, cols, state, R, lab, k):
    """The Lagrangian bound (at the best prices) of the problem restricted to the columns R, per
    component (lab: each column's component of k): the positive reduced costs of its columns plus
    price times right-hand side of its rows and cuts."""
    y_best, cuts = state.y_best, state.cuts
    yext = np.append(y_best[: rows.n_rows], 0.0)
    positive_rc = np.maximum(state.rc_best[R], 0.0)
    comp_bound = np.bincount(lab, weights=positive_rc, minlength=k)
    row_comp = np.full(rows.n_rows + 1, -1, dtype=np.int64)
    r, _, c = rows.col_entries(cols, R)
    row_comp[r] = lab[c]
    has = row_comp[:-1] >= 0
    comp_bound += np.bincount(row_comp[:-1][has], weights=(yext[:-1] * rows.upper)[has], minlength=k)
    if len(cuts):
        position = np.full(len(cols), -1, dtype=np.int64)
        position[R] = np.arange(len(R))
        cut_comp = np.full(len(cuts), -1, dtype=np.int64)
        k_in = position[cuts.c] >= 0
        cut_comp[cuts.r[k_in]] = lab[position[cuts.c[k_in]]]
        yc = np.zeros(len(cuts))
        yc[: len(y_best) - rows.n_rows] = y_best[rows.n_rows :]
        hc = cut_comp >= 0
        comp_bound += np.bincount(cut_comp[hc], weights=(yc * cuts.rhs)[hc], minlength=k)
    return comp_bound
