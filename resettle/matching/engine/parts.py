"""City-scale problems solved in parts: needs whose offers are disjoint (a category, or an item of
a category where every need names one) share only budgets, so each part is solved on its own, most
valuable first, each on the budgets the parts before it left, and the results are joined.

Why: a problem of more pairs than one optimisation holds (pairs.MAX_PAIRS) was optimised over the
most valuable needs' pairs only, the rest added one by one afterwards; and the relaxation of one
London-wide problem (60,000 needs, 100,000 rows) does not converge in two minutes, while those of
its parts (up to 10,500 needs) do. On the generator's london-10,000 (30 million pairs) the gap
within 120 s fell from 1.48% to 0.60%, in 879 MiB instead of 1.8 GiB.

Time: first each part in turn gets its share of FIRST_PASS of the time, by work (the square root of
its size times its value: a gap in a valuable part costs more), and at least the time it needs, about,
to reach its relaxation's rounding (Part.useful), where the time allows; then, with all the time left, the
part furthest from its bound in value is solved again with more time, on what the others left of
the budgets, and so on while time is left; the better of a part's results is kept.

Bound: the sum of the parts' bounds, each valid for its part with the whole budgets (a relaxation of
the problem in which every part has its own copy of the budgets). A part that others spent from
bounds itself by its Lagrangian at the whole budgets (see Solver.whole_budget_bound).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .arrays import IntArray
from .heuristics import State, complete
from .model import build_columns
from .pairs import MAX_PAIRS, build_pairs, estimated_pairs
from .problem import Problem

Result = dict[str, Any]
Progress = Callable[[dict[str, Any]], None]


@dataclass
class LastRun:
    """What a part's last run hands to its next: its assignments (they still fit: the other parts
    spent only what it left), whether to keep time for its bound at the whole budgets, and the
    keys of its relaxation's last working set (solver.column_keys), to start the relaxation from."""

    assignments: list[dict[str, Any]]
    whole_budget: bool = True
    working_set: IntArray | None = None


# (part, started, limit, on_progress, last run) -> (result, bound at the whole budgets)
SolvePart = Callable[[Problem, float, float, Progress | None, LastRun | None], tuple[Result, float]]

PARTS_FROM = MAX_PAIRS  # estimated pairs from which a problem is split: more than fit in one optimisation
PART_MIN_NEEDS = 1_500  # smaller groups join the next part (a part's run has a fixed cost)
PAIRS_PER_NEED_OF_WORK = 1000  # a part's size: its needs, and its pairs counted as 1 in 1,000
LAST_PART_SLACK = 0.5  # seconds of each part's share left for the parts after it (finishing runs over)
FIRST_PASS = 0.6  # of the time left, what the parts are given in turn; the rest goes where the gap is
# seconds a part's pairs, columns and starts take per pair, about: london-10,000 (30M pairs) split
# with too little time for any part to optimise ran 10 s on a machine with AVX-512 (0.33 us a pair),
# with a margin for slower machines
SETUP_PER_PAIR = 5e-7
# seconds a part needs, about, to set up, start and solve its relaxation to a rounding: per pair and
# per need (quiet machine; london-10,000's furniture parts, 3.8M pairs and 4,100 needs, reached their
# optimum in 6.6 s, and with 5.5 s were left at their first relaxation round, 0.25% from the bound)
USEFUL_PER_PAIR = 1.6e-6
USEFUL_PER_NEED = 4e-4
# a part whose every column fits the relaxation at once has it strengthened by rounds of cuts first:
# its childcare and a part of 4,999 needs and 103k pairs took 3.2 and 5.2 s to their roundings (given
# 1.9 and 1.7 s by work they were left at first come first served, and the second pass gave them its
# time by gaps of 100-140k that their first rounding closes to 7-20k); and as long again to the
# integer program over the relaxation's solution, which closes about half of what is left (the
# 4,999 needs: 20.6k from the bound at its rounding after 3.9 s, 9.8k after 8.7 s; a second run of
# 5 s redid the relaxation and gained nothing)
USEFUL_PER_NEED_WITH_CUTS = 2e-3
# and at least this per pair: the relaxation of every column is solved whole, in time that grows with
# the pairs (childcare, 2,872 needs and 120k pairs, on a machine whose numpy has no AVX-512: one
# solve of its relaxation took 2.4-2.9 s; 54.7k from its bound after 6 s, 10.9k after 12 s, 8.0k
# after 20 s; two runs of 5.4 and 6.8 s, each from the start, ended 41k away)
USEFUL_PER_PAIR_WITH_CUTS = 1e-4
EVERY_COLUMN = 400_000  # solver.WORK_ALL (solver imports this module): the relaxation takes every column
# a problem is split only when its limit is this many times its parts' setup; below, its whole run's
# cut-short pairs (london-10,000 at 12 and 16 s: 2% more objective than the split, within limit + 2 s)
# are kept to, above it the split gives more (at 20 s as much and a bound 3% from it, not 21%; at 40
# s 0.39% from its bound, where the whole run, its pairs stopped at MAX_PAIRS, stopped at 1.58%, and
# at 80 s 0.024% against 1.48%)
SETUP_TIMES = 1.5
AGAIN_MIN_SECONDS = 3.0  # a part is solved again only with at least this long,
AGAIN_FACTOR = 1.5  # and this many times as long as its last run took
BOUND_TOL = 1e-7  # relative: a bound this far below the objective is rounding, further is an error
# a part solved again keeps no time to solve its relaxation at the whole budgets (for its bound) where
# its last run's bound at the whole budgets was within this share of its gap from its own bound: it
# had little to gain there (london-10,000's beds: 72 of a gap of 462k; the 15% of a 29.7 s second
# run it kept went to its integer programs instead)
WHOLE_BOUND_GAIN = 0.1


