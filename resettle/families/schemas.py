"""JSON schemas for families, members, needs, case notes and tasks: the API's side of forms.py, with the same
bounds. Rules are the services' (they raise FamilyError, answered as a 422 on the field)."""

from __future__ import annotations

from collections.abc import Callable

from marshmallow import Schema, ValidationError, fields, validate

from resettle.api.fields import StaffSchema, Text, record_id, staff
from resettle.api.pagination import PageArgsSchema, page_schema
from resettle.bounds import MAX_BEDROOMS, MAX_DISTANCE_KM, MAX_NEED_UNITS, MAX_RENT_PENCE, parse_id
from resettle.families.models import (
    EnglishLevel,
    FamilyStatus,
    MemberActivity,
    NeedStatus,
    Relationship,
    Scheme,
    Sex,
    TaskStage,
    TaskStatus,
)
from resettle.need_to_know.policy import SpecialCategoryAccess
from resettle.taxonomy import Category

LANGUAGES = fields.List(Text(max_length=60), validate=validate.Length(max=20))


def _me_or_id(*words: str) -> Callable[[str], None]:
    """A filter naming a person: one of `words`, or an id an id column can hold."""

    def check(value: str) -> None:
        if value not in words and parse_id(value) is None:
            raise ValidationError("Use " + ", ".join(f"`{word}`" for word in words) + " or a person's id")

    return check


# --- families ---------------------------------------------------------------------------------------------------


class FamilyFiltersSchema(PageArgsSchema):
    """The family list's filters, as on the page."""

    q = Text(max_length=100, metadata={"description": "Reference, family name, postcode or a member's name"})
    status = fields.Enum(FamilyStatus, by_value=True)
    scheme = fields.Enum(Scheme, by_value=True)
    caseworker = fields.String(
        validate=[validate.Regexp(r"^(me|[1-9][0-9]{0,9})$"), _me_or_id("me")],
        metadata={"description": "`me`, or a caseworker's id"},
    )


class FamilySummarySchema(Schema):
    reference = fields.String(required=True)
    name = fields.String(required=True)
    scheme = fields.Enum(Scheme, by_value=True, required=True)
    status = fields.Enum(FamilyStatus, by_value=True, required=True)
    referral_date = fields.Date(required=True)
    arrival_date = fields.Date(required=True, allow_none=True)
    caseworker = staff()
    postcode = fields.String(required=True, allow_none=True)
    member_count = fields.Integer(required=True)


FamilyPageSchema = page_schema(FamilySummarySchema, "FamilyPageSchema")


class MemberSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    full_name = fields.String(required=True)
    date_of_birth = fields.Date(required=True)
    sex = fields.Enum(Sex, by_value=True, required=True)
    relationship_to_applicant = fields.Enum(Relationship, by_value=True, required=True)
    languages = fields.List(fields.String(), required=True)
    english_level = fields.Enum(EnglishLevel, by_value=True, required=True)
    activity = fields.Enum(MemberActivity, by_value=True, required=True)
    school_or_employer = fields.String(required=True)
    needs_step_free_access = fields.Boolean(required=True)
    joined_on = fields.Date(required=True, allow_none=True)
    left_on = fields.Date(required=True, allow_none=True)
    # Special category data: present only for caseworkers the need-to-know rule lets read it.
    access_needs = fields.String(metadata={"description": "Only with need-to-know access"})
    eats_halal = fields.Boolean(metadata={"description": "Only with need-to-know access"})
    dietary_needs = fields.String(metadata={"description": "Only with need-to-know access"})


class NeedSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    item = fields.String(required=True, allow_none=True)
    description = fields.String(required=True)
    member_id = fields.Integer(required=True, allow_none=True)
    priority = fields.Integer(required=True)
    units = fields.Integer(required=True)
    needed_by = fields.Date(required=True, allow_none=True)
    status = fields.Enum(NeedStatus, by_value=True, required=True)
    follows_bedroom_standard = fields.Boolean(required=True)
    bedrooms_min = fields.Integer(required=True, allow_none=True)
    rent_max = fields.Integer(required=True, allow_none=True, metadata={"description": "Pence a month"})
    step_free = fields.Boolean(required=True)
    language = fields.String(required=True, allow_none=True)
    halal = fields.Boolean(required=True)
    home_visit = fields.Boolean(required=True)
    max_distance_km = fields.Float(required=True, allow_none=True)
    raised_at = fields.AwareDateTime(required=True)


