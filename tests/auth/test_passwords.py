"""Password hashing and the password rule, without HTTP."""

from __future__ import annotations

from typing import Any

from resettle.auth.passwords import hash_password, password_problem, verify_password


def test_hashes_are_argon2id_and_verify(database: Any) -> None:
    hashed = hash_password("amber kettle orchard")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "amber kettle orchard")
    assert not verify_password(hashed, "amber kettle orcharD")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")


def test_password_rule() -> None:
    assert password_problem("short") == "Password must be 12 characters or more"
    assert password_problem("aaaaaaaaaaaaaaa") == "Password must not repeat the same few characters"
    assert password_problem("amira.haddad-2026", "amira.haddad@council.example") == (
        "Password must not contain your email address"
    )
    assert password_problem("amber kettle orchard", "amira@council.example") is None
