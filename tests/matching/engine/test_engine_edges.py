"""The engine at the edges: distances past half the Earth, money and counts at their maxima, integers
beyond int64, a bound that is checked rather than hidden, and the bound without a relaxation."""

import copy
import json
import math
import random

import numpy as np
import pytest

from resettle.matching.engine import solve
from resettle.matching.engine.cli import main
from resettle.matching.engine.model import build_columns
from resettle.matching.engine.pairs import build_pairs, grid_distances, longitude_reach
from resettle.matching.engine.problem import Problem, hav_scalar
from resettle.matching.engine.solver import Solver
from resettle.matching.engine.validation import MAX_COST_PENCE, MAX_UNITS

from .feasibility import check, distance_km

WEIGHTS = {"priority_value": {"1": 100, "5": 100000}, "cost_weight": 0.5, "distance_weight": 5.0}
LONDON, SYDNEY = [51.5, -0.12], [-33.87, 151.21]


def problem(needs, offers, families=None, streams=None):
    return {
        "version": 1,
        "date": "2026-11-21",
        "weights": WEIGHTS,
        "streams": streams or [],
        "families": families or [{"id": "F1", "location": LONDON}],
        "needs": needs,
        "offers": offers,
    }


def test_a_reach_past_half_the_earth_is_everywhere():
    data = problem(
        [{"id": "N1", "family": "F1", "category": "housing", "priority": 5, "requires": {"max_distance_km": 40000}}],
        [{"id": "O1", "category": "housing", "capacity": 1, "cost": 0, "attributes": {"location": SYDNEY}}],
    )
    result = solve(data, time_limit=5)
    rep = check(data, result)
    assert rep.ok, rep.violations
    expected = 100000 - 5.0 * distance_km(LONDON, SYDNEY)
    assert [a["offer"] for a in result["assignments"]] == ["O1"]
    assert rep.objective == pytest.approx(expected)
    assert result["stats"]["status"] == "optimal"
    assert result["stats"]["bound"] == pytest.approx(expected)


@pytest.mark.parametrize("grid", ["clear of the poles and the antimeridian", "anywhere on the sphere"])
def test_pairs_match_brute_force_for_any_reach(grid):
    """Every compatible pair is found, whatever the distance limit (0 km to 40,000 km) and wherever
    the places are; the pairs are compared with a scalar haversine over all needs and offers."""
    rng = random.Random(grid)
    lat_max, lon_max = (79.0, 169.0) if grid.startswith("clear") else (90.0, 180.0)

    def place():
        return [rng.uniform(-lat_max, lat_max), rng.uniform(-lon_max, lon_max)]

    families = [{"id": f"F{k}", "location": place()} for k in range(60)]
    reaches = [0.0, 50.0, 500.0, 2000.0, 5000.0, 9000.0, 15000.0, 19990.0, 20100.0, 40000.0]
    needs = [
        {
            "id": f"N{k}",
            "family": f"F{k % 60}",
            "category": "housing",
            "priority": 5,
            "requires": {"max_distance_km": reaches[k % len(reaches)] * rng.uniform(0.8, 1.0)},
        }
        for k in range(300)
    ]
    offers = [
        {"id": f"O{k}", "category": "housing", "capacity": 1, "cost": 0, "attributes": {"location": place()}}
        for k in range(200)
    ]
    data = problem(needs, offers, families)
    data["weights"] = {"priority_value": {"5": 1e9}, "cost_weight": 0.0, "distance_weight": 0.0}
    p = Problem(data)
    pairs = build_pairs(p)
    found = set(zip(pairs.need.tolist(), pairs.offer.tolist(), strict=True))
    expected = set()
    for n, need in enumerate(needs):
        home = families[n % 60]["location"]
        for o, offer in enumerate(offers):
            if distance_km(home, offer["attributes"]["location"]) <= need["requires"]["max_distance_km"] + 1e-9:
                expected.add((n, o))
    assert found == expected


def test_longitude_reach_covers_every_point_within_reach():
    for lat_deg in (0.0, 30.0, 60.0, 75.0):
        for reach_km in (10.0, 300.0, 1500.0):
            lat, reach = math.radians(lat_deg), reach_km / 6371.0088
            dlon = longitude_reach(lat, reach)
            # points on the circle of radius reach around (lat, 0) never lie outside +-dlon
            for bearing in np.linspace(0, 2 * math.pi, 721):
                lat2 = math.asin(math.sin(lat) * math.cos(reach) + math.cos(lat) * math.sin(reach) * math.cos(bearing))
                lon2 = math.atan2(
                    math.sin(bearing) * math.sin(reach) * math.cos(lat),
                    math.cos(reach) - math.sin(lat) * math.sin(lat2),
                )
                assert abs(lon2) <= dlon
                assert hav_scalar(lat, 0.0, math.cos(lat), lat2, lon2, math.cos(lat2)) == pytest.approx(
                    reach * 6371.0088
                )
    assert longitude_reach(math.radians(80), math.radians(15)) == math.pi  # the pole is within reach
    assert longitude_reach(0.0, math.pi / 2) == math.pi


