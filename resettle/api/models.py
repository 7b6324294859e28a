"""Personal API tokens and the Idempotency-Key records of API creates."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import Role, User
from resettle.db import UTCDateTime, new_public_id, utcnow
from resettle.extensions import Model

_STAFF = {"pii": "personal", "purpose": "staff accounts"}


class TokenScope(enum.StrEnum):
    READ = "read"
    READ_WRITE = "read_write"

    @property
    def label(self) -> str:
        return {"read": "Read only", "read_write": "Read and change"}[self.value]


class ApiToken(Model):
    """A person's token for the API. Only a hash of the secret is kept; the secret is shown once, at creation.

    It works while it is neither revoked nor expired, its owner's account is active and their role is still the
    one it was made under (a change of role ends it, as it ends their sessions)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, info=_STAFF)
    # What the owner calls it ("Finance system export"): staff-chosen text about their own work.
    name: Mapped[str] = mapped_column(String(80), info=_STAFF)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"pii": "none"})
    # The first characters of the secret, so the owner can tell tokens apart; too few to guess the rest.
    hint: Mapped[str] = mapped_column(String(12), info={"pii": "none"})
    scope: Mapped[TokenScope] = mapped_column(
        Enum(TokenScope, name="api_token_scope", values_callable=lambda e: [m.value for m in e]),
        info={"pii": "none"},
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda e: [m.value for m in e]), info={"pii": "none"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"pii": "none"})
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=_STAFF)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    user: Mapped[User] = relationship()

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


class IdempotencyKey(Model):
    """An `Idempotency-Key` a person sent with an API create, the hash of that request and what it made, so the
    same request sent again answers with the same record instead of making a second one."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_api_idempotency_keys_user_id_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, info=_STAFF)
    key: Mapped[str] = mapped_column(String(100), info={"pii": "none"})
    # sha256 of the method, path and canonical JSON body: the body itself (a family's details) is not kept.
    request_hash: Mapped[str] = mapped_column(String(64), info={"pii": "none"})
    # The created record's public reference, as its own GET would name it.
    result_reference: Mapped[str] = mapped_column(String(100), info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})
