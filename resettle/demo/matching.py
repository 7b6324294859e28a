"""Demo matching: one run on the demo borough, so `make run` opens on proposals, unmet needs and a gap
report. The run is recorded as made by the demo data, not by a person. The family's caseworker then accepts
its first paid proposal (the home-visiting tutor), so the demo shows money committed for a match and its
committed spend line."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from resettle.extensions import db
from resettle.matching.models import MatchRun, RunTrigger
from resettle.matching.runs import run_matching
from resettle.matching.services import accept_proposal

DEMO_CASEWORKER = "amira.caseworker@council.example"


def load_demo(users_by_email: dict[str, Any]) -> None:
    if db.session.execute(select(func.count()).select_from(MatchRun)).scalar_one():
        return
    run = run_matching(None, RunTrigger.DEMO)
    paid = [proposal for proposal in run.proposals if proposal.charge_pence > 0]
    if paid and DEMO_CASEWORKER in users_by_email:
        proposal = paid[0]
        accept_proposal(proposal, proposal.need.family.caseworker or users_by_email[DEMO_CASEWORKER])
