"""Marshmallow schemas for the webhook endpoints API (administrators only)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from resettle.api.pagination import PageArgsSchema
from resettle.webhooks.addresses import URL_MAX_LENGTH
from resettle.webhooks.models import SUBSCRIBABLE, DeliveryStatus
from resettle.webhooks.services import DESCRIPTION_MAX_LENGTH

EVENT_VALUES = [kind.value for kind in SUBSCRIBABLE]


class EndpointSchema(Schema):
    id = fields.String(attribute="public_id", required=True)
    url = fields.String(required=True)
    description = fields.String(required=True)
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_VALUES)), required=True)
    active = fields.Boolean(attribute="is_active", required=True, metadata={"description": "false: disabled"})
    created_at = fields.AwareDateTime(required=True)


class EndpointCreatedSchema(EndpointSchema):
    secret = fields.String(
        metadata={"description": "The signing secret, in this answer only (not when a repeated request is answered)"}
    )


class NewEndpointSchema(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=URL_MAX_LENGTH),
        metadata={"description": "https:// address on the public internet that receives events"},
    )
    description = fields.String(
        load_default="", validate=validate.Length(max=DESCRIPTION_MAX_LENGTH), metadata={"description": "Who it is for"}
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_VALUES, error="Choose events from the list")),
        required=True,
        validate=validate.Length(min=1, max=len(EVENT_VALUES), error="Choose at least one event"),
        metadata={"description": "Events to receive: " + ", ".join(EVENT_VALUES)},
    )


class DeliveryFiltersSchema(PageArgsSchema):
    status = fields.String(
        validate=validate.OneOf([status.value for status in DeliveryStatus]),
        metadata={"description": "pending (waiting), delivered or failed (given up)"},
    )


class DeliverySchema(Schema):
    id = fields.String(attribute="public_id", required=True)
    event = fields.String(attribute="event.kind", required=True)
    event_id = fields.String(attribute="event.public_id", required=True)
    occurred_at = fields.AwareDateTime(attribute="event.occurred_at", required=True)
    status = fields.String(required=True, metadata={"description": "pending, delivered or failed"})
    attempts = fields.Integer(required=True)
    last_status_code = fields.Integer(allow_none=True, required=True)
    last_error = fields.String(required=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True, required=True)
    delivered_at = fields.AwareDateTime(allow_none=True, required=True)
