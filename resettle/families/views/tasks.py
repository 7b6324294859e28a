"""My tasks, the team's overdue tasks, and completing, reassigning and snoozing a task."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth.models import CASE_STAFF, User
from resettle.auth.permissions import roles_required
from resettle.bounds import parse_id
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families import bp, tasks_bp
from resettle.families.errors import FamilyError
from resettle.families.forms import (
    AddTaskForm,
    BulkCompleteTasksForm,
    CompleteTaskForm,
    ReassignTaskForm,
    SnoozeTaskForm,
)
from resettle.families.models import Task
from resettle.families.queries import (
    TASK_WINDOWS,
    TaskFilters,
    get_family_or_404,
    get_task_or_404,
    group_by_assignee,
    group_tasks,
    my_tasks_query,
    task_window_counts,
    tasks_by_ids,
    team_tasks_query,
)
from resettle.families.tasks import add_task, complete_task, complete_tasks, reassign_task, snooze_task
from resettle.families.views.helpers import caseworker_choices, family_url, int_or_none, safe_next
from resettle.need_to_know.policy import family_name_visibility
from resettle.web.forms import required, show_field_error
from resettle.web.pagination import page_of, paginate
from resettle.web.query import query_text

TEAM_TASKS_PER_PAGE = 50
MY_TASKS_PER_PAGE = 50


# Most ticked tasks one "Mark selected tasks as done" takes: more than a page of team tasks is not a choice.
MOST_TASKS_AT_ONCE = 200


def _task_filters(default_window: str = "") -> TaskFilters:
    """The filters in the query string; with none at all, `default_window`."""
    window = query_text("window", 16) if request.args else default_window
    return TaskFilters(
        family=query_text("family", 100),
        window=window if window in TASK_WINDOWS else "",
        assignee=query_text("assignee", 12),
        viewer_id=current_user.id,
        names=family_name_visibility(current_user),
    )


@dataclass
class TaskSection:
    """One due window of My tasks: its heading, how many of the viewer's tasks it holds in all, and those of
    them on this page."""

    label: str
    total: int
    tasks: list[Task]


# My tasks' sections, in the page's order, with their headings.
MY_TASK_SECTIONS = {
    "overdue": "Overdue",
    "this_week": "Due in the next 7 days",
    "later": "Later",
    "snoozed": "Snoozed",
}


@tasks_bp.route("/")
@roles_required(*CASE_STAFF)
def my_tasks() -> str:
    today = local_today()
    filters = _task_filters()
    statement = my_tasks_query(current_user, today, filters)
    counts = task_window_counts(statement, today)
    page = page_of(statement, sum(counts.values()), per_page=MY_TASKS_PER_PAGE)
    on_page = group_tasks(page.items, today)
    sections = [
        TaskSection(label, counts[key], tasks)
        for key, label in MY_TASK_SECTIONS.items()
        if (tasks := getattr(on_page, key))
    ]
    return render_template(
        "families/my_tasks.html",
        sections=sections,
        page=page,
        today=today,
        filters=filters,
        windows=TASK_WINDOWS,
        bulk_form=BulkCompleteTasksForm(),
        here=request.full_path.rstrip("?"),
    )


@tasks_bp.route("/team")
@roles_required(*CASE_STAFF)
def team_tasks() -> str:
    today = local_today()
    filters = _task_filters(default_window="overdue")
    page = paginate(team_tasks_query(today, filters), per_page=TEAM_TASKS_PER_PAGE)
    return render_template(
        "families/team_tasks.html",
        teams=group_by_assignee(page.items),
        today=today,
        page=page,
        filters=filters,
        windows=TASK_WINDOWS,
        assignees=caseworker_choices("Anyone"),
        bulk_form=BulkCompleteTasksForm(),
        here=request.full_path.rstrip("?"),
    )


@tasks_bp.route("/complete", methods=["POST"])
@roles_required(*CASE_STAFF)
def complete_selected() -> Response:
    form = BulkCompleteTasksForm()
    destination = safe_next(url_for("tasks.my_tasks"))
    if not form.validate_on_submit():
        flash("The tasks could not be marked as done. Reload the page and try again.", "error")
        return redirect(destination)
    ids = sorted({task_id for value in request.form.getlist("task") if (task_id := parse_id(value)) is not None})
    if not ids:
        flash("Select at least one task to mark as done", "error")
        return redirect(destination)
    if len(ids) > MOST_TASKS_AT_ONCE:
        flash(f"Select at most {MOST_TASKS_AT_ONCE} tasks at once", "error")
        return redirect(destination)
    outcome = complete_tasks(tasks_by_ids(ids), current_user, asked=len(ids))
    flash(outcome.message, "success" if outcome.done and not outcome.refused and not outcome.not_found else "error")
    return redirect(destination)


@tasks_bp.route("/<int:task_id>/complete", methods=["POST"])
@roles_required(*CASE_STAFF)
def complete(task_id: int) -> Response:
    task = get_task_or_404(task_id)
    form = CompleteTaskForm()
    destination = safe_next(url_for("tasks.my_tasks"))
    if not form.validate_on_submit():
        flash("The task could not be marked as done. Reload the page and try again.", "error")
        return redirect(destination)
    try:
        complete_task(task, current_user, form.evidence.data or "")
    except FamilyError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(f"Done: {task.title}", "success")
    return redirect(destination)


@tasks_bp.route("/<int:task_id>/reassign", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def reassign(task_id: int) -> str | Response:
    task = get_task_or_404(task_id)
    form = ReassignTaskForm(data={"assignee": str(task.assignee_id or "")})
    form.assignee.choices = caseworker_choices("Select a caseworker")
    if form.validate_on_submit():
        assignee_id = int_or_none(form.assignee.data)
        try:
            reassign_task(task, db.session.get(User, assignee_id) if assignee_id else None, current_user)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash(f"Task given to {required(task.assignee).name}", "success")
            return redirect(safe_next(url_for("tasks.my_tasks")))
    return render_template("families/task_form.html", form=form, task=task, title="Reassign a task")


@tasks_bp.route("/<int:task_id>/snooze", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def snooze(task_id: int) -> str | Response:
    task = get_task_or_404(task_id)
    form = SnoozeTaskForm()
    if form.validate_on_submit():
        try:
            snooze_task(task, required(form.until.data), form.reason.data or "", current_user, local_today())
        except FamilyError as error:
            show_field_error(form, error)
        else:
            until = required(task.snoozed_until)
            flash(f"Task snoozed until {until.day} {until:%B %Y}", "success")
            return redirect(safe_next(url_for("tasks.my_tasks")))
    return render_template("families/task_form.html", form=form, task=task, title="Snooze a task")


@bp.route("/<reference>/tasks/new", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def add_family_task(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    form = AddTaskForm(data={"assignee": str(family.caseworker_id or "")})
    form.assignee.choices = caseworker_choices("Select a caseworker")
    if form.validate_on_submit():
        assignee_id = int_or_none(form.assignee.data)
        try:
            add_task(
                family,
                form.title.data or "",
                required(form.due_on.data),
                db.session.get(User, assignee_id) if assignee_id else None,
                current_user,
            )
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash("Task added", "success")
            return redirect(family_url(family, "tasks"))
    return render_template("families/simple_form.html", form=form, family=family, title="Add a task")
