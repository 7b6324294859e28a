"""While the engine runs a queued run, its progress page shows the best objective found so far."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from resettle.db import utcnow
from resettle.extensions import db
from resettle.matching.models import LIVE_SLOT, MatchRunRequest, RunPhase, RunTrigger
from resettle.matching.runs import process_queued_run, request_run, solving_message
from resettle.taxonomy import Category
from tests.matching.conftest import arrived_family, open_need, verified_offer


def test_a_queued_run_writes_the_current_objective_while_the_engine_runs(
    database: Any, caseworker_client: FlaskClient
) -> None:
    user = caseworker_client.user  # type: ignore[attr-defined]
    for _ in range(3):
        open_need(arrived_family(user), Category.ESOL)
    verified_offer(Category.ESOL, capacity=2)
    request_run(user, RunTrigger.MANUAL)
    written: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE MATCH_RUN_REQUESTS"):
            written.append(repr(parameters))

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        run = process_queued_run()
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)

    assert run is not None and run.proposal_count == 2
    assert any("Solving, current objective" in parameters for parameters in written), written


def test_the_progress_page_shows_the_current_objective(database: Any, caseworker_client: FlaskClient) -> None:
    report = {"objective": 12345.4, "bound": 13000.0, "seconds": 4.2}
    solving = MatchRunRequest(
        trigger=RunTrigger.MANUAL.value,
        phase=RunPhase.SOLVING.value,
        live_slot=LIVE_SLOT,
        time_limit=30.0,
        heartbeat_at=utcnow(),
        message=solving_message(40, 12, report),
    )
    db.session.add(solving)
    db.session.flush()

    page = caseworker_client.get(f"/matching/runs/progress/{solving.public_id}").get_data(as_text=True)

    assert 'data-phase="solving"' in page
    assert "Solving, current objective 12,345 (no solution can score above 13,000), 4 s in; 40 open needs" in page
