"""The engine tells its caller how the search goes: each better solution's objective and the bound so far."""

from __future__ import annotations

from typing import Any

from resettle.matching.engine import solve

from .instances import generate


def test_progress_reports_each_better_objective_up_to_the_result() -> None:
    data = generate("borough", 60, seed=3)  # type: ignore[no-untyped-call]
    reports: list[dict[str, Any]] = []

    result: dict[str, Any] = solve(data, time_limit=20, on_progress=reports.append)

    assert reports, "at least the first solution is reported"
    objectives = [report["objective"] for report in reports]
    assert objectives == sorted(objectives) and len(set(objectives)) == len(objectives)
    assert objectives[-1] <= result["stats"]["objective"] + 1e-6 * max(1.0, abs(objectives[-1]))
    # The bound is None until the engine has one; once known it is never below the objective.
    bounded = [report for report in reports if report["bound"] is not None]
    assert bounded, "the bound is known by the last report"
    assert all(report["bound"] >= report["objective"] - 1e-6 * max(1.0, report["bound"]) for report in bounded)
    assert all(report["seconds"] >= 0 for report in reports)


def test_without_a_callback_the_result_is_the_same() -> None:
    data = generate("tight", 30, seed=5)  # type: ignore[no-untyped-call]
    with_progress = solve(data, time_limit=20, on_progress=lambda report: None)
    without = solve(data, time_limit=20)
    assert with_progress["assignments"] == without["assignments"]
