"""Writing and reading the audit log. `record` is the only way entries are made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Integer, Select, literal, select, tuple_

from resettle.audit.actions import ACTIONS, OBJECT_TYPES
from resettle.audit.models import AuditEvent
from resettle.bounds import clamp_filter_date
from resettle.extensions import db
from resettle.search import contains_text
from resettle.web.estimates import RowCount, count_rows

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
        statement = statement.where(contains_text(AuditEvent.actor_email, filters.actor_email))
    # Any real date is a valid filter; clamped so that the day after 31/12/9999 is never computed.
    if filters.date_from:
        start = _local_midnight_utc(clamp_filter_date(filters.date_from), tz_name)
        statement = statement.where(AuditEvent.occurred_at >= start)
    if filters.date_to:
        end = _local_midnight_utc(clamp_filter_date(filters.date_to) + timedelta(days=1), tz_name)
        statement = statement.where(AuditEvent.occurred_at < end)
    return statement


AUDIT_PAGE_SIZE = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AuditCursor:
    """Where a page of the log starts or ends: an entry's time and id (the log's order), written in a link as
    `<microseconds since 1970>-<id>`. Pages are found by this key, never by an offset, so the 10,000th page
    costs what the first does."""

    occurred_at: datetime
    id: int

    @classmethod
    def of(cls, event: AuditEvent) -> AuditCursor:
        return cls(event.occurred_at, event.id)

    @property
    def key(self) -> Any:
        """The cursor as an SQL row value, typed as the columns are (stored as UTC on every database)."""
        return tuple_(literal(self.occurred_at, AuditEvent.occurred_at.type), literal(self.id, Integer()))

    @property
    def token(self) -> str:
        return f"{(self.occurred_at - _EPOCH) // timedelta(microseconds=1)}-{self.id}"

    @classmethod
    def parse(cls, token: str) -> AuditCursor | None:
        """The cursor of a link, or None for anything that is not one (a bookmark never breaks the page)."""
        micros, _, ident = token.partition("-")
        if not (micros.isascii() and micros.isdigit() and ident.isascii() and ident.isdigit()):
            return None
        if len(micros) > 17 or len(ident) > 10 or int(ident) > 2**31 - 1:
            return None
        try:
            occurred_at = _EPOCH + timedelta(microseconds=int(micros))
        except OverflowError:
            return None
        if occurred_at.year > 9999:
            return None
        return cls(occurred_at, int(ident))


@dataclass
class AuditPage:
    items: list[AuditEvent]
    count: RowCount
    newer: AuditCursor | None = None  # link to the entries just newer than this page (`after=`)
    older: AuditCursor | None = None  # link to the entries just older (`before=`)


def audit_page(
    statement: Select[Any],
    before: AuditCursor | None = None,
    after: AuditCursor | None = None,
    per_page: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of `audit_query`'s entries, newest first: the newest, or those just older than `before`, or
    those just newer than `after`; with how many entries match (exact, or an estimate when counting is costly).
    A fixed number of statements, whatever the size of the log."""
    key = tuple_(AuditEvent.occurred_at, AuditEvent.id)
    count = count_rows(statement)
    if after is not None:
        rows = list(
            db.session.execute(
                statement.order_by(None)
                .where(key > after.key)
                .order_by(AuditEvent.occurred_at, AuditEvent.id)
                .limit(per_page + 1)
            ).scalars()
        )
        items = list(reversed(rows[:per_page]))
        more_newer = len(rows) > per_page
        return AuditPage(
            items=items,
            count=count,
            newer=AuditCursor.of(items[0]) if items and more_newer else None,
            older=AuditCursor.of(items[-1]) if items else after,
        )
    if before is not None:
        statement = statement.where(key < before.key)
    rows = list(db.session.execute(statement.limit(per_page + 1)).scalars())
    items = rows[:per_page]
    return AuditPage(
        items=items,
        count=count,
        newer=(AuditCursor.of(items[0]) if items else before) if before is not None else None,
        older=AuditCursor.of(items[-1]) if len(rows) > per_page else None,
    )


def known_actions(selected: str | None = None) -> list[str]:
    """The actions the filter offers: every action the service writes, and one chosen in an older bookmark."""
    return sorted({*ACTIONS, selected}) if selected else list(ACTIONS)


def known_object_types(selected: str | None = None) -> list[str]:
    return sorted({*OBJECT_TYPES, selected}) if selected else list(OBJECT_TYPES)
