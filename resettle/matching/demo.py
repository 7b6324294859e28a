"""Demo matching: one run on the demo borough, so `make run` opens on proposals, unmet needs and a gap
report. The run is recorded as made by the demo data, not by a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from resettle.extensions import db
from resettle.matching.models import MatchRun, RunTrigger
from resettle.matching.runs import run_matching


def load_demo(users_by_email: dict[str, Any]) -> None:
    if db.session.execute(select(func.count()).select_from(MatchRun)).scalar_one():
        return
    run_matching(None, RunTrigger.DEMO)
