"""The email outbox. A message is stored with the change that caused it and sent after commit, so a
rolled-back change never emails anyone and a mail server outage loses nothing (the job retries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from resettle.db import UTCDateTime, utcnow
from resettle.extensions import db


class OutboundEmail(db.Model):
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
