"""Demo teams: Amira and Tom work together in North; Grace is alone in South, so she breaks glass to read
the North team's families' health notes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from resettle.extensions import db
from resettle.need_to_know.models import Team
from resettle.need_to_know.teams import create_team, set_team

DEMO_TEAMS = {
    "North": ["amira.caseworker@council.example", "tom.caseworker@council.example"],
    "South": ["grace.caseworker@council.example"],
}


def load_demo(users: dict[str, Any]) -> None:
    admin = users["sam.admin@council.example"]
    for name, emails in DEMO_TEAMS.items():
        team = db.session.execute(select(Team).where(Team.name == name)).scalar_one_or_none()
        team = team or create_team(name, admin)
        for email in emails:
            set_team(users[email], team, admin)
