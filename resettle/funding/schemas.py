"""Marshmallow schemas for the funding API: spend lines and their review, budgets, claim batches, and the
funding configuration (schemes, streams, amount rules). Families appear by reference only, as on the
reviewers' pages: no names, addresses or health notes. Money is integer pence throughout."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from resettle.api.fields import Text, record_id
from resettle.bounds import ANY_REAL_DATE, CASE_PAST, CASE_PLANNED, FUNDING_PERIOD, MAX_AGE_YEARS, MAX_PENCE, pounds
from resettle.funding.allocation import RuleBasis
from resettle.funding.models import Eligibility, StreamScope
from resettle.funding.spend_models import SpendStatus
from resettle.taxonomy import Category
from resettle.web.schema_fields import ClosedQuerySchema, WindowDate, changes_schema, json_boolean, whole_number

# --- spend lines ---------------------------------------------------------------------------------------------


class ReceiptSchema(Schema):
    public_id = fields.String(required=True)
    content_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = fields.AwareDateTime(required=True)


class SpendSchema(Schema):
    public_id = fields.String(required=True, metadata={"description": "The line's identifier in URLs"})
    reference = fields.String(required=True, metadata={"description": "The short number staff quote (S00012)"})
    status = fields.Enum(SpendStatus, by_value=True, required=True)
    family_reference = fields.Function(lambda line: line.family.reference, required=True)
    need_id = fields.Integer(allow_none=True)
    stream = fields.Function(lambda line: line.stream.code, required=True)
    scheme = fields.Function(lambda line: line.stream.scheme.code, required=True)
    expense_category = fields.Function(lambda line: line.expense_category.code, required=True)
    item_description = fields.String(required=True)
    amount_pence = fields.Integer(required=True)
    payee = fields.String(required=True)
    spend_date = fields.Date(required=True)
    agreement_reference = fields.String(required=True)
    reviewer_note = fields.String(required=True)
    rejection_reason = fields.String(required=True)
    match_id = fields.Integer(allow_none=True)
    claim_batch = fields.Function(
        lambda line: line.claim_batch.reference if line.claim_batch else None, allow_none=True
    )
    receipts = fields.List(fields.Nested(ReceiptSchema), required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)


class SpendFiltersSchema(ClosedQuerySchema):
    """The filters of the spend list and the reviewers' queue."""

    status = fields.Enum(SpendStatus, by_value=True)
    scheme = Text(max_length=16, metadata={"description": "A scheme code, like UKRS"})
    stream = Text(max_length=40, metadata={"description": "A stream code"})
    family = Text(max_length=16)
    needs_approval = fields.Boolean(load_default=False, metadata={"description": "Only items that need approval"})
    submitted_from = WindowDate(window=ANY_REAL_DATE, name="Submitted from")
    submitted_to = WindowDate(window=ANY_REAL_DATE, name="Submitted up to")


class SpendLineInputSchema(Schema):
    """A spend line as a caseworker enters it (create, or a full correction with PATCH)."""

    family_reference = Text(max_length=16, required=True)
    need_id = record_id(allow_none=True, load_default=None)
    stream = Text(max_length=40, required=True, metadata={"description": "A stream code"})
    expense_category = Text(max_length=40, required=True, metadata={"description": "An expense category code"})
    item_description = Text(
        max_length=200, required=True, validate=[validate.Length(min=1, error="Enter a description")]
    )
    amount_pence = whole_number(1, MAX_PENCE, f"Amount must be between 1p and {pounds(MAX_PENCE)}", required=True)
    payee = Text(max_length=120, required=True, validate=[validate.Length(min=1, error="Enter who was paid")])
    spend_date = WindowDate(window=CASE_PAST, name="Date of purchase", required=True)
    agreement_reference = Text(max_length=100, load_default="")


class ApproveSpendSchema(Schema):
    note = Text(max_length=1000, multiline=True, load_default="")
    need_met = json_boolean(
        allow_none=True,
        load_default=None,
        metadata={"description": "Needed when the line is for a need still open: true marks the need met"},
    )


class RejectSpendSchema(Schema):
    reason = Text(max_length=1000, multiline=True, required=True)


# --- budgets -------------------------------------------------------------------------------------------------


