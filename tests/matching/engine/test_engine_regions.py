"""The integer programs of regions (regions.improve_by_regions): a region's needs are freed together and
solved on what the other needs leave; never worse, always within capacity and budgets, and they find
chains of moves that one exchange cannot."""

import time

import pytest

from resettle.matching.engine import regions
from resettle.matching.engine.heuristics import by_value, improve
from resettle.matching.engine.model import build_columns, build_rows
from resettle.matching.engine.pairs import build_pairs
from resettle.matching.engine.problem import Problem
from resettle.matching.engine.regions import improve_by_regions

from .instances import generate
from .test_engine_improve import (
    HOME,
    MIDWAY,
    NORTH_5KM,
    _assigned,
    _problem,
    _state,
    assert_within_capacity_and_budgets,
)


def _far_deadline():
    return time.perf_counter() + 30.0


def _rows(state):
    return build_rows(state.problem, state.cols)


def test_a_chain_of_moves_no_exchange_finds_is_solved_in_one_region():
    # N3 (3 beds, only BIG within its reach) is unmet while N1 holds one of BIG's 3 places; N1 could
    # move to SMALL only if N2 moves on to OTHER: two moves, which one exchange does not make
    problem = _problem(
        [
            {"id": "N1", "at": HOME, "reach": 3},
            {"id": "N2", "at": MIDWAY, "reach": 3},
            {"id": "N3", "at": HOME, "units": 3, "reach": 1},
        ],
        [
            {"id": "BIG", "at": HOME, "capacity": 3},
            {"id": "SMALL", "at": HOME},
            {"id": "OTHER", "at": NORTH_5KM},
        ],
    )
    state = _state(problem, [("N1", "BIG"), ("N2", "SMALL")])
    assert improve(state, _far_deadline()) == 0
    before = state.objective()
    solved, improved = improve_by_regions(state, _rows(state), state.cols.value, _far_deadline())
    assert improved == 1 and solved >= 1
    assert _assigned(state) == {"N1": "SMALL", "N2": "OTHER", "N3": "BIG"}
    assert state.objective() == pytest.approx(before + 3000, abs=1.0)  # N3 met, N2 as far as before


def test_a_region_is_solved_on_the_budget_the_needs_outside_it_hold(monkeypatch):
    # one family, a budget for one paid bed: the more valuable N1 may take it only together with N2
    # giving it up; a region of N1 alone sees no budget left
    data = {
        "version": 1,
        "date": "2026-11-21",
        "weights": {"priority_value": {"3": 1000, "4": 3000}, "cost_weight": 0.5, "distance_weight": 5.0},
        "streams": [{"id": "core", "scope": "family", "categories": ["furniture"]}],
        "families": [{"id": "F1", "location": HOME, "budgets": {"core": 10000}}],
        "needs": [
            {"id": need, "family": "F1", "category": "furniture", "priority": priority, "requires": {"item": "bed"}}
            for need, priority in (("N1", 4), ("N2", 3))
        ],
        "offers": [
            {
                "id": "PAID",
                "category": "furniture",
                "capacity": 2,
                "cost": 10000,
                "attributes": {"item": "bed", "location": HOME},
            }
        ],
    }
    problem = Problem(data)
    state = _state(problem, [("N2", "PAID")])
    monkeypatch.setattr(regions, "REGION_MAX_NEEDS", 1)
    assert improve_by_regions(state, _rows(state), state.cols.value, _far_deadline(), size=1) == (2, 0)
    assert _assigned(state) == {"N2": "PAID"}
    monkeypatch.undo()
    improve_by_regions(state, _rows(state), state.cols.value, _far_deadline())
    assert _assigned(state) == {"N1": "PAID"}
    assert state.rem_bud == [0]


def test_nothing_is_solved_past_the_deadline_or_once_the_objective_is_enough():
    problem = Problem(generate("borough", 40, 1))
    cols = build_columns(problem, build_pairs(problem))
    state = by_value(problem, cols)
    rows = build_rows(problem, cols)
    before = list(state.col_of)
    assert improve_by_regions(state, rows, cols.value, time.perf_counter() - 1.0) == (0, 0)
    assert improve_by_regions(state, rows, cols.value, _far_deadline(), enough=state.objective()) == (0, 0)
    assert state.col_of == before


@pytest.mark.parametrize(("profile", "families", "seed"), [("borough", 80, 1), ("tight", 80, 2), ("london", 120, 3)])
def test_regions_never_lose_value_and_keep_within_capacity_and_budgets(profile, families, seed):
    problem = Problem(generate(profile, families, seed))
    cols = build_columns(problem, build_pairs(problem))
    rows = build_rows(problem, cols)
    state = by_value(problem, cols)
    before = state.objective()
    # a few columns per need in the programs (fewer than every column, as at scale), for two seconds
    solved, improved = improve_by_regions(state, rows, cols.value, time.perf_counter() + 2.0, size=10, per_need=3)
    assert solved > 0
    assert state.objective() >= before - 1e-9
    assert (state.objective() > before) == (improved > 0)
    assert_within_capacity_and_budgets(state)
