"""The audit log's hash chain: each row's hash covers its content and the previous row's hash, so changing,
removing or reordering a row breaks the chain at that point, and `flask audit verify` finds it.

Writers are serialised while they read the chain's head and add their rows, so two transactions never
chain to the same previous row: on PostgreSQL with a transaction-level advisory lock (held to commit or
rollback), on SQLite by taking the database's write lock first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from resettle.audit.models import AuditEvent
from resettle.db import utcnow

GENESIS_HASH = "0" * 64
# Any fixed number: the advisory lock that serialises audit writers on PostgreSQL.
DEFAULT_CHAIN_LOCK_KEY = 0x72657365  # "rese"


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_row_hash(row: Any, previous_hash: str) -> str:
    """SHA-256 over the row's content, in a fixed order and encoding, and the previous row's hash."""
    content = [
        _timestamp(row.occurred_at),
        row.actor_id,
        row.actor_email,
        row.action,
        row.object_type,
        row.object_id,
        row.summary,
        row.ip_address,
        previous_hash,
    ]
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def _lock_key() -> int:
    if has_app_context():
        return int(current_app.config.get("AUDIT_CHAIN_LOCK_KEY", DEFAULT_CHAIN_LOCK_KEY))
    return DEFAULT_CHAIN_LOCK_KEY


def lock_chain(session: Session) -> None:
    """Hold the chain until this transaction ends, so no other writer reads the same head."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key()})
    elif dialect == "sqlite":
        # A write statement takes SQLite's write lock (it affects no row, so the append-only trigger is idle).
        session.execute(text("DELETE FROM audit_events WHERE 0"))


def chain_head(session: Session) -> str:
    head = session.execute(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return head or GENESIS_HASH


@event.listens_for(Session, "before_flush")
def _chain_new_events(session: Session, flush_context: object, instances: object) -> None:
    new_events = [obj for obj in session.new if isinstance(obj, AuditEvent) and obj.row_hash is None]
    if not new_events:
        return
    new_events.sort(key=lambda obj: obj._sa_instance_state.insert_order)
    with session.no_autoflush:
        lock_chain(session)
        previous = chain_head(session)
    for audit_event in new_events:
        audit_event.occurred_at = audit_event.occurred_at or utcnow()
        audit_event.summary = audit_event.summary or ""
        audit_event.previous_hash = previous
        audit_event.row_hash = compute_row_hash(audit_event, previous)
        previous = audit_event.row_hash


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def verify_chain(session: Session, batch_size: int = 1000) -> tuple[int, list[ChainBreak]]:
    """Walk the log in order; return how many rows were checked and where the chain is broken."""
    breaks: list[ChainBreak] = []
    previous = GENESIS_HASH
    count = 0
    for row in _rows_in_order(session, batch_size):
        count += 1
        if row.previous_hash != previous:
            breaks.append(ChainBreak(row.id, "does not follow the row before it (a row was removed or inserted)"))
        if row.row_hash != compute_row_hash(row, row.previous_hash or ""):
            breaks.append(ChainBreak(row.id, "its content does not match its hash (it was changed)"))
        previous = row.row_hash
    return count, breaks


def _rows_in_order(session: Session, batch_size: int) -> Iterator[Any]:
    last_id = 0
    columns = [getattr(AuditEvent, name) for name in ("id", "occurred_at", "actor_id", "actor_email", "action")]
    columns += [AuditEvent.object_type, AuditEvent.object_id, AuditEvent.summary, AuditEvent.ip_address]
    columns += [AuditEvent.previous_hash, AuditEvent.row_hash]
    while True:
        batch = session.execute(
            select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
