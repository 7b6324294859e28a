"""Schemas of the API's own resources (the token in use)."""

from __future__ import annotations

from marshmallow import Schema, fields

from resettle.api.models import TokenScope
from resettle.auth.models import Role


class TokenOwnerSchema(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.Enum(Role, by_value=True, required=True)


class CurrentTokenSchema(Schema):
    id = fields.String(attribute="public_id", required=True)
    name = fields.String(required=True)
    scope = fields.Enum(TokenScope, by_value=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)
    owner = fields.Nested(TokenOwnerSchema, attribute="user", required=True)
