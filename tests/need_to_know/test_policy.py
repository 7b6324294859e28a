"""Need to know, as a matrix: who reads a family's health notes, access needs and diet, on each page and export."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from markupsafe import escape
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.db import utcnow
from resettle.families.health import HealthNotesRefused, health_notes_for
from resettle.need_to_know.models import BreakGlassRecord, TeamMembership
from resettle.need_to_know.policy import SpecialCategoryAccess, break_glass, special_category_access
from resettle.need_to_know.teams import create_team, set_team
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, HealthNoteFactory, MemberFactory

DIAGNOSIS = "Type 2 diabetes; insulin twice a day"
ACCESS_NEEDS = "Uses a wheelchair after a spinal injury"
DIET = "No pork; fasts in Ramadan"


@pytest.fixture
def case(database: Any) -> dict[str, Any]:
    """A family whose caseworker is in team A, with a colleague in team A and a caseworker in team B."""
    admin = UserFactory(role=Role.ADMIN)
    team_a, team_b = create_team("North", admin), create_team("South", admin)
    own, colleague, other = UserFactory(), UserFactory(), UserFactory()
    set_team(own, team_a, admin)
    set_team(colleague, team_a, admin)
    set_team(other, team_b, admin)
    family = FamilyFactory(caseworker=own)
    member = MemberFactory(family=family, access_needs=ACCESS_NEEDS, dietary_needs=DIET, eats_halal=True)
    HealthNoteFactory(family=family, member=member, body=DIAGNOSIS)
    database.session.commit()
    return {"family": family, "member": member, "own": own, "colleague": colleague, "other": other, "admin": admin}


def _broken_glass(case: dict[str, Any]) -> Any:
    break_glass(case["other"], case["family"], "Covering the duty phone while the case team is out")
    return case["other"]


WHO = {
    "own caseworker": (lambda case: case["own"], SpecialCategoryAccess.OWN_CASE),
    "same team": (lambda case: case["colleague"], SpecialCategoryAccess.SAME_TEAM),
    "other team": (lambda case: case["other"], SpecialCategoryAccess.NEEDS_BREAK_GLASS),
    "break glass": (_broken_glass, SpecialCategoryAccess.BROKEN_GLASS),
    "reviewer": (lambda case: UserFactory(role=Role.REVIEWER), SpecialCategoryAccess.NEVER),
    "admin": (lambda case: case["admin"], SpecialCategoryAccess.NEVER),
}


@pytest.mark.parametrize("who", list(WHO))
def test_the_policy_answers_for_each_kind_of_person(case: dict[str, Any], who: str) -> None:
    pick, expected = WHO[who]
    assert special_category_access(pick(case), case["family"]) == expected


@pytest.mark.parametrize("who", list(WHO))
def test_health_notes_service_follows_the_policy(case: dict[str, Any], who: str) -> None:
    pick, expected = WHO[who]
    user = pick(case)
    if expected.may_read:
        assert [note.body for note in health_notes_for(case["family"], user)] == [DIAGNOSIS]
    else:
        with pytest.raises(HealthNotesRefused):
            health_notes_for(case["family"], user)


def _client(app: Any, user: Any) -> Any:
    from tests.conftest import sign_in_as

    return sign_in_as(app.test_client(), user)


@pytest.mark.parametrize("who", list(WHO))
def test_pages_and_exports_follow_the_policy(app: Any, case: dict[str, Any], who: str) -> None:
    pick, expected = WHO[who]
    user = pick(case)
    reference, member_id = case["family"].reference, case["member"].id
    client = _client(app, user)
    pages = [f"/families/{reference}", f"/families/{reference}/health"]
    if user.role != Role.REVIEWER:
        pages += [f"/families/{reference}/members/{member_id}/edit", "/families/export.csv"]
    if user.role == Role.ADMIN:
        pages += ["/admin/audit/", "/admin/audit/export.csv", "/admin/break-glass"]
    seen = ""
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 302, 403), page
        seen += response.get_data(as_text=True)
    for secret in (DIAGNOSIS, ACCESS_NEEDS, DIET):
        assert (secret in seen) == expected.may_read, f"{who}: {secret!r} on {pages}"
    health = client.get(f"/families/{reference}/health")
    if expected == SpecialCategoryAccess.NEEDS_BREAK_GLASS:
        assert health.status_code == 302 and "/break-glass" in health.headers["Location"]
    elif not expected.may_read:
        assert health.status_code == 403


def test_a_member_saved_by_someone_kept_out_keeps_its_special_category_fields(
    app: Any, database: Any, case: dict[str, Any]
) -> None:
    client = _client(app, case["admin"])
    member = case["member"]
    response = submit_form(
        client,
        f"/families/{case['family'].reference}/members/{member.id}/edit",
        {
            "full_name": member.full_name,
            "date_of_birth": ["14", "3", "1985"],
            "sex": "female",
            "relationship_to_applicant": "applicant",
            "languages": "Arabic",
            "english_level": "not_assessed",
            "activity": "unknown",
            "access_needs": "overwritten",
            "dietary_needs": "overwritten",
        },
    )
    assert response.status_code == 302
    database.session.expire_all()
    assert (member.access_needs, member.dietary_needs, member.eats_halal) == (ACCESS_NEEDS, DIET, True)


def test_breaking_glass_needs_a_reason_is_recorded_and_expires(app: Any, database: Any, case: dict[str, Any]) -> None:
    client = _client(app, case["other"])
    url = f"/families/{case['family'].reference}/break-glass?then=health"
    refused = submit_form(client, url, {"reason": "  "})
    assert refused.status_code == 200 and "Enter your reason" in refused.get_data(as_text=True)
    assert database.session.execute(select(BreakGlassRecord)).first() is None

    reason = "Family rang the duty line about medication"
    response = submit_form(client, url, {"reason": reason})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/families/{case['family'].reference}/health")
    assert DIAGNOSIS in client.get(response.headers["Location"]).get_data(as_text=True)

    entry = database.session.execute(select(BreakGlassRecord)).scalar_one()
    assert entry.user_id == case["other"].id and entry.reason == reason
    events = database.session.execute(select(AuditEvent).where(AuditEvent.action == "break_glass")).scalars().all()
    assert [e.summary for e in events] == [f"Break-glass record {entry.id}"]  # the reason is not in the log
    viewed = database.session.execute(select(AuditEvent).where(AuditEvent.action == "health_notes_viewed"))
    assert "(break glass)" in viewed.scalars().all()[-1].summary

    admin_list = _client(app, case["admin"]).get("/admin/break-glass").get_data(as_text=True)
    assert reason in admin_list and case["other"].email in admin_list and DIAGNOSIS not in admin_list

    with time_machine.travel(utcnow() + timedelta(hours=9)):
        assert special_category_access(case["other"], case["family"]) == SpecialCategoryAccess.NEEDS_BREAK_GLASS


def test_administrators_cannot_break_glass(app: Any, case: dict[str, Any]) -> None:
    client = _client(app, case["admin"])
    assert client.get(f"/families/{case['family'].reference}/break-glass").status_code == 403


def test_administrators_manage_teams(app: Any, database: Any) -> None:
    admin = UserFactory(role=Role.ADMIN)
    caseworker = UserFactory()
    client = _client(app, admin)
    assert submit_form(client, "/admin/teams", {"name": "Lewisham North"}).status_code == 302
    duplicate = submit_form(client, "/admin/teams", {"name": "lewisham north"})
    assert "There is already a team called" in duplicate.get_data(as_text=True)
    page = client.get("/admin/teams").get_data(as_text=True)
    assert "Lewisham North" in page
    from resettle.need_to_know.models import Team

    team = database.session.execute(select(Team)).scalar_one()
    response = submit_form(
        client, "/admin/teams/members", {"user": str(caseworker.id), "team": str(team.id)}, form_url="/admin/teams"
    )
    assert response.status_code == 302
    assert database.session.get(TeamMembership, caseworker.id).team_id == team.id
    refused = submit_form(
        client, "/admin/teams/members", {"user": str(admin.id), "team": str(team.id)}, form_url="/admin/teams"
    )
    assert "Choose a caseworker" in refused.get_data(as_text=True)


def test_teams_come_a_page_at_a_time_with_their_members(app: Any, database: Any) -> None:
    admin = UserFactory(role=Role.ADMIN)
    teams = [create_team(f"Team {number:03d}", admin) for number in range(60)]
    caseworker = UserFactory()
    set_team(caseworker, teams[55], admin)
    database.session.flush()
    client = _client(app, admin)
    first_page = client.get("/admin/teams").get_data(as_text=True)
    first = _table(first_page)  # the team select below lists every team, the table a page of them
    assert "Team 000" in first and "Team 024" in first and "Team 025" not in first
    assert "Teams 1 to 25 of 60" in first_page and "?page=2" in first_page
    second = _table(client.get("/admin/teams?page=3").get_data(as_text=True))
    assert "Team 050" in second and "Team 059" in second and "Team 049" not in second
    # a member shows beside the team on its own page
    assert str(escape(caseworker.name)) in second.split("Team 055", 1)[1].split("Team 056", 1)[0]


def _table(page: str) -> str:
    return page.split("<table", 1)[1].split("</table>", 1)[0]
