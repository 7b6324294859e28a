"""The large-problem path (a working set of columns grown by pricing) forced on small problems, the
Lagrangian bound's prices, and the column-by-column fill against a plain reference."""

import time

import numpy as np
import pytest

from resettle.matching.engine import solve
from resettle.matching.engine import solver as solver_module
from resettle.matching.engine.heuristics import by_value
from resettle.matching.engine.lp import Relaxation, lagrangian, set_deadline, subgradient
from resettle.matching.engine.lp import best_prices as best_prices_for
from resettle.matching.engine.model import build_columns, build_rows
from resettle.matching.engine.pairs import build_pairs
from resettle.matching.engine.problem import Problem

from .test_engine_clock import feasible_part


def _model(data):
    problem = Problem(data)
    cols = build_columns(problem, build_pairs(problem))
    return problem, cols, build_rows(problem, cols)


@pytest.mark.parametrize("profile,families,seed", [("borough", 30, 4), ("tight", 30, 5), ("london", 40, 6)])
def test_pricing_path_on_a_small_problem_checks_and_reaches_the_optimum(
    profile, families, seed, generator, checker, monkeypatch
):
    data = generator.generate(profile, families, seed)
    exact = solve(data, time_limit=30)
    assert exact["stats"]["status"] == "optimal"
    monkeypatch.setattr(solver_module, "WORK_ALL", 50)  # every problem takes the working-set path
    monkeypatch.setattr(solver_module, "PER_NEED", 1)
    monkeypatch.setattr(solver_module, "ADD_PER_NEED", 1)
    monkeypatch.setattr(solver_module, "FEWEST_PER_NEED", 1)
    monkeypatch.setattr(solver_module, "FEWEST_ADD_PER_NEED", 1)
    result = solve(data, time_limit=30)
    rep = checker.check(data, result)
    assert rep.ok, rep.violations[:5]
    assert result["stats"]["lp_rounds"] > 1  # columns were priced in
    optimum = exact["stats"]["objective"]
    assert result["stats"]["bound"] >= optimum - 1e-6 * optimum
    assert rep.objective <= optimum + 1e-6 * optimum
    if result["stats"]["status"] == "optimal":
        assert rep.objective == pytest.approx(optimum, rel=1e-9)
    assert rep.objective >= checker.first_come(data) - 1e-6


def _old_bound(rows, cols, prices):
    """The bound with the need prices given, each raised by its columns' largest positive reduced cost."""
    prices = np.maximum(prices, 0.0)
    extended = np.append(prices[: rows.n_rows], 0.0)
    reduced = cols.value - extended[rows.need_row[cols.need]] - cols.units * extended[rows.offer_row[cols.offer]]
    key_row = np.where(cols.bkey >= 0, rows.key_row[np.maximum(cols.bkey, 0)], -1)
    reduced = reduced - cols.charge * extended[key_row]
    raised = prices.copy()
    for need in np.unique(cols.need):
        top = max(0.0, float(reduced[cols.need == need].max()))
        raised[rows.need_row[need]] += top
    return float(raised @ rows.upper)


def test_lagrangian_bound_is_the_lp_value_at_its_duals_and_never_weaker_than_with_need_prices(generator):
    problem, cols, rows = _model(generator.generate("tight", 25, 7))
    relax = Relaxation(rows, cols, np.arange(len(cols)), 30)
    ok, _, duals, value = relax.run(30)
    assert ok
    bound = lagrangian(rows, cols, duals)[0]
    assert bound == pytest.approx(value, rel=1e-7)
    rng = np.random.default_rng(3)
    for _ in range(5):
        prices = np.maximum(duals + rng.normal(0, 50, len(duals)), 0.0)
        new, reduced_raised, raised, _ = lagrangian(rows, cols, prices)
        assert new <= _old_bound(rows, cols, prices) + 1e-6
        assert new >= value - 1e-6 * value  # a bound on the relaxation, so on the optimum
        assert reduced_raised.max() <= 1e-9
        assert new == pytest.approx(float(raised @ rows.upper), rel=1e-12)


