"""Matching pages: proposals for the caseload and per family, accept / reject / pick by hand, fulfil, run
matching now, the history of runs and the gap report. Every POST is CSRF-checked by the app."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from resettle.audit.services import record
from resettle.auth.models import CASE_STAFF, Role
from resettle.auth.permissions import STAFF, roles_required
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import Need, NeedStatus
from resettle.families.queries import get_family_or_404
from resettle.matching.forms import CancelMatchForm, PickOfferForm, RejectForm
from resettle.matching.gap_report import (
    GapGroup,
    blocking_rules,
    gap_cells,
    gap_export_query,
    gap_groups,
    rule_labels,
)
from resettle.matching.models import Match, Proposal, RunTrigger, UnmetReason
from resettle.matching.picking import PICK_PAGE_SIZE, candidates_for, pick_compatible_offer
from resettle.matching.queries import (
    family_matching,
    gone_offer_matches,
    open_proposals_query,
    proposals_export_query,
    runs_query,
)
from resettle.matching.runs import RunInProgress, get_request, latest_run, live_request, request_run
from resettle.matching.services import (
    MatchError,
    accept_proposal,
    cancel_match,
    fulfil_match,
    reject_proposal,
)
from resettle.need_to_know.policy import family_name_visibility
from resettle.offers.models import offer_title
from resettle.offers.rules import LANGUAGE_LABELS
from resettle.taxonomy import ITEM_KINDS, Category
from resettle.web.csv_export import csv_response, streamed_columns, streamed_groups
from resettle.web.pagination import list_page, paginate
from resettle.web.query import query_text
from resettle.web.search import MAX_SEARCH_LENGTH

bp = Blueprint("matching", __name__, url_prefix="/matching")
bp.add_app_template_filter(rule_labels, "rule_labels")
CONFLICT = 409
PROGRESS_REFRESH_SECONDS = 3


def _family_page(family: Any, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("matching/family.html", view=family_matching(family), run=latest_run(), error=error), status


@bp.route("/")
@roles_required(*CASE_STAFF)
def caseload_proposals() -> str:
    search = query_text("q", MAX_SEARCH_LENGTH)
    names = family_name_visibility(current_user)
    return render_template(
        "matching/caseload.html",
        page=paginate(open_proposals_query(search, names)),
        search=search,
        run=latest_run(),
        live=live_request(),
        gone=gone_offer_matches(current_user.id if current_user.role == Role.CASEWORKER else None),
        csv_args={"q": search} if search else {},
    )


PROPOSALS_CSV_HEADER = (
    "family_reference",
    "family_name",
    "need",
    "priority",
    "needed_by",
    "offer_reference",
    "offer",
    "charge_pence",
    "stream",
    "distance_km",
    "caseworker",
)


@bp.route("/proposals.csv")
@roles_required(*CASE_STAFF)
def export_proposals() -> Response:
    """The proposals waiting for a decision, with the page's search (CSV keeps ISO dates and pence)."""
    search = query_text("q", MAX_SEARCH_LENGTH)
    names = family_name_visibility(current_user)
    record("proposals_exported", "match_run", None, "Proposals waiting for a decision exported to CSV")
    # A need's title worked out once for each category and item, not for every proposal.
    need_titles: dict[tuple[Any, Any], str] = {}
    shows_family = names.shows_family

    def to_row(rows: list[Any]) -> tuple[Any, ...]:
        (_, family_id, family_reference, family_name, caseworker_id, need_category, need_item, priority) = rows[0][:8]
        (needed_by, offer_reference, offer_category, bedrooms, description, chosen_kind) = rows[0][8:14]
        (charge_pence, stream_code, distance_km, caseworker_name) = rows[0][14:18]
        if chosen_kind is not None:
            offered = ITEM_KINDS[chosen_kind].label
        else:
            items = [(row[18], row[19]) for row in rows if row[19] is not None]
            offered = offer_title(offer_category, bedrooms, items, description)
        need_title = need_titles.get((need_category, need_item))
        if need_title is None:
            need_title = need_titles[need_category, need_item] = Need.title_of(need_category, need_item)
        return (
            family_reference,
            family_name if shows_family(family_id, caseworker_id) else "",
            need_title,
            priority,
            needed_by.isoformat() if needed_by else "",
            offer_reference,
            offered,
            charge_pence,
            stream_code or "",
            f"{distance_km:.1f}" if distance_km is not None else "",
            caseworker_name or "",
        )

    rows = streamed_groups(proposals_export_query(search, names), lambda row: row[0])
    return csv_response("proposals.csv", PROPOSALS_CSV_HEADER, map(to_row, rows))


