"""A bound on a problem solved in parts that counts each budget once.

The parts of a split problem share no need and no offer, only budgets (a family's stream, or a pool).
Each part's own bound holds with the whole budgets, so their sum counts a family budget once for
every part whose needs it may pay for: on the generator's london-10,000 a family's core budget is
counted by its furniture, ESOL and childcare parts alike.

Here the whole problem's Lagrangian is bounded with one price per budget. With the offers' prices of
each part's relaxation fixed, a need adds the largest of its columns' values less those prices and
less the charge times its budget's price (0 at least), and each budget adds its price times its
whole amount:

    bound(price) = sum_parts offer_prices . capacities + sum_needs max(0, max_j value_j - offer_j
                   - charge_j price_key(j)) + sum_keys price_key . budget_key

It holds for any prices >= 0. The budgets' prices are chosen by bisection on the slope of each
budget's term (its whole amount less what the needs whose best column it pays would charge to it),
family budgets and pools in turn; the smallest bound found is kept.

Measured: where two parts want one budget whole, it bounds by what the budget funds once (3,900 ->
2,950 in test_engine_shared_budgets.py). On the generator's london-10,000 it does not move the bound
(91.22M against the parts' 91.21M, in 0.2 s): at the parts' offer prices the needs' best columns
overspend only 143 of 10,000 family budgets, so the gap left there is not budgets counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import FloatArray, IntArray, weighted_count
from .model import Columns, Rows
from .problem import Problem

BISECTIONS = 40  # halvings of each budget's price interval per round (2^-40 of its width)
ROUNDS = 3  # rounds of family budgets then pools


@dataclass
class PartPrices:
    """What a part adds to the bound at any budget prices: for each of its needs (whole problem's
    numbering) its best free column's value less the offer prices, and its paid columns that may
    beat it (value less offer prices, charge, budget key of the whole problem); and the offer prices
    times the capacities, with what needs not examined may add."""

    free_need: IntArray
    free_value: FloatArray
    need: IntArray
    key: IntArray
    value: FloatArray
    charge: FloatArray
    constant: float

    @property
    def entries(self) -> int:
        return len(self.need) + len(self.free_need)


def budget_keys(problem: Problem) -> FloatArray:
    """The whole amount of every budget key of the whole problem: (family, stream) keys first, in
    family then stream order, then one per pool (zero for a stream of the other scope)."""
    n_families, n_streams = problem.fam_budget_total.shape
    family = np.where(problem.stream_is_family[None, :], problem.fam_budget_total, 0).reshape(-1)
    pool = np.where(problem.stream_is_family, 0, problem.stream_budget_total)
    return np.concatenate([family, pool]).astype(float)


def part_prices(
    part: Problem, needs: IntArray, rows: Rows, cols: Columns, prices: FloatArray, extra: float
) -> PartPrices:
    """A part's terms of the bound from its relaxation's row prices (`prices`, rows only: cuts may
    hold only for the budget the part had). `needs` maps the part's needs to the whole problem's."""
    extended = np.append(np.maximum(np.nan_to_num(prices[: rows.n_rows]), 0.0), 0.0)
    offer_rows, _ = rows.column_rows(cols)
    value = cols.value - cols.units * extended[offer_rows]
    has_offer_row = rows.offer_row >= 0
    constant = float((extended[rows.offer_row[has_offer_row]] * part.offer_cap[has_offer_row]).sum()) + float(extra)
    free = cols.bkey < 0
    best_free = np.full(part.n_needs, -np.inf)
    np.maximum.at(best_free, cols.need[free], value[free])
    met = np.isfinite(best_free) & (best_free > 0)
    free_need = np.flatnonzero(met)
    # a paid column matters only where it may beat its need's best free column (prices only lower it)
    floor = np.maximum(best_free, 0.0)
    paid = np.flatnonzero(~free & (value > floor[cols.need]))
    n_families, n_streams = part.fam_budget_total.shape
    bkey = cols.bkey[paid]
    stream = cols.key_stream[bkey]
    family = cols.key_family[bkey]
    key = np.where(family >= 0, np.maximum(family, 0) * n_streams + stream, n_families * n_streams + stream)
    paid_need, paid_value, paid_charge = cols.need[paid], value[paid], cols.charge[paid].astype(float)
    keep = _undominated(paid_need, key, paid_value, paid_charge)
    return PartPrices(
        free_need=needs[free_need],
        free_value=best_free[free_need],
        need=needs[paid_need[keep]],
        key=key[keep].astype(np.int64),
        value=paid_value[keep],
        charge=paid_charge[keep],
        constant=constant,
    )


def _undominated(need: IntArray, key: IntArray, value: FloatArray, charge: FloatArray) -> IntArray:
    """Indices of the columns that no other column of the same need and budget beats at every price
    (one charging no more with a value no smaller); the others never give a need's best."""
    if not len(need):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-value, charge, key, need))
    group = np.r_[True, (need[order][1:] != need[order][:-1]) | (key[order][1:] != key[order][:-1])]
    group_id = np.cumsum(group) - 1
    values = value[order]
    # the best value among the group's cheaper columns: a running maximum restarted at each group
    # (each group's values lifted above every earlier group's, so one running maximum does)
    span = float(values.max() - values.min()) + 1.0
    lifted = values - values.min() + group_id * span
    before = np.maximum.accumulate(lifted)
    previous = np.r_[-np.inf, before[:-1]]
    previous[group] = -np.inf
    undominated = lifted > previous
    return np.sort(order[undominated])


