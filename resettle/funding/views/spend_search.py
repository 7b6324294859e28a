"""The spend lists' search and their CSV downloads: the caseworkers' and reviewers' spend list and the reviewers'
queue, each exported with exactly the filters and search on the page (CSV keeps ISO dates and pence)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.audit.services import record
from resettle.auth.models import SPEND_STAFF, Role
from resettle.auth.permissions import roles_required
from resettle.funding import bp
from resettle.funding.review_queries import SpendFilters, spend_export_query
from resettle.funding.spend_models import SpendLine, SpendStatus
from resettle.need_to_know.policy import FamilyNameVisibility, family_name_visibility
from resettle.web.csv_export import csv_response, streamed_columns
from resettle.web.query import query_text
from resettle.web.search import MAX_SEARCH_LENGTH

SPEND_CSV_HEADER = (
    "spend_reference",
    "family_reference",
    "family_name",
    "expense_category",
    "item",
    "offer_reference",
    "stream",
    "spend_date",
    "amount_pence",
    "status",
    "submitted_at_utc",
)


def spend_list_filters() -> SpendFilters:
    """The spend list's status and search, from the query string."""
    status = query_text("status")
    return SpendFilters(
        status=SpendStatus(status) if status in set(SpendStatus) else None,
        family_reference=query_text("family", 16) or None,
        search=query_text("q", MAX_SEARCH_LENGTH),
        names=family_name_visibility(current_user),
    )


def spend_csv(filename: str, filters: SpendFilters) -> Response:
    names: FamilyNameVisibility = filters.names or family_name_visibility(current_user)
    record("spend_exported", "spend", None, "Spend lines exported to CSV")
    # Looked up once, not for every line.
    status_labels = {status: status.label for status in SpendStatus}
    shows_family = names.shows_family

    def to_row(line: Any) -> Sequence[Any]:
        (line_id, family_id, family_reference, family_name, caseworker_id, category, item, offer_reference) = line[:8]
        stream_code, spend_date, amount_pence, status, submitted_at = line[8:]
        return (
            SpendLine.reference_of(line_id),
            family_reference,
            family_name if shows_family(family_id, caseworker_id) else "",
            category,
            item,
            offer_reference or "",
            stream_code,
            spend_date.isoformat(),
            amount_pence,
            status_labels[status],
            submitted_at.isoformat() if submitted_at else "",
        )

    return csv_response(filename, SPEND_CSV_HEADER, streamed_columns(spend_export_query(filters), to_row))


@bp.route("/spend.csv")
@roles_required(*SPEND_STAFF)
def export_spend() -> Response:
    return spend_csv("spend.csv", spend_list_filters())


@bp.route("/review.csv")
@roles_required(Role.REVIEWER)
def export_review_queue() -> Response:
    from resettle.funding.views.review import queue_filters

    _, filters = queue_filters()
    return spend_csv("spend-review.csv", filters)


def csv_link_args() -> dict[str, Any]:
    """The page's own query string, for its "Download as CSV" link (without the page number)."""
    return {key: value for key, value in request.args.items() if key != "page"}
