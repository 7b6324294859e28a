"""Families, members, needs, case notes and tasks over the API: the same permissions, service functions,
need-to-know rule and audit entries as the family pages (views_*.py), in JSON."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, asc, desc, or_, select
from sqlalchemy.orm import selectinload

from resettle import bounds
from resettle.api.blueprint import ApiBlueprint
from resettle.api.errors import field_error
from resettle.api.pagination import Page, PageArgsSchema, keyset_page
from resettle.api.versions import matching_version, send_etag
from resettle.auth.models import CASE_STAFF, Role, User
from resettle.auth.permissions import roles_required
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families import schemas
from resettle.families.errors import FamilyError
from resettle.families.members import MemberDetails, add_member, record_member_left, update_member
from resettle.families.models import (
    CaseNote,
    EnglishLevel,
    Family,
    Member,
    MemberActivity,
    Need,
    NeedStatus,
    Relationship,
    Sex,
    Task,
    TaskStatus,
)
from resettle.families.needs import NeedDetails, raise_need, update_need
from resettle.families.queries import FamilyFilters, family_list_query, get_family_or_404, get_task_or_404
from resettle.families.services import (
    FamilyDetails,
    add_case_note,
    change_status,
    confirm_arrival,
    create_family,
    record_family_viewed,
    update_family,
)
from resettle.families.spend import spend_summary
from resettle.families.tasks import add_task, complete_task, reassign_task, snooze_task
from resettle.need_to_know.policy import SPECIAL_CATEGORY_MEMBER_FIELDS, special_category_access, visible_member_fields

REFERENCE_MAX_LENGTH = 40

blp = ApiBlueprint(
    "families",
    __name__,
    tag="Families",
    url_prefix="/families",
    description="Families' cases: details, members, needs and case notes",
)
tasks_blp = ApiBlueprint("tasks", __name__, tag="Tasks", url_prefix="/tasks", description="Tasks around arrivals")


# --- loading, as the pages do -----------------------------------------------------------------------------------


def _family(reference: str) -> Family:
    if len(reference) > REFERENCE_MAX_LENGTH:
        abort(404)
    return get_family_or_404(reference)


def _member(family: Family, member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None or member.family_id != family.id:
        abort(404)
    return member


def _need(family: Family, need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or need.family_id != family.id:
        abort(404)
    return need


def _staff(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None:
        field_error(422, field, "Select a caseworker")
    return user


def _family_member(family: Family, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = db.session.get(Member, member_id)
    if member is None:
        field_error(422, "member_id", "Select a member of this family")
    return member


# --- showing, with the need-to-know rule ------------------------------------------------------------------------


def _member_data(member: Member, shown_special: frozenset[str]) -> dict[str, Any]:
    data = {
        name: getattr(member, name)
        for name in (
            "id",
            "version",
            "full_name",
            "date_of_birth",
            "sex",
            "relationship_to_applicant",
            "languages",
            "english_level",
            "activity",
            "school_or_employer",
            "needs_step_free_access",
            "joined_on",
            "left_on",
        )
    }
    data["languages"] = list(member.languages or [])
    # update_member strips every str, StrEnums included, so a member just saved may hold plain strings.
    for name, kind in (
        ("sex", Sex),
        ("relationship_to_applicant", Relationship),
        ("english_level", EnglishLevel),
        ("activity", MemberActivity),
    ):
        data[name] = kind(data[name])
    for name in shown_special:
        data[name] = getattr(member, name)
    return data


def _need_data(need: Need) -> dict[str, Any]:
    fields = schemas.NeedSchema().fields
    return {name: getattr(need, name) for name in fields}


def _family_data(family: Family) -> dict[str, Any]:
    """The family as the family page shows it to the caller."""
    spend = [{"label": line.label, "pence": line.pence} for line in spend_summary(family)]
    if current_user.role == Role.REVIEWER:
        # As the page: reviewers see the reference, scheme and spend only.
        record_family_viewed(family, current_user, "Spend summary viewed")
        return {"reference": family.reference, "scheme": family.scheme, "spend": spend}
    record_family_viewed(family, current_user)
    access = special_category_access(current_user, family)
    shown = visible_member_fields(access)
    send_etag(family)
    caseworker = family.caseworker
    return {
        "reference": family.reference,
        "version": family.version,
        "name": family.name,
        "scheme": family.scheme,
        "status": family.status,
        "referral_date": family.referral_date,
        "arrival_date": family.arrival_date,
        "arrival_confirmed": family.arrival_confirmed_at is not None,
        "caseworker": {"id": caseworker.id, "name": caseworker.name} if caseworker else None,
        "address_line_1": family.address_line_1,
        "address_line_2": family.address_line_2,
        "town": family.town,
        "postcode": family.postcode,
        "brma": family.brma,
        "preferred_languages": list(family.preferred_languages or []),
        "special_category_access": access,
        "members": [_member_data(member, shown) for member in family.members],
        "needs": [_need_data(need) for need in family.needs],
        "spend": spend,
    }


def _family_summary(family: Family) -> dict[str, Any]:
    caseworker = family.caseworker
    return {
        "reference": family.reference,
        "name": family.name,
        "scheme": family.scheme,
        "status": family.status,
        "referral_date": family.referral_date,
        "arrival_date": family.arrival_date,
        "caseworker": {"id": caseworker.id, "name": caseworker.name} if caseworker else None,
        "postcode": family.postcode,
        "member_count": len(family.current_members),
    }


# --- links: what a client (and schemathesis' stateful run) may call next with what an answer holds -------------

_FAMILY = "$response.body#/reference"
_ETAG = "$response.header.ETag"
FAMILY_LINKS = {
    "ShowFamily": {"operationId": "show_family", "parameters": {"reference": _FAMILY}},
    "UpdateFamily": {
        "operationId": "update_family_record",
        "parameters": {"reference": _FAMILY, "header.If-Match": _ETAG},
    },
    "AddMember": {"operationId": "add_family_member", "parameters": {"reference": _FAMILY}},
    "RaiseNeed": {"operationId": "raise_family_need", "parameters": {"reference": _FAMILY}},
    "AddCaseNote": {"operationId": "add_family_case_note", "parameters": {"reference": _FAMILY}},
    "ListCaseNotes": {"operationId": "list_case_notes", "parameters": {"reference": _FAMILY}},
    "AddTask": {"operationId": "add_family_task", "parameters": {"reference": _FAMILY}},
}


def _links(status: int, links: dict[str, Any]) -> dict[str, Any]:
    return {"responses": {status: {"links": links}}}


# --- families ---------------------------------------------------------------------------------------------------


@blp.route("")
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.FamilyFiltersSchema, location="query")
@blp.response(200, schemas.FamilyPageSchema)
def list_families(filters: dict[str, Any]) -> Page:
    """Families, newest referral first, filtered as on the family list page."""
    caseworker = filters.get("caseworker")
    statement = family_list_query(
        FamilyFilters(
            search=filters.get("q", ""),
            status=filters["status"].value if filters.get("status") else "",
            scheme=filters["scheme"].value if filters.get("scheme") else "",
            caseworker_id=current_user.id if caseworker == "me" else int(caseworker) if caseworker else None,
        )
    ).options(selectinload(Family.members))
    page = keyset_page(statement, [desc(Family.referral_date), desc(Family.id)], filters)
    page.items = [_family_summary(family) for family in page.items]
    return page


def _details_from(values: dict[str, Any], family: Family | None = None) -> FamilyDetails:
    """The service's input: what was sent, over what the family holds now (for an update)."""
    current = (
        FamilyDetails(
            name=family.name,
            scheme=family.scheme,
            referral_date=family.referral_date,
            arrival_date=family.arrival_date,
            caseworker=family.caseworker,
            address_line_1=family.address_line_1 or "",
            address_line_2=family.address_line_2 or "",
            town=family.town or "",
            postcode=family.postcode or "",
            brma=family.brma,
            preferred_languages=list(family.preferred_languages or []),
        )
        if family is not None
        else FamilyDetails(name="", scheme="", referral_date=values["referral_date"])
    )
    changes = {key: value for key, value in values.items() if key not in ("caseworker_id", "applicant")}
    details = replace(current, **changes)
    if "caseworker_id" in values:
        details.caseworker = _staff(values["caseworker_id"], "caseworker_id")
    return details


