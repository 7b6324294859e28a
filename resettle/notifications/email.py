"""Queue email inside a transaction; deliver it over SMTP (Flask-Mail) once the transaction commits."""

from __future__ import annotations

from flask import current_app, has_request_context
from flask_mail import Message
from sqlalchemy import select

from resettle.db import utcnow
from resettle.extensions import db, mail
from resettle.notifications.models import OutboundEmail

MAX_ATTEMPTS = 8


def queue_email(to: str, subject: str, body: str) -> OutboundEmail | None:
    if not to:
        return None  # an erased offerer has no address left: nothing is queued for them
    message = OutboundEmail(to_address=to, subject=subject[:200], body=body)
    db.session.add(message)
    db.session.flush()
    if has_request_context():
        from resettle.web.transactions import after_commit

        message_id = message.id
        after_commit(lambda: deliver_and_commit([message_id]))
    return message


def _deliver(message: OutboundEmail) -> None:
    message.attempts += 1
    try:
        if current_app.config.get("MAIL_SUPPRESS_SEND"):
            current_app.logger.info(
                "email (not sent, mail disabled) to %s: %s\n%s", message.to_address, message.subject, message.body
            )
        else:
            mail.send(Message(subject=message.subject, recipients=[message.to_address], body=message.body))
    except Exception as error:  # SMTP errors come in many types; keep the message for a retry
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        current_app.logger.warning("email %s to %s not sent: %s", message.id, message.to_address, error)
        return
    message.status = "sent"
    message.sent_at = utcnow()


def deliver_and_commit(message_ids: list[int]) -> None:
    for message_id in message_ids:
        message = db.session.get(OutboundEmail, message_id)
        if message is not None and message.status == "pending":
            _deliver(message)
    db.session.commit()


def send_pending_email(limit: int = 200) -> int:
    """Retry whatever is still pending (scheduled job). Returns how many were sent."""
    pending = db.session.execute(
        select(OutboundEmail).where(OutboundEmail.status == "pending").order_by(OutboundEmail.id).limit(limit)
    ).scalars()
    sent = 0
    for message in pending:
        _deliver(message)
        sent += message.status == "sent"
    db.session.flush()
    return sent
