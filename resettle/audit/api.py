"""The audit log through the API: administrators read it with the page's filters, newest first, a page at a
time after a cursor (keyset pagination: steady while new entries are written). There is no write: entries
are made only by `record`, alongside the changes they describe."""

from __future__ import annotations

from typing import Any

from flask import current_app

from resettle.api.blueprint import ApiBlueprint
from resettle.api.pagination import Page, keyset_page, page_schema
from resettle.audit.models import AuditEvent
from resettle.audit.schemas import AuditEventSchema, AuditFiltersSchema
from resettle.audit.services import AuditFilters, audit_query
from resettle.auth.models import Role
from resettle.auth.permissions import roles_required

blp = ApiBlueprint("audit", __name__, tag="Audit log", url_prefix="/audit-events", description="The audit log")
AuditEventPageSchema = page_schema(AuditEventSchema)


@blp.route("")
@roles_required(Role.ADMIN)
@blp.arguments(AuditFiltersSchema, location="query")
@blp.response(200, AuditEventPageSchema)
def list_audit_events(args: dict[str, Any]) -> Page:
    """Entries newest first. Dates are London dates; `actor_email` matches part of the email."""
    filters = AuditFilters(
        action=args.get("action") or None,
        object_type=args.get("object_type") or None,
        object_id=args.get("object_id") or None,
        actor_email=args.get("actor_email") or None,
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
    )
    statement = audit_query(filters, current_app.config["DISPLAY_TIMEZONE"]).order_by(None)
    return keyset_page(statement, [AuditEvent.occurred_at.desc(), AuditEvent.id.desc()], args)
