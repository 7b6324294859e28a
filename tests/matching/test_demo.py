"""The demo borough opens on one matching run, made once, with proposals and gaps to look at."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from resettle.demo import load_demo_data
from resettle.matching.gap_report import gap_groups, gap_rows
from resettle.matching.models import MatchRun, RunStatus, RunTrigger


def test_the_demo_has_one_run_with_proposals_and_gaps(database: Any) -> None:
    load_demo_data()
    load_demo_data()
    [run] = database.session.execute(select(MatchRun)).scalars()
    assert (run.trigger, run.status, run.started_by) == (RunTrigger.DEMO, RunStatus.OPTIMAL, None)
    assert run.proposal_count > 0 and run.unmet_count > 0
    assert any(proposal.stream is not None for proposal in run.proposals)  # the paid tutor, from a stream
    assert any("no offer of this kind at all" in group.summary for group in gap_groups(gap_rows()))
