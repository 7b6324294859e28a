"""Webhook endpoints that partners register, the events the service records for them, and each delivery
with its attempts.

An event is written in the same transaction as the change it reports (the outbox pattern), with one
delivery row for each endpoint that chose its kind; the `deliver_webhooks` job sends them. A rolled-back
change therefore never reaches a partner, and a partner that is down loses nothing.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, new_public_id, utcnow
from resettle.extensions import Model


class EventKind(enum.StrEnum):
    """What a partner can hear about. The value is the `event` field of each delivery."""

    OFFER_SUBMITTED = "offer.submitted"
    OFFER_VERIFIED = "offer.verified"
    PROPOSAL_MADE = "proposal.made"
    MATCH_ACCEPTED = "match.accepted"
    MATCH_FULFILLED = "match.fulfilled"
    SPEND_APPROVED = "spend.approved"
    # Sent only when an administrator presses "Send a test event"; no one subscribes to it.
    TEST = "webhook.test"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS = {
    EventKind.OFFER_SUBMITTED: "An offer of help is submitted",
    EventKind.OFFER_VERIFIED: "An offer is verified",
    EventKind.PROPOSAL_MADE: "Matching proposes an offer for a need",
    EventKind.MATCH_ACCEPTED: "A match is accepted",
    EventKind.MATCH_FULFILLED: "A match is fulfilled (delivered)",
    EventKind.SPEND_APPROVED: "A spend line is approved",
    EventKind.TEST: "Test event",
}

# The kinds an endpoint may choose.
SUBSCRIBABLE = tuple(kind for kind in EventKind if kind is not EventKind.TEST)
KIND_VALUES = tuple(kind.value for kind in EventKind)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"  # the partner answered 2xx
    FAILED = "failed"  # given up after the configured number of attempts

    @property
    def label(self) -> str:
        return {"pending": "Waiting", "delivered": "Delivered", "failed": "Given up"}[self.value]

    @property
    def tag_class(self) -> str:
        return {"pending": "govuk-tag--blue", "delivered": "govuk-tag--green", "failed": "govuk-tag--red"}[self.value]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


class WebhookEndpoint(Model):
    """A partner's URL and the events it wants. The signing secret is kept encrypted (see webhooks.secrets):
    it must be recoverable to sign each delivery, so it cannot be hashed like a password."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (CheckConstraint("url <> ''", name="url_not_empty"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    # A partner organisation's system, not a person's address.
    url: Mapped[str] = mapped_column(String(500), info={"pii": "none"})
    description: Mapped[str] = mapped_column(String(200), default="", info={"pii": "none"})
    # Event kinds (EventKind values) this endpoint receives.
    events: Mapped[list[str]] = mapped_column(JSON, default=list, info={"pii": "none"})
    # Fernet token of the signing secret; never shown again after registration.
    secret_encrypted: Mapped[str] = mapped_column(Text, info={"pii": "none", "secret": True})  # nosec B105
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"pii": "personal", "purpose": "accountability"}
    )

    created_by: Mapped[User | None] = relationship()

    def receives(self, kind: str) -> bool:
        return kind in (self.events or [])

    @property
    def event_labels(self) -> list[str]:
        return [EventKind(value).label for value in self.events or [] if value in KIND_VALUES]


class WebhookEvent(Model):
    """Something that happened, as partners are told it: references and API links only, never a family's
    personal data."""

    __tablename__ = "webhook_events"
    __table_args__ = (CheckConstraint(_in("kind", KIND_VALUES), name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    kind: Mapped[str] = mapped_column(String(32), info={"pii": "none"})
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})
    # The payload's `data`: identifiers and links (see webhooks.services.record_event).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"pii": "none"})

    def payload(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "id": self.public_id,
            "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
            "data": self.data,
        }


class WebhookDelivery(Model):
    """One event on its way to one endpoint."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in DeliveryStatus)), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value, info={"pii": "none"})
    attempts: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    # Set while one process is sending, so no other sends the same delivery; a claim left by a process that
    # died simply runs out.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    last_status_code: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    last_error: Mapped[str] = mapped_column(String(500), default="", info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    endpoint: Mapped[WebhookEndpoint] = relationship()
    event: Mapped[WebhookEvent] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.id", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def status_enum(self) -> DeliveryStatus:
        return DeliveryStatus(self.status)


class WebhookAttempt(Model):
    """One try at a delivery: when, what the partner answered (or why there was no answer), how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    status_code: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    error: Mapped[str] = mapped_column(String(500), default="", info={"pii": "none"})
    duration_ms: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_log")
