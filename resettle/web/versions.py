"""No lost updates: an edit form carries the version of the record it was opened on, and saves only if the
record is still at that version. Otherwise the page says who changed it since, shows what is saved now
beside the user's own answers (which stay in the form) and carries the new version, so saving again
applies the user's answers over the other change.

Two saves racing past the form check are caught too: the version column is SQLAlchemy's `version_id_col`,
so the second UPDATE matches no row and raises StaleDataError at flush.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import g
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from resettle.audit.models import AuditEvent
from resettle.extensions import db


class VersionedFormMixin:
    """Add to an edit form (before FlaskForm in the bases); render it with `form.hidden_tag()`."""

    version = HiddenField()


class RecordChanged(Exception):
    """The record was saved by someone else since this form was opened."""


# What a view catches around a save: the form's check, or the UPDATE that found the version moved on (a
# service may flush before `flush_version` does).
CHANGED_SINCE_OPENED = (RecordChanged, StaleDataError)


@dataclass(frozen=True)
class AuditScope:
    """Where a record's changes are written in the audit log."""

    object_type: str
    object_id: str
    summary_prefix: str = ""


@dataclass
class EditConflict:
    changes: list[AuditEvent] = field(default_factory=list)
    # (question, saved now, your answer)
    differences: list[tuple[str, str, str]] = field(default_factory=list)


def opened_version(form: Any) -> int | None:
    value = getattr(getattr(form, "version", None), "data", None)
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10 else None


def check_version(form: Any, record: Any) -> None:
    """Raise RecordChanged if the form was opened on another version of the record. A form sent without a
    version (an old page) is checked at flush only."""
    opened = opened_version(form)
    if opened is not None and opened != record.version:
        raise RecordChanged


def flush_version() -> None:
    """Write the change now, so a save that raced past the form check is caught here rather than at commit."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise RecordChanged from error


def _shown(value: Any, form_field: Any) -> str:
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date | datetime):
        return value.strftime("%-d %B %Y")
    choices = getattr(form_field, "choices", None)
    if isinstance(choices, list | tuple):
        labels = {str(choice[0]): str(choice[1]) for choice in choices if isinstance(choice, list | tuple)}
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    return str(value)


def _same(saved: Any, mine: Any) -> bool:
    def plain(value: Any) -> Any:
        if value is None or value == "":
            return ""
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value if isinstance(value, bool | date) else str(value).strip()

    return bool(plain(saved) == plain(mine))


def show_conflict(form: Any, record: Any, data_of: Callable[[Any], dict[str, Any]], scope: AuditScope) -> int:
    """Stage the conflict panel for the page (read by the base layout) and give the form the current version.
    Rolls back whatever this request staged. Returns the HTTP status to answer with (409)."""
    db.session.rollback()
    db.session.refresh(record)
    saved = data_of(record)
    differences = []
    for name, saved_value in saved.items():
        form_field = getattr(form, name, None)
        if form_field is None or _same(saved_value, form_field.data):
            continue
        label = getattr(form_field.label, "text", name)
        differences.append((label, _shown(saved_value, form_field), _shown(form_field.data, form_field)))
    opened = opened_version(form)
    since = max(1, min(5, record.version - opened)) if opened is not None else 1
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.object_type == scope.object_type,
            AuditEvent.object_id == scope.object_id,
            AuditEvent.action.not_like("%viewed%"),
        )
        .order_by(AuditEvent.id.desc())
        .limit(since)
    )
    if scope.summary_prefix:
        query = query.where(AuditEvent.summary.startswith(scope.summary_prefix, autoescape=True))
    g.edit_conflict = EditConflict(list(db.session.execute(query).scalars()), differences)
    form.version.data = str(record.version)
    return 409
