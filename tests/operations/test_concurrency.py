"""Ten caseworkers at once, through the real app over real HTTP, against a real database file (SQLite) or a
database of its own (PostgreSQL): family pages (which write audit rows), case notes, lists. No request fails.

Before WAL, a busy timeout and write transactions that wait for the lock, SQLite failed about half of these
requests with "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from benchmarks.load import create_load_caseworkers, run_load
from resettle.audit.models import AuditEvent
from resettle.extensions import db
from tests.served import served_app

CLIENTS = 10


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    with served_app(tmp_path, "concurrency", MAIL_SUPPRESS_SEND=True) as served:
        yield served


def test_ten_caseworkers_at_once_get_no_errors(served: tuple[Flask, str]) -> None:
    app, base_url = served
    with app.app_context():
        create_load_caseworkers()
        audit_rows_before = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        db.session.remove()

    tally = run_load(base_url, CLIENTS, seconds=120, actions=12)

    assert tally.errors == []
    assert len(tally.latencies) >= CLIENTS * 12  # every action ran (a case note is two requests)
    with app.app_context():
        audit_rows_after = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert audit_rows_after > audit_rows_before  # the reads really wrote
