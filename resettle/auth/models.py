"""Staff accounts. Residents who offer help never have accounts."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import cast

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.db import UTCDateTime, new_public_id, utcnow
from resettle.extensions import Model


class Role(enum.StrEnum):
    CASEWORKER = "caseworker"
    REVIEWER = "reviewer"  # council staff who review spend
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"caseworker": "Caseworker", "reviewer": "Spend reviewer", "admin": "Administrator"}[self.value]


# Role groups, named once. Case staff work on families, needs, tasks, offers and matches; spend staff record and
# review spend; staff is everyone who signs in.
CASE_STAFF = (Role.CASEWORKER, Role.ADMIN)
SPEND_STAFF = (Role.CASEWORKER, Role.REVIEWER)
STAFF = (Role.CASEWORKER, Role.REVIEWER, Role.ADMIN)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("failed_login_count >= 0", name="failed_login_count_not_negative"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    email: Mapped[str] = mapped_column(String(254), unique=True, info={"pii": "personal", "purpose": "staff accounts"})
    name: Mapped[str] = mapped_column(String(120), info={"pii": "personal", "purpose": "staff accounts"})
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda e: [m.value for m in e]), info={"pii": "none"}
    )
    # Null until the invited person sets a password.
    password_hash: Mapped[str | None] = mapped_column(
        String(255), info={"pii": "personal", "purpose": "staff accounts"}
    )
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True, info={"pii": "none"})
    # Flask-Login's id: rotating it signs the user out everywhere (password change, deactivation).
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token, info={"pii": "personal", "purpose": "staff accounts"}
    )
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    last_failed_login_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info={"pii": "personal", "purpose": "staff accounts"}
    )
    last_login_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info={"pii": "personal", "purpose": "staff accounts"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    # TOTP second factor: the shared secret (base32) and the last time step used, so a code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(64), info={"pii": "personal", "purpose": "staff accounts"})
    totp_enabled_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info={"pii": "personal", "purpose": "staff accounts"}
    )
    totp_last_step: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})

    # Set for the request by the session loader or at sign-in: the random id the session cookie carries.
    current_session_token = cast("str | None", None)

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def totp_required(self) -> bool:
        """Administrators, and caseworkers (who read health notes), must use a second factor."""
        return self.role in (Role.ADMIN, Role.CASEWORKER)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    def get_id(self) -> str | None:
        return self.current_session_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


_STAFF = {"pii": "personal", "purpose": "staff accounts"}


class UserSession(Model):
    """A signed-in browser. The cookie carries only a random token; this row (holding its hash) is the session,
    so ending it here ends it everywhere a copy of the cookie exists."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    # Names the session on the "signed in elsewhere" page without revealing its token.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, info={"pii": "personal", "purpose": "staff accounts"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=_STAFF)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=_STAFF)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"pii": "none"})
    ip_address: Mapped[str | None] = mapped_column(String(45), info=_STAFF)
    user_agent: Mapped[str | None] = mapped_column(String(300), info=_STAFF)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    end_reason: Mapped[str | None] = mapped_column(String(40), info={"pii": "none"})

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """A single-use code for when the authenticator is lost. Only a hash is kept; the code is shown once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, info=_STAFF)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, info=_STAFF)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=_STAFF)


class LoginThrottle(Model):
    """Failed sign-ins counted per email address (whether or not an account has it) and per email and
    client address. Keys are hashes, so the table holds no addresses in the clear."""

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    # A keyed hash of an email (and client) address: personal data, though not readable as such.
    key: Mapped[str] = mapped_column(String(64), primary_key=True, info=_STAFF)
    failures: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})


class ApprovalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class RoleApproval(Model):
    """A new administrator, or a change of role to caseworker or administrator, waits for a second administrator."""

    __tablename__ = "role_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, info=_STAFF)
    requested_role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda e: [m.value for m in e]), info={"pii": "none"}
    )
    # A new account (invitation) rather than a change to an existing one.
    is_invitation: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "none"})
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), info=_STAFF)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    status: Mapped[ApprovalStatus] = mapped_column(
        Enum(ApprovalStatus, name="approval_status", values_callable=lambda e: [m.value for m in e]),
        default=ApprovalStatus.PENDING,
        info={"pii": "none"},
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), info=_STAFF)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
