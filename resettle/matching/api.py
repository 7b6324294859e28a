"""The matching API: runs (read, and "Run matching now", which queues a run for the scheduler), proposals
(accept, reject with a reason), choosing another offer by hand, matches (fulfil, cancel) and the gap report.
The same permissions and services as the matching pages. A decision the records no longer allow (the need
was matched meanwhile, the offer has no places left or was withdrawn) is a 409 with the pages' words."""

from __future__ import annotations

from typing import Any, NoReturn

from flask_login import current_user
from sqlalchemy import Select, asc, select
from sqlalchemy.orm import selectinload

from resettle.api.blueprint import ApiBlueprint
from resettle.api.errors import api_abort, field_error
from resettle.api.pagination import Page, keyset_page, page_schema
from resettle.audit.services import record
from resettle.auth.models import CASE_STAFF
from resettle.auth.permissions import STAFF, roles_required
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import Family, Need
from resettle.matching import services
from resettle.matching.gap_report import gap_cells, gap_groups
from resettle.matching.models import Match, MatchRun, MatchRunRequest, MatchStatus, Proposal, RunTrigger
from resettle.matching.picking import Candidate, candidates_for, pick_compatible_offer
from resettle.matching.queries import GONE_OFFER_STATUSES, open_proposals_query
from resettle.matching.runs import RunInProgress, get_request, latest_run, request_run
from resettle.matching.schemas import (
    CandidateSchema,
    GapReportSchema,
    MatchFiltersSchema,
    MatchRunSchema,
    MatchSchema,
    PickOfferSchema,
    ProposalFiltersSchema,
    ProposalSchema,
    ReasonSchema,
    RunRequestSchema,
)
from resettle.offers.models import Offer
from resettle.web.schema_fields import ClosedQuerySchema

blp = ApiBlueprint(
    "matching",
    __name__,
    tag="Matching",
    url_prefix="/matching",
    description="Matching runs, proposals, matches and the gap report",
)
MatchRunPageSchema = page_schema(MatchRunSchema)
ProposalPageSchema = page_schema(ProposalSchema)
MatchPageSchema = page_schema(MatchSchema)
# A refusal about what was sent (a reason left empty) is a 422; any other is about the records as they are now.
INPUT_FIELDS = frozenset({"reason"})


def _refused(error: services.MatchError) -> NoReturn:
    field_error(422 if error.field in INPUT_FIELDS else 409, error.field, error.message)


def _get(model: type[Any], row_id: int) -> Any:
    row = db.session.get(model, row_id)
    if row is None:
        api_abort(404)
    return row


def _family(reference: str) -> Family:
    family = db.session.execute(select(Family).where(Family.reference == reference.upper())).scalar_one_or_none()
    if family is None:
        field_error(422, "family", "Enter the reference of a family")
    return family


# --- runs ------------------------------------------------------------------------------------------------------


@blp.route("/runs")
@roles_required(*STAFF)
@blp.arguments(ClosedQuerySchema, location="query")
@blp.response(200, MatchRunPageSchema)
def list_match_runs(args: dict[str, Any]) -> Page:
    """The history of runs, newest first."""
    return keyset_page(select(MatchRun), [MatchRun.started_at.desc(), MatchRun.id.desc()], args)


@blp.route("/runs/<int:run_id>")
@roles_required(*STAFF)
@blp.response(200, MatchRunSchema)
def read_match_run(run_id: int) -> MatchRun:
    run: MatchRun = _get(MatchRun, run_id)
    return run


