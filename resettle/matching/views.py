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
from resettle.matching.gap_report import gap_groups, gap_rows
from resettle.matching.models import Match, Proposal, RunTrigger
from resettle.matching.picking import candidates_for
from resettle.matching.queries import (
    family_matching,
    gone_offer_matches,
    open_proposals_query,
    runs_query,
)
from resettle.matching.runs import RunInProgress, get_request, latest_run, live_request, request_run
from resettle.matching.services import (
    MatchError,
    accept_proposal,
    cancel_match,
    fulfil_match,
    pick_offer,
    reject_proposal,
)
from resettle.web.csv_export import csv_response
from resettle.web.pagination import paginate

bp = Blueprint("matching", __name__, url_prefix="/matching")
CONFLICT = 409
PROGRESS_REFRESH_SECONDS = 3


def _family_page(family: Any, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("matching/family.html", view=family_matching(family), run=latest_run(), error=error), status


@bp.route("/")
@roles_required(*CASE_STAFF)
def caseload_proposals() -> str:
    return render_template(
        "matching/caseload.html",
        page=paginate(open_proposals_query()),
        run=latest_run(),
        live=live_request(),
        gone=gone_offer_matches(current_user.id if current_user.role == Role.CASEWORKER else None),
    )


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
    candidates = candidates_for(need, local_today()) if need.status is NeedStatus.OPEN else []
    compatible = {c.engine_id: c for c in candidates if c.is_compatible}
    form = PickOfferForm()
    form.offer.choices = [SelectChoice(key, c.line.title) for key, c in compatible.items()]
    if form.validate_on_submit():
        chosen = compatible.get(form.offer.data or "")
        if chosen is None:
            form.offer.errors = ["Select one of the suitable offers"]
        else:
            try:
                pick_offer(need, chosen.line.offer, chosen.line.item, chosen.stream, chosen.charge_pence, current_user)
            except MatchError as error:
                return _family_page(need.family, error.message, CONFLICT)
            flash(
                f"Matched: {need.title} with offer {chosen.line.offer.reference}. The offerer has been emailed "
                "and a task added.",
                "success",
            )
            return redirect(url_for("matching.family_proposals", reference=need.family.reference))
    return render_template("matching/pick.html", form=form, need=need, candidates=candidates, compatible=compatible)


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
    return render_template("matching/gaps.html", groups=gap_groups(gap_rows()), run=latest_run())


@bp.route("/gaps.csv")
@roles_required(*STAFF)
def export_gaps() -> Response:
    rows = gap_rows()
    record("gap_report_exported", "match_run", None, f"{len(rows)} unmet needs exported to CSV")
    groups = {row.need_id: group for group in gap_groups(rows) for row in group.rows}
    header = ["Need", "Family reference", "Category", "Item", "Reason", "Blocking rules", "Group"]
    return csv_response(
        "gap-report.csv",
        header,
        [
            (
                row.need_id,
                row.family_reference,
                row.category.label,
                row.item or "",
                row.reason.label,
                ", ".join(row.blocking),
                groups[row.need_id].summary,
            )
            for row in rows
        ],
    )
