"""The email outbox. A message is stored with the change that caused it and sent after commit, so a
rolled-back change never emails anyone and a mail server outage loses nothing (the job retries)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from resettle.db import UTCDateTime, utcnow
from resettle.extensions import Model


class OutboundEmail(Model):
    __tablename__ = "outbound_emails"
    __table_args__ = (CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    to_address: Mapped[str] = mapped_column(String(254), info={"pii": "personal", "purpose": "email delivery"})
    subject: Mapped[str] = mapped_column(String(200), info={"pii": "personal", "purpose": "email delivery"})
    body: Mapped[str] = mapped_column(Text, info={"pii": "personal", "purpose": "email delivery"})
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True, info={"pii": "none"})
    attempts: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    last_error: Mapped[str | None] = mapped_column(String(500), info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    # Set while one process is sending the message, so no other sends it at the same time; a claim left by
    # a process that died simply runs out.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})


class NotificationKind(enum.StrEnum):
    """Events a member of staff hears about in the service (and, if they choose, by email)."""

    NEW_PROPOSAL = "new_proposal"
    SPEND_REJECTED = "spend_rejected"
    OFFER_WITHDRAWN = "offer_withdrawn"
    TASK_ASSIGNED = "task_assigned"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def emailed_by_default(self) -> bool:
        # These were emailed before the service kept notifications; a task handed over was not.
        return self is not NotificationKind.TASK_ASSIGNED


KIND_LABELS = {
    NotificationKind.NEW_PROPOSAL: "New matching proposals for my families (one email each morning)",
    NotificationKind.SPEND_REJECTED: "Spend I entered is not approved",
    NotificationKind.OFFER_WITHDRAWN: "An offer matched with a family is withdrawn",
    NotificationKind.TASK_ASSIGNED: "A colleague gives me a task",
}

KIND_VALUES = tuple(kind.value for kind in NotificationKind)


def _kind_check() -> str:
    return "kind IN (" + ", ".join(f"'{value}'" for value in KIND_VALUES) + ")"


class Notification(Model):
    """One event for one user, listed in the service until read."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_kind_check(), name="kind_known"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), info={"pii": "personal", "purpose": "staff accounts"}
    )
    kind: Mapped[str] = mapped_column(String(32), info={"pii": "none"})
    # Names the family the event is about, as the pages do.
    text: Mapped[str] = mapped_column(String(300), info={"pii": "personal", "purpose": "casework"})
    # A path on this site (the family, spend line or task list the event is about).
    link: Mapped[str] = mapped_column(String(300), default="", info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    @property
    def kind_label(self) -> str:
        return NotificationKind(self.kind).label if self.kind in KIND_VALUES else self.kind


class NotificationPreference(Model):
    """Whether a user also wants one kind of notification by email. No row: the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
        CheckConstraint(_kind_check(), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, info={"pii": "personal", "purpose": "staff accounts"}
    )
    kind: Mapped[str] = mapped_column(String(32), info={"pii": "none"})
    by_email: Mapped[bool] = mapped_column(Boolean, default=True, info={"pii": "none"})
