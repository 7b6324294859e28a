"""Why each unmet need is unmet, in the terms of the spec's reason table."""

from __future__ import annotations

import numpy as np

from .pairs import blocking_rules, offer_buckets


def has_candidates(p, by_cat, by_cat_item):
    """Per need: some offer has its category (and item, if it requires one)."""
    out = np.zeros(p.n_needs, dtype=bool)
    cat_ok = np.array([int(c) in by_cat for c in range(len(p.categories))], dtype=bool)
    plain = p.need_item < 0
    out[plain] = cat_ok[p.need_cat[plain]] if len(cat_ok) else False
    for n in np.flatnonzero(~plain).tolist():
        out[n] = (int(p.need_cat[n]), int(p.need_item[n])) in by_cat_item
    return out


def unmet_entries(p, pairs, cols, state, with_blocking=True):
    """The `unmet` list of a result: one entry per need without a column, in file order.

    no_offer: no offer of its category (and item); no_compatible_offer: no compatible pair;
    outcompeted: a compatible pair that is free or that some stream could pay for exists (a column),
    but none fits any more; unfundable: compatible pairs exist, all paid, none payable by a stream
    open to the family with enough budget in total."""
    by_cat, by_cat_item = offer_buckets(p)
    cand = has_candidates(p, by_cat, by_cat_item)
    has_pair = np.zeros(p.n_needs, dtype=bool)
    has_pair[pairs.need] = True
    has_col = np.zeros(p.n_needs, dtype=bool)
    has_col[cols.need] = True
    col_of = np.array(state.col_of, dtype=np.int64)
    unmet = np.flatnonzero(col_of < 0)
    if len(unmet):
        assertion_fits(state, unmet)
    nco = unmet[cand[unmet] & ~has_pair[unmet]]
    blocking = blocking_rules(p, nco, by_cat) if with_blocking else {}
    out = []
    for n in unmet.tolist():
        if not cand[n]:
            e = {"need": p.need_ids[n], "reason": "no_offer"}
        elif not has_pair[n]:
            e = {"need": p.need_ids[n], "reason": "no_compatible_offer"}
            if with_blocking:
                e["blocking"] = blocking.get(n, [])
        elif has_col[n]:
            e = {"need": p.need_ids[n], "reason": "outcompeted"}
        else:
            e = {"need": p.need_ids[n], "reason": "unfundable"}
        out.append(e)
    return out


def assertion_fits(state, unmet):
    """An unmet need that could still be added makes the result wrong: this must not happen."""
    cols = state.cols
    rem_cap = np.array(state.rem_cap, dtype=np.int64)
    rem_bud = np.append(np.array(state.rem_bud, dtype=np.int64), 0)
    mask = np.zeros(state.p.n_needs, dtype=bool)
    mask[unmet] = True
    j = np.flatnonzero(mask[cols.need])
    fits = rem_cap[cols.offer[j]] >= cols.units[j]
    paid = cols.bkey[j] >= 0
    fits &= ~paid | (rem_bud[np.maximum(cols.bkey[j], 0)] >= cols.charge[j])
    if fits.any():
        raise AssertionError("an unmet need still fits; the assignment is not maximal")
