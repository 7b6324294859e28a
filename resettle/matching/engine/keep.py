"""The `keep_offer` extension's last step: after the optimisation, each need that was proposed an
offer last time and now has another (or none) is put back on it where the result's objective stays
within KEEP_SHARE of the best found, in all. A kept offer that is full is taken back from a need that
was not kept there, which moves to its best other offer that fits (two proposals move as one step).

The optimisation itself gives every kept column a small bonus, which settles ties; this step uses
the rest of the allowance, so that a proposal does not move for a gain smaller than the allowance."""

from __future__ import annotations

import time

import numpy as np

from .arrays import FloatArray, IntArray
from .heuristics import State


class _Moves:
    """Column by column changes to a State, with the true value of each column."""

    def __init__(self, state: State, value: FloatArray) -> None:
        self.state = state
        self.cols = state.cols
        self.value = value
        cols = self.cols
        self.need_start = np.searchsorted(cols.need, np.arange(state.problem.n_needs + 1))
        self.on_offer: dict[int, set[int]] = {}
        for need, column in enumerate(state.col_of):
            if column >= 0:
                self.on_offer.setdefault(int(cols.offer[column]), set()).add(need)

    def columns_of(self, need: int) -> range:
        return range(int(self.need_start[need]), int(self.need_start[need + 1]))

    def take(self, need: int, column: int) -> None:
        self.state.add(need, column)
        self.on_offer.setdefault(int(self.cols.offer[column]), set()).add(need)

    def drop(self, need: int) -> int:
        """Remove the need's column (returned; -1 if it had none)."""
        column = self.state.col_of[need]
        if column >= 0:
            self.on_offer[int(self.cols.offer[column])].discard(need)
            self.state.remove(need)
        return column

    def worth(self, column: int) -> float:
        return float(self.value[column]) if column >= 0 else 0.0

    def best_fitting(self, need: int, offer: int | None = None, avoid: int = -1) -> int:
        """The need's most valuable column that fits (on `offer` if given, never on `avoid`); -1."""
        best, best_value = -1, -np.inf
        for column in self.columns_of(need):
            on = int(self.cols.offer[column])
            if (offer is not None and on != offer) or on == avoid:
                continue
            if self.value[column] > best_value and self.state.fits(column):
                best, best_value = column, float(self.value[column])
        return best


def restore_kept(state: State, keep: IntArray, value: FloatArray, allowance: float, deadline: float) -> int:
    """Put needs back on their kept offer (`keep`: per need, the offer index or -1) while the total
    loss of true `value` stays within `allowance`; the cheapest first. Returns the needs put back."""
    moves = _Moves(state, value)
    cols = state.cols
    col_of = np.asarray(state.col_of, dtype=np.int64)
    on_offer = np.where(col_of >= 0, cols.offer[np.maximum(col_of, 0)], -1)
    moved = np.flatnonzero((keep >= 0) & (on_offer != keep))
    # cheapest first: what the need's best column on its kept offer would lose against its present one
    costs = []
    for need in moved.tolist():
        kept = [c for c in moves.columns_of(need) if int(cols.offer[c]) == int(keep[need])]
        if kept:
            costs.append((moves.worth(state.col_of[need]) - max(float(value[c]) for c in kept), need))
    costs.sort()
    spent, restored = 0.0, 0
    for _, need in costs:
        if time.perf_counter() > deadline:
            break
        loss = _restore_one(moves, need, int(keep[need]), keep, allowance - spent)
        if loss is not None:
            spent += loss
            restored += 1
    return restored


def _restore_one(moves: _Moves, need: int, offer: int, keep: IntArray, allowance: float) -> float | None:
    """Put `need` on `offer` at a loss within `allowance` (directly, or by moving a need that was not
    kept there to its best other offer); the loss, or None (nothing changed)."""
    present = moves.drop(need)
    column = moves.best_fitting(need, offer)
    if column >= 0:
        loss = moves.worth(present) - moves.worth(column)
        if loss <= allowance + 1e-9:
            moves.take(need, column)
            return loss
        _undo(moves, need, present)
        return None
    for other in sorted(moves.on_offer.get(offer, set())):
        if int(keep[other]) == offer:
            continue  # kept there itself
        other_present = moves.drop(other)
        column = moves.best_fitting(need, offer)
        if column >= 0:
            moves.take(need, column)
            elsewhere = moves.best_fitting(other, avoid=offer)
            loss = (
                moves.worth(present)
                + moves.worth(other_present)
                - moves.worth(column)
                - (moves.worth(elsewhere) if elsewhere >= 0 else 0.0)
            )
            if elsewhere >= 0 and loss <= allowance + 1e-9:
                moves.take(other, elsewhere)
                return loss
            moves.drop(need)
        _undo(moves, other, other_present)
    _undo(moves, need, present)
    return None


def _undo(moves: _Moves, need: int, column: int) -> None:
    if column >= 0:
        moves.take(need, column)
