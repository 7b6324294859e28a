"""Read-side helpers for family pages: the searchable list, task lists, the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, union
from sqlalchemy.orm import aliased, joinedload, selectinload

from resettle.auth.models import Role, User
from resettle.extensions import db
from resettle.families.models import (
    CaseNote,
    ConsentRecord,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Member,
    Need,
    NeedStatus,
    Scheme,
    Task,
    TaskStatus,
)
from resettle.search import contains_text

if TYPE_CHECKING:
    from resettle.need_to_know.policy import FamilyNameVisibility


@dataclass
class FamilyFilters:
    search: str = ""
    status: str = ""
    scheme: str = ""
    caseworker_id: int | None = None


def family_list_conditions(filters: FamilyFilters) -> list[ColumnElement[bool]]:
    """The conditions of the family list's filters (the list page and its CSV share them)."""
    conditions: list[ColumnElement[bool]] = []
    term = filters.search.strip()
    if term:
        # Two index lookups (trigram indexes on PostgreSQL: resettle/search.py) rather than a test of every
        # family's members.
        by_family = select(Family.id).where(
            or_(
                contains_text(Family.reference, term),
                contains_text(Family.name, term),
                contains_text(Family.postcode, term),
            )
        )
        by_member = select(Member.family_id).where(contains_text(Member.full_name, term))
        conditions.append(Family.id.in_(union(by_family, by_member).subquery().select()))
    if filters.status in set(FamilyStatus):
        conditions.append(Family.status == FamilyStatus(filters.status))
    if filters.scheme in set(Scheme):
        conditions.append(Family.scheme == Scheme(filters.scheme))
    if filters.caseworker_id:
        conditions.append(Family.caseworker_id == filters.caseworker_id)
    return conditions


FAMILY_LIST_ORDER = (Family.referral_date.desc(), Family.id.desc())


def family_list_query(filters: FamilyFilters) -> Select[Any]:
    return (
        select(Family)
        .options(selectinload(Family.caseworker))
        .where(*family_list_conditions(filters))
        .order_by(*FAMILY_LIST_ORDER)
    )


def get_family_or_404(reference: str) -> Family:
    family: Family = db.first_or_404(select(Family).where(Family.reference == reference))
    return family


def get_task_or_404(task_id: int) -> Task:
    # The task's pages show its family and assignee: load them with it, so the page's statements are fixed.
    task = db.session.get(
        Task, task_id, options=[joinedload(Task.family), joinedload(Task.assignee)], populate_existing=True
    )
    if task is None:
        abort(404)
    return task


def caseworkers() -> list[User]:
    """People who hold cases and tasks."""
    statement = select(User).where(User.role.in_([Role.CASEWORKER, Role.ADMIN]), User.is_active_account.is_(True))
    return list(db.session.execute(statement.order_by(User.name)).scalars())


@dataclass
class TaskGroups:
    overdue: list[Task]
    this_week: list[Task]
    later: list[Task]
    snoozed: list[Task]


def open_tasks_query() -> Select[Any]:
    return (
        select(Task)
        .where(Task.status == TaskStatus.OPEN)
        .options(selectinload(Task.family))
        .order_by(Task.due_on, Task.id)
    )


def group_tasks(tasks: list[Task], today: date) -> TaskGroups:
    """Overdue; due within the next 7 days; later. Snoozed tasks stand apart until their date."""
    week_end = today + timedelta(days=7)
    groups = TaskGroups([], [], [], [])
    for task in tasks:
        if task.is_snoozed(today):
            groups.snoozed.append(task)
        elif task.due_on < today:
            groups.overdue.append(task)
        elif task.due_on <= week_end:
            groups.this_week.append(task)
        else:
            groups.later.append(task)
    return groups


def _window_conditions(today: date, task: Any = Task) -> dict[str, ColumnElement[bool]]:
    """Each due window of TASK_WINDOWS as a condition on open tasks (`task`: the Task entity or an alias of it),
    as group_tasks sorts them in Python."""
    not_snoozed = or_(task.snoozed_until.is_(None), task.snoozed_until <= today)
    week_end = today + timedelta(days=7)
    return {
        "overdue": and_(not_snoozed, task.due_on < today),
        "this_week": and_(not_snoozed, task.due_on >= today, task.due_on <= week_end),
        "later": and_(not_snoozed, task.due_on > week_end),
        "snoozed": task.snoozed_until > today,
    }


