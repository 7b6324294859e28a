"""Funding configuration pages: every member of staff may read the rules; administrators change them."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from resettle.auth.models import Role
from resettle.auth.permissions import STAFF, roles_required
from resettle.extensions import db
from resettle.funding import bp
from resettle.funding.allocation import RuleBasis
from resettle.funding.config_services import (
    FundingConfigError,
    RuleFields,
    SchemeFields,
    StreamFields,
    create_expense_category,
    create_rule,
    create_scheme,
    create_stream,
    set_eligibility,
    update_expense_category,
    update_rule,
    update_scheme,
    update_stream,
)
from resettle.funding.forms.config import EligibilityForm, ExpenseCategoryForm, RuleForm, SchemeForm, StreamForm
from resettle.funding.forms.fields import date_or_none
from resettle.funding.models import (
    AmountRule,
    Eligibility,
    ExpenseCategory,
    FundingScheme,
    FundingStream,
    StreamScope,
)
from resettle.funding.queries import DEFAULT_ELIGIBILITY, eligibility_map, eligibility_table, list_schemes
from resettle.taxonomy import Category
from resettle.web.forms import required, show_field_error
from resettle.web.versions import CHANGED_SINCE_OPENED, AuditScope, check_version, flush_version, show_conflict


@bp.route("/schemes")
@roles_required(*STAFF)
def list_funding_schemes() -> str:
    return render_template("funding/schemes.html", schemes=list_schemes())


@bp.route("/schemes/<int:scheme_id>")
@roles_required(*STAFF)
def show_scheme(scheme_id: int) -> str:
    scheme = db.get_or_404(FundingScheme, scheme_id)
    return render_template("funding/scheme.html", scheme=scheme, eligibility=eligibility_map(scheme.id))


@bp.route("/schemes/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_scheme() -> str | Response:
    form = SchemeForm()
    if form.validate_on_submit():
        try:
            fields = SchemeFields(form.name.data, form.funder.data, form.notes.data or "")
            scheme = create_scheme(form.code.data, fields)
        except FundingConfigError as error:
            show_field_error(form, error)
        else:
            flash(f"Scheme {scheme.code} added", "success")
            return redirect(url_for("funding.show_scheme", scheme_id=scheme.id))
    return render_template("funding/scheme_form.html", form=form, title="Add a funding scheme", scheme=None)


@bp.route("/schemes/<int:scheme_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_scheme(scheme_id: int) -> str | Response:
    scheme = db.get_or_404(FundingScheme, scheme_id)
    form = SchemeForm(data={"code": scheme.code, "name": scheme.name, "funder": scheme.funder, "notes": scheme.notes})
    del form.code  # the code ties families' cases to the scheme; it never changes
    if form.validate_on_submit():
        update_scheme(scheme, SchemeFields(form.name.data, form.funder.data, form.notes.data or ""))
        flash(f"Scheme {scheme.code} saved", "success")
        return redirect(url_for("funding.show_scheme", scheme_id=scheme.id))
    return render_template("funding/scheme_form.html", form=form, title=f"Edit {scheme.code}", scheme=scheme)


def _stream_fields(form: StreamForm) -> StreamFields:
    return StreamFields(
        name=form.name.data,
        scope=StreamScope(form.scope.data),
        categories=[Category(value) for value in form.categories.data or []],
        requires_prior_agreement=bool(form.requires_prior_agreement.data),
        effective_from=required(form.effective_from.data),
        effective_to=date_or_none(form.effective_to),
        source_ref=form.source_ref.data or "",
        description=form.description.data or "",
    )


@bp.route("/schemes/<int:scheme_id>/streams/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_stream(scheme_id: int) -> str | Response:
    scheme = db.get_or_404(FundingScheme, scheme_id)
    form = StreamForm()
    if form.validate_on_submit():
        try:
            stream = create_stream(scheme, form.code.data, _stream_fields(form))
        except FundingConfigError as error:
            show_field_error(form, error)
        else:
            flash(f"Stream {stream.code} added. Add its amount rules next", "success")
            return redirect(url_for("funding.show_scheme", scheme_id=scheme.id))
    return render_template(
        "funding/stream_form.html", form=form, scheme=scheme, stream=None, title=f"Add a stream to {scheme.code}"
    )


@bp.route("/streams/<int:stream_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_stream(stream_id: int) -> str | Response:
    stream = db.get_or_404(FundingStream, stream_id)
    form = StreamForm(
        data={
            "code": stream.code,
            "name": stream.name,
            "scope": stream.scope.value,
            "categories": [c.value for c in stream.categories],
            "requires_prior_agreement": stream.requires_prior_agreement,
            "effective_from": stream.effective_from,
            "effective_to": stream.effective_to,
            "source_ref": stream.source_ref,
            "description": stream.description,
        }
    )
    del form.code  # the matching engine and past spend refer to it
    if form.validate_on_submit():
        try:
            update_stream(stream, _stream_fields(form))
        except FundingConfigError as error:
            show_field_error(form, error)
        else:
            flash(f"Stream {stream.code} saved", "success")
            return redirect(url_for("funding.show_scheme", scheme_id=stream.scheme_id))
    return render_template(
        "funding/stream_form.html", form=form, scheme=stream.scheme, stream=stream, title=f"Edit {stream.code}"
    )


def _rule_fields(form: RuleForm) -> RuleFields:
    return RuleFields(
        basis=RuleBasis(form.basis.data),
        amount_pence=form.amount.pence or 0,
        effective_from=required(form.effective_from.data),
        effective_to=date_or_none(form.effective_to),
        age_min=form.age_min.data,
        age_max=form.age_max.data,
        support_year=form.support_year.data,
        source_ref=form.source_ref.data or "",
        is_confirmed=bool(form.is_confirmed.data),
        note=form.note.data or "",
    )


@bp.route("/streams/<int:stream_id>/rules/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_rule(stream_id: int) -> str | Response:
    stream = db.get_or_404(FundingStream, stream_id)
    form = RuleForm()
    if form.validate_on_submit():
        try:
            create_rule(stream, _rule_fields(form))
        except FundingConfigError as error:
            show_field_error(form, error)
        else:
            flash(f"Amount rule added to {stream.code}", "success")
            return redirect(url_for("funding.show_scheme", scheme_id=stream.scheme_id))
    return render_template("funding/rule_form.html", form=form, stream=stream, title=f"Add an amount to {stream.code}")


@bp.route("/rules/<int:rule_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_rule(rule_id: int) -> str | Response | tuple[str, int]:
    rule = db.get_or_404(AmountRule, rule_id)
    form = RuleForm(data={**_rule_data(rule), "version": str(rule.version)})
    scope = AuditScope(
        "funding_rule", str(rule.id)
    )  # read now: after a failed flush the record cannot be read until rollback
    status = 200
    if form.validate_on_submit():
        try:
            check_version(form, rule)
            update_rule(rule, _rule_fields(form))
            flush_version()
        except CHANGED_SINCE_OPENED:
            status = show_conflict(form, rule, _rule_data, scope)
        except FundingConfigError as error:
            show_field_error(form, error)
        else:
            flash(f"Amount rule in {rule.stream.code} saved", "success")
            return redirect(url_for("funding.show_scheme", scheme_id=rule.stream.scheme_id))
    page = render_template(
        "funding/rule_form.html", form=form, stream=rule.stream, title=f"Edit an amount in {rule.stream.code}"
    )
    return page, status


def _rule_data(rule: AmountRule) -> dict[str, Any]:
    return {
        "basis": rule.basis.value,
        "amount": rule.amount_pence,
        "age_min": rule.age_min,
        "age_max": rule.age_max,
        "support_year": rule.support_year,
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
        "source_ref": rule.source_ref,
        "is_confirmed": rule.is_confirmed,
        "note": rule.note,
    }


@bp.route("/eligibility")
@roles_required(*STAFF)
def show_eligibility() -> str:
    schemes, categories, cells = eligibility_table()
    return render_template(
        "funding/eligibility.html", schemes=schemes, categories=categories, cells=cells, default=DEFAULT_ELIGIBILITY
    )


@bp.route("/eligibility/<int:scheme_id>/<int:expense_category_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_eligibility(scheme_id: int, expense_category_id: int) -> str | Response:
    scheme = db.get_or_404(FundingScheme, scheme_id)
    expense_category = db.get_or_404(ExpenseCategory, expense_category_id)
    current = eligibility_map(scheme.id).get(expense_category.id)
    form = EligibilityForm(
        data={
            "eligibility": (current.eligibility if current else DEFAULT_ELIGIBILITY).value,
            "note": current.note if current else "",
        }
    )
    if form.validate_on_submit():
        set_eligibility(scheme, expense_category, Eligibility(form.eligibility.data), form.note.data or "")
        flash(f"{expense_category.label} under {scheme.code} saved", "success")
        return redirect(url_for("funding.show_eligibility"))
    return render_template("funding/eligibility_form.html", form=form, scheme=scheme, expense_category=expense_category)


@bp.route("/expense-categories/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_expense_category() -> str | Response:
    form = ExpenseCategoryForm()
    del form.is_active
    if form.validate_on_submit():
        try:
            created = create_expense_category(form.code.data, form.label.data, Category(form.category.data))
        except FundingConfigError as error:
            show_field_error(form, error)
        else:
            flash(
                f"{created.label} added. Every scheme treats it as needing approval until you say otherwise", "success"
            )
            return redirect(url_for("funding.show_eligibility"))
    return render_template("funding/expense_category_form.html", form=form, title="Add an expense category")


@bp.route("/expense-categories/<int:expense_category_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_expense_category(expense_category_id: int) -> str | Response:
    expense_category = db.get_or_404(ExpenseCategory, expense_category_id)
    form = ExpenseCategoryForm(
        data={
            "code": expense_category.code,
            "label": expense_category.label,
            "category": expense_category.category.value,
            "is_active": expense_category.is_active,
        }
    )
    del form.code
    if form.validate_on_submit():
        update_expense_category(
            expense_category, form.label.data, Category(form.category.data), bool(form.is_active.data)
        )
        flash(f"{expense_category.label} saved", "success")
        return redirect(url_for("funding.show_eligibility"))
    return render_template("funding/expense_category_form.html", form=form, title=f"Edit {expense_category.label}")
