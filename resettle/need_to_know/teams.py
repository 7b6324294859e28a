"""Teams: staff belong to at most one team; a family's case team is its caseworker's team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from resettle.audit.services import record
from resettle.auth.models import Role, User
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.need_to_know.models import BreakGlassRecord, Team, TeamMembership


def create_team(name: str, actor: Any) -> Team:
    name = " ".join(name.split())
    if not name:
        raise FieldError("name", "Enter the team name")
    if len(name) > 80:
        raise FieldError("name", "Team name must be 80 characters or fewer")
    exists = db.session.execute(select(Team.id).where(func.lower(Team.name) == name.lower())).scalar()
    if exists is not None:
        raise FieldError("name", f"There is already a team called {name}")
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    record("team_created", "team", team.id, f"Team {team.id} created", actor=actor)
    return team


def set_team(user: User, team: Team | None, actor: Any) -> None:
    """Put `user` in `team`, or in no team when it is None."""
    membership = db.session.get(TeamMembership, user.id)
    before = membership.team_id if membership else None
    if team is None:
        if membership is not None:
            db.session.delete(membership)
    elif membership is None:
        db.session.add(TeamMembership(user_id=user.id, team_id=team.id))
    else:
        membership.team_id = team.id
    db.session.flush()
    after = team.id if team else None
    if before != after:
        record("team_changed", "user", user.id, f"team: {before or 'none'} → {after or 'none'}", actor=actor)


def teams_query() -> Select[tuple[Team]]:
    return select(Team).order_by(Team.name, Team.id)


def teams_with_members(teams: list[Team]) -> list[tuple[Team, list[User]]]:
    """The members of `teams` (a page of them), by name: one statement whatever the number of teams."""
    rows = db.session.execute(
        select(TeamMembership.team_id, User)
        .join(User, User.id == TeamMembership.user_id)
        .where(TeamMembership.team_id.in_([team.id for team in teams]))
        .order_by(User.name)
    ).all()
    members: dict[int, list[User]] = {}
    for team_id, user in rows:
        members.setdefault(team_id, []).append(user)
    return [(team, members.get(team.id, [])) for team in teams]


def caseworkers_by_name() -> list[User]:
    return list(db.session.execute(select(User).where(User.role == Role.CASEWORKER).order_by(User.name)).scalars())


def teams_by_name() -> list[Team]:
    return list(db.session.execute(select(Team).order_by(Team.name)).scalars())


def break_glass_query() -> Select[tuple[BreakGlassRecord]]:
    """Every break-glass record, newest first, with who and which family."""
    return (
        select(BreakGlassRecord)
        .options(selectinload(BreakGlassRecord.user), selectinload(BreakGlassRecord.family))
        .order_by(BreakGlassRecord.created_at.desc(), BreakGlassRecord.id.desc())
    )
