"""City-scale problems in parts: needs whose offers are disjoint are solved one part after another on
the budgets the others left; the joined result is feasible and its bound holds for the whole."""

import time

import numpy as np
import pytest

from resettle.matching.engine import parts, solve
from resettle.matching.engine import solver as solver_module
from resettle.matching.engine.heuristics import State
from resettle.matching.engine.model import build_columns
from resettle.matching.engine.pairs import build_pairs
from resettle.matching.engine.problem import Problem
from resettle.matching.engine.solver import Solver

from .feasibility import check
from .instances import generate

HOME = [51.45, -0.02]


def split_everything(monkeypatch):
    """Split any problem of two groups of offers or more, with any time limit."""
    monkeypatch.setattr(parts, "PARTS_FROM", 0)
    monkeypatch.setattr(parts, "PART_MIN_NEEDS", 1)
    monkeypatch.setattr(parts, "SETUP_TIMES", 0.0)


def budget_problem():
    """One family, a budget of 10,000 pence that both a furniture need and a childcare need want
    whole: the parts (furniture first, it is worth more) must share it."""
    return {
        "version": 1,
        "date": "2026-11-21",
        "weights": {"priority_value": {"3": 1000, "4": 3000}, "cost_weight": 0.5, "distance_weight": 5.0},
        "streams": [{"id": "core", "scope": "family", "categories": ["furniture", "childcare"]}],
        "families": [{"id": "F1", "location": HOME, "budgets": {"core": 10000}}],
        "needs": [
            {"id": "N1", "family": "F1", "category": "childcare", "priority": 3},
            {"id": "N2", "family": "F1", "category": "furniture", "priority": 4, "requires": {"item": "bed"}},
        ],
        "offers": [
            {"id": "O1", "category": "childcare", "capacity": 1, "cost": 10000, "attributes": {"location": HOME}},
            {
                "id": "O2",
                "category": "furniture",
                "capacity": 1,
                "cost": 10000,
                "attributes": {"item": "bed", "location": HOME},
            },
        ],
    }


def test_a_part_has_its_needs_renumbered_and_the_budgets_it_is_given():
    problem = Problem(budget_problem())
    part = problem.part(np.array([1]), np.zeros((1, 1), dtype=np.int64), np.zeros(1, dtype=np.int64))
    assert part.n_needs == 1 and part.need_ids == ["N2"] and part.need_index == {"N2": 0}
    assert part.need_cat.tolist() == [problem.need_cat[1]]
    assert part.fam_budget.tolist() == [[0]]
    assert part.fam_budget_total.tolist() == [[10000]]  # what a stream could pay: still the whole budget
    assert part.split and not problem.split


def test_a_part_keeps_its_needs_exclusions_and_only_theirs():
    data = budget_problem()
    data["needs"][1]["excluded_offers"] = ["O2"]
    problem = Problem(data)
    part = problem.part(np.array([1]), problem.fam_budget_total, problem.stream_budget_total)
    assert part.is_excluded(np.array([0]), np.array([1])).tolist() == [True]
    assert part.is_excluded(np.array([0]), np.array([0])).tolist() == [False]


def test_needs_are_grouped_by_item_only_where_every_need_of_the_category_names_one():
    data = budget_problem()
    data["needs"].append(
        {"id": "N3", "family": "F1", "category": "furniture", "priority": 3, "requires": {"item": "sofa"}}
    )
    groups = parts._offer_disjoint_groups(Problem(data))
    assert sorted(sorted(group.tolist()) for group in groups) == [[0], [1], [2]]
    data["needs"].append({"id": "N4", "family": "F1", "category": "furniture", "priority": 3})
    groups = parts._offer_disjoint_groups(Problem(data))  # N4 may take any furniture offer
    assert sorted(sorted(group.tolist()) for group in groups) == [[0], [1, 2, 3]]


def test_a_problem_that_fits_one_optimisation_is_not_split():
    problem = Problem(generate("borough", 60, 3))
    assert parts.plan(problem, 60.0) is None


def test_a_problem_is_not_split_when_its_limit_leaves_too_little_time_to_set_up_every_part(monkeypatch):
    monkeypatch.setattr(parts, "PARTS_FROM", 0)
    monkeypatch.setattr(parts, "PART_MIN_NEEDS", 1)
    problem = Problem(generate("borough", 60, 3))
    assert parts.plan(problem, 1e-6) is None
    assert parts.plan(problem, 60.0) is not None


