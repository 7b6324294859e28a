"""Teams of staff, and the record of each time a caseworker outside a family's team broke glass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, utcnow
from resettle.extensions import Model
from resettle.families.models import Family


class Team(Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    name: Mapped[str] = mapped_column(String(80), unique=True, info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})


class TeamMembership(Model):
    """A user belongs to at most one team (the primary key is the user)."""

    __tablename__ = "team_memberships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        info={"pii": "personal", "purpose": "staff accounts"},
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True, info={"pii": "personal", "purpose": "staff accounts"}
    )
    joined_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, info={"pii": "personal", "purpose": "staff accounts"}
    )

    user: Mapped[User] = relationship()
    team: Mapped[Team] = relationship()


class BreakGlassRecord(Model):
    """A caseworker outside the family's team read its special category data, for the reason given, until
    `expires_at`. The reason lives here, not in the audit log (whose summaries hold no free text)."""

    __tablename__ = "break_glass_records"
    __table_args__ = (
        CheckConstraint("reason <> ''", name="reason_given"),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True, info={"pii": "personal", "purpose": "accountability"}
    )
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "personal", "purpose": "accountability"}
    )
    # Free text: it may say why a family needed help, so it is personal (and read by administrators only).
    reason: Mapped[str] = mapped_column(String(500), info={"pii": "personal", "purpose": "accountability"})
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True, info={"pii": "personal", "purpose": "accountability"}
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"pii": "none"})

    user: Mapped[User] = relationship()
    family: Mapped[Family] = relationship()
