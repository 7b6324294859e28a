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


def test_common_and_breached_passwords_are_refused_even_when_long_enough() -> None:
    for common in ("password1234", "Password123!", "qwertyuiop12", "iloveyou2020", "1q2w3e4r5t6y"):
        problem = password_problem(common, "tom@council.example")
        assert problem is not None and problem.startswith("Choose a password that is harder to guess"), common


def test_passwords_built_from_the_persons_name_or_the_service_are_refused() -> None:
    assert password_problem("okafor123456", "tom@council.example", "Tom Okafor") is not None
    assert password_problem("resettle2026!", "tom@council.example", "Tom Okafor") is not None


def test_setting_a_common_password_through_the_service_is_refused(database: Any) -> None:
    import pytest

    from resettle.auth.services import AccountError, set_password
    from tests.factories import UserFactory

    user = UserFactory()
    with pytest.raises(AccountError, match="harder to guess"):
        set_password(user, "Password123!")
