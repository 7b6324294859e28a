"""`make run`: the development server's own thread picks a queued run up and runs it to the end, on a real
database file with real commits (no test transaction)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from resettle import create_app
from resettle.config import TestConfig
from resettle.extensions import db
from resettle.jobs import in_process
from resettle.matching.models import MatchRunRequest, RunPhase, RunTrigger
from resettle.matching.runs import request_run
from resettle.taxonomy import Category
from tests.matching.conftest import arrived_family, open_need, verified_offer
from tests.postgres import IS_POSTGRESQL


@pytest.mark.skipif(IS_POSTGRESQL, reason="the development server's thread is for the SQLite demo")
def test_the_development_thread_runs_a_queued_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(in_process, "POLL_SECONDS", 0.2)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'demo.sqlite'}"

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        open_need(arrived_family(), Category.ESOL)
        verified_offer(Category.ESOL)
        public_id = request_run(None, RunTrigger.MANUAL).public_id
        db.session.commit()
        db.session.remove()

    thread = in_process.start_queue_thread(app)
    try:
        deadline = time.monotonic() + 30
        phase = RunPhase.QUEUED.value
        while time.monotonic() < deadline and phase not in ("done", "failed"):
            time.sleep(0.2)
            with app.app_context():
                request = db.session.query(MatchRunRequest).filter_by(public_id=public_id).one()
                phase, message, proposals = request.phase, request.message, (request.run and request.run.proposal_count)
                db.session.remove()
    finally:
        thread.stop.set()  # type: ignore[attr-defined]
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()
    assert phase == "done", message
    assert proposals == 1
