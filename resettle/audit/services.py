"""Writing and reading the audit log. `record` is the only way entries are made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, select

from resettle.audit.models import AuditEvent
from resettle.bounds import clamp_filter_date
from resettle.extensions import db

SUMMARY_LIMIT = 1000


def record(
    action: str,
    object_type: str | None = None,
    object_id: Any = None,
    summary: str = "",
    actor: Any = None,
    actor_email: str | None = None,
) -> AuditEvent:
    """Add an audit entry to the current transaction: it is kept only if the change it describes is."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else actor_email,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:SUMMARY_LIMIT],
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def audit_value(value: Any) -> str:
    """A value as people read it in the audit log: 'not set', 'yes' and 'no', an enum's own value."""
    if value is None or value == "":
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def is_structured(value: Any) -> bool:
    """A value the audit log may hold: a choice, a flag, a number or a date. Text typed by a person (names,
    notes, reasons, titles) may hold anything, a diagnosis included, so the log never keeps it."""
    if value is None or value == "" or isinstance(value, Enum | bool | int | float | date):
        return True
    return False


def describe_changes(before: dict[str, Any], after: dict[str, Any], withheld: Iterable[str] = ()) -> str:
    """A short 'field: old → new' summary of what changed, for the audit entry.

    Free text (see `is_structured`) and fields in `withheld` are said to have changed, without their values."""
    withheld = set(withheld)

    def part(key: str, old: Any, new: Any) -> str:
        if key in withheld or not (is_structured(old) and is_structured(new)):
            return f"{key} changed"
        return f"{key}: {audit_value(old)} → {audit_value(new)}"

    parts = [
        part(key, before.get(key), value)
        for key, value in after.items()
        if audit_value(before.get(key)) != audit_value(value)
    ]
    return "; ".join(parts) if parts else "no changes"


@dataclass
class AuditFilters:
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor_email: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _local_midnight_utc(day: date, tz_name: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))


def audit_query(filters: AuditFilters, tz_name: str = "Europe/London") -> Select[Any]:
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.object_type:
        statement = statement.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        statement = statement.where(AuditEvent.object_id == filters.object_id)
    if filters.actor_email:
        statement = statement.where(AuditEvent.actor_email.ilike(f"%{filters.actor_email}%"))
    # Any real date is a valid filter; clamped so that the day after 31/12/9999 is never computed.
    if filters.date_from:
        start = _local_midnight_utc(clamp_filter_date(filters.date_from), tz_name)
        statement = statement.where(AuditEvent.occurred_at >= start)
    if filters.date_to:
        end = _local_midnight_utc(clamp_filter_date(filters.date_to) + timedelta(days=1), tz_name)
        statement = statement.where(AuditEvent.occurred_at < end)
    return statement


def known_actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars())


def known_object_types() -> list[str]:
    rows = select(AuditEvent.object_type).where(AuditEvent.object_type.is_not(None)).distinct()
    return [name for name in db.session.execute(rows.order_by(AuditEvent.object_type)).scalars() if name]
