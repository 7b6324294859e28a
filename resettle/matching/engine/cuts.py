"""Valid inequalities for the knapsack rows (an offer's capacity in units, a budget in pence) that
the linear relaxation violates: cliques of needs no two of which fit together, extended covers and
Chvatal-Gomory roundings. Each is stated on z_n, the share of need n in the row (at most 1), and
applies to every column of n in that row."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from .arrays import FloatArray, IntArray, weighted_count
from .model import Columns, Rows
from .problem import Problem

EPS = 1e-6

RowCut = tuple[IntArray, FloatArray, float]  # need ids, coefficients, right-hand side
Cut = tuple[str, int, IntArray, FloatArray, float]  # kind ('o' offer, 'b' budget), row key, then a RowCut


def _separate(
    ids: IntArray,
    coef: FloatArray,
    share: FloatArray,
    capacity: float,
    all_ids: IntArray,
    all_coef: FloatArray,
) -> list[RowCut]:
    """Cuts for sum coef_i z_i <= capacity, z in {0,1}, violated by z = share.

    ids, coef, share: the needs with a share in the row, their coefficients and shares; all_ids,
    all_coef: every need the row could hold, to extend the cuts to."""
    order = np.lexsort((-coef, -share)).tolist()
    out = []
    clique = _clique_cut(ids, coef, share, capacity, all_ids, all_coef, order)
    if clique is not None:
        out.append(clique)
    cover = _cover_cut(ids, coef, share, capacity, all_ids, all_coef, order)
    if cover is not None:
        out.append(cover)
    out.extend(_chvatal_gomory_cuts(coef, share, capacity, all_ids, all_coef))
    return out


def _clique_cut(
    ids: IntArray,
    coef: FloatArray,
    share: FloatArray,
    capacity: float,
    all_ids: IntArray,
    all_coef: FloatArray,
    order: list[int],
) -> RowCut | None:
    """At most one of a set of needs no two of which fit together: taken greedily in `order`, then
    extended by every other need too large to fit beside the smallest so far. None unless violated."""
    clique: list[int] = []
    for position in order:
        if share[position] <= EPS:
            break
        if all(coef[position] + coef[other] > capacity for other in clique):
            clique.append(position)
    if not (len(clique) >= 2 and share[clique].sum() > 1 + EPS):
        return None
    members = set(ids[clique].tolist())
    smallest = coef[clique].min()
    extension = []
    for position in np.argsort(-all_coef, kind="stable").tolist():
        if int(all_ids[position]) not in members and all_coef[position] + smallest > capacity:
            extension.append(position)
            smallest = min(smallest, all_coef[position])
    cut_ids = np.concatenate([ids[clique], all_ids[extension]]) if extension else ids[clique]
    return cut_ids.astype(np.int64), np.ones(len(cut_ids)), 1.0


def _minimal_cover(coef: FloatArray, share: FloatArray, capacity: float, order: list[int]) -> list[int] | None:
    """Needs taken in `order` until they overflow the row, then made minimal by dropping needs
    (smallest share first) while the rest still overflow. None when no such cover of two or more."""
    total = 0.0
    cover: list[int] = []
    for position in order:
        if share[position] <= EPS:
            break
        cover.append(position)
        total += coef[position]
        if total > capacity:
            break
    if not (total > capacity and len(cover) >= 2):
        return None
    for position in sorted(cover, key=lambda member: share[member]):
        if total - coef[position] > capacity:
            cover.remove(position)
            total -= coef[position]
    return cover


def _cover_cut(
    ids: IntArray,
    coef: FloatArray,
    share: FloatArray,
    capacity: float,
    all_ids: IntArray,
    all_coef: FloatArray,
    order: list[int],
) -> RowCut | None:
    """Not every need of a minimal cover fits: at most |cover| - 1 of them, extended by every need at
    least as large as the cover's largest. None unless violated."""
    cover = _minimal_cover(coef, share, capacity, order)
    if cover is None or not share[cover].sum() > len(cover) - 1 + EPS:
        return None
    largest = coef[cover].max()
    members = set(ids[cover].tolist())
    extension = [
        position
        for position in range(len(all_ids))
        if all_coef[position] >= largest and int(all_ids[position]) not in members
    ]
    cut_ids = np.concatenate([ids[cover], all_ids[extension]]) if extension else ids[cover]
    return cut_ids.astype(np.int64), np.ones(len(cut_ids)), float(len(cover) - 1)