def test_parts_share_a_family_budget_and_the_bound_holds_for_the_whole(monkeypatch):
    split_everything(monkeypatch)
    data = budget_problem()
    result = solve(data, time_limit=10)
    assert result["stats"]["method"] == "parts"
    assert len(result["stats"]["parts"]) == 2
    report = check(data, result)
    assert report.ok, report.violations
    # the bed (worth more) is funded; the childcare place is then unfundable from what is left
    assert [a["need"] for a in result["assignments"]] == ["N2"]
    assert result["stats"]["objective"] == pytest.approx(3000 - 50)
    # the bound counts each part at the whole budget: at least the optimum, whichever part it funds
    assert result["stats"]["bound"] >= result["stats"]["objective"] - 1e-6


def test_a_part_solved_on_a_spent_budget_bounds_itself_at_the_whole_budget():
    problem = Problem(budget_problem())
    # the childcare need alone, after the bed took the whole budget: nothing fits, yet with the
    # whole budget it is worth 1000 - 50, so its bound for the whole problem must say at least that
    part = problem.part(np.array([0]), np.zeros((1, 1), dtype=np.int64), problem.stream_budget_total)
    solver = Solver(part, time.perf_counter(), 10.0)
    result = solver.run()
    assert result["stats"]["objective"] == 0
    assert solver.whole_budget_bound(result) >= 1000 - 50 - 1e-6


@pytest.mark.parametrize(("profile", "families", "seed"), [("tight", 60, 4), ("borough", 60, 5)])
def test_a_split_problem_is_feasible_and_its_bound_is_above_the_optimum(monkeypatch, profile, families, seed):
    data = generate(profile, families, seed)
    whole = solve(data, time_limit=20)
    assert whole["stats"]["status"] == "optimal"
    split_everything(monkeypatch)
    result = solve(data, time_limit=20)
    stats = result["stats"]
    assert stats["method"] == "parts" and len(stats["parts"]) >= 3
    report = check(data, result)
    assert report.ok, report.violations
    assert stats["objective"] <= whole["stats"]["objective"] + 1e-6
    assert stats["bound"] >= whole["stats"]["objective"] - 1e-6
    assert sum(part["objective"] for part in stats["parts"]) == pytest.approx(stats["objective"])
    # every need is either assigned or explained, once
    needs = [a["need"] for a in result["assignments"]] + [u["need"] for u in result["unmet"]]
    assert sorted(needs) == sorted(n["id"] for n in data["needs"])


def test_a_part_solved_again_keeps_a_better_result_and_the_budget_it_hands_back_goes_to_other_parts():
    data = budget_problem()
    problem = Problem(data)
    childcare = parts.Part(np.array([0]), 1.0, 1.0, 0.0)
    bed = parts.Part(np.array([1]), 1.0, 1.0, 0.0)
    answers = []

    def stand_in(part_problem, started, limit, on_progress, start):
        objective, assignments, unmet = answers.pop(0)
        stats = {"objective": objective, "status": "optimal"}
        return {"assignments": assignments, "unmet": unmet, "stats": stats}, 5000.0

    runs = parts._Runs(problem, [childcare, bed], None, stand_in)
    funded = [{"need": "N1", "offer": "O1", "stream": "core"}]
    answers.append((950.0, funded, []))
    runs.run(0, 1.0)
    assert runs.fam_spent[0].tolist() == [[10000]]
    # the bed part finds the budget spent: its need is outcompeted
    answers.append((0.0, [], [{"need": "N2", "reason": "outcompeted"}]))
    runs.run(1, 1.0)
    # not better: the result it has stays
    answers.append((940.0, [], [{"need": "N1", "reason": "outcompeted"}]))
    runs.run(0, 1.0)
    assert runs.objective(0) == 950.0 and runs.fam_spent[0].tolist() == [[10000]]
    assert not runs.fam_freed.any()
    # better, and it hands the budget back (a stand-in's objective: the childcare need left out)
    answers.append((960.0, [], [{"need": "N1", "reason": "outcompeted"}]))
    runs.run(0, 1.0)
    assert runs.objective(0) == 960.0 and runs.fam_spent[0].tolist() == [[0]]
    assert runs.fam_freed.tolist() == [[True]]
    assert runs.runs[0] == 3 and runs.bounds[0] == 5000.0
    # the bed, told it did not fit, now does: the joined result adds it, so that it stays maximal
    result = runs.joined(time.perf_counter())
    assert result["assignments"] == [{"need": "N2", "offer": "O2", "stream": "core"}]
    assert [entry["need"] for entry in result["unmet"]] == ["N1"]
    assert result["stats"]["needs_topped_up"] == 1
    assert result["stats"]["objective"] == pytest.approx(960.0 + 3000 - 50)
    report = check(data, result)
    assert report.ok, report.violations


