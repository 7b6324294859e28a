"""Showing a service's refusal on the form that asked for the change."""

from __future__ import annotations

from typing import Any

from resettle.errors import FieldError
from resettle.extensions import db


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
