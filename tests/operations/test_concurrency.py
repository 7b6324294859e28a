"""Ten caseworkers at once, through the real app over real HTTP, against a real database file (SQLite) or a
database of its own (PostgreSQL): family pages (which write audit rows), case notes, lists. No request fails.

Before WAL, a busy timeout and write transactions that wait for the lock, SQLite failed about half of these
requests with "database is locked".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from benchmarks.load import run_load
from resettle import create_app
from resettle.audit.models import AuditEvent
from resettle.config import TestConfig
from resettle.extensions import db
from tests.postgres import IS_POSTGRESQL, create_scratch_database, drop_scratch_database

CLIENTS = 10


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The demo borough served on a random local port by a threaded server, on a database with real commits."""

    class ServedConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = (
            create_scratch_database("concurrency") if IS_POSTGRESQL else f"sqlite:///{tmp_path / 'served.sqlite'}"
        )
        SERVER_NAME = None
        LOGIN_RATE_LIMIT = "1000 per minute"
        MAIL_SUPPRESS_SEND = True
        UPLOAD_FOLDER = str(tmp_path / "uploads")

    app = create_app(ServedConfig)
    with app.app_context():
        db.create_all()
        from resettle.demo import load_demo_data

        load_demo_data()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if IS_POSTGRESQL:
            drop_scratch_database("concurrency")


def test_ten_caseworkers_at_once_get_no_errors(served: tuple[Flask, str]) -> None:
    app, base_url = served
    with app.app_context():
        audit_rows_before = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        db.session.remove()

    tally = run_load(base_url, CLIENTS, seconds=120, actions=12)

    assert tally.errors == []
    assert len(tally.latencies) >= CLIENTS * 12  # every action ran (a case note is two requests)
    with app.app_context():
        audit_rows_after = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert audit_rows_after > audit_rows_before  # the reads really wrote
