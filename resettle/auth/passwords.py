"""Argon2id password hashing (argon2-cffi), with cheap parameters in tests."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_production_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_PASSWORD_LENGTH = 12


def _hasher() -> PasswordHasher:
    return _test_hasher if current_app.config.get("ARGON2_FAST") else _production_hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same effort so response time does not reveal which accounts exist.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is not acceptable, or None. NCSC advice: length over complexity rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    local_part = email.split("@")[0].lower()
    if local_part and local_part in password.lower():
        return "Password must not contain your email address"
    if len(set(password)) < 5:
        return "Password must not repeat the same few characters"
    return None
