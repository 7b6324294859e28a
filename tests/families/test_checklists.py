"""Arrival checklists per scheme become tasks due relative to the arrival date, once, and move with it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from resettle.families.checklists import CHECKLIST, checklist_for
from resettle.families.models import FamilyStatus, Scheme, TaskStatus
from resettle.families.services import confirm_arrival
from tests.families.conftest import audit_actions
from tests.families.factories import FamilyFactory

ARRIVAL = date(2017, 2, 20)


def test_every_scheme_has_a_checklist_with_unique_keys() -> None:
    assert len({item.key for item in CHECKLIST}) == len(CHECKLIST)
    for scheme in Scheme:
        keys = {item.key for item in checklist_for(scheme)}
        assert {"universal_credit_claim", "gp_registration", "esol_start"} <= keys, scheme


def test_schemes_differ_where_the_arrangements_differ() -> None:
    vprs = {item.key for item in checklist_for(Scheme.VPRS)}
    hfu = {item.key for item in checklist_for(Scheme.HFU)}
    community = {item.key for item in checklist_for(Scheme.CS)}
    arp = {item.key for item in checklist_for(Scheme.ARP)}
    assert "secure_property" in vprs and "secure_property" not in hfu | community | arp
    assert "check_host_home" in hfu and "meet_at_airport" not in hfu
    assert "inspect_sponsor_property" in community
    assert "move_on_plan" in arp


def test_confirming_arrival_creates_the_tasks_due_relative_to_arrival(database: Any) -> None:
    family = FamilyFactory(scheme=Scheme.VPRS, referral_date=date(2016, 12, 1))
    confirm_arrival(family, ARRIVAL, family.caseworker)

    tasks = {task.checklist_key: task for task in family.tasks}
    assert set(tasks) == {item.key for item in checklist_for(Scheme.VPRS)}
    assert tasks["secure_property"].due_on == ARRIVAL - timedelta(days=28)
    assert tasks["meet_at_airport"].due_on == ARRIVAL
    assert tasks["universal_credit_claim"].due_on == ARRIVAL + timedelta(days=3)
    assert tasks["esol_start"].due_on == ARRIVAL + timedelta(days=28)
    assert all(task.assignee == family.caseworker and task.status == TaskStatus.OPEN for task in tasks.values())
    assert family.status == FamilyStatus.ARRIVING
    assert {"arrival_confirmed", "tasks_generated", "family_status_changed"} <= set(audit_actions(database))


def test_confirming_again_does_not_duplicate_and_moves_only_open_tasks(database: Any) -> None:
    family = FamilyFactory(scheme=Scheme.HFU, referral_date=date(2016, 12, 1))
    confirm_arrival(family, ARRIVAL, family.caseworker)
    count = len(family.tasks)
    done = next(task for task in family.tasks if task.checklist_key == "book_interpreter")
    done.status, done.completed_at = TaskStatus.DONE, done.created_at
    done_due = done.due_on

    confirm_arrival(family, ARRIVAL + timedelta(days=7), family.caseworker)

    assert len(family.tasks) == count
    welfare = next(task for task in family.tasks if task.checklist_key == "host_welfare_visit")
    assert welfare.due_on == ARRIVAL + timedelta(days=14)
    assert done.due_on == done_due


@pytest.mark.parametrize("scheme", list(Scheme))
def test_each_scheme_generates_its_checklist(database: Any, scheme: Scheme) -> None:
    family = FamilyFactory(scheme=scheme, referral_date=date(2016, 12, 1))
    confirm_arrival(family, ARRIVAL, family.caseworker)
    assert len(family.tasks) == len(checklist_for(scheme))
