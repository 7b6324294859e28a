"""Caseworker tasks: arrival checklist items (generated) and tasks added by hand."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, utcnow
from resettle.extensions import Model
from resettle.families.models.columns import enum_column_type

if TYPE_CHECKING:
    from resettle.families.models.family import Family


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"open": "To do", "done": "Done", "cancelled": "Cancelled"}[self.value]


class TaskStage(enum.StrEnum):
    BEFORE_ARRIVAL = "before_arrival"
    ARRIVAL_DAY = "arrival_day"
    FIRST_WEEK = "first_week"
    FIRST_MONTH = "first_month"
    FIRST_TWO_MONTHS = "first_two_months"
    ONGOING = "ongoing"

    @property
    def label(self) -> str:
        return {
            "before_arrival": "Before arrival",
            "arrival_day": "Arrival day",
            "first_week": "First week",
            "first_month": "First month",
            "first_two_months": "By two months",
            "ongoing": "Ongoing",
        }[self.value]


class Task(Model):
    __tablename__ = "tasks"
    __table_args__ = (
        # Generating a family's checklist twice must not duplicate its tasks.
        UniqueConstraint("family_id", "checklist_key", name="uq_tasks_one_task_per_checklist_item"),
        CheckConstraint("(status = 'done') = (completed_at IS NOT NULL)", name="completed_when_done"),
        CheckConstraint("snoozed_until IS NULL OR snooze_reason <> ''", name="snooze_has_reason"),
        # A caseworker's open tasks by due date (home page counts, my tasks), without reading everyone's.
        Index("ix_tasks_assignee_status_due_on", "assignee_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    # The checklist item this task came from (resettle.families.checklists); null for tasks added by hand.
    checklist_key: Mapped[str | None] = mapped_column(String(64), info={"pii": "none"})
    stage: Mapped[TaskStage] = mapped_column(
        enum_column_type(TaskStage, "task_stage"), default=TaskStage.ONGOING, info={"pii": "none"}
    )
    title: Mapped[str] = mapped_column(String(200), info={"pii": "personal", "purpose": "casework"})
    guidance: Mapped[str] = mapped_column(Text, default="", info={"pii": "none"})
    due_on: Mapped[date] = mapped_column(Date, index=True, info={"pii": "none"})
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True, info={"pii": "personal", "purpose": "accountability"}
    )
    status: Mapped[TaskStatus] = mapped_column(
        enum_column_type(TaskStatus, "task_status"), default=TaskStatus.OPEN, index=True, info={"pii": "none"}
    )
    # Snoozed tasks are left out of overdue lists and reminders until this date.
    snoozed_until: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    snooze_reason: Mapped[str] = mapped_column(String(500), default="", info={"pii": "personal", "purpose": "casework"})
    evidence: Mapped[str] = mapped_column(Text, default="", info={"pii": "personal", "purpose": "casework"})
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    completed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    family: Mapped[Family] = relationship(back_populates="tasks")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    def is_overdue(self, today: date) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on < today and not self.is_snoozed(today)

    def is_snoozed(self, today: date) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > today


class OverdueReminder(Model):
    """One row per caseworker per day an overdue-task email was queued, so running the job twice sends once."""

    __tablename__ = "overdue_reminders"
    __table_args__ = (UniqueConstraint("user_id", "sent_on", name="uq_overdue_reminders_one_a_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), info={"pii": "personal", "purpose": "accountability"}
    )
    sent_on: Mapped[date] = mapped_column(Date, info={"pii": "none"})
    task_count: Mapped[int] = mapped_column(Integer, info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
