"""Why each unmet need is unmet, in the terms of the spec's reason table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .arrays import BoolArray, IntArray
from .heuristics import State

if TYPE_CHECKING:
    from .finish import Finished
from .model import Columns
from .pairs import OfferBuckets, OfferItemBuckets, Pairs, blocking_rules, offer_buckets
from .problem import Problem


def has_candidates(problem: Problem, by_category: OfferBuckets, by_category_item: OfferItemBuckets) -> BoolArray:
    """Per need: some offer has its category (and item, if it requires one)."""
    out = np.zeros(problem.n_needs, dtype=bool)
    category_ok = np.array([int(code) in by_category for code in range(len(problem.categories))], dtype=bool)
    plain = problem.need_item < 0
    out[plain] = category_ok[problem.need_cat[plain]] if len(category_ok) else False
    for need in np.flatnonzero(~plain).tolist():
        out[need] = (int(problem.need_cat[need]), int(problem.need_item[need])) in by_category_item
    return out


def unmet_entries(
    problem: Problem,
    pairs: Pairs,
    cols: Columns,
    state: State,
    with_blocking: bool = True,
    deadline: float | None = None,
    finished: Finished | None = None,
) -> list[dict[str, Any]]:
    """The `unmet` list of a result: one entry per need without a column, in file order.

    no_offer: no offer of its category (and item); no_compatible_offer: no compatible pair;
    outcompeted: a compatible pair that is free or that some stream could pay for exists (a column),
    but none fits any more; unfundable: compatible pairs exist, all paid, none payable by a stream
    open to the family with enough budget in total.

    `finished`: the needs whose pairs were generated after the optimisation (and those it added). A
    need whose pairs were not generated before the time ran out (`pairs.examined`, or `finished`) and
    that has offers of its category is listed as `no_compatible_offer` with `"examined": false` and no
    `blocking`: its reason is not known. `blocking` is left out of the needs not reached when the
    perf_counter `deadline` passes."""
    by_category, by_category_item = offer_buckets(problem)
    candidate = has_candidates(problem, by_category, by_category_item)
    has_pair = np.zeros(problem.n_needs, dtype=bool)
    has_pair[pairs.need] = True
    has_col = np.zeros(problem.n_needs, dtype=bool)
    has_col[cols.need] = True
    col_of = np.array(state.col_of, dtype=np.int64)
    met = col_of >= 0
    examined = pairs.examined
    if finished is not None:
        examined = finished.examined
        has_pair |= finished.has_pair
        has_col |= finished.has_col
        met[list(finished.added)] = True
    unmet = np.flatnonzero(~met)
    if len(unmet):
        assertion_fits(state, unmet)
    no_compatible = unmet[candidate[unmet] & ~has_pair[unmet] & examined[unmet]]
    blocking = blocking_rules(problem, no_compatible, by_category, deadline) if with_blocking else {}
    out: list[dict[str, Any]] = []
    for need in unmet.tolist():
        entry: dict[str, Any]
        if not candidate[need]:
            entry = {"need": problem.need_ids[need], "reason": "no_offer"}
        elif not examined[need]:
            entry = {"need": problem.need_ids[need], "reason": "no_compatible_offer", "examined": False}
        elif not has_pair[need]:
            entry = {"need": problem.need_ids[need], "reason": "no_compatible_offer"}
            if need in blocking:
                entry["blocking"] = blocking[need]
        elif has_col[need]:
            entry = {"need": problem.need_ids[need], "reason": "outcompeted"}
        else:
            entry = {"need": problem.need_ids[need], "reason": "unfundable"}
        out.append(entry)
    return out


def assertion_fits(state: State, unmet: IntArray) -> None:
    """An unmet need that could still be added makes the result wrong: this must not happen."""
    cols = state.cols
    rem_cap = np.array(state.rem_cap, dtype=np.int64)
    rem_bud = np.append(np.array(state.rem_bud, dtype=np.int64), 0)
    mask = np.zeros(state.problem.n_needs, dtype=bool)
    mask[unmet] = True
    columns = np.flatnonzero(mask[cols.need])
    fits = rem_cap[cols.offer[columns]] >= cols.units[columns]
    paid = cols.bkey[columns] >= 0
    fits &= ~paid | (rem_bud[np.maximum(cols.bkey[columns], 0)] >= cols.charge[columns])
    if fits.any():
        raise AssertionError("an unmet need still fits; the assignment is not maximal")
