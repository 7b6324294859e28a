"""A run's time limit covers the whole run, from the start of gathering to the end of saving: the engine is told
when the run started and gets what is left less the time kept for saving; saving takes the same few statements
whatever the number of proposals; and a run that cannot fit its limit says so."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import event, func, select

from resettle.extensions import db
from resettle.matching import runs as runs_module
from resettle.matching.models import (
    MatchRunRequest,
    Proposal,
    ProposalStatus,
    RunPhase,
    RunStatus,
    RunTrigger,
    UnmetNeed,
)
from resettle.matching.runs import STORE_RESERVE_MIN, process_queued_run, request_run, run_matching
from resettle.taxonomy import Category
from tests.matching.conftest import arrived_family, open_need, verified_offer


def _fake_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The runs' clock, moved on by hand: add seconds to the returned list's only item."""
    offset = [0.0]
    monkeypatch.setattr(runs_module, "_now", lambda: time.perf_counter() + offset[0])
    return offset


def test_a_queued_run_whose_gathering_takes_part_of_the_limit_still_fits_it(
    database: Any, caseworker_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = caseworker_client.user
    for _ in range(3):
        open_need(arrived_family(user), Category.ESOL)
    verified_offer(Category.ESOL, capacity=2)
    limit, gathering = 4.0, 0.5
    seen: dict[str, float] = {}
    real_build, real_solve = runs_module.build_problem, runs_module.solve

    def slow_build(day: Any) -> Any:
        seen["gathering_began"] = time.perf_counter()
        time.sleep(gathering)
        return real_build(day)

    def engine_using_all_its_time(problem: Any, time_limit: float, started: float, **options: Any) -> Any:
        seen.update(time_limit=time_limit, started=started)
        result = real_solve(problem, time_limit=time_limit, started=started, **options)
        time.sleep(max(0.0, started + time_limit - time.perf_counter()))
        return result

    monkeypatch.setattr(runs_module, "build_problem", slow_build)
    monkeypatch.setattr(runs_module, "solve", engine_using_all_its_time)
    queued = request_run(user, RunTrigger.MANUAL, time_limit=limit)
    database.session.commit()

    began = time.perf_counter()
    run = process_queued_run()
    wall = time.perf_counter() - began

    assert run is not None and run.status is not RunStatus.FAILED and run.proposal_count == 2, run and run.error
    # The engine's limit counts from the start of gathering and leaves time for saving.
    assert seen["started"] <= seen["gathering_began"]
    assert seen["time_limit"] <= limit - STORE_RESERVE_MIN
    phases = run.stats["phases"]
    assert phases["limit"] == limit and phases["store_reserve"] >= STORE_RESERVE_MIN
    assert phases["build"] >= gathering
    # Each figure is rounded to the millisecond.
    assert phases["build"] + phases["solve"] + phases["store"] <= phases["total"] + 0.002, phases
    assert phases["total"] <= limit, phases
    assert run.error == "" and run.status is not RunStatus.TIME_LIMIT, run.error
    assert wall <= limit + 1.0, (wall, phases)  # the claim, the last commit and the run's record: a small margin
    page = caseworker_client.get(f"/matching/runs/progress/{queued.public_id}").get_data(as_text=True)
    assert f"{phases['total']:.1f} seconds of 4: gathering {phases['build']:.1f} seconds" in page
    assert f"saving {phases['store']:.1f} seconds" in page


def _store_statements(monkeypatch: pytest.MonkeyPatch, caseworker: Any) -> tuple[Any, list[str]]:
    """Run matching now and return the run with the statements it ran after the engine answered."""
    real_solve = runs_module.solve
    statements: list[str] = []
    solved = [False]

    def solve(*args: Any, **kwargs: Any) -> Any:
        result = real_solve(*args, **kwargs)
        solved[0] = True
        return result

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if solved[0]:
            words = [re.sub(r"_\d+$", "", word) for word in statement.split()[:3]]  # savepoints are numbered
            statements.append(" ".join(words).upper())

    monkeypatch.setattr(runs_module, "solve", solve)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run = run_matching(caseworker, RunTrigger.MANUAL)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return run, statements


def test_storing_a_run_takes_the_same_statements_whatever_the_number_of_proposals(
    database: Any, caseworker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def add(needs: int) -> None:
        for _ in range(needs):
            family = arrived_family(caseworker)
            open_need(family, Category.ESOL)
            open_need(family, Category.LEGAL_ADVICE)  # no offer: unmet
        verified_offer(Category.ESOL, capacity=needs)

    add(2)
    small, small_statements = _store_statements(monkeypatch, caseworker)
    add(25)
    large, large_statements = _store_statements(monkeypatch, caseworker)

    assert (small.proposal_count, small.unmet_count) == (2, 2)
    assert (large.proposal_count, large.unmet_count) == (27, 27)
    assert large_statements == small_statements
    assert large_statements.count("INSERT INTO MATCH_PROPOSALS") == 1
    assert large_statements.count("INSERT INTO MATCH_UNMET_NEEDS") == 1
    stored = database.session.execute(
        select(func.count()).select_from(Proposal).where(Proposal.run_id == large.id, Proposal.is_new.is_(True))
    ).scalar_one()
    assert stored == 25  # the 2 pairs of the first run are proposed again, not new
    unmet = database.session.execute(select(UnmetNeed).where(UnmetNeed.run_id == large.id)).scalars().all()
    assert len(unmet) == 27 and {(row.reason.value, tuple(row.blocking)) for row in unmet} == {("no_offer", ())}
    assert [p.need_id for p in large.proposals] == sorted(p.need_id for p in large.proposals)


def test_a_run_whose_gathering_leaves_too_little_time_fails_saying_so(
    database: Any, caseworker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    need = open_need(arrived_family(caseworker), Category.ESOL)
    verified_offer(Category.ESOL)
    earlier = run_matching(caseworker, RunTrigger.MANUAL)
    assert earlier.proposal_count == 1
    offset = _fake_clock(monkeypatch)
    real_build = runs_module.build_problem

    def build_taking_29_seconds(day: Any) -> Any:
        offset[0] += 29.0
        return real_build(day)

    monkeypatch.setattr(runs_module, "build_problem", build_taking_29_seconds)
    request_run(caseworker, RunTrigger.MANUAL, time_limit=30.0)

    run = process_queued_run()

    assert run is not None and run.status is RunStatus.FAILED
    # 29 s and whatever gathering really took.
    assert re.match(r"Gathering needs, offers and budgets took 29\.\d s of the 30 s limit, leaving", run.error), (
        run.error
    )
    assert run.stats["phases"]["build"] >= 29.0
    request = database.session.execute(select(MatchRunRequest).where(MatchRunRequest.run_id == run.id)).scalar_one()
    assert request.run_phase is RunPhase.FAILED and "leaving too little time" in request.message
    # The earlier run's proposal stands.
    [live] = database.session.execute(select(Proposal).where(Proposal.status == ProposalStatus.PROPOSED)).scalars()
    assert live.need_id == need.id and live.run_id == earlier.id


def test_a_run_that_ends_past_its_limit_keeps_its_proposals_and_says_so(
    database: Any, caseworker_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = caseworker_client.user
    open_need(arrived_family(user), Category.ESOL)
    verified_offer(Category.ESOL)
    offset = _fake_clock(monkeypatch)
    real_store = runs_module._store_result

    def slow_store(*args: Any) -> Any:
        offset[0] += 40.0
        return real_store(*args)

    monkeypatch.setattr(runs_module, "_store_result", slow_store)
    queued = request_run(user, RunTrigger.MANUAL, time_limit=30.0)

    run = process_queued_run()

    assert run is not None and run.proposal_count == 1
    assert run.status is RunStatus.TIME_LIMIT
    assert run.stats["phases"]["store"] >= 40.0 and run.stats["phases"]["total"] > 30.0
    assert "past its 30 s limit" in run.error and "saving 40." in run.error, run.error
    assert queued.run_phase is RunPhase.DONE and "past its 30 s limit" in queued.message
    history = caseworker_client.get("/matching/runs").get_data(as_text=True)
    assert "Stopped at the time limit" in history and "past its 30 s limit" in history