@pytest.mark.parametrize(("profile", "families", "seed"), [("tight", 60, 4), ("borough", 60, 5)])
def test_a_part_given_time_bounds_itself_by_its_relaxation_solved_again_with_the_whole_budgets(profile, families, seed):
    problem = Problem(generate(profile, families, seed))
    scaled_total = again_total = 0.0
    for group in parts._offer_disjoint_groups(problem):
        # others spent two thirds of every budget; the part's optimum with the whole budgets is the
        # least its bound for the whole problem may say
        spent = problem.part(group, problem.fam_budget_total // 3, problem.stream_budget_total // 3)
        whole = problem.part(group, problem.fam_budget_total, problem.stream_budget_total)
        optimum = Solver(whole, time.perf_counter(), 20).run()["stats"]
        assert optimum["status"] == "optimal"
        bounds = []
        for seconds in (0.0, 5.0):
            solver = Solver(spent, time.perf_counter(), 20)
            bounds.append(solver.whole_budget_bound(solver.run(), seconds))
        scaled, again = bounds
        assert optimum["objective"] - 1e-6 <= again <= scaled + 1e-6
        scaled_total += scaled
        again_total += again
    # the prices scaled from the relaxation on the budgets left are looser (borough-60-s5: 520,213
    # against 369,248 for one part whose optimum is 363,767)
    assert again_total < scaled_total - 1.0


def test_a_part_solved_again_starts_from_its_last_result():
    problem = Problem(generate("borough", 60, 5))
    group = max(parts._offer_disjoint_groups(problem), key=len)
    part = problem.part(group, problem.fam_budget_total, problem.stream_budget_total)
    last = Solver(part, time.perf_counter(), 10).run()
    assert last["assignments"]
    again = Solver(part, time.perf_counter(), 10, start=last["assignments"])
    cols = build_columns(part, build_pairs(part))
    start = again._start_columns(cols)
    # exactly the last result's columns, stream included: a start that fits as it stands
    taken = [
        {
            "need": part.need_ids[need],
            "offer": part.offer_ids[offer],
            "stream": part.stream_ids[stream] if stream >= 0 else None,
        }
        for need, offer, stream in zip(cols.need[start], cols.offer[start], cols.stream[start], strict=True)
    ]
    assert taken == last["assignments"]
    assert State(part, cols).fill(start).objective() == pytest.approx(last["stats"]["objective"])
    assert again.run()["stats"]["objective"] >= last["stats"]["objective"] - 1e-6


def test_only_a_part_of_a_split_problem_stops_close_to_its_bound():
    problem = Problem(generate("borough", 20, 3))
    part = problem.part(np.arange(problem.n_needs // 2), problem.fam_budget_total, problem.stream_budget_total)
    started = time.perf_counter()
    bound = 1_000_000.0
    close, far = bound * (1 - 0.5 * solver_module.PART_ENOUGH), bound * (1 - 2 * solver_module.PART_ENOUGH)
    assert Solver(part, started, 10.0)._close_enough(bound, close)
    assert not Solver(part, started, 10.0)._close_enough(bound, far)
    # the whole problem is solved to its proven optimum wherever time allows: no such stop
    assert not Solver(problem, started, 10.0)._close_enough(bound, close)


def test_the_first_pass_gives_a_part_the_time_it_needs_to_reach_its_relaxation_where_time_allows(monkeypatch):
    problem = Problem(budget_problem())
    # by work the bed part would get a tenth of the first pass; it needs 6 s to reach its relaxation
    childcare = parts.Part(np.array([0]), 1.0, 9.0, 0.0, useful=1.0)
    bed = parts.Part(np.array([1]), 1.0, 1.0, 0.0, useful=6.0)
    shares = []

    def stand_in(part_problem, started, limit, on_progress, start):
        shares.append(limit)
        stats = {"objective": 0.0, "status": "optimal"}
        unmet = [{"need": need, "reason": "outcompeted"} for need in part_problem.need_ids]
        return {"assignments": [], "unmet": unmet, "stats": stats}, 0.0

    parts.solve_in_parts(problem, [childcare, bed], time.perf_counter(), 20.0, None, stand_in)
    first_pass = parts.FIRST_PASS * 20.0
    assert shares[0] == pytest.approx(first_pass * 0.9 - parts.LAST_PART_SLACK, abs=0.1)
    assert shares[1] == pytest.approx(6.0 - parts.LAST_PART_SLACK, abs=0.1)  # not 1.2 - slack
    split_everything(monkeypatch)
    plan = parts.plan(Problem(generate("london", 200, 1)), 120.0)
    assert plan is not None and len(plan) >= 2
    assert all(part.useful >= 0.5 + part.setup for part in plan)


def test_a_part_whose_relaxation_takes_every_column_is_given_its_rounds_of_cuts(monkeypatch):
    assert parts.EVERY_COLUMN == solver_module.WORK_ALL
    split_everything(monkeypatch)
    monkeypatch.setattr(parts, "EVERY_COLUMN", 1_000)  # a small problem's parts on both sides of it
    plan = parts.plan(Problem(generate("london", 200, 1)), 120.0)
    assert plan is not None
    assert {part.pairs <= parts.EVERY_COLUMN for part in plan} == {True, False}
    for part in plan:
        per_need = parts.USEFUL_PER_NEED_WITH_CUTS if part.pairs <= parts.EVERY_COLUMN else parts.USEFUL_PER_NEED
        assert part.useful == pytest.approx(
            max(0.5 + part.setup, parts.USEFUL_PER_PAIR * part.pairs + per_need * len(part.needs))
        )


def test_a_part_solved_again_keeps_a_better_result_that_spends_as_much_and_frees_nothing():
    problem = Problem(budget_problem())
    childcare = parts.Part(np.array([0]), 1.0, 1.0, 0.0)
    bed = parts.Part(np.array([1]), 1.0, 1.0, 0.0)
    funded = [{"need": "N1", "offer": "O1", "stream": "core"}]
    answers = [(950.0, funded), (970.0, funded)]

    def stand_in(part_problem, started, limit, on_progress, start):
        objective, assignments = answers.pop(0)
        return {"assignments": assignments, "unmet": [], "stats": {"objective": objective, "status": "optimal"}}, 5000.0

    runs = parts._Runs(problem, [childcare, bed], None, stand_in)
    runs.run(0, 1.0)
    runs.run(0, 1.0)
    assert runs.objective(0) == 970.0
    assert runs.fam_spent[0].tolist() == [[10000]]
    assert not runs.fam_freed.any()


def test_the_part_with_the_most_value_riding_on_the_budgets_takes_them_first(monkeypatch):
    """Parts go by priority value per need times the share of their offers that are paid: a part
    with free offers can turn to them when the parts before it spent the budgets, one that must pay
    cannot. (On london-10,000, childcare, every place paid, after beds, a fifth of them paid, lost
    45-50k of its 2.43M to the family budgets beds spent; before them at most 2.2k, and beds' bound
    fell by 54.)"""
    split_everything(monkeypatch)
    data = budget_problem()  # a bed (priority value 3,000) and childcare (1,000), each on a paid offer
    problem = Problem(data)
    first = parts.plan(problem, 60.0)[0]
    assert problem.need_ids[int(first.needs[0])] == "N2"  # every offer paid: the bed is worth more
    free_bed = {"category": "furniture", "capacity": 1, "cost": 0, "attributes": {"item": "bed", "location": HOME}}
    data["offers"] += [{**free_bed, "id": f"FREE{number}"} for number in range(4)]
    problem = Problem(data)
    first = parts.plan(problem, 60.0)[0]
    assert problem.need_ids[int(first.needs[0])] == "N1"  # 3,000 x 1/5 paid < 1,000 x all paid


def test_a_part_solved_again_starts_its_relaxation_from_its_last_working_set(monkeypatch):
    """A part whose relaxation prices its columns in hands its last working set to its next run, which
    starts from it (the same columns, found by key in the columns built again)."""
    monkeypatch.setattr(solver_module, "WORK_ALL", 200)  # pricing, as a part of millions of columns
    problem = Problem(generate("borough", 60, 5))
    group = max(parts._offer_disjoint_groups(problem), key=len)
    part = problem.part(group, problem.fam_budget_total, problem.stream_budget_total)
    first, _ = solver_module._solve_part(part, time.perf_counter(), 10, None, None)
    working = first.pop("working_set")
    cols = build_columns(part, build_pairs(part))
    assert len(cols) > 200
    assert working is not None and 0 < len(working) < len(cols)
    started_with = []
    real_init = solver_module.Relaxation.__init__

    def recording_init(self, rows, cols, idx, time_limit):
        started_with.append(solver_module.column_keys(part, cols)[idx])
        real_init(self, rows, cols, idx, time_limit)

    monkeypatch.setattr(solver_module.Relaxation, "__init__", recording_init)
    last_run = parts.LastRun(first["assignments"], True, working)
    again, _ = solver_module._solve_part(part, time.perf_counter(), 10, None, last_run)
    assert set(working.tolist()) <= set(started_with[0].tolist())
    assert again["stats"]["objective"] >= first["stats"]["objective"] - 1e-6
