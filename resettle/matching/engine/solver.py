"""solve(problem, time_limit): an optimal matching, or the best found with a proven bound.

Steps: compatible pairs (numpy, by bucket and spatial cell); columns (a free pair, or a paid pair
with one stream that could pay it); starting solutions (first come first served, by value); the
linear relaxation over a working set of columns grown by pricing, whose row prices give a
Lagrangian bound over every column; rounding of the relaxation; reduced-cost fixing (a column
whose reduced cost would take the bound below the best solution cannot be in a better one); then
the integer program of each independent component with HiGHS, warm-started; finally every need
that still fits is added, and the unmet needs are explained.

Every phase asks the clock (from process start on the command line) for the time left; when it runs
out in any phase the best assignment so far is returned, completed, with `status: time_limit`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import heuristics, parts
from .arrays import BoolArray, FloatArray, IntArray, best_first_within, small_pages, top_per_group, weighted_count
from .clock import Clock
from .cuts import cut_matrix, separate
from .explain import unmet_entries
from .finish import Finished, RowPrices, finish_unexamined
from .heuristics import State
from .keep import restore_kept
from .lp import CutRows, Relaxation, best_prices, components, lagrangian, solve_mip, subgradient
from .model import Columns, Rows, build_columns, build_rows
from .pairs import Pairs, build_pairs
from .problem import Problem
from .regions import improve_by_regions

Result = dict[str, Any]
Progress = Callable[[dict[str, Any]], None]

WORK_ALL = 400_000  # up to this many columns, the relaxation takes them all at once
WORK_MAX = 600_000  # the working set's columns, at most (the rest of the memory an LP grows with)
PER_NEED = 20  # otherwise: the best columns of each need to start the working set
ADD_PER_NEED = 20  # and the best priced-out columns of each need per pricing round
# With very many needs, fewer columns each, so that the working set stays about WORK_ALL columns: the
# relaxation of 70,000 needs with 20 columns each does not converge within two minutes, with 6 it does.
FEWEST_PER_NEED = 6
FEWEST_ADD_PER_NEED = 4
RESTRICTED_MAX = 120_000  # columns of the integer program over each need's best columns, when all are too many
MIP_MAX = 400_000  # the integer program is tried only on this many columns (after fixing) or fewer
KEEP_SHARE = 0.001  # keep_offer: the share of the objective that keeping proposals may cost, at most
BOUND_TOL = 1e-7  # relative: a bound this far below the objective is rounding, further is an error
COMPLETE_SHARE = 0.8  # of the pairs' time, kept for completing the result and its reasons (see run)
PART_COMPLETE_SHARE = 0.25  # the same for a part of a split problem (its result is not written)
# seconds per pair kept for completing, explaining and writing a result, at least (with a margin: on a
# machine with AVX-512 it took 0.15 us a pair on borough-2,000, 4.3M pairs, and 0.05 on the shared
# london-10,000; 1.5 us, the figure of the first engine, ended borough-2,000 at 8.4 s of a 15 s limit)
RESERVE_PER_PAIR = 4e-7
# seconds per column the capacity-aware trivial bound takes, about (2.3 s on 10M columns: london-10,000
# cut short at a 6 s limit, where the time had already run out)
TRIVIAL_BOUND_PER_COLUMN = 3e-7
# seconds past the limit the needs not examined may still take (of the 2 s allowed), less what the
# reasons and writing the result take after them: 12 us per need (0.7 s on london-10000 at load 4)
FINISH_GRACE = 1.0
AFTER_FINISH_PER_NEED = 12e-6
CONVERGED = 1e-6  # relative: pricing stops when the working set's relaxation is this near the bound
NEIGHBOURHOOD_SHARE = 0.3  # of the time left, at most, for the integer programs over neighbourhoods
# and in a part of a split problem, where the regions after them gain less from a worse start: the
# first program of london-10,000's beds (6,773 columns) found its +235k only after 5-6 s of its root
# node, so with 7.5 s it found it in some runs and nothing in others (the part then ended 40-130k
# from its bound instead of 5-13k)
PART_NEIGHBOURHOOD_SHARE = 0.4
# and only from this many columns after fixing: below it the program of every column does better
# (gen:tight-300-s22, 46,842 columns: 0.38% from its bound with neighbourhoods, 0.09% without)
NEIGHBOURHOOD_MIN = 60_000
WHOLE_BUDGET_SCALES = (0.0, 0.5, 1.0)  # budget prices tried for a part's bound at the whole budgets
WHOLE_BUDGET_SHARE = 0.15  # of a part's time, kept to solve its relaxation again with the whole budgets
WHOLE_BUDGET_LP_SHARE = 0.5  # of that, with pricing; subgradient steps from its prices the rest
TOP_BY_PASSES = 8  # up to this many columns per need are picked by passes, more by sorting
IMPROVE_SHARE = 0.5  # of the time left, at most, for exchanges on the incumbent before the programs
REGION_SHARE = 0.8  # of the time left after them, at most, for the integer programs of regions
# and in a part of a split problem, where the programs over each need's best columns after them found
# nothing more in the last 3 s of every traced run of london-10,000's beds, while the regions gained
# 2-15k a second
PART_REGION_SHARE = 0.95
PART_ENOUGH = 1e-5  # relative gap at which a part of a split problem stops (the whole's target is 1e-3)
SUBGRADIENT_SHARE = 0.25  # of the time left, at most, for subgradient steps on a relaxation not converged
CUT_ROUNDS = 30  # rounds of cuts on the knapsack rows (when every column is in the relaxation)


def _top_per_need(cols: Columns, score: FloatArray, count: int, mask: BoolArray | None = None) -> IntArray:
    """Indices of the `count` highest-score columns of each need (columns are sorted by need; among
    equal scores the first), of those in `mask` where given."""
    if 0 < count <= TOP_BY_PASSES and len(cols):
        return top_per_group(cols.need, score, count, mask)
    idx = np.flatnonzero(mask) if mask is not None else np.arange(len(cols))
    if not len(idx):
        return idx
    order = idx[best_first_within(cols.need[idx], score[idx], int(cols.need.max()) + 1)]
    need = cols.need[order]
    start = np.flatnonzero(np.r_[True, need[1:] != need[:-1]])
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
    return np.sort(order[rank < count])


def solve(
    problem: Mapping[str, Any] | Problem,
    time_limit: float = 60.0,
    started: float | None = None,
    on_progress: Progress | None = None,
) -> Result:
    """Match `problem` (a parsed version-1 problem) within about `time_limit` seconds; returns the
    result dict of the spec. Raises ProblemError for a malformed problem. `started` is the
    perf_counter reading the limit counts from (now where not given); `on_progress`, if given, is
    called with {"objective", "bound", "seconds", "method"} whenever the incumbent improves."""
    started_at = started if started is not None else time.perf_counter()
    with small_pages():
        parsed = problem if isinstance(problem, Problem) else Problem(problem)
        split = parts.plan(parsed, float(time_limit)) if not parsed.split else None
        if split is not None:
            return parts.solve_in_parts(parsed, split, started_at, float(time_limit), on_progress, _solve_part)
        return Solver(parsed, started_at, float(time_limit), on_progress).run()


def _solve_part(
    problem: Problem,
    started_at: float,
    time_limit: float,
    on_progress: Progress | None,
    last: parts.LastRun | None,
) -> tuple[Result, float]:
    """One part of a split problem, starting from its last run where given (its result, which still
    fits, and its relaxation's working set): its result, with the keys of its relaxation's last
    working set under "working_set" (None where every column was in it), and its bound at the
    whole budgets."""
    # a part that others spent from keeps a share of its time to solve its relaxation again with the
    # whole budgets, for its bound (see whole_budget_bound), unless its last run found that of little use
    spent = (last is None or last.whole_budget) and bool(
        np.any(problem.fam_budget < problem.fam_budget_total)
        or np.any(problem.stream_budget_arr < problem.stream_budget_total)
    )
    again = WHOLE_BUDGET_SHARE * time_limit if spent else 0.0
    solver = Solver(
        problem,
        started_at,
        time_limit - again,
        on_progress,
        last.assignments if last is not None else None,
        last.working_set if last is not None else None,
    )
    result = solver.run()
    left = started_at + time_limit - time.perf_counter()
    bound = solver.whole_budget_bound(result, left)
    result["working_set"] = solver.working_keys
    return result, bound


def column_keys(problem: Problem, cols: Columns) -> IntArray:
    """A key per column, the same for the same (need, offer, stream) in any build of the problem's
    columns; increasing, as columns are sorted by need, offer and stream."""
    return (cols.need * problem.n_offers + cols.offer) * (problem.n_streams + 1) + cols.stream + 1


def _columns_of_keys(problem: Problem, cols: Columns, wanted: IntArray) -> IntArray:
    """The columns whose keys (column_keys, increasing) are among `wanted`, in column order."""
    keys = column_keys(problem, cols)
    at = np.searchsorted(keys, wanted)
    at = at[at < len(keys)]
    return np.unique(at[np.isin(keys[at], wanted)])


class Solver:
    def __init__(
        self,
        problem: Problem,
        started_at: float,
        time_limit: float,
        on_progress: Progress | None = None,
        start: list[dict[str, Any]] | None = None,
        working: IntArray | None = None,
    ) -> None:
        self.problem = problem
        self.start = start  # assignments to start from (a part solved again: its last result)
        # a part solved again: its last relaxation's working set (column_keys), which the relaxation
        # starts from instead of pricing its way there again (beds of london-10,000: 7-8 rounds of
        # pricing took 7-11 s of a second run of 24-35 s, after 2-4 rounds in the first)
        self.working = working
        self.working_keys: IntArray | None = None  # this run's last working set, for the next
        # columns per need in the relaxation's first working set, and added per pricing round: a part
        # of a split problem, with a short share of the time, takes the fewest (london-10,000's ESOL
        # part, 10,475 needs: with 20 and 20 its relaxation did one round in 15 s, 1.2% from
        # converging; with 6 and 4 it converged in 6 rounds, 8.8 s; beds and housing in 4.2 and 3.5 s
        # instead of 7.2 and 6.2, to the same bound)
        self.per_need = (FEWEST_PER_NEED, FEWEST_ADD_PER_NEED) if problem.split else (PER_NEED, ADD_PER_NEED)
        self.clock = Clock(started_at, max(0.1, time_limit))
        self.limit = self.clock.limit
        self.on_progress = on_progress
        self.stats: dict[str, Any] = {}
        self.timed_out = False
        self.reserve = 0.3 + 0.02 * self.limit
        self.best_reported = -np.inf
        self.bound_reported = np.inf
        self.bound_extra = 0.0  # what the needs whose pairs were not generated add to any bound
        # the best Lagrangian bound over the needs examined, with its offer and budget row prices
        self.lag: tuple[float, RowPrices] | None = None
        # a part of a split problem: what of each budget key others spent, and the bounds that stay
        # valid at the whole budgets (see whole_budget_bound)
        self.key_spent: FloatArray = np.zeros(0)
        self.lag_inputs: tuple[Rows, Columns, FloatArray] | None = None  # rows, columns, prices of self.lag
        self.trivial_whole = np.inf
        self.trivial = np.inf  # each need at most once (see _need_bound): the bound the relaxation starts from
        self.relaxation: tuple[Relaxation, int] | None = None  # a part's last relaxation, and its cuts
        self.true_value: FloatArray | None = None  # keep_offer: the columns' own values (cols.value has the bonus)
        self.best_true = -np.inf  # keep_offer: the best objective found, in the columns' own values

    def left(self) -> float:
        return self.clock.left()

    def _start_columns(self, cols: Columns) -> IntArray:
        """The columns of the assignments `start` (need, offer and stream ids), in file order of needs."""
        problem = self.problem
        wanted = np.array(
            [
                (problem.need_index[entry["need"]] * problem.n_offers + problem.offer_index[entry["offer"]])
                * (problem.n_streams + 1)
                + (problem.stream_index[entry["stream"]] + 1 if entry["stream"] is not None else 0)
                for entry in self.start or ()
            ],
            dtype=np.int64,
        )
        return _columns_of_keys(problem, cols, wanted)

    def _keep_reserve(self, pairs: Pairs, pairs_seconds: float) -> None:
        """Add to the reserve the time what follows the optimisation takes: the result, and the needs
        whose pairs were not generated in time."""
        problem = self.problem
        # reserve time for completing, explaining and writing the result: RESERVE_PER_PAIR, and at
        # least COMPLETE_SHARE of the time the pairs took (which grows with the load as the completion
        # does: 0.7 measured on london-10000 at load 10)
        # (a part of a split problem writes nothing and explains only its own needs: the share alone)
        # (a part's completion and reasons took 0.04 s of the 1 s this kept on a furniture part of
        # london-10,000: a smaller share, the rest of the part's time for its relaxation)
        per_pair = 0.0 if problem.split else RESERVE_PER_PAIR
        self.reserve += max(
            per_pair * len(pairs), (PART_COMPLETE_SHARE if problem.split else COMPLETE_SHARE) * pairs_seconds
        )
        if not pairs.complete:
            # the needs not examined get their pairs after the optimisation (finish_unexamined), each
            # added where it fits: keep the time their pairs would take at the examined ones' rate
            # (london-10,000 at 10 s: a relaxation of 2.3 s over 7.7M columns gained nothing, and the
            # needs examined late in the 3.1 s left brought 100.7M where they had brought 104.2M)
            examined = int(pairs.examined.sum())
            self.reserve += pairs_seconds * (problem.n_needs - examined) / max(1, examined)

    def report(self, state: State, method: str, bound: float | None = None) -> None:
        """Tell the caller's progress callback when the incumbent improves."""
        if bound is not None:
            self.bound_reported = min(self.bound_reported, bound + self.bound_extra)
        if self.true_value is not None:
            self.best_true = max(self.best_true, float(self.true_value[state.columns()].sum()))
        if self.on_progress is None:
            return
        objective = state.objective()
        if objective <= self.best_reported + 1e-9:
            return
        self.best_reported = objective
        self.on_progress(
            {
                "objective": objective,
                "bound": None if not np.isfinite(self.bound_reported) else float(self.bound_reported),
                "seconds": round(self.clock.elapsed(), 3),
                "method": method,
            }
        )

    def run(self) -> Result:
        problem = self.problem
        # the pairs may take the time up to what the rest needs (completion, reasons, writing)
        pairs_started = time.perf_counter()
        pairs = build_pairs(problem, self.clock.at(self.reserve))
        pairs_seconds = time.perf_counter() - pairs_started
        cols = build_columns(problem, pairs)
        rows = build_rows(problem, cols)
        self.stats["setup_seconds"] = round(self.clock.elapsed(), 3)
        self.stats.update(pairs=len(pairs), columns=len(cols), rows=rows.n_rows)
        self.key_spent = _key_totals(problem, cols) - cols.key_budget
        self._keep_reserve(pairs, pairs_seconds)
        deadline = self.clock.at(self.reserve)
        if not pairs.complete:
            self.timed_out = True
            self.stats.update(pairs_complete=False, needs_not_examined=int((~pairs.examined).sum()))
            self.bound_extra = self._unexamined_bound(pairs.examined, 0.0)
        # the starts: best value first (the better one), then, time allowing, first come first served
        # (the baseline the result is never below when it completes)
        fill_started = time.perf_counter()
        by_value = heuristics.by_value(problem, cols, deadline if pairs.complete else self.clock.hard_end())
        fill_seconds = time.perf_counter() - fill_started
        true_value = self.true_value = self._keep_bonus(cols, by_value.objective())
        starts = {"by_value": by_value}
        if true_value is not None and pairs.complete:
            # last run's proposals where they still fit, then the rest by value: a start that the
            # relaxation and the integer programs leave only for a better objective
            keeps = np.flatnonzero(cols.offer == problem.need_keep[cols.need])
            order = keeps[np.lexsort((keeps, -cols.value[keeps]))]
            starts["kept"] = heuristics.complete(State(problem, cols).fill(order, deadline))
        if self.start and pairs.complete:
            starts["previous_run"] = heuristics.complete(State(problem, cols).fill(self._start_columns(cols)))
        # (not for a part of a split problem whose needs are all of one unit, an assignment problem
        # but for budgets: on every such part of london-10,000 best value first was the better start,
        # and first come took 1.3 s of a furniture part's 8)
        unit_part = problem.split and bool(np.all(problem.need_units == 1))
        if pairs.complete and self.left() - self.reserve > 2 * fill_seconds and not unit_part:
            first = heuristics.first_come(problem, cols, deadline)
            if not first.cut_short:
                starts["first_come"] = first
                own = true_value if true_value is not None else cols.value
                self.stats["first_come_objective"] = round(float(own[first.columns()].sum()), 6)
        best_name = max(starts, key=lambda name: starts[name].objective())
        best = starts[best_name]
        method = best_name
        # each need at most once: the relaxation starts from it; the capacity-aware trivial bound (a
        # sort of every pair by offer: 0.5-1 s a part of london-10,000, a tenth of a furniture
        # part's time) only where no relaxation gives a Lagrangian bound, which is far below it
        bound, status = self._need_bound(cols), "heuristic"
        self.trivial = bound
        self.trivial_whole = bound + self.bound_extra  # no budget in it: it holds at the whole budgets
        self.report(best, method, bound)
        # the relaxation needs time to be built (about as long as a pass over its columns) and solved
        lp_cost = 0.5 + 2 * fill_seconds * min(1.0, WORK_ALL / max(1, len(cols)))
        if len(cols) and not by_value.cut_short and self.left() - self.reserve > lp_cost:
            # with pairs cut short, over the needs examined (the bound adds what the others could)
            best, method, bound, status = self._optimise(rows, cols, best, method)
        elif len(cols) or not pairs.complete:
            self.timed_out, status = True, "time_limit"
        bound = self._bound_without_lagrangian(cols, bound)
        if not pairs.complete:
            bound, status = bound + self.bound_extra, "time_limit"
        self._polish(best, by_value.cut_short)
        heuristics.complete(best)
        if true_value is not None and pairs.complete:
            self._restore_kept(best, true_value)
        finished = None
        if not pairs.complete:
            # the needs not examined: their pairs now, each added where it still fits, so that the
            # result is maximal and every reason is true (as far as the clock allows)
            finished = finish_unexamined(
                problem,
                cols,
                best,
                pairs.examined,
                self.clock.at(-FINISH_GRACE + AFTER_FINISH_PER_NEED * problem.n_needs),
                self.lag[1] if self.lag is not None else None,
            )
            if self.lag is not None:
                # the same prices over the needs examined late, and each need left's priority value
                still = self._unexamined_bound(finished.examined, 0.0)
                late = finished.examined & ~pairs.examined
                self.stats.update(
                    late_needs_priced=round(finished.priced, 6),
                    late_needs_priority=round(float(np.maximum(problem.need_pv[late], 0.0).sum()), 6),
                )
                bound = min(bound, self.lag[0] + finished.priced + still)
            self.stats.update(
                needs_not_examined=int((~finished.examined).sum()),
                needs_examined_late=int((finished.examined & ~pairs.examined).sum()),
                needs_added_late=len(finished.need),
            )
        return self._result(pairs, cols, best, method, bound, status, true_value, finished)

    def _result(
        self,
        pairs: Pairs,
        cols: Columns,
        best: State,
        method: str,
        bound: float,
        status: str,
        true_value: FloatArray | None,
        finished: Finished | None = None,
    ) -> Result:
        """The result dict: assignments, unmet needs with their reasons, stats."""
        problem = self.problem
        late = finished.value if finished is not None else 0.0
        objective = best.objective() + late
        if true_value is not None:
            self._keep_stats(cols, best, objective, true_value)
            cols.value = true_value
        chosen = best.columns()
        triples = list(
            zip(cols.need[chosen].tolist(), cols.offer[chosen].tolist(), cols.stream[chosen].tolist(), strict=True)
        )
        if finished is not None:
            triples.extend(zip(finished.need, finished.offer, finished.stream, strict=True))
        assignments = [problem.assignment(need, offer, stream) for need, offer, stream in sorted(triples)]
        unmet = unmet_entries(problem, pairs, cols, best, deadline=self.clock.hard_end(), finished=finished)
        if any("blocking" not in entry for entry in unmet if entry["reason"] == "no_compatible_offer"):
            self.stats["blocking_complete"] = False
        # the gap is of the objective the engine maximised (the keep_offer bonus in)
        if not np.isfinite(bound):
            self.stats.update(
                objective=objective, bound=None, gap=None, status=status, method=method, timed_out=self.timed_out
            )
            self.stats["seconds"] = round(self.clock.elapsed(), 3)
            return {"assignments": assignments, "unmet": unmet, "stats": self.stats}
        gap = (bound - objective) / max(1.0, abs(bound))  # of the objective with any keep bonus
        objective = best.objective() + late  # the objective of the spec (cols.value: the true values)
        if -BOUND_TOL <= gap < 0:  # floating-point rounding of an exact bound, not an error
            bound, gap = max(bound, objective), 0.0
        self.stats.update(
            objective=objective,
            bound=bound,
            gap=gap,
            status=status,
            method=method,
            timed_out=self.timed_out,
            seconds=round(self.clock.elapsed(), 3),
        )
        if gap < -BOUND_TOL:
            # a proven bound below a feasible solution means a step is wrong: say so, claim nothing
            self.stats["bound_below_objective"] = True
            self.stats["status"] = "heuristic" if status == "optimal" else status
        elif status != "optimal" and gap <= 1e-9 and pairs.complete:
            self.stats["status"] = "optimal"
        return {"assignments": assignments, "unmet": unmet, "stats": self.stats}

    def whole_budget_bound(self, result: Result, seconds: float = 0.0) -> float:
        """A bound on this problem with the whole budgets (it is a part of a split problem that others
        spent from): the result's own bound where nothing was spent of its budgets; else the smallest
        of the bound without any relaxation, the sum of the priority values (weights not negative),
        and the Lagrangian at the whole budgets with the relaxation's budget prices scaled by each of
        WHOLE_BUDGET_SCALES or, given `seconds`, at the prices of the relaxation solved again with the
        whole budgets, or, where that does not converge in time (pricing), at prices stepped from the
        best of those by subgradient steps (lp.subgradient: london-10,000's ESOL part, optimum
        10.325M, 10.359M without them, 10.332-10.336M with); each plus what the needs not examined
        could add."""
        bound = result["stats"].get("bound")
        if bound is not None and not np.any(self.key_spent > 0):
            return float(bound)
        candidates = [self.trivial_whole]
        if self.problem.cost_weight >= 0 and self.problem.distance_weight >= 0:  # no pair beats its priority
            candidates.append(float(np.maximum(self.problem.need_pv, 0.0).sum()))
        if self.lag_inputs is not None:
            # the Lagrangian at the whole budgets, with the relaxation's budget prices scaled (prices
            # found for less budget price it too dearly); cuts are left out, as a cut on a budget
            # row may hold only for the budget left
            rows, cols, prices = self.lag_inputs
            whole = Rows(rows.n_rows, rows.need_row, rows.offer_row, rows.key_row, rows.upper.copy())
            has_row = rows.key_row >= 0
            whole.upper[rows.key_row[has_row]] = _key_totals(self.problem, cols)[has_row]
            key_rows = rows.key_row[has_row]
            deadline = time.perf_counter() + seconds
            best: tuple[float, FloatArray] = (np.inf, prices[: rows.n_rows])
            for scale in WHOLE_BUDGET_SCALES:
                scaled = prices[: rows.n_rows].copy()
                scaled[key_rows] *= scale
                best = min(best, (lagrangian(whole, cols, scaled)[0], scaled), key=lambda pair: pair[0])
            converged = False
            if self.relaxation is not None and seconds > 0.05:
                # with pricing the relaxation may not converge in time: half the time, and
                # subgradient steps from its prices the rest
                share = WHOLE_BUDGET_LP_SHARE * seconds if len(cols) > WORK_ALL else seconds
                again, again_prices, converged = self._whole_budget_relaxation(
                    *self.relaxation, whole, cols, key_rows, share
                )
                best = min(best, (again, again_prices), key=lambda pair: pair[0])
            if not converged and deadline - time.perf_counter() > 0.05 and len(cols) > WORK_ALL:
                stepped = subgradient(whole, cols, best[1], float(result["stats"]["objective"]), deadline)
                if stepped is not None:
                    best = min(best, (stepped[0], stepped[2]), key=lambda pair: pair[0])
            candidates.append(best[0] + self.bound_extra)
        self.relaxation = None
        return float(min(candidates))

    def _whole_budget_relaxation(
        self, relax: Relaxation, n_cuts: int, whole: Rows, cols: Columns, key_rows: IntArray, seconds: float
    ) -> tuple[float, FloatArray, bool]:
        """The Lagrangian at the prices of the relaxation solved again, from its last basis, with the
        whole budgets and without its cuts (a cut on a budget row may hold only for the budget left),
        those prices, and whether it converged (the bound is then the relaxation's). The prices
        scaled from the relaxation on the budgets left price them too dearly or not at all: on
        london-10,000's ESOL part (optimum 10.325M with the whole budgets) they bounded it by
        10.39-10.45M."""
        relax.set_upper(key_rows, whole.upper[key_rows])
        relax.set_upper(whole.n_rows + np.arange(n_cuts), np.full(n_cuts, np.inf))
        bound, deadline = float("inf"), time.perf_counter() + seconds
        prices = np.zeros(whole.n_rows)
        # with pricing, as the first time: columns the whole budgets make worth having are priced in
        while (left := deadline - time.perf_counter()) > 0.05:
            ok, _, duals, value = relax.run(left)
            if len(duals) < whole.n_rows:
                break
            lag, _, raised, reduced = best_prices(whole, cols, duals[: whole.n_rows])
            if lag < bound:
                bound, prices = lag, raised
            if not ok:
                break
            if lag - value <= CONVERGED * max(1.0, abs(lag)) or not _price_in(cols, relax, reduced, self.per_need[1]):
                return bound, prices, True
        return bound, prices, False

    def _keep_bonus(self, cols: Columns, floor: float) -> FloatArray | None:
        """The `keep_offer` extension: every column that keeps a need on the offer it was proposed
        last time gets the same small bonus, together at most KEEP_SHARE of `floor` (a feasible
        objective, so at most that share of the optimum). Maximising the objective with the bonus
        then keeps as many proposals as it can among solutions within KEEP_SHARE of the best.
        Returns the columns' own values (None when nothing is to be kept)."""
        keep = self.problem.need_keep
        wanted = int((keep >= 0).sum())
        if not wanted or not len(cols):
            return None
        keeps = cols.offer == keep[cols.need]
        bonus = KEEP_SHARE * max(0.0, floor) / wanted
        true_value = cols.value
        cols.value = true_value + np.where(keeps, bonus, 0.0)
        self.stats.update(keep_wanted=wanted, keep_bonus=bonus)
        return true_value

    def _restore_kept(self, best: State, true_value: FloatArray) -> None:
        """Put proposals back on their kept offers while the objective stays within KEEP_SHARE of the
        best found (see keep.py); then add every need that the moves left room for."""
        present = float(true_value[best.columns()].sum())
        self.best_true = max(self.best_true, present)
        allowance = KEEP_SHARE * self.best_true - (self.best_true - present)
        if allowance <= 0:
            return
        restored = restore_kept(best, self.problem.need_keep, true_value, allowance, self.clock.at(0.5 * self.reserve))
        heuristics.complete(best)
        self.stats["keep_restored"] = restored

    def _keep_stats(self, cols: Columns, best: State, with_bonus: float, true_value: FloatArray) -> None:
        chosen = best.columns()
        kept = int((cols.offer[chosen] == self.problem.need_keep[cols.need[chosen]]).sum())
        self.stats.update(keep_kept=kept, objective_with_keep_bonus=with_bonus)

    def _unexamined_bound(self, examined: BoolArray, examined_bound: float) -> float:
        """A bound when the pairs of some needs were not generated: the bound over the pairs found,
        plus each unexamined need's priority value (no pair is worth more while the cost and
        distance weights are not negative); infinite otherwise."""
        problem = self.problem
        if problem.cost_weight < 0 or problem.distance_weight < 0:
            return float("inf")
        return examined_bound + float(np.maximum(problem.need_pv[~examined], 0.0).sum())

    def _bound_without_lagrangian(self, cols: Columns, bound: float) -> float:
        """Where no relaxation gave a Lagrangian bound: `bound` or the trivial bound, the smaller, if the
        time left allows its sort of every column (`bound` alone otherwise)."""
        if self.lag is not None or not len(cols):
            return bound
        if self.left() < 2 * TRIVIAL_BOUND_PER_COLUMN * len(cols):
            return bound  # (twice: as long again for the completion after it)
        trivial = self._trivial_bound(cols)
        self.trivial_whole = min(self.trivial_whole, trivial + self.bound_extra)
        return min(bound, trivial)

    @staticmethod
    def _need_bound(cols: Columns) -> float:
        """A bound without any relaxation: each need at most once (the sum of each need's best column
        value, the maximum of its run: columns are sorted by need)."""
        if not len(cols):
            return 0.0
        starts = np.flatnonzero(np.r_[True, cols.need[1:] != cols.need[:-1]])
        return float(np.maximum(np.maximum.reduceat(cols.value, starts), 0.0).sum())

    def _trivial_bound(self, cols: Columns) -> float:
        """A bound without any relaxation: the smaller of two. Each need at most once (_need_bound),
        and each offer's capacity at most full (per offer, the best values of the needs it could
        serve, taken by value per unit until its capacity is used, the last one in part)."""
        if not len(cols):
            return 0.0
        per_need = self._need_bound(cols)
        first = np.ones(len(cols), dtype=bool)  # one column per pair (a pair's value is the same for every stream)
        first[1:] = cols.pair[1:] != cols.pair[:-1]
        chosen = np.flatnonzero(first & (cols.value > 0))
        units = cols.units[chosen].astype(float)
        order = best_first_within(cols.offer[chosen], cols.value[chosen] / units, self.problem.n_offers)
        chosen, units = chosen[order], units[order]
        offer = cols.offer[chosen]
        cumulative = np.cumsum(units)
        start = np.flatnonzero(np.r_[True, offer[1:] != offer[:-1]])
        before = np.repeat(np.r_[0.0, cumulative][start], np.diff(np.r_[start, len(chosen)]))
        used_before = cumulative - units - before
        share = np.clip(self.problem.offer_cap[offer] - used_before, 0.0, units) / units
        per_offer = float((cols.value[chosen] * share).sum())
        return min(per_need, per_offer)

    def _optimise(self, rows: Rows, cols: Columns, best: State, method: str) -> tuple[State, str, float, str]:
        """The relaxation and its bound, then reduced-cost fixing and the integer program of each
        component. Returns (best, method, bound, status)."""
        state = self._relax(rows, cols, best, method)
        best, method, bound = state.best, state.method, state.bound
        if state.y_best is not None and np.isfinite(state.lag):
            extended = np.append(np.maximum(state.y_best[: rows.n_rows], 0.0), 0.0)
            key = extended[rows.key_row] if len(rows.key_row) else np.zeros(len(cols.key_budget))
            self.lag = (state.lag, RowPrices(offer=extended[rows.offer_row], key=key))
            if np.any(self.key_spent > 0):
                self.lag_inputs = (rows, cols, state.y_best)
        if state.rc_best is None or state.y_best is None:
            return best, method, bound, "heuristic" if not self.timed_out else "time_limit"
        if self._close_enough(bound, best.objective()):
            return best, method, bound, "gap_left"
        # ---- reduced-cost fixing, then the integer program of each component --------------------
        floor = best.objective()
        keep = state.lag + state.rc_best >= floor - 1e-6 * max(1.0, abs(floor))
        keep[best.columns()] = True
        kept = np.flatnonzero(keep)
        self.stats["columns_after_fixing"] = len(kept)
        if len(kept) > MIP_MAX:
            if state.support is not None:
                # first the programs over the relaxation's solution and its neighbourhoods: on the
                # beds of the generated london-10,000 (2.5M columns kept) the restricted programs
                # below found nothing better than the rounding in 45 s, these 0.8% more in 15 s
                floor = self._neighbourhoods(rows, cols, state, kept)
            # regions only in a part of a split problem: on whole problems of this size the programs
            # over every need's best columns did better with the time (borough-2,000: 0.055% from the
            # bound without regions, 0.097-0.109% with them first)
            floor = self._improve(state, bound, rows, keep if self.problem.split else None)
            self.timed_out = self.timed_out or bound - floor > 1e-9 * max(1.0, abs(bound))
            return self._restricted_rounds(rows, cols, state, kept, bound)
        if state.support is not None and len(kept) >= NEIGHBOURHOOD_MIN:
            floor = self._neighbourhoods(rows, cols, state, kept)
        floor = self._improve(state, bound, rows, keep if len(kept) >= NEIGHBOURHOOD_MIN else None)
        if self._close_enough(bound, floor):
            return state.best, state.method, bound, "gap_left"
        return self._solve_components(rows, cols, state, kept, floor)

    def _polish(self, best: State, cut_short: bool) -> None:
        """Exchanges on the final incumbent with the time left before the reserve (a part that stopped
        near its bound has some), unless its start was cut short (the columns were not all seen)."""
        if len(best.cols) and not cut_short:
            moves = heuristics.improve(best, self.clock.at(self.reserve))
            self.stats["exchanges"] = self.stats.get("exchanges", 0) + moves

    def _improve(self, state: RelaxationState, bound: float, rows: Rows, kept: BoolArray | None) -> float:
        """Exchanges on the incumbent (heuristics.improve) within IMPROVE_SHARE of the time left, then,
        where `kept` (the columns reduced-cost fixing kept) is given, the integer programs of its
        regions (regions.improve_by_regions) within REGION_SHARE of it (PART_REGION_SHARE in a part of a
        split problem), before the integer programs
        over every need; those start from what these find. Returns the incumbent's objective."""
        before = state.best.objective()
        if bound - before <= 1e-9 * max(1.0, abs(bound)):
            return before
        deadline = time.perf_counter() + IMPROVE_SHARE * max(0.0, self.left() - self.reserve)
        moves = heuristics.improve(state.best, deadline)
        self.stats["exchanges"] = self.stats.get("exchanges", 0) + moves
        if kept is not None and state.rc_best is not None and not self._close_enough(bound, state.best.objective()):
            share = PART_REGION_SHARE if self.problem.split else REGION_SHARE
            deadline = time.perf_counter() + share * max(0.0, self.left() - self.reserve)
            enough = bound - PART_ENOUGH * max(1.0, abs(bound)) if self.problem.split else np.inf
            solved, improved = improve_by_regions(state.best, rows, state.rc_best, deadline, kept, enough)
            self.stats["region_programs"] = self.stats.get("region_programs", 0) + solved
            self.stats["regions_improved"] = self.stats.get("regions_improved", 0) + improved
        after = state.best.objective()
        if after > before + 1e-9:
            state.method = "exchanges"
            self.report(state.best, state.method)
        return after

    def _restricted_rounds(
        self, rows: Rows, cols: Columns, state: RelaxationState, kept: IntArray, bound: float
    ) -> tuple[State, str, float, str]:
        """When too many columns are kept for one integer program: programs over each need's best
        columns by reduced cost, twice as many each time while time is left (and the subset is within
        MIP_MAX); a subset that is every column kept is the program itself. A round starts only if
        twice the last one's seconds, scaled by the columns, fit in the time left: HiGHS's first
        solve of a large program is not interrupted at once (a 103k-column one ran 3.7 s past its
        13.8 s share, and london-10000 past its limit + 2 s)."""
        best, method = state.best, state.method
        per_need = max(1, RESTRICTED_MAX // max(1, self.problem.n_needs))
        rounds, last_seconds, last_size = 0, 0.0, 1
        while self.timed_out and self.left() - self.reserve > 1.0 and not self._close_enough(bound, best.objective()):
            state.best, state.method = best, method
            subset = self._restricted_subset(cols, state, kept, per_need)
            if rounds and len(subset) > MIP_MAX:
                break
            if rounds and 2 * last_seconds * len(subset) / last_size > self.left() - self.reserve:
                break
            if len(subset) >= len(kept):
                return self._solve_components(rows, cols, state, kept, best.objective())
            round_started = time.perf_counter()
            best, method, _ = self._restricted_mip(rows, cols, state, subset, best.objective())
            last_seconds, last_size = time.perf_counter() - round_started, len(subset)
            rounds += 1
            self.stats.update(restricted_rounds=rounds, restricted_columns=len(subset))
            per_need *= 2
        return best, method, bound, "optimal" if not self.timed_out else "gap_left"

    def _close_enough(self, bound: float, objective: float) -> bool:
        """A part of a split problem this close to its bound ends, its time left to the other parts
        (london-10,000's housing part, 65M, was 23 from its bound after 13 s of its 26)."""
        return self.problem.split and bound - objective <= PART_ENOUGH * max(1.0, abs(bound))

    def _neighbourhoods(self, rows: Rows, cols: Columns, state: RelaxationState, kept: IntArray) -> float:
        """Before the integer program of every column (or over each need's best columns, when too many
        are kept for it): the integer program over the relaxation's solution and the incumbent (a few
        thousand columns), then with each need's best column by reduced cost, then 2, 4, ... while
        each is solved to optimality, all within NEIGHBOURHOOD_SHARE of the time left, and each is
        under half the columns. On borough-500 the program of all its
        146,000 columns finds nothing better than the rounding in 7 s; these find 0.02% more in 2 s.
        Updates state.best; returns its objective."""
        per_need = 0
        # the neighbourhoods end with NEIGHBOURHOOD_SHARE of the time left used, at the latest (a
        # part of a split problem: PART_NEIGHBOURHOOD_SHARE)
        share = PART_NEIGHBOURHOOD_SHARE if self.problem.split else NEIGHBOURHOOD_SHARE
        reserve = self.reserve + (1 - share) * max(0.0, self.left() - self.reserve)
        while self.left() - reserve > 0.5 and state.support is not None:
            if self._close_enough(state.bound, state.best.objective()):
                break
            subset = np.union1d(state.support, state.best.columns())
            if per_need:
                subset = np.union1d(subset, self._restricted_subset(cols, state, kept, per_need))
            if len(subset) > len(kept) // 2:
                break
            saved, timed_out = self.reserve, self.timed_out
            self.reserve = reserve
            state.best, state.method, solved = self._restricted_mip(rows, cols, state, subset, state.best.objective())
            self.reserve, self.timed_out = saved, timed_out
            self.stats.update(neighbourhood_columns=len(subset), neighbourhood_per_need=per_need)
            if not solved:
                break
            per_need = 2 * per_need or 1
        return state.best.objective()

    @staticmethod
    def _restricted_subset(cols: Columns, state: RelaxationState, kept: IntArray, per_need: int) -> IntArray:
        """Each need's `per_need` best columns of `kept` by reduced cost, and the incumbent's."""
        if state.rc_best is None:
            return kept
        in_kept = np.zeros(len(cols), dtype=bool)
        in_kept[kept] = True
        subset = _top_per_need(cols, state.rc_best, per_need, in_kept)
        return np.union1d(subset, state.best.columns())

    def _restricted_mip(
        self, rows: Rows, cols: Columns, state: RelaxationState, subset: IntArray, floor: float
    ) -> tuple[State, str, bool]:
        """The integer program over a subset of the columns (each need's best columns by reduced cost,
        and the incumbent's), so the time is used to improve the solution. Whatever it finds is
        feasible for the whole problem; the bound is not touched (it would hold only for the subset).
        Returns (best, method, whether the subset's program was solved to optimality)."""
        sub_state = RelaxationState(best=state.best, method=state.method, bound=state.bound)
        sub_state.cuts, sub_state.y_best, sub_state.rc_best, sub_state.lag = (
            state.cuts,
            state.y_best,
            state.rc_best,
            state.lag,
        )
        best, method, _, status = self._solve_components(rows, cols, sub_state, subset, floor, proves=False)
        if method == "integer_program":
            method = "restricted_integer_program"
        return best, method, status == "optimal"

    # ---- the relaxation ---------------------------------------------------------------------------
    def _relax(self, rows: Rows, cols: Columns, best: State, method: str) -> RelaxationState:
        """The linear relaxation with pricing over every column, rounded as it goes; records its
        statistics. Returns the RelaxationState it ends in."""
        state = RelaxationState(best=best, method=method, bound=self.trivial)
        lp_started = time.perf_counter()
        working = _working_set(cols, best, self.per_need[0])
        if self.working is not None and len(cols) > WORK_ALL:
            working = np.union1d(working, _columns_of_keys(self.problem, cols, self.working))
        relax = Relaxation(rows, cols, working, self.left() - self.reserve)
        lp_budget = 0.5 * (self.left() - self.reserve)
        self._relaxation_rounds(rows, cols, relax, state, lp_started, lp_budget)
        if len(cols) > WORK_ALL:
            self.working_keys = column_keys(self.problem, cols)[relax.idx]
            if state.y_best is not None and not _converged(state):
                # prices of a working set that has not converged bound the columns outside it loosely
                deadline = time.perf_counter() + SUBGRADIENT_SHARE * max(0.0, self.left() - self.reserve)
                stepped = subgradient(rows, cols, state.y_best, state.best.objective(), deadline)
                if stepped is not None:
                    state.take_prices(*stepped)
                    self.stats["subgradient_bound"] = round(stepped[0], 6)
        if self.problem.split and np.any(self.key_spent > 0):
            self.relaxation = (relax, len(state.cuts))  # solved again at the whole budgets for the bound
        self.stats.update(
            lp_rounds=state.rounds,
            cut_rounds=state.cut_rounds,
            cuts=len(state.cuts),
            lp_columns=len(relax.idx),
            lp_columns_dropped=state.dropped,
            lp_seconds=round(time.perf_counter() - lp_started, 3),
            lp_objective=state.lp_value,
        )
        if state.shares is not None and len(state.shares) == len(relax.idx):
            self._take_rounding(state, cols, state.shares, relax.idx)
            state.support = relax.idx[state.shares > 1e-6]
        return state

    def _take_rounding(self, state: RelaxationState, cols: Columns, shares: FloatArray, idx: IntArray) -> None:
        """Round the relaxation (a pass over its columns, cut short at the deadline, then completed)
        and keep it if it beats the incumbent."""
        rounded = heuristics.from_lp(self.problem, cols, shares, idx, self.clock.at(self.reserve))
        if state.take_rounding(rounded):
            self.report(rounded, "lp_rounding", state.bound)

    def _relaxation_rounds(
        self,
        rows: Rows,
        cols: Columns,
        relax: Relaxation,
        state: RelaxationState,
        lp_started: float,
        lp_budget: float,
    ) -> None:
        """Solve the relaxation again and again: each time its prices may improve the Lagrangian bound,
        then either cuts are added (every column is in) or priced-out columns are; until nothing
        changes, a limit is reached or time runs out."""
        every_column = len(cols) <= WORK_ALL
        while True:
            budget = self.left() - self.reserve
            if budget <= 0.05:
                self.timed_out = True
                break
            ok, state.shares, prices, state.lp_value = relax.run(budget if every_column else budget * 0.6)
            state.rounds += 1
            if len(prices) != rows.n_rows + len(state.cuts):
                break
            reduced = state.take_prices(*best_prices(rows, cols, prices, state.cuts))
            if not ok:
                self.timed_out = True
                break
            if every_column:
                if not self._cut_round(rows, cols, relax, state, lp_started, lp_budget):
                    break
            elif self.left() - self.reserve <= 0.05 or _converged(state):
                break
            else:
                if state.shares is not None:  # room for the round's columns within WORK_MAX
                    adding = _per_need(cols, self.per_need[1], FEWEST_ADD_PER_NEED) * self.problem.n_needs
                    state.dropped += relax.drop(reduced, state.shares, WORK_MAX - adding)
                if not _price_in(cols, relax, reduced, self.per_need[1]):
                    break

    def _cut_round(
        self,
        rows: Rows,
        cols: Columns,
        relax: Relaxation,
        state: RelaxationState,
        lp_started: float,
        lp_budget: float,
    ) -> bool:
        """With every column in the relaxation, strengthen the knapsack rows with cuts (rounding the
        relaxation every third round); False when it is time to stop."""
        if state.cut_rounds >= CUT_ROUNDS or time.perf_counter() - lp_started > lp_budget:
            return False
        if state.shares is None:
            return False
        shares_all = np.zeros(len(cols))
        shares_all[relax.idx] = state.shares
        if state.cut_rounds % 3 == 0:
            self._take_rounding(state, cols, state.shares, relax.idx)
        if state.bound - state.best.objective() <= 1e-9 * max(1.0, abs(state.bound)):
            return False
        found = separate(self.problem, cols, rows, shares_all)
        if not found:
            return False
        cut_rows, cut_cols, cut_values = cut_matrix(self.problem, cols, found)
        rhs = np.array([cut[4] for cut in found])
        relax.add_cuts(cut_rows, cut_cols, cut_values, rhs)
        state.cuts.extend(cut_rows, cut_cols, cut_values, rhs)
        state.cut_rounds += 1
        return True

    # ---- the integer programs ---------------------------------------------------------------------
    def _solve_components(
        self, rows: Rows, cols: Columns, state: RelaxationState, kept: IntArray, floor: float, proves: bool = True
    ) -> tuple[State, str, float, str]:
        """The integer program of each component of the columns `kept` after fixing whose bound is
        above what the incumbent (of objective `floor`) has in it. Returns (best, method, bound,
        status); the bound holds for the whole problem only if `proves` (kept is every column that
        fixing left), and is not reported otherwise."""
        best, method = state.best, state.method
        label, count = components(rows, cols, kept, state.cuts)
        start = np.zeros(len(cols), dtype=bool)
        start[best.columns()] = True
        comp_bound = _component_bounds(rows, cols, state, kept, label, count)
        comp_inc = weighted_count(label, np.where(start[kept], cols.value[kept], 0.0), count)
        todo = [
            component
            for component in np.argsort(np.bincount(label, minlength=count)).tolist()
            if comp_bound[component] - comp_inc[component] > 1e-9 * max(1.0, abs(comp_bound[component]))
        ]
        members = {component: kept[label == component] for component in todo} if todo else {}
        chosen = [kept[start[kept] & ~np.isin(label, todo)]] if todo else [kept[start[kept]]]
        mip_started = time.perf_counter()
        solved, n_optimal, n_stopped = self._component_mips(
            rows, cols, state.cuts, members, start, comp_inc, comp_bound
        )
        chosen.extend(solved)
        self.stats.update(
            components=int(count),
            components_solved=len(todo),
            components_optimal=n_optimal,
            components_stopped=n_stopped,
            mip_seconds=round(time.perf_counter() - mip_started, 3),
        )
        found = heuristics.from_columns(self.problem, cols, np.concatenate(chosen) if chosen else np.zeros(0, np.int64))
        if found.objective() > best.objective() + 1e-9:
            best, method = found, "integer_program"
        restricted = max(floor, float(comp_bound.sum()))
        bound = min(state.bound, restricted)
        self.report(best, method, bound if proves else None)
        status = "optimal" if n_stopped == 0 else "time_limit"
        return best, method, bound, status

    def _component_mips(
        self,
        rows: Rows,
        cols: Columns,
        cuts: CutRows,
        members: dict[int, IntArray],
        start: BoolArray,
        comp_inc: FloatArray,
        comp_bound: FloatArray,
    ) -> tuple[list[IntArray], int, int]:
        """The integer program of each component in turn (members: its columns), warm-started from
        the incumbent (start) and given a share of the time left in proportion to its columns; keeps
        the incumbent's part (comp_inc its value) where it finds nothing better, and tightens
        comp_bound in place. Time left over goes back to the components that stopped, in shares by
        their remaining gap, warm-started from what they found. Returns (columns chosen per
        component, components optimal, stopped)."""
        chosen = {component: idx[start[idx]] for component, idx in members.items()}
        value = {component: float(comp_inc[component]) for component in members}
        stopped = set(members)
        remaining_cols = sum(len(idx) for idx in members.values()) or 1
        for component, idx in members.items():
            budget = self.left() - self.reserve
            if budget <= 0.05:
                break
            share = budget * max(0.05, len(idx) / remaining_cols)
            remaining_cols -= len(idx)
            self._component_mip(rows, cols, cuts, component, idx, share, chosen, value, comp_bound, stopped)
        rounds = 0
        while stopped and rounds < 3:
            budget = self.left() - self.reserve
            gaps = {component: max(0.0, comp_bound[component] - value[component]) for component in stopped}
            total = sum(gaps.values())
            if budget <= 0.5 or total <= 0:
                break
            rounds += 1
            for component in sorted(stopped, key=lambda component: -gaps[component]):
                share = max(0.2, budget * gaps[component] / total)
                if self.left() - self.reserve <= 0.2:
                    break
                self._component_mip(
                    rows, cols, cuts, component, members[component], share, chosen, value, comp_bound, stopped
                )
        self.stats["retry_rounds"] = rounds
        if stopped:
            self.timed_out = True
        return list(chosen.values()), len(members) - len(stopped), len(stopped)

    def _component_mip(
        self,
        rows: Rows,
        cols: Columns,
        cuts: CutRows,
        component: int,
        idx: IntArray,
        share: float,
        chosen: dict[int, IntArray],
        value: dict[int, float],
        comp_bound: FloatArray,
        stopped: set[int],
    ) -> None:
        """One integer solve of a component within `share` seconds, from its best columns so far."""
        share = min(share, self.left() - self.reserve)
        warm = np.isin(idx, chosen[component]).astype(float)
        got, _, mip_bound, status, _ = solve_mip(rows, cols, idx, warm, share, cuts=cuts)
        got_value = float(cols.value[got].sum()) if got is not None else value[component]
        if got is not None and got_value >= value[component] - 1e-9:
            chosen[component], value[component] = got, got_value
        if mip_bound is not None:
            comp_bound[component] = min(comp_bound[component], max(mip_bound, value[component]))
        if status == "optimal":
            comp_bound[component] = min(comp_bound[component], value[component])
            stopped.discard(component)


@dataclass
class RelaxationState:
    """What the rounds of the relaxation have found: the incumbent and how it was found, the bound,
    the prices (and reduced costs) of the best Lagrangian bound, the cuts, the last solution."""

    best: State
    method: str
    bound: float
    cuts: CutRows = field(default_factory=CutRows)
    lag: float = np.inf
    y_best: FloatArray | None = None
    rc_best: FloatArray | None = None
    shares: FloatArray | None = None
    lp_value: float | None = None
    rounds: int = 0
    cut_rounds: int = 0
    support: IntArray | None = None  # the columns of the last relaxation's solution
    dropped: int = 0  # columns deleted from the working set

    def take_prices(self, lag: float, reduced: FloatArray, prices: FloatArray, to_price: FloatArray) -> FloatArray:
        """Keep prices whose Lagrangian bound lag is the best so far (with their reduced costs, for
        fixing); returns the reduced costs to price columns in with (`to_price`)."""
        if lag < self.lag:
            self.lag, self.y_best, self.rc_best = lag, prices, reduced
            self.bound = min(self.bound, self.lag)
        return to_price

    def take_rounding(self, solution: State) -> bool:
        """Keep a rounding of the relaxation that beats the incumbent; True if it did."""
        if solution.objective() > self.best.objective():
            self.best, self.method = solution, "lp_rounding"
            return True
        return False


def _working_set(cols: Columns, best: State, most: int) -> IntArray:
    """Columns the relaxation starts from: all of them when there are few enough, else each need's
    best few and the incumbent's."""
    n_cols = len(cols)
    if n_cols <= WORK_ALL:
        return np.arange(n_cols)
    mask = np.zeros(n_cols, dtype=bool)
    mask[_top_per_need(cols, cols.value, _per_need(cols, most, FEWEST_PER_NEED))] = True
    mask[best.columns()] = True
    return np.flatnonzero(mask)


def _key_totals(problem: Problem, cols: Columns) -> FloatArray:
    """The whole budget of each budget key of the columns (a part of a problem may have less left)."""
    if not len(cols.key_budget):
        return np.zeros(0)
    family = np.maximum(cols.key_family, 0)
    return np.where(
        cols.key_family >= 0,
        problem.fam_budget_total[family, cols.key_stream],
        problem.stream_budget_total[cols.key_stream],
    ).astype(float)


def _converged(state: RelaxationState) -> bool:
    """The relaxation over the working set is within CONVERGED of the bound over every column: more
    pricing rounds (each a few seconds at city scale, adding a few columns) would not move either."""
    if state.lp_value is None or not np.isfinite(state.lag):
        return False
    return state.lag - state.lp_value <= CONVERGED * max(1.0, abs(state.lag))


def _price_in(cols: Columns, relax: Relaxation, reduced: FloatArray, most: int) -> bool:
    """Add to the relaxation each need's best columns among those outside it with a positive reduced
    cost; False when there are none."""
    inside = np.zeros(len(cols), dtype=bool)
    inside[relax.idx] = True
    out = (~inside) & (reduced > 1e-7)
    if not out.any():
        return False
    relax.add(_top_per_need(cols, reduced, _per_need(cols, most, FEWEST_ADD_PER_NEED), out))
    return True


def _per_need(cols: Columns, most: int, fewest: int) -> int:
    """Columns per need for a working set of about WORK_ALL columns: `most` where needs are few, down to
    `fewest` on the largest problems."""
    needs = int(cols.need.max()) + 1 if len(cols) else 1
    return max(fewest, min(most, WORK_ALL // needs))


def _component_bounds(
    rows: Rows, cols: Columns, state: RelaxationState, kept: IntArray, label: IntArray, count: int
) -> FloatArray:
    """The Lagrangian bound (at the best prices) of the problem restricted to the columns `kept`, per
    component (label: each column's component of `count`): the positive reduced costs of its columns
    plus price times right-hand side of its rows and cuts."""
    y_best, rc_best, cuts = state.y_best, state.rc_best, state.cuts
    if y_best is None or rc_best is None:  # no prices: nothing is proved per component
        return np.full(count, np.inf)
    y_ext = np.append(y_best[: rows.n_rows], 0.0)
    positive_rc = np.maximum(rc_best[kept], 0.0)
    comp_bound = weighted_count(label, positive_rc, count)
    row_comp = np.full(rows.n_rows + 1, -1, dtype=np.int64)
    row_index, _, position = rows.col_entries(cols, kept)
    row_comp[row_index] = label[position]
    has = row_comp[:-1] >= 0
    comp_bound += weighted_count(row_comp[:-1][has], (y_ext[:-1] * rows.upper)[has], count)
    if len(cuts):
        column_position = np.full(len(cols), -1, dtype=np.int64)
        column_position[kept] = np.arange(len(kept))
        cut_comp = np.full(len(cuts), -1, dtype=np.int64)
        inside = column_position[cuts.column] >= 0
        cut_comp[cuts.row[inside]] = label[column_position[cuts.column[inside]]]
        cut_prices = np.zeros(len(cuts))
        cut_prices[: len(y_best) - rows.n_rows] = y_best[rows.n_rows :]
        has_cut = cut_comp >= 0
        comp_bound += weighted_count(cut_comp[has_cut], (cut_prices * cuts.rhs)[has_cut], count)
    return comp_bound