class BudgetSchema(Schema):
    stream = fields.Function(lambda view: view.stream.code, required=True)
    stream_name = fields.Function(lambda view: view.stream.name, required=True)
    scope = fields.Function(lambda view: view.stream.scope.value, required=True)
    family_reference = fields.Function(lambda view: view.family.reference if view.family else None, allow_none=True)
    allocated_pence = fields.Function(lambda view: view.figures.allocated, required=True)
    committed_pence = fields.Function(lambda view: view.figures.committed, required=True)
    spent_pence = fields.Function(lambda view: view.figures.spent, required=True)
    pending_pence = fields.Function(lambda view: view.figures.pending, required=True)
    remaining_pence = fields.Function(lambda view: view.figures.remaining, required=True)
    percent_used = fields.Function(lambda view: view.figures.percent_used, required=True)


class FamilyBudgetsSchema(Schema):
    family_reference = fields.String(required=True)
    budgets = fields.List(fields.Nested(BudgetSchema), required=True)


class SkippedSchema(Schema):
    kind = fields.String(required=True)
    reference = fields.String(required=True)
    reason = fields.String(required=True)


# --- claim batches -------------------------------------------------------------------------------------------


class ClaimRequestSchema(Schema):
    scheme = Text(max_length=16, required=True, metadata={"description": "A scheme code"})
    period_end = WindowDate(window=CASE_PLANNED, name="The last date to include", required=True)


class ClaimCreateSchema(ClaimRequestSchema):
    fingerprint = Text(
        max_length=40,
        metadata={
            "description": "The preview's fingerprint: the batch is made only if the lines are still the ones "
            "previewed (otherwise 409 with the new preview)"
        },
    )


class ClaimLineSchema(Schema):
    public_id = fields.String(required=True)
    reference = fields.String(required=True)
    amount_pence = fields.Integer(required=True)


class ClaimPreviewSchema(Schema):
    scheme = fields.Function(lambda preview: preview.scheme.code, required=True)
    period_end = fields.Date(required=True)
    line_count = fields.Function(lambda preview: len(preview.lines), required=True)
    total_pence = fields.Integer(required=True)
    fingerprint = fields.String(required=True)
    lines = fields.List(fields.Nested(ClaimLineSchema), required=True)


class ClaimBatchSchema(Schema):
    public_id = fields.String(required=True)
    reference = fields.String(required=True)
    scheme = fields.Function(lambda batch: batch.scheme.code, required=True)
    period_end = fields.Date(required=True)
    line_count = fields.Integer(required=True)
    total_pence = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)


# --- configuration -------------------------------------------------------------------------------------------


class AmountRuleSchema(Schema):
    id = fields.Integer(required=True)
    stream = fields.Function(lambda rule: rule.stream.code, required=True)
    basis = fields.Enum(RuleBasis, by_value=True, required=True)
    amount_pence = fields.Integer(required=True)
    age_min = fields.Integer(allow_none=True)
    age_max = fields.Integer(allow_none=True)
    support_year = fields.Integer(allow_none=True)
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(allow_none=True)
    source_ref = fields.String(required=True)
    is_confirmed = fields.Boolean(required=True)
    note = fields.String(required=True)
    version = fields.Integer(required=True)


class FundingStreamSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    scheme = fields.Function(lambda stream: stream.scheme.code, required=True)
    name = fields.String(required=True)
    scope = fields.Enum(StreamScope, by_value=True, required=True)
    categories = fields.List(fields.Enum(Category, by_value=True), required=True)
    requires_prior_agreement = fields.Boolean(required=True)
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(allow_none=True)
    source_ref = fields.String(required=True)
    description = fields.String(required=True)
    rules = fields.List(fields.Nested(AmountRuleSchema), required=True)


class FundingSchemeSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    funder = fields.String(required=True)
    notes = fields.String(required=True)
    streams = fields.List(fields.Nested(FundingStreamSchema), required=True)


class EligibilitySchema(Schema):
    expense_category = fields.String(required=True)
    label = fields.String(required=True)
    eligibility = fields.Enum(Eligibility, by_value=True, required=True)
    note = fields.String(required=True)


