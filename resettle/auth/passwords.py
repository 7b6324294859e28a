"""Argon2id password hashing (argon2-cffi), with cheap parameters in tests; new passwords checked with zxcvbn."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

_production_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_PASSWORD_LENGTH = 12
# zxcvbn's scale runs 0 to 4; 3 is "safely unguessable: moderate protection from offline slow-hash attacks".
MIN_PASSWORD_SCORE = 3
# zxcvbn's cost grows with length; a long passphrase is judged on its first part.
ZXCVBN_MAX_CHARS = 100
_dummy_hashes: dict[int, str] = {}


def _hasher() -> PasswordHasher:
    return _test_hasher if current_app.config.get("ARGON2_FAST") else _production_hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _dummy_hash() -> str:
    """A hash of a random value with the current parameters, to verify against when there is no real one."""
    hasher = _hasher()
    if id(hasher) not in _dummy_hashes:
        _dummy_hashes[id(hasher)] = hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[id(hasher)]


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password. With no hash (unknown account, password not set yet) the same verification is
    run against a dummy hash, so the time taken does not tell whether the account exists."""
    if not password_hash:
        try:
            _hasher().verify(_dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a new password is not acceptable, or None. NCSC advice: length over complexity rules, and
    no password that is common, breached or built from the person's own details (zxcvbn's dictionaries)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    local_part = email.split("@")[0].lower()
    if local_part and local_part in password.lower():
        return "Password must not contain your email address"
    if len(set(password)) < 5:
        return "Password must not repeat the same few characters"
    user_inputs = [part for part in [local_part, *name.lower().split(), "resettle", "council"] if part]
    strength = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=user_inputs)
    if strength["score"] < MIN_PASSWORD_SCORE:
        warning = strength["feedback"].get("warning") or "This password would be easy to guess"
        return (
            f"Choose a password that is harder to guess. {warning.rstrip('.')}. Three random words together work well"
        )
    return None