@dataclass
class Part:
    needs: IntArray  # need indices of the whole problem, in file order
    pairs: float  # estimated pairs
    work: float  # its weight in the first pass's shares of the time
    setup: float  # seconds its pairs take, about: it is given this at least
    useful: float = 0.0  # seconds it needs to reach its relaxation's rounding, about: given where time allows


def plan(problem: Problem, time_limit: float) -> list[Part] | None:
    """Parts of the problem in the order they are solved (the most valuable per need first), or None
    when it is solved whole: small enough, one group of offers, or too little time to set every
    part up (SETUP_TIMES the parts' setup: below it the whole problem's cut-short run is kept to)."""
    if problem.n_needs * problem.n_offers <= PARTS_FROM:
        return None
    if problem.cost_weight < 0 or problem.distance_weight < 0:
        return None  # a pair may then be worth more than its priority value: the parts' bounds need that
    groups = _offer_disjoint_groups(problem)
    if len(groups) < 2:
        return None
    estimates = estimated_pairs(problem, groups)
    if sum(estimates) <= PARTS_FROM or SETUP_TIMES * SETUP_PER_PAIR * sum(estimates) > time_limit:
        return None
    # the most value per need riding on the budgets first (its priority value times the share of its
    # offers that are paid: a part after others finds less of the budgets left, and a part with free
    # offers can turn to them), then the most valuable per need
    paid = [_paid_share(problem, group) for group in groups]
    worth = [float(problem.need_pv[group].mean()) for group in groups]
    order = sorted(range(len(groups)), key=lambda g: (-worth[g] * paid[g], -worth[g]))
    parts: list[Part] = []
    pending: list[int] = []
    for position, group in enumerate(order):
        pending.append(group)
        if sum(len(groups[g]) for g in pending) >= PART_MIN_NEEDS or position == len(order) - 1:
            needs = np.sort(np.concatenate([groups[g] for g in pending]))
            pairs = float(sum(estimates[g] for g in pending))
            size = len(needs) + pairs / PAIRS_PER_NEED_OF_WORK
            value = float(np.maximum(problem.need_pv[needs], 0.0).sum())
            # the time a part needs grows with its size, what a gap in it costs with its value
            setup = SETUP_PER_PAIR * pairs
            if pairs <= EVERY_COLUMN:
                useful = max(
                    USEFUL_PER_PAIR * pairs + USEFUL_PER_NEED_WITH_CUTS * len(needs), USEFUL_PER_PAIR_WITH_CUTS * pairs
                )
            else:
                useful = USEFUL_PER_PAIR * pairs + USEFUL_PER_NEED * len(needs)
            useful = max(0.5 + setup, useful)
            parts.append(Part(needs, pairs, math.sqrt(size * max(value, 1.0)), setup, useful))
            pending = []
    return parts if len(parts) >= 2 else None


