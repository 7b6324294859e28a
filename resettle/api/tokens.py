"""Creating, listing, revoking and checking personal API tokens.

A token is `rst_` and 43 URL-safe characters (256 random bits). Only its sha256 is stored: a fast hash is
enough for a secret with that much entropy, and it lets a request find its token with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from resettle.api.models import ApiToken, TokenScope
from resettle.audit.services import record
from resettle.auth.models import User
from resettle.db import utcnow
from resettle.errors import FieldError
from resettle.extensions import db

TOKEN_PREFIX = "rst_"  # noqa: S105 (a marker that says what the secret is, not a secret)  # nosec B105
# A token lasts at most a year; the owner picks one of these.
EXPIRY_CHOICES_DAYS = (30, 90, 180, 365)
MAX_EXPIRY_DAYS = max(EXPIRY_CHOICES_DAYS)
MAX_TOKENS_PER_USER = 20
# Writing last_used_at on every request would add a write to every call; this much drift tells the owner enough.
LAST_USED_RESOLUTION = timedelta(seconds=60)
SECRET_MAX_LENGTH = 100


class TokenRefused(FieldError):
    """A token could not be made as asked."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the owner once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, scope: TokenScope, expires_in_days: int) -> NewToken:
    """Make a token for `user`, carrying their current role. The secret is returned once."""
    name = name.strip()
    if not name:
        raise TokenRefused("name", "Enter a name for the token")
    if expires_in_days not in EXPIRY_CHOICES_DAYS:
        raise TokenRefused("expires_in_days", "Select when the token expires")
    if len(active_tokens(user)) >= MAX_TOKENS_PER_USER:
        raise TokenRefused("name", f"You have {MAX_TOKENS_PER_USER} tokens already. Revoke one you no longer use")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name[:80],
        token_hash=hash_secret(secret),
        hint=secret[:8],
        scope=scope,
        role=user.role,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api token created",
        "user",
        user.id,
        f"token {token.public_id}: {scope.value}, expires after {expires_in_days} days",
        actor=user,
    )
    return NewToken(token, secret)


def active_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are neither revoked nor expired, newest first (expired ones are listed too by
    `tokens_of`)."""
    return [token for token in tokens_of(user) if token_state(token, user) == "active"]


def tokens_of(user: User) -> list[ApiToken]:
    rows = db.session.execute(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(MAX_TOKENS_PER_USER * 3)
    )
    return list(rows.scalars())


def token_state(token: ApiToken, user: User, now: datetime | None = None) -> str:
    """'active', 'revoked', 'expired' or 'role changed' (the owner's role is no longer the token's)."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if now >= token.expires_at:
        return "expired"
    if user.role != token.role:
        return "role changed"
    return "active"


def revoke_token(user: User, public_id: str) -> bool:
    """Revoke one of the user's own tokens. Another user's token is never found."""
    token = db.session.execute(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.public_id == public_id[:32], ApiToken.revoked_at.is_(None)
        )
    ).scalar_one_or_none()
    if token is None:
        return False
    token.revoked_at = utcnow()
    record("api token revoked", "user", user.id, f"token {token.public_id}", actor=user)
    return True


def token_for_secret(secret: str) -> ApiToken | None:
    """The working token with this secret, with its owner loaded; None if unknown, revoked, expired, or its
    owner is deactivated or has another role now."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > SECRET_MAX_LENGTH:
        return None
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_secret(secret))
    ).one_or_none()
    if row is None:
        return None
    token: ApiToken = row[0]
    user: User = row[1]
    now = utcnow()
    if not user.is_active_account or token_state(token, user, now) != "active":
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token
