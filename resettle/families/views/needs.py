"""Raising and changing a family's needs."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from resettle.auth.models import CASE_STAFF
from resettle.auth.permissions import roles_required
from resettle.bounds import parse_decimal
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families import bp
from resettle.families.errors import FamilyError
from resettle.families.forms import NeedForm, parse_pounds_to_pence, parse_whole_number
from resettle.families.models import Family, Member, Need, NeedStatus
from resettle.families.needs import NeedDetails, Suggestion, raise_need, suggested_requirements, update_need
from resettle.families.queries import get_family_or_404
from resettle.families.views.helpers import (
    category_choices,
    family_url,
    int_or_none,
    item_choices,
    member_choices,
    need_status_choices,
)
from resettle.taxonomy import ITEM_KINDS, Category, Requirement
from resettle.web.forms import show_field_error
from resettle.web.submissions import earlier_result, remember_result
from resettle.web.versions import CHANGED_SINCE_OPENED, AuditScope, check_version, flush_version, show_conflict


def _chosen_category(need: Need | None = None) -> Category | None:
    """The category being filled in: the one posted, else `?category=`, else the need's own."""
    value = request.form.get("category") or request.args.get("category") or (need.category.value if need else "")
    try:
        return Category(value)
    except ValueError:
        return None


def _prepare(
    form: NeedForm, family: Family, category: Category | None, suggestions: dict[Requirement, Suggestion]
) -> None:
    form.category.choices = category_choices()
    form.item.choices = item_choices()
    if category is not None and category.info.has_items:
        form.item.choices = [SelectChoice("", "Select the item")] + [
            SelectChoice(code, item.label) for code, item in ITEM_KINDS.items() if item.category == category
        ]
    form.member.choices = member_choices(family)
    form.status.choices = need_status_choices()
    for requirement, suggestion in suggestions.items():
        getattr(form, requirement.value).description = suggestion.reason


def _render(form: NeedForm, family: Family, category: Category | None, title: str, need: Need | None = None) -> str:
    if category is None:
        # First the kind of need: the requirements asked for next depend on it.
        return render_template(
            "families/need_category.html", family=family, need=need, title=title, categories=list(Category)
        )
    return render_template(
        "families/need_form.html",
        form=form,
        family=family,
        need=need,
        title=title,
        category=category,
        applies={requirement.value for requirement in category.info.requirements},
    )


def _details(form: NeedForm) -> NeedDetails:
    member_id = int_or_none(form.member.data)
    return NeedDetails(
        category=form.category.data or "",
        item=form.item.data or None,
        priority=parse_whole_number(form.priority.data) or 0,
        units=parse_whole_number(form.units.data) or 0,
        needed_by=form.needed_by.data,
        description=form.description.data or "",
        member=db.session.get(Member, member_id) if member_id else None,
        follows_bedroom_standard=bool(form.follows_bedroom_standard.data),
        bedrooms_min=parse_whole_number(form.bedrooms_min.data),
        rent_max=parse_pounds_to_pence(form.rent_max.data),
        step_free=bool(form.step_free.data),
        language=form.language.data or None,
        halal=bool(form.halal.data),
        home_visit=bool(form.home_visit.data),
        max_distance_km=float(distance) if (distance := parse_decimal(form.max_distance_km.data)) is not None else None,
    )


@bp.route("/<reference>/needs/new", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def raise_family_need(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    category = _chosen_category()
    suggestions = suggested_requirements(family, category) if category else {}
    # Yes/no suggestions start ticked, with their reason shown beside them; a language is only suggested.
    ticked = {r.value: s.value for r, s in suggestions.items() if r != Requirement.LANGUAGE}
    form = NeedForm(data={"priority": "3", "units": "1", "category": category.value if category else "", **ticked})
    _prepare(form, family, category, suggestions)
    if form.validate_on_submit():
        if earlier := earlier_result(form):
            return earlier
        try:
            need = raise_need(family, _details(form), current_user, local_today())
        except FamilyError as error:
            show_field_error(form, error)
        else:
            if duplicate := remember_result(form, family_url(family, "needs")):
                return duplicate
            flash(f"Need raised: {need.title}", "success")
            return redirect(family_url(family, "needs"))
    return _render(form, family, category, "Raise a need")


@bp.route("/<reference>/needs/<int:need_id>/edit", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def edit_need(reference: str, need_id: int) -> str | Response | tuple[str, int]:
    family = get_family_or_404(reference)
    need = db.session.get(Need, need_id)
    if need is None or need.family_id != family.id:
        abort(404)
    category = _chosen_category(need)
    data = _need_data(need)
    if category:
        data["category"] = category.value
    form = NeedForm(data={**data, "version": str(need.version)})
    _prepare(form, family, category, suggested_requirements(family, category) if category else {})
    scope = AuditScope(
        "family", family.reference, f"Need {need.id}"
    )  # read now: after a failed flush the record cannot be read until rollback
    status = 200
    if form.validate_on_submit():
        try:
            check_version(form, need)
            status_chosen = NeedStatus(form.status.data) if form.status.data in set(NeedStatus) else None
            if status_chosen is None:
                raise FamilyError("status", "Select the need's status")
            update_need(need, _details(form), status_chosen, current_user, local_today())
            flush_version()
        except CHANGED_SINCE_OPENED:
            status = show_conflict(form, need, _need_data, scope)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash(f"Need saved: {need.title}", "success")
            return redirect(family_url(family, "needs"))
    return _render(form, family, category, "Change a need", need), status


def _need_data(need: Need) -> dict[str, Any]:
    return {
        "category": need.category.value,
        "item": need.item or "",
        "description": need.description,
        "member": str(need.member_id or ""),
        "priority": str(need.priority),
        "units": str(need.units),
        "needed_by": need.needed_by,
        "follows_bedroom_standard": need.follows_bedroom_standard,
        "bedrooms_min": "" if need.bedrooms_min is None else str(need.bedrooms_min),
        "rent_max": "" if need.rent_max is None else f"{need.rent_max / 100:.2f}",
        "step_free": need.step_free,
        "language": need.language or "",
        "halal": need.halal,
        "home_visit": need.home_visit,
        "max_distance_km": "" if need.max_distance_km is None else f"{need.max_distance_km:g}",
        "status": need.status.value,
    }
