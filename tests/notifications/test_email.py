"""Email goes through the outbox: sent over real SMTP after commit, never for rolled-back work, retried later."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from resettle.extensions import db
from resettle.jobs import load_jobs
from resettle.jobs.runner import run_job
from resettle.notifications.email import queue_email, send_pending_email
from resettle.notifications.models import OutboundEmail
from tests.smtp import SMTPServer


def test_queued_email_is_delivered_by_smtp(database: Any, smtp_server: SMTPServer) -> None:
    queue_email("resident@example.org", "Thank you for your offer", "Your reference is ABC.")
    assert send_pending_email() == 1
    [message] = smtp_server.messages_to("resident@example.org")
    assert message.subject == "Thank you for your offer"
    assert "Your reference is ABC." in message.body
    stored = db.session.execute(select(OutboundEmail)).scalar_one()
    assert stored.status == "sent" and stored.sent_at is not None


def test_mail_server_down_keeps_the_message_for_the_retry_job(
    app: Flask, database: Any, smtp_server: SMTPServer
) -> None:
    queue_email("resident@example.org", "Subject", "Body")
    mail_state = app.extensions["mail"]
    original_port = mail_state.port
    mail_state.port = 1  # nothing listens there
    try:
        assert send_pending_email() == 0
    finally:
        mail_state.port = original_port
    stored = db.session.execute(select(OutboundEmail)).scalar_one()
    assert stored.status == "pending" and stored.attempts == 1 and stored.last_error
    assert smtp_server.messages == []

    run_job(load_jobs()["send_pending_email"])
    assert stored.status == "sent"
    assert len(smtp_server.messages_to("resident@example.org")) == 1
    run_job(load_jobs()["send_pending_email"])  # running the job again sends nothing twice
    assert len(smtp_server.messages_to("resident@example.org")) == 1


def test_email_from_a_failed_request_is_never_sent(admin_client: Any, smtp_server: SMTPServer) -> None:
    # An invitation for an existing address fails validation: nothing is queued or sent.
    from tests.conftest import submit_form

    submit_form(admin_client, "/admin/users/invite", {"email": admin_client.user.email, "name": "X", "role": "admin"})
    assert smtp_server.messages == []
    assert db.session.execute(select(OutboundEmail)).scalars().all() == []


def test_with_mail_disabled_the_message_and_its_link_are_written_to_the_log(
    app: Flask, database: Any, caplog: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", True)  # as in development: nothing goes over SMTP
    queue_email("resident@example.org", "Your offer", "Your private link: http://localhost/offer/manage/abc")
    assert send_pending_email() == 1
    logged = [record.getMessage() for record in caplog.records if record.name == app.logger.name]
    assert any("http://localhost/offer/manage/abc" in message for message in logged)
