"""Notifications in the service, and each user's choice of which also come by email.

A notification is written in the same transaction as the event it reports. Email for it goes through the
outbox only when the user wants that kind by email (`wants_email`); the nightly proposals digest asks too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select, update

from resettle.auth.models import User
from resettle.db import rows_changed, utcnow
from resettle.extensions import db
from resettle.notifications.email import queue_email
from resettle.notifications.models import Notification, NotificationKind, NotificationPreference

LIST_LIMIT = 100


def site_path(endpoint: str, **values: Any) -> str:
    """A path on this site for a notification's link, also from scheduled jobs (no request)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def notify(
    user: User | None,
    kind: NotificationKind,
    text: str,
    link: str = "",
    email: tuple[str, str] | None = None,
) -> Notification | None:
    """Tell `user` in the service; also email (subject, body) if they want this kind by email."""
    if user is None or not user.is_active_account:
        return None
    notification = Notification(user_id=user.id, kind=kind.value, text=text[:300], link=link[:300])
    db.session.add(notification)
    if email is not None and wants_email(user, kind):
        queue_email(user.email, *email)
    db.session.flush()
    return notification


def email_choices(user: User) -> dict[NotificationKind, bool]:
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.by_email).where(
                NotificationPreference.user_id == user.id
            )
        )
        .tuples()
        .all()
    )
    return {kind: bool(chosen.get(kind.value, kind.emailed_by_default)) for kind in NotificationKind}


def wants_email(user: User, kind: NotificationKind) -> bool:
    return email_choices(user)[kind]


def users_wanting_email(users: Iterable[User], kind: NotificationKind) -> list[User]:
    """The users among `users` who want `kind` by email (one query)."""
    users = list(users)
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.by_email).where(
                NotificationPreference.kind == kind.value,
                NotificationPreference.user_id.in_([user.id for user in users]),
            )
        )
        .tuples()
        .all()
    )
    return [user for user in users if chosen.get(user.id, kind.emailed_by_default)]


def set_email_choices(user: User, by_email: dict[NotificationKind, bool]) -> None:
    rows = {
        row.kind: row
        for row in db.session.execute(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        ).scalars()
    }
    for kind, wanted in by_email.items():
        row = rows.get(kind.value)
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind.value, by_email=wanted))
        else:
            row.by_email = wanted
    db.session.flush()


def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def recent_notifications(user: User) -> list[Notification]:
    return list(
        db.session.execute(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(LIST_LIMIT)
        ).scalars()
    )


def open_notification(user: User, notification_id: int) -> Notification | None:
    """The user's own notification, marked read; None if it is not theirs."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return rows_changed(result)
