"""The `needs[].excluded_offers` extension: pairs a caseworker turned down are never proposed again, while
the offer stays available to every other need."""

import copy

import pytest

from resettle.matching.engine import ProblemError, solve

WEIGHTS = {
    "priority_value": {"1": 100, "2": 300, "3": 1000, "4": 3000, "5": 10000},
    "cost_weight": 0.5,
    "distance_weight": 5.0,
}


def _problem():
    return {
        "version": 1,
        "date": "2026-11-21",
        "weights": WEIGHTS,
        "streams": [],
        "families": [{"id": "F1"}, {"id": "F2"}],
        "needs": [
            {"id": "N1", "family": "F1", "category": "furniture", "priority": 5, "requires": {"item": "sofa"}},
            {"id": "N2", "family": "F2", "category": "furniture", "priority": 3, "requires": {"item": "sofa"}},
        ],
        "offers": [
            {"id": "O1", "category": "furniture", "capacity": 1, "cost": 0, "attributes": {"item": "sofa"}},
            {"id": "O2", "category": "furniture", "capacity": 1, "cost": 0, "attributes": {"item": "sofa"}},
        ],
    }


def _pairs(result):
    return {(a["need"], a["offer"]) for a in result["assignments"]}


def test_an_excluded_pair_is_never_assigned_but_the_offer_serves_other_needs():
    problem = _problem()
    problem["offers"] = problem["offers"][:1]
    problem["needs"][0]["excluded_offers"] = ["O1"]
    result = solve(problem, time_limit=5)
    assert _pairs(result) == {("N2", "O1")}
    assert result["unmet"] == [{"need": "N1", "reason": "no_compatible_offer", "blocking": ["rejected"]}]


def test_a_need_with_another_compatible_offer_gets_that_one():
    problem = _problem()
    problem["needs"][0]["excluded_offers"] = ["O1"]
    result = solve(problem, time_limit=5)
    assert _pairs(result) == {("N1", "O2"), ("N2", "O1")}
    assert result["unmet"] == []


def test_blocking_names_rejected_beside_the_other_rules():
    problem = _problem()
    problem["offers"][1]["attributes"]["item"] = "bed"
    problem["needs"] = problem["needs"][:1]
    problem["needs"][0]["excluded_offers"] = ["O1"]
    result = solve(problem, time_limit=5)
    # O2 is a bed (rule "item"), O1 the rejected sofa (rule "rejected").
    assert result["unmet"] == [{"need": "N1", "reason": "no_compatible_offer", "blocking": ["item", "rejected"]}]


def test_problems_without_the_key_are_solved_as_before():
    plain = _problem()
    with_empty = copy.deepcopy(plain)
    for need in with_empty["needs"]:
        need["excluded_offers"] = []
    first, second = solve(plain, time_limit=5), solve(with_empty, time_limit=5)
    assert first["assignments"] == second["assignments"]
    assert first["unmet"] == second["unmet"]


@pytest.mark.parametrize(
    ("excluded", "message"),
    [
        (["O9"], "need N1 excludes unknown offer 'O9'"),
        ("O1", "need N1 excluded_offers must be a list"),
        ([True], "need N1 excluded_offers lists True, which is not an offer id"),
    ],
)
def test_malformed_exclusions_are_refused(excluded, message):
    problem = _problem()
    problem["needs"][0]["excluded_offers"] = excluded
    with pytest.raises(ProblemError, match=message):
        solve(problem, time_limit=5)