@pytest.mark.parametrize(("profile", "families", "seed"), [("tight", 25, 7), ("borough", 30, 4), ("london", 40, 6)])
def test_subgradient_steps_tighten_a_loose_bound_and_never_below_the_relaxation(profile, families, seed, generator):
    """From prices far from the relaxation's (its duals, every budget and offer price tripled), the
    steps bring the Lagrangian bound down, and never below the relaxation's value (a bound stays a
    bound: every price vector gives one)."""
    problem, cols, rows = _model(generator.generate(profile, families, seed))
    relax = Relaxation(rows, cols, np.arange(len(cols)), 30)
    ok, _, duals, value = relax.run(30)
    assert ok
    _, _, raised, _ = best_prices_for(rows, cols, duals)
    loose = raised * 3.0
    start = lagrangian(rows, cols, loose)[0]
    floor = by_value(problem, cols).objective()
    stepped = subgradient(rows, cols, loose, floor, time.perf_counter() + 2.0)
    assert stepped is not None
    bound, reduced_raised, prices, _ = stepped
    assert value - 1e-6 * abs(value) <= bound < start
    assert bound - value < 0.5 * (start - value)  # at least half the excess closed
    assert np.all(prices >= 0.0) and reduced_raised.max() <= 1e-9
    assert bound == pytest.approx(lagrangian(rows, cols, prices)[0], rel=1e-12)


def test_subgradient_steps_return_nothing_from_the_relaxations_own_prices(generator):
    """At the relaxation's duals the bound is already the relaxation's value: no step beats it by more
    than rounding, and none is returned as better unless it is."""
    problem, cols, rows = _model(generator.generate("tight", 25, 7))
    relax = Relaxation(rows, cols, np.arange(len(cols)), 30)
    _, _, duals, value = relax.run(30)
    _, _, raised, _ = best_prices_for(rows, cols, duals)
    stepped = subgradient(rows, cols, raised, by_value(problem, cols).objective(), time.perf_counter() + 1.0)
    assert stepped is None or stepped[0] >= value - 1e-6 * abs(value)


def _plain_fill(problem, cols, order):
    """Columns taken one by one in order, each when its need is free and its offer and budget have room."""
    col_of = [-1] * problem.n_needs
    cap = problem.offer_cap.astype(np.int64).tolist()
    budget = cols.key_budget.astype(np.int64).tolist()
    for column in order.tolist():
        need, offer, key = int(cols.need[column]), int(cols.offer[column]), int(cols.bkey[column])
        units, charge = int(cols.units[column]), int(cols.charge[column])
        if col_of[need] >= 0 or cap[offer] < units or (key >= 0 and budget[key] < charge):
            continue
        cap[offer] -= units
        if key >= 0:
            budget[key] -= charge
        col_of[need] = column
    return col_of


@pytest.mark.parametrize("profile,seed", [("tight", 8), ("borough", 9)])
def test_fill_by_value_takes_the_same_columns_as_one_by_one(profile, seed, generator):
    problem, cols, _ = _model(generator.generate(profile, 60, seed))
    order = np.lexsort((np.arange(len(cols)), -cols.value))
    assert by_value(problem, cols).col_of == _plain_fill(problem, cols, order)


