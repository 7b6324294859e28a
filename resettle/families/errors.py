"""The error services raise when a rule about a family record is broken."""

from __future__ import annotations

from resettle.errors import FieldError


class FamilyError(FieldError):
    """A rule about a family, its members, needs or tasks was broken."""
