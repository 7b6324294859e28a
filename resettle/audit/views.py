"""Administrators read and filter the audit log, and export it as CSV. There is no edit or delete."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from wtforms.fields.choices import SelectChoice

from resettle.audit import bp
from resettle.audit.forms import AuditFilterForm
from resettle.audit.services import AuditFilters, audit_query, known_actions, known_object_types
from resettle.auth.models import Role
from resettle.auth.permissions import roles_required
from resettle.web.csv_export import csv_response, streamed_rows
from resettle.web.pagination import paginate
from resettle.web.templating import code_label


def _filters_from_request() -> tuple[AuditFilterForm, AuditFilters]:
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "Any action")] + [SelectChoice(a, code_label(a)) for a in known_actions()]
    form.object_type.choices = [SelectChoice("", "Any record type")] + [
        SelectChoice(t, code_label(t)) for t in known_object_types()
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
    page = paginate(audit_query(filters, current_app.config["DISPLAY_TIMEZONE"]), per_page=50)
    return render_template("audit/log.html", form=form, page=page)


@bp.route("/export.csv")
@roles_required(Role.ADMIN)
def export_audit_log() -> Response:
    _, filters = _filters_from_request()
    statement = audit_query(filters, current_app.config["DISPLAY_TIMEZONE"])
    header = ["occurred_at_utc", "actor_email", "action", "object_type", "object_id", "summary", "ip_address"]

    def to_row(e: Any) -> list[Any]:
        return [
            e.occurred_at.isoformat(),
            e.actor_email or "",
            e.action,
            e.object_type or "",
            e.object_id or "",
            e.summary,
            e.ip_address or "",
        ]

    return csv_response("audit-log.csv", header, streamed_rows(statement, to_row))
