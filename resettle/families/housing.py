"""Housing needs follow the household: bedrooms from the bedroom standard, maximum rent from the LHA rate.

Recomputed when a member joins or leaves, when a housing need is raised, and every night (a child turning
10 or 16 changes the entitlement). Each recomputation that changes a need is written to the audit log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from resettle.audit.services import describe_changes, record
from resettle.extensions import db
from resettle.families.bedrooms import Person, bedroom_standard, lha_bedrooms
from resettle.families.lha import rate_on
from resettle.families.models import Family, Member, Need, NeedStatus, Relationship
from resettle.taxonomy import Category

COUPLE = (Relationship.APPLICANT, Relationship.PARTNER)


def living_in_household(member: Member, on: date) -> bool:
    joined = member.joined_on is None or member.joined_on <= on
    return joined and (member.left_on is None or member.left_on > on)


def household_people(family: Family, on: date) -> list[Person]:
    members = [member for member in family.members if living_in_household(member, on)]
    has_partner = any(m.relationship_to_applicant == Relationship.PARTNER for m in members)
    return [
        Person(
            age=member.age_on(on),
            sex=member.sex.value,
            in_couple=has_partner and member.relationship_to_applicant in COUPLE,
        )
        for member in members
    ]


def housing_requirements(family: Family, on: date) -> tuple[int, int | None]:
    """(bedrooms_min, rent_max in pence per month or None when the BRMA or its rate is unknown)."""
    people = household_people(family, on)
    if not people:
        return 0, None
    bedrooms = max(1, bedroom_standard(people))
    rate = rate_on(family.brma, lha_bedrooms(people), on) if family.brma else None
    return bedrooms, rate.monthly_rate if rate else None


def apply_housing_requirements(need: Need, on: date, actor: Any = None) -> bool:
    """Set a bedroom-standard housing need's bedrooms and rent; True (and an audit entry) if they changed."""
    bedrooms, rent = housing_requirements(need.family, on)
    before = {"bedrooms_min": need.bedrooms_min, "rent_max": need.rent_max}
    after = {"bedrooms_min": bedrooms, "rent_max": rent}
    if before == after:
        return False
    need.bedrooms_min, need.rent_max = bedrooms, rent
    if need.id is not None:
        record(
            "need_recomputed",
            "family",
            need.family.reference,
            f"Housing need {need.id}: {describe_changes(before, after)}",
            actor=actor,
        )
    return True


def recompute_housing_needs(family: Family, on: date, actor: Any = None) -> list[Need]:
    changed = [
        need
        for need in family.needs
        if need.category == Category.HOUSING
        and need.follows_bedroom_standard
        and need.status == NeedStatus.OPEN
        and apply_housing_requirements(need, on, actor)
    ]
    db.session.flush()
    return changed


def recompute_all_housing_needs(on: date) -> int:
    """Every open bedroom-standard housing need, for the nightly job. Returns how many changed."""
    families = db.session.execute(
        select(Family).where(
            Family.needs.any(
                (Need.category == Category.HOUSING) & Need.follows_bedroom_standard & (Need.status == NeedStatus.OPEN)
            )
        )
    ).scalars()
    return sum(len(recompute_housing_needs(family, on)) for family in families)
