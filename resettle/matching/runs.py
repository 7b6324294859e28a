"""Running the engine on today's problem and storing the run: its figures, its proposals and unmet needs.

A new run replaces the proposals of earlier runs that nobody decided on (they become `superseded`), so each
need has at most one live proposal. A proposal is `is_new` when its need and offer line were never proposed
before, which is what the nightly email reports.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from resettle.audit.services import record
from resettle.auth.models import User
from resettle.clock import local_today
from resettle.db import rows_changed, utcnow
from resettle.extensions import db
from resettle.matching.builder import BuiltProblem, build_problem
from resettle.matching.engine import ProblemError, solve
from resettle.matching.models import (
    LIVE_SLOT,
    MatchRun,
    MatchRunRequest,
    Proposal,
    ProposalStatus,
    RunPhase,
    RunStatus,
    RunTrigger,
    UnmetNeed,
    UnmetReason,
)
from resettle.matching.stability import add_keep_offers
from resettle.matching.why_not import distance_km
from resettle.webhooks.models import EventKind
from resettle.webhooks.services import record_events

# "Run matching now", building included: it runs in the scheduler, the page shows its progress.
REQUEST_TIME_LIMIT = 30.0
NIGHTLY_TIME_LIMIT = 120.0
# The solver always gets at least this long, even when building took most of the limit.
MIN_SOLVE_SECONDS = 1.0
# The progress page's "current objective" is written at most this often while the engine runs.
PROGRESS_EVERY_SECONDS = 1.0
# A live run with no sign of life for this long is taken to have died with its process.
STALE_AFTER = timedelta(minutes=15)


def _json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = json.loads(json.dumps(stats, default=str))
    return safe


def _earlier_pairs() -> set[tuple[int, int, int | None]]:
    rows = db.session.execute(select(Proposal.need_id, Proposal.offer_id, Proposal.offer_item_id).distinct())
    return {(need_id, offer_id, item_id) for need_id, offer_id, item_id in rows}


def _distance(built: BuiltProblem, need_key: str, offer_key: str) -> float | None:
    family_location, offer_location = built.needs[need_key].location, built.offers[offer_key].location
    if family_location is None or offer_location is None:
        return None
    return distance_km(family_location, offer_location)


def _store_result(run: MatchRun, built: BuiltProblem, result: dict[str, Any]) -> None:
    earlier = _earlier_pairs()
    weights = built.problem["weights"]
    entries = {entry["id"]: entry for entry in built.problem["offers"]}
    for assignment in result["assignments"]:
        need, line = built.needs[assignment["need"]], built.offers[assignment["offer"]]
        charge = entries[assignment["offer"]]["cost"] * need.units
        distance = _distance(built, assignment["need"], assignment["offer"])
        value = (
            weights["priority_value"][str(need.priority)]
            - weights["cost_weight"] * charge / 100
            - weights["distance_weight"] * (distance or 0.0)
        )
        key = (need.id, line.offer_id, line.item_id)
        # Ids, not records: the records were read as plain columns, and none is loaded one by one here.
        run.proposals.append(
            Proposal(
                need_id=need.id,
                offer_id=line.offer_id,
                offer_item_id=line.item_id,
                charge_pence=charge,
                value=round(value, 2),
                stream_id=built.streams[assignment["stream"]] if assignment.get("stream") else None,
                distance_km=round(distance, 2) if distance is not None else None,
                is_new=key not in earlier,
            )
        )
    for unmet in result["unmet"]:
        run.unmet_needs.append(
            UnmetNeed(
                need_id=built.needs[unmet["need"]].id,
                reason=UnmetReason(unmet["reason"]),
                blocking=list(unmet.get("blocking", [])),
            )
        )
    stats = result.get("stats", {})
    run.status = (
        RunStatus(stats.get("status", "optimal")) if stats.get("status") in set(RunStatus) else (RunStatus.OPTIMAL)
    )
    run.objective, run.bound, run.seconds = stats.get("objective"), stats.get("bound"), stats.get("seconds")
    run.stats = _json_safe(stats)
    run.proposal_count, run.unmet_count = len(result["assignments"]), len(result["unmet"])


class RunInProgress(Exception):
    """Another run is queued or going: only one at a time."""

    def __init__(self, request: MatchRunRequest | None) -> None:
        super().__init__("A matching run is already queued or going")
        self.request = request


def live_request() -> MatchRunRequest | None:
    return db.session.execute(
        select(MatchRunRequest).where(MatchRunRequest.live_slot == LIVE_SLOT)
    ).scalar_one_or_none()


def _release_if_stale(request: MatchRunRequest | None) -> None:
    """A run whose process died (a deploy, a crash) would hold the slot for ever: after STALE_AFTER without a
    sign of life it is marked failed, so the next request can go."""
    if request is None:
        return
    heartbeat = request.heartbeat_at
    if heartbeat.tzinfo is None:
        heartbeat = heartbeat.replace(tzinfo=UTC)
    if utcnow() - heartbeat > STALE_AFTER:
        _finish_request(request, RunPhase.FAILED, "Stopped: the process running it went away")
        db.session.flush()


def _claim_slot(request: MatchRunRequest) -> None:
    """Insert the request holding the live slot, or raise RunInProgress. The slot's unique index decides
    between two requests at the same moment (the second waits for the first to commit, then is refused)."""
    _release_if_stale(live_request())
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        raise RunInProgress(live_request()) from None


def request_run(actor: User | None, trigger: RunTrigger, time_limit: float = REQUEST_TIME_LIMIT) -> MatchRunRequest:
    """Queue a run for the scheduler (answers at once whatever the size); RunInProgress if one is live."""
    request = MatchRunRequest(
        trigger=trigger.value,
        requested_by=actor,
        phase=RunPhase.QUEUED.value,
        live_slot=LIVE_SLOT,
        time_limit=time_limit,
        heartbeat_at=utcnow(),
    )
    _claim_slot(request)
    record("matching_run_requested", "match_run_request", request.public_id, f"{trigger.value} run queued", actor=actor)
    return request


def _finish_request(request: MatchRunRequest, phase: RunPhase, message: str = "") -> None:
    request.phase = phase.value
    request.live_slot = None
    request.heartbeat_at = utcnow()
    request.message = message[:500]


def _set_phase(request: MatchRunRequest, phase: RunPhase, message: str, checkpoint: Callable[[], None]) -> None:
    request.phase = phase.value
    request.message = message[:500]
    request.heartbeat_at = utcnow()
    checkpoint()


def solving_message(needs: int, offers: int, report: dict[str, Any] | None = None) -> str:
    """What the progress page says while the engine runs: the size, then the best objective found so far and,
    once the engine has one, the bound no solution can score above."""
    size = f"{needs} open needs, {offers} offers"
    if report is None:
        return f"Solving: {size}"
    bound = report.get("bound")
    above = "" if bound is None else f" (no solution can score above {max(bound, report['objective']):,.0f})"
    return f"Solving, current objective {report['objective']:,.0f}{above}, {report['seconds']:.0f} s in; {size}"


def _progress_writer(
    request: MatchRunRequest, built: BuiltProblem, checkpoint: Callable[[], None]
) -> Callable[[dict[str, Any]], None]:
    """The engine's progress callback for a queued run: the current objective on the progress page (and a sign
    of life), committed at most once every PROGRESS_EVERY_SECONDS so the solver is not slowed."""
    last_written = [-PROGRESS_EVERY_SECONDS]

    def write(report: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - last_written[0] < PROGRESS_EVERY_SECONDS:
            return
        last_written[0] = now
        request.message = solving_message(len(built.needs), len(built.offers), report)[:500]
        request.heartbeat_at = utcnow()
        checkpoint()

    return write


def _attempt(
    request: MatchRunRequest, run: MatchRun, checkpoint: Callable[[], None], clock: float, committing: bool
) -> None:
    built = build_problem(run.problem_date)
    add_keep_offers(built)  # undecided proposals stay put unless moving them gains more than 0.1%
    run.need_count, run.offer_count = len(built.needs), len(built.offers)
    left = max(MIN_SOLVE_SECONDS, request.time_limit - (time.monotonic() - clock))
    _set_phase(
        request,
        RunPhase.SOLVING,
        f"{solving_message(len(built.needs), len(built.offers))}; at most {left:.0f} s",
        checkpoint,
    )
    # Only a queued run's progress is seen by others (its phases are committed); a run here and now has none.
    if committing:
        result = solve(built.problem, time_limit=left, on_progress=_progress_writer(request, built, checkpoint))
    else:
        result = solve(built.problem, time_limit=left)
    # A savepoint: a failure while storing leaves earlier proposals live, as if the run had not happened.
    with db.session.begin_nested():
        db.session.execute(
            update(Proposal)
            .where(Proposal.status == ProposalStatus.PROPOSED)
            .values(status=ProposalStatus.SUPERSEDED)
            .execution_options(synchronize_session="fetch")
        )
        db.session.add(run)
        _store_result(run, built, result)
        run.stats = {**run.stats, "skipped": [asdict(item) for item in built.skipped]}
        run.finished_at = max(utcnow(), run.started_at)
        db.session.flush()
        # Partners hear of a pairing when it is first proposed, not again each night it stays proposed.
        record_events(EventKind.PROPOSAL_MADE, [proposal.id for proposal in run.proposals if proposal.is_new])


def _execute(request: MatchRunRequest, actor: User | None, committing: bool) -> MatchRun:
    """Build, solve and store the run of `request`, which holds the live slot. The time limit covers the
    whole run: the solver gets what building left of it. Whatever goes wrong is stored as a failed run.
    When each phase is committed (the queued path), a failure rolls back only the failed attempt; otherwise
    the attempt runs in a savepoint, so a failed statement never spoils the caller's transaction."""
    checkpoint: Callable[[], None] = db.session.commit if committing else db.session.flush
    trigger = request.run_trigger
    started = utcnow()
    clock = time.monotonic()
    day = local_today()
    actor_id = actor.id if actor is not None else None
    _set_phase(request, RunPhase.BUILDING, "", checkpoint)
    run = MatchRun(trigger=trigger, started_by=actor, started_at=started, problem_date=day, status=RunStatus.FAILED)
    try:
        if committing:
            _attempt(request, run, checkpoint, clock, committing)
        else:
            with db.session.begin_nested():
                _attempt(request, run, checkpoint, clock, committing)
    except Exception as error:  # stored as a failed run with its reason, for the history page
        current_app.logger.warning("matching run failed: %s", error, exc_info=not isinstance(error, ProblemError))
        counts = (run.need_count or 0, run.offer_count or 0)
        if committing:
            db.session.rollback()
        if run in db.session:
            db.session.expunge(run)
        run = MatchRun(
            trigger=trigger,
            started_by_id=actor_id,
            started_at=started,
            problem_date=day,
            status=RunStatus.FAILED,
            need_count=counts[0],
            offer_count=counts[1],
            error=f"{type(error).__name__}: {error}"[:500],
            finished_at=max(utcnow(), started),
            stats={},
        )
        db.session.add(run)
        db.session.flush()
    request.run = run
    if run.status is RunStatus.FAILED:
        _finish_request(request, RunPhase.FAILED, run.error)
    else:
        _finish_request(request, RunPhase.DONE, f"{run.proposal_count} proposals, {run.unmet_count} needs unmet")
    db.session.flush()
    record(
        "matching_run",
        "match_run",
        run.id,
        f"{run.trigger.value} run: {run.proposal_count} proposals, {run.unmet_count} unmet, "
        f"status {run.status.value}" + (f" ({run.error})" if run.error else ""),
        actor=actor,
    )
    return run