class SpendLineSchema(Schema):
    label = fields.String(required=True)
    pence = fields.Integer(required=True)


class FamilySchema(Schema):
    """A family as its page shows it. Spend reviewers get the reference, scheme and spend only."""

    reference = fields.String(required=True)
    scheme = fields.Enum(Scheme, by_value=True, required=True)
    spend = fields.List(fields.Nested(SpendLineSchema), required=True)
    version = fields.Integer()
    name = fields.String()
    status = fields.Enum(FamilyStatus, by_value=True)
    referral_date = fields.Date()
    arrival_date = fields.Date(allow_none=True)
    arrival_confirmed = fields.Boolean()
    caseworker = fields.Nested(StaffSchema, allow_none=True)
    address_line_1 = fields.String(allow_none=True)
    address_line_2 = fields.String(allow_none=True)
    town = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    brma = fields.String(allow_none=True)
    preferred_languages = fields.List(fields.String())
    special_category_access = fields.Enum(
        SpecialCategoryAccess,
        by_value=True,
        metadata={"description": "Whether you may read members' special category fields (need to know)"},
    )
    members = fields.List(fields.Nested(MemberSchema))
    needs = fields.List(fields.Nested(NeedSchema))


class ApplicantSchema(Schema):
    full_name = Text(max_length=120, required=True, validate=[validate.Length(min=1)])
    date_of_birth = fields.Date(required=True)
    sex = fields.Enum(Sex, by_value=True, required=True)


class FamilyChangesSchema(Schema):
    """Every field optional: what is sent is changed, the rest kept."""

    name = Text(max_length=120, validate=[validate.Length(min=1)])
    scheme = fields.Enum(Scheme, by_value=True)
    referral_date = fields.Date()
    arrival_date = fields.Date(allow_none=True)
    caseworker_id = record_id(allow_none=True)
    address_line_1 = Text(max_length=120)
    address_line_2 = Text(max_length=120)
    town = Text(max_length=60)
    postcode = Text(max_length=10)
    brma = Text(max_length=64, allow_none=True)
    preferred_languages = LANGUAGES


class NewFamilySchema(FamilyChangesSchema):
    name = Text(max_length=120, required=True, validate=[validate.Length(min=1)])
    scheme = fields.Enum(Scheme, by_value=True, required=True)
    referral_date = fields.Date(required=True)
    caseworker_id = record_id(
        allow_none=True, metadata={"description": "Left out: you, if you are a caseworker (as the form starts)"}
    )
    applicant = fields.Nested(ApplicantSchema, required=True)


class StatusChangeSchema(Schema):
    status = fields.Enum(FamilyStatus, by_value=True, required=True)
    reason = Text(max_length=500, load_default="")


class ArrivalSchema(Schema):
    arrival_date = fields.Date(required=True)


# --- members ----------------------------------------------------------------------------------------------------


class MemberChangesSchema(Schema):
    full_name = Text(max_length=120, validate=[validate.Length(min=1)])
    date_of_birth = fields.Date()
    sex = fields.Enum(Sex, by_value=True)
    relationship_to_applicant = fields.Enum(Relationship, by_value=True)
    languages = LANGUAGES
    english_level = fields.Enum(EnglishLevel, by_value=True)
    activity = fields.Enum(MemberActivity, by_value=True)
    school_or_employer = Text(max_length=200)
    needs_step_free_access = fields.Boolean()
    access_needs = Text(max_length=2000, multiline=True, metadata={"description": "Only with need-to-know access"})
    eats_halal = fields.Boolean(metadata={"description": "Only with need-to-know access"})
    dietary_needs = Text(max_length=200, metadata={"description": "Only with need-to-know access"})


