"""Opening and keeping a family's case: creating it, changing its details and status, confirming the arrival
(which makes the arrival tasks), case notes and consent. Every view and change is audited."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from resettle import bounds
from resettle.audit.services import audit_value, describe_changes, record
from resettle.auth.models import CASE_STAFF, User
from resettle.clock import local_today
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.errors import FamilyError
from resettle.families.housing import recompute_housing_needs
from resettle.families.lha import known_brmas
from resettle.families.members import MemberDetails, add_member, check_member
from resettle.families.models import (
    CaseNote,
    ConsentPurpose,
    ConsentRecord,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Scheme,
)
from resettle.families.places import district_of, normalise_postcode
from resettle.families.tasks import generate_arrival_tasks

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass
class FamilyDetails:
    name: str
    scheme: Scheme | str
    referral_date: date
    arrival_date: date | None = None
    caseworker: User | None = None
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    brma: str | None = None
    preferred_languages: list[str] = field(default_factory=list)


def _checked_fields(details: FamilyDetails, today: date) -> dict[str, Any]:
    """Validate and normalise; raise FamilyError for the first broken rule."""
    if not details.name.strip():
        raise FamilyError("name", "Enter a name for the family")
    try:
        scheme = Scheme(details.scheme)
    except ValueError:
        raise FamilyError("scheme", "Select the resettlement scheme") from None
    bounds.check_date("referral_date", details.referral_date, bounds.CASE_PAST, "Referral date", today, FamilyError)
    bounds.check_date("arrival_date", details.arrival_date, bounds.CASE_PLANNED, "Arrival date", today, FamilyError)
    if details.arrival_date is not None and details.arrival_date < details.referral_date:
        raise FamilyError("arrival_date", "Arrival date must be on or after the referral date")
    if details.caseworker is not None and (
        details.caseworker.role not in CASE_STAFF or not details.caseworker.is_active_account
    ):
        raise FamilyError("caseworker", "Select a caseworker")
    postcode = None
    if details.postcode.strip():
        postcode = normalise_postcode(details.postcode)
        if postcode is None:
            raise FamilyError("postcode", "Enter a real postcode, like SE13 6AA")
    district = district_of(postcode) if postcode else None
    brma = details.brma or (district.brma if district else None)
    if brma is not None and brma not in known_brmas():
        raise FamilyError("brma", "Select the Broad Rental Market Area")
    values = _as_dict(details)
    values.pop("caseworker")
    languages = [language.strip() for language in details.preferred_languages if language.strip()]
    values.update(
        name=details.name.strip(),
        scheme=scheme,
        postcode=postcode,
        brma=brma,
        preferred_languages=languages,
        latitude=district.latitude if district else None,
        longitude=district.longitude if district else None,
    )
    for key in ("address_line_1", "address_line_2", "town"):
        values[key] = values[key].strip() or None
    return values


def create_family(details: FamilyDetails, actor: Any, today: date, applicant: MemberDetails | None = None) -> Family:
    """Open a case, with the principal applicant when given. Checks everything before saving anything."""
    values = _checked_fields(details, today)
    family = Family(caseworker=details.caseworker, created_by=actor, status=FamilyStatus.REFERRED, **values)
    if applicant is not None:
        check_member(family, applicant, today)
    db.session.add(family)
    db.session.add(
        FamilyStatusChange(
            family=family, from_status=None, to_status=FamilyStatus.REFERRED, reason="Case opened", changed_by=actor
        )
    )
    db.session.flush()
    record("family_created", "family", family.reference, f"Family created ({family.scheme.value})", actor=actor)
    if applicant is not None:
        add_member(family, applicant, actor, today)
    return family


def _snapshot(family: Family) -> dict[str, Any]:
    keys = (
        "name",
        "scheme",
        "referral_date",
        "arrival_date",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "brma",
        "preferred_languages",
    )
    snapshot = {key: getattr(family, key) for key in keys}
    snapshot["caseworker"] = family.caseworker.email if family.caseworker else None
    return snapshot


def update_family(family: Family, details: FamilyDetails, actor: Any, today: date) -> Family:
    values = _checked_fields(details, today)
    if family.arrival_confirmed_at is not None and values["arrival_date"] != family.arrival_date:
        # A confirmed date moves only through confirm_arrival, which moves the tasks with it.
        raise FamilyError(
            "arrival_date",
            "The arrival date is confirmed: change it with ‘Confirm the arrival "
            "date’ on the family page, which moves the tasks too",
        )
    before = _snapshot(family)
    for key, value in values.items():
        setattr(family, key, value)
    family.caseworker = details.caseworker
    db.session.flush()
    changed = describe_changes(before, _snapshot(family), withheld={"name"})  # no names in the log
    record("family_updated", "family", family.reference, changed, actor=actor)
    if before["brma"] != family.brma:
        recompute_housing_needs(family, today, actor)
    return family


def change_status(family: Family, status: FamilyStatus | str, reason: str, actor: Any) -> Family:
    try:
        status = FamilyStatus(status)
    except ValueError:
        raise FamilyError("status", "Select the family's status") from None
    if status == family.status:
        raise FamilyError("status", f"The family's status is already {status.label.lower()}")
    if status == FamilyStatus.ARRIVED and family.arrival_date is None:
        raise FamilyError("status", "Confirm the arrival date before marking the family as arrived")
    db.session.add(
        FamilyStatusChange(
            family=family, from_status=family.status, to_status=status, reason=reason.strip()[:500], changed_by=actor
        )
    )
    previous, family.status = family.status, status
    db.session.flush()
    record(
        "family_status_changed", "family", family.reference, f"Status {previous.value} → {status.value}", actor=actor
    )
    return family


def confirm_arrival(family: Family, arrival_date: date, actor: Any, today: date | None = None) -> Family:
    """Fix the arrival date and create (or move) the arrival checklist's tasks."""
    today = today or local_today()
    bounds.check_date("arrival_date", arrival_date, bounds.CASE_PLANNED, "Arrival date", today, FamilyError)
    if arrival_date < family.referral_date:
        raise FamilyError("arrival_date", "Arrival date must be on or after the referral date")
    if family.status in (FamilyStatus.MOVED_ON, FamilyStatus.CLOSED):
        raise FamilyError("arrival_date", "Reopen the case before confirming an arrival")
    previous = family.arrival_date
    family.arrival_date = arrival_date
    family.arrival_confirmed_at = utcnow()
    if family.status == FamilyStatus.REFERRED:
        change_status(family, FamilyStatus.ARRIVING, "Arrival date confirmed", actor)
    record(
        "arrival_confirmed",
        "family",
        family.reference,
        f"Arrival date {audit_value(previous)} → {arrival_date}",
        actor=actor,
    )
    generate_arrival_tasks(family, actor)
    return family


