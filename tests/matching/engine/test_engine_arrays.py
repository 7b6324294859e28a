"""The engine's array helpers against the plain sorts they replace, and numpy's huge-page setting
restored after a solve."""

import numpy as np
import pytest
from numpy._core import multiarray

from resettle.matching.engine import solve
from resettle.matching.engine.arrays import (
    PACKED_SORT_FROM,
    best_first,
    best_first_within,
    small_pages,
    stable_argsort_keys,
    top_per_group,
)


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


def _scores(kind, n, rng):
    """Scores of one shape: continuous, many equal, signs mixed with zeros of both signs and
    infinities, or neighbours one float apart (equal after the packed sort's truncation)."""
    if kind == "continuous":
        return rng.random(n) * 1000 - 300
    if kind == "equal":
        return rng.integers(-3, 3, n).astype(float)
    if kind == "signs":
        score = rng.choice([-0.0, 0.0, -1.5, 2.25, np.inf, -np.inf, 1e-310, -1e-310], n)
        return score * rng.choice([1.0, 1.0, 3.0], n)
    base = rng.choice(rng.random(50) * 100, n)
    return np.nextafter(base, base + rng.choice([-1.0, 1.0], n) * np.inf) * (rng.random(n) < 0.5) + base * (
        rng.random(n) >= 0.5
    )


@pytest.mark.parametrize("kind", ["continuous", "equal", "signs", "one_float_apart"])
@pytest.mark.parametrize("n", [1, PACKED_SORT_FROM - 1, PACKED_SORT_FROM, 50_000])
def test_best_first_is_a_stable_argsort_from_the_highest(kind, n):
    rng = np.random.default_rng(n)
    score = _scores(kind, n, rng)
    assert np.array_equal(best_first(score), np.argsort(-score, kind="stable"))


def test_best_first_puts_scores_one_float_apart_in_order():
    # at 50,000 scores the packed sort keeps 48 bits of each: these differ only below them, and
    # stand in reverse index order, so every neighbouring pair is out of order until sorted again
    base = np.full(PACKED_SORT_FROM * 4, 7.0)
    score = base.copy()
    for step in range(1, len(score)):
        score[step] = np.nextafter(score[step - 1], np.inf) if step % 3 else score[step - 1]
    assert np.array_equal(best_first(score), np.argsort(-score, kind="stable"))


@pytest.mark.parametrize(("n", "max_key"), [(10, 5), (50_000, 7), (50_000, 2**40), (50_000, 2**62)])
def test_stable_argsort_keys_is_numpys_stable_argsort(n, max_key):
    keys = np.random.default_rng(n).integers(0, max_key, n, endpoint=True)
    assert np.array_equal(stable_argsort_keys(keys, max_key), np.argsort(keys, kind="stable"))


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
