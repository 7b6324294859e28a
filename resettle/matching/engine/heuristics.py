"""Feasible assignments built column by column: first come first served, by value, by an LP
solution, and the final pass that adds every need that still fits.

Columns are taken one by one in order, in chunks: each chunk first drops (numpy) the columns of needs
already met, so a pass over millions of columns costs about a second. (Taking them in rounds on
numpy arrays, each free need proposing its first column that fits and each offer and budget
accepting in order, was measured slower on borough-1,000 and -2,000 and 1.5% worse.)"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from .arrays import FloatArray, IntArray, best_first, top_per_group

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .model import Columns
    from .problem import Problem


class State:
    """An assignment (need -> column) with the capacity and budgets it leaves."""

    CHUNK = 100_000

    def __init__(self, problem: Problem, cols: Columns) -> None:
        self.problem = problem
        self.cols = cols
        self.col_of: list[int] = [-1] * problem.n_needs
        self.rem_cap: list[int] = problem.offer_cap.astype(np.int64).tolist()
        self.rem_bud: list[int] = cols.key_budget.astype(np.int64).tolist()
        self.cut_short = False

    def copy(self) -> State:
        clone = State.__new__(State)
        clone.__dict__.update(self.__dict__)
        clone.col_of = list(self.col_of)
        clone.rem_cap = list(self.rem_cap)
        clone.rem_bud = list(self.rem_bud)
        return clone

    def fill(self, order: ArrayLike, deadline: float | None = None) -> State:
        """Take columns in `order`, each when its need is free and it fits; stop early (leaving the
        rest out, `cut_short` set) when the perf_counter `deadline` passes."""
        columns = np.asarray(order, dtype=np.int64)
        for start in range(0, len(columns), self.CHUNK):
            if deadline is not None and time.perf_counter() > deadline:
                self.cut_short = True
                break
            self._fill(columns[start : start + self.CHUNK])
        return self

    def _fill(self, order: IntArray) -> None:
        col_of, rem_cap, rem_bud = self.col_of, self.rem_cap, self.rem_bud
        cols = self.cols
        taken = np.array(col_of) >= 0
        order = order[~taken[cols.need[order]]]
        # capacity and budgets only go down while filling: what does not fit now never will
        order = order[np.array(rem_cap)[cols.offer[order]] >= cols.units[order]]
        if len(rem_bud):
            key = cols.bkey[order]
            left = np.append(np.array(rem_bud, dtype=np.int64), 0)[np.where(key >= 0, key, len(rem_bud))]
            order = order[(key < 0) | (left >= cols.charge[order])]
        for column, need, offer, units, key, charge in zip(
            order.tolist(),
            cols.need[order].tolist(),
            cols.offer[order].tolist(),
            cols.units[order].tolist(),
            cols.bkey[order].tolist(),
            cols.charge[order].tolist(),
            strict=True,
        ):
            if col_of[need] >= 0 or rem_cap[offer] < units:
                continue
            if key >= 0:
                if rem_bud[key] < charge:
                    continue
                rem_bud[key] -= charge
            rem_cap[offer] -= units
            col_of[need] = column

    def fits(self, column: int) -> bool:
        """The column's offer has room for its units and, if paid, its budget for its charge."""
        cols = self.cols
        if self.rem_cap[int(cols.offer[column])] < int(cols.units[column]):
            return False
        key = int(cols.bkey[column])
        return key < 0 or self.rem_bud[key] >= int(cols.charge[column])

    def add(self, need: int, column: int) -> None:
        """Give the need this column (it must fit), using up capacity and budget."""
        cols = self.cols
        self.rem_cap[int(cols.offer[column])] -= int(cols.units[column])
        key = int(cols.bkey[column])
        if key >= 0:
            self.rem_bud[key] -= int(cols.charge[column])
        self.col_of[need] = column

    def remove(self, need: int) -> None:
        column = self.col_of[need]
        if column < 0:
            return
        cols = self.cols
        self.rem_cap[int(cols.offer[column])] += int(cols.units[column])
        if cols.bkey[column] >= 0:
            self.rem_bud[int(cols.bkey[column])] += int(cols.charge[column])
        self.col_of[need] = -1

    def columns(self) -> IntArray:
        chosen = np.array(self.col_of, dtype=np.int64)
        return chosen[chosen >= 0]

    def objective(self) -> float:
        chosen = self.columns()
        return float(self.cols.value[chosen].sum()) if len(chosen) else 0.0


