"""The needs whose pairs were not generated before the time ran out: after the optimisation, their
pairs are generated in batches, each need that still fits is added (by value, on the capacity and
budgets the result leaves), and what is found tells each unmet one's reason (a compatible pair or
not, a column or not). Whatever the clock leaves undone stays not examined."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .arrays import BoolArray, FloatArray, IntArray
from .heuristics import State
from .model import Columns, build_columns
from .pairs import build_pairs
from .problem import Problem

BATCH_NEEDS = 500  # needs per batch of pairs (about 250,000 pairs at London density, a fraction of a second)


@dataclass
class Finished:
    """What the late pairs gave: per need, examined now, some compatible pair, some column; the
    needs added with their offer, stream (-1 free) and value."""

    examined: BoolArray
    has_pair: BoolArray
    has_col: BoolArray
    need: list[int] = field(default_factory=list)
    offer: list[int] = field(default_factory=list)
    stream: list[int] = field(default_factory=list)
    value: float = 0.0
    added: set[int] = field(default_factory=set)
    priced: float = 0.0  # with `prices`: the Lagrangian terms of the needs examined here (see below)


def _raw_keys(problem: Problem, cols: Columns) -> IntArray:
    """A budget key's identity across column sets: stream and family (or the stream's pool)."""
    n_families = len(problem.family_ids)
    family = np.where(cols.key_family >= 0, cols.key_family, n_families)
    return np.asarray(cols.key_stream * (n_families + 1) + family, dtype=np.int64)


@dataclass
class RowPrices:
    """Row prices (>= 0) of the optimisation's offer and budget rows: per offer, and per budget key of
    the optimisation's columns (0 where a row was not binding)."""

    offer: FloatArray
    key: FloatArray


def finish_unexamined(
    problem: Problem,
    cols: Columns,
    state: State,
    examined: BoolArray,
    deadline: float,
    prices: RowPrices | None = None,
) -> Finished:
    """Generate the pairs of the needs not `examined` (batch by batch until the perf_counter
    `deadline`), add every one that fits to `state`'s capacity and budgets (state.rem_cap and
    state.rem_bud are used up in place; its columns are not touched) and record their reasons.

    With `prices`, also each such need's term of the Lagrangian bound at those prices: the largest
    value less units x its offer's price less charge x its budget's price over its columns (at least
    0), summed in `priced`. Added to the bound of the optimisation at the same prices, it bounds the
    whole problem: far tighter than each need's priority value where offers are contested."""
    done = Finished(
        examined=examined.copy(),
        has_pair=np.zeros(problem.n_needs, dtype=bool),
        has_col=np.zeros(problem.n_needs, dtype=bool),
    )
    todo = np.flatnonzero(~examined)
    if not len(todo):
        return done
    main_key = {int(raw): position for position, raw in enumerate(_raw_keys(problem, cols).tolist())}
    spent_elsewhere: dict[int, int] = {}  # budget left of keys the main columns do not have
    rem_cap, rem_bud = state.rem_cap, state.rem_bud
    # the most valuable needs first, as the pairs were generated
    todo = todo[np.argsort(-problem.need_pv[todo], kind="stable")]
    for start in range(0, len(todo), BATCH_NEEDS):
        if time.perf_counter() > deadline:
            break
        batch = todo[start : start + BATCH_NEEDS]
        pairs = build_pairs(problem, deadline, only=batch)
        extra = build_columns(problem, pairs)
        done.examined[batch] = pairs.examined[batch]  # (the other needs count as examined there)
        done.has_pair[pairs.need] = True
        done.has_col[extra.need] = True
        raw = _raw_keys(problem, extra)
        if prices is not None and len(extra):
            done.priced += _priced(extra, raw, main_key, prices)
        # capacity and budgets only go down: what does not fit now never will
        fits = np.flatnonzero(np.asarray(rem_cap, dtype=np.int64)[extra.offer] >= extra.units)
        order = fits[np.lexsort((fits, -extra.value[fits]))]
        for column, need, offer, units, key, charge in zip(
            order.tolist(),
            extra.need[order].tolist(),
            extra.offer[order].tolist(),
            extra.units[order].tolist(),
            extra.bkey[order].tolist(),
            extra.charge[order].tolist(),
            strict=True,
        ):
            if need in done.added or rem_cap[offer] < units:
                continue
            if key >= 0:
                identity = int(raw[key])
                position = main_key.get(identity)
                if position is not None:
                    if rem_bud[position] < charge:
                        continue
                    rem_bud[position] -= charge
                else:
                    left = spent_elsewhere.get(identity, int(extra.key_budget[key]))
                    if left < charge:
                        continue
                    spent_elsewhere[identity] = left - charge
            rem_cap[offer] -= units
            done.need.append(need)
            done.offer.append(offer)
            done.stream.append(int(extra.stream[column]))
            done.value += float(extra.value[column])
            done.added.add(need)
    return done


def _priced(extra: Columns, raw: IntArray, main_key: dict[int, int], prices: RowPrices) -> float:
    """The sum over the needs of `extra` of max(0, their best column's value less its rows' prices)."""
    key_price = np.array([prices.key[main_key[int(r)]] if int(r) in main_key else 0.0 for r in raw.tolist()])
    key_price = np.append(key_price, 0.0)  # bkey -1 (free): no budget
    reduced = extra.value - extra.units * prices.offer[extra.offer] - extra.charge * key_price[extra.bkey]
    starts = np.flatnonzero(np.r_[True, extra.need[1:] != extra.need[:-1]])
    return float(np.maximum(np.maximum.reduceat(reduced, starts), 0.0).sum())