def _chvatal_gomory_cuts(
    coef: FloatArray, share: FloatArray, capacity: float, all_ids: IntArray, all_coef: FloatArray
) -> list[RowCut]:
    """The row divided by each coefficient d of a need with a share (1 < d <= capacity), rounded down."""
    out = []
    for divisor in sorted(set(coef[share > EPS].tolist())):
        if divisor <= 1 or divisor > capacity:
            continue
        rounded = np.floor(coef / divisor + 1e-12)
        rhs = np.floor(capacity / divisor + 1e-12)
        if rounded @ share > rhs + EPS:
            all_rounded = np.floor(all_coef / divisor + 1e-12)
            keep = all_rounded > 0
            out.append((all_ids[keep].astype(np.int64), all_rounded[keep], float(rhs)))
    return out


def separate(problem: Problem, cols: Columns, rows: Rows, shares: FloatArray, max_cuts: int = 2000) -> list[Cut]:
    """Cuts violated by `shares` (a value for every column). Returns a list of
    (kind, row key, need ids, coefficients, rhs): kind 'o' for an offer row, 'b' for a budget row.
    Offer rows come first; it stops after the row that brings the count to max_cuts."""
    cuts: list[Cut] = []
    positive = np.flatnonzero(shares > EPS)
    if not len(positive):
        return cuts
    for row_cuts in itertools.chain(
        _offer_row_cuts(problem, cols, rows, shares, positive), _budget_row_cuts(cols, rows, shares, positive)
    ):
        cuts.extend(row_cuts)
        if len(cuts) >= max_cuts:
            return cuts
    return cuts


def _offer_row_cuts(
    problem: Problem, cols: Columns, rows: Rows, shares: FloatArray, positive: IntArray
) -> Iterator[list[Cut]]:
    """The cuts of each binding offer row where some need has a fractional share, one list per offer;
    a need's share of the offer is summed over its streams, its coefficient is its units."""
    selected = positive[rows.offer_row[cols.offer[positive]] >= 0]
    if not len(selected):
        return
    key = cols.offer[selected] * problem.n_needs + cols.need[selected]
    unique, inverse = np.unique(key, return_inverse=True)
    share = weighted_count(inverse, shares[selected])
    offer_of = unique // problem.n_needs
    fractional = np.unique(offer_of[(share > EPS) & (share < 1 - EPS)])
    if not len(fractional):
        return
    pair_offer, pair_need, pair_units = _pairs_of_offers(cols, fractional)
    pair_starts = np.searchsorted(pair_offer, fractional)
    pair_ends = np.searchsorted(pair_offer, fractional, side="right")
    share_starts = np.searchsorted(offer_of, fractional)
    share_ends = np.searchsorted(offer_of, fractional, side="right")
    for offer, pair_start, pair_end, share_start, share_end in zip(
        fractional.tolist(), pair_starts, pair_ends, share_starts, share_ends, strict=True
    ):
        ids = unique[share_start:share_end] % problem.n_needs
        coef = problem.need_units[ids].astype(np.float64)
        found = _separate(
            ids,
            coef,
            share[share_start:share_end],
            float(problem.offer_cap[offer]),
            pair_need[pair_start:pair_end],
            pair_units[pair_start:pair_end],
        )
        yield [("o", offer, cut_ids, cut_coef, rhs) for cut_ids, cut_coef, rhs in found]


