"""Columns of the integer program: one per free pair, one per (paid pair, stream that could pay it).

maximise   sum_j value_j x_j
subject to sum_{j of need n} x_j <= 1                       (each need at most once)
           sum_{j of offer o} units_j x_j <= capacity_o       (only where demand can exceed it)
           sum_{j of budget b} charge_j x_j <= budget_b       (a family's stream, or a pool)
           x_j in {0, 1}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import FloatArray, IntArray, stable_argsort_keys, weighted_count
from .pairs import Pairs
from .problem import Problem


@dataclass
class Columns:
    pair: IntArray  # index into Pairs
    need: IntArray
    offer: IntArray
    stream: IntArray  # -1 when free
    bkey: IntArray  # budget key index, -1 when free
    value: FloatArray
    units: IntArray
    charge: IntArray
    key_budget: IntArray  # budget of each budget key (pence)
    key_stream: IntArray
    key_family: IntArray  # -1 for a pool

    def __len__(self) -> int:
        return len(self.pair)


def build_columns(problem: Problem, pairs: Pairs) -> Columns:
    """The columns of the pairs; the pairs' distances, values and charges are released afterwards
    (only their needs and offers are read later), as at city scale they take a gigabyte."""
    cols = _columns(problem, pairs)
    empty = np.zeros(0)
    pairs.dist, pairs.value, pairs.charge = empty, empty, np.zeros(0, dtype=np.int64)
    return cols


def _columns(problem: Problem, pairs: Pairs) -> Columns:
    n_families, n_streams = len(problem.family_ids), problem.n_streams
    pair_index = np.arange(len(pairs), dtype=np.int64)
    free = pairs.charge == 0
    parts_pair = [pair_index[free]]
    parts_stream = [np.full(int(free.sum()), -1, dtype=np.int64)]
    paid = pair_index[~free]
    if len(paid) and n_streams:
        family = problem.need_fam[pairs.need[paid]]
        category = problem.need_cat[pairs.need[paid]]
        item = problem.offer_item[pairs.offer[paid]]
        charge = pairs.charge[paid]
        for stream in range(n_streams):
            # payable up to the whole budget (a part of the problem may have less of it left)
            if problem.stream_is_family[stream]:
                total = problem.fam_budget_total[family, stream]
            else:
                total = problem.stream_budget_total[stream]
            payable = (
                problem.fam_open[family, stream]
                & problem.stream_pays_cat[stream, category]
                & ~problem.stream_excl_item[stream, item]
                & (total >= charge)
            )
            parts_pair.append(paid[payable])
            parts_stream.append(np.full(int(payable.sum()), stream, dtype=np.int64))
    column_pair = np.concatenate(parts_pair)
    column_stream = np.concatenate(parts_stream)
    # by pair (need, offer), then stream in listed order: one key, and a stable sort that merges the
    # runs (each stream's columns are already in pair order) instead of lexsort's two full sorts
    order = stable_argsort_keys(
        column_pair * (n_streams + 1) + (column_stream + 1), (len(pairs.need) + 1) * (n_streams + 1)
    )
    column_pair, column_stream = column_pair[order], column_stream[order]
    need = pairs.need[column_pair].astype(np.int64)
    family_of = problem.need_fam[need]
    stream_or_zero = np.maximum(column_stream, 0)
    family_scope = problem.stream_is_family[stream_or_zero] if n_streams else np.zeros(len(need), dtype=bool)
    raw_key = np.where(
        column_stream < 0,
        -1,
        np.where(
            family_scope,
            stream_or_zero * (n_families + 1) + family_of,
            stream_or_zero * (n_families + 1) + n_families,
        ),
    )
    paid_cols = column_stream >= 0
    # np.unique's numbering without its sort: the keys are dense (streams x families)
    present = np.zeros(max(1, n_streams) * (n_families + 1), dtype=bool)
    present[raw_key[paid_cols]] = True
    keys = np.flatnonzero(present)
    inverse = (np.cumsum(present) - 1)[raw_key[paid_cols]]
    bkey = np.full(len(column_pair), -1, dtype=np.int64)
    bkey[paid_cols] = inverse
    key_stream = keys // (n_families + 1)
    key_family = keys % (n_families + 1)
    key_family = np.where(key_family == n_families, -1, key_family)
    key_budget = np.where(
        key_family >= 0,
        problem.fam_budget[np.maximum(key_family, 0), key_stream] if len(keys) else 0,
        problem.stream_budget_arr[key_stream] if len(keys) else 0,
    ).astype(np.int64)
    return Columns(
        pair=column_pair,
        need=need,
        offer=pairs.offer[column_pair].astype(np.int64),
        stream=column_stream,
        bkey=bkey,
        value=pairs.value[column_pair],
        units=problem.need_units[need],
        charge=pairs.charge[column_pair],
        key_budget=key_budget,
        key_stream=key_stream,
        key_family=key_family,
    )


@dataclass
class Rows:
    """Row numbering of the program: need rows, then offer rows, then budget rows (binding ones)."""

    n_rows: int
    need_row: IntArray  # per need, -1 if no row
    offer_row: IntArray  # per offer
    key_row: IntArray  # per budget key
    upper: FloatArray  # row upper bounds
    _column_rows: tuple[int, IntArray, IntArray] | None = None  # cache of column_rows

    def column_rows(self, cols: Columns) -> tuple[IntArray, IntArray]:
        """(offer row, budget row) of every column, -1 where it has none; computed once per columns."""
        if self._column_rows is None or self._column_rows[0] != id(cols) or len(self._column_rows[1]) != len(cols):
            offer_rows = self.offer_row[cols.offer]
            if len(self.key_row):
                key_rows = np.where(cols.bkey >= 0, self.key_row[np.maximum(cols.bkey, 0)], -1)
            else:
                key_rows = np.full(len(cols), -1, dtype=np.int64)
            self._column_rows = (id(cols), offer_rows, key_rows)
        return self._column_rows[1], self._column_rows[2]

    def col_entries(self, cols: Columns, idx: IntArray) -> tuple[IntArray, FloatArray, IntArray]:
        """(rows, coefficients, column positions) of columns idx."""
        need_rows = self.need_row[cols.need[idx]]
        offer_rows = self.offer_row[cols.offer[idx]]
        key = cols.bkey[idx]
        if len(self.key_row):
            key_rows = np.where(key >= 0, self.key_row[np.maximum(key, 0)], -1)
        else:
            key_rows = np.full(len(idx), -1)
        position = np.arange(len(idx))
        rows = np.concatenate([need_rows, offer_rows, key_rows])
        coefficients = np.concatenate(
            [np.ones(len(idx)), cols.units[idx].astype(float), cols.charge[idx].astype(float)]
        )
        positions = np.concatenate([position, position, position])
        keep = rows >= 0
        return rows[keep], coefficients[keep], positions[keep]


def build_rows(problem: Problem, cols: Columns) -> Rows:
    n_needs, n_offers = problem.n_needs, problem.n_offers
    n_keys = len(cols.key_budget)
    # demand an offer can see: units of distinct needs (a need counts once whatever its streams)
    first = np.ones(len(cols), dtype=bool)
    first[1:] = cols.pair[1:] != cols.pair[:-1]
    demand = np.bincount(cols.offer[first], weights=cols.units[first], minlength=n_offers)
    offer_binding = demand > problem.offer_cap
    # budget demand: the largest charge per (need, key), summed
    if n_keys:
        budget_demand = np.zeros(n_keys)
        paid = cols.bkey >= 0
        if paid.any():
            need_key = cols.need[paid] * n_keys + cols.bkey[paid]
            unique, inverse = np.unique(need_key, return_inverse=True)
            largest = np.zeros(len(unique))
            np.maximum.at(largest, inverse, cols.charge[paid].astype(float))
            budget_demand = weighted_count(unique % n_keys, largest, n_keys)
        key_binding = budget_demand > cols.key_budget
    else:
        key_binding = np.zeros(0, dtype=bool)
    has_col = np.zeros(n_needs, dtype=bool)
    has_col[cols.need] = True
    need_row = np.full(n_needs, -1, dtype=np.int64)
    need_row[has_col] = np.arange(int(has_col.sum()))
    row = int(has_col.sum())
    offer_row = np.full(n_offers, -1, dtype=np.int64)
    offer_row[offer_binding] = row + np.arange(int(offer_binding.sum()))
    row += int(offer_binding.sum())
    key_row = np.full(n_keys, -1, dtype=np.int64)
    key_row[key_binding] = row + np.arange(int(key_binding.sum()))
    row += int(key_binding.sum())
    upper = np.concatenate(
        [
            np.ones(int(has_col.sum())),
            problem.offer_cap[offer_binding].astype(float),
            cols.key_budget[key_binding].astype(float),
        ]
    )
    return Rows(row, need_row, offer_row, key_row, upper)
