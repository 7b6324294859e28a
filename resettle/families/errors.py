"""The error services raise when a rule about a family record is broken."""

from __future__ import annotations


class FamilyError(ValueError):
    """A rule was broken; `field` names the form field to show `message` beside. Services raise it before
    changing anything, so nothing is ever saved half-way."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