def test_pairs_stop_at_their_cap_and_the_result_says_so(generator, checker, monkeypatch):
    from resettle.matching.engine import pairs as pairs_module

    data = generator.generate("borough", 30, 10)
    whole = build_pairs(Problem(data))
    optimum = solve(data, time_limit=10)["stats"]["objective"]
    monkeypatch.setattr(pairs_module, "MAX_PAIRS", len(whole) // 3)
    cut = build_pairs(Problem(data))
    assert not cut.complete and len(cut) >= len(whole) // 3
    reports = []
    result = solve(data, time_limit=10, on_progress=reports.append)
    stats = result["stats"]
    assert stats["pairs_complete"] is False and stats["status"] == "time_limit"
    assert stats.get("lp_rounds", 0) >= 1  # the needs examined are still optimised
    assert reports and all(r["bound"] is None or r["bound"] >= optimum - 1e-6 * optimum for r in reports)
    assert stats["bound"] >= optimum - 1e-6 * optimum >= stats["objective"] - 1e-6 * optimum
    assert feasible_part(data, result) == []
    assert {e["need"] for e in result["unmet"]} | {a["need"] for a in result["assignments"]} == {
        n["id"] for n in data["needs"]
    }
    # the needs examined after the optimisation are priced at its row prices: never more than their
    # priority values, and the bound still holds
    assert stats["needs_examined_late"] > 0
    assert 0 <= stats["late_needs_priced"] <= stats["late_needs_priority"]


def test_columns_per_need_shrink_with_the_number_of_needs_to_keep_the_working_set_near_its_size():
    class Needs:
        def __init__(self, count):
            self.need = np.arange(count)

        def __len__(self):
            return len(self.need)

    per_need = solver_module._per_need
    assert per_need(Needs(12_000), 20, 6) == 20  # borough-2,000: 240,000 columns to start
    assert per_need(Needs(70_000), 20, 6) == 6  # london-10,000: 420,000, not 1.4 million
    assert per_need(Needs(30_000), 20, 6) == solver_module.WORK_ALL // 30_000


def test_a_relaxation_solved_again_has_its_whole_time_limit(generator):
    """HiGHS counts its time limit over every run of one instance: a relaxation re-solved after
    pricing must get the limit it is given on top of the time it has already run (it stopped after
    3.7 s of a 30.9 s limit on london-10000, having run 27.5 s before)."""
    _, cols, rows = _model(generator.generate("borough", 120, 3))
    relax = Relaxation(rows, cols, np.arange(len(cols)), 30.0)
    ok, *_ = relax.run(30.0)
    assert ok
    ran = relax.solver.getRunTime()
    assert ran > 0
    set_deadline(relax.solver, 5.0)
    _, limit = relax.solver.getOptionValue("time_limit")
    assert limit >= ran + 5.0


def test_too_many_columns_for_the_integer_program_use_the_time_on_growing_subsets(generator, checker, monkeypatch):
    """When fixing leaves more columns than the integer program takes, the engine solves it over each
    need's best columns by reduced cost, twice as many each time while time is left and the subset is
    within MIP_MAX: more than one round, the last subset larger than a column a need; and the result
    checks, with a bound that holds."""
    data = generator.generate("borough", 80, 12)
    exact = solve(data, time_limit=30)
    monkeypatch.setattr(solver_module, "WORK_ALL", 50)
    monkeypatch.setattr(solver_module, "MIP_MAX", 3_000)
    monkeypatch.setattr(solver_module, "RESTRICTED_MAX", 1)
    result = solve(data, time_limit=20)
    stats = result["stats"]
    rep = checker.check(data, result)
    assert rep.ok, rep.violations[:5]
    assert stats["columns_after_fixing"] > 3_000
    assert stats["restricted_rounds"] >= 2
    assert stats["restricted_columns"] > len(data["needs"])
    assert stats["bound"] >= exact["stats"]["objective"] - 1e-6 * exact["stats"]["objective"]


def test_pricing_stops_once_the_working_set_is_at_the_bound():
    """More pricing rounds cannot move a relaxation already within CONVERGED of the bound."""
    state = solver_module.RelaxationState(best=None, method="", bound=100.0)  # type: ignore[arg-type]
    state.lp_value, state.lag = 1_000_000.0, 1_000_000.5
    assert solver_module._converged(state)
    state.lag = 1_000_100.0
    assert not solver_module._converged(state)
    state.lp_value = None
    assert not solver_module._converged(state)


def test_neighbourhoods_of_the_relaxation_are_solved_first_and_bounds_stay_proven(generator, checker, monkeypatch):
    """Above NEIGHBOURHOOD_MIN columns, the integer program over the relaxation's solution (and then
    each need's best columns by reduced cost) comes before the program of every column. What they
    find checks; a neighbourhood's own bound (it holds for its columns only) is never reported as the
    problem's: every bound reported is at least the optimum."""
    data = generator.generate("borough", 80, 12)
    exact = solve(data, time_limit=30)
    optimum = exact["stats"]["objective"]
    assert exact["stats"]["status"] == "optimal"
    monkeypatch.setattr(solver_module, "NEIGHBOURHOOD_MIN", 1)
    reports = []
    result = solve(data, time_limit=20, on_progress=reports.append)
    rep = checker.check(data, result)
    assert rep.ok, rep.violations[:5]
    assert result["stats"]["neighbourhood_columns"] > 0
    assert result["stats"]["objective"] == pytest.approx(optimum, rel=1e-9)
    assert all(r["bound"] is None or r["bound"] >= optimum - 1e-6 * optimum for r in reports)
    assert result["stats"]["bound"] >= optimum - 1e-6 * optimum


def test_dropping_columns_out_of_the_solution_keeps_the_relaxation_optimum(generator):
    """The working set is kept within WORK_MAX by deleting columns at 0 with negative reduced costs:
    they are nonbasic, so the relaxation's optimum and its solution's columns stay."""
    _, cols, rows = _model(generator.generate("borough", 120, 3))
    relax = Relaxation(rows, cols, np.arange(len(cols)), 30.0)
    ok, shares, duals, value = relax.run(30.0)
    assert ok
    _, _, _, reduced = best_prices_for(rows, cols, duals)
    in_solution = relax.idx[shares > 1e-9]
    dropped = relax.drop(reduced, shares, len(cols) // 2)
    assert dropped > 0
    assert len(relax.idx) == len(cols) - dropped >= len(cols) // 2
    assert np.isin(in_solution, relax.idx).all()
    ok, _, _, again = relax.run(30.0)
    assert ok
    assert again == pytest.approx(value, rel=1e-9)
    assert relax.drop(reduced, np.zeros(3), 0) == 0  # a solution of another working set: nothing