def _paid_share(problem: Problem, group: IntArray) -> float:
    """The share of the offers a group of needs may take that cost something."""
    offers = np.isin(problem.offer_cat, np.unique(problem.need_cat[group]))
    if np.all(problem.need_item[group] >= 0):
        offers &= np.isin(problem.offer_item, np.unique(problem.need_item[group]))
    return float((problem.offer_cost[offers] > 0).mean()) if offers.any() else 0.0


def _offer_disjoint_groups(problem: Problem) -> list[IntArray]:
    """Needs grouped so that no two groups have an offer in common: by category, and by item where
    every need of the category names an item (a need naming none may take any offer of it)."""
    groups: list[IntArray] = []
    for category in np.unique(problem.need_cat):
        needs = np.flatnonzero(problem.need_cat == category)
        items = problem.need_item[needs]
        if np.all(items >= 0):
            groups.extend(needs[items == item] for item in np.unique(items))
        else:
            groups.append(needs)
    return groups


def solve_in_parts(
    problem: Problem,
    parts: list[Part],
    started_at: float,
    time_limit: float,
    on_progress: Progress | None,
    solve_part: SolvePart,
) -> Result:
    """Solve each part within its share of the time left (by work), on the budgets left; then, while
    time is left, solve again the part furthest (in value) from its bound on the budgets it had, with
    more time, on what the others left of the budgets, and keep the better result. Join the results.
    `solve_part(problem, started, limit, on_progress, last_run)` returns a part's result (solved
    from its last run where it has one: see LastRun) and its bound at the whole budgets."""
    runs = _Runs(problem, parts, on_progress, solve_part)
    end = started_at + time_limit
    first_pass = FIRST_PASS * (end - time.perf_counter())
    total_work = sum(part.work for part in parts)
    for position, part in enumerate(parts):
        # a fixed share each: what a part leaves goes to the second pass, where the gaps are
        now = time.perf_counter()
        later_setup = sum(0.5 + later.setup for later in parts[position + 1 :])
        share = max(first_pass * part.work / total_work, part.useful, 0.5 + part.setup)
        share = max(0.2, min(share, end - now - later_setup) - LAST_PART_SLACK)
        runs.run(position, share)
    # the time the parts left: again, the part with the most value between result and bound first
    again: set[int] = set()
    while end - time.perf_counter() > AGAIN_MIN_SECONDS:
        # the gap a run can close: to the part's bound on the budgets it had (to its bound at the
        # whole budgets the rest is what other parts spent, which solving it again does not return)
        gaps = {
            position: runs.own_bounds[position] - runs.objective(position)
            for position in range(len(parts))
            if position not in again
        }
        gaps = {
            position: gap for position, gap in gaps.items() if gap > 1e-9 * max(1.0, abs(runs.own_bounds[position]))
        }
        # a part solved again starts over (from its last result): it gains only with more time than
        # its last run took; the most valuable gap that fits in the time left is solved again
        wants = {position: max(AGAIN_MIN_SECONDS, AGAIN_FACTOR * runs.seconds[position]) for position in gaps}
        left = end - time.perf_counter() - LAST_PART_SLACK
        fitting = {position: gap for position, gap in gaps.items() if wants[position] <= left}
        if not fitting:
            break
        position = max(fitting, key=lambda p: fitting[p])
        share = max(left * fitting[position] / sum(fitting.values()), wants[position], parts[position].useful)
        # the time no other part could use goes to this one (london-10,000: ESOL solved again in
        # the last 4.5 s after a first run of 7.6 s gained nothing, where beds had gained 6k a second)
        rest = [wants[other] for other in fitting if other != position]
        if share > left or not rest or left - share < min(rest):
            share = left
        again.add(position)
        runs.run(position, share)
    return runs.joined(started_at)