def first_come(problem: Problem, cols: Columns, deadline: float | None = None) -> State:
    """Needs in file order, each taking its first offer (file order) that fits, the first stream
    (listed order) with budget left: the first-come-first-served baseline (always one by one)."""
    state = State(problem, cols)
    order = np.arange(len(cols))
    for start in range(0, len(order), State.CHUNK):
        if deadline is not None and time.perf_counter() > deadline:
            state.cut_short = True
            break
        state._fill(order[start : start + State.CHUNK])
    return state


def by_value(problem: Problem, cols: Columns, deadline: float | None = None) -> State:
    order = best_first(cols.value)  # ties in column order
    return State(problem, cols).fill(order, deadline)


def from_lp(problem: Problem, cols: Columns, shares: ArrayLike, idx: IntArray, deadline: float | None = None) -> State:
    """Round an LP solution (`shares` of the columns idx): large shares first, then value; then fill
    by value."""
    shares = np.asarray(shares)
    positive = shares > 1e-6
    selected = idx[positive]
    order = selected[np.lexsort((-cols.value[selected], -np.round(shares[positive], 6)))]
    state = State(problem, cols).fill(order, deadline)
    return complete(state)


def from_columns(problem: Problem, cols: Columns, chosen: ArrayLike) -> State:
    """A state from a set of columns (assumed feasible); columns that do not fit are skipped."""
    return State(problem, cols).fill(np.asarray(chosen, dtype=np.int64))


def complete(state: State) -> State:
    """Add, by value, every need that still fits (spare capacity and, if paid, budget left). Not cut
    short by time: the result must be maximal."""
    cols = state.cols
    free_need = np.array(state.col_of) < 0
    free = np.flatnonzero(free_need[cols.need])
    if len(free):
        left = np.array(state.rem_cap)
        free = free[left[cols.offer[free]] >= cols.units[free]]
        order = free[best_first(cols.value[free])]  # free is ascending: ties in column order
        was_cut = state.cut_short
        state.fill(order)
        state.cut_short = was_cut
    return state


def improve(state: State, deadline: float, seconds_per_column: float = 6e-7) -> int:
    """Local search on an assignment, in rounds while each finds a move and the next fits before the
    perf_counter `deadline` (the first is expected to take `seconds_per_column` per column; later
    ones as long as the last). Returns the moves made. Never worse: see _improve_round.

    Why: the integer programs a large problem leaves time for see a few columns per need, and where
    offers hold needs of 1–3 units they leave packings that one exchange betters. On the beds of the
    generated london-10,000 (2.6M columns, every need met) the first round gained 28k in about 1 s after
    the programs over neighbourhoods and 16 s of restricted ones had found nothing more; on childcare
    (units 1–2 on places paid from family budgets) 16k in 0.9 s."""
    moves = 0
    expected = seconds_per_column * len(state.cols)
    while time.perf_counter() + expected < deadline:
        started = time.perf_counter()
        made = _improve_round(state)
        moves += made
        expected = time.perf_counter() - started
        if not made:
            break
    return moves


