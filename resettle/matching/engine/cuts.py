"""Valid inequalities for the knapsack rows (an offer's capacity in units, a budget in pence) that
the linear relaxation violates: cliques of needs no two of which fit together, extended covers and
Chvatal-Gomory roundings. Each is stated on z_n, the share of need n in the row (at most 1), and
applies to every column of n in that row."""

from __future__ import annotations

import itertools

import numpy as np

EPS = 1e-6


def _separate(ids, a, z, cap, all_ids, all_a):
    """Cuts for sum a_i z_i <= cap, z in {0,1}, violated by z. Returns [(ids, coefs, rhs)].

    ids, a, z: the needs with a share in the row, their coefficients and shares; all_ids, all_a: every
    need the row could hold, to extend the cuts to."""
    order = np.lexsort((-a, -z)).tolist()
    out = []
    clique = _clique_cut(ids, a, z, cap, all_ids, all_a, order)
    if clique is not None:
        out.append(clique)
    cover = _cover_cut(ids, a, z, cap, all_ids, all_a, order)
    if cover is not None:
        out.append(cover)
    out.extend(_chvatal_gomory_cuts(a, z, cap, all_ids, all_a))
    return out


def _clique_cut(ids, a, z, cap, all_ids, all_a, order):
    """At most one of a set of needs no two of which fit together: taken greedily in `order`, then
    extended by every other need too large to fit beside the smallest so far. None unless violated."""
    clique = []
    for i in order:
        if z[i] <= EPS:
            break
        if all(a[i] + a[j] > cap for j in clique):
            clique.append(i)
    if not (len(clique) >= 2 and z[clique].sum() > 1 + EPS):
        return None
    members = set(ids[clique].tolist())
    smallest = a[clique].min()
    extension = []
    for k in np.argsort(-all_a, kind="stable").tolist():
        if int(all_ids[k]) not in members and all_a[k] + smallest > cap:
            extension.append(k)
            smallest = min(smallest, all_a[k])
    cut_ids = np.concatenate([ids[clique], all_ids[extension]]) if extension else ids[clique]
    return cut_ids.astype(np.int64), np.ones(len(cut_ids)), 1.0


def _minimal_cover(a, z, cap, order):
    """Needs taken in `order` until they overflow the row, then made minimal by dropping needs
    (smallest share first) while the rest still overflow. None when no such cover of two or more."""
    total = 0.0
    cover = []
    for i in order:
        if z[i] <= EPS:
            break
        cover.append(i)
        total += a[i]
        if total > cap:
            break
    if not (total > cap and len(cover) >= 2):
        return None
    for i in sorted(cover, key=lambda i: z[i]):
        if total - a[i] > cap:
            cover.remove(i)
            total -= a[i]
    return cover


def _cover_cut(ids, a, z, cap, all_ids, all_a, order):
    """Not every need of a minimal cover fits: at most |cover| - 1 of them, extended by every need at
    least as large as the cover's largest. None unless violated."""
    cover = _minimal_cover(a, z, cap, order)
    if cover is None or not z[cover].sum() > len(cover) - 1 + EPS:
        return None
    largest = a[cover].max()
    members = set(ids[cover].tolist())
    extension = [k for k in range(len(all_ids)) if all_a[k] >= largest and int(all_ids[k]) not in members]
    cut_ids = np.concatenate([ids[cover], all_ids[extension]]) if extension else ids[cover]
    return cut_ids.astype(np.int64), np.ones(len(cut_ids)), float(len(cover) - 1)


def _chvatal_gomory_cuts(a, z, cap, all_ids, all_a):
    """The row divided by each coefficient d of a need with a share (1 < d <= cap), rounded down."""
    out = []
    for d in sorted(set(a[z > EPS].tolist())):
        if d <= 1 or d > cap:
            continue
        co = np.floor(a / d + 1e-12)
        rhs = np.floor(cap / d + 1e-12)
        if co @ z > rhs + EPS:
            all_co = np.floor(all_a / d + 1e-12)
            keep = all_co > 0
            out.append((all_ids[keep].astype(np.int64), all_co[keep], float(rhs)))
    return out


def separate(p, cols, rows, x_all, max_cuts=2000):
    """Cuts violated by x_all (a value for every column). Returns a list of
    (kind, row key, need ids, coefficients, rhs): kind 'o' for an offer row, 'b' for a budget row.
    Offer rows come first; it stops after the row that brings the count to max_cuts."""
    cuts = []
    on = np.flatnonzero(x_all > EPS)
    if not len(on):
        return cuts
    for row_cuts in itertools.chain(_offer_row_cuts(p, cols, rows, x_all, on), _budget_row_cuts(cols, rows, x_all, on)):
        cuts.extend(row_cuts)
        if len(cuts) >= max_cuts:
            return cuts
    return cuts


