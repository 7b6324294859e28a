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


@dataclass
class Columns:
    pair: np.ndarray  # index into Pairs
    need: np.ndarray
    offer: np.ndarray
    stream: np.ndarray  # -1 when free
    bkey: np.ndarray  # budget key index, -1 when free
    value: np.ndarray
    units: np.ndarray
    charge: np.ndarray
    key_budget: np.ndarray  # budget of each budget key (pence)
    key_stream: np.ndarray
    key_family: np.ndarray  # -1 for a pool

    def __len__(self):
        return len(self.pair)


def build_columns(p, pairs):
    F, S = len(p.family_ids), p.n_streams
    q = np.arange(len(pairs), dtype=np.int64)
    free = pairs.charge == 0
    parts_q = [q[free]]
    parts_s = [np.full(int(free.sum()), -1, dtype=np.int64)]
    paid = q[~free]
    if len(paid) and S:
        fam = p.need_fam[pairs.need[paid]]
        cat = p.need_cat[pairs.need[paid]]
        item = p.offer_item[pairs.offer[paid]]
        ch = pairs.charge[paid]
        for s in range(S):
            total = p.fam_budget[fam, s] if p.stream_is_family[s] else p.stream_budget_arr[s]
            ok = p.fam_open[fam, s] & p.stream_pays_cat[s, cat] & ~p.stream_excl_item[s, item] & (total >= ch)
            parts_q.append(paid[ok])
            parts_s.append(np.full(int(ok.sum()), s, dtype=np.int64))
    cq = np.concatenate(parts_q)
    cs = np.concatenate(parts_s)
    order = np.lexsort((cs, cq))  # by pair (need, offer), then stream in listed order
    cq, cs = cq[order], cs[order]
    need = pairs.need[cq].astype(np.int64)
    fam = p.need_fam[need]
    raw = np.where(
        cs < 0,
        -1,
        np.where(
            p.stream_is_family[np.maximum(cs, 0)] if S else False,
            np.maximum(cs, 0) * (F + 1) + fam,
            np.maximum(cs, 0) * (F + 1) + F,
        ),
    )
    paid_cols = cs >= 0
    keys, inv = np.unique(raw[paid_cols], return_inverse=True)
    bkey = np.full(len(cq), -1, dtype=np.int64)
    bkey[paid_cols] = inv
    key_stream = keys // (F + 1)
    key_family = keys % (F + 1)
    key_family = np.where(key_family == F, -1, key_family)
    key_budget = np.where(
        key_family >= 0,
        p.fam_budget[np.maximum(key_family, 0), key_stream] if len(keys) else 0,
        p.stream_budget_arr[key_stream] if len(keys) else 0,
    ).astype(np.int64)
    return Columns(
        pair=cq,
        need=need,
        offer=pairs.offer[cq].astype(np.int64),
        stream=cs,
        bkey=bkey,
        value=pairs.value[cq],
        units=p.need_units[need],
        charge=pairs.charge[cq],
        key_budget=key_budget,
        key_stream=key_stream,
        key_family=key_family,
    )


@dataclass
class Rows:
    """Row numbering of the program: need rows, then offer rows, then budget rows (binding ones)."""

    n_rows: int
    need_row: np.ndarray  # per need, -1 if no row
    offer_row: np.ndarray  # per offer
    key_row: np.ndarray  # per budget key
    upper: np.ndarray  # row upper bounds

    def col_entries(self, cols, idx):
        """(rows, coefficients, column positions) of columns idx."""
        r_n = self.need_row[cols.need[idx]]
        r_o = self.offer_row[cols.offer[idx]]
        bk = cols.bkey[idx]
        r_b = np.where(bk >= 0, self.key_row[np.maximum(bk, 0)], -1) if len(self.key_row) else np.full(len(idx), -1)
        pos = np.arange(len(idx))
        rows = np.concatenate([r_n, r_o, r_b])
        coef = np.concatenate([np.ones(len(idx)), cols.units[idx].astype(float), cols.charge[idx].astype(float)])
        cpos = np.concatenate([pos, pos, pos])
        keep = rows >= 0
        return rows[keep], coef[keep], cpos[keep]


def build_rows(p, cols):
    n_needs, n_offers = p.n_needs, p.n_offers
    K = len(cols.key_budget)
    # demand an offer can see: units of distinct needs (a need counts once whatever its streams)
    first = np.ones(len(cols), dtype=bool)
    first[1:] = cols.pair[1:] != cols.pair[:-1]
    demand = np.bincount(cols.offer[first], weights=cols.units[first], minlength=n_offers)
    offer_binding = demand > p.offer_cap
    # budget demand: the largest charge per (need, key), summed
    if K:
        bd = np.zeros(K)
        paid = cols.bkey >= 0
        if paid.any():
            nk = cols.need[paid] * K + cols.bkey[paid]
            u, inv = np.unique(nk, return_inverse=True)
            mx = np.zeros(len(u))
            np.maximum.at(mx, inv, cols.charge[paid].astype(float))
            bd = np.bincount(u % K, weights=mx, minlength=K)
        key_binding = bd > cols.key_budget
    else:
        key_binding = np.zeros(0, dtype=bool)
    has_col = np.zeros(n_needs, dtype=bool)
    has_col[cols.need] = True
    need_row = np.full(n_needs, -1, dtype=np.int64)
    need_row[has_col] = np.arange(int(has_col.sum()))
    r = int(has_col.sum())
    offer_row = np.full(n_offers, -1, dtype=np.int64)
    offer_row[offer_binding] = r + np.arange(int(offer_binding.sum()))
    r += int(offer_binding.sum())
    key_row = np.full(K, -1, dtype=np.int64)
    key_row[key_binding] = r + np.arange(int(key_binding.sum()))
    r += int(key_binding.sum())
    upper = np.concatenate(
        [
            np.ones(int(has_col.sum())),
            p.offer_cap[offer_binding].astype(float),
            cols.key_budget[key_binding].astype(float),
        ]
    )
    return Rows(r, need_row, offer_row, key_row, upper)
