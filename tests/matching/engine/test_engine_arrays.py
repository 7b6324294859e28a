"""The engine's array helpers against the plain sorts they replace, and numpy's huge-page setting
restored after a solve."""

import numpy as np
import pytest
from numpy._core import multiarray

from resettle.matching.engine import solve
from resettle.matching.engine.arrays import best_first_within, small_pages, top_per_group


def _top_by_sorting(need, score, count, mask):
    """Reference: each need's `count` best columns by score, the first of equal scores, by lexsort."""
    idx = np.flatnonzero(mask) if mask is not None else np.arange(len(need))
    order = idx[np.lexsort((-score[idx], need[idx]))]
    sorted_need = need[order]
    start = np.flatnonzero(np.r_[True, sorted_need[1:] != sorted_need[:-1]])
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
    return np.sort(order[rank < count])


@pytest.mark.parametrize("seed", range(40))
def test_top_columns_by_passes_are_those_of_a_sort_ties_and_masks_included(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    need = np.sort(rng.integers(0, int(rng.integers(1, 25)), n))
    score = rng.integers(-3, 3, n).astype(float)  # many equal scores
    score[rng.integers(0, n)] = -np.inf
    mask = rng.random(n) < 0.6 if seed % 2 else None
    for count in (1, 2, 3, 6, 8):
        assert np.array_equal(top_per_group(need, score, count, mask), _top_by_sorting(need, score, count, mask))


def test_top_columns_by_passes_of_an_empty_mask_are_none():
    need = np.array([0, 0, 1])
    assert len(top_per_group(need, np.ones(3), 2, np.zeros(3, dtype=bool))) == 0


@pytest.mark.parametrize(("n", "groups"), [(1, 1), (500, 7), (2000, 70_000)])
def test_best_first_within_groups_is_lexsorts_order(n, groups):
    rng = np.random.default_rng(n)
    group = rng.integers(0, groups, n)
    score = rng.integers(0, 4, n).astype(float)  # ties: kept in index order, as lexsort keeps them
    assert np.array_equal(best_first_within(group, score, groups), np.lexsort((-score, group)))


def test_small_pages_turns_numpys_huge_page_advice_off_and_back(generator):
    was = multiarray._set_madvise_hugepage(True)
    try:
        with small_pages():
            inside = multiarray._set_madvise_hugepage(False)
        assert inside is False
        assert multiarray._set_madvise_hugepage(True) is True  # restored on leaving
        solve(generator.generate("borough", 10, 1), time_limit=5)
        assert multiarray._set_madvise_hugepage(True) is True  # and after a solve
    finally:
        multiarray._set_madvise_hugepage(was)
