"""Marshmallow fields every API schema uses, with the same cleaning and bounds as the forms."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from resettle.bounds import MAX_DATABASE_ID, clean_text


class Text(fields.String):
    """Text as a form field takes it: control characters dropped (line breaks kept only when `multiline`),
    spaces trimmed, at most `max_length` characters."""

    def __init__(self, *, max_length: int, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        validators = [validate.Length(max=max_length), *(kwargs.pop("validate", None) or [])]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return str(clean_text(text, multiline=self.multiline)).strip()


def record_id(**kwargs: Any) -> fields.Integer:
    """A database id as sent by a client: a whole number an id column can hold."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_DATABASE_ID), **kwargs)


class StaffSchema(Schema):
    """A member of staff as the pages name them: id and name (never their email)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


def staff(**kwargs: Any) -> fields.Nested:
    return fields.Nested(StaffSchema, allow_none=True, required=True, **kwargs)
