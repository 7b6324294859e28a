"""Exchanges on an assignment (heuristics.improve): a need moves to a better offer that is full when
one of the needs there moves out, to the first need's offer or to its own best offer with room; never
worse, always within capacity and budgets."""

import time

import numpy as np
import pytest

from resettle.matching.engine import heuristics
from resettle.matching.engine.heuristics import State, by_value, improve
from resettle.matching.engine.model import build_columns
from resettle.matching.engine.pairs import build_pairs
from resettle.matching.engine.problem import Problem

from .instances import generate

HOME = [51.45, -0.02]
NORTH_5KM = [51.50, -0.02]  # about 5.6 km north of HOME
MIDWAY = [51.475, -0.02]  # as far from HOME as from NORTH_5KM


def _problem(needs, offers, budgets=None):
    """Each need of its own family, at `at` (the family's location), a bed of `units`; beds offered."""
    return Problem(
        {
            "version": 1,
            "date": "2026-11-21",
            "weights": {"priority_value": {"4": 3000}, "cost_weight": 0.5, "distance_weight": 5.0},
            "streams": [{"id": "core", "scope": "family", "categories": ["furniture"]}],
            "families": [
                {
                    "id": "F" + need["id"],
                    "location": need["at"],
                    "budgets": {"core": (budgets or {}).get(need["id"], 0)},
                }
                for need in needs
            ],
            "needs": [
                {
                    "id": need["id"],
                    "family": "F" + need["id"],
                    "category": "furniture",
                    "priority": 4,
                    "units": need.get("units", 1),
                    "requires": {"item": "bed", "max_distance_km": need.get("reach", 20)},
                }
                for need in needs
            ],
            "offers": [
                {
                    "id": offer["id"],
                    "category": "furniture",
                    "capacity": offer.get("capacity", 1),
                    "cost": offer.get("cost", 0),
                    "attributes": {"item": "bed", "location": offer["at"]},
                }
                for offer in offers
            ],
        }
    )


def _state(problem, pairs_wanted):
    """The state with each (need id, offer id) of `pairs_wanted` assigned (its first column)."""
    cols = build_columns(problem, build_pairs(problem))
    chosen = [
        int(np.flatnonzero((cols.need == problem.need_index[need]) & (cols.offer == problem.offer_index[offer]))[0])
        for need, offer in pairs_wanted
    ]
    state = State(problem, cols).fill(np.array(chosen))
    assert len(state.columns()) == len(pairs_wanted)
    return state


def _assigned(state):
    problem, cols = state.problem, state.cols
    return {
        problem.need_ids[int(cols.need[column])]: problem.offer_ids[int(cols.offer[column])]
        for column in state.columns()
    }


def assert_within_capacity_and_budgets(state):
    """Each need at most once, no offer over its capacity, no budget overspent, and the state's own
    books (objective, capacity and budgets left) agree with the columns it holds."""
    problem, cols = state.problem, state.cols
    chosen = state.columns()
    assert len(np.unique(cols.need[chosen])) == len(chosen)
    used = np.bincount(cols.offer[chosen], weights=cols.units[chosen], minlength=problem.n_offers)
    assert np.all(used <= problem.offer_cap)
    paid = chosen[cols.bkey[chosen] >= 0]
    spent = np.bincount(cols.bkey[paid], weights=cols.charge[paid], minlength=len(cols.key_budget))
    assert np.all(spent <= cols.key_budget)
    refilled = heuristics.from_columns(problem, cols, chosen)
    assert refilled.objective() == pytest.approx(state.objective())
    assert refilled.rem_cap == state.rem_cap and refilled.rem_bud == state.rem_bud


def _far_deadline():
    return time.perf_counter() + 30.0


def test_two_needs_exchange_offers_where_the_pair_gains():
    problem = _problem(
        [{"id": "N1", "at": HOME}, {"id": "N2", "at": MIDWAY}],
        [{"id": "NEAR", "at": HOME}, {"id": "FAR", "at": NORTH_5KM}],
    )
    state = _state(problem, [("N1", "FAR"), ("N2", "NEAR")])
    before = state.objective()
    assert improve(state, _far_deadline()) == 1
    assert _assigned(state) == {"N1": "NEAR", "N2": "FAR"}
    assert state.objective() == pytest.approx(before + 5.0 * 5.56, abs=0.5)  # N1 no longer travels 5.6 km


def test_the_need_on_the_full_offer_moves_to_its_own_best_offer_with_room():
    problem = _problem(
        # N2, 1.1 km from NEAR, may not reach FAR (4.4 km; 3 at most), but has a place of its own beside it
        [{"id": "N1", "at": HOME}, {"id": "N2", "at": [51.46, -0.02], "reach": 3}],
        [{"id": "NEAR", "at": HOME}, {"id": "FAR", "at": NORTH_5KM}, {"id": "BESIDE_N2", "at": [51.4605, -0.02]}],
    )
    state = _state(problem, [("N1", "FAR"), ("N2", "NEAR")])
    improve(state, _far_deadline())
    assert _assigned(state) == {"N1": "NEAR", "N2": "BESIDE_N2"}


def test_no_exchange_where_the_pair_would_lose_or_the_units_do_not_fit():
    problem = _problem(
        [{"id": "N1", "at": HOME}, {"id": "N2", "at": HOME, "units": 2}],
        # N2 (2 units) cannot leave NEAR: FAR holds 1; and N1 gains nothing by staying put elsewhere
        [{"id": "NEAR", "at": HOME, "capacity": 2}, {"id": "FAR", "at": NORTH_5KM}],
    )
    state = _state(problem, [("N1", "FAR"), ("N2", "NEAR")])
    before = _assigned(state)
    assert improve(state, _far_deadline()) == 0
    assert _assigned(state) == before


def test_a_need_leaving_a_paid_offer_gives_its_charge_back_before_the_move_is_judged():
    # the family's budget pays for one bed: the need may move from the far paid bed to the near one
    # only with the far one's charge given back first
    problem = _problem(
        [{"id": "N1", "at": HOME}],
        [{"id": "PAID_FAR", "at": NORTH_5KM, "cost": 10000}, {"id": "PAID_NEAR", "at": HOME, "cost": 10000}],
        budgets={"N1": 10000},
    )
    state = _state(problem, [("N1", "PAID_FAR")])
    assert state.rem_bud == [0]
    assert improve(state, _far_deadline()) == 1
    assert _assigned(state) == {"N1": "PAID_NEAR"}
    assert state.rem_bud == [0]


@pytest.mark.parametrize(("profile", "families", "seed"), [("borough", 80, 1), ("tight", 80, 2), ("london", 120, 3)])
def test_exchanges_never_lose_value_and_keep_within_capacity_and_budgets(profile, families, seed):
    problem = Problem(generate(profile, families, seed))
    cols = build_columns(problem, build_pairs(problem))
    state = by_value(problem, cols)
    before = state.objective()
    improve(state, _far_deadline())
    assert state.objective() >= before - 1e-9
    assert_within_capacity_and_budgets(state)


def test_no_round_starts_that_the_deadline_leaves_no_time_for():
    problem = Problem(generate("borough", 40, 1))
    cols = build_columns(problem, build_pairs(problem))
    state = by_value(problem, cols)
    before = list(state.col_of)
    assert improve(state, time.perf_counter() - 1.0) == 0
    assert state.col_of == before