class FundingSchemeDetailSchema(FundingSchemeSchema):
    eligibility = fields.List(
        fields.Nested(EligibilitySchema),
        required=True,
        metadata={"description": "Recorded eligibility by expense category; others need approval"},
    )


class SchemeInputSchema(Schema):
    name = Text(max_length=120, required=True, validate=[validate.Length(min=1, error="Enter the name")])
    funder = Text(max_length=120, load_default="Home Office")
    notes = Text(max_length=2000, multiline=True, load_default="")


class NewSchemeSchema(SchemeInputSchema):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Za-z]{2,16}$", error="Scheme code must be 2 to 16 letters")
    )


class StreamInputSchema(Schema):
    name = Text(max_length=120, required=True, validate=[validate.Length(min=1, error="Enter the name")])
    scope = fields.Enum(StreamScope, by_value=True, required=True)
    categories = fields.List(
        fields.Enum(Category, by_value=True),
        required=True,
        validate=validate.Length(min=1, error="Select at least one kind of spend"),
    )
    requires_prior_agreement = json_boolean(load_default=False)
    effective_from = WindowDate(window=FUNDING_PERIOD, name="Start date", required=True)
    effective_to = WindowDate(window=FUNDING_PERIOD, name="End date", allow_none=True, load_default=None)
    source_ref = Text(max_length=300, load_default="")
    description = Text(max_length=2000, multiline=True, load_default="")


class NewStreamSchema(StreamInputSchema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9][a-z0-9-]{1,39}$", error="Stream code must be 2 to 40 lower case letters, numbers or hyphens"
        ),
    )


class RuleInputSchema(Schema):
    basis = fields.Enum(RuleBasis, by_value=True, required=True)
    amount_pence = whole_number(0, MAX_PENCE, f"Amount must be {pounds(MAX_PENCE)} or less", required=True)
    effective_from = WindowDate(window=FUNDING_PERIOD, name="Start date", required=True)
    effective_to = WindowDate(window=FUNDING_PERIOD, name="End date", allow_none=True, load_default=None)
    age_min = whole_number(
        0, MAX_AGE_YEARS, f"Youngest age must be between 0 and {MAX_AGE_YEARS}", allow_none=True, load_default=None
    )
    age_max = whole_number(
        0, MAX_AGE_YEARS, f"Oldest age must be between 0 and {MAX_AGE_YEARS}", allow_none=True, load_default=None
    )
    support_year = whole_number(1, 10, "Year of support must be between 1 and 10", allow_none=True, load_default=None)
    source_ref = Text(max_length=300, load_default="")
    is_confirmed = json_boolean(load_default=True)
    note = Text(max_length=300, load_default="")


SpendLineChangesSchema = changes_schema(SpendLineInputSchema, "SpendLineChangesSchema")
SchemeChangesSchema = changes_schema(SchemeInputSchema, "SchemeChangesSchema")
StreamChangesSchema = changes_schema(StreamInputSchema, "StreamChangesSchema")
RuleChangesSchema = changes_schema(RuleInputSchema, "RuleChangesSchema")


class ExpenseCategorySchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    is_active = fields.Boolean(required=True)


class ExpenseCategoryInputSchema(Schema):
    label = Text(max_length=120, required=True, validate=[validate.Length(min=1, error="Enter the name")])
    category = fields.Enum(Category, by_value=True, required=True)
    is_active = json_boolean(load_default=True)


class NewExpenseCategorySchema(ExpenseCategoryInputSchema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z][a-z0-9_]{1,39}$", error="Code must be 2 to 40 lower case letters, numbers or underscores"
        ),
    )


class EligibilityCellSchema(Schema):
    scheme = fields.String(required=True)
    expense_category = fields.String(required=True)
    eligibility = fields.Enum(Eligibility, by_value=True, required=True)
    recorded = fields.Boolean(required=True, metadata={"description": "False: no rule recorded, so it needs approval"})


class EligibilityInputSchema(Schema):
    eligibility = fields.Enum(Eligibility, by_value=True, required=True)
    note = Text(max_length=300, load_default="")


ExpenseCategoryChangesSchema = changes_schema(ExpenseCategoryInputSchema, "ExpenseCategoryChangesSchema")