def run_cli(tmp_path, data, capsys):
    src = tmp_path / "problem.json"
    src.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    code = main(["solve", str(src), "--out", str(out), "--time-limit", "5"])
    return code, out, capsys.readouterr()


BASE = problem(
    [{"id": "N1", "family": "F1", "category": "furniture", "priority": 5, "units": 1, "requires": {}}],
    [{"id": "O1", "category": "furniture", "capacity": 1, "cost": 0, "attributes": {}}],
    families=[{"id": "F1", "location": LONDON, "budgets": {"core": 1000}, "pools": ["pool"]}],
    streams=[
        {"id": "core", "scope": "family", "categories": ["furniture"]},
        {"id": "pool", "scope": "pool", "budget": 1000, "categories": ["furniture"]},
    ],
)


def edit(path, value):
    data = copy.deepcopy(BASE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


OUT_OF_BOUNDS = {
    "distance 1e300": (("needs", 0, "requires", "max_distance_km"), 1e300, "max_distance_km"),
    "distance past the maximum": (("needs", 0, "requires", "max_distance_km"), 100001, "max_distance_km"),
    "cost 10^18 pence": (("offers", 0, "cost"), 10**18, "cost"),
    "cost 2^63": (("offers", 0, "cost"), 2**63, "cost"),
    "capacity 2^63": (("offers", 0, "capacity"), 2**63, "capacity"),
    "capacity 2^64": (("offers", 0, "capacity"), 2**64 + 5, "capacity"),
    "units 2^63": (("needs", 0, "units"), 2**63, "units"),
    "units past the maximum": (("needs", 0, "units"), MAX_UNITS + 1, "units"),
    "family budget 2^63": (("families", 0, "budgets", "core"), 2**63, "budget"),
    "pool budget 2^70": (("streams", 1, "budget"), 2**70, "budget"),
    "priority value 1e300": (("weights", "priority_value", "5"), 1e300, "priority_value"),
    "cost weight 1e300": (("weights", "cost_weight"), 1e300, "cost_weight"),
    "rent 1e300": (("needs", 0, "requires", "rent_max"), 1e300, "rent_max"),
}


@pytest.mark.parametrize("case", sorted(OUT_OF_BOUNDS))
def test_values_out_of_bounds_get_one_line_and_status_2(case, tmp_path, capsys):
    path, value, words = OUT_OF_BOUNDS[case]
    code, out, cap = run_cli(tmp_path, edit(path, value), capsys)
    assert code == 2, cap.err
    assert not out.exists()
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
    assert len(lines[0]) < 200


def test_the_largest_charge_does_not_wrap():
    """Cost and units at their maxima: 10^18 pence, inside int64; no budget can pay it."""
    data = edit(("offers", 0, "cost"), MAX_COST_PENCE)
    data["needs"][0]["units"] = MAX_UNITS
    data["offers"][0]["capacity"] = MAX_UNITS
    data["weights"]["cost_weight"] = 0.0
    result = solve(data, time_limit=5)
    assert check(data, result).ok
    assert result["assignments"] == []
    assert result["unmet"] == [{"need": "N1", "reason": "unfundable"}]
    assert result["stats"]["status"] == "optimal"


def test_a_charge_of_a_whole_large_budget_is_paid_exactly():
    data = edit(("offers", 0, "cost"), MAX_COST_PENCE)
    data["needs"][0]["units"] = 1000
    data["offers"][0]["capacity"] = 1000
    data["families"][0]["budgets"]["core"] = MAX_COST_PENCE * 1000
    data["weights"]["cost_weight"] = 0.0
    result = solve(data, time_limit=5)
    rep = check(data, result)
    assert rep.ok, rep.violations
    assert result["assignments"] == [{"need": "N1", "offer": "O1", "stream": "core"}]


def test_a_bound_below_the_solution_is_flagged_never_optimal(monkeypatch):
    """A wrong bound is reported as it is, with a flag, instead of being raised to the objective."""
    monkeypatch.setattr(Solver, "_trivial_bound", lambda self, cols: 0.0)
    monkeypatch.setattr(Solver, "_optimise", lambda self, rows, cols, best, method: (best, method, 0.0, "optimal"))
    result = solve(copy.deepcopy(BASE), time_limit=5)
    stats = result["stats"]
    assert stats["objective"] == pytest.approx(100000.0)
    assert stats["bound"] == 0.0
    assert stats["bound_below_objective"] is True
    assert stats["status"] != "optimal"


def test_the_bound_without_a_relaxation_counts_capacity():
    """2,000 identical needs on 1,000 places: the bound is the value of 1,000 of them, not 2,000."""
    families = [{"id": "F1", "location": None}]
    needs = [{"id": f"N{k}", "family": "F1", "category": "esol", "priority": 5} for k in range(2000)]
    offers = [{"id": "O1", "category": "esol", "capacity": 1000, "cost": 0}]
    p = Problem(problem(needs, offers, families))
    cols = build_columns(p, build_pairs(p))
    assert Solver(p, 0.0, 1.0)._trivial_bound(cols) == pytest.approx(1000 * 100000.0)
    result = solve(problem(needs, offers, families), time_limit=5)
    assert result["stats"]["status"] == "optimal"
    assert result["stats"]["gap"] == pytest.approx(0.0, abs=1e-9)


def test_the_checker_finds_what_is_wrong():
    """The project's checker is not a check that cannot fail: each kind of fault is caught."""
    data = problem(
        [
            {"id": "N1", "family": "F1", "category": "esol", "priority": 5},
            {"id": "N2", "family": "F1", "category": "esol", "priority": 5},
            {"id": "N3", "family": "F1", "category": "housing", "priority": 5},
        ],
        [{"id": "O1", "category": "esol", "capacity": 1, "cost": 0}, {"id": "O2", "category": "esol", "capacity": 1}],
    )
    good = solve(data, time_limit=5)
    assert check(data, good).ok
    over = {
        "assignments": [{"need": "N1", "offer": "O1", "stream": None}, {"need": "N2", "offer": "O1", "stream": None}],
        "unmet": [{"need": "N3", "reason": "no_offer"}],
    }
    assert any("capacity" in v for v in check(data, over).violations)
    addable = {
        "assignments": [{"need": "N1", "offer": "O1", "stream": None}],
        "unmet": [{"need": "N2", "reason": "outcompeted"}, {"need": "N3", "reason": "no_offer"}],
    }
    assert any("could simply be added" in v for v in check(data, addable).violations)
    wrong_reason = copy.deepcopy(good)
    wrong_reason["unmet"] = [{"need": "N3", "reason": "outcompeted"}]
    assert any("expected 'no_offer'" in v for v in check(data, wrong_reason).violations)
    twice = copy.deepcopy(good)
    twice["unmet"].append({"need": "N1", "reason": "outcompeted"})
    assert any("appears 2 times" in v for v in check(data, twice).violations)
    incompatible = {
        "assignments": [{"need": "N3", "offer": "O1", "stream": None}, {"need": "N1", "offer": "O2", "stream": None}],
        "unmet": [{"need": "N2", "reason": "outcompeted"}],
    }
    assert any("not compatible" in v for v in check(data, incompatible).violations)


def test_the_distances_of_a_grid_of_needs_and_offers_are_the_haversine_of_each_pair():
    """The expanded sines of the grid against the spec's formula, pair by pair: near and far, across
    the date line, near the poles, and antipodes."""
    rng = random.Random(7)
    points = [(51.5, -0.1), (51.5001, -0.1001), (-33.9, 151.2), (0.0, 179.9), (0.0, -179.9), (89.9, 10.0)]
    points.append((-51.5, 179.9))
    points += [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(30)]
    families = [{"id": f"F{k}", "location": [lat, lon]} for k, (lat, lon) in enumerate(points)]
    needs = [{"id": f"N{k}", "family": f"F{k}", "category": "esol", "priority": 5} for k in range(len(points))]
    offers = [
        {"id": f"O{k}", "category": "esol", "capacity": 1, "cost": 0, "attributes": {"location": [lat, lon]}}
        for k, (lat, lon) in enumerate(points)
    ]
    p = Problem(problem(needs, offers, families))
    index = np.arange(len(points))
    grid = grid_distances(p, index, index)
    for need in range(len(points)):
        for offer in range(len(points)):
            assert grid[need, offer] == pytest.approx(p.distance_scalar(need, offer), abs=1e-6)
    assert grid[0, 1] < 0.02 and grid[3, 4] < 25  # near, and near across the date line
