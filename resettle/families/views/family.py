"""Family list, family page, and the forms that open and change a case. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.audit.services import record
from resettle.auth.models import CASE_STAFF, Role, User
from resettle.auth.permissions import roles_required
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families import bp
from resettle.families.errors import FamilyError
from resettle.families.forms import (
    ArrivalForm,
    CaseNoteForm,
    ConsentForm,
    FamilyForm,
    NewFamilyForm,
    StatusForm,
    comma_list,
)
from resettle.families.health import health_notes_for
from resettle.families.lha import known_brmas
from resettle.families.members import MemberDetails
from resettle.families.models import Family, FamilyStatus, Relationship, Scheme, Sex
from resettle.families.queries import (
    FamilyFilters,
    current_consents,
    family_export_count,
    family_export_query,
    family_list_query,
    get_family_or_404,
    group_tasks,
    timeline,
)
from resettle.families.services import (
    FamilyDetails,
    add_case_note,
    change_status,
    confirm_arrival,
    create_family,
    record_consent,
    record_family_viewed,
    update_family,
)
from resettle.families.spend import spend_section, spend_summary
from resettle.families.views.helpers import (
    brma_choices,
    caseworker_choices,
    family_url,
    int_or_none,
    status_choices,
)
from resettle.need_to_know.policy import special_category_access
from resettle.web.csv_export import csv_response, streamed_columns
from resettle.web.forms import required, show_field_error
from resettle.web.pagination import paginate
from resettle.web.query import query_id, query_text
from resettle.web.submissions import earlier_result, remember_result
from resettle.web.versions import CHANGED_SINCE_OPENED, AuditScope, check_version, flush_version, show_conflict

APPLICANT_FIELDS = {
    "full_name": "applicant_name",
    "date_of_birth": "applicant_date_of_birth",
    "sex": "applicant_sex",
    "relationship_to_applicant": "applicant_name",
}


def _filters() -> FamilyFilters:
    caseworker = query_text("caseworker")
    caseworker_id = current_user.id if caseworker == "me" else query_id("caseworker")
    return FamilyFilters(
        search=query_text("q", 100),
        status=query_text("status"),
        scheme=query_text("scheme"),
        caseworker_id=caseworker_id,
    )


@bp.route("/")
@roles_required(*CASE_STAFF)
def list_families() -> str:
    page = paginate(family_list_query(_filters()))
    return render_template(
        "families/list.html",
        page=page,
        args=request.args,
        statuses=list(FamilyStatus),
        schemes=list(Scheme),
        caseworkers=caseworker_choices("Anyone"),
    )


@bp.route("/export.csv")
@roles_required(*CASE_STAFF)
def export_families() -> Response:
    filters = _filters()
    count = family_export_count(filters)
    record("families_exported", "family", None, f"{count} families exported to CSV")
    statement = family_export_query(filters)

    def to_row(row: Any) -> tuple[Any, ...]:
        reference, name, scheme, status, referral_date, arrival_date, caseworker_name, postcode, members = row
        return (
            reference,
            name,
            scheme.value,
            status.label,
            referral_date,
            arrival_date or "",
            caseworker_name or "",
            postcode or "",
            members,
        )

    header = [
        "Reference",
        "Family",
        "Scheme",
        "Status",
        "Referral date",
        "Arrival date",
        "Caseworker",
        "Postcode",
        "Members",
    ]
    return csv_response("families.csv", header, streamed_columns(statement, to_row))


def _family_details(form: FamilyForm) -> FamilyDetails:
    caseworker_id = int_or_none(form.caseworker.data)
    return FamilyDetails(
        name=form.name.data or "",
        scheme=form.scheme.data or "",
        referral_date=required(form.referral_date.data),
        arrival_date=form.arrival_date.data,
        caseworker=db.session.get(User, caseworker_id) if caseworker_id else None,
        address_line_1=form.address_line_1.data or "",
        address_line_2=form.address_line_2.data or "",
        town=form.town.data or "",
        postcode=form.postcode.data or "",
        brma=form.brma.data or None,
        preferred_languages=comma_list(form.preferred_languages.data),
    )


def _prepare(form: FamilyForm) -> None:
    form.caseworker.choices = caseworker_choices()
    form.brma.choices = brma_choices()


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def create_family_page() -> str | Response:
    form = NewFamilyForm(
        data={"caseworker": str(current_user.id) if current_user.role == Role.CASEWORKER else "", "town": "London"}
    )
    _prepare(form)
    if form.validate_on_submit():
        if earlier := earlier_result(form):
            return earlier
        applicant = MemberDetails(
            full_name=form.applicant_name.data or "",
            date_of_birth=required(form.applicant_date_of_birth.data),
            # An unknown choice is refused just below, beside the field.
            sex=Sex(form.applicant_sex.data) if form.applicant_sex.data in set(Sex) else None,  # type: ignore[arg-type]
            relationship_to_applicant=Relationship.APPLICANT,
        )
        try:
            if applicant.sex is None:
                raise FamilyError("applicant_sex", "Select the principal applicant's sex")
            family = create_family(_family_details(form), current_user, local_today(), applicant=applicant)
        except FamilyError as error:
            show_field_error(form, error, APPLICANT_FIELDS)
        else:
            if duplicate := remember_result(form, family_url(family)):
                return duplicate
            flash(f"Family {family.reference} created", "success")
            return redirect(family_url(family))
    return render_template("families/family_form.html", form=form, title="Add a family", is_new=True)


@bp.route("/<reference>")
@roles_required(Role.CASEWORKER, Role.REVIEWER, Role.ADMIN)
def view_family(reference: str) -> str:
    family = get_family_or_404(reference)
    if current_user.role == Role.REVIEWER:
        # Reviewers see the reference, scheme and spend only: no personal or health details.
        record_family_viewed(family, current_user, "Spend summary viewed")
        return render_template("families/family_reviewer.html", family=family, spend=spend_summary(family))
    record_family_viewed(family, current_user)
    today = local_today()
    open_tasks = [task for task in family.tasks if task.status.value == "open"]
    return render_template(
        "families/family.html",
        family=family,
        today=today,
        tasks=group_tasks(open_tasks, today),
        done_tasks=[task for task in family.tasks if task.status.value == "done"],
        timeline=timeline(family),
        consents=current_consents(family),
        spend=spend_section(family),
        is_caseworker=current_user.role == Role.CASEWORKER,
        note_form=CaseNoteForm(),
        brma_names=known_brmas(),
        special_access=special_category_access(current_user, family),
    )


@bp.route("/<reference>/summary")
@roles_required(*CASE_STAFF)
def family_summary(reference: str) -> str:
    """The case on paper: every section of the family page without buttons, forms or navigation, each section
    kept on whole pages when printed. A read of the record like any other, and audited as one; special
    category data only for those who may read it."""
    family = get_family_or_404(reference)
    record_family_viewed(family, current_user, "Case summary viewed for printing")
    access = special_category_access(current_user, family)
    today = local_today()
    return render_template(
        "families/summary.html",
        family=family,
        today=today,
        open_tasks=[task for task in family.tasks if task.status.value == "open"],
        done_tasks=[task for task in family.tasks if task.status.value == "done"],
        timeline=timeline(family),
        consents=current_consents(family),
        spend=spend_section(family),
        is_caseworker=current_user.role == Role.CASEWORKER,
        brma_names=known_brmas(),
        special_access=access,
        health_notes=health_notes_for(family, current_user) if access.may_read else [],
    )


def _family_data(family: Family) -> dict[str, Any]:
    return {
        "name": family.name,
        "scheme": family.scheme.value,
        "referral_date": family.referral_date,
        "arrival_date": family.arrival_date,
        "caseworker": str(family.caseworker_id or ""),
        "address_line_1": family.address_line_1,
        "address_line_2": family.address_line_2,
        "town": family.town,
        "postcode": family.postcode,
        "brma": family.brma or "",
        "preferred_languages": ", ".join(family.preferred_languages or []),
    }


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def edit_family(reference: str) -> str | Response | tuple[str, int]:
    family = get_family_or_404(reference)
    form = FamilyForm(data={**_family_data(family), "version": str(family.version)})
    _prepare(form)
    if request.method == "GET":
        record_family_viewed(family, current_user, "Family details form viewed")
    scope = AuditScope(
        "family", family.reference
    )  # read now: after a failed flush the record cannot be read until rollback
    status = 200
    if form.validate_on_submit():
        try:
            check_version(form, family)
            update_family(family, _family_details(form), current_user, local_today())
            flush_version()
        except CHANGED_SINCE_OPENED:
            status = show_conflict(form, family, _family_data, scope)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash("Family details saved", "success")
            return redirect(family_url(family))
    page = render_template("families/family_form.html", form=form, family=family, title="Change family details")
    return page, status


@bp.route("/<reference>/status", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def change_family_status(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    form = StatusForm()
    form.status.choices = status_choices(family.status)
    if form.validate_on_submit():
        try:
            change_status(family, form.status.data or "", form.reason.data or "", current_user)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash(f"Status changed to {family.status.label.lower()}", "success")
            return redirect(family_url(family))
    return render_template("families/simple_form.html", form=form, family=family, title="Change status")


@bp.route("/<reference>/arrival", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def confirm_family_arrival(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    form = ArrivalForm(data={"arrival_date": family.arrival_date})
    if form.validate_on_submit():
        had_tasks = bool(family.tasks)
        try:
            confirm_arrival(family, required(form.arrival_date.data), current_user)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash(
                "Arrival date confirmed. "
                + ("Task due dates moved to match." if had_tasks else "The arrival tasks have been created."),
                "success",
            )
            return redirect(family_url(family, "tasks"))
    return render_template(
        "families/simple_form.html",
        form=form,
        family=family,
        title="Confirm the arrival date",
        intro="Confirming the date creates the arrival checklist's tasks for this scheme, due "
        "before and after the arrival.",
    )


@bp.route("/<reference>/notes", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def add_note(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    form = CaseNoteForm()
    if form.validate_on_submit():
        if earlier := earlier_result(form):
            return earlier
        try:
            add_case_note(family, form.body.data or "", current_user)
        except FamilyError as error:
            show_field_error(form, error)
        else:
            if duplicate := remember_result(form, family_url(family, "timeline")):
                return duplicate
            flash("Case note added", "success")
            return redirect(family_url(family, "timeline"))
    return render_template("families/simple_form.html", form=form, family=family, title="Add a case note")


@bp.route("/<reference>/consent", methods=["GET", "POST"])
@roles_required(*CASE_STAFF)
def record_family_consent(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            record_consent(
                family, form.purpose.data or "", form.answer.data == "yes", form.note.data or "", current_user
            )
        except FamilyError as error:
            show_field_error(form, error)
        else:
            flash("Consent recorded", "success")
            return redirect(family_url(family, "consent"))
    return render_template("families/simple_form.html", form=form, family=family, title="Record consent")
