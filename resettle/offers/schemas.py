"""Marshmallow schemas for the offers API: the review queue's filters, an offer as staff see it, and the
review actions (verify, reject, mark duplicate, change status, edit). The same bounds and wording as the
staff forms (forms_staff.py); the rules themselves stay in review.py and rules.py."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates

from resettle.api.fields import Text
from resettle.bounds import (
    AVAILABILITY,
    CERTIFICATE,
    MAX_BEDROOMS,
    MAX_HOURS_PER_WEEK,
    MAX_OFFER_CAPACITY,
    MAX_OFFER_COST_PENCE,
    MAX_QUERY_TEXT_LENGTH,
    MAX_RENT_PENCE,
    pounds,
)
from resettle.families.places import normalise_postcode
from resettle.offers.forms.staff import ANY_STATUS
from resettle.offers.models import EPC_RATINGS, DbsStatus, Handover, ItemCondition, LandlordType, OfferStatus
from resettle.offers.queries import POOL_ACTIVE, POOL_WAITING
from resettle.offers.review import editable_fields, may_see_offerer_contact
from resettle.offers.rules import LANGUAGES, MANUAL_STATUSES
from resettle.taxonomy import Category
from resettle.web.schema_fields import ClosedQuerySchema, WindowDate, json_boolean, whole_number

CONTACT_FIELDS = ("offerer_email", "offerer_phone")


class OfferFiltersSchema(ClosedQuerySchema):
    """The review queue's filters, as on the page: submitted offers unless `status` says otherwise."""

    status = fields.String(
        load_default=OfferStatus.SUBMITTED.value,
        validate=validate.OneOf([ANY_STATUS, *[s.value for s in OfferStatus]]),
        metadata={"description": "An offer status, or 'any'. Default: submitted (the review queue)"},
    )
    category = fields.Enum(Category, by_value=True)
    pool = fields.String(
        validate=validate.OneOf([POOL_ACTIVE, POOL_WAITING]),
        metadata={"description": "'active' (the pool matching draws from) or 'waiting' (the waiting list)"},
    )
    search = Text(
        max_length=MAX_QUERY_TEXT_LENGTH,
        metadata={"description": "Part of the reference, offerer's name, organisation or email"},
    )
    dbs_due = fields.Boolean(load_default=False, metadata={"description": "Only DBS checks due for renewal"})


class OfferItemSchema(Schema):
    item_kind = fields.String(required=True)
    label = fields.String(required=True, attribute="kind_label")
    quantity = fields.Integer(required=True)
    condition = fields.Enum(ItemCondition, by_value=True, required=True)


