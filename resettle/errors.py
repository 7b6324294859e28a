"""The one error type services raise when a business rule is broken, naming the form field it is about."""

from __future__ import annotations


class FieldError(ValueError):
    """A rule was broken; `field` names the form field to show `message` beside. Services raise it before
    changing anything, so nothing is saved half-way."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
