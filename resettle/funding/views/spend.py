"""Caseworkers enter spend, attach receipts and submit it; caseworkers and reviewers read it and budgets.

Reviewers see a family only by its name and reference here: no addresses and no health notes.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from resettle.auth.models import SPEND_STAFF, Role
from resettle.auth.permissions import roles_required
from resettle.bounds import clean_text, parse_id
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import Family
from resettle.families.queries import get_family_by_reference, get_family_or_404, open_needs_of
from resettle.funding import bp
from resettle.funding.budgets import figures_for, load_book
from resettle.funding.forms.spend import ActionForm, ApproveForm, ReceiptForm, RejectForm, SpendLineForm
from resettle.funding.queries import eligibility_of, list_expense_categories, list_streams
from resettle.funding.receipts import (
    add_receipt,
    download_name,
    readable_receipt_path,
    remove_receipt,
)
from resettle.funding.review_queries import (
    families_with_budgets_query,
    family_choices,
    family_spend_lines,
    get_line_by_public_id,
    get_receipt_by_public_id,
    spend_line_page_options,
    spend_query,
)
from resettle.funding.spend_models import SpendLine, SpendStatus
from resettle.funding.spend_services import (
    SpendError,
    SpendFields,
    SpendInput,
    create_spend_line,
    record_delivery,
    spend_fields_from,
    submit_spend_line,
)
from resettle.funding.spend_services import update_spend_line as update_line
from resettle.funding.views.spend_search import csv_link_args, spend_list_filters
from resettle.web.forms import required
from resettle.web.pagination import paginate
from resettle.web.submissions import earlier_result, remember_result


def line_or_404(public_id: str) -> SpendLine:
    """The line with all its page shows (each of its actions shows the page again when refused)."""
    line = get_line_by_public_id(public_id, spend_line_page_options())
    if line is None:
        abort(404)
    return line


def show_problems(form: Any, error: SpendError, fallback: str) -> None:
    """Show a refusal beside its fields, after rolling back anything staged (a budget row created to lock it),
    so a refused change leaves nothing behind."""
    db.session.rollback()
    for problem in error.problems:
        field = getattr(form, problem.field, None) or getattr(form, fallback)
        field.errors = [*field.errors, problem.message]


@bp.route("/spend")
@roles_required(*SPEND_STAFF)
def list_spend() -> str:
    filters = spend_list_filters()
    page = paginate(spend_query(filters))
    return render_template(
        "funding/spend_list.html",
        page=page,
        status=filters.status.value if filters.status else "",
        search=filters.search,
        statuses=list(SpendStatus),
        csv_args=csv_link_args(),
    )


def _choose(form: SpendLineForm, family: Family | None) -> None:
    form.family.choices = [SelectChoice("", "Select a family")] + [
        SelectChoice(reference, f"{name} ({reference}, {scheme})")
        for reference, name, scheme in family_choices(current_user.id, family.reference if family else None)
    ]
    needs = [] if family is None else open_needs_of(family)
    form.need.choices = [SelectChoice("", "Not for a recorded need")] + [
        SelectChoice(str(n.id), n.title) for n in needs
    ]
    form.expense_category.choices = [SelectChoice("", "Select what was bought")] + [
        SelectChoice(str(c.id), f"{c.label} ({c.category.label})") for c in list_expense_categories(active_only=True)
    ]
    # Once the family is known, only its own scheme's streams: the others would be refused anyway. One chosen
    # before the family changed stays, so the refusal says why ("a stream of the family's own scheme").
    streams = [
        s
        for s in list_streams(open_on=local_today())
        if family is None or s.scheme.code == family.scheme.value or str(s.id) == form.stream.data
    ]
    form.stream.choices = [SelectChoice("", "Select a funding stream")] + [
        SelectChoice(
            str(s.id), s.name if family and s.scheme.code == family.scheme.value else f"{s.scheme.code}: {s.name}"
        )
        for s in streams
    ]


def _fields(form: SpendLineForm) -> SpendFields:
    """What the form names, looked up by the same service the API uses (SpendError if something is gone)."""
    return spend_fields_from(
        SpendInput(
            family_reference=form.family.data or "",
            need_id=parse_id(form.need.data),
            stream=parse_id(form.stream.data),
            expense_category=parse_id(form.expense_category.data),
            item_description=form.item_description.data,
            amount_pence=form.amount.pence or 0,
            payee=form.payee.data,
            spend_date=required(form.spend_date.data),
            agreement_reference=form.agreement_reference.data or "",
        )
    )


def _posted_family(default: Family | None) -> Family | None:
    reference = clean_text(request.form.get("family") or request.args.get("family") or "")[:16]
    if not reference:
        return default
    return get_family_by_reference(reference)


@bp.route("/spend/new", methods=["GET", "POST"])
@roles_required(Role.CASEWORKER)
def new_spend_line() -> str | Response:
    family = _posted_family(None)
    form = SpendLineForm(data={"family": family.reference if family else "", "spend_date": local_today()})
    _choose(form, family)
    if form.validate_on_submit():
        if earlier := earlier_result(form):
            return earlier
        try:
            line = create_spend_line(_fields(form), current_user)
        except SpendError as error:
            show_problems(form, error, "item_description")
        else:
            if duplicate := remember_result(form, url_for("funding.show_spend_line", public_id=line.public_id)):
                return duplicate
            flash(f"Spend {line.reference} saved as a draft. Upload a receipt, then submit it for review", "success")
            return redirect(url_for("funding.show_spend_line", public_id=line.public_id))
    return render_template("funding/spend_form.html", form=form, title="Record spend", line=None, family=family)


@bp.route("/spend/<public_id>/edit", methods=["GET", "POST"])
@roles_required(Role.CASEWORKER)
def edit_spend_line(public_id: str) -> str | Response:
    line = line_or_404(public_id)
    if not line.is_editable:
        flash(f"{line.reference} is {line.status.label.lower()} and can no longer be changed", "error")
        return redirect(url_for("funding.show_spend_line", public_id=line.public_id))
    form = SpendLineForm(
        data={
            "family": line.family.reference,
            "need": str(line.need_id or ""),
            "expense_category": str(line.expense_category_id),
            "item_description": line.item_description,
            "amount": line.amount_pence,
            "payee": line.payee,
            "spend_date": line.spend_date,
            "stream": str(line.stream_id),
            "agreement_reference": line.agreement_reference,
        }
    )
    _choose(form, _posted_family(line.family))
    if form.validate_on_submit():
        try:
            update_line(line, _fields(form), current_user)
        except SpendError as error:
            show_problems(form, error, "item_description")
        else:
            flash(f"Changes to {line.reference} saved", "success")
            return redirect(url_for("funding.show_spend_line", public_id=line.public_id))
    return render_template("funding/spend_form.html", form=form, title=f"Change spend {line.reference}", line=line)


def _approve_form(line: SpendLine) -> ApproveForm:
    from resettle.funding.spend_services import spend_covers_need

    form = ApproveForm()
    if not form.is_submitted():
        form.need_met.data = "yes" if spend_covers_need(line) else "no"
    return form


def render_line(line: SpendLine, form: Any = None, **forms: Any) -> str:
    context = {
        "receipt_form": ReceiptForm(),
        "submit_form": ActionForm(),
        "approve_form": _approve_form(line),
        "reject_form": RejectForm(),
        **forms,
    }
    return render_template(
        "funding/spend_line.html",
        line=line,
        form=form,
        budget=figures_for(line.stream, line.family),
        eligibility=eligibility_of(line.stream.scheme_id, line.expense_category_id),
        **context,
    )


@bp.route("/spend/<public_id>")
@roles_required(*SPEND_STAFF)
def show_spend_line(public_id: str) -> str:
    return render_line(line_or_404(public_id))


@bp.route("/spend/<public_id>/receipts", methods=["POST"])
@roles_required(Role.CASEWORKER)
def upload_receipt(public_id: str) -> str | Response:
    line = line_or_404(public_id)
    form = ReceiptForm()
    if form.validate_on_submit():
        try:
            add_receipt(line, form.receipt.data.stream, form.receipt.data.filename or "", current_user)
        except SpendError as error:
            show_problems(form, error, "receipt")
        else:
            flash("Receipt uploaded", "success")
            return redirect(url_for("funding.show_spend_line", public_id=line.public_id))
    return render_line(line, form=form, receipt_form=form)


@bp.route("/receipts/<public_id>/remove", methods=["POST"])
@roles_required(Role.CASEWORKER)
def remove_receipt_file(public_id: str) -> Response:
    receipt = get_receipt_by_public_id(public_id)
    if receipt is None:
        abort(404)
    line = receipt.spend_line
    if ActionForm().validate_on_submit():
        try:
            remove_receipt(receipt, current_user)
        except SpendError as error:
            flash(error.problems[0].message, "error")
        else:
            flash("Receipt removed", "success")
    return redirect(url_for("funding.show_spend_line", public_id=line.public_id))


@bp.route("/receipts/<public_id>")
@roles_required(*SPEND_STAFF)
def download_receipt(public_id: str) -> Response:
    receipt = get_receipt_by_public_id(public_id)
    path = readable_receipt_path(receipt) if receipt is not None else None
    if receipt is None or path is None:
        abort(404)
    return send_file(
        path,
        mimetype=receipt.content_type,
        as_attachment=True,
        download_name=download_name(receipt),
        max_age=0,
    )


@bp.route("/spend/<public_id>/submit", methods=["POST"])
@roles_required(Role.CASEWORKER)
def submit_spend(public_id: str) -> str | Response:
    line = line_or_404(public_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            submit_spend_line(line, current_user)
        except SpendError as error:
            show_problems(form, error, "submit_for_review")
        else:
            flash(f"{line.reference} submitted for review", "success")
            return redirect(url_for("funding.show_spend_line", public_id=line.public_id))
    return render_line(line, form=form, submit_form=form)


@bp.route("/spend/<public_id>/delivered", methods=["POST"])
@roles_required(Role.CASEWORKER)
def record_spend_delivery(public_id: str) -> str | Response:
    line = line_or_404(public_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            record_delivery(line, current_user)
        except SpendError as error:
            flash(error.problems[0].message, "error")
        else:
            flash(
                f"{line.reference} is now a draft. Upload the receipt, change the amount if the invoice differs, "
                "then submit it for review",
                "success",
            )
    return redirect(url_for("funding.show_spend_line", public_id=line.public_id))


@bp.route("/budgets")
@roles_required(*SPEND_STAFF)
def list_budgets() -> str:
    as_at = local_today()
    page = paginate(families_with_budgets_query())
    book = load_book(as_at, families=page.items)
    rows = [(family, book.family_views(family)) for family in page.items]
    return render_template(
        "funding/budgets.html", pools=book.pool_views(), rows=rows, as_at=as_at, page=page, skipped=book.skipped
    )


@bp.route("/families/<reference>/budgets")
@roles_required(*SPEND_STAFF)
def show_family_budgets(reference: str) -> str:
    family = get_family_or_404(reference)
    lines = family_spend_lines(family)
    book = load_book(families=[family])
    return render_template(
        "funding/family_budgets.html",
        family=family,
        budgets=book.family_views(family),
        lines=list(lines),
        skipped=book.skipped,
    )