class _Runs:
    """The parts' results so far (the best of each part's runs), and what each spent of the budgets."""

    def __init__(
        self,
        problem: Problem,
        parts: list[Part],
        on_progress: Progress | None,
        solve_part: SolvePart,
    ) -> None:
        self.problem, self.parts, self.on_progress, self.solve_part = problem, parts, on_progress, solve_part
        self.results: list[Result | None] = [None] * len(parts)
        self.bounds = [float("inf")] * len(parts)  # each part's bound at the whole budgets
        self.own_bounds = [float("inf")] * len(parts)  # and on the budgets it had in its last run
        self.seconds = [0.0] * len(parts)
        self.shares = [0.0] * len(parts)
        self.runs = [0] * len(parts)
        self.working_sets: list[IntArray | None] = [None] * len(parts)  # of each part's last relaxation
        n_families, n_streams = problem.fam_budget_total.shape
        self.fam_spent = [np.zeros((n_families, n_streams), dtype=np.int64) for _ in parts]
        self.stream_spent = [np.zeros(len(problem.stream_budget_total), dtype=np.int64) for _ in parts]
        # budgets a part solved again spent less of than before (family x stream, and pools)
        self.fam_freed = np.zeros((n_families, n_streams), dtype=bool)
        self.stream_freed = np.zeros(len(problem.stream_budget_total), dtype=bool)

    def objective(self, position: int) -> float:
        result = self.results[position]
        return float(result["stats"]["objective"]) if result is not None else 0.0

    def run(self, position: int, share: float) -> None:
        """Solve part `position` within `share` seconds on the budgets the other parts leave."""
        problem = self.problem
        others = [other for other in range(len(self.parts)) if other != position]
        fam_budget = problem.fam_budget_total - sum((self.fam_spent[other] for other in others), np.int64(0))
        stream_budget = problem.stream_budget_total - sum((self.stream_spent[other] for other in others), np.int64(0))
        sub = problem.part(self.parts[position].needs, fam_budget, stream_budget)
        before = sum(self.objective(other) for other in others)
        on_progress = self.on_progress

        def progress(report: dict[str, Any]) -> None:
            if on_progress is not None:  # the objective of the whole so far; a part's bound is not the whole's
                on_progress({**report, "objective": before + report["objective"], "bound": None})

        now = time.perf_counter()
        last = self.results[position]
        last_run = None
        if last is not None:
            own_gap = self.own_bounds[position] - self.objective(position)
            whole_budget = self.bounds[position] - self.own_bounds[position] > WHOLE_BOUND_GAIN * own_gap
            last_run = LastRun(last["assignments"], whole_budget, self.working_sets[position])
        result, bound = self.solve_part(sub, now, share, progress if on_progress is not None else None, last_run)
        self.working_sets[position] = result.pop("working_set", None)
        self.seconds[position] = time.perf_counter() - now
        self.shares[position] = share
        self.runs[position] += 1
        self.bounds[position] = min(self.bounds[position], bound)
        own = result["stats"].get("bound")
        self.own_bounds[position] = min(float(own), bound) if own is not None else bound
        if self.results[position] is None:
            self.results[position] = result
            self.fam_spent[position], self.stream_spent[position] = self._spent(sub, result["assignments"])
            return
        # a better result of a part solved again is kept; where it spends less of a budget than the
        # result it replaces, other parts' needs told they did not fit may now: they are tried again
        # at the end (see top_up)
        if float(result["stats"]["objective"]) > self.objective(position):
            fam_spent, stream_spent = self._spent(sub, result["assignments"])
            self.fam_freed |= fam_spent < self.fam_spent[position]
            self.stream_freed |= stream_spent < self.stream_spent[position]
            self.results[position] = result
            self.fam_spent[position], self.stream_spent[position] = fam_spent, stream_spent

    def _spent(self, part: Problem, assignments: list[dict[str, Any]]) -> tuple[IntArray, IntArray]:
        """What a part's assignments charge to each family's streams and to each pool."""
        problem = self.problem
        fam_spent = np.zeros_like(self.fam_spent[0])
        stream_spent = np.zeros_like(self.stream_spent[0])
        for entry in assignments:
            if entry["stream"] is None:
                continue
            need = part.need_index[entry["need"]]
            offer = problem.offer_index[entry["offer"]]
            stream = problem.stream_index[entry["stream"]]
            charge = int(problem.offer_cost[offer]) * int(part.need_units[need])
            if problem.stream_is_family[stream]:
                fam_spent[int(part.need_fam[need]), stream] += charge
            else:
                stream_spent[stream] += charge
        return fam_spent, stream_spent

    def top_up(self) -> tuple[list[dict[str, Any]], float]:
        """The needs told `outcompeted` whose family's budget or pool a part solved again spent less of,
        each added by value where it now fits (the capacity and budgets every part left), so that
        the joined result stays maximal and every reason true. Returns (assignments added, their
        value)."""
        if not (self.fam_freed.any() or self.stream_freed.any()):
            return [], 0.0
        problem = self.problem
        candidates = [
            problem.need_index[entry["need"]]
            for result in self.results
            if result is not None
            for entry in result["unmet"]
            if entry["reason"] == "outcompeted"
        ]
        needs = np.array(candidates, dtype=np.int64)
        # a need a handed-back budget may pay for: its family's stream, or a pool, that pays its category
        pays = problem.stream_pays_cat[:, problem.need_cat[needs]].T  # need x stream
        freed = np.where(problem.stream_is_family[None, :], self.fam_freed[problem.need_fam[needs]], self.stream_freed)
        needs = np.sort(needs[np.any(pays & freed, axis=1)])
        if not len(needs):
            return [], 0.0
        fam_left = problem.fam_budget_total - sum(self.fam_spent, np.int64(0))
        stream_left = problem.stream_budget_total - sum(self.stream_spent, np.int64(0))
        sub = problem.part(needs, fam_left, stream_left)
        cols = build_columns(sub, build_pairs(sub))  # every pair: the result must be maximal
        used = np.zeros(problem.n_offers, dtype=np.int64)
        for result in self.results:
            for entry in result["assignments"] if result is not None else ():
                used[problem.offer_index[entry["offer"]]] += int(problem.need_units[problem.need_index[entry["need"]]])
        sub.offer_cap = problem.offer_cap - used  # compatibility was judged on the whole capacity
        state = complete(State(sub, cols))
        chosen = state.columns()
        added = [
            sub.assignment(need, offer, stream)
            for need, offer, stream in zip(
                cols.need[chosen].tolist(), cols.offer[chosen].tolist(), cols.stream[chosen].tolist(), strict=True
            )
        ]
        return added, float(cols.value[chosen].sum())

    def joined(self, started_at: float) -> Result:
        """The whole result: every part's assignments and unmet needs in file order, the objective and
        the bound summed, a summary per part."""
        problem = self.problem
        assignments: list[dict[str, Any]] = []
        unmet: list[dict[str, Any]] = []
        totals = {"pairs": 0, "columns": 0, "rows": 0}
        summaries = []
        timed_out = False
        statuses = []
        for position, result in enumerate(self.results):
            if result is None:  # every part runs once at least
                raise RuntimeError("a part was not solved")
            stats = result["stats"]
            assignments.extend(result["assignments"])
            unmet.extend(result["unmet"])
            for key in totals:
                totals[key] += int(stats.get(key) or 0)
            timed_out = timed_out or bool(stats.get("timed_out"))
            statuses.append(str(stats["status"]))
            summaries.append(
                {
                    "needs": len(self.parts[position].needs),
                    "pairs": stats.get("pairs"),
                    "objective": stats["objective"],
                    "bound": self.bounds[position],
                    "bound_on_budgets_left": self.own_bounds[position],
                    "status": stats["status"],
                    "method": stats.get("method"),
                    "runs": self.runs[position],
                    "seconds": round(self.seconds[position], 3),
                    "share": round(self.shares[position], 3),
                }
            )
        top_up_started = time.perf_counter()
        added, added_value = self.top_up()
        top_up_seconds = time.perf_counter() - top_up_started
        if added:
            assignments.extend(added)
            now_met = {entry["need"] for entry in added}
            unmet = [entry for entry in unmet if entry["need"] not in now_met]
        objective = sum(self.objective(position) for position in range(len(self.parts))) + added_value
        bound = float(sum(self.bounds))
        order = {nid: position for position, nid in enumerate(problem.need_ids)}
        assignments.sort(key=lambda entry: order[entry["need"]])
        unmet.sort(key=lambda entry: order[entry["need"]])
        gap = (bound - objective) / max(1.0, abs(bound))
        below = gap < -BOUND_TOL  # a proven bound below a feasible solution: a step is wrong, claim nothing
        if gap <= 1e-9 and not below:
            status = "optimal"
        elif timed_out or "time_limit" in statuses:
            status = "time_limit"
        else:
            status = "gap_left"
        stats_out: dict[str, Any] = {
            **totals,
            "parts": summaries,
            "objective": objective,
            "bound": bound,
            "gap": gap,
            "status": status,
            "method": "parts",
            "needs_topped_up": len(added),
            "top_up_seconds": round(top_up_seconds, 3),
            "timed_out": timed_out,
            "seconds": round(time.perf_counter() - started_at, 3),
        }
        if below:
            stats_out["bound_below_objective"] = True
        if self.on_progress is not None:
            self.on_progress(
                {"objective": objective, "bound": bound, "seconds": stats_out["seconds"], "method": "parts"}
            )
        return {"assignments": assignments, "unmet": unmet, "stats": stats_out}