@bp.route("/run", methods=["POST"])
@roles_required(*CASE_STAFF)
def run_now() -> Response:
    """Queue a run for the scheduler and show its progress: the page answers at once whatever the size."""
    try:
        queued = request_run(current_user, RunTrigger.MANUAL)
    except RunInProgress as busy:
        flash("A matching run is already going. This is its progress; start another once it has finished.", "error")
        if busy.request is None:
            return redirect(url_for("matching.caseload_proposals"))
        return redirect(url_for("matching.run_progress", public_id=busy.request.public_id))
    return redirect(url_for("matching.run_progress", public_id=queued.public_id))


@bp.route("/runs/progress/<public_id>")
@roles_required(*CASE_STAFF)
def run_progress(public_id: str) -> str:
    run_request = get_request(public_id)
    if run_request is None:
        abort(404)
    # Users who need more time can stop the refresh (WCAG 2.2.1, timing adjustable).
    refresh = 0 if request.args.get("refresh") == "off" else PROGRESS_REFRESH_SECONDS
    return render_template("matching/progress.html", run_request=run_request, refresh_seconds=refresh)


@bp.route("/runs")
@roles_required(*STAFF)
def run_history() -> str:
    return render_template("matching/runs.html", page=paginate(runs_query()), live=live_request())


@bp.route("/families/<reference>")
@roles_required(*CASE_STAFF)
def family_proposals(reference: str) -> tuple[str, int]:
    family = get_family_or_404(reference)
    record("family_viewed", "family", family.reference, "Matching proposals viewed")
    return _family_page(family)


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@roles_required(*CASE_STAFF)
def accept(proposal_id: int) -> Response | tuple[str, int]:
    proposal = db.get_or_404(Proposal, proposal_id)
    family = proposal.need.family
    try:
        accept_proposal(proposal, current_user)
    except MatchError as error:
        return _family_page(family, error.message, CONFLICT)
    flash(
        f"Matched: {proposal.need.title} with offer {proposal.offer.reference}. The offerer has been emailed "
        "and a task added.",
        "success",
    )
    return redirect(url_for("matching.family_proposals", reference=family.reference))


