"""Administrators read and filter the audit log, and export it as CSV. There is no edit or delete."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from wtforms.fields.choices import SelectChoice

from resettle.audit import bp
from resettle.audit.forms import AuditFilterForm
from resettle.audit.models import AuditEvent
from resettle.audit.services import (
    AuditCursor,
    AuditFilters,
    audit_page,
    audit_query,
    known_actions,
    known_object_types,
)
from resettle.auth.models import Role
from resettle.auth.permissions import roles_required
from resettle.web.csv_export import csv_response, streamed_columns
from resettle.web.query import query_text
from resettle.web.templating import code_label


def _filters_from_request() -> tuple[AuditFilterForm, AuditFilters]:
    form = AuditFilterForm(request.args)
    # The choices are a fixed list (resettle/audit/actions.py), never read from the log itself.
    actions = known_actions(query_text("action", 64) or None)
    object_types = known_object_types(query_text("object_type", 64) or None)
    form.action.choices = [SelectChoice("", "Any action")] + [SelectChoice(a, code_label(a)) for a in actions]
    form.object_type.choices = [SelectChoice("", "Any record type")] + [
        SelectChoice(t, code_label(t)) for t in object_types
    ]
    filters = AuditFilters()
    if request.args and form.validate():
        filters = AuditFilters(
            action=form.action.data or None,
            object_type=form.object_type.data or None,
            object_id=(form.object_id.data or "").strip() or None,
            actor_email=(form.actor_email.data or "").strip() or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    return form, filters


@bp.route("/")
@roles_required(Role.ADMIN)
def audit_log() -> str:
    form, filters = _filters_from_request()
    page = audit_page(
        audit_query(filters, current_app.config["DISPLAY_TIMEZONE"]),
        before=AuditCursor.parse(query_text("before", 40)),
        after=AuditCursor.parse(query_text("after", 40)),
    )
    # Page links keep the filters and replace the position.
    filter_args = {k: v for k, v in request.args.items() if k not in ("before", "after", "page")}
    return render_template("audit/log.html", form=form, page=page, filter_args=filter_args)


@bp.route("/export.csv")
@roles_required(Role.ADMIN)
def export_audit_log() -> Response:
    _, filters = _filters_from_request()
    columns = (
        AuditEvent.occurred_at,
        AuditEvent.actor_email,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.summary,
        AuditEvent.ip_address,
    )
    statement = audit_query(filters, current_app.config["DISPLAY_TIMEZONE"]).with_only_columns(*columns)
    header = ["occurred_at_utc", "actor_email", "action", "object_type", "object_id", "summary", "ip_address"]

    def to_row(e: Any) -> list[Any]:
        occurred_at, actor_email, action, object_type, object_id, summary, ip_address = e
        return [
            occurred_at.isoformat(),
            actor_email or "",
            action,
            object_type or "",
            object_id or "",
            summary,
            ip_address or "",
        ]

    return csv_response("audit-log.csv", header, streamed_columns(statement, to_row))
