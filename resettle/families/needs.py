"""Raising and updating a family's needs. Rules for the shared taxonomy (item kinds for goods, priority
1 to 5) are checked here before anything changes; housing needs can follow the bedroom standard."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from resettle import bounds
from resettle.audit.services import describe_changes, record
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.errors import FamilyError
from resettle.families.housing import apply_housing_requirements
from resettle.families.models import Family, Member, Need, NeedStatus
from resettle.taxonomy import CATEGORIES, ITEM_KINDS, Category, Requirement

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

MAX_UNITS = bounds.MAX_NEED_UNITS
CLOSED = (NeedStatus.MET, NeedStatus.CANCELLED)


@dataclass
class NeedDetails:
    category: Category | str
    priority: int
    item: str | None = None
    units: int = 1
    needed_by: date | None = None
    description: str = ""
    member: Member | None = None
    follows_bedroom_standard: bool = False
    bedrooms_min: int | None = None
    rent_max: int | None = None
    step_free: bool = False
    language: str | None = None
    halal: bool = False
    home_visit: bool = False
    max_distance_km: float | None = None


def check_need(family: Family, details: NeedDetails, today: date | None = None) -> Category:
    """Raise FamilyError for the first broken rule; returns the category. The needed-by date is checked
    against its window when `today` is given (a new date, not one kept from before)."""
    try:
        category = Category(details.category)
    except ValueError:
        raise FamilyError("category", "Select what the family needs") from None
    if category.info.has_items:
        item = ITEM_KINDS.get(details.item or "")
        if item is None or item.category != category:
            raise FamilyError("item", "Select the item needed")
    elif details.item:
        raise FamilyError("item", "Only furniture and household needs name an item")
    if isinstance(details.priority, bool) or not isinstance(details.priority, int) or not 1 <= details.priority <= 5:
        raise FamilyError("priority", "Priority must be between 1 and 5")
    bounds.check_whole_number(
        "units", details.units, 1, MAX_UNITS, f"Number needed must be between 1 and {MAX_UNITS}", error=FamilyError
    )
    if details.member is not None and details.member.family_id != family.id:
        raise FamilyError("member", "Select a member of this family")
    if details.follows_bedroom_standard and category != Category.HOUSING:
        raise FamilyError("follows_bedroom_standard", "Only a housing need can follow the bedroom standard")
    _check_bounds(details, today)
    return category


def _check_bounds(details: NeedDetails, today: date | None) -> None:
    """Numbers and dates a need may hold, whoever the caller: finite and inside their columns' bounds."""
    distance = details.max_distance_km
    if distance is not None:
        bounds.check_number(
            "max_distance_km",
            distance,
            0,
            bounds.MAX_DISTANCE_KM,
            f"Maximum distance must be {bounds.MAX_DISTANCE_KM:,} km or less",
            error=FamilyError,
        )
        if distance <= 0:
            raise FamilyError("max_distance_km", "Maximum distance must be more than 0")
    if details.bedrooms_min is not None:
        bounds.check_whole_number(
            "bedrooms_min",
            details.bedrooms_min,
            0,
            bounds.MAX_BEDROOMS,
            f"Minimum bedrooms must be between 0 and {bounds.MAX_BEDROOMS}",
            error=FamilyError,
        )
    if details.rent_max is not None:
        bounds.check_whole_number(
            "rent_max",
            details.rent_max,
            0,
            bounds.MAX_RENT_PENCE,
            f"Maximum rent must be {bounds.pounds(bounds.MAX_RENT_PENCE)} or less",
            error=FamilyError,
        )
    if today is not None:
        bounds.check_date(
            "needed_by", details.needed_by, bounds.CASE_PLANNED, "Needed by date", today, error=FamilyError
        )
    bounds.check_text("description", details.description, 2000, "Details", multiline=True, error=FamilyError)
    bounds.check_text("language", details.language, 60, "Language", error=FamilyError)


# What a requirement holds when it is not asked for.
NOT_REQUIRED: dict[Requirement, Any] = {
    Requirement.BEDROOMS_MIN: None,
    Requirement.RENT_MAX: None,
    Requirement.STEP_FREE: False,
    Requirement.LANGUAGE: None,
    Requirement.HALAL: False,
    Requirement.HOME_VISIT: False,
    Requirement.MAX_DISTANCE_KM: None,
}


