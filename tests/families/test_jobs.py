"""The scheduled jobs as plain functions with time frozen: one overdue-task email a day per caseworker,
and the nightly bedroom standard recomputation; both safe to run twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import time_machine
from sqlalchemy import func, select

from resettle.auth.models import Role
from resettle.families.jobs import recompute_bedrooms, send_overdue_task_reminders
from resettle.families.models import NeedStatus, Relationship, Sex, TaskStatus
from resettle.jobs import load_jobs
from resettle.notifications.email import send_pending_email
from resettle.notifications.models import OutboundEmail
from resettle.taxonomy import Category
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, MemberFactory, NeedFactory, TaskFactory
from tests.smtp import SMTPServer

MORNING = datetime(2025, 6, 10, 6, 30, tzinfo=UTC)  # 07:30 in London


def outbox_count(database: Any) -> int:
    return database.session.execute(select(func.count()).select_from(OutboundEmail)).scalar_one()


def test_both_jobs_are_registered_for_the_scheduler() -> None:
    jobs = load_jobs()
    assert jobs["overdue_task_reminders"].trigger == "cron"
    assert jobs["recompute_bedroom_standard"].trigger == "cron"


def test_each_caseworker_gets_one_email_listing_their_overdue_tasks(database: Any, smtp_server: SMTPServer) -> None:
    amira = UserFactory(role=Role.CASEWORKER, email="amira@council.example", name="Amira")
    tom = UserFactory(role=Role.CASEWORKER, email="tom@council.example")
    family = FamilyFactory(caseworker=amira)
    TaskFactory(family=family, assignee=amira, title="Register with a GP", due_on=date(2025, 6, 3))
    TaskFactory(family=family, assignee=amira, title="Open bank accounts", due_on=date(2025, 6, 9))
    TaskFactory(family=family, assignee=amira, title="Due today", due_on=date(2025, 6, 10))
    TaskFactory(
        family=family,
        assignee=amira,
        title="Snoozed",
        due_on=date(2025, 6, 1),
        snoozed_until=date(2025, 6, 20),
        snooze_reason="Waiting for the GP to reply",
    )
    TaskFactory(
        family=family,
        assignee=amira,
        title="Done",
        due_on=date(2025, 6, 1),
        status=TaskStatus.DONE,
        completed_at=MORNING,
    )
    TaskFactory(family=FamilyFactory(caseworker=tom), assignee=tom, due_on=date(2025, 6, 20))

    with time_machine.travel(MORNING, tick=False):
        assert send_overdue_task_reminders() == 1
        assert send_overdue_task_reminders() == 0  # a second run the same day sends nothing
    assert send_pending_email() == 1

    [message] = smtp_server.messages_to("amira@council.example")
    assert message.subject == "2 overdue tasks in Resettle"
    assert "Register with a GP" in message.body and "7 days overdue" in message.body
    assert "Open bank accounts" in message.body and "1 day overdue" in message.body
    assert family.reference in message.body and family.name not in message.body
    for absent in ("Due today", "Snoozed", "Done"):
        assert absent not in message.body
    assert smtp_server.messages_to("tom@council.example") == []


def test_the_next_day_brings_a_new_reminder(database: Any) -> None:
    task = TaskFactory(due_on=date(2025, 6, 1))
    with time_machine.travel(MORNING, tick=False):
        send_overdue_task_reminders()
    with time_machine.travel(datetime(2025, 6, 11, 6, 30, tzinfo=UTC), tick=False):
        send_overdue_task_reminders()
    assert outbox_count(database) == 2
    task.assignee.is_active_account = False
    with time_machine.travel(datetime(2025, 6, 12, 6, 30, tzinfo=UTC), tick=False):
        assert send_overdue_task_reminders() == 0  # deactivated accounts get nothing


def test_a_child_turning_ten_changes_the_bedrooms_overnight(database: Any) -> None:
    family = FamilyFactory(brma="outer_south_east_london")
    MemberFactory(family=family, full_name="Mother", date_of_birth=date(1985, 1, 1))
    MemberFactory(
        family=family,
        full_name="Boy",
        date_of_birth=date(2016, 3, 1),
        sex=Sex.MALE,
        relationship_to_applicant=Relationship.CHILD,
    )
    MemberFactory(
        family=family,
        full_name="Girl",
        date_of_birth=date(2015, 6, 11),
        sex=Sex.FEMALE,
        relationship_to_applicant=Relationship.CHILD,
    )
    need = NeedFactory(family=family, category=Category.HOUSING, follows_bedroom_standard=True, priority=5)
    closed = NeedFactory(
        family=family, category=Category.HOUSING, follows_bedroom_standard=True, status=NeedStatus.MET, bedrooms_min=1
    )

    with time_machine.travel(MORNING, tick=False):  # the girl is 9: the children share
        assert recompute_bedrooms() == 1
        assert recompute_bedrooms() == 0
    assert (need.bedrooms_min, need.rent_max) == (2, 129645)
    with time_machine.travel(datetime(2025, 6, 11, 1, 15, tzinfo=UTC), tick=False):  # she turns 10
        assert recompute_bedrooms() == 1
    assert (need.bedrooms_min, need.rent_max) == (3, 154574)
    assert closed.bedrooms_min == 1
