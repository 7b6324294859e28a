"""Caseworker tasks: the arrival checklist made into tasks, and completing, reassigning and snoozing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from resettle.audit.services import record
from resettle.auth.models import CASE_STAFF, User
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.checklists import checklist_for
from resettle.families.errors import FamilyError
from resettle.families.models import Family, Task, TaskStage, TaskStatus
from resettle.notifications.models import NotificationKind
from resettle.notifications.services import notify, site_path
from resettle.words import date_in_words

LONGEST_SNOOZE_DAYS = 90


def generate_arrival_tasks(family: Family, actor: Any = None) -> list[Task]:
    """Make the scheme's checklist into tasks due relative to the arrival date. Safe to run again: an item
    that already has a task is not duplicated, and an open one moves with a changed arrival date."""
    if family.arrival_date is None:
        raise FamilyError("arrival_date", "Enter the arrival date")
    existing = {task.checklist_key: task for task in family.tasks if task.checklist_key}
    created = []
    for item in checklist_for(family.scheme):
        due_on = family.arrival_date + timedelta(days=item.offset_days)
        task = existing.get(item.key)
        if task is None:
            task = Task(
                family=family,
                checklist_key=item.key,
                stage=item.stage,
                title=item.title,
                guidance=item.guidance,
                due_on=due_on,
                assignee=family.caseworker,
            )
            db.session.add(task)
            created.append(task)
        elif task.status == TaskStatus.OPEN:
            task.due_on = due_on
    db.session.flush()
    if created:
        record(
            "tasks_generated",
            "family",
            family.reference,
            f"{len(created)} arrival tasks created for arrival on {family.arrival_date}",
            actor=actor,
        )
    return created


def add_task(family: Family, title: str, due_on: date, assignee: User | None, actor: Any) -> Task:
    if not title.strip():
        raise FamilyError("title", "Enter what needs to be done")
    _check_assignee(assignee)
    task = Task(family=family, title=title.strip(), stage=TaskStage.ONGOING, due_on=due_on, assignee=assignee)
    db.session.add(task)
    db.session.flush()
    record("task_added", "family", family.reference, f"Task {task.id} added, due {due_on}", actor=actor)
    return task


def _check_open(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        raise FamilyError("task", "This task is already closed")


def _check_assignee(assignee: User | None, field: str = "assignee") -> None:
    if assignee is not None and (assignee.role not in CASE_STAFF or not assignee.is_active_account):
        raise FamilyError(field, "Select a caseworker")


def complete_task(task: Task, actor: Any, evidence: str = "") -> Task:
    _check_open(task)
    task.status = TaskStatus.DONE
    task.completed_at = utcnow()
    task.completed_by = actor
    task.evidence = evidence.strip()
    task.snoozed_until, task.snooze_reason = None, ""
    db.session.flush()
    record("task_completed", "family", task.family.reference, f"Task {task.id} completed", actor=actor)
    return task


@dataclass
class BulkCompletion:
    """What marking several tasks done did: the tasks done, and the others with the reason each was not."""

    done: list[Task] = field(default_factory=list)
    refused: list[tuple[Task, str]] = field(default_factory=list)
    not_found: int = 0

    @property
    def message(self) -> str:
        asked = len(self.done) + len(self.refused) + self.not_found
        tasks = "task" if asked == 1 else "tasks"
        if not self.refused and not self.not_found:
            return f"{asked} {tasks} marked as done"
        parts = [f"{len(self.done)} of {asked} {tasks} marked as done."]
        parts += [f"Not done: {task.title} ({task.family.reference}): {reason}." for task, reason in self.refused]
        if self.not_found:
            parts.append(f"{self.not_found} no longer exist{'s' if self.not_found == 1 else ''}.")
        return " ".join(parts)


def complete_tasks(tasks: list[Task], actor: Any, asked: int) -> BulkCompletion:
    """Mark each task done through `complete_task`, so each is checked as if done alone; one that cannot be
    done (already closed) is named and the rest still go through. `asked` counts ids that found no task."""
    outcome = BulkCompletion(not_found=max(0, asked - len(tasks)))
    for task in tasks:
        try:
            with db.session.begin_nested():
                complete_task(task, actor)
        except FamilyError as error:
            outcome.refused.append((task, error.message))
        else:
            outcome.done.append(task)
    return outcome


def reassign_task(task: Task, assignee: User | None, actor: Any) -> Task:
    _check_open(task)
    if assignee is None:
        raise FamilyError("assignee", "Select a caseworker")
    _check_assignee(assignee)
    previous = task.assignee.email if task.assignee else "nobody"
    task.assignee = assignee
    db.session.flush()
    record(
        "task_reassigned",
        "family",
        task.family.reference,
        f"Task {task.id} reassigned from {previous} to {assignee.email}",
        actor=actor,
    )
    if assignee is not actor:
        giver = getattr(actor, "name", None) or "A colleague"
        notify(
            assignee,
            NotificationKind.TASK_ASSIGNED,
            f"{giver} gave you a task for {task.family.name} ({task.family.reference}): {task.title}, "
            f"due {date_in_words(task.due_on)}",
            site_path("tasks.my_tasks"),
            email=(
                "A task was given to you in Resettle",
                f"{giver} gave you a task for family {task.family.reference}: {task.title}, due "
                f"{date_in_words(task.due_on)}.\n\nSee your tasks in Resettle.",
            ),
        )
    return task


def snooze_task(task: Task, until: date, reason: str, actor: Any, today: date) -> Task:
    _check_open(task)
    if until <= today:
        raise FamilyError("until", "Snooze until date must be in the future")
    if until > today + timedelta(days=LONGEST_SNOOZE_DAYS):
        raise FamilyError("until", f"Snooze until date must be within {LONGEST_SNOOZE_DAYS} days")
    if not reason.strip():
        raise FamilyError("reason", "Enter why the task is snoozed")
    task.snoozed_until, task.snooze_reason = until, reason.strip()[:500]
    db.session.flush()
    record(
        "task_snoozed",
        "family",
        task.family.reference,
        f"Task {task.id} snoozed until {until} (reason on the task)",
        actor=actor,
    )
    return task
