"""Valid inequalities for the knapsack rows (an offer's capacity in units, a budget in pence) that
the linear relaxation violates: cliques of needs no two of which fit together, extended covers and
Chvatal-Gomory roundings. Each is stated on z_n, the share of need n in the row (at most 1), and
applies to every column of n in that row."""

from __future__ import annotations

import numpy as np

EPS = 1e-6


def _separate(ids, a, z, cap, all_ids, all_a):
    """Cuts for sum a_i z_i <= cap, z in {0,1}, violated by z. Returns [(ids, coefs, rhs)]."""
    out = []
    order = np.lexsort((-a, -z))
    # clique: items no two of which fit together
    S = []
    for i in order.tolist():
        if z[i] <= EPS:
            break
        if all(a[i] + a[j] > cap for j in S):
            S.append(i)
    if len(S) >= 2 and z[S].sum() > 1 + EPS:
        members = set(ids[S].tolist())
        mn = a[S].min()
        ext = []
        for k in np.argsort(-all_a, kind="stable").tolist():
            if int(all_ids[k]) not in members and all_a[k] + mn > cap:
                ext.append(k)
                mn = min(mn, all_a[k])
        cid = np.concatenate([ids[S], all_ids[ext]]) if ext else ids[S]
        out.append((cid.astype(np.int64), np.ones(len(cid)), 1.0))
    # cover: take items by z until they overflow
    tot = 0.0
    C = []
    for i in order.tolist():
        if z[i] <= EPS:
            break
        C.append(i)
        tot += a[i]
        if tot > cap:
            break
    if tot > cap and len(C) >= 2:
        # make it minimal: drop items (smallest z first) while still a cover
        for i in sorted(C, key=lambda i: z[i]):
            if tot - a[i] > cap:
                C.remove(i)
                tot -= a[i]
        if z[C].sum() > len(C) - 1 + EPS:
            amax = a[C].max()
            members = set(ids[C].tolist())
            ext = [k for k in range(len(all_ids)) if all_a[k] >= amax and int(all_ids[k]) not in members]
            cid = np.concatenate([ids[C], all_ids[ext]]) if ext else ids[C]
            out.append((cid.astype(np.int64), np.ones(len(cid)), float(len(C) - 1)))
    # Chvatal-Gomory: divide by d and round down
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
    (kind, row key, need ids, coefficients, rhs): kind 'o' for an offer row, 'b' for a budget row."""
    cuts = []
    on = np.flatnonzero(x_all > EPS)
    if not len(on):
        return cuts
    # ---- offer rows: z per (offer, need) --------------------------------------------------------
    sel = on[rows.offer_row[cols.offer[on]] >= 0]
    if len(sel):
        key = cols.offer[sel] * p.n_needs + cols.need[sel]
        u, inv = np.unique(key, return_inverse=True)
        z = np.bincount(inv, weights=x_all[sel])
        off = u // p.n_needs
        frac_off = np.unique(off[(z > EPS) & (z < 1 - EPS)])
        # offers whose used units are at capacity with some fractional share
        if len(frac_off):
            # all needs compatible with each of these offers (one entry per pair)
            first = np.ones(len(cols), dtype=bool)
            first[1:] = cols.pair[1:] != cols.pair[:-1]
            m = first & np.isin(cols.offer, frac_off)
            po, pn, pu = cols.offer[m], cols.need[m], cols.units[m].astype(float)
            order = np.argsort(po, kind="stable")
            po, pn, pu = po[order], pn[order], pu[order]
            starts = np.searchsorted(po, frac_off)
            ends = np.searchsorted(po, frac_off, side="right")
            zs = np.searchsorted(off, frac_off)
            ze = np.searchsorted(off, frac_off, side="right")
            for o, s0, e0, s1, e1 in zip(frac_off.tolist(), starts, ends, zs, ze, strict=True):
                ids = u[s1:e1] % p.n_needs
                zz = z[s1:e1]
                a = p.need_units[ids].astype(float)
                for cid, co, rhs in _separate(ids, a, zz, float(p.offer_cap[o]), pn[s0:e0], pu[s0:e0]):
                    cuts.append(("o", o, cid, co, rhs))
                if len(cuts) >= max_cuts:
                    return cuts
    # ---- budget rows: z per (key, need), coefficient the need's smallest charge in the row ----------
    if len(rows.key_row):
        sel = on[(cols.bkey[on] >= 0)]
        sel = sel[rows.key_row[cols.bkey[sel]] >= 0]
        if len(sel):
            K = len(rows.key_row)
            key = cols.need[sel] * K + cols.bkey[sel]
            u, inv = np.unique(key, return_inverse=True)
            z = np.bincount(inv, weights=x_all[sel])
            kb = u % K
            frac_keys = np.unique(kb[(z > EPS) & (z < 1 - EPS)])
            if len(frac_keys):
                paid = np.flatnonzero(np.isin(cols.bkey, frac_keys))
                pk = cols.need[paid] * K + cols.bkey[paid]
                uu, ii = np.unique(pk, return_inverse=True)
                mc = np.full(len(uu), np.inf)
                np.minimum.at(mc, ii, cols.charge[paid].astype(float))
                ukey = uu % K
                order = np.argsort(ukey, kind="stable")
                uu, mc, ukey = uu[order], mc[order], ukey[order]
                zkey_order = np.argsort(kb, kind="stable")
                for b in frac_keys.tolist():
                    s0, e0 = np.searchsorted(ukey, b), np.searchsorted(ukey, b, side="right")
                    all_ids = uu[s0:e0] // K
                    all_a = mc[s0:e0]
                    zz_idx = zkey_order[np.searchsorted(kb[zkey_order], b):np.searchsorted(kb[zkey_order], b,
                                                                                           side="right")]
                    ids = u[zz_idx] // K
                    lookup = dict(zip(all_ids.tolist(), all_a.tolist(), strict=True))
                    a = np.array([lookup[i] for i in ids.tolist()])
                    cap = float(cols.key_budget[b])
                    for cid, co, rhs in _separate(ids, a, z[zz_idx], cap, all_ids, all_a):
                        cuts.append(("b", b, cid, co, rhs))
                    if len(cuts) >= max_cuts:
                        return cuts
    return cuts


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