def _improve_round(state: State) -> int:
    """One round of moves, best gain first, each made only where it still fits and gains: a need to a
    better column whose offer has room; where that offer is full, one of the needs on it moves out,
    to the first need's offer (an exchange) or to its own best offer with room. A need leaving a
    budget gives its charge back first, so a move within one family's budget is judged with it."""
    cols, problem = state.cols, state.problem
    if not len(cols):
        return 0
    col_of = np.array(state.col_of, dtype=np.int64)
    assigned = np.flatnonzero(col_of >= 0)
    if not len(assigned):
        return 0
    on_offer = np.full(problem.n_needs, -1, dtype=np.int64)
    on_offer[assigned] = cols.offer[col_of[assigned]]
    worth = np.zeros(problem.n_needs)
    worth[assigned] = cols.value[col_of[assigned]]
    room = np.array(state.rem_cap, dtype=np.int64)
    better = (col_of[cols.need] >= 0) & (cols.offer != on_offer[cols.need]) & (cols.value > worth[cols.need] + 1e-9)
    fits_now = room[cols.offer] >= cols.units
    moves = _moves(cols.need, np.flatnonzero(better & fits_now), cols.value - worth[cols.need])
    exchanges = _exchanges(state, np.flatnonzero(better & ~fits_now), on_offer, worth, room)
    gain, first, first_column, second, second_column = (
        np.concatenate([one, other]) for one, other in zip(moves, exchanges, strict=True)
    )
    order = np.argsort(-gain, kind="stable")
    first, first_column, second, second_column = first[order], first_column[order], second[order], second_column[order]
    has_second = second >= 0
    units = problem.need_units
    touched = np.zeros(problem.n_needs, dtype=bool)
    rem_cap = state.rem_cap
    made = 0
    for one, one_column, one_to, one_from, one_units, other, other_column, other_to, other_from, other_units in zip(
        first.tolist(),
        first_column.tolist(),
        cols.offer[first_column].tolist(),
        on_offer[first].tolist(),
        units[first].tolist(),
        second.tolist(),
        second_column.tolist(),
        np.where(has_second, cols.offer[np.maximum(second_column, 0)], -1).tolist(),
        np.where(has_second, on_offer[np.maximum(second, 0)], -1).tolist(),
        np.where(has_second, units[np.maximum(second, 0)], 0).tolist(),
        strict=True,
    ):
        if touched[one] or (other >= 0 and touched[other]):
            continue
        # capacity first, in plain arithmetic (most moves a round lists are spoilt by earlier ones)
        if other >= 0:
            room_other = rem_cap[other_to] + (one_units if one_from == other_to else 0)
            if room_other < other_units:
                continue
        room_one = rem_cap[one_to] + (other_units if other_from == one_to else 0)
        room_one -= other_units if other >= 0 and other_to == one_to else 0
        if room_one < one_units:
            continue
        if _try(state, one, one_column, other, other_column):
            touched[one] = True
            if other >= 0:
                touched[other] = True
            made += 1
    return made


Moves = tuple[FloatArray, IntArray, IntArray, IntArray, IntArray]  # gain, need, column, other need, its column


def _no_moves() -> Moves:
    empty = np.zeros(0, dtype=np.int64)
    return np.zeros(0), empty, empty, empty, empty


def _moves(need: IntArray, columns: IntArray, gain: FloatArray) -> Moves:
    """Each need's best column among `columns` (ascending), with no other need moved."""
    if not len(columns):
        return _no_moves()
    first = columns[top_per_group(need[columns], gain[columns])]
    none = np.full(len(first), -1, dtype=np.int64)
    return gain[first], need[first], first, none, none


