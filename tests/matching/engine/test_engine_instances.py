"""The engine on the shared instances: checked results, and the known optima."""

import json

import pytest

from resettle.matching.engine import solve

OPTIMA = {"lewisham2017": 120835.15, "small-50": 422376.87, "tight-200": 1233259.73}


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_instance_is_solved_to_optimality_and_checks(name, shared_dir, checker):
    data = json.loads((shared_dir / "instances" / (f"{name}.json")).read_text())
    result = solve(data, time_limit=30)
    rep = checker.check(checker.Problem(data), result)
    assert rep.ok, rep.violations[:5]
    assert rep.objective == pytest.approx(OPTIMA[name], abs=0.01)
    assert result["stats"]["status"] == "optimal"
    assert result["stats"]["bound"] == pytest.approx(rep.objective, rel=1e-6)


@pytest.mark.parametrize("profile,families,seed", [("tight", 40, 11), ("borough", 30, 7), ("lewisham2017", 20, 3)])
def test_generated_instance_beats_greedy(profile, families, seed, checker, greedy_mod, gen_mod):
    data = gen_mod.generate(profile, families, seed)
    result = solve(data, time_limit=20)
    p = checker.Problem(data)
    rep = checker.check(p, result)
    assert rep.ok, rep.violations[:5]
    greedy_obj = p.objective(greedy_mod.greedy(p)[0])
    assert rep.objective >= greedy_obj - 1e-6