@blp.route("/runs", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.response(202, RunRequestSchema)
def run_matching_now() -> MatchRunRequest:
    """Queue a run for the scheduler, as "Run matching now" does; poll the request until it is done. Only one
    run at a time: while one is queued or going this is a 409 naming it."""
    try:
        return request_run(current_user, RunTrigger.MANUAL)
    except RunInProgress as busy:
        where = f": its progress is at /api/v1/matching/run-requests/{busy.request.public_id}" if busy.request else ""
        api_abort(
            409,
            "A matching run is already queued or going. Start another once it has finished.",
            {"run": [f"A matching run is already queued or going{where}"]},
        )


@blp.route("/run-requests/<public_id>")
@roles_required(*CASE_STAFF)
@blp.response(200, RunRequestSchema)
def read_run_request(public_id: str) -> MatchRunRequest:
    """A requested run's progress: queued, building, solving, then done (with its run) or failed."""
    found = get_request(public_id)
    if found is None:
        api_abort(404)
    return found


# --- proposals -------------------------------------------------------------------------------------------------


@blp.route("/proposals")
@roles_required(*CASE_STAFF)
@blp.arguments(ProposalFiltersSchema, location="query")
@blp.response(200, ProposalPageSchema)
def list_proposals(args: dict[str, Any]) -> Page:
    """The latest run's undecided proposals, most urgent need first; `family` for one family's (audited, as the
    family's proposals page is)."""
    statement: Select[Any] = open_proposals_query().order_by(None)
    if args.get("family"):
        family = _family(args["family"])
        record("family_viewed", "family", family.reference, "Matching proposals read through the API")
        statement = statement.where(Need.family_id == family.id)
    return keyset_page(
        statement, [Need.priority.desc(), asc(Proposal.id)], args, values_of=lambda p: [p.need.priority, p.id]
    )


@blp.route("/proposals/<int:proposal_id>")
@roles_required(*CASE_STAFF)
@blp.response(200, ProposalSchema)
def read_proposal(proposal_id: int) -> Proposal:
    proposal: Proposal = _get(Proposal, proposal_id)
    return proposal


def _match_reference(match: Match) -> str:
    return str(match.id)


def _match_by_reference(reference: str) -> Match | None:
    return db.session.get(Match, int(reference)) if reference.isdigit() else None


@blp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.response(201, MatchSchema)
@blp.idempotent_create(_match_by_reference, _match_reference)
def accept_proposal(proposal_id: int) -> tuple[Match, int]:
    """The proposal becomes a match: the places are reserved, any money committed, the offerer emailed and a
    task added. 409 when it can no longer be accepted (decided already, need matched, offer gone or full)."""
    proposal: Proposal = _get(Proposal, proposal_id)
    try:
        match = services.accept_proposal(proposal, current_user)
    except services.MatchError as error:
        _refused(error)
    return match, 201


@blp.route("/proposals/<int:proposal_id>/reject", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(ReasonSchema)
@blp.response(200, ProposalSchema)
def reject_proposal(body: dict[str, Any], proposal_id: int) -> Proposal:
    """Turn the pairing down for good, with the reason: later runs never propose this offer for this need."""
    proposal: Proposal = _get(Proposal, proposal_id)
    try:
        services.reject_proposal(proposal, body["reason"], current_user)
    except services.MatchError as error:
        _refused(error)
    return proposal


# --- choosing by hand ------------------------------------------------------------------------------------------


@blp.route("/needs/<int:need_id>/candidates")
@roles_required(*CASE_STAFF)
@blp.response(200, CandidateSchema(many=True))
def list_candidates(need_id: int) -> list[Candidate]:
    """Every available offer of the need's kind, compatible ones first, with the reasons others do not suit."""
    need: Need = _get(Need, need_id)
    record("family_viewed", "family", need.family.reference, "Offers to choose for a need read through the API")
    return candidates_for(need, local_today()) if need.status.value == "open" else []


@blp.route("/needs/<int:need_id>/pick", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(PickOfferSchema)
@blp.response(201, MatchSchema)
@blp.idempotent_create(_match_by_reference, _match_reference)
def pick_offer(body: dict[str, Any], need_id: int) -> tuple[Match, int]:
    """Match the need with an offer of your choice among its compatible candidates (the `offer` value of one)."""
    need: Need = _get(Need, need_id)
    try:
        match = pick_compatible_offer(need, body["offer"], current_user, local_today())
    except services.MatchError as error:
        if error.field == "offer" and error.message.startswith("Select"):
            field_error(422, "offer", error.message)
        _refused(error)
    return match, 201


# --- matches ---------------------------------------------------------------------------------------------------


@blp.route("/matches")
@roles_required(*CASE_STAFF)
@blp.arguments(MatchFiltersSchema, location="query")
@blp.response(200, MatchPageSchema)
def list_matches(args: dict[str, Any]) -> Page:
    """Matches, newest first; `offer_gone` for the agreed ones whose offer went since (each needs another)."""
    # What each match shows (its need's family, offer and title, stream, spend line): a fixed number of statements.
    statement = (
        select(Match)
        .join(Need, Need.id == Match.need_id)
        .options(
            selectinload(Match.need).selectinload(Need.family),
            selectinload(Match.offer).selectinload(Offer.items),
            selectinload(Match.stream),
            selectinload(Match.spend_line),
        )
    )
    if args.get("family"):
        family = _family(args["family"])
        record("family_viewed", "family", family.reference, "Matches read through the API")
        statement = statement.where(Need.family_id == family.id)
    if args.get("status") is not None:
        statement = statement.where(Match.status == args["status"])
    if args["offer_gone"]:
        statement = statement.join(Offer, Offer.id == Match.offer_id).where(
            Match.status == MatchStatus.ACCEPTED, Offer.status.in_(GONE_OFFER_STATUSES)
        )
    return keyset_page(statement, [Match.id.desc()], args)


@blp.route("/matches/<int:match_id>")
@roles_required(*CASE_STAFF)
@blp.response(200, MatchSchema)
def read_match(match_id: int) -> Match:
    match: Match = _get(Match, match_id)
    return match


@blp.route("/matches/<int:match_id>/fulfil", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.response(200, MatchSchema)
def fulfil_match(match_id: int) -> Match:
    """Delivered: the need is met and the task to arrange it done."""
    match: Match = _get(Match, match_id)
    try:
        services.fulfil_match(match, current_user)
    except services.MatchError as error:
        _refused(error)
    return match


@blp.route("/matches/<int:match_id>/cancel", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(ReasonSchema)
@blp.response(200, MatchSchema)
def cancel_match(body: dict[str, Any], match_id: int) -> Match:
    """Undo an accepted match that will not happen: the need opens again, places and money are released."""
    match: Match = _get(Match, match_id)
    try:
        services.cancel_match(match, body["reason"], current_user)
    except services.MatchError as error:
        _refused(error)
    return match


# --- gap report ------------------------------------------------------------------------------------------------


@blp.route("/gaps")
@roles_required(*STAFF)
@blp.response(200, GapReportSchema)
def read_gap_report() -> dict[str, Any]:
    """The needs the latest run could not meet, grouped by kind, reason and blocking rules."""
    # Grouped in the database, as the page is: a count of needs and families per group, never each need.
    run = latest_run()
    return {"run": run, "groups": gap_groups(gap_cells(run))}
