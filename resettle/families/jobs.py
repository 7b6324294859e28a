"""Scheduled family jobs, run by the scheduler process. Both are safe to run twice on the same day."""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from sqlalchemy import select

from resettle.auth.models import User
from resettle.clock import local_today
from resettle.dataprotection.restriction import may_process
from resettle.extensions import db
from resettle.families.housing import recompute_all_housing_needs
from resettle.families.models import OverdueReminder, Task
from resettle.families.queries import overdue_tasks
from resettle.jobs import register_job
from resettle.notifications.email import queue_email


def _tasks_link() -> str:
    base = str(current_app.config.get("BASE_URL", "")).rstrip("/")
    with current_app.test_request_context():
        return base + url_for("tasks.my_tasks")


def _reminder_body(user: User, tasks: list[Task], today: date) -> str:
    # No family names or details by email: the reference and task are enough to find the case.
    lines = [f"Hello {user.name},", "", f"You have {len(tasks)} overdue task{'s' if len(tasks) != 1 else ''}:", ""]
    for task in tasks:
        days = (today - task.due_on).days
        lines.append(f"- {task.title} (family {task.family.reference}), {days} day{'s' if days != 1 else ''} overdue")
    lines += ["", f"See your tasks: {_tasks_link()}"]
    return "\n".join(lines)


def send_overdue_task_reminders(today: date | None = None) -> int:
    """One email a day to each active caseworker with overdue tasks. Returns how many were queued."""
    today = today or local_today()
    by_user: dict[int, list[Task]] = {}
    for task in overdue_tasks(today):
        if task.assignee is not None and task.assignee.is_active_account and may_process(task.family):
            by_user.setdefault(task.assignee.id, []).append(task)
    already_sent = set(
        db.session.execute(select(OverdueReminder.user_id).where(OverdueReminder.sent_on == today)).scalars()
    )
    queued = 0
    for user_id, tasks in by_user.items():
        if user_id in already_sent:
            continue
        user = db.session.get_one(User, user_id)
        subject = f"{len(tasks)} overdue task{'s' if len(tasks) != 1 else ''} in Resettle"
        queue_email(user.email, subject, _reminder_body(user, tasks, today))
        db.session.add(OverdueReminder(user_id=user_id, sent_on=today, task_count=len(tasks)))
        queued += 1
    db.session.flush()
    return queued


def recompute_bedrooms(today: date | None = None) -> int:
    """Recompute open housing needs from the bedroom standard (children turning 10 or 16 change it)."""
    return recompute_all_housing_needs(today or local_today())


@register_job("overdue_task_reminders", "cron", "Email each caseworker their overdue tasks", hour=7, minute=30)
def overdue_task_reminders_job() -> int:
    return send_overdue_task_reminders()


@register_job(
    "recompute_bedroom_standard", "cron", "Recompute housing needs from the bedroom standard", hour=2, minute=15
)
def recompute_bedroom_standard_job() -> int:
    return recompute_bedrooms()
