"""Running the engine on today's problem and storing the run: its figures, its proposals and unmet needs.

A new run replaces the proposals of earlier runs that nobody decided on (they become `superseded`), so each
need has at most one live proposal. A proposal is `is_new` when its need and offer line were never proposed
before, which is what the nightly email reports.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from resettle.audit.services import record
from resettle.auth.models import User
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.dates import local_today
from resettle.matching.builder import BuiltProblem, build_problem
from resettle.matching.engine import ProblemError, solve
from resettle.matching.models import (
    MatchRun,
    Proposal,
    ProposalStatus,
    RunStatus,
    RunTrigger,
    UnmetNeed,
    UnmetReason,
)
from resettle.matching.stability import add_keep_offers
from resettle.matching.why_not import distance_km

# In the request, for "Run matching now": the demo borough solves in well under a second.
REQUEST_TIME_LIMIT = 10.0
NIGHTLY_TIME_LIMIT = 120.0


def _json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(stats, default=str))


def _earlier_pairs() -> set[tuple[int, int, int | None]]:
    rows = db.session.execute(select(Proposal.need_id, Proposal.offer_id, Proposal.offer_item_id).distinct())
    return {(need_id, offer_id, item_id) for need_id, offer_id, item_id in rows}


def _distance(built: BuiltProblem, need_key: str, offer_key: str) -> float | None:
    family = built.needs[need_key].family
    offer = built.offers[offer_key].offer
    if family.location is None or offer.location is None:
        return None
    return distance_km(family.location, offer.location)


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
        key = (need.id, line.offer.id, line.item.id if line.item else None)
        run.proposals.append(
            Proposal(
                need=need,
                offer=line.offer,
                offer_item=line.item,
                charge_pence=charge,
                value=round(value, 2),
                stream=built.streams[assignment["stream"]] if assignment.get("stream") else None,
                distance_km=round(distance, 2) if distance is not None else None,
                is_new=key not in earlier,
            )
        )
    for unmet in result["unmet"]:
        run.unmet_needs.append(
            UnmetNeed(
                need=built.needs[unmet["need"]],
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


def run_matching(actor: User | None, trigger: RunTrigger, time_limit: float = REQUEST_TIME_LIMIT) -> MatchRun:
    """Build today's problem, solve it and store the run. A malformed problem is stored as a failed run."""
    day = local_today()
    built = build_problem(day)
    add_keep_offers(built)  # undecided proposals stay put unless moving them gains more than 0.1%
    run = MatchRun(
        trigger=trigger,
        started_by=actor,
        problem_date=day,
        status=RunStatus.FAILED,
        need_count=len(built.needs),
        offer_count=len(built.offers),
    )
    db.session.add(run)
    try:
        result = solve(built.problem, time_limit=time_limit)
    except ProblemError as error:
        run.error = str(error)[:500]
    else:
        db.session.execute(
            update(Proposal)
            .where(Proposal.status == ProposalStatus.PROPOSED)
            .values(status=ProposalStatus.SUPERSEDED)
            .execution_options(synchronize_session="fetch")
        )
        _store_result(run, built, result)
    run.finished_at = utcnow()
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


def latest_run() -> MatchRun | None:
    """The newest run that finished without failing: the one whose proposals and gaps are current."""
    return db.session.execute(
        select(MatchRun)
        .where(MatchRun.status != RunStatus.FAILED)
        .order_by(MatchRun.started_at.desc(), MatchRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