@blp.route("", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.NewFamilySchema)
@blp.response(201, schemas.FamilySchema)
@blp.doc(**_links(201, FAMILY_LINKS))
@blp.idempotent_create(
    find=lambda reference: _family_data(get_family_or_404(reference)), reference_of=lambda data: data["reference"]
)
def create_family_record(values: dict[str, Any]) -> dict[str, Any]:
    """Open a case with its principal applicant, as the Add a family page does."""
    if "caseworker_id" not in values and current_user.role == Role.CASEWORKER:
        values["caseworker_id"] = current_user.id  # the form starts with the caseworker themself
    applicant = values["applicant"]
    family = create_family(
        _details_from(values),
        current_user,
        local_today(),
        applicant=MemberDetails(
            full_name=applicant["full_name"],
            date_of_birth=applicant["date_of_birth"],
            sex=applicant["sex"],
            relationship_to_applicant=Relationship.APPLICANT,
        ),
    )
    db.session.flush()
    return _family_data(family)


@blp.route("/<reference>")
@roles_required(Role.CASEWORKER, Role.REVIEWER, Role.ADMIN)
@blp.response(200, schemas.FamilySchema)
@blp.doc(**_links(200, {"UpdateFamily": FAMILY_LINKS["UpdateFamily"]}))
def show_family(reference: str) -> dict[str, Any]:
    """A family as its page shows it: members (special category fields only with need-to-know access), needs
    and spend. Spend reviewers get the reference, scheme and spend only. Sends the family's ETag."""
    return _family_data(_family(reference))


