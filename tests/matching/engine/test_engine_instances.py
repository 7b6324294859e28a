"""The engine on generated instances (the project's own generator and checker) and, where the shared
spec folder is present, on the shared instances at their known optima."""

import json

import pytest

from resettle.matching.engine import solve

OPTIMA = {"lewisham2017": 120835.15, "small-50": 422376.87, "tight-200": 1233259.73}


@pytest.mark.parametrize("profile,families,seed", [("borough", 40, 1), ("tight", 40, 2), ("london", 60, 3)])
def test_generated_instance_is_solved_to_optimality_and_checks(profile, families, seed, generator, checker):
    data = generator.generate(profile, families, seed)
    result = solve(data, time_limit=30)
    rep = checker.check(data, result)
    assert rep.ok, rep.violations[:5]
    assert rep.objective == pytest.approx(result["stats"]["objective"], abs=1e-6)
    assert rep.objective > checker.first_come(data)
    assert result["stats"]["status"] == "optimal"
    assert result["stats"]["bound"] == pytest.approx(rep.objective, rel=1e-6)


def test_generator_is_deterministic_and_seeds_differ(generator):
    assert generator.generate("borough", 20, 5) == generator.generate("borough", 20, 5)
    assert generator.generate("borough", 20, 5) != generator.generate("borough", 20, 6)


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_shared_instance_is_solved_to_optimality_and_checks(name, shared_dir, shared_checker, checker):
    data = json.loads((shared_dir / "instances" / (f"{name}.json")).read_text())
    result = solve(data, time_limit=30)
    rep = checker.check(data, result)
    assert rep.ok, rep.violations[:5]
    shared_rep = shared_checker.check(shared_checker.Problem(data), result)
    assert shared_rep.ok, shared_rep.violations[:5]
    assert rep.objective == pytest.approx(OPTIMA[name], abs=0.01)
    assert result["stats"]["status"] == "optimal"
    assert result["stats"]["bound"] == pytest.approx(rep.objective, rel=1e-6)