def run_matching(actor: User | None, trigger: RunTrigger, time_limit: float = REQUEST_TIME_LIMIT) -> MatchRun:
    """Build today's problem, solve it and store the run, here and now (the nightly job, the demo). Raises
    RunInProgress when another run is live. A run that cannot finish is stored as a failed run with its reason."""
    request = MatchRunRequest(
        trigger=trigger.value,
        requested_by=actor,
        phase=RunPhase.BUILDING.value,
        live_slot=LIVE_SLOT,
        time_limit=time_limit,
        heartbeat_at=utcnow(),
    )
    _claim_slot(request)
    return _execute(request, actor, committing=False)


def process_queued_run() -> MatchRun | None:
    """The scheduler's side of "Run matching now": take the oldest queued request and run it, committing each
    phase so the progress page can show it. Returns the run, or None when nothing was queued."""
    _release_if_stale(live_request())
    db.session.commit()
    request = db.session.execute(
        select(MatchRunRequest)
        .where(MatchRunRequest.phase == RunPhase.QUEUED.value)
        .order_by(MatchRunRequest.requested_at, MatchRunRequest.id)
        .limit(1)
    ).scalar_one_or_none()
    if request is None:
        return None
    claimed = rows_changed(
        db.session.execute(
            update(MatchRunRequest)
            .where(MatchRunRequest.id == request.id, MatchRunRequest.phase == RunPhase.QUEUED.value)
            .values(phase=RunPhase.BUILDING.value, heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    if not claimed:  # another scheduler took it first
        return None
    db.session.refresh(request)
    run = _execute(request, request.requested_by, committing=True)
    db.session.commit()  # each phase was committed for the progress page; so is the end
    return run


def get_request(public_id: str) -> MatchRunRequest | None:
    return db.session.execute(
        select(MatchRunRequest).where(MatchRunRequest.public_id == public_id)
    ).scalar_one_or_none()


def latest_run() -> MatchRun | None:
    """The newest run that finished without failing: the one whose proposals and gaps are current."""
    return db.session.execute(
        select(MatchRun)
        .where(MatchRun.status != RunStatus.FAILED)
        .order_by(MatchRun.started_at.desc(), MatchRun.id.desc())
        .limit(1)
        .options(joinedload(MatchRun.started_by))  # named on the pages: loaded whether the run had a starter or not
    ).scalar_one_or_none()
