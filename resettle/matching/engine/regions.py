"""Integer programs over regions of the incumbent: a few dozen needs that compete for the same offers
or family budgets are freed together, every other need keeps its column, and the program over the
freed needs' best columns (by reduced cost) is solved, to optimality or for a second at most, on the
capacity and budgets the others leave. Region after region, most promising first, while time is left.

Why: where a problem has too many columns for one integer program (the beds of the generated
london-10,000: 2.5M columns, 4,025 needs of 1-3 units on places of 1-20) the programs over each
need's best columns see every need at once and, within the time a part has, end far from their
optimum (0.3% from the bound after 20 s; 0.04% only after 130 s). A region's program is small
enough to be solved to optimality in a fraction of a second, and its result is exact for what it
frees: the incumbent never gets worse.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from .arrays import BoolArray, FloatArray, IntArray, top_per_group
from .heuristics import State
from .lp import solve_mip
from .model import Rows

REGION_NEEDS = 50  # needs freed at a time, at first; twice as many after a pass that found nothing
REGION_PER_NEED = 12  # each freed need's best columns by reduced cost (and its own) in the program
REGION_SECONDS = 1.0  # a region's program stops after this long (it keeps the best it found)
REGION_MAX_NEEDS = 800  # a region grows no larger (its program then takes about its second)


def improve_by_regions(
    state: State,
    rows: Rows,
    score: FloatArray,
    deadline: float,
    mask: BoolArray | None = None,
    enough: float = np.inf,
    size: int = REGION_NEEDS,
    per_need: int = REGION_PER_NEED,
) -> tuple[int, int]:
    """Improve `state` in place by the integer programs of regions until the perf_counter `deadline`
    or until its objective reaches `enough`: each region's needs may take their `per_need` best
    columns by `score` (of those in `mask`) or keep their own. Returns (programs solved, programs
    that improved the incumbent)."""
    cols = state.cols
    n_needs = state.problem.n_needs
    if not len(cols) or n_needs == 0 or time.perf_counter() >= deadline or state.objective() >= enough:
        return 0, 0
    candidates = np.union1d(top_per_group(cols.need, score, per_need, mask), state.columns())
    links = _Links.of(state, candidates)
    solved = improved = 0
    objective = state.objective()
    while time.perf_counter() < deadline and objective < enough:
        found = 0
        covered = np.zeros(n_needs, dtype=bool)
        for seed in _seeds(state, candidates, cols.need[candidates]).tolist():
            if time.perf_counter() >= deadline or objective >= enough:
                break
            if covered[seed]:
                continue
            region = links.region(seed, size)
            covered[region] = True
            solved += 1
            gain = _solve_region(state, rows, candidates, links.need_start, region, deadline)
            if gain > 0:
                found += 1
                objective += gain
        improved += found
        if not found:
            if size >= min(REGION_MAX_NEEDS, n_needs):
                break
            size *= 2  # no region of this size improves: larger ones may
    return solved, improved


def _seeds(state: State, candidates: IntArray, need_of: IntArray) -> IntArray:
    """Needs by what their best candidate column is worth above their own column (most first)."""
    cols = state.cols
    best = np.full(state.problem.n_needs, -np.inf)
    np.maximum.at(best, need_of, cols.value[candidates])
    own = np.zeros(state.problem.n_needs)
    col_of = np.array(state.col_of, dtype=np.int64)
    met = col_of >= 0
    own[met] = cols.value[col_of[met]]
    has = np.isfinite(best)
    gain = np.where(has, best - own, -np.inf)
    order: IntArray = np.argsort(-gain, kind="stable")
    seeds: IntArray = order[has[order]]
    return seeds


@dataclass
class _Links:
    """What joins needs into a region: the offers of their candidate columns, and the family budgets
    they may pay from."""

    candidates: IntArray  # column indices, in need order
    candidate_offer: IntArray
    need_start: IntArray  # a need's candidates: candidates[need_start[n] : need_start[n + 1]]
    offer_start: IntArray  # an offer's needs: offer_needs[offer_start[o] : offer_start[o + 1]]
    offer_needs: IntArray
    family_of: IntArray  # per need; -1 where none of its candidates is paid from its family's budget
    family_start: IntArray  # a family's needs that may pay from its budgets
    family_needs: IntArray

    @classmethod
    def of(cls, state: State, candidates: IntArray) -> _Links:
        cols, problem = state.cols, state.problem
        need_of = cols.need[candidates]
        by_offer = np.argsort(cols.offer[candidates], kind="stable")
        key = cols.bkey[candidates]
        family_paid = np.zeros(len(candidates), dtype=bool)
        if len(cols.key_family):
            family_paid = (key >= 0) & (cols.key_family[np.maximum(key, 0)] >= 0)
        pays = np.zeros(problem.n_needs, dtype=bool)
        pays[need_of[family_paid]] = True
        family_of = np.where(pays, problem.need_fam, -1)
        paying = np.flatnonzero(pays)
        paying = paying[np.argsort(problem.need_fam[paying], kind="stable")]
        return cls(
            candidates=candidates,
            candidate_offer=cols.offer[candidates],
            need_start=np.searchsorted(need_of, np.arange(problem.n_needs + 1)),
            offer_start=np.searchsorted(cols.offer[candidates][by_offer], np.arange(problem.n_offers + 1)),
            offer_needs=need_of[by_offer],
            family_of=family_of,
            family_start=np.searchsorted(problem.need_fam[paying], np.arange(int(problem.need_fam.max(initial=0)) + 2)),
            family_needs=paying,
        )

    def region(self, seed: int, size: int) -> IntArray:
        """Needs reached from `seed` (breadth first) through the offers of their candidate columns
        and, where they pay from a family's budget, that family's other needs that do: up to `size`."""
        taken = {seed}
        queue = deque([seed])
        seen_offers: set[int] = set()
        while queue and len(taken) < size:
            need = queue.popleft()
            family = int(self.family_of[need])
            reached = (
                [self.family_needs[self.family_start[family] : self.family_start[family + 1]]] if family >= 0 else []
            )
            for place in self.candidate_offer[self.need_start[need] : self.need_start[need + 1]].tolist():
                if place not in seen_offers:
                    seen_offers.add(place)
                    reached.append(self.offer_needs[self.offer_start[place] : self.offer_start[place + 1]])
            for group in reached:
                for other in group.tolist():
                    if other not in taken:
                        taken.add(other)
                        queue.append(other)
                        if len(taken) >= size:
                            return np.fromiter(taken, dtype=np.int64, count=len(taken))
        return np.fromiter(taken, dtype=np.int64, count=len(taken))


def _solve_region(
    state: State, rows: Rows, candidates: IntArray, need_start: IntArray, region: IntArray, deadline: float
) -> float:
    """The integer program of the region's needs on what the other needs leave; the incumbent takes
    its solution where it is worth more. Returns what the incumbent gained (0 if nothing)."""
    cols = state.cols
    freed = state.copy()
    own = [freed.col_of[need] for need in region.tolist()]
    for need in region.tolist():
        freed.remove(need)
    idx = np.concatenate([candidates[need_start[need] : need_start[need + 1]] for need in region.tolist()])
    upper = rows.upper.copy()
    has_offer_row = rows.offer_row >= 0
    upper[rows.offer_row[has_offer_row]] = np.asarray(freed.rem_cap, dtype=np.float64)[has_offer_row]
    if len(rows.key_row):
        has_key_row = rows.key_row >= 0
        upper[rows.key_row[has_key_row]] = np.asarray(freed.rem_bud, dtype=np.float64)[has_key_row]
    left = Rows(rows.n_rows, rows.need_row, rows.offer_row, rows.key_row, upper)
    before = float(sum(cols.value[column] for column in own if column >= 0))
    start = np.isin(idx, np.array([column for column in own if column >= 0], dtype=np.int64)).astype(float)
    seconds = min(REGION_SECONDS, deadline - time.perf_counter())
    if seconds <= 0.02:
        return 0.0
    chosen, _, _, _, _ = solve_mip(left, cols, idx, start, seconds)
    if chosen is None:
        return 0.0
    after = float(cols.value[chosen].sum())
    if after <= before + 1e-9 * max(1.0, abs(before)):
        return 0.0
    for column in chosen.tolist():
        need = int(cols.need[column])
        if not freed.fits(column) or freed.col_of[need] >= 0:
            return 0.0  # not within what the others leave (rounding in the program): keep the incumbent
        freed.add(need, column)
    state.col_of, state.rem_cap, state.rem_bud = freed.col_of, freed.rem_cap, freed.rem_bud
    return after - before