def add_case_note(family: Family, body: str, actor: Any) -> CaseNote:
    if not body.strip():
        raise FamilyError("body", "Enter the case note")
    note = CaseNote(family=family, body=body.strip(), author=actor)
    db.session.add(note)
    db.session.flush()
    record("case_note_added", "family", family.reference, f"Case note {note.id} added", actor=actor)
    return note


def record_consent(
    family: Family, purpose: ConsentPurpose | str, is_given: bool, note: str, actor: Any
) -> ConsentRecord:
    try:
        purpose = ConsentPurpose(purpose)
    except ValueError:
        raise FamilyError("purpose", "Select what the consent is for") from None
    consent = ConsentRecord(
        family=family, purpose=purpose, is_given=is_given, note=note.strip()[:500], recorded_by=actor
    )
    db.session.add(consent)
    db.session.flush()
    answer = "given" if is_given else "refused or withdrawn"
    record("consent_recorded", "family", family.reference, f"Consent to {purpose.value}: {answer}", actor=actor)
    return consent


def record_family_viewed(family: Family, actor: Any, what: str = "Family record viewed") -> None:
    record("family_viewed", "family", family.reference, what, actor=actor)


def _as_dict(details: DataclassInstance) -> dict[str, Any]:
    """A dataclass's fields, not deep-copied (they may hold database objects)."""
    return {item.name: getattr(details, item.name) for item in fields(details)}
