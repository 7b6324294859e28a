"""Runs that keep working when one record is odd, failed runs kept with their reason, one run at a time, and
runs queued by "Run matching now" picked up by the scheduler's job."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from resettle.db import utcnow
from resettle.families.models import Need
from resettle.funding.allocation import RuleBasis
from resettle.matching import runs as runs_module
from resettle.matching.engine import ProblemError
from resettle.matching.jobs import nightly_matching, process_matching_queue
from resettle.matching.models import (
    MatchRun,
    MatchRunRequest,
    Proposal,
    ProposalStatus,
    RunPhase,
    RunStatus,
    RunTrigger,
)
from resettle.matching.runs import RunInProgress, process_queued_run, request_run, run_matching
from resettle.taxonomy import Category
from tests.conftest import csrf_token_from
from tests.families.factories import MemberFactory
from tests.funding.factories import AmountRuleFactory
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer


def test_a_need_with_an_infinite_distance_is_left_out_and_named_not_the_whole_run(
    database: Any, caseworker: Any
) -> None:
    family = arrived_family(caseworker)
    good = open_need(family, Category.ESOL)
    odd = open_need(family, Category.ESOL)
    verified_offer(Category.ESOL, capacity=5)
    database.session.flush()
    database.session.execute(Need.__table__.update().where(Need.id == odd.id).values(max_distance_km=float("inf")))
    database.session.expire_all()

    run = run_matching(caseworker, RunTrigger.MANUAL)

    assert run.status is not RunStatus.FAILED, run.error
    assert [p.need_id for p in run.proposals] == [good.id]
    [skipped] = run.stats["skipped"]
    assert skipped["kind"] == "need" and str(odd.id) in skipped["reference"] and "inf" in skipped["reason"]


def test_a_family_arriving_in_9999_does_not_stop_the_run_or_the_budget_pages(
    database: Any, caseworker: Any, login_as: Any
) -> None:
    from resettle.auth.models import Role

    stream = family_stream(50_000, [Category.ESOL])
    # Who counts as an ESOL adult depends on the first anniversary of arrival: year 10000 for this family.
    AmountRuleFactory(stream=stream, basis=RuleBasis.PER_ESOL_ADULT, amount_pence=85_000)
    normal = arrived_family(caseworker, name="Family Normal")
    odd = arrived_family(caseworker, name="Family Odd", arrival_date=date(9999, 12, 31))
    MemberFactory(family=normal)
    MemberFactory(family=odd)
    open_need(normal, Category.ESOL)
    verified_offer(Category.ESOL, capacity=5)

    run = run_matching(caseworker, RunTrigger.MANUAL)
    assert run.status is not RunStatus.FAILED, run.error
    assert run.proposal_count == 1

    caseworker_client = login_as(Role.CASEWORKER)
    reviewer_client = login_as(Role.REVIEWER)
    for client, url in [
        (caseworker_client, "/funding/budgets"),
        (caseworker_client, f"/funding/families/{odd.reference}/budgets"),
        (caseworker_client, f"/families/{odd.reference}"),
        (reviewer_client, "/funding/review/dashboard"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert odd.reference in page, f"{url} does not flag the odd family"
        assert "left out of these figures" in page or "Budgets not computed" in page, url


def test_a_run_that_fails_is_stored_as_failed_with_its_reason(
    database: Any, caseworker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_need(arrived_family(caseworker), Category.ESOL)

    def broken_solver(problem: Any, time_limit: float, **options: Any) -> Any:
        raise ProblemError("need N1: something the engine refuses")

    monkeypatch.setattr(runs_module, "solve", broken_solver)

    run = run_matching(caseworker, RunTrigger.MANUAL)
    database.session.flush()

    stored = database.session.get(MatchRun, run.id)
    assert stored.status is RunStatus.FAILED
    assert "something the engine refuses" in stored.error
    assert stored.finished_at >= stored.started_at
    request = database.session.execute(select(MatchRunRequest).where(MatchRunRequest.run_id == run.id)).scalar_one()
    assert (request.run_phase, request.live_slot) == (RunPhase.FAILED, None)


def test_the_history_page_lists_a_failed_run_with_its_reason(
    database: Any, caseworker_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_solver(problem: Any, time_limit: float, **options: Any) -> Any:
        raise ProblemError("the problem is malformed")

    monkeypatch.setattr(runs_module, "solve", broken_solver)
    run_matching(caseworker_client.user, RunTrigger.MANUAL)

    page = caseworker_client.get("/matching/runs").get_data(as_text=True)
    assert "Failed" in page and "the problem is malformed" in page


def test_a_second_run_while_one_is_going_is_refused_and_shows_the_running_one(
    database: Any, caseworker_client: Any
) -> None:
    first = request_run(caseworker_client.user, RunTrigger.MANUAL)
    database.session.flush()

    with pytest.raises(RunInProgress) as refused:
        run_matching(None, RunTrigger.NIGHTLY)
    assert refused.value.request.id == first.id

    token = csrf_token_from(caseworker_client.get("/matching/").get_data(as_text=True))
    response = caseworker_client.post("/matching/run", data={"csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already going" in page
    assert f"/matching/runs/progress/{first.public_id}" in response.request.path
    assert database.session.execute(select(func.count()).select_from(MatchRunRequest)).scalar_one() == 1
    assert nightly_matching().startswith("another matching run is going")


def test_a_run_left_by_a_dead_process_does_not_block_the_next(database: Any, caseworker: Any) -> None:
    stale = request_run(caseworker, RunTrigger.MANUAL)
    stale.heartbeat_at = utcnow() - timedelta(hours=1)
    database.session.flush()

    run = run_matching(caseworker, RunTrigger.MANUAL)

    assert run.status is not RunStatus.FAILED
    assert stale.run_phase is RunPhase.FAILED and "went away" in stale.message


def test_run_now_queues_and_the_scheduler_job_runs_it_to_the_end(database: Any, caseworker_client: Any) -> None:
    need = open_need(arrived_family(caseworker_client.user), Category.ESOL)
    verified_offer(Category.ESOL)
    token = csrf_token_from(caseworker_client.get("/matching/").get_data(as_text=True))

    response = caseworker_client.post("/matching/run", data={"csrf_token": token})
    assert response.status_code == 302
    progress_url = response.headers["Location"]
    queued = caseworker_client.get(progress_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' in queued and 'data-phase="queued"' in queued
    assert database.session.execute(select(func.count()).select_from(MatchRun)).scalar_one() == 0

    outcome = process_matching_queue()

    assert outcome.startswith("run ") and "1 proposals" in outcome
    done = caseworker_client.get(progress_url).get_data(as_text=True)
    assert 'data-phase="done"' in done and 'http-equiv="refresh"' not in done
    [proposal] = database.session.execute(select(Proposal)).scalars()
    assert proposal.need_id == need.id and proposal.status is ProposalStatus.PROPOSED
    assert process_matching_queue() == "no run queued"


def test_two_runs_one_after_the_other_leave_one_live_proposal_per_need(database: Any, caseworker: Any) -> None:
    need = open_need(arrived_family(caseworker), Category.ESOL)
    verified_offer(Category.ESOL)
    run_matching(caseworker, RunTrigger.MANUAL)
    request_run(caseworker, RunTrigger.MANUAL)
    process_queued_run()

    live = database.session.execute(
        select(func.count()).select_from(Proposal).where(Proposal.need_id == need.id, Proposal.status == "proposed")
    ).scalar_one()
    assert live == 1


def test_a_database_error_while_building_is_stored_as_a_failed_run(
    database: Any, caseworker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from resettle.matching import builder

    def broken_read(day: Any) -> Any:
        database.session.execute(text("SELECT no_such_column FROM needs"))

    monkeypatch.setattr(builder, "problem_funding", broken_read)

    run = run_matching(caseworker, RunTrigger.MANUAL)

    assert run.status is RunStatus.FAILED and "no_such_column" in run.error
    assert database.session.get(MatchRun, run.id) is run
