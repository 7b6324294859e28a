"""The `keep_offer` extension: proposals from the last run are kept where that costs at most 0.1% of
the objective, and never at the price of more."""

import pytest

from resettle.matching.engine import ProblemError, solve

from .feasibility import check

HOME = [51.45, -0.02]


def problem(keep, second_offer_at=HOME):
    return {
        "version": 1,
        "date": "2026-11-21",
        "weights": {"priority_value": {"3": 1000}, "cost_weight": 0.5, "distance_weight": 5.0},
        "streams": [],
        "families": [{"id": "F1", "location": HOME}, {"id": "F2", "location": HOME}],
        "needs": [
            {
                "id": f"N{k}",
                "family": f"F{k}",
                "category": "esol",
                "priority": 3,
                **({"keep_offer": keep[k]} if keep.get(k) else {}),
            }
            for k in (1, 2)
        ],
        "offers": [
            {"id": "O1", "category": "esol", "capacity": 1, "cost": 0, "attributes": {"location": HOME}},
            {"id": "O2", "category": "esol", "capacity": 1, "cost": 0, "attributes": {"location": second_offer_at}},
        ],
    }


def assigned(result):
    return {a["need"]: a["offer"] for a in result["assignments"]}


@pytest.mark.parametrize("keep", [{1: "O1", 2: "O2"}, {1: "O2", 2: "O1"}, {1: "O2"}, {2: "O1"}])
def test_equal_choices_follow_the_kept_offers(keep):
    data = problem(keep)
    result = solve(data, time_limit=5)
    assert check(data, result).ok
    got = assigned(result)
    assert all(got[f"N{k}"] == offer for k, offer in keep.items())
    assert result["stats"]["keep_kept"] == len(keep)
    assert result["stats"]["objective"] == pytest.approx(2000.0)


@pytest.mark.parametrize("km,kept", [(0.05, True), (0.15, True), (0.25, False), (1.0, False)])
def test_keeping_never_costs_more_than_a_thousandth(km, kept):
    """One need (value 1000) kept on an offer `km` further than the best: at 5 per km, keeping costs
    5 * km, allowed up to 0.1% of the objective (1.0 here)."""
    data = problem({1: "O2"}, second_offer_at=[HOME[0] + km / 111.195, HOME[1]])
    data["needs"] = data["needs"][:1]
    result = solve(data, time_limit=5)
    assert check(data, result).ok
    assert assigned(result) == {"N1": "O2" if kept else "O1"}
    assert result["stats"]["objective"] >= 0.999 * 1000.0


def test_an_unknown_kept_offer_is_refused():
    with pytest.raises(ProblemError, match="keeps unknown offer 'O9'"):
        solve(problem({1: "O9"}), time_limit=5)
    with pytest.raises(ProblemError, match="keep_offer"):
        solve(problem({1: ["O1"]}), time_limit=5)


def test_a_proposal_stays_while_all_that_keeping_costs_is_within_a_thousandth():
    """Ten needs worth 1000 each, nine kept on offers as good as any and one on an offer 1 km further
    (5 at 5 per km). The bonus per kept need is a tenth of the allowance (1.0), too small for that
    one; keeping it costs 5 of the 10 the result may give up in all, so it stays."""
    data = problem({})
    far = [HOME[0] + 1.0 / 111.195, HOME[1]]
    data["families"] = [{"id": f"F{k}", "location": HOME} for k in range(1, 11)]
    data["needs"] = [
        {"id": f"N{k}", "family": f"F{k}", "category": "esol", "priority": 3, "keep_offer": "P" if k == 1 else f"O{k}"}
        for k in range(1, 11)
    ]
    data["offers"] = [
        {"id": f"O{k}", "category": "esol", "capacity": 1, "cost": 0, "attributes": {"location": HOME}}
        for k in range(1, 11)
    ] + [{"id": "P", "category": "esol", "capacity": 1, "cost": 0, "attributes": {"location": far}}]
    result = solve(data, time_limit=5)
    assert check(data, result).ok
    got = assigned(result)
    assert got["N1"] == "P"
    assert all(got[f"N{k}"] == f"O{k}" for k in range(2, 11))
    assert result["stats"]["keep_kept"] == 10
    assert result["stats"]["objective"] == pytest.approx(10_000.0 - 5.0, abs=0.01)
    assert result["stats"]["objective"] >= 0.999 * 10_000.0
