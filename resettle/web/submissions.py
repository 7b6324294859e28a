"""One-time submission keys: a create form carries a random key; the first POST with it stores the key with
the address of what it made, and any later POST with the same key (a double click, a resent form, a second
tab) is sent to that first result instead of creating again.

The key is stored with a unique constraint in the same transaction as the record it made, so two POSTs at the
same moment cannot both succeed: on PostgreSQL the second insert waits for the first transaction and then
fails; on SQLite write transactions already run one at a time.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import flash, redirect
from sqlalchemy import String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response
from wtforms import HiddenField

from resettle.db import UTCDateTime, rows_changed, utcnow
from resettle.extensions import Model, db

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ALREADY_SENT = "This form had already been sent. This is what it saved"
KEEP_KEYS_FOR = timedelta(days=7)


class SubmissionKey(Model):
    __tablename__ = "submission_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True, info={"pii": "none"})
    result_url: Mapped[str] = mapped_column(String(500), info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class OneTimeSubmissionMixin:
    """Add to a create form (before FlaskForm in the bases); render it with `form.hidden_tag()`."""

    submission_key = HiddenField(default=new_submission_key)


def _key_of(form: object) -> str | None:
    field = getattr(form, "submission_key", None)
    value = field.data if field is not None else None
    return value if isinstance(value, str) and KEY_PATTERN.match(value) else None


def _replay(key: str) -> Response | None:
    url = db.session.execute(select(SubmissionKey.result_url).where(SubmissionKey.key == key)).scalar_one_or_none()
    if url is None:
        return None
    flash(ALREADY_SENT, "success")
    return redirect(url)


def earlier_result(form: object) -> Response | None:
    """A redirect to what this form's key already made, or None when the key is new (or absent)."""
    key = _key_of(form)
    return _replay(key) if key else None


def remember_result(form: object, result_url: str) -> Response | None:
    """Store the form's key with the address of what it made. Returns None when stored; when another request
    with the same key committed first, everything this request staged is rolled back and the redirect to the
    first result is returned instead."""
    key = _key_of(form)
    if key is None:
        return None
    try:
        with db.session.begin_nested():
            db.session.add(SubmissionKey(key=key, result_url=result_url[:500]))
    except IntegrityError:
        db.session.rollback()
        return _replay(key) or redirect(result_url)
    return None


def forget_old_submission_keys() -> int:
    """Keys only guard against resends within minutes; drop those older than a week."""
    removed = db.session.execute(delete(SubmissionKey).where(SubmissionKey.created_at < utcnow() - KEEP_KEYS_FOR))
    return rows_changed(removed)