def my_tasks_query(user: User, today: date, filters: TaskFilters | None = None) -> Select[Any]:
    """The user's open tasks narrowed to `filters`, in My tasks' order: overdue, due in the next 7 days, later,
    snoozed; by due date within each. One page of it at a time."""
    window_order = case(
        (Task.snoozed_until > today, 3),
        (Task.due_on < today, 0),
        (Task.due_on <= today + timedelta(days=7), 1),
        else_=2,
    )
    statement = open_tasks_query().where(Task.assignee_id == user.id).order_by(None)
    statement = statement.order_by(window_order, Task.due_on, Task.id)
    return filter_tasks(statement, filters, today) if filters is not None else statement


def task_window_counts(statement: Select[Any], today: date) -> dict[str, int]:
    """How many of the statement's tasks fall in each due window (a key of TASK_WINDOWS): one statement,
    whatever the number of tasks."""
    counted = aliased(Task, statement.order_by(None).subquery())
    windows = _window_conditions(today, counted)
    row = db.session.execute(
        select(*(func.count(counted.id).filter(condition).label(key) for key, condition in windows.items()))
    ).one()
    return {key: int(row._mapping[key] or 0) for key in windows}


# The due windows a task list can be narrowed to, as My tasks groups them.
TASK_WINDOWS: dict[str, str] = {
    "overdue": "Overdue",
    "this_week": "Due in the next 7 days",
    "later": "Due later",
    "snoozed": "Snoozed",
}


@dataclass
class TaskFilters:
    """What a task list is narrowed to: a family (reference, or name where the viewer may see it), a due window
    (a key of TASK_WINDOWS) and an assignee ("me", "nobody" or a user id)."""

    family: str = ""
    window: str = ""
    assignee: str = ""
    viewer_id: int | None = None
    names: FamilyNameVisibility | None = None


