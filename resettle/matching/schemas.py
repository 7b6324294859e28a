"""Marshmallow schemas for the matching API: runs and their requests, proposals, the offers a caseworker may
choose by hand, matches and the gap report. Families appear by reference and need (kind) only: no names,
no addresses, no health information."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from resettle.api.fields import Text
from resettle.matching.models import MatchStatus, ProposalStatus, RunPhase, RunStatus, RunTrigger, UnmetReason
from resettle.taxonomy import Category
from resettle.web.schema_fields import ClosedQuerySchema


def _reference_of(attribute: str) -> Any:
    def get(obj: Any) -> str | None:
        target = obj
        for part in attribute.split("."):
            target = getattr(target, part, None)
            if target is None:
                return None
        return str(target)

    return get


class MatchRunSchema(Schema):
    id = fields.Integer(required=True)
    trigger = fields.Enum(RunTrigger, by_value=True, required=True)
    status = fields.Enum(RunStatus, by_value=True, required=True)
    started_at = fields.AwareDateTime(required=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    problem_date = fields.Date(required=True)
    need_count = fields.Integer(required=True)
    offer_count = fields.Integer(required=True)
    proposal_count = fields.Integer(required=True)
    unmet_count = fields.Integer(required=True)
    objective = fields.Float(allow_none=True)
    bound = fields.Float(allow_none=True)
    gap_percent = fields.Float(allow_none=True)
    seconds = fields.Float(allow_none=True)
    error = fields.String(required=True)


class RunRequestSchema(Schema):
    """A queued "Run matching now": poll it until `phase` is done or failed; `run` is then the run it made."""

    public_id = fields.String(required=True)
    trigger = fields.String(required=True)
    phase = fields.Enum(RunPhase, by_value=True, required=True, attribute="run_phase")
    message = fields.String(required=True)
    requested_at = fields.AwareDateTime(required=True)
    run_id = fields.Integer(allow_none=True)


class NeedRefSchema(Schema):
    id = fields.Integer(required=True)
    family_reference = fields.Function(_reference_of("family.reference"), required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    item = fields.String(allow_none=True)
    title = fields.String(required=True)
    priority = fields.Integer(required=True)
    units = fields.Integer(required=True)


class ProposalSchema(Schema):
    id = fields.Integer(required=True)
    run_id = fields.Integer(required=True)
    status = fields.Enum(ProposalStatus, by_value=True, required=True)
    need = fields.Nested(NeedRefSchema, required=True)
    offer_reference = fields.Function(_reference_of("offer.reference"), required=True)
    offer_title = fields.Function(_reference_of("offer.title"), required=True)
    offer_item_id = fields.Integer(allow_none=True)
    stream_code = fields.Function(_reference_of("stream.code"), allow_none=True)
    charge_pence = fields.Integer(required=True)
    value = fields.Float(required=True)
    distance_km = fields.Float(allow_none=True)
    is_new = fields.Boolean(required=True)
    rejection_reason = fields.String(required=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    unavailable_reason = fields.String(
        required=True, metadata={"description": "Why it can no longer be accepted, or '' while it can"}
    )


class ProposalFiltersSchema(ClosedQuerySchema):
    family = Text(max_length=16, metadata={"description": "A family's reference"})


class MatchSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.Enum(MatchStatus, by_value=True, required=True)
    need = fields.Nested(NeedRefSchema, required=True)
    offer_reference = fields.Function(_reference_of("offer.reference"), required=True)
    offer_title = fields.Function(_reference_of("offer.title"), required=True)
    offer_status = fields.Function(_reference_of("offer.status.value"), required=True)
    offer_item_id = fields.Integer(allow_none=True)
    proposal_id = fields.Integer(allow_none=True)
    units = fields.Integer(required=True)
    stream_code = fields.Function(_reference_of("stream.code"), allow_none=True)
    charge_pence = fields.Integer(required=True)
    spend_line = fields.Function(_reference_of("spend_line.public_id"), allow_none=True)
    task_id = fields.Integer(allow_none=True)
    accepted_at = fields.AwareDateTime(required=True)
    fulfilled_at = fields.AwareDateTime(allow_none=True)


class MatchFiltersSchema(ClosedQuerySchema):
    family = Text(max_length=16)
    status = fields.Enum(MatchStatus, by_value=True)
    offer_gone = fields.Boolean(
        load_default=False,
        metadata={"description": "Only accepted matches whose offer was withdrawn, rejected or expired since"},
    )


class ReasonSchema(Schema):
    reason = Text(max_length=500, multiline=True, required=True)


class CandidateSchema(Schema):
    """An offer (line) a caseworker may choose by hand, with why it does not suit when it does not."""

    offer = fields.String(required=True, attribute="engine_id", metadata={"description": "Send this to choose it"})
    offer_reference = fields.Function(lambda c: c.line.offer.reference, required=True)
    title = fields.Function(lambda c: c.line.title, required=True)
    is_compatible = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True)
    stream_code = fields.Function(lambda c: c.stream.code if c.stream else None, allow_none=True)
    charge_pence = fields.Integer(required=True)


class PickOfferSchema(Schema):
    offer = Text(
        max_length=64,
        required=True,
        metadata={"description": "The `offer` of one of the need's compatible candidates"},
    )


class GapGroupSchema(Schema):
    category = fields.Enum(Category, by_value=True, required=True)
    item = fields.String(allow_none=True)
    reason = fields.Enum(UnmetReason, by_value=True, required=True)
    blocking = fields.List(fields.String(), required=True)
    need_count = fields.Integer(required=True)
    family_count = fields.Integer(required=True)
    summary = fields.String(required=True)


class GapReportSchema(Schema):
    run = fields.Nested(MatchRunSchema, allow_none=True, metadata={"description": "The run the report is from"})
    groups = fields.List(fields.Nested(GapGroupSchema), required=True)
