"""Marshmallow fields that keep the bounds of resettle/bounds.py, for the API's schemas, beside the text and id
fields of resettle/api/fields.py: dates inside the field's window, whole numbers that fit, booleans that are
JSON booleans, and a PATCH copy of a schema. Messages follow the forms' GOV.UK wording."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from resettle.api.pagination import PageArgsSchema
from resettle.bounds import DateWindow
from resettle.clock import local_today


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


class ClosedQuerySchema(PageArgsSchema):
    """A list's query arguments, refusing any it does not know (webargs would drop them): a misspelt filter
    (`?stauts=`) is a 422 on that name rather than a list quietly unfiltered."""

    @validates_schema(pass_original=True)
    def no_unknown_arguments(self, data: Any, original: Any, **kwargs: Any) -> None:
        known = {field.data_key or name for name, field in self.load_fields.items()}
        unknown = sorted(str(key) for key in getattr(original, "keys", lambda: [])() if key not in known)
        if unknown:
            raise ValidationError({key: ["Unknown field."] for key in unknown})