class OfferEventSchema(Schema):
    occurred_at = fields.AwareDateTime(required=True)
    who = fields.String(required=True, attribute="actor_label")
    action = fields.String(required=True)
    from_status = fields.Enum(OfferStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(OfferStatus, by_value=True, allow_none=True)
    note = fields.String(required=True)


class OfferSchema(Schema):
    """An offer as staff see it. The offerer's email and phone only for caseworkers and administrators, as on
    the offer's page; spend reviewers see the name and organisation alone."""

    reference = fields.String(required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    status = fields.Enum(OfferStatus, by_value=True, required=True)
    on_waiting_list = fields.Boolean(required=True)
    title = fields.String(required=True)
    offerer_name = fields.String(required=True)
    organisation = fields.String(allow_none=True)
    offerer_email = fields.String(metadata={"description": "Caseworkers and administrators only"})
    offerer_phone = fields.String(allow_none=True, metadata={"description": "Caseworkers and administrators only"})
    description = fields.String(required=True)
    capacity = fields.Integer(required=True)
    cost_pence = fields.Integer(required=True)
    available_from = fields.Date(allow_none=True)
    available_until = fields.Date(allow_none=True)
    postcode = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    home_visit = fields.Boolean(allow_none=True)
    halal = fields.Boolean(allow_none=True)
    hours_per_week = fields.Integer(allow_none=True)
    handover = fields.Enum(Handover, by_value=True, allow_none=True)
    address = fields.String(allow_none=True)
    bedrooms = fields.Integer(allow_none=True)
    rent_pence = fields.Integer(allow_none=True)
    step_free = fields.Boolean(allow_none=True)
    landlord_type = fields.Enum(LandlordType, by_value=True, allow_none=True)
    certificates_held = fields.List(fields.String(), required=True)
    has_gas_supply = fields.Boolean(allow_none=True)
    gas_safety_checked_on = fields.Date(allow_none=True)
    electrical_report_on = fields.Date(allow_none=True)
    epc_rating = fields.String(allow_none=True)
    smoke_alarms_every_storey = fields.Boolean(allow_none=True)
    co_alarm_where_needed = fields.Boolean(allow_none=True)
    inspected_on = fields.Date(allow_none=True)
    dbs_status = fields.Enum(DbsStatus, by_value=True, allow_none=True)
    dbs_expires_on = fields.Date(allow_none=True)
    duplicate_of = fields.Function(
        lambda offer: offer.duplicate_of.reference if offer.duplicate_of else None, allow_none=True
    )
    rejection_reason = fields.String(allow_none=True)
    verified_at = fields.AwareDateTime(allow_none=True)
    submitted_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "Changes with every save; the ETag carries it"})
    items = fields.List(fields.Nested(OfferItemSchema), required=True)

    @post_dump
    def hide_contact(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not may_see_offerer_contact(current_user):
            for name in CONTACT_FIELDS:
                data.pop(name, None)
        return data


class OfferDetailSchema(OfferSchema):
    """One offer: with its history and the fields an edit may change for its type."""

    events = fields.List(fields.Nested(OfferEventSchema), required=True)
    editable_fields = fields.Function(
        lambda offer: list(editable_fields(offer)),
        required=True,
        metadata={"description": "What PATCH may change for this offer (a list of field names)"},
    )


class VerifyOfferSchema(Schema):
    """The checks staff record. Homes need the housing checks; people who work with families a DBS check;
    other offers nothing but an optional note."""

    has_gas_supply = json_boolean()
    gas_safety_checked_on = WindowDate(window=CERTIFICATE, name="The date of the gas safety check", allow_none=True)
    electrical_report_on = WindowDate(window=CERTIFICATE, name="The date of the electrical report", allow_none=True)
    epc_rating = fields.String(validate=validate.OneOf(EPC_RATINGS, error="Select the EPC rating"), allow_none=True)
    smoke_alarms_every_storey = json_boolean(load_default=False)
    co_alarm_where_needed = json_boolean(load_default=False)
    inspected_on = WindowDate(window=CERTIFICATE, name="The date of the inspection visit", allow_none=True)
    dbs_status = fields.Enum(DbsStatus, by_value=True, allow_none=True)
    dbs_expires_on = WindowDate(window=CERTIFICATE, name="The DBS renewal date", allow_none=True)
    note = Text(max_length=500, multiline=True, load_default="")


class RejectOfferSchema(Schema):
    reason = Text(
        max_length=500,
        multiline=True,
        required=True,
        metadata={"description": "Emailed to the person who made the offer"},
    )


class DuplicateOfferSchema(Schema):
    original_reference = Text(max_length=16, required=True)


class OfferStatusSchema(Schema):
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in MANUAL_STATUSES], error="Select a status")
    )
    note = Text(max_length=500, multiline=True, load_default="")


def _postcode(value: str | None) -> None:
    if value and normalise_postcode(value) is None:
        raise ValidationError("Enter a real postcode, like SE6 4RU")


class OfferChangesSchema(Schema):
    """A partial edit: only the fields sent change. Which fields an offer has depends on its type (its
    `editable_fields`); sending another is refused."""

    description = Text(max_length=2000, multiline=True)
    capacity = whole_number(1, MAX_OFFER_CAPACITY, f"The capacity must be between 1 and {MAX_OFFER_CAPACITY}")
    cost_pence = whole_number(
        0, MAX_OFFER_COST_PENCE, f"The cost per unit must be {pounds(MAX_OFFER_COST_PENCE)} or less"
    )
    available_from = WindowDate(window=AVAILABILITY, name="The date it is available from", allow_none=True)
    available_until = WindowDate(window=AVAILABILITY, name="The date it is available until", allow_none=True)
    postcode = Text(max_length=10, allow_none=True, validate=[_postcode])
    address = Text(max_length=300, validate=[validate.Length(min=1, error="Enter the address of the home")])
    bedrooms = whole_number(1, MAX_BEDROOMS, f"The number of bedrooms must be between 1 and {MAX_BEDROOMS}")
    rent_pence = whole_number(0, MAX_RENT_PENCE, f"The monthly rent must be {pounds(MAX_RENT_PENCE)} or less")
    step_free = json_boolean()
    languages = fields.List(fields.String(validate=validate.OneOf([code for code, _ in LANGUAGES])))
    home_visit = json_boolean()
    halal = json_boolean()
    hours_per_week = whole_number(1, MAX_HOURS_PER_WEEK, f"The hours a week must be between 1 and {MAX_HOURS_PER_WEEK}")

    @validates("languages")
    def no_repeats(self, value: list[str], **kwargs: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("Select each language once")
