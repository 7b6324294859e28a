"""The audit event table. Nothing in the app updates or deletes rows: the ORM refuses, and database
triggers refuse too, so the log stays trustworthy even against a bug or a hand-written query."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from resettle.db import UTCDateTime, utcnow
from resettle.extensions import Model
from resettle.search import trigram_index


class AuditEvent(Model):
    __tablename__ = "audit_events"
    # The log is read newest first, a page at a time from a (time, id) key, alone or filtered by one of these
    # columns: each index serves one of those reads without sorting. "Who" (email contains) has a trigram
    # index on PostgreSQL (an ordinary index elsewhere: see resettle/search.py).
    __table_args__ = (
        Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),
        Index("ix_audit_events_action_occurred_at", "action", "occurred_at", "id"),
        Index("ix_audit_events_object_type_occurred_at", "object_type", "occurred_at", "id"),
        Index("ix_audit_events_object_id_occurred_at", "object_id", "occurred_at", "id"),
        trigram_index("ix_audit_events_actor_email_trgm", "actor_email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True, info={"pii": "personal", "purpose": "accountability"}
    )
    # Kept as text so the entry still reads right if the account's email changes, and for failed sign-ins.
    actor_email: Mapped[str | None] = mapped_column(String(254), info={"pii": "personal", "purpose": "accountability"})
    action: Mapped[str] = mapped_column(String(64), info={"pii": "none"})
    object_type: Mapped[str | None] = mapped_column(String(64), info={"pii": "none"})
    object_id: Mapped[str | None] = mapped_column(String(64), info={"pii": "personal", "purpose": "accountability"})
    summary: Mapped[str] = mapped_column(
        String(1000), default="", info={"pii": "personal", "purpose": "accountability"}
    )
    ip_address: Mapped[str | None] = mapped_column(String(45), info={"pii": "personal", "purpose": "accountability"})
    # The hash chain (resettle.audit.chain): set when the row is flushed, never by hand.
    previous_hash: Mapped[str] = mapped_column(String(64), info={"pii": "none"})
    row_hash: Mapped[str] = mapped_column(String(64), info={"pii": "none"})


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: object, instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


# The same refusal in the database. The migration creates identical triggers.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
]
POSTGRESQL_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
]

for _statement in SQLITE_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
