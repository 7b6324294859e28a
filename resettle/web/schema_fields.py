"""Marshmallow fields that keep the bounds of resettle/bounds.py, for the API's schemas: text without control
characters and no longer than its column, dates inside the field's window, whole numbers that fit, booleans
that are JSON booleans. Messages follow the forms' GOV.UK wording, so a partner system shows the same words."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate

from resettle.bounds import MAX_DATABASE_ID, DateWindow, clean_text
from resettle.families.dates import local_today

# No control characters (Unicode category Cc) other than tabs and line breaks, and no non-characters: what
# `clean_text` would otherwise remove (lone surrogates too, which the pattern cannot say in a form every client
# reads). In one-line text, tabs and line breaks become spaces, as in the forms.
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufffe\\uffff]*$"


class Text(fields.String):
    """Text typed by a person: `name` says what it is in messages ("Reason")."""

    def __init__(self, *, max_length: int, name: str, multiline: bool = False, **kwargs: Any) -> None:
        # Said in the API document too, so clients (and the fuzzer) know the bounds before sending.
        documented = {"maxLength": max_length, "pattern": TEXT_PATTERN}
        kwargs["metadata"] = {**documented, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length = max_length
        self.name_in_messages = name
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if clean_text(text, multiline=True) != text:
            raise ValidationError(f"{self.name_in_messages} must not contain control characters")
        if len(text) > self.max_length:
            raise ValidationError(f"{self.name_in_messages} must be {self.max_length:,} characters or fewer")
        kept: str = text if self.multiline else clean_text(text)
        return kept.strip()


class WindowDate(fields.Date):
    """A date written 2026-11-01, inside `window` (relative to today in London)."""

    def __init__(self, *, window: DateWindow, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.window = window
        self.name_in_messages = name

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not value.isascii():
            raise ValidationError(f"{self.name_in_messages} must be a real date, like 2026-11-01")
        day: date = super()._deserialize(value, attr, data, **kwargs)
        problem = self.window.problem(self.name_in_messages, day, local_today())
        if problem:
            raise ValidationError(problem)
        return day


def whole_number(minimum: int, maximum: int, message: str, **kwargs: Any) -> fields.Integer:
    """A JSON whole number (not a string, not a boolean) from `minimum` to `maximum`."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, maximum, error=message), **kwargs)


def database_id(**kwargs: Any) -> fields.Integer:
    return whole_number(1, MAX_DATABASE_ID, "Must be a record's id", **kwargs)


class JsonBoolean(fields.Boolean):
    """true or false, nothing else ("yes", 1 and "true" are refused in JSON bodies)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value


def json_boolean(**kwargs: Any) -> fields.Boolean:
    return JsonBoolean(**kwargs)


def changes_schema(schema: type[Schema], name: str) -> type[Schema]:
    """A copy of `schema` for a partial update (PATCH): every field optional and without a default, so only
    what was sent is loaded. A class of its own, so the API document names it (not `schema` with `partial`)."""
    declared: dict[str, Any] = {}
    for field_name, declared_field in schema._declared_fields.items():
        optional = copy.deepcopy(declared_field)
        optional.required = False
        optional.load_default = missing
        declared[field_name] = optional
    return type(
        name, (Schema,), {**declared, "__doc__": f"Any of the fields of {schema.__name__.removesuffix('Schema')}"}
    )