def joint_bound(
    parts: list[PartPrices], budget: FloatArray, n_family_keys: int, n_needs: int
) -> tuple[float, FloatArray]:
    """The smallest bound found over budget prices (see the module), and those prices."""
    need = np.concatenate([part.need for part in parts]) if parts else np.zeros(0, dtype=np.int64)
    key = np.concatenate([part.key for part in parts]) if parts else np.zeros(0, dtype=np.int64)
    value = np.concatenate([part.value for part in parts]) if parts else np.zeros(0)
    charge = np.concatenate([part.charge for part in parts]) if parts else np.zeros(0)
    floor = np.zeros(n_needs)
    for part in parts:
        np.maximum.at(floor, part.free_need, part.free_value)
    constant = float(sum(part.constant for part in parts))
    order = np.argsort(need, kind="stable")
    need, key, value, charge = need[order], key[order], value[order], charge[order]
    terms = _Terms(need, key, value, charge, floor, budget, constant)
    prices = np.zeros(len(budget))
    best_bound, best_prices = terms.bound(prices), prices.copy()
    is_family = np.arange(len(budget)) < n_family_keys
    for _ in range(ROUNDS):
        for block in (is_family, ~is_family):
            prices = terms.bisect(prices, block)
            bound = terms.bound(prices)
            if bound < best_bound:
                best_bound, best_prices = bound, prices.copy()
    return best_bound, best_prices


class _Terms:
    """The bound's terms over every part's columns, sorted by need."""

    def __init__(
        self,
        need: IntArray,
        key: IntArray,
        value: FloatArray,
        charge: FloatArray,
        floor: FloatArray,
        budget: FloatArray,
        constant: float,
    ) -> None:
        self.need, self.key, self.value, self.charge = need, key, value, charge
        self.floor, self.budget, self.constant = floor, budget, constant
        self.starts = np.flatnonzero(np.r_[True, need[1:] != need[:-1]]) if len(need) else np.zeros(0, np.int64)
        self.group_need = need[self.starts] if len(need) else np.zeros(0, np.int64)
        self.sizes = np.diff(np.r_[self.starts, len(need)])
        self.paid_floor = floor[self.group_need]
        self.free_total = float(floor.sum())  # needs' best free values (0 at least)
        # above this price a budget's columns are worth nothing to any need
        self.ceiling = np.zeros(len(budget))
        if len(need):
            np.maximum.at(self.ceiling, key, value / np.maximum(charge, 1.0))

    def bound(self, prices: FloatArray) -> float:
        if not len(self.need):
            return self.constant + self.free_total + float(prices @ self.budget)
        worth = self.value - self.charge * prices[self.key]
        best = np.maximum.reduceat(worth, self.starts)
        gain = np.maximum(best - self.paid_floor, 0.0)  # over the need's best free column (or nothing)
        return self.constant + self.free_total + float(gain.sum()) + float(prices @ self.budget)

    def usage(self, prices: FloatArray) -> FloatArray:
        """What each budget would be charged if every need took its best column at `prices`."""
        usage = np.zeros(len(self.budget))
        if not len(self.need):
            return usage
        worth = self.value - self.charge * prices[self.key]
        best = np.maximum.reduceat(worth, self.starts)
        wins = best > self.paid_floor
        at_best = worth >= np.repeat(best, self.sizes)
        # the first column reaching its need's best, for needs whose best is a paid column
        first = np.full(len(self.starts), -1, dtype=np.int64)
        position = np.flatnonzero(at_best)
        group = np.repeat(np.arange(len(self.starts)), self.sizes)[position]
        first_of_group = np.r_[True, group[1:] != group[:-1]]
        first[group[first_of_group]] = position[first_of_group]
        chosen = first[wins & (first >= 0)]
        return weighted_count(self.key[chosen], self.charge[chosen], len(self.budget))

    def bisect(self, prices: FloatArray, block: np.ndarray) -> FloatArray:
        """Prices of the budgets in `block` moved to where their slopes change sign (bisection on each
        budget's interval at once), the others held."""
        low = np.zeros(len(prices))
        high = self.ceiling.copy()
        active = block & (high > 0)
        prices = prices.copy()
        for _ in range(BISECTIONS):
            middle = np.where(active, 0.5 * (low + high), prices)
            over = self.usage(middle) > self.budget  # slope below zero: the price must rise
            low = np.where(active & over, middle, low)
            high = np.where(active & ~over, middle, high)
        return np.where(active, high, prices)
