"""Staff accounts. Residents who offer help never have accounts."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from resettle.db import UTCDateTime, utcnow
from resettle.extensions import db


class Role(enum.StrEnum):
    CASEWORKER = "caseworker"
    REVIEWER = "reviewer"  # council staff who review spend
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"caseworker": "Caseworker", "reviewer": "Spend reviewer", "admin": "Administrator"}[self.value]


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
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
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    last_login_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info={"pii": "personal", "purpose": "staff accounts"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    def get_id(self) -> str:
        return self.session_token

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