class NewMemberSchema(MemberChangesSchema):
    full_name = Text(max_length=120, required=True, validate=[validate.Length(min=1)])
    date_of_birth = fields.Date(required=True)
    sex = fields.Enum(Sex, by_value=True, required=True)
    relationship_to_applicant = fields.Enum(Relationship, by_value=True, required=True)


class MemberLeftSchema(Schema):
    left_on = fields.Date(required=True)


# --- needs ------------------------------------------------------------------------------------------------------


class NeedFiltersSchema(Schema):
    status = fields.Enum(NeedStatus, by_value=True)


class NeedChangesSchema(Schema):
    category = fields.Enum(Category, by_value=True)
    item = Text(max_length=32, allow_none=True)
    description = Text(max_length=2000, multiline=True)
    member_id = record_id(allow_none=True)
    priority = fields.Integer(strict=True, validate=validate.Range(min=1, max=5))
    units = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_NEED_UNITS))
    needed_by = fields.Date(allow_none=True)
    follows_bedroom_standard = fields.Boolean()
    bedrooms_min = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=MAX_BEDROOMS))
    rent_max = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_RENT_PENCE),
        metadata={"description": "Pence a month"},
    )
    step_free = fields.Boolean()
    language = Text(max_length=60, allow_none=True)
    halal = fields.Boolean()
    home_visit = fields.Boolean()
    max_distance_km = fields.Float(
        allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=MAX_DISTANCE_KM)
    )
    status = fields.Enum(NeedStatus, by_value=True)


class NewNeedSchema(NeedChangesSchema):
    category = fields.Enum(Category, by_value=True, required=True)
    priority = fields.Integer(strict=True, load_default=3, validate=validate.Range(min=1, max=5))
    units = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=MAX_NEED_UNITS))


# --- case notes -------------------------------------------------------------------------------------------------


class CaseNoteSchema(Schema):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    author = staff()
    created_at = fields.AwareDateTime(required=True)


CaseNotePageSchema = page_schema(CaseNoteSchema, "CaseNotePageSchema")


class NewCaseNoteSchema(Schema):
    body = Text(max_length=10000, multiline=True, required=True, validate=[validate.Length(min=1)])


# --- tasks ------------------------------------------------------------------------------------------------------


class TaskFiltersSchema(PageArgsSchema):
    """As the task pages: `assignee=me` is My tasks; `overdue=true` the team's overdue tasks."""

    assignee = fields.String(
        validate=[validate.Regexp(r"^(me|nobody|[1-9][0-9]{0,9})$"), _me_or_id("me", "nobody")],
        metadata={"description": "`me`, `nobody`, or a caseworker's id"},
    )
    status = fields.Enum(TaskStatus, by_value=True, load_default=TaskStatus.OPEN)
    overdue = fields.Boolean(metadata={"description": "Only open tasks past their due date and not snoozed"})
    family = Text(max_length=20, metadata={"description": "A family's reference"})


class TaskSchema(Schema):
    id = fields.Integer(required=True)
    family_reference = fields.String(attribute="family.reference", required=True)
    title = fields.String(required=True)
    guidance = fields.String(required=True)
    stage = fields.Enum(TaskStage, by_value=True, required=True)
    due_on = fields.Date(required=True)
    status = fields.Enum(TaskStatus, by_value=True, required=True)
    assignee = staff()
    snoozed_until = fields.Date(required=True, allow_none=True)
    snooze_reason = fields.String(required=True)
    evidence = fields.String(required=True)
    completed_at = fields.AwareDateTime(required=True, allow_none=True)
    completed_by = staff()


TaskPageSchema = page_schema(TaskSchema, "TaskPageSchema")


class NewTaskSchema(Schema):
    title = Text(max_length=200, required=True, validate=[validate.Length(min=1)])
    due_on = fields.Date(required=True)
    assignee_id = record_id(allow_none=True, metadata={"description": "Left out: the family's caseworker"})


class CompleteTaskSchema(Schema):
    evidence = Text(max_length=2000, multiline=True, load_default="")


class ReassignTaskSchema(Schema):
    assignee_id = record_id(required=True)


class SnoozeTaskSchema(Schema):
    until = fields.Date(required=True)
    reason = Text(max_length=500, required=True, validate=[validate.Length(min=1)])
