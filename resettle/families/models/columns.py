"""Column helpers shared by the family models."""

from __future__ import annotations

import enum
import secrets

from sqlalchemy import Enum

# No 0/O, 1/I/L: a reference is read out on the phone and copied by hand.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def enum_column_type(enum_class: type[enum.Enum], name: str) -> Enum:
    """A named database enum holding the members' values (lower-case codes), as the users table does."""
    return Enum(
        enum_class,
        name=name,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def new_family_reference() -> str:
    """A family reference like `7KQ3-XW9P-M2DA`: 60 random bits, so references cannot be guessed or
    counted through, yet short enough to quote to a colleague."""
    characters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"{characters[:4]}-{characters[4:8]}-{characters[8:]}"
