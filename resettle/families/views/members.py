"""Family members, and health notes (caseworkers only)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth.models import CASE_STAFF, Role
from resettle.auth.permissions import roles_required
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families import bp
from resettle.families.errors import FamilyError
from resettle.families.forms import HealthNoteForm, MemberForm, MemberLeftForm, comma_list
from resettle.families.health import add_health_note, health_notes_for
from resettle.families.members import MemberDetails, add_member, record_member_left, update_member
from resettle.families.models import EnglishLevel, Family, Member, MemberActivity, Relationship, Sex
from resettle.families.queries import get_family_or_404
from resettle.families.services import record_family_viewed
from resettle.families.views.helpers import family_url, int_or_none, member_choices
from resettle.need_to_know.policy import (
    SPECIAL_CATEGORY_MEMBER_FIELDS,
    SpecialCategoryAccess,
    special_category_access,
    visible_member_fields,
)
from resettle.web.forms import required, show_field_error
from resettle.web.submissions import earlier_result, remember_result
from resettle.web.versions import CHANGED_SINCE_OPENED, AuditScope, check_version, flush_version, show_conflict


def _member_or_404(family: Family, member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None or member.family_id != family.id:
        abort(404)
    return member


def _without_hidden_fields(form: MemberForm, family: Family) -> MemberForm:
    """Drop the special category fields from the form for anyone the need-to-know policy keeps out."""
    shown = visible_member_fields(special_category_access(current_user, family))
    for name in SPECIAL_CATEGORY_MEMBER_FIELDS:
        if name not in shown:
            delattr(form, name)
    return form


def _details(form: MemberForm, member: Member | None = None) -> MemberDetails:
    """Map the answers to service input; an unknown choice becomes a field error via FamilyError. Special
    category fields not on the form keep their saved values."""
    checks = [
        ("sex", Sex, "Select the person's sex"),
        ("relationship_to_applicant", Relationship, "Select the relationship"),
        ("english_level", EnglishLevel, "Select the English level"),
        ("activity", MemberActivity, "Select school or work status"),
    ]
    values: dict[str, Any] = {}
    for name, enum_class, message in checks:
        raw = getattr(form, name).data
        if raw not in set(enum_class):
            raise FamilyError(name, message)
        values[name] = enum_class(raw)
    special: dict[str, Any] = {}
    for name in SPECIAL_CATEGORY_MEMBER_FIELDS:
        field = getattr(form, name, None)
        if field is not None:
            special[name] = bool(field.data) if name == "eats_halal" else field.data or ""
        elif member is not None:
            special[name] = getattr(member, name)
    return MemberDetails(
        full_name=form.full_name.data or "",
        date_of_birth=required(form.date_of_birth.data),
        languages=comma_list(form.languages.data),
        needs_step_free_access=bool(form.needs_step_free_access.data),
        school_or_employer=form.school_or_employer.data or "",
        **special,
        **values,
    )


@bp.route("/<reference>/members/new", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def add_family_member(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    form = MemberForm(
        data={
            "english_level": "not_assessed",
            "activity": "unknown",
            "languages": ", ".join(family.preferred_languages or []),
        }
    )
    _without_hidden_fields(form, family)
    if form.validate_on_submit():
        if earlier := earlier_result(form):
            return earlier
        try:
            member = add_member(family, _details(form), current_user, local_today())
        except FamilyError as error:
            show_field_error(form, error)
        else:
            if duplicate := remember_result(form, family_url(family, "members")):
                return duplicate
            flash(f"{member.full_name} added to the family", "success")
            return redirect(family_url(family, "members"))
    return render_template("families/member_form.html", form=form, family=family, title="Add a family member")


def _member_data(member: Member) -> dict[str, Any]:
    return {
        "full_name": member.full_name,
        "date_of_birth": member.date_of_birth,
        "sex": member.sex.value,
        "relationship_to_applicant": member.relationship_to_applicant.value,
        "languages": ", ".join(member.languages or []),
        "english_level": member.english_level.value,
        "activity": member.activity.value,
        "school_or_employer": member.school_or_employer,
        "needs_step_free_access": member.needs_step_free_access,
        "access_needs": member.access_needs,
        "eats_halal": member.eats_halal,
        "dietary_needs": member.dietary_needs,
    }


@bp.route("/<reference>/members/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def edit_family_member(reference: str, member_id: int) -> str | Response | tuple[str, int]:
    family = get_family_or_404(reference)
    member = _member_or_404(family, member_id)
    form = MemberForm(data={**_member_data(member), "version": str(member.version)})
    _without_hidden_fields(form, family)
    if request.method == "GET":
        record_family_viewed(family, current_user, f"Member {member.id} details viewed")
    scope = AuditScope(
        "family", family.reference, f"Member {member.id}:"
    )  # read now: after a failed flush the record cannot be read until rollback
    status = 200
    if form.validate_on_submit():
        try:
            check_version(form, member)
            update_member(member, _details(form, member), current_user, local_today())
            flush_version()
        except CHANGED_SINCE_OPENED:
            status = show_conflict(form, member, _member_data, scope)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash(f"Changes to {member.full_name} saved", "success")
            return redirect(family_url(family, "members"))
    page = render_template(
        "families/member_form.html",
        form=form,
        family=family,
        member=member,
        title=f"Change {member.full_name}’s details",
    )
    return page, status


@bp.route("/<reference>/members/<int:member_id>/left", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def member_left(reference: str, member_id: int) -> str | Response:
    family = get_family_or_404(reference)
    member = _member_or_404(family, member_id)
    form = MemberLeftForm()
    if form.validate_on_submit():
        try:
            record_member_left(member, required(form.left_on.data), current_user, local_today())
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash(f"{member.full_name} is recorded as having left the household", "success")
            return redirect(family_url(family, "members"))
    return render_template(
        "families/simple_form.html",
        form=form,
        family=family,
        title=f"{member.full_name} has left the household",
        intro="They stay on the family's record but no longer count for housing.",
    )


@bp.route("/<reference>/health", methods=["GET", "POST"])
@roles_required(Role.CASEWORKER)
def health_notes(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    access = special_category_access(current_user, family)
    if access == SpecialCategoryAccess.NEEDS_BREAK_GLASS:
        return redirect(url_for("need_to_know.break_glass_page", reference=family.reference, then="health"))
    if not access.may_read:
        abort(403)
    form = HealthNoteForm()
    form.member.choices = member_choices(family, "The whole family")
    if form.validate_on_submit():
        member_id = int_or_none(form.member.data)
        member = db.session.get(Member, member_id) if member_id else None
        try:
            add_health_note(family, member, form.body.data or "", current_user)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash("Health note added", "success")
            return redirect(family_url(family))
    notes = health_notes_for(family, current_user)
    return render_template("families/health_notes.html", form=form, family=family, notes=notes)
