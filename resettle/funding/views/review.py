"""Spend reviewers: the queue of submitted spend, decisions one by one or in bulk, the dashboard, and
claim batches with their CSV export. Pages show families by name and reference only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from resettle.auth.models import Role
from resettle.auth.permissions import roles_required
from resettle.bounds import parse_id
from resettle.clock import local_today
from resettle.extensions import db
from resettle.funding import bp
from resettle.funding.budgets import load_book
from resettle.funding.claims import (
    CLAIM_CSV_HEADER,
    claim_csv_rows,
    create_claim_batch,
    list_claim_batches,
    preview_claim,
)
from resettle.funding.forms.spend import ApproveForm, BulkDecisionForm, ClaimBatchForm, RejectForm, SpendFilterForm
from resettle.funding.models import FundingScheme
from resettle.funding.queries import list_schemes, list_streams
from resettle.funding.review_queries import (
    SpendFilters,
    budget_use,
    get_claim_batch_by_public_id,
    spend_by_month,
    spend_by_stream,
    spend_query,
)
from resettle.funding.spend_models import SpendStatus
from resettle.funding.spend_services import (
    SpendError,
    approve_and_meet_need,
    decide_in_bulk,
    get_lines_by_public_ids,
    reject_spend_line,
)
from resettle.funding.views.spend import line_or_404, render_line, show_problems
from resettle.funding.views.spend_search import csv_link_args
from resettle.web.csv_export import csv_response
from resettle.web.forms import required
from resettle.web.pagination import paginate


def queue_filters() -> tuple[SpendFilterForm, SpendFilters]:
    form = SpendFilterForm(request.args)
    form.scheme.choices = [SelectChoice("", "Any scheme")] + [SelectChoice(str(s.id), s.code) for s in list_schemes()]
    form.stream.choices = [SelectChoice("", "Any stream")] + [
        SelectChoice(str(s.id), f"{s.name} ({s.scheme.code})") for s in list_streams()
    ]
    filters = SpendFilters(status=SpendStatus.SUBMITTED, without_committed=True)
    if request.args and form.validate():
        filters = SpendFilters(
            without_committed=True,
            status=SpendStatus(form.status.data) if form.status.data else None,
            scheme_id=parse_id(form.scheme.data),
            stream_id=parse_id(form.stream.data),
            family_reference=form.family.data or None,
            needs_approval_only=bool(form.needs_approval.data),
            submitted_from=form.submitted_from.data,
            submitted_to=form.submitted_to.data,
            search=form.search.data or "",
        )
    elif not request.args:
        form.status.data = SpendStatus.SUBMITTED.value
    return form, filters


@bp.route("/review")
@roles_required(Role.REVIEWER)
def review_queue() -> str:
    filter_form, filters = queue_filters()
    page = paginate(spend_query(filters), per_page=50)
    return render_template(
        "funding/review_queue.html",
        filter_form=filter_form,
        page=page,
        bulk_form=BulkDecisionForm(),
        filters=filters,
        csv_args=csv_link_args(),
    )


@bp.route("/review/bulk", methods=["POST"])
@roles_required(Role.REVIEWER)
def bulk_decide() -> str | Response:
    form = BulkDecisionForm()
    chosen = request.form.getlist("line")
    if form.validate_on_submit():
        lines = get_lines_by_public_ids(chosen)
        if not lines:
            form.decision.errors.append("Select at least one spend line")
        elif form.decision.data == "reject" and not (form.text.data or "").strip():
            form.text.errors.append("Enter the reason for rejecting the selected spend")
        else:
            outcome = decide_in_bulk(lines, current_user, form.decision.data == "approve", form.text.data or "")
            verb = "approved" if form.decision.data == "approve" else "rejected"
            return render_template("funding/bulk_outcome.html", outcome=outcome, verb=verb)
    filter_form, filters = queue_filters()
    page = paginate(spend_query(filters), per_page=50)
    return render_template(
        "funding/review_queue.html",
        filter_form=filter_form,
        page=page,
        bulk_form=form,
        form=form,
        filters=filters,
        chosen=set(chosen),
        csv_args=csv_link_args(),
    )


@bp.route("/spend/<public_id>/approve", methods=["POST"])
@roles_required(Role.REVIEWER)
def approve_spend(public_id: str) -> str | Response:
    line = line_or_404(public_id)
    form = ApproveForm()
    if form.validate_on_submit():
        need_met = {"yes": True, "no": False}.get(form.need_met.data or "")
        try:
            _, met = approve_and_meet_need(line, current_user, form.note.data or "", need_met)
        except SpendError as error:
            show_problems(form, error, "note")
        else:
            flash(f"{line.reference} approved" + (f"; need met: {met.title}" if met else ""), "success")
            return redirect(url_for("funding.review_queue"))
    return render_line(line, form=form, approve_form=form)


@bp.route("/spend/<public_id>/reject", methods=["POST"])
@roles_required(Role.REVIEWER)
def reject_spend(public_id: str) -> str | Response:
    line = line_or_404(public_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            reject_spend_line(line, current_user, form.reason.data or "")
        except SpendError as error:
            show_problems(form, error, "reason")
        else:
            flash(f"{line.reference} rejected", "success")
            return redirect(url_for("funding.review_queue"))
    return render_line(line, form=form, reject_form=form)


@bp.route("/review/dashboard")
@roles_required(Role.REVIEWER)
def show_dashboard() -> str:
    as_at = local_today()
    book = load_book(as_at, families=[], whole_streams=True)
    return render_template(
        "funding/dashboard.html",
        by_stream=spend_by_stream(),
        by_month=spend_by_month(as_at),
        budget_use=budget_use(as_at, book),
        skipped=book.skipped,
        as_at=as_at,
    )


@bp.route("/claims", methods=["GET", "POST"])
@roles_required(Role.REVIEWER)
def claim_batches() -> str | Response:
    form = ClaimBatchForm(data={"period_end": local_today()})
    form.scheme.choices = [SelectChoice("", "Select a scheme")] + [
        SelectChoice(str(s.id), f"{s.code}: {s.name}") for s in list_schemes()
    ]
    preview = None
    if form.validate_on_submit():
        scheme_id = parse_id(form.scheme.data)
        scheme = db.session.get(FundingScheme, scheme_id) if scheme_id else None
        if scheme is None:
            abort(400)
        found = preview_claim(scheme, required(form.period_end.data))
        if form.confirm.data and form.previewed.data == found.fingerprint:
            try:
                batch = create_claim_batch(scheme, required(form.period_end.data), current_user)
            except SpendError as error:
                show_problems(form, error, "scheme")
            else:
                flash(f"Claim batch {batch.reference} created with {batch.line_count} lines", "success")
                return redirect(url_for("funding.claim_batches"))
        else:
            # First the preview; again if approvals changed the lines since it was shown.
            changed = bool(form.confirm.data)
            form.previewed.data = found.fingerprint
            preview = {
                "scheme": scheme,
                "lines": found.lines,
                "total": found.total_pence,
                "changed": changed,
            }
    return render_template("funding/claims.html", form=form, batches=list_claim_batches(), preview=preview)


@bp.route("/claims/<public_id>.csv")
@roles_required(Role.REVIEWER)
def export_claim_batch(public_id: str) -> Response:
    batch = get_claim_batch_by_public_id(public_id)
    if batch is None:
        abort(404)
    return csv_response(f"claim-{batch.reference}.csv", CLAIM_CSV_HEADER, list(claim_csv_rows(batch)))
