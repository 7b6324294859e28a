"""Adding, changing and recording the departure of family members.

Every change is audited, and a change to who lives in the household recomputes the family's housing needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from resettle import bounds
from resettle.audit.services import describe_changes, record
from resettle.extensions import db
from resettle.families.errors import FamilyError
from resettle.families.housing import recompute_housing_needs
from resettle.families.models import EnglishLevel, Family, Member, MemberActivity, Relationship, Sex

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

ONE_PER_FAMILY = (Relationship.APPLICANT, Relationship.PARTNER)
OLDEST_AGE = 120


@dataclass
class MemberDetails:
    full_name: str
    date_of_birth: date
    sex: Sex
    relationship_to_applicant: Relationship
    languages: list[str] = field(default_factory=list)
    english_level: EnglishLevel = EnglishLevel.NOT_ASSESSED
    needs_step_free_access: bool = False
    access_needs: str = ""
    eats_halal: bool = False
    dietary_needs: str = ""
    activity: MemberActivity = MemberActivity.UNKNOWN
    school_or_employer: str = ""
    joined_on: date | None = None


def check_member(family: Family, details: MemberDetails, today: date, existing: Member | None = None) -> None:
    """Raise FamilyError for the first broken rule."""
    if not details.full_name.strip():
        raise FamilyError("full_name", "Enter the person's full name")
    bounds.check_date("date_of_birth", details.date_of_birth, bounds.BIRTH_DATE, "Date of birth", today, FamilyError)
    if details.date_of_birth.year < today.year - OLDEST_AGE:
        raise FamilyError("date_of_birth", f"Date of birth must be after {today.year - OLDEST_AGE}")
    others = [member for member in family.members if member is not existing and member.left_on is None]
    name = details.full_name.strip().casefold()
    if any(
        m.full_name.casefold() == name and m.date_of_birth == details.date_of_birth
        for m in family.members
        if m is not existing
    ):
        raise FamilyError("full_name", f"{details.full_name} with this date of birth is already in this family")
    if details.relationship_to_applicant in ONE_PER_FAMILY and any(
        m.relationship_to_applicant == details.relationship_to_applicant for m in others
    ):
        label = details.relationship_to_applicant.label.lower()
        raise FamilyError("relationship_to_applicant", f"This family already has a {label}")


def _snapshot(member: Member) -> dict[str, Any]:
    return {
        "full_name": member.full_name,
        "date_of_birth": member.date_of_birth,
        "sex": member.sex,
        "relationship": member.relationship_to_applicant,
        "english_level": member.english_level,
        "step_free": member.needs_step_free_access,
        "activity": member.activity,
        "left_on": member.left_on,
    }


def add_member(family: Family, details: MemberDetails, actor: Any, today: date) -> Member:
    check_member(family, details, today)
    values = _as_dict(details)
    values["full_name"] = details.full_name.strip()
    member = Member(family=family, **values)
    db.session.add(member)
    db.session.flush()
    # Names are personal data: the audit entry says what happened, not who.
    record(
        "member_added",
        "family",
        family.reference,
        f"Member {member.id} added ({member.relationship_to_applicant.label.lower()})",
        actor=actor,
    )
    recompute_housing_needs(family, today, actor)
    return member


def update_member(member: Member, details: MemberDetails, actor: Any, today: date) -> Member:
    check_member(member.family, details, today, existing=member)
    before = _snapshot(member)
    for key, value in _as_dict(details).items():
        setattr(member, key, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    changed = describe_changes(before, _snapshot(member), withheld={"full_name"})  # no names in the log
    record("member_updated", "family", member.family.reference, f"Member {member.id}: {changed}", actor=actor)
    recompute_housing_needs(member.family, today, actor)
    return member


def record_member_left(member: Member, left_on: date, actor: Any, today: date) -> Member:
    """The member moved out: kept on record with the date, no longer counted in the household."""
    if member.left_on is not None:
        raise FamilyError("left_on", "This person has already left the household")
    bounds.check_date("left_on", left_on, bounds.CASE_PAST, "Date they left", today, FamilyError)
    if left_on < member.date_of_birth:
        raise FamilyError("left_on", "Date they left must be after their date of birth")
    member.left_on = left_on
    db.session.flush()
    record("member_left", "family", member.family.reference, f"Member {member.id} left on {left_on}", actor=actor)
    recompute_housing_needs(member.family, today, actor)
    return member


def _as_dict(details: DataclassInstance) -> dict[str, Any]:
    """A dataclass's fields, not deep-copied (they may hold database objects)."""
    return {item.name: getattr(details, item.name) for item in fields(details)}