@blp.route("/<reference>", methods=["PATCH"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.FamilyChangesSchema)
@blp.response(200, schemas.FamilySchema)
@blp.if_match()
def update_family_record(changes: dict[str, Any], reference: str) -> dict[str, Any]:
    """Change a family's details (what is sent; the rest is kept). Needs If-Match."""
    family = _family(reference)
    with matching_version(family):
        update_family(family, _details_from(changes, family), current_user, local_today())
    return _family_data(family)


@blp.route("/<reference>/status", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.StatusChangeSchema)
@blp.response(200, schemas.FamilySchema)
def change_family_status(change: dict[str, Any], reference: str) -> dict[str, Any]:
    """Move a family to another status, with the reason."""
    family = _family(reference)
    try:
        change_status(family, change["status"], change["reason"], current_user)
    except FamilyError as refused:
        field_error(409, refused.field, refused.message)
    return _family_data(family)


@blp.route("/<reference>/arrival", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.ArrivalSchema)
@blp.response(200, schemas.FamilySchema)
def confirm_family_arrival(arrival: dict[str, Any], reference: str) -> dict[str, Any]:
    """Confirm the arrival date: creates (or moves) the arrival checklist's tasks."""
    family = _family(reference)
    confirm_arrival(family, arrival["arrival_date"], current_user)
    return _family_data(family)


# --- members ----------------------------------------------------------------------------------------------------


def _refuse_hidden_fields(values: dict[str, Any], family: Family) -> frozenset[str]:
    """The special category fields the caller may read and change; sending others is refused (403), as the
    page leaves them off its form."""
    shown = visible_member_fields(special_category_access(current_user, family))
    hidden = [name for name in SPECIAL_CATEGORY_MEMBER_FIELDS if name in values and name not in shown]
    if hidden:
        field_error(403, hidden[0], "Only caseworkers with need-to-know access may see or change this")
    return shown


def _member_details(values: dict[str, Any], member: Member | None = None) -> MemberDetails:
    base = (
        MemberDetails(
            full_name=member.full_name,
            date_of_birth=member.date_of_birth,
            sex=member.sex,
            relationship_to_applicant=member.relationship_to_applicant,
            languages=list(member.languages or []),
            english_level=member.english_level,
            needs_step_free_access=member.needs_step_free_access,
            access_needs=member.access_needs,
            eats_halal=member.eats_halal,
            dietary_needs=member.dietary_needs,
            activity=member.activity,
            school_or_employer=member.school_or_employer,
            joined_on=member.joined_on,
        )
        if member is not None
        else MemberDetails(
            full_name="",
            date_of_birth=values["date_of_birth"],
            sex=values["sex"],
            relationship_to_applicant=values["relationship_to_applicant"],
        )
    )
    return replace(base, **values)


def _member_reply(family: Family, member: Member, shown: frozenset[str]) -> dict[str, Any]:
    send_etag(member)
    return _member_data(member, shown)


@blp.route("/<reference>/members", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.NewMemberSchema)
@blp.response(201, schemas.MemberSchema)
@blp.idempotent_create(
    find=lambda ref: _find_member(*ref.split("/", 1)), reference_of=lambda data: f"{data['_family']}/{data['id']}"
)
def add_family_member(values: dict[str, Any], reference: str) -> dict[str, Any]:
    """Add a member to the family."""
    family = _family(reference)
    shown = _refuse_hidden_fields(values, family)
    member = add_member(family, _member_details(values), current_user, local_today())
    return {**_member_reply(family, member, shown), "_family": family.reference}


def _find_member(reference: str, member_id: str) -> dict[str, Any] | None:
    family = _family(reference)
    member = _member(family, int(member_id))
    return _member_reply(family, member, visible_member_fields(special_category_access(current_user, family)))


@blp.route("/<reference>/members/<int:member_id>")
@roles_required(*CASE_STAFF)
@blp.response(200, schemas.MemberSchema)
def show_family_member(reference: str, member_id: int) -> dict[str, Any]:
    """One member; special category fields only with need-to-know access. Sends the member's ETag."""
    family = _family(reference)
    member = _member(family, member_id)
    record_family_viewed(family, current_user, f"Member {member.id} details viewed")
    return _member_reply(family, member, visible_member_fields(special_category_access(current_user, family)))


@blp.route("/<reference>/members/<int:member_id>", methods=["PATCH"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.MemberChangesSchema)
@blp.response(200, schemas.MemberSchema)
@blp.if_match()
def update_family_member(changes: dict[str, Any], reference: str, member_id: int) -> dict[str, Any]:
    """Change a member's details. Needs If-Match."""
    family = _family(reference)
    member = _member(family, member_id)
    shown = _refuse_hidden_fields(changes, family)
    with matching_version(member):
        update_member(member, _member_details(changes, member), current_user, local_today())
    return _member_reply(family, member, shown)


@blp.route("/<reference>/members/<int:member_id>/left", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.MemberLeftSchema)
@blp.response(200, schemas.MemberSchema)
def record_family_member_left(left: dict[str, Any], reference: str, member_id: int) -> dict[str, Any]:
    """Record that a member has left the household (they stay on record)."""
    family = _family(reference)
    member = _member(family, member_id)
    record_member_left(member, left["left_on"], current_user, local_today())
    return _member_reply(family, member, visible_member_fields(special_category_access(current_user, family)))


# --- needs ------------------------------------------------------------------------------------------------------


def _need_details(values: dict[str, Any], family: Family, need: Need | None = None) -> NeedDetails:
    base = (
        NeedDetails(
            category=need.category,
            priority=need.priority,
            item=need.item,
            units=need.units,
            needed_by=need.needed_by,
            description=need.description,
            member=need.member,
            follows_bedroom_standard=need.follows_bedroom_standard,
            bedrooms_min=need.bedrooms_min,
            rent_max=need.rent_max,
            step_free=need.step_free,
            language=need.language,
            halal=need.halal,
            home_visit=need.home_visit,
            max_distance_km=need.max_distance_km,
        )
        if need is not None
        else NeedDetails(category=values["category"], priority=values["priority"])
    )
    changes = {key: value for key, value in values.items() if key not in ("member_id", "status")}
    details = replace(base, **changes)
    if "member_id" in values:
        details.member = _family_member(family, values["member_id"])
    return details


def _need_reply(need: Need) -> dict[str, Any]:
    send_etag(need)
    return _need_data(need)


@blp.route("/<reference>/needs")
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.NeedFiltersSchema, location="query")
@blp.response(200, schemas.NeedSchema(many=True))
def list_family_needs(filters: dict[str, Any], reference: str) -> list[dict[str, Any]]:
    """The family's needs, as on its page."""
    family = _family(reference)
    record_family_viewed(family, current_user, "Needs viewed")
    status = filters.get("status")
    return [_need_data(need) for need in family.needs if status is None or need.status == status]


@blp.route("/<reference>/needs", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.NewNeedSchema)
@blp.response(201, schemas.NeedSchema)
@blp.idempotent_create(find=lambda ref: _find_need(*ref.split("/", 1)), reference_of=lambda data: data["_ref"])
def raise_family_need(values: dict[str, Any], reference: str) -> dict[str, Any]:
    """Raise a need. Its status starts open."""
    family = _family(reference)
    values.pop("status", None)
    need = raise_need(family, _need_details(values, family), current_user, local_today())
    return {**_need_reply(need), "_ref": f"{family.reference}/{need.id}"}


def _find_need(reference: str, need_id: str) -> dict[str, Any]:
    return _need_reply(_need(_family(reference), int(need_id)))


@blp.route("/<reference>/needs/<int:need_id>")
@roles_required(*CASE_STAFF)
@blp.response(200, schemas.NeedSchema)
def show_family_need(reference: str, need_id: int) -> dict[str, Any]:
    """One need. Sends its ETag."""
    family = _family(reference)
    need = _need(family, need_id)
    record_family_viewed(family, current_user, f"Need {need.id} viewed")
    return _need_reply(need)


@blp.route("/<reference>/needs/<int:need_id>", methods=["PATCH"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.NeedChangesSchema)
@blp.response(200, schemas.NeedSchema)
@blp.if_match()
def update_family_need(changes: dict[str, Any], reference: str, need_id: int) -> dict[str, Any]:
    """Change a need, or its status (open, matched, met, cancelled). Needs If-Match."""
    family = _family(reference)
    need = _need(family, need_id)
    status: NeedStatus = changes.get("status", need.status)
    with matching_version(need):
        update_need(need, _need_details(changes, family, need), status, current_user, local_today())
    return _need_reply(need)


# --- case notes -------------------------------------------------------------------------------------------------


def _note_data(note: CaseNote) -> dict[str, Any]:
    author = note.author
    return {
        "id": note.id,
        "body": note.body,
        "author": {"id": author.id, "name": author.name} if author else None,
        "created_at": note.created_at,
    }


@blp.route("/<reference>/notes")
@roles_required(*CASE_STAFF)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, schemas.CaseNotePageSchema)
def list_case_notes(args: dict[str, Any], reference: str) -> Page:
    """The family's case notes, newest first (the notes of its timeline)."""
    family = _family(reference)
    record_family_viewed(family, current_user, "Case notes viewed")
    statement = select(CaseNote).where(CaseNote.family_id == family.id).options(selectinload(CaseNote.author))
    page = keyset_page(statement, [desc(CaseNote.created_at), desc(CaseNote.id)], args)
    page.items = [_note_data(note) for note in page.items]
    return page


@blp.route("/<reference>/notes", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.NewCaseNoteSchema)
@blp.response(201, schemas.CaseNoteSchema)
@blp.idempotent_create(find=lambda ref: _find_note(ref), reference_of=lambda data: str(data["id"]))
def add_family_case_note(values: dict[str, Any], reference: str) -> dict[str, Any]:
    """Add a case note."""
    return _note_data(add_case_note(_family(reference), values["body"], current_user))


def _find_note(note_id: str) -> dict[str, Any] | None:
    note = db.session.get(CaseNote, int(note_id))
    return _note_data(note) if note is not None else None


# --- tasks ------------------------------------------------------------------------------------------------------


def _task_query(filters: dict[str, Any]) -> Select[Any]:
    today = local_today()
    statement = (
        select(Task)
        .where(Task.status == filters["status"])
        .options(selectinload(Task.family), selectinload(Task.assignee), selectinload(Task.completed_by))
    )
    assignee = filters.get("assignee")
    if assignee == "me":
        statement = statement.where(Task.assignee_id == current_user.id)
    elif assignee == "nobody":
        statement = statement.where(Task.assignee_id.is_(None))
    elif assignee:
        statement = statement.where(Task.assignee_id == int(assignee))
    if filters.get("overdue"):
        statement = statement.where(
            Task.status == TaskStatus.OPEN,
            Task.due_on < today,
            or_(Task.snoozed_until.is_(None), Task.snoozed_until <= today),
        )
    if filters.get("family"):
        statement = statement.join(Family, Family.id == Task.family_id).where(Family.reference == filters["family"])
    return statement


@tasks_blp.route("")
@roles_required(*CASE_STAFF)
@tasks_blp.arguments(schemas.TaskFiltersSchema, location="query")
@tasks_blp.response(200, schemas.TaskPageSchema)
def list_tasks(filters: dict[str, Any]) -> Page:
    """Tasks by due date, filtered as on My tasks (`assignee=me`) and the team's overdue tasks (`overdue=true`)."""
    return keyset_page(_task_query(filters), [asc(Task.due_on), asc(Task.id)], filters)


@tasks_blp.route("/<int:task_id>")
@roles_required(*CASE_STAFF)
@tasks_blp.response(200, schemas.TaskSchema)
def show_task(task_id: int) -> Task:
    """One task."""
    return get_task_or_404(task_id)


def _task_action(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        field_error(409, "task", "This task is already closed")


@tasks_blp.route("/<int:task_id>/complete", methods=["POST"])
@roles_required(*CASE_STAFF)
@tasks_blp.arguments(schemas.CompleteTaskSchema)
@tasks_blp.response(200, schemas.TaskSchema)
def complete_family_task(values: dict[str, Any], task_id: int) -> Task:
    """Mark a task done, with what shows it was done."""
    task = get_task_or_404(task_id)
    _task_action(task)
    return complete_task(task, current_user, values["evidence"])


@tasks_blp.route("/<int:task_id>/reassign", methods=["POST"])
@roles_required(*CASE_STAFF)
@tasks_blp.arguments(schemas.ReassignTaskSchema)
@tasks_blp.response(200, schemas.TaskSchema)
def reassign_family_task(values: dict[str, Any], task_id: int) -> Task:
    """Give a task to another caseworker (they are notified, as from the page)."""
    task = get_task_or_404(task_id)
    _task_action(task)
    return reassign_task(task, _staff(values["assignee_id"], "assignee_id"), current_user)


@tasks_blp.route("/<int:task_id>/snooze", methods=["POST"])
@roles_required(*CASE_STAFF)
@tasks_blp.arguments(schemas.SnoozeTaskSchema)
@tasks_blp.response(200, schemas.TaskSchema)
def snooze_family_task(values: dict[str, Any], task_id: int) -> Task:
    """Put a task aside until a date, with the reason."""
    task = get_task_or_404(task_id)
    _task_action(task)
    return snooze_task(task, values["until"], values["reason"], current_user, local_today())


@blp.route("/<reference>/tasks", methods=["POST"])
@roles_required(*CASE_STAFF)
@blp.arguments(schemas.NewTaskSchema)
@blp.response(201, schemas.TaskSchema)
@blp.idempotent_create(find=lambda ref: db.session.get(Task, int(ref)), reference_of=lambda task: str(task.id))
def add_family_task(values: dict[str, Any], reference: str) -> Task:
    """Add a task for the family; it goes to the family's caseworker unless another is named."""
    family = _family(reference)
    # The due date's window is the form's (AddTaskForm: a case's planning window).
    bounds.check_date("due_on", values["due_on"], bounds.CASE_PLANNED, "Due date", local_today(), FamilyError)
    assignee = _staff(values["assignee_id"], "assignee_id") if "assignee_id" in values else family.caseworker
    return add_task(family, values["title"], values["due_on"], assignee, current_user)
