"""Queue email inside a transaction; deliver it over SMTP (Flask-Mail) after the response, or from the job.

A request never talks to the mail server: it only writes the outbox row. Delivery is tried once the
response has been sent, and again by the `send_pending_email` job. Every connection has a timeout
(`MAIL_TIMEOUT` seconds, for connecting and for each reply), so a server that accepts and never answers
costs a few seconds, once per run: a failure to reach the server ends the run, leaving the rest pending.

No transaction is open while talking to the server (on SQLite an open transaction holds the write lock
that every request needs). Instead a message is claimed, in a short transaction, by setting
`claimed_until`; only the process holding an unexpired claim sends it, so the after-response attempt and
the job never send the same message twice.
"""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_request_context
from flask_mail import Connection, Message
from sqlalchemy import or_, select, update

from resettle.db import rows_changed, utcnow
from resettle.extensions import db
from resettle.notifications.models import OutboundEmail

MAX_ATTEMPTS = 8
# The job stops starting new messages after this long, so a slow server cannot keep it busy for long.
JOB_TIME_BUDGET_SECONDS = 60


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout on connecting and on every reply."""

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        timeout = float(current_app.config.get("MAIL_TIMEOUT", 5))
        state = self.mail
        if state.use_ssl:
            host: smtplib.SMTP | smtplib.SMTP_SSL = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


def queue_email(to: str, subject: str, body: str) -> OutboundEmail | None:
    if not to:
        return None  # an erased offerer has no address left: nothing is queued for them
    message = OutboundEmail(to_address=to, subject=subject[:200], body=body)
    db.session.add(message)
    db.session.flush()
    if has_request_context():
        from resettle.web.transactions import after_response

        message_id = message.id
        after_response(lambda: deliver_and_commit([message_id]))
    return message


def _claim_lease() -> timedelta:
    # Long enough for one delivery to time out at every step (connect, greeting, each command).
    return timedelta(seconds=10 * float(current_app.config.get("MAIL_TIMEOUT", 5)) + 30)


def _claim(message_id: int) -> _Claimed | None:
    """Take the message for sending, in a short transaction of its own. None if it is not ours to send."""
    now = utcnow()
    taken = rows_changed(
        db.session.execute(
            update(OutboundEmail)
            .where(
                OutboundEmail.id == message_id,
                OutboundEmail.status == "pending",
                or_(OutboundEmail.claimed_until.is_(None), OutboundEmail.claimed_until < now),
            )
            .values(attempts=OutboundEmail.attempts + 1, claimed_until=now + _claim_lease())
            .execution_options(synchronize_session=False)
        )
    )
    claimed = None
    if taken == 1:
        row = db.session.execute(
            select(OutboundEmail.to_address, OutboundEmail.subject, OutboundEmail.body, OutboundEmail.attempts).where(
                OutboundEmail.id == message_id
            )
        ).one()
        claimed = _Claimed(message_id, row.to_address, row.subject, row.body, row.attempts)
    db.session.commit()
    return claimed


def _record(claimed: _Claimed, error: Exception | None) -> None:
    message = db.session.get(OutboundEmail, claimed.id, populate_existing=True)
    if message is None:
        return
    message.claimed_until = None
    if error is None:
        message.status = "sent"
        message.sent_at = utcnow()
    else:
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        if claimed.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
    db.session.commit()


def _send(claimed: _Claimed) -> None:
    if current_app.config.get("MAIL_SUPPRESS_SEND"):
        current_app.logger.info(
            "email (not sent, mail disabled) to %s: %s\n%s", claimed.to_address, claimed.subject, claimed.body
        )
        return
    with TimedConnection(current_app.extensions["mail"]) as connection:
        connection.send(Message(subject=claimed.subject, recipients=[claimed.to_address], body=claimed.body))


def _deliver(message_id: int) -> tuple[bool, bool]:
    """Try to send one message. Returns (sent, server_reachable)."""
    claimed = _claim(message_id)
    if claimed is None:
        return False, True
    try:
        _send(claimed)
    except Exception as error:  # SMTP errors come in many types; keep the message for a retry
        current_app.logger.warning("email %s to %s not sent: %s", claimed.id, claimed.to_address, error)
        _record(claimed, error)
        unreachable = isinstance(error, OSError | smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError)
        return False, not unreachable
    _record(claimed, None)
    return True, True


def deliver_and_commit(message_ids: list[int]) -> int:
    """Send these messages now if they are still pending. Returns how many were sent."""
    db.session.commit()  # the claims below are transactions of their own
    sent = 0
    for message_id in message_ids:
        was_sent, reachable = _deliver(message_id)
        sent += was_sent
        if not reachable:
            break  # the server is down or hung: the rest wait for the job
    return sent


def send_pending_email(limit: int = 200) -> int:
    """Retry whatever is still pending (scheduled job). Returns how many were sent. Commits as it goes, one
    short transaction per message, and stops at the first sign that the server is down or hung, or after
    JOB_TIME_BUDGET_SECONDS."""
    now = utcnow()
    message_ids = list(
        db.session.execute(
            select(OutboundEmail.id)
            .where(
                OutboundEmail.status == "pending",
                or_(OutboundEmail.claimed_until.is_(None), OutboundEmail.claimed_until < now),
            )
            .order_by(OutboundEmail.id)
            .limit(limit)
        ).scalars()
    )
    db.session.commit()
    deadline = time.monotonic() + JOB_TIME_BUDGET_SECONDS
    sent = 0
    for message_id in message_ids:
        if time.monotonic() > deadline:
            break
        was_sent, reachable = _deliver(message_id)
        sent += was_sent
        if not reachable:
            break
    return sent
