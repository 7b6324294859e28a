"""The base of every HTML form, and showing a service's refusal on the form that asked for the change."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_wtf import FlaskForm

from resettle.errors import FieldError
from resettle.extensions import db
from resettle.web.fields import CleanTextMeta


class BoundedForm(FlaskForm):
    """Every form's base: what people type is cleaned of control characters before it is checked
    (resettle/web/fields.py); each field then applies its own bounds from resettle/bounds.py."""

    class Meta(CleanTextMeta):
        pass


T = TypeVar("T")


def required(value: T | None) -> T:
    """A value the form's validators have already required: after `validate_on_submit()` it is never None."""
    if value is None:
        raise ValueError("a required form value is missing after validation")
    return value


def show_field_error(form: Any, error: FieldError, field_names: dict[str, str] | None = None) -> None:
    """Put the message beside the field it is about (or above the form when no field matches), after rolling
    back anything staged, so a refused change leaves nothing behind. `field_names` maps a service's field
    name to the form's where they differ."""
    db.session.rollback()
    name = (field_names or {}).get(error.field, error.field)
    field = getattr(form, name, None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]
