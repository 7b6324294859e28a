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


def best_first_within(groups: IntArray, score: FloatArray, n_groups: int) -> IntArray:
    """The order of np.lexsort((-score, groups)): by group, then score from the highest, ties in
    index order. Two stable sorts, the second a radix sort where the groups fit 16 bits: at city
    scale (millions of columns) about twice as fast as lexsort."""
    order = np.argsort(-score, kind="stable")
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
