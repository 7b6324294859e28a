"""Marshmallow schemas for reading the audit log through the API (administrators only): the page's filters,
and an entry as the CSV export shows it. The hash chain's columns stay inside: `flask audit verify` checks them."""

from __future__ import annotations

from marshmallow import Schema, fields

from resettle.api.fields import Text
from resettle.bounds import ANY_REAL_DATE
from resettle.web.schema_fields import ClosedQuerySchema, WindowDate


class AuditFiltersSchema(ClosedQuerySchema):
    action = Text(max_length=64)
    object_type = Text(max_length=64)
    object_id = Text(max_length=64)
    actor_email = Text(max_length=254, metadata={"description": "Part of the actor's email"})
    date_from = WindowDate(window=ANY_REAL_DATE, name="From date", metadata={"description": "A London date"})
    date_to = WindowDate(window=ANY_REAL_DATE, name="To date", metadata={"description": "A London date"})


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    actor_email = fields.String(allow_none=True)
    action = fields.String(required=True)
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    summary = fields.String(required=True)
    ip_address = fields.String(allow_none=True)