def _exchanges(state: State, columns: IntArray, on_offer: IntArray, worth: FloatArray, room: IntArray) -> Moves:
    """For each column (need a to full offer B) and each need b on B whose leaving makes room for a:
    b to a's offer (if it has a column there and room once a leaves) or to b's best offer with room,
    whichever is worth more; (gain, a, column, b, b's column) where the pair gains."""
    cols, problem = state.cols, state.problem
    if not len(columns):
        return _no_moves()
    n_offers = problem.n_offers
    assigned = np.flatnonzero(on_offer >= 0)
    holders = assigned[np.argsort(on_offer[assigned], kind="stable")]
    held_by = on_offer[holders]
    first_holder = np.searchsorted(held_by, np.arange(n_offers), side="left")
    n_holders = np.searchsorted(held_by, np.arange(n_offers), side="right") - first_holder
    target = cols.offer[columns]
    count = n_holders[target]
    which = np.repeat(np.arange(len(columns)), count)
    nth = np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)
    other = holders[first_holder[target][which] + nth]
    column = columns[which]
    need = cols.need[column]
    units, other_units = cols.units[column], problem.need_units[other]
    # room for the first need once the other leaves, and a gain possible were the other to take its
    # best column anywhere
    best_anywhere = np.full(problem.n_needs, -np.inf)
    starts = np.flatnonzero(np.r_[True, cols.need[1:] != cols.need[:-1]])
    best_anywhere[cols.need[starts]] = np.maximum.reduceat(cols.value, starts)
    keep = (room[cols.offer[column]] + other_units >= units) & (
        cols.value[column] - worth[need] + best_anywhere[other] - worth[other] > 1e-6
    )
    column, need, other, units, other_units = column[keep], need[keep], other[keep], units[keep], other_units[keep]
    if not len(column):
        return _no_moves()
    # the other need to the first need's offer: its column there (columns are sorted by need, offer)
    home = on_offer[need]
    pair_key = cols.need * n_offers + cols.offer
    wanted = other * n_offers + home
    # (the queries sorted first: a sorted search of millions runs in cache, three times as fast)
    by_key = np.argsort(wanted)
    at = np.empty(len(wanted), dtype=np.int64)
    at[by_key] = np.minimum(np.searchsorted(pair_key, wanted[by_key]), len(pair_key) - 1)
    swap_value = np.where((pair_key[at] == wanted) & (room[home] + units >= other_units), cols.value[at], -np.inf)
    # or to its own best offer with room now
    away_value, away_column = _best_with_room(state, on_offer, room)
    away = away_value[other]
    other_column = np.where(swap_value >= away, at, away_column[other])
    other_value = np.maximum(swap_value, away)
    gain = cols.value[column] - worth[need] + other_value - worth[other]
    good = np.flatnonzero(np.isfinite(other_value) & (gain > 1e-6))
    return gain[good], need[good], column[good], other[good], other_column[good]


def _best_with_room(state: State, on_offer: IntArray, room: IntArray) -> tuple[FloatArray, IntArray]:
    """Per need: the value and column of its best column to another offer with room for it now
    (-inf and -1 where none)."""
    cols, n_needs = state.cols, state.problem.n_needs
    candidates = np.flatnonzero((room[cols.offer] >= cols.units) & (cols.offer != on_offer[cols.need]))
    value = np.full(n_needs, -np.inf)
    column = np.full(n_needs, -1, dtype=np.int64)
    if len(candidates):
        best = candidates[top_per_group(cols.need[candidates], cols.value[candidates])]
        value[cols.need[best]], column[cols.need[best]] = cols.value[best], best
    return value, column


def _try(state: State, first: int, first_column: int, second: int, second_column: int) -> bool:
    """Make one move (the second need's first, where there is one) if it still fits and gains; else
    leave the state as it was."""
    cols = state.cols
    was_first = state.col_of[first]
    was_second = state.col_of[second] if second >= 0 else -1
    if was_first < 0 or (second >= 0 and was_second < 0):
        return False
    before = cols.value[was_first] + (cols.value[was_second] if second >= 0 else 0.0)
    after = cols.value[first_column] + (cols.value[second_column] if second >= 0 else 0.0)
    if after <= before + 1e-9:
        return False
    state.remove(first)
    if second >= 0:
        state.remove(second)
        if not state.fits(second_column):
            state.add(second, was_second)
            state.add(first, was_first)
            return False
        state.add(second, second_column)
    if state.fits(first_column):
        state.add(first, first_column)
        return True
    if second >= 0:
        state.remove(second)
        state.add(second, was_second)
    state.add(first, was_first)
    return False
