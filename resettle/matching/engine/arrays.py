"""Array types of the engine (numpy arrays of one element type), for annotations."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def weighted_count(labels: ArrayLike, weights: ArrayLike, minlength: int = 0) -> FloatArray:
    """np.bincount with weights (sums of the weights per label), typed as the floats it returns."""
    return np.asarray(np.bincount(labels, weights=weights, minlength=minlength), dtype=np.float64)


# Below this many elements numpy's own stable argsort is as fast as the packed sorts below.
PACKED_SORT_FROM = 4096


def stable_argsort_keys(keys: IntArray, max_key: int) -> IntArray:
    """np.argsort(keys, kind="stable") for integer keys in [0, max_key]: where each key and its index
    fit one int64 together, the packed values are sorted (numpy's vectorised sort of plain values)
    and the indices read back from their low bits.

    Why: on a machine whose numpy has no vectorised argsort (without AVX-512), a stable argsort of
    the 3.8M columns of a furniture part of london-10,000 took 0.6 s, the sort of packed values
    0.1 s. The result is the same permutation: equal keys stay in index order."""
    n = len(keys)
    bits = max(1, int(n - 1).bit_length())
    if n < PACKED_SORT_FROM or int(max_key).bit_length() + bits > 62:
        return np.asarray(np.argsort(keys, kind="stable"), dtype=np.int64)
    packed = np.left_shift(keys, bits, dtype=np.int64)
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    packed &= (1 << bits) - 1
    return packed


def best_first(score: FloatArray) -> IntArray:
    """np.argsort(-score, kind="stable"), exactly (scores from the highest, equal ones in index
    order; no NaN), sorted as packed int64 values (see stable_argsort_keys; a stable argsort of
    3.8M floats took 0.9 s, this 0.25 s).

    Each score is mapped to an int64 of the same order (its bits, the negative ones' flipped), its
    low bits are replaced by its index, and the packed values are sorted: that orders by score up
    to the replaced bits, then by index. Scores that differ only in those bits (a relative
    difference below about 2^-30 at a few million) may then be out of order; the few runs where
    that happened are found from the full keys and sorted again stably."""
    n = len(score)
    if n < PACKED_SORT_FROM:
        return np.asarray(np.argsort(-score, kind="stable"), dtype=np.int64)
    copy = np.asarray(score, dtype=np.float64) + 0.0  # -0.0 becomes 0.0: equal scores, equal keys
    key: IntArray = copy.view(np.int64)
    key ^= (key >> 63) & np.int64(0x7FFFFFFFFFFFFFFF)  # the order of the floats
    np.invert(key, out=key)  # from the highest
    bits = max(1, int(n - 1).bit_length())
    low = np.int64((1 << bits) - 1)
    packed = key & ~low
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    order = packed & low
    packed &= ~low
    # neighbours of equal truncated keys (few, unless scores are equal): in order by their full keys?
    same = np.flatnonzero(packed[1:] == packed[:-1])
    wrong = key[order[same + 1]] < key[order[same]]
    if wrong.any():
        # the runs of equal truncated keys holding an inversion, sorted again by their full keys
        # (every key of a run is below every key of the next, so the runs sort together)
        run = np.cumsum(np.r_[True, same[1:] != same[:-1] + 1])
        bad = np.zeros(int(run[-1]) + 1, dtype=bool)
        bad[run[wrong]] = True
        pairs = same[bad[run]]
        at = np.union1d(pairs, pairs + 1)
        order[at] = order[at][np.argsort(key[order[at]], kind="stable")]
    return np.asarray(order, dtype=np.int64)


def best_first_within(groups: IntArray, score: FloatArray, n_groups: int) -> IntArray:
    """The order of np.lexsort((-score, groups)): by group, then score from the highest, ties in
    index order. Scores first (best_first), then a stable sort by group, a radix sort where the
    groups fit 16 bits: at city scale (millions of columns) several times as fast as lexsort."""
    order = best_first(score)
    by = groups[order]
    return order[np.argsort(by.astype(np.uint16) if n_groups <= 65536 else by, kind="stable")]


@contextlib.contextmanager
def small_pages() -> Iterator[None]:
    """numpy without its advice to the kernel to back large arrays with huge pages, for the block.

    Why: where the kernel compacts memory to find huge pages when advised (transparent huge pages
    `defrag` = madvise, a common default), every new array of tens of megabytes waits on it. The
    engine makes hundreds of such temporaries at city scale: on a furniture part of london-10,000
    (3.8M pairs) building its columns took 1.4 s with the advice and 0.35 s without, and the part's
    setup 2.6 s against 1.5 s. The setting is numpy's, process-wide; it is restored on leaving."""
    setter = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage", None)
    if setter is None:
        yield
        return
    was = setter(False)
    try:
        yield
    finally:
        setter(was)


def top_per_group(need: IntArray, score: FloatArray, count: int = 1, mask: BoolArray | None = None) -> IntArray:
    """_top_per_need for a few per need: `count` passes, each taking every need's best column left
    (a maximum per run of a need's columns), instead of sorting every column: at city scale a sort
    of millions of scores took a second a pricing round (london-10,000's furniture parts)."""
    n = len(need)
    if not n:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, need[1:] != need[:-1]])
    run_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    left = np.ones(n, dtype=bool) if mask is None else mask.copy()
    taken = []
    for _ in range(count):
        masked = np.where(left, score, -np.inf)
        best = np.maximum.reduceat(masked, starts)
        at_best = np.flatnonzero(left & (masked == best[run_of]))
        if not len(at_best):
            break
        runs = run_of[at_best]
        first = at_best[np.r_[True, runs[1:] != runs[:-1]]]  # the first of equal scores in each need
        taken.append(first)
        left[first] = False
    return np.sort(np.concatenate(taken)) if taken else np.zeros(0, dtype=np.int64)