@bp.route("/proposals/<int:proposal_id>/reject", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def reject(proposal_id: int) -> str | Response | tuple[str, int]:
    proposal = db.get_or_404(Proposal, proposal_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            reject_proposal(proposal, form.reason.data or "", current_user)
        except MatchError as error:
            if error.field != "reason":
                return _family_page(proposal.need.family, error.message, CONFLICT)
            form.reason.errors = [error.message]
        else:
            flash(f"Rejected: offer {proposal.offer.reference} will not be proposed for this need again", "success")
            return redirect(url_for("matching.family_proposals", reference=proposal.need.family.reference))
    return render_template("matching/reject.html", form=form, proposal=proposal)


@bp.route("/needs/<int:need_id>/pick", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def pick(need_id: int) -> str | Response | tuple[str, int]:
    need = db.get_or_404(Need, need_id)
    day = local_today()
    candidates = candidates_for(need, day) if need.status is NeedStatus.OPEN else []
    compatible = {c.engine_id: c for c in candidates if c.is_compatible}
    # The best PICK_PAGE_SIZE first; the rest a page at a time. Any suitable offer may be posted.
    page = list_page(candidates, PICK_PAGE_SIZE)
    form = PickOfferForm()
    form.offer.choices = [SelectChoice(c.engine_id, c.line.title) for c in page.items if c.is_compatible]
    if form.validate_on_submit():
        try:
            match = pick_compatible_offer(need, form.offer.data or "", current_user, day, compatible)
        except MatchError as error:
            if error.field != "offer" or form.offer.data in compatible:
                return _family_page(need.family, error.message, CONFLICT)
            form.offer.errors = [error.message]
        else:
            flash(
                f"Matched: {need.title} with offer {match.offer.reference}. The offerer has been emailed "
                "and a task added.",
                "success",
            )
            return redirect(url_for("matching.family_proposals", reference=need.family.reference))
    return render_template(
        "matching/pick.html",
        form=form,
        need=need,
        candidates=candidates,
        compatible=compatible,
        page=page,
        language_labels=LANGUAGE_LABELS,
    )


@bp.route("/matches/<int:match_id>/fulfil", methods=["POST"])
@roles_required(*CASE_STAFF)
def fulfil(match_id: int) -> Response | tuple[str, int]:
    match = db.get_or_404(Match, match_id)
    try:
        fulfil_match(match, current_user)
    except MatchError as error:
        return _family_page(match.need.family, error.message, CONFLICT)
    flash(f"Fulfilled: {match.need.title} is met", "success")
    return redirect(url_for("matching.family_proposals", reference=match.need.family.reference))


@bp.route("/matches/<int:match_id>/cancel", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def cancel(match_id: int) -> str | Response | tuple[str, int]:
    match = db.get_or_404(Match, match_id)
    form = CancelMatchForm()
    if form.validate_on_submit():
        try:
            cancel_match(match, form.reason.data or "", current_user)
        except MatchError as error:
            if error.field != "reason":
                return _family_page(match.need.family, error.message, CONFLICT)
            form.reason.errors = [error.message]
        else:
            flash(f"Cancelled: {match.need.title} is open again", "success")
            return redirect(url_for("matching.family_proposals", reference=match.need.family.reference))
    return render_template("matching/cancel.html", form=form, match=match)


@bp.route("/gaps")
@roles_required(*STAFF)
def gap_report() -> str:
    run = latest_run()
    return render_template("matching/gaps.html", groups=gap_groups(gap_cells(run)), run=run)


@bp.route("/gaps.csv")
@roles_required(*STAFF)
def export_gaps() -> Response:
    """Each unmet need with its group's summary: the groups from one grouped query, the needs read as they are
    sent (one statement, however many)."""
    run = latest_run()
    groups = gap_groups(gap_cells(run))
    count = sum(group.need_count for group in groups)
    record("gap_report_exported", "match_run", None, f"{count} unmet needs exported to CSV")
    header = ["Need", "Family reference", "Category", "Item", "Reason", "Blocking rules", "Group"]
    # What a row says besides its need and family, worked out once for each kind of gap.
    summaries = {group.key: group.summary for group in groups}
    described: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def describe(category: Category, item: str | None, reason: UnmetReason, text: str | None) -> tuple[str, ...]:
        blocking = blocking_rules(text)
        key = (category, item, reason, blocking)
        # A need reopened since the groups were counted makes a group of its own.
        summary = summaries.get(key) or GapGroup(category, item, reason, blocking, ()).summary
        return (category.label, item or "", reason.label, ", ".join(blocking), summary)

    def to_row(row: Any) -> tuple[Any, ...]:
        need_id, reference, category, item, reason, text = row
        key = (category, item, reason, text)
        words = described.get(key)
        if words is None:
            words = described[key] = describe(category, item, reason, text)
        return (need_id, reference, *words)

    rows = streamed_columns(gap_export_query(run), to_row) if run is not None else iter(())
    return csv_response("gap-report.csv", header, rows)