def _offer_row_cuts(p, cols, rows, x_all, on):
    """The cuts of each binding offer row where some need has a fractional share, one list per offer;
    z is a need's share of the offer summed over its streams, a the need's units."""
    sel = on[rows.offer_row[cols.offer[on]] >= 0]
    if not len(sel):
        return
    key = cols.offer[sel] * p.n_needs + cols.need[sel]
    u, inv = np.unique(key, return_inverse=True)
    z = np.bincount(inv, weights=x_all[sel])
    off = u // p.n_needs
    frac_off = np.unique(off[(z > EPS) & (z < 1 - EPS)])
    if not len(frac_off):
        return
    pair_offer, pair_need, pair_units = _pairs_of_offers(cols, frac_off)
    starts = np.searchsorted(pair_offer, frac_off)
    ends = np.searchsorted(pair_offer, frac_off, side="right")
    zs = np.searchsorted(off, frac_off)
    ze = np.searchsorted(off, frac_off, side="right")
    for o, s0, e0, s1, e1 in zip(frac_off.tolist(), starts, ends, zs, ze, strict=True):
        ids = u[s1:e1] % p.n_needs
        a = p.need_units[ids].astype(float)
        found = _separate(ids, a, z[s1:e1], float(p.offer_cap[o]), pair_need[s0:e0], pair_units[s0:e0])
        yield [("o", o, cid, co, rhs) for cid, co, rhs in found]


def _pairs_of_offers(cols, offers):
    """(offer, need, units) of every compatible pair of the given offers, one entry per pair (not per
    stream), sorted by offer: the needs a cut on an offer's row extends to."""
    first = np.ones(len(cols), dtype=bool)
    first[1:] = cols.pair[1:] != cols.pair[:-1]
    m = first & np.isin(cols.offer, offers)
    po, pn, pu = cols.offer[m], cols.need[m], cols.units[m].astype(float)
    order = np.argsort(po, kind="stable")
    return po[order], pn[order], pu[order]


def _budget_row_cuts(cols, rows, x_all, on):
    """The cuts of each binding budget row (a stream's budget for a family, or a pool) where some need
    has a fractional share, one list per row; a is the need's smallest charge to that budget."""
    if not len(rows.key_row):
        return
    sel = on[(cols.bkey[on] >= 0)]
    sel = sel[rows.key_row[cols.bkey[sel]] >= 0]
    if not len(sel):
        return
    n_keys = len(rows.key_row)
    key = cols.need[sel] * n_keys + cols.bkey[sel]
    u, inv = np.unique(key, return_inverse=True)
    z = np.bincount(inv, weights=x_all[sel])
    kb = u % n_keys
    frac_keys = np.unique(kb[(z > EPS) & (z < 1 - EPS)])
    if not len(frac_keys):
        return
    uu, mc, ukey = _smallest_charges(cols, frac_keys, n_keys)
    zkey_order = np.argsort(kb, kind="stable")
    kb_sorted = kb[zkey_order]
    for b in frac_keys.tolist():
        s0, e0 = np.searchsorted(ukey, b), np.searchsorted(ukey, b, side="right")
        all_ids = uu[s0:e0] // n_keys
        all_a = mc[s0:e0]
        zz_idx = zkey_order[np.searchsorted(kb_sorted, b) : np.searchsorted(kb_sorted, b, side="right")]
        ids = u[zz_idx] // n_keys
        lookup = dict(zip(all_ids.tolist(), all_a.tolist(), strict=True))
        a = np.array([lookup[i] for i in ids.tolist()])
        cap = float(cols.key_budget[b])
        yield [("b", b, cid, co, rhs) for cid, co, rhs in _separate(ids, a, z[zz_idx], cap, all_ids, all_a)]


def _smallest_charges(cols, keys, n_keys):
    """Each need's smallest charge to each of the given budget keys: (need * n_keys + key, charge, key),
    sorted by key: the coefficients of a budget row's cuts."""
    paid = np.flatnonzero(np.isin(cols.bkey, keys))
    pk = cols.need[paid] * n_keys + cols.bkey[paid]
    uu, ii = np.unique(pk, return_inverse=True)
    mc = np.full(len(uu), np.inf)
    np.minimum.at(mc, ii, cols.charge[paid].astype(float))
    ukey = uu % n_keys
    order = np.argsort(ukey, kind="stable")
    return uu[order], mc[order], ukey[order]


def cut_matrix(p, cols, cuts, col_set=None):
    """(row index, column index, coefficient) triplets of the cuts over all columns."""
    R, C, V = [], [], []
    for r, (kind, key, ids, co, _) in enumerate(cuts):
        coef = dict(zip(ids.tolist(), co.tolist(), strict=True))
        ids_arr = np.asarray(ids, dtype=np.int64)
        lo = np.searchsorted(cols.need, ids_arr)
        hi = np.searchsorted(cols.need, ids_arr, side="right")
        for n, a, b in zip(ids_arr.tolist(), lo.tolist(), hi.tolist(), strict=True):
            if a == b:
                continue
            j = np.arange(a, b)
            j = j[cols.offer[j] == key] if kind == "o" else j[cols.bkey[j] == key]
            if len(j):
                R.append(np.full(len(j), r))
                C.append(j)
                V.append(np.full(len(j), coef[n]))
    if not R:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(R), np.concatenate(C), np.concatenate(V)
