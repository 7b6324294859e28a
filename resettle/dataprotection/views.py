"""Data protection pages: subject access requests and their exports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from resettle.auth.models import CASE_STAFF, Role
from resettle.auth.permissions import roles_required
from resettle.clock import local_today
from resettle.dataprotection import access, erasure, restriction, retention
from resettle.dataprotection.forms import (
    CloseRequestForm,
    ErasureForm,
    LegalHoldForm,
    RestrictionForm,
    SubjectAccessRequestForm,
)
from resettle.dataprotection.models import RequestStatus, SubjectAccessRequest, SubjectKind
from resettle.db import utcnow
from resettle.errors import FieldError
from resettle.families.queries import find_member_by_name, get_family_or_404
from resettle.need_to_know.policy import SpecialCategoryAccess, special_category_access
from resettle.web.forms import required, show_field_error

bp = Blueprint("dataprotection", __name__, url_prefix="/data-protection")


def _request_or_404(public_id: str) -> SubjectAccessRequest:
    request = access.get_request(public_id)
    if request is None:
        abort(404)
    return request


@bp.route("/requests")
@roles_required(*CASE_STAFF)
def list_requests() -> str:
    return render_template(
        "dataprotection/requests.html", requests=access.request_list(include_closed=True), today=local_today()
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def new_request() -> Any:
    form = SubjectAccessRequestForm()
    if form.validate_on_submit():
        member = None
        if form.subject_kind.data == "member":
            member = find_member_by_name(form.family_reference.data, form.member_name.data)
        try:
            if form.subject_kind.data == "member" and member is None:
                raise access.RequestError(
                    "member_name", "No member with that full name in the family with that reference"
                )
            request = access.open_request(
                kind=SubjectKind(form.subject_kind.data),
                requester_name=form.requester_name.data,
                received_on=required(form.received_on.data),
                actor=current_user,
                member=member,
                offerer_email=form.offerer_email.data,
                note=form.note.data or "",
            )
        except access.RequestError as error:
            show_field_error(form, error, {"member": "member_name"})
        else:
            flash(f"Request recorded: the response is due by {request.due_on:%-d %B %Y}")
            return redirect(url_for("dataprotection.show_request", public_id=request.public_id))
    return render_template("dataprotection/request_form.html", form=form)


@bp.route("/requests/<public_id>", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def show_request(public_id: str) -> Any:
    request = _request_or_404(public_id)
    form = CloseRequestForm()
    if form.validate_on_submit():
        try:
            access.close_request(request, RequestStatus(form.outcome.data), current_user)
        except access.RequestError as error:
            show_field_error(form, error, {"status": "outcome"})
        else:
            flash(f"Request {request.status_label.lower()}")
            return redirect(url_for("dataprotection.list_requests"))
    return render_template("dataprotection/request.html", request_record=request, form=form, today=local_today())


def _need_to_know_refusal(request: SubjectAccessRequest) -> Any:
    """A member's export holds their health notes, access and dietary needs, so the need-to-know rule applies:
    a caseworker outside the family's team breaks glass first."""
    if request.kind is not SubjectKind.MEMBER or request.member is None:
        return None
    family = request.member.family
    family_access = special_category_access(current_user, family)
    if family_access == SpecialCategoryAccess.NEEDS_BREAK_GLASS:
        return redirect(url_for("need_to_know.break_glass_page", reference=family.reference))
    if not family_access.may_read:
        abort(403)
    return None


@bp.route("/requests/<public_id>/export")
@roles_required(Role.CASEWORKER)
def export_request(public_id: str) -> Any:
    request = _request_or_404(public_id)
    refusal = _need_to_know_refusal(request)
    if refusal is not None:
        return refusal
    export = access.export_for(request)
    if export is None:
        abort(404)
    return render_template("dataprotection/export.html", export=export, request_record=request)


@bp.route("/requests/<public_id>/export.json")
@roles_required(Role.CASEWORKER)
def export_request_json(public_id: str) -> Any:
    request = _request_or_404(public_id)
    refusal = _need_to_know_refusal(request)
    if refusal is not None:
        return refusal
    export = access.export_for(request)
    if export is None:
        abort(404)
    response = jsonify(export.as_json())
    response.headers["Content-Disposition"] = f'attachment; filename="subject-access-{request.public_id}.json"'
    return response


@bp.route("/families/<reference>/restriction", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def family_restriction(reference: str) -> Any:
    family = get_family_or_404(reference)
    form = RestrictionForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "lift":
                restriction.lift_restriction(family, current_user)
                message = "Processing is no longer restricted"
            else:
                restriction.restrict_family(family, form.reason.data or "", current_user)
                message = "Processing restricted: the family will not be matched, emailed about or exported"
        except FieldError as error:
            show_field_error(form, error)
        else:
            flash(message)
            return redirect(url_for("families.view_family", reference=family.reference))
    return render_template("dataprotection/restriction.html", family=family, form=form)


@bp.route("/erasure", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def erase_offerer() -> Any:
    form = ErasureForm()
    if form.validate_on_submit():
        try:
            count = erasure.erase_offerer(form.email.data, current_user)
        except FieldError as error:
            show_field_error(form, error)
        else:
            flash(f"Personal data erased from {count} offer{'s' if count != 1 else ''}; the offers' records remain")
            return redirect(url_for("dataprotection.erase_offerer"))
    return render_template("dataprotection/erasure.html", form=form)


@bp.route("/retention", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def retention_review() -> Any:
    form = LegalHoldForm()
    if form.validate_on_submit():
        held = form.hold.data != "off"
        try:
            count = retention.set_legal_hold(form.kind.data, form.key.data, held, current_user)
        except FieldError as error:
            show_field_error(form, error)
        else:
            what = f"{count} record{'s' if count != 1 else ''}"
            flash(f"Legal hold placed on {what}" if held else f"Legal hold lifted from {what}")
            return redirect(url_for("dataprotection.retention_review"))
    review = retention.review_list(current_app.config)
    return render_template("dataprotection/retention.html", review=review, form=form, now=utcnow())
