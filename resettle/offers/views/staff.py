"""Staff pages: the review queue, an offer's page, and the actions on it.

Caseworkers and administrators act on offers. Spend reviewers may look (paid offers reach their budgets) but
change nothing. Viewing an offer's page is audited, because it shows the offerer's contact details.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.audit.services import record
from resettle.auth.models import CASE_STAFF
from resettle.auth.permissions import STAFF, roles_required
from resettle.clock import local_today
from resettle.extensions import db
from resettle.offers import bp
from resettle.offers.forms.fields import YesNoField
from resettle.offers.forms.staff import (
    ANY_STATUS,
    DuplicateForm,
    EditOfferForm,
    PoolForm,
    QueueFilterForm,
    RejectForm,
    StatusForm,
    VerifyForm,
    edit_form_data,
)
from resettle.offers.models import DbsStatus, Offer, OfferStatus, offer_title
from resettle.offers.queries import QueueFilters, offers_export_query, review_queue_query
from resettle.offers.review import (
    OfferChanges,
    VerificationError,
    mark_duplicate,
    may_see_offerer_contact,
    move_to_active_pool,
    needs_dbs_check,
    needs_housing_checks,
    reject_offer,
    set_status,
    update_offer,
    verify_offer,
)
from resettle.offers.rules import CERTIFICATE_LABELS, LANGUAGE_LABELS, DbsCheck, HousingChecks, dbs_expiring_soon
from resettle.offers.services import OfferError
from resettle.taxonomy import Category
from resettle.web.csv_export import csv_response, streamed_groups
from resettle.web.forms import show_field_error
from resettle.web.pagination import paginate
from resettle.web.versions import CHANGED_SINCE_OPENED, AuditScope, check_version, flush_version, show_conflict

E = TypeVar("E", bound=enum.Enum)


def _filters() -> tuple[QueueFilterForm, QueueFilters]:
    form = QueueFilterForm(request.args)
    if not request.args:
        return form, QueueFilters()
    form.validate()
    status_value = form.status.data or OfferStatus.SUBMITTED.value
    status = None if status_value == ANY_STATUS else _enum_or_none(OfferStatus, status_value)
    filters = QueueFilters(
        status=status,
        category=_enum_or_none(Category, form.category.data),
        pool=form.pool.data or None,
        search=None if form.search.errors else form.search.data,
        dbs_due=bool(form.dbs_due.data),
    )
    return form, filters


def _enum_or_none(enum_class: type[E], value: str | None) -> E | None:
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


@bp.route("/")
@roles_required(*STAFF)
def review_queue() -> str:
    form, filters = _filters()
    today = local_today()
    page = paginate(review_queue_query(filters, today))
    return render_template(
        "offers/staff/queue.html",
        form=form,
        page=page,
        today=today,
        dbs_due=lambda offer: dbs_expiring_soon(offer.dbs_expires_on, today),
        may_act=current_user.role in CASE_STAFF,
    )


@bp.route("/export.csv")
@roles_required(*STAFF)
def export_offers() -> Response:
    _, filters = _filters()
    statement = offers_export_query(filters, local_today())
    # Reviewers see who offered (name and organisation), never how to reach them.
    contact = may_see_offerer_contact(current_user)
    header = [
        "reference",
        "type",
        "status",
        "waiting_list",
        "title",
        "offerer_name",
        "organisation",
        *(["email", "phone"] if contact else []),
        "postcode",
        "capacity",
        "cost_pence",
        "available_from",
        "available_until",
        "submitted_at_utc",
    ]

    def to_row(rows: list[Any]) -> list[Any]:
        _, reference, category, status, waiting, bedrooms, description, name, organisation = rows[0][:9]
        email, phone, postcode, capacity, cost_pence, available_from, available_until, submitted_at = rows[0][9:17]
        items = [(row[17], row[18]) for row in rows if row[18] is not None]
        return [
            reference,
            category.value,
            status.value,
            "yes" if waiting else "no",
            offer_title(category, bedrooms, items, description),
            name,
            organisation or "",
            *([email, phone or ""] if contact else []),
            postcode or "",
            capacity,
            cost_pence,
            available_from or "",
            available_until or "",
            submitted_at.isoformat(),
        ]

    record(
        "offers_exported",
        "offer",
        None,
        "CSV export, filtered by: " + (", ".join(sorted(k for k in request.args if request.args[k])) or "nothing"),
    )
    return csv_response("offers.csv", header, map(to_row, streamed_groups(statement, lambda row: row[0])))


@bp.route("/<int:offer_id>")
@roles_required(*STAFF)
def offer_detail(offer_id: int) -> str:
    offer = db.get_or_404(Offer, offer_id)
    record("offer_viewed", "offer", offer.reference, "viewed the offer's page")
    return _render_offer(offer, printable=False)


@bp.route("/<int:offer_id>/summary")
@roles_required(*STAFF)
def offer_summary(offer_id: int) -> str:
    """The offer on paper: its page without buttons, forms or navigation; audited as a read."""
    offer = db.get_or_404(Offer, offer_id)
    record("offer_viewed", "offer", offer.reference, "viewed the offer's summary for printing")
    return _render_offer(offer, printable=True)


def _render_offer(offer: Offer, printable: bool) -> str:
    return render_template(
        "offers/staff/detail.html",
        offer=offer,
        printable=printable,
        today=local_today(),
        may_act=current_user.role in CASE_STAFF and not printable,
        show_contact=may_see_offerer_contact(current_user),
        dbs_due=dbs_expiring_soon(offer.dbs_expires_on, local_today()),
        certificate_labels=CERTIFICATE_LABELS,
        language_labels=LANGUAGE_LABELS,
        describe_codes=_describe_codes,
        pool_form=PoolForm(),
    )


def _describe_codes(codes: list[str], labels: dict[str, str], separator: str) -> str:
    return separator.join(labels.get(code, code) for code in codes or [])


@bp.route("/<int:offer_id>/verify", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def verify(offer_id: int) -> str | Response:
    offer = db.get_or_404(Offer, offer_id)
    form = VerifyForm(data={"dbs_status": offer.dbs_status.value if offer.dbs_status else None})
    form.keep_only(housing=needs_housing_checks(offer), dbs=needs_dbs_check(offer))
    if form.validate_on_submit():
        housing = _housing_checks(form) if needs_housing_checks(offer) else None
        dbs = (
            DbsCheck(DbsStatus(form.dbs_status.data) if form.dbs_status.data else None, form.dbs_expires_on.data)
            if needs_dbs_check(offer)
            else None
        )
        try:
            verify_offer(offer, current_user, housing=housing, dbs=dbs, note=form.note.data or "")
        except VerificationError as error:
            for name, message in error.problems.items():
                field = getattr(form, name, None)
                (field.errors if field is not None else form.form_errors).append(message)
        else:
            flash(f"Offer {offer.reference} verified", "success")
            return redirect(url_for(".offer_detail", offer_id=offer.id))
    return render_template("offers/staff/verify.html", form=form, offer=offer)


def _housing_checks(form: VerifyForm) -> HousingChecks:
    has_gas: YesNoField = form.has_gas_supply
    return HousingChecks(
        has_gas_supply=bool(has_gas.answer),
        gas_safety_checked_on=form.gas_safety_checked_on.data,
        electrical_report_on=form.electrical_report_on.data,
        epc_rating=form.epc_rating.data or None,
        smoke_alarms_every_storey=bool(form.smoke_alarms_every_storey.data),
        co_alarm_where_needed=bool(form.co_alarm_where_needed.data),
        inspected_on=form.inspected_on.data,
    )


@bp.route("/<int:offer_id>/reject", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def reject(offer_id: int) -> str | Response:
    offer = db.get_or_404(Offer, offer_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            reject_offer(offer, form.reason.data or "", current_user)
        except OfferError as error:
            form.reason.errors.append(error.message)
        else:
            flash(f"Offer {offer.reference} rejected. The reason has been emailed to {offer.offerer_name}", "success")
            return redirect(url_for(".offer_detail", offer_id=offer.id))
    return render_template("offers/staff/reject.html", form=form, offer=offer)


@bp.route("/<int:offer_id>/duplicate", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def mark_as_duplicate(offer_id: int) -> str | Response:
    offer = db.get_or_404(Offer, offer_id)
    form = DuplicateForm()
    if form.validate_on_submit():
        try:
            original = mark_duplicate(offer, form.original_reference.data or "", current_user)
        except OfferError as error:
            show_field_error(form, error)
        else:
            flash(f"Offer {offer.reference} marked as a duplicate of {original.reference}", "success")
            return redirect(url_for(".offer_detail", offer_id=offer.id))
    return render_template("offers/staff/duplicate.html", form=form, offer=offer)


@bp.route("/<int:offer_id>/status", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def change_status(offer_id: int) -> str | Response:
    offer = db.get_or_404(Offer, offer_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            set_status(offer, OfferStatus(form.status.data), current_user, form.note.data or "")
        except OfferError as error:
            form.status.errors.append(error.message)
        else:
            flash(f"Offer {offer.reference} is now {offer.status.label.lower()}", "success")
            return redirect(url_for(".offer_detail", offer_id=offer.id))
    return render_template("offers/staff/status.html", form=form, offer=offer)


@bp.route("/<int:offer_id>/pool", methods=["POST"])
@roles_required(*CASE_STAFF)
def move_to_pool(offer_id: int) -> Response:
    offer = db.get_or_404(Offer, offer_id)
    if PoolForm().validate_on_submit():
        move_to_active_pool(offer, current_user)
        flash(f"Offer {offer.reference} moved to the active pool", "success")
    return redirect(url_for(".offer_detail", offer_id=offer.id))


@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def edit(offer_id: int) -> str | Response | tuple[str, int]:
    offer = db.get_or_404(Offer, offer_id)
    form = EditOfferForm(data={**edit_form_data(offer), "version": str(offer.version)})
    form.keep_only_for(offer)
    scope = AuditScope(
        "offer", offer.reference
    )  # read now: after a failed flush the record cannot be read until rollback
    status = 200
    if form.validate_on_submit():
        try:
            check_version(form, offer)
            update_offer(offer, _changes(form), current_user)
            flush_version()
        except CHANGED_SINCE_OPENED:
            status = show_conflict(form, offer, edit_form_data, scope)
        except OfferError as error:
            show_field_error(form, error)
        else:
            flash(f"Changes to offer {offer.reference} saved", "success")
            return redirect(url_for(".offer_detail", offer_id=offer.id))
    return render_template("offers/staff/edit.html", form=form, offer=offer), status


def _changes(form: EditOfferForm) -> OfferChanges:
    def optional(name: str, attribute: str = "data") -> Any:
        field = getattr(form, name, None)
        return getattr(field, attribute) if field is not None else None

    return OfferChanges(
        description=form.description.data or "",
        capacity=optional("capacity", "number"),
        cost_pence=form.cost.pence or 0,
        available_from=form.available_from.data,
        available_until=form.available_until.data,
        postcode=form.postcode.data or None,
        address=optional("address"),
        bedrooms=optional("bedrooms", "number"),
        rent_pence=optional("rent", "pence"),
        step_free=optional("step_free", "answer"),
        languages=list(optional("languages") or []),
        home_visit=optional("home_visit", "answer"),
        halal=optional("halal", "answer"),
        hours_per_week=optional("hours_per_week", "number"),
    )