def _fields(details: NeedDetails, category: Category) -> dict[str, Any]:
    values = _as_dict(details)
    values.pop("member")
    values["category"] = category
    values["item"] = details.item if category.info.has_items else None
    values["language"] = (details.language or "").strip() or None
    # A requirement that does not apply to the category is not kept (a halal sofa would match nothing).
    for requirement, empty in NOT_REQUIRED.items():
        if requirement not in category.info.requirements:
            values[requirement.value] = empty
    return values


@dataclass(frozen=True)
class Suggestion:
    value: Any
    reason: str


def _first_name(member: Member) -> str:
    return member.full_name.split()[0] if member.full_name.strip() else "a member"


def _names(members: list[Member]) -> str:
    names = [_first_name(m) for m in members]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def suggested_requirements(family: Family, category: Category) -> dict[Requirement, Suggestion]:
    """Requirements the household suggests for a need of this category, each with the reason shown beside it.

    Only requirements that apply to the category are suggested: halal for food, not for a sofa.
    """
    applies = CATEGORIES[category].requirements
    members = family.current_members
    out: dict[Requirement, Suggestion] = {}
    step_free = [m for m in members if m.needs_step_free_access]
    if Requirement.STEP_FREE in applies and step_free:
        verb = "needs" if len(step_free) == 1 else "need"
        out[Requirement.STEP_FREE] = Suggestion(True, f"Suggested because {_names(step_free)} {verb} step-free access")
    halal = [m for m in members if m.eats_halal]
    if Requirement.HALAL in applies and halal:
        verb = "eats" if len(halal) == 1 else "eat"
        out[Requirement.HALAL] = Suggestion(True, f"Suggested because {_names(halal)} {verb} halal food")
    if Requirement.LANGUAGE in applies and family.preferred_languages:
        language = family.preferred_languages[0]
        out[Requirement.LANGUAGE] = Suggestion(
            language, f"Suggested because the family's preferred language is {language}"
        )
    return out


def raise_need(family: Family, details: NeedDetails, actor: Any, today: date) -> Need:
    category = check_need(family, details, today)
    need = Need(
        family=family, member=details.member, raised_by=actor, status=NeedStatus.OPEN, **_fields(details, category)
    )
    db.session.add(need)
    if need.follows_bedroom_standard:
        apply_housing_requirements(need, today, actor)
    db.session.flush()
    record(
        "need_raised",
        "family",
        family.reference,
        f"Need {need.id} raised: {need.title}, priority {need.priority}",
        actor=actor,
    )
    return need


def _snapshot(need: Need) -> dict[str, Any]:
    keys = (
        "category",
        "item",
        "priority",
        "units",
        "needed_by",
        "status",
        "bedrooms_min",
        "rent_max",
        "step_free",
        "language",
        "halal",
        "home_visit",
        "max_distance_km",
        "follows_bedroom_standard",
    )
    return {key: getattr(need, key) for key in keys}


def update_need(need: Need, details: NeedDetails, status: NeedStatus, actor: Any, today: date) -> Need:
    category = check_need(need.family, details, today if details.needed_by != need.needed_by else None)
    before = _snapshot(need)
    for key, value in _fields(details, category).items():
        setattr(need, key, value)
    need.member = details.member
    set_need_status(need, status)
    if need.follows_bedroom_standard:
        apply_housing_requirements(need, today, actor)
    db.session.flush()
    record(
        "need_updated",
        "family",
        need.family.reference,
        f"Need {need.id}: {describe_changes(before, _snapshot(need))}",
        actor=actor,
    )
    return need


def set_need_status(need: Need, status: NeedStatus) -> None:
    """Also used when a match is agreed (matched) or delivered (met)."""
    need.status = status
    need.closed_at = (need.closed_at or utcnow()) if status in CLOSED else None


def _as_dict(details: DataclassInstance) -> dict[str, Any]:
    """A dataclass's fields, not deep-copied (they may hold database objects)."""
    return {item.name: getattr(details, item.name) for item in fields(details)}
