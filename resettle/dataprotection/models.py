"""The case record of a subject access request: who asked, about whom, when, the deadline and who completed it."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, new_public_id, utcnow
from resettle.extensions import Model
from resettle.families.models import Member

PURPOSE = "data subject rights"


class SubjectKind(enum.StrEnum):
    MEMBER = "member"
    OFFERER = "offerer"

    @property
    def label(self) -> str:
        return {"member": "Member of a family", "offerer": "Person who offered help"}[self.value]


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SubjectAccessRequest(Model):
    __tablename__ = "subject_access_requests"
    __table_args__ = (
        CheckConstraint("subject_kind IN ('member', 'offerer')", name="subject_kind_known"),
        CheckConstraint("status IN ('open', 'completed', 'withdrawn')", name="status_known"),
        CheckConstraint("subject_kind <> 'offerer' OR offerer_email IS NOT NULL", name="offerer_has_email"),
        CheckConstraint("due_on >= received_on", name="due_not_before_received"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    subject_kind: Mapped[str] = mapped_column(String(16), info={"pii": "none"})
    # A member who is later anonymised keeps the request record; the link then points at the anonymised row.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("family_members.id", ondelete="SET NULL"), index=True, info={"pii": "personal", "purpose": PURPOSE}
    )
    offerer_email: Mapped[str | None] = mapped_column(String(254), info={"pii": "personal", "purpose": PURPOSE})
    # Who made the request: the person themself, or a representative such as a solicitor.
    requester_name: Mapped[str] = mapped_column(String(120), info={"pii": "personal", "purpose": PURPOSE})
    received_on: Mapped[date] = mapped_column(Date, info={"pii": "none"})
    due_on: Mapped[date] = mapped_column(Date, index=True, info={"pii": "none"})
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN.value, index=True, info={"pii": "none"})
    note: Mapped[str] = mapped_column(String(500), default="", info={"pii": "personal", "purpose": PURPOSE})
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    completed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    member: Mapped[Member | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    @property
    def kind(self) -> SubjectKind:
        return SubjectKind(self.subject_kind)

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label
