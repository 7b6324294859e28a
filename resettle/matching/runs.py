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
from sqlalchemy import (
    JSON,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from resettle.audit.services import record
from resettle.auth.models import User
from resettle.clock import local_today
from resettle.db import rows_changed, utcnow
from resettle.extensions import Model, db
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

# "Run matching now": it runs in the scheduler, the page shows its progress. A run's limit covers the whole run,
# from the moment it starts gathering: gathering, the engine (its own setup included) and saving the result.
REQUEST_TIME_LIMIT = 30.0
NIGHTLY_TIME_LIMIT = 120.0
# A run whose gathering leaves the engine less than this (after the time kept for saving) stops there and is
# stored as failed, saying why, rather than running past its limit.
MIN_SOLVE_SECONDS = 1.0
# Time kept back from the engine for saving the result, estimated from the number of rows to save (one per
# need: a proposal or an unmet need). The last run that saved at least STORE_RATE_MIN_ROWS rows gives the
# seconds per row; before there is one, STORE_SECONDS_FIXED + STORE_SECONDS_PER_ROW per row (measured on
# PostgreSQL at London size). The estimate is doubled for a busy machine, and never under STORE_RESERVE_MIN.
STORE_SECONDS_FIXED = 0.2
STORE_SECONDS_PER_ROW = 0.0001
STORE_RATE_MIN_ROWS = 1000
STORE_MARGIN = 2.0
STORE_RESERVE_MIN = 0.5
# The progress page's "current objective" is written at most this often while the engine runs.
PROGRESS_EVERY_SECONDS = 1.0
# On PostgreSQL, how long a new request waits for a run holding the slot in a transaction not yet committed.
SLOT_WAIT = "500ms"
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's error code when lock_timeout runs out
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


def _now() -> float:
    """The clock a run's limit is counted on: the engine's (`solve(started=...)` takes a reading of it)."""
    return time.perf_counter()


class OutOfTime(Exception):
    """The run cannot finish within its time limit: the plain-words reason is stored with the failed run."""


def store_reserve(rows: int) -> float:
    """Seconds to keep back from the engine for saving `rows` rows (see STORE_SECONDS_PER_ROW). One statement."""
    last = db.session.execute(
        select(MatchRun.stats)
        .where(MatchRun.status != RunStatus.FAILED)
        .order_by(MatchRun.started_at.desc(), MatchRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    phases = (last or {}).get("phases") or {}
    measured_rows, measured_seconds = phases.get("rows") or 0, phases.get("store")
    if measured_rows >= STORE_RATE_MIN_ROWS and isinstance(measured_seconds, int | float):
        estimate = measured_seconds * rows / measured_rows
    else:
        estimate = STORE_SECONDS_FIXED + STORE_SECONDS_PER_ROW * rows
    return max(STORE_RESERVE_MIN, STORE_MARGIN * estimate)


def _insert_rows(model: type[Model], rows: list[dict[str, Any]], constants: dict[str, Any]) -> None:
    """Insert `rows` (plain JSON values under the same keys) into `model`'s table in one statement whatever their
    number: they travel as one JSON text that the database unpacks (PostgreSQL's json_to_recordset, SQLite's
    json_each), far faster than a statement, or a round trip, per row. `constants`: one value for every row."""
    if not rows:
        return
    names = list(rows[0])
    table = model.__table__
    data = bindparam("rows", json.dumps(rows), type_=Text, unique=True)
    source: Any
    if db.session.get_bind().dialect.name == "postgresql":
        source = (
            func.json_to_recordset(cast(data, JSON))
            .table_valued(*(column(name, table.c[name].type) for name in names))
            .render_derived(with_types=True)
        )
        values = [source.c[name] for name in names]
    else:
        source = func.json_each(data).table_valued("value")
        values = [type_coerce(func.json_extract(source.c.value, f"$.{name}"), table.c[name].type) for name in names]
    fixed = [literal(value, table.c[name].type) for name, value in constants.items()]
    db.session.execute(insert(model).from_select([*names, *constants], select(*values, *fixed).select_from(source)))


def _store_result(run: MatchRun, built: BuiltProblem, result: dict[str, Any]) -> list[int]:
    """Save the engine's result under `run` (already flushed, so it has its id) in a fixed number of statements
    whatever the number of proposals: one read of the pairs proposed before, one insert of all the proposals,
    one of all the unmet needs, one read of the new proposals' ids. Returns those ids (the proposals first made
    in this run)."""
    earlier = _earlier_pairs()
    weights = built.problem["weights"]
    entries = {entry["id"]: entry for entry in built.problem["offers"]}
    proposals: list[dict[str, Any]] = []
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
        # Ids, not records: the records were read as plain columns, and none is loaded one by one here. Every
        # row has the same keys, so the rows go in one statement.
        proposals.append(
            {
                "need_id": need.id,
                "offer_id": line.offer_id,
                "offer_item_id": line.item_id,
                "stream_id": built.streams[assignment["stream"]] if assignment.get("stream") else None,
                "charge_pence": charge,
                "value": round(value, 2),
                "distance_km": round(distance, 2) if distance is not None else None,
                "is_new": key not in earlier,
            }
        )
    unmet_needs = [
        {
            "need_id": built.needs[unmet["need"]].id,
            "reason": UnmetReason(unmet["reason"]).value,
            "blocking": list(unmet.get("blocking", [])),
        }
        for unmet in result["unmet"]
    ]
    _insert_rows(Proposal, proposals, {"run_id": run.id, "status": ProposalStatus.PROPOSED})
    _insert_rows(UnmetNeed, unmet_needs, {"run_id": run.id})
    # The collections were written past the session: read afresh if anything asks for them.
    db.session.expire(run, ["proposals", "unmet_needs"])
    new_ids: list[int] = []
    if any(row["is_new"] for row in proposals):
        new_ids = list(
            db.session.execute(
                select(Proposal.id).where(Proposal.run_id == run.id, Proposal.is_new.is_(True)).order_by(Proposal.id)
            ).scalars()
        )
    stats = result.get("stats", {})
    run.status = (
        RunStatus(stats.get("status", "optimal")) if stats.get("status") in set(RunStatus) else (RunStatus.OPTIMAL)
    )
    run.objective, run.bound, run.seconds = stats.get("objective"), stats.get("bound"), stats.get("seconds")
    run.stats = _json_safe(stats)
    run.proposal_count, run.unmet_count = len(result["assignments"]), len(result["unmet"])
    return new_ids


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
    between two requests at the same moment (the second waits for the first to commit, then is refused). On
    PostgreSQL the wait is at most SLOT_WAIT: a run that holds the slot in a transaction it has not committed
    (the nightly job runs in one) would otherwise keep "Run matching now" waiting until it ends."""
    _release_if_stale(live_request())
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    try:
        with db.session.begin_nested():
            if postgresql:
                previous = db.session.execute(select(func.current_setting("lock_timeout"))).scalar_one()
                db.session.execute(select(func.set_config("lock_timeout", SLOT_WAIT, True)))
            db.session.add(request)
            db.session.flush()
            if postgresql:
                db.session.execute(select(func.set_config("lock_timeout", previous, True)))
    except IntegrityError:
        raise RunInProgress(live_request()) from None
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise RunInProgress(None) from None


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
    request: MatchRunRequest,
    run: MatchRun,
    checkpoint: Callable[[], None],
    started: float,
    phases: dict[str, float],
    committing: bool,
) -> None:
    """Build, solve and store, each within what the limit (counted from `started`) leaves; the seconds of each
    phase go in `phases`. Raises OutOfTime when gathering leaves too little for the rest."""
    limit = request.time_limit
    built = build_problem(run.problem_date)
    add_keep_offers(built)  # undecided proposals stay put unless moving them gains more than 0.1%
    run.need_count, run.offer_count = len(built.needs), len(built.offers)
    reserve = store_reserve(len(built.needs))
    phases["store_reserve"] = round(reserve, 3)
    # The engine's limit counts from the run's start, so its own setup (reading the problem, finding the
    # compatible pairs) is inside it; what it leaves is kept for saving.
    engine_limit = limit - reserve
    left = engine_limit - (_now() - started)
    if left < MIN_SOLVE_SECONDS:
        phases["build"] = round(_now() - started, 3)
        raise OutOfTime(
            f"Gathering needs, offers and budgets took {phases['build']:.1f} s of the {limit:.0f} s limit, "
            f"leaving too little time to find matches (at least {MIN_SOLVE_SECONDS:.0f} s) "
            f"and save them (about {reserve:.1f} s)"
        )
    _set_phase(
        request,
        RunPhase.SOLVING,
        f"{solving_message(len(built.needs), len(built.offers))}; at most {left:.0f} s",
        checkpoint,
    )
    solve_started = _now()
    phases["build"] = round(solve_started - started, 3)
    # Only a queued run's progress is seen by others (its phases are committed); a run here and now has none.
    progress = _progress_writer(request, built, checkpoint) if committing else None
    result = solve(built.problem, time_limit=engine_limit, started=started, on_progress=progress)
    store_started = _now()
    phases["solve"] = round(store_started - solve_started, 3)
    # A savepoint: a failure while storing leaves earlier proposals live, as if the run had not happened.
    with db.session.begin_nested():
        db.session.execute(
            update(Proposal)
            .where(Proposal.status == ProposalStatus.PROPOSED)
            .values(status=ProposalStatus.SUPERSEDED)
            .execution_options(synchronize_session="fetch")
        )
        db.session.add(run)
        db.session.flush()
        new_ids = _store_result(run, built, result)
        run.stats = {**run.stats, "skipped": [asdict(item) for item in built.skipped]}
        run.finished_at = max(utcnow(), run.started_at)
        # Partners hear of a pairing when it is first proposed, not again each night it stays proposed.
        record_events(EventKind.PROPOSAL_MADE, new_ids)
        db.session.flush()
    phases["store"] = round(_now() - store_started, 3)
    phases["rows"] = run.proposal_count + run.unmet_count


def _phases_summary(phases: dict[str, float]) -> str:
    return (
        f"gathering {phases.get('build', 0.0):.1f} s, finding matches {phases.get('solve', 0.0):.1f} s, "
        f"saving {phases.get('store', 0.0):.1f} s"
    )


def _execute(request: MatchRunRequest, actor: User | None, committing: bool) -> MatchRun:
    """Build, solve and store the run of `request`, which holds the live slot. The time limit covers the
    whole run, from the start of gathering: the engine gets what gathering left of it, less the time kept
    for saving; a run that cannot fit says so (failed when gathering leaves too little, "stopped at the time
    limit" with the reason when it ended late). The seconds of each phase are kept in the run's
    stats["phases"]. Whatever goes wrong is stored as a failed run. When each phase is committed (the queued
    path), a failure rolls back only the failed attempt; otherwise the attempt runs in a savepoint, so a
    failed statement never spoils the caller's transaction."""
    checkpoint: Callable[[], None] = db.session.commit if committing else db.session.flush
    trigger = request.run_trigger
    started_at = utcnow()
    started = _now()
    phases: dict[str, float] = {"limit": request.time_limit}
    day = local_today()
    actor_id = actor.id if actor is not None else None
    _set_phase(request, RunPhase.BUILDING, "", checkpoint)
    run = MatchRun(trigger=trigger, started_by=actor, started_at=started_at, problem_date=day, status=RunStatus.FAILED)
    try:
        if committing:
            _attempt(request, run, checkpoint, started, phases, committing)
        else:
            with db.session.begin_nested():
                _attempt(request, run, checkpoint, started, phases, committing)
    except Exception as error:  # stored as a failed run with its reason, for the history page
        plain = isinstance(error, OutOfTime)
        current_app.logger.warning(
            "matching run failed: %s", error, exc_info=not isinstance(error, ProblemError | OutOfTime)
        )
        counts = (run.need_count or 0, run.offer_count or 0)
        if committing:
            db.session.rollback()
        if run in db.session:
            db.session.expunge(run)
        run = MatchRun(
            trigger=trigger,
            started_by_id=actor_id,
            started_at=started_at,
            problem_date=day,
            status=RunStatus.FAILED,
            need_count=counts[0],
            offer_count=counts[1],
            error=(str(error) if plain else f"{type(error).__name__}: {error}")[:500],
            finished_at=max(utcnow(), started_at),
        )
        db.session.add(run)
    phases["total"] = round(_now() - started, 3)
    run.stats = {**(run.stats or {}), "phases": phases}
    if run.status is not RunStatus.FAILED and phases["total"] > request.time_limit:
        # Late: the proposals stand, and the run says by how much and where the time went.
        run.status = RunStatus.TIME_LIMIT
        run.error = (
            f"Took {phases['total']:.1f} s, past its {request.time_limit:.0f} s limit: {_phases_summary(phases)}"
        )[:500]
    db.session.flush()
    request.run = run
    if run.status is RunStatus.FAILED:
        _finish_request(request, RunPhase.FAILED, run.error)
    else:
        done = f"{run.proposal_count} proposals, {run.unmet_count} needs unmet"
        _finish_request(request, RunPhase.DONE, f"{done}. {run.error}" if run.error else done)
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
    """The request with who asked and its run joined, whichever are set, so its page costs the same either way."""
    return db.session.execute(
        select(MatchRunRequest)
        .where(MatchRunRequest.public_id == public_id)
        .options(joinedload(MatchRunRequest.requested_by), joinedload(MatchRunRequest.run))
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
