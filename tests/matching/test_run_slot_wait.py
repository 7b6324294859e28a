""" "Run matching now" answers at once even while the nightly job runs: the nightly job holds the live slot in a
transaction it commits only at the end, and a new request waits for it at most a moment before being told a
run is going. Needs PostgreSQL (its unique index makes the second insert wait) and real commits, so it runs on a
database of its own."""

from __future__ import annotations

import threading
import time

import pytest

from resettle.auth.models import Role
from resettle.db import utcnow
from resettle.extensions import db
from resettle.matching.models import LIVE_SLOT, MatchRunRequest, RunPhase, RunTrigger
from resettle.matching.runs import RunInProgress, request_run
from tests.factories import UserFactory
from tests.postgres import IS_POSTGRESQL, scratch_app

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL's waits on a unique index")


def test_run_now_does_not_wait_for_a_nightly_run_still_in_its_transaction() -> None:
    with scratch_app("run_slot") as app, app.app_context():
        caseworker = UserFactory(role=Role.CASEWORKER)
        db.session.commit()
        holding, finished = threading.Event(), threading.Event()

        def nightly_job() -> None:
            with app.app_context():
                db.session.add(
                    MatchRunRequest(
                        trigger=RunTrigger.NIGHTLY.value,
                        phase=RunPhase.SOLVING.value,
                        live_slot=LIVE_SLOT,
                        time_limit=120.0,
                        heartbeat_at=utcnow(),
                    )
                )
                db.session.flush()
                holding.set()
                finished.wait(timeout=30)
                db.session.rollback()
                db.session.remove()

        thread = threading.Thread(target=nightly_job)
        thread.start()
        try:
            assert holding.wait(timeout=10)
            began = time.perf_counter()
            with pytest.raises(RunInProgress) as refused:
                request_run(caseworker, RunTrigger.MANUAL)
            waited = time.perf_counter() - began
        finally:
            finished.set()
            thread.join(timeout=10)

        assert waited < 2.0, waited
        assert refused.value.request is None  # the going run is not committed yet: nothing to show
        db.session.rollback()
        # Once the nightly job has ended, the next request is queued as usual.
        assert request_run(caseworker, RunTrigger.MANUAL).live_slot == LIVE_SLOT
        db.session.commit()