def _pairs_of_offers(cols: Columns, offers: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """(offer, need, units) of every compatible pair of the given offers, one entry per pair (not per
    stream), sorted by offer: the needs a cut on an offer's row extends to."""
    first = np.ones(len(cols), dtype=bool)
    first[1:] = cols.pair[1:] != cols.pair[:-1]
    mask = first & np.isin(cols.offer, offers)
    pair_offer, pair_need, pair_units = cols.offer[mask], cols.need[mask], cols.units[mask].astype(float)
    order = np.argsort(pair_offer, kind="stable")
    return pair_offer[order], pair_need[order], pair_units[order]


def _budget_row_cuts(cols: Columns, rows: Rows, shares: FloatArray, positive: IntArray) -> Iterator[list[Cut]]:
    """The cuts of each binding budget row (a stream's budget for a family, or a pool) where some need
    has a fractional share, one list per row; a need's coefficient is its smallest charge to it."""
    if not len(rows.key_row):
        return
    selected = positive[(cols.bkey[positive] >= 0)]
    selected = selected[rows.key_row[cols.bkey[selected]] >= 0]
    if not len(selected):
        return
    n_keys = len(rows.key_row)
    key = cols.need[selected] * n_keys + cols.bkey[selected]
    unique, inverse = np.unique(key, return_inverse=True)
    share = weighted_count(inverse, shares[selected])
    budget_of = unique % n_keys
    fractional = np.unique(budget_of[(share > EPS) & (share < 1 - EPS)])
    if not len(fractional):
        return
    need_keys, smallest, charge_key = _smallest_charges(cols, fractional, n_keys)
    by_budget = np.argsort(budget_of, kind="stable")
    budget_sorted = budget_of[by_budget]
    for budget in fractional.tolist():
        first, last = np.searchsorted(charge_key, budget), np.searchsorted(charge_key, budget, side="right")
        all_ids = need_keys[first:last] // n_keys
        all_coef = smallest[first:last]
        members = by_budget[
            np.searchsorted(budget_sorted, budget) : np.searchsorted(budget_sorted, budget, side="right")
        ]
        ids = unique[members] // n_keys
        lookup = dict(zip(all_ids.tolist(), all_coef.tolist(), strict=True))
        coef = np.array([lookup[need] for need in ids.tolist()], dtype=np.float64)
        capacity = float(cols.key_budget[budget])
        found = _separate(ids, coef, share[members], capacity, all_ids, all_coef)
        yield [("b", budget, cut_ids, cut_coef, rhs) for cut_ids, cut_coef, rhs in found]


def _smallest_charges(cols: Columns, keys: IntArray, n_keys: int) -> tuple[IntArray, FloatArray, IntArray]:
    """Each need's smallest charge to each of the given budget keys: (need * n_keys + key, charge, key),
    sorted by key: the coefficients of a budget row's cuts."""
    paid = np.flatnonzero(np.isin(cols.bkey, keys))
    need_key = cols.need[paid] * n_keys + cols.bkey[paid]
    unique, inverse = np.unique(need_key, return_inverse=True)
    smallest = np.full(len(unique), np.inf)
    np.minimum.at(smallest, inverse, cols.charge[paid].astype(float))
    key_of = unique % n_keys
    order = np.argsort(key_of, kind="stable")
    return unique[order], smallest[order], key_of[order]


def cut_matrix(problem: Problem, cols: Columns, cuts: list[Cut]) -> tuple[IntArray, IntArray, FloatArray]:
    """(row index, column index, coefficient) triplets of the cuts over all columns."""
    row_parts, column_parts, value_parts = [], [], []
    for row, (kind, key, ids, coefs, _) in enumerate(cuts):
        coef_of = dict(zip(ids.tolist(), coefs.tolist(), strict=True))
        need_ids = np.asarray(ids, dtype=np.int64)
        lows = np.searchsorted(cols.need, need_ids)
        highs = np.searchsorted(cols.need, need_ids, side="right")
        for need, low, high in zip(need_ids.tolist(), lows.tolist(), highs.tolist(), strict=True):
            if low == high:
                continue
            columns = np.arange(low, high)
            columns = columns[cols.offer[columns] == key] if kind == "o" else columns[cols.bkey[columns] == key]
            if len(columns):
                row_parts.append(np.full(len(columns), row))
                column_parts.append(columns)
                value_parts.append(np.full(len(columns), coef_of[need]))
    if not row_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(row_parts), np.concatenate(column_parts), np.concatenate(value_parts)