def filter_tasks(statement: Select[Any], filters: TaskFilters, today: date) -> Select[Any]:
    """`statement` (over open tasks) narrowed to `filters`, in SQL, so a page of it is still one query."""
    windows = _window_conditions(today)
    if filters.window in windows:
        statement = statement.where(windows[filters.window])
    if filters.family:
        term = f"%{filters.family}%"
        by_reference = Task.family.has(Family.reference.ilike(term))
        if filters.names is not None:
            by_name = Task.family.has(and_(Family.name.ilike(term), filters.names.clause()))
            statement = statement.where(or_(by_reference, by_name))
        else:
            statement = statement.where(by_reference)
    if filters.assignee == "me" and filters.viewer_id is not None:
        statement = statement.where(Task.assignee_id == filters.viewer_id)
    elif filters.assignee == "nobody":
        statement = statement.where(Task.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        statement = statement.where(Task.assignee_id == int(filters.assignee))
    return statement


def team_tasks_query(today: date, filters: TaskFilters) -> Select[Any]:
    """The team's open tasks narrowed to `filters`, by assignee name (unassigned ones last), then by due date:
    one page of it at a time."""
    return filter_tasks(
        open_tasks_query()
        .outerjoin(User, Task.assignee_id == User.id)
        .options(selectinload(Task.assignee))
        .order_by(None)
        .order_by(User.name.is_(None), User.name, User.id, Task.due_on, Task.id),
        filters,
        today,
    )


def tasks_by_ids(task_ids: list[int]) -> list[Task]:
    """The chosen tasks (open or not, so a closed one can be named) with their families, in one statement."""
    if not task_ids:
        return []
    statement = select(Task).where(Task.id.in_(task_ids)).options(joinedload(Task.family)).order_by(Task.id)
    return list(db.session.execute(statement).unique().scalars())


def overdue_tasks(today: date, assignee_id: int | None = None) -> list[Task]:
    statement = (
        open_tasks_query()
        .where(Task.due_on < today, or_(Task.snoozed_until.is_(None), Task.snoozed_until <= today))
        .options(selectinload(Task.assignee))
    )
    if assignee_id is not None:
        statement = statement.where(Task.assignee_id == assignee_id)
    return list(db.session.execute(statement).scalars())


def team_overdue_query(today: date) -> Select[Any]:
    """Every overdue task of the team, by assignee name (unassigned ones last), then by due date: one page of
    it at a time."""
    return (
        open_tasks_query()
        .where(Task.due_on < today, or_(Task.snoozed_until.is_(None), Task.snoozed_until <= today))
        .outerjoin(User, Task.assignee_id == User.id)
        .options(selectinload(Task.assignee))
        .order_by(None)
        .order_by(User.name.is_(None), User.name, User.id, Task.due_on, Task.id)
    )


def group_by_assignee(tasks: list[Task]) -> dict[str, list[Task]]:
    """Tasks by assignee name (unassigned ones under "Nobody"), keeping their order."""
    teams: dict[str, list[Task]] = {}
    for task in tasks:
        teams.setdefault(task.assignee.name if task.assignee else "Nobody", []).append(task)
    return teams


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    text: str
    by: str


def timeline(family: Family) -> list[TimelineEntry]:
    """Case notes, needs raised, tasks completed and status changes, newest first."""
    entries: list[TimelineEntry] = []

    def name(user: Any) -> str:
        return user.name if user is not None else "The system"

    notes = db.session.execute(select(CaseNote).where(CaseNote.family_id == family.id)).scalars()
    entries += [TimelineEntry(note.created_at, "Case note", note.body, name(note.author)) for note in notes]
    entries += [
        TimelineEntry(need.raised_at, "Need raised", f"{need.title} (priority {need.priority})", name(need.raised_by))
        for need in family.needs
    ]
    entries += [
        TimelineEntry(task.completed_at, "Task completed", task.title, name(task.completed_by))
        for task in family.tasks
        if task.completed_at is not None
    ]
    changes = db.session.execute(select(FamilyStatusChange).where(FamilyStatusChange.family_id == family.id)).scalars()
    entries += [
        TimelineEntry(
            change.changed_at,
            "Status",
            f"{change.to_status.label}" + (f": {change.reason}" if change.reason else ""),
            name(change.changed_by),
        )
        for change in changes
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def current_consents(family: Family) -> list[ConsentRecord]:
    """The newest record for each purpose: the consent in force."""
    statement = (
        select(ConsentRecord)
        .where(ConsentRecord.family_id == family.id)
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
    )
    latest: dict[str, ConsentRecord] = {}
    for consent in db.session.execute(statement).scalars():
        latest.setdefault(consent.purpose.value, consent)
    return list(latest.values())


def open_needs(family: Family) -> list[Need]:
    return [need for need in family.needs if need.status.value in ("open", "matched")]


def families_by_name() -> list[Family]:
    return list(db.session.execute(select(Family).order_by(Family.name)).scalars())


def get_family_by_reference(reference: str) -> Family | None:
    return db.session.execute(select(Family).where(Family.reference == reference)).scalar_one_or_none()


def open_needs_of(family: Family) -> list[Need]:
    """Needs still to meet (open or matched), oldest first."""
    statement = (
        select(Need)
        .where(Need.family_id == family.id, Need.status.in_([NeedStatus.OPEN, NeedStatus.MATCHED]))
        .order_by(Need.raised_at)
    )
    return list(db.session.execute(statement).scalars())


def find_member_by_name(reference: str, full_name: str) -> Member | None:
    """The member of the family with this reference whose name matches, ignoring case (a subject access request)."""
    return db.session.execute(
        select(Member)
        .join(Family, Family.id == Member.family_id)
        .where(Family.reference == reference.upper(), func.lower(Member.full_name) == full_name.lower())
    ).scalar_one_or_none()


def family_export_query(filters: FamilyFilters) -> Select[Any]:
    """The family list as exported to CSV, one row of plain columns per family: the caseworker joined and the
    members counted in the same statement, so no record is loaded per row. Restricted families stay on record
    but are not exported."""
    from resettle.dataprotection.restriction import processing_allowed

    caseworker = aliased(User)
    current_members = (
        select(func.count(Member.id))
        .where(Member.family_id == Family.id, Member.left_on.is_(None))
        .correlate(Family)
        .scalar_subquery()
    )
    return (
        select(
            Family.reference,
            Family.name,
            Family.scheme,
            Family.status,
            Family.referral_date,
            Family.arrival_date,
            caseworker.name,
            Family.postcode,
            current_members,
        )
        .outerjoin(caseworker, caseworker.id == Family.caseworker_id)
        .where(*family_list_conditions(filters), processing_allowed())
        .order_by(*FAMILY_LIST_ORDER)
    )


def family_export_count(filters: FamilyFilters) -> int:
    """How many families the CSV export holds."""
    from resettle.dataprotection.restriction import processing_allowed

    statement = select(func.count(Family.id)).where(*family_list_conditions(filters), processing_allowed())
    return int(db.session.execute(statement).scalar_one())
