"""Task lists: family names as need-to-know allows, filters by family, due window and assignee, and marking
several tasks done at once through the same service function as one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.clock import local_today
from resettle.families.models import TaskStatus
from resettle.need_to_know.models import Team, TeamMembership
from tests.conftest import csrf_token_from
from tests.families.factories import FamilyFactory, TaskFactory


def _team(database: Any, *users: Any) -> None:
    team = Team(name=f"Team {users[0].id}")
    database.session.add(team)
    database.session.flush()
    for user in users:
        database.session.add(TeamMembership(user_id=user.id, team_id=team.id))
    database.session.flush()


def test_names_show_only_for_families_need_to_know_opens(database: Any, login_as: Any) -> None:
    me = login_as(Role.CASEWORKER)
    teammate = login_as(Role.CASEWORKER).user
    outsider = login_as(Role.CASEWORKER).user
    _team(database, me.user, teammate)
    today = local_today()
    mine = FamilyFactory(name="Haddad family", caseworker=me.user)
    teams = FamilyFactory(name="Nasser family", caseworker=teammate)
    other = FamilyFactory(name="Karimi family", caseworker=outsider)
    for family in (mine, teams, other):
        TaskFactory(family=family, assignee=me.user, due_on=today - timedelta(days=1))

    page = me.get("/tasks/").get_data(as_text=True)
    assert "Haddad family" in page and "Nasser family" in page
    assert "Karimi family" not in page and f"Family {other.reference}" in page

    # A search by name finds only families whose names may be shown; a reference finds any.
    by_name = me.get("/tasks/?family=karimi").get_data(as_text=True)
    assert other.reference not in by_name and "No open tasks match these filters." in by_name
    assert other.reference in me.get(f"/tasks/?family={other.reference.lower()}").get_data(as_text=True)
    assert "Nasser family" in me.get("/tasks/?family=nasser").get_data(as_text=True)

    admin = login_as(Role.ADMIN)
    team_page = admin.get("/tasks/team").get_data(as_text=True)
    assert f"Family {mine.reference}" in team_page and "Haddad family" not in team_page


def test_filters_by_due_window_and_assignee(database: Any, login_as: Any) -> None:
    me = login_as(Role.CASEWORKER)
    colleague = login_as(Role.CASEWORKER, name="Grace Mensah").user
    today = local_today()
    family = FamilyFactory(caseworker=me.user)
    TaskFactory(family=family, assignee=me.user, title="Overdue one", due_on=today - timedelta(days=3))
    TaskFactory(family=family, assignee=me.user, title="This week one", due_on=today + timedelta(days=2))
    TaskFactory(family=family, assignee=me.user, title="Later one", due_on=today + timedelta(days=30))
    TaskFactory(
        family=family,
        assignee=me.user,
        title="Snoozed one",
        due_on=today - timedelta(days=3),
        snoozed_until=today + timedelta(days=5),
        snooze_reason="Waiting for the landlord",
    )
    TaskFactory(family=family, assignee=colleague, title="Grace task", due_on=today - timedelta(days=1))
    titles = ("Overdue one", "This week one", "Later one", "Snoozed one")
    for window, expected in zip(("overdue", "this_week", "later", "snoozed"), titles, strict=True):
        page = me.get(f"/tasks/?window={window}").get_data(as_text=True)
        assert [title for title in titles if title in page] == [expected], window
    assert all(title in me.get("/tasks/").get_data(as_text=True) for title in titles)

    team = me.get("/tasks/team").get_data(as_text=True)  # overdue by default
    assert "Overdue one" in team and "Grace task" in team and "Later one" not in team
    only_grace = me.get(f"/tasks/team?window=&assignee={colleague.id}").get_data(as_text=True)
    assert "Grace task" in only_grace and "Overdue one" not in only_grace
    mine = me.get("/tasks/team?window=later&assignee=me").get_data(as_text=True)
    assert "Later one" in mine and "Grace task" not in mine


def test_marking_several_tasks_done_reports_each_one(database: Any, caseworker_client: Any) -> None:
    family = FamilyFactory(caseworker=caseworker_client.user)
    first, second, closed = (TaskFactory(family=family) for _ in range(3))
    closed.status, closed.completed_at = TaskStatus.DONE, closed.created_at
    database.session.flush()
    token = csrf_token_from(caseworker_client.get("/tasks/").get_data(as_text=True))

    response = caseworker_client.post(
        "/tasks/complete",
        data={
            "csrf_token": token,
            "task": [str(first.id), str(second.id), str(closed.id), "999999"],
            "next": "/tasks/",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "2 of 4 tasks marked as done." in page
    assert f"Not done: {closed.title} ({family.reference}): This task is already closed." in page
    assert "1 no longer exists." in page
    assert first.status == second.status == TaskStatus.DONE
    assert first.completed_by == caseworker_client.user
    completed = (
        database.session.execute(select(AuditEvent).where(AuditEvent.action == "task_completed")).scalars().all()
    )
    assert len(completed) == 2

    third = TaskFactory(family=family)
    response = caseworker_client.post(
        "/tasks/complete", data={"csrf_token": token, "task": [str(third.id)]}, follow_redirects=True
    )
    assert "1 task marked as done" in response.get_data(as_text=True) and third.status == TaskStatus.DONE

    response = caseworker_client.post("/tasks/complete", data={"csrf_token": token}, follow_redirects=True)
    assert "Select at least one task to mark as done" in response.get_data(as_text=True)


def test_my_tasks_come_a_page_at_a_time_with_counts_of_the_whole_list(database: Any, login_as: Any) -> None:
    me = login_as(Role.CASEWORKER)
    colleague = login_as(Role.CASEWORKER).user
    today = local_today()
    family = FamilyFactory(caseworker=me.user)
    for number in range(40):
        TaskFactory(
            family=family,
            assignee=me.user,
            title=f"Ring the school {number:02d}",
            due_on=today - timedelta(60 - number),
        )
    for number in range(15):
        TaskFactory(
            family=family, assignee=me.user, title=f"Visit the flat {number:02d}", due_on=today + timedelta(30 + number)
        )
    TaskFactory(
        family=family,
        assignee=me.user,
        title="Send the benefit form",
        due_on=today - timedelta(days=1),
        snoozed_until=today + timedelta(days=5),
        snooze_reason="Waiting for the bank letter",
    )
    TaskFactory(family=family, assignee=colleague, title="Someone else's task", due_on=today - timedelta(days=1))
    done = TaskFactory(family=family, assignee=me.user, title="Already done task", due_on=today - timedelta(days=1))
    done.status, done.completed_at = TaskStatus.DONE, done.created_at
    database.session.flush()

    first = me.get("/tasks/").get_data(as_text=True)
    assert "Showing 1 to 50 of 56 tasks" in first
    assert "Overdue (40)" in first and "Later (15, 10 on this page)" in first and "Snoozed (" not in first
    assert all(f"Ring the school {number:02d}" in first for number in range(40))
    assert [f"Visit the flat {number:02d}" in first for number in range(15)] == [True] * 10 + [False] * 5
    assert first.index("Ring the school 00") < first.index("Ring the school 39") < first.index("Visit the flat 00")
    assert "Someone else&#39;s task" not in first and "Already done task" not in first
    assert "/tasks/?page=2" in first  # the GOV.UK pagination's link to the rest

    second = me.get("/tasks/?page=2").get_data(as_text=True)
    assert "Showing 51 to 56 of 56 tasks" in second
    assert "Later (15, 5 on this page)" in second and "Snoozed (1)" in second and "Overdue (" not in second
    assert [f"Visit the flat {number:02d}" in second for number in range(15)] == [False] * 10 + [True] * 5
    assert "Send the benefit form" in second and "Ring the school" not in second
    assert 'name="next" value="/tasks/?page=2"' in second  # marking tasks done comes back to this page

    # A page past the end shows the last one; a filter narrows the counts and keeps to one page.
    assert "Showing 51 to 56 of 56 tasks" in me.get("/tasks/?page=9").get_data(as_text=True)
    later = me.get("/tasks/?window=later").get_data(as_text=True)
    assert "Later (15)" in later and "Showing" not in later and "/tasks/?window=later&amp;page=2" not in later
    assert "Ring the school" not in later


def test_my_tasks_says_so_when_there_are_none(database: Any, login_as: Any) -> None:
    me = login_as(Role.CASEWORKER)
    page = me.get("/tasks/").get_data(as_text=True)
    assert "You have no open tasks." in page
    assert "Showing" not in page and "<table" not in page and "Mark selected tasks as done" not in page
    assert "No open tasks match these filters." in me.get("/tasks/?window=overdue&page=3").get_data(as_text=True)
