"""A mail server that accepts the connection and never answers: the resident's request still returns at once,
the message waits in the outbox, the job gives up on the server within its timeout (not holding its lock),
and the email goes when a working server is there."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from benchmarks.load import Tally, Visitor
from resettle.extensions import db
from resettle.jobs import load_jobs
from resettle.jobs.runner import run_job
from resettle.notifications.email import queue_email, send_pending_email
from resettle.notifications.models import OutboundEmail
from tests.offers.answers import MEAL, OFFERER
from tests.served import served_app
from tests.smtp import SMTPServer

MAIL_TIMEOUT = 3


class SilentServer:
    """Accepts TCP connections and never sends a byte (a hung SMTP server)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def served(tmp_path: Path, silent_server: SilentServer) -> Iterator[tuple[Flask, str]]:
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": silent_server.port, "MAIL_TIMEOUT": MAIL_TIMEOUT}
    with served_app(tmp_path, "hung_mail", demo=False, **settings) as served:
        yield served


def _outbox(app: Flask) -> list[OutboundEmail]:
    with app.app_context():
        try:
            return list(db.session.execute(select(OutboundEmail).order_by(OutboundEmail.id)).scalars())
        finally:
            db.session.remove()


def test_a_hung_mail_server_never_holds_up_the_resident(
    served: tuple[Flask, str], silent_server: SilentServer, smtp_server: SMTPServer
) -> None:
    app, base_url = served
    visitor = Visitor(base_url, Tally())
    visitor.request("/offer/meal")

    started = time.perf_counter()
    page = visitor.submit("/offer/meal", MEAL)
    took = time.perf_counter() - started

    assert visitor.tally.errors == []
    assert "Thank you" in page or "offer" in page.lower()
    assert took < MAIL_TIMEOUT, f"the offer form took {took:.1f}s: it waited for the mail server"
    # Delivery is tried after the response has gone, so on a busy machine it may start a moment later.
    deadline = time.monotonic() + 4 * MAIL_TIMEOUT
    while time.monotonic() < deadline and not silent_server.connections:
        time.sleep(0.05)
    assert silent_server.connections  # delivery was tried, after the response

    while time.monotonic() < deadline and not all(m.attempts and m.claimed_until is None for m in _outbox(app)):
        time.sleep(0.2)
    [message] = _outbox(app)
    assert message.to_address == OFFERER["offerer_email"]
    assert (message.status, message.attempts) == ("pending", 1)
    assert "timed out" in (message.last_error or "")

    mail_state = app.extensions["mail"]
    mail_state.server, mail_state.port = smtp_server.host, smtp_server.port  # the mail server is back
    with app.app_context():
        run_job(load_jobs()["send_pending_email"])
        db.session.remove()
    [sent] = _outbox(app)
    assert sent.status == "sent"
    assert len(smtp_server.messages_to(OFFERER["offerer_email"])) == 1


def test_the_job_gives_up_on_a_hung_server_within_its_timeout(
    app: Flask, database: object, silent_server: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(3):
        queue_email(f"resident{number}@example.org", "Subject", "Body")
    mail_state = app.extensions["mail"]
    monkeypatch.setattr(mail_state, "port", silent_server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 1)

    started = time.perf_counter()
    assert send_pending_email() == 0
    took = time.perf_counter() - started

    assert took < 3, f"the job spent {took:.1f}s on a server that never answers"
    attempts = [m.attempts for m in db.session.execute(select(OutboundEmail).order_by(OutboundEmail.id)).scalars()]
    assert attempts == [1, 0, 0]  # one timeout ends the run; the rest wait for the next one
