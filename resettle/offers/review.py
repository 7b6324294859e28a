"""Staff review of offers: verify with the checks the law and safeguarding need, reject with a reason the
offerer is told, edit, mark duplicates, and move an offer through its lifecycle. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from resettle.audit.services import describe_changes, record
from resettle.auth.models import CASE_STAFF
from resettle.clock import local_today
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.places import normalise_postcode
from resettle.offers import emails
from resettle.offers.models import Offer, OfferStatus
from resettle.offers.rules import (
    MANUAL_STATUSES,
    WORKS_WITH_FAMILIES,
    DbsCheck,
    HousingChecks,
    dbs_problems,
    housing_check_problems,
)
from resettle.offers.services import (
    OfferError,
    add_event,
    change_status,
    check_dates,
    check_numbers,
    get_offer_by_reference,
    location_for,
)
from resettle.taxonomy import Category
from resettle.webhooks.models import EventKind
from resettle.webhooks.services import record_event
from resettle.words import date_in_words

# Who acts on offers (verify, reject, edit, change status). Spend reviewers may look but change nothing.
OFFER_ACTORS = CASE_STAFF


def may_see_offerer_contact(user: Any) -> bool:
    """Caseworkers and administrators arrange offers, so they see the offerer's email and phone; reviewers
    only check what was paid for, so they see the name and organisation alone."""
    return getattr(user, "role", None) in OFFER_ACTORS


class VerificationError(ValueError):
    """The checks are not all met; `problems` maps verify-form field names to messages."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def needs_housing_checks(offer: Offer) -> bool:
    return offer.category is Category.HOUSING


def needs_dbs_check(offer: Offer) -> bool:
    return offer.category in WORKS_WITH_FAMILIES


def verify_offer(
    offer: Offer, actor: Any, housing: HousingChecks | None = None, dbs: DbsCheck | None = None, note: str = ""
) -> None:
    """Verify an offer once every check its type needs is met, and keep what was checked on the offer."""
    if offer.status is not OfferStatus.SUBMITTED:
        raise VerificationError({"status": "Only a submitted offer can be verified"})
    today = local_today()
    problems: dict[str, str] = {}
    if needs_housing_checks(offer):
        problems.update(housing_check_problems(housing or _no_housing_checks(), today))
    if needs_dbs_check(offer):
        problems.update(dbs_problems(offer.category, dbs or DbsCheck(None, None), today))
    if problems:
        raise VerificationError(problems)
    if housing is not None and needs_housing_checks(offer):
        offer.has_gas_supply = housing.has_gas_supply
        offer.gas_safety_checked_on = housing.gas_safety_checked_on if housing.has_gas_supply else None
        offer.electrical_report_on = housing.electrical_report_on
        offer.epc_rating = housing.epc_rating
        offer.smoke_alarms_every_storey = housing.smoke_alarms_every_storey
        offer.co_alarm_where_needed = housing.co_alarm_where_needed
        offer.inspected_on = housing.inspected_on
    if dbs is not None and needs_dbs_check(offer):
        offer.dbs_status = dbs.status
        offer.dbs_expires_on = dbs.expires_on
    offer.verified_at = utcnow()
    offer.verified_by_id = actor.id
    offer.on_waiting_list = False
    change_status(offer, OfferStatus.VERIFIED, actor=actor, note=note.strip() or _checks_summary(offer))
    record_event(EventKind.OFFER_VERIFIED, offer.reference)


def _no_housing_checks() -> HousingChecks:
    return HousingChecks(True, None, None, None, False, False, None)


def _checks_summary(offer: Offer) -> str:
    parts = []
    if needs_housing_checks(offer):
        inspected = date_in_words(offer.inspected_on) if offer.inspected_on else "not recorded"
        parts.append(f"home checks met (EPC {offer.epc_rating}, inspected {inspected})")
    if needs_dbs_check(offer) and offer.dbs_status:
        renewal = date_in_words(offer.dbs_expires_on) if offer.dbs_expires_on else "not recorded"
        parts.append(f"DBS {offer.dbs_status.label.lower()}, renewal due {renewal}")
    return "; ".join(parts) or "checked"


def reject_offer(offer: Offer, reason: str, actor: Any) -> None:
    """Reject with a reason, which is emailed to the offerer."""
    reason = reason.strip()
    if not reason:
        raise OfferError("reason", "Enter the reason for rejecting the offer")
    offer.rejection_reason = reason[:500]
    change_status(offer, OfferStatus.REJECTED, actor=actor, note=reason)
    emails.send_rejection(offer)


def mark_duplicate(offer: Offer, original_reference: str, actor: Any) -> Offer:
    """Close an offer that repeats another. The offerer is not emailed: their other offer carries on."""
    original = get_offer_by_reference(original_reference)
    if original is None:
        raise OfferError("original_reference", "Enter the reference of an existing offer, like OF-7KQ2MX")
    if original.id == offer.id:
        raise OfferError("original_reference", "Enter the reference of a different offer")
    offer.duplicate_of_id = original.id
    offer.rejection_reason = f"Duplicate of {original.reference}"
    change_status(offer, OfferStatus.REJECTED, actor=actor, note=f"Duplicate of {original.reference}")
    return original


def set_status(offer: Offer, new_status: OfferStatus, actor: Any, note: str = "") -> None:
    if new_status not in MANUAL_STATUSES:
        raise OfferError("status", "Select a status")
    change_status(offer, new_status, actor=actor, note=note.strip())


def move_to_active_pool(offer: Offer, actor: Any) -> None:
    if not offer.on_waiting_list:
        return
    offer.on_waiting_list = False
    add_event(offer, "moved_to_active_pool", actor=actor, note="Moved from the waiting list to the active pool")
    record("offer_moved_to_active_pool", "offer", offer.reference, "waiting list → active pool", actor=actor)
    db.session.flush()


@dataclass
class OfferChanges:
    """What staff may edit. Cost is how paid offers (a paid tutor, a retailer) are entered."""

    description: str
    capacity: int | None
    cost_pence: int
    available_from: date | None
    available_until: date | None
    postcode: str | None
    address: str | None = None
    bedrooms: int | None = None
    rent_pence: int | None = None
    step_free: bool | None = None
    languages: list[str] | None = None
    home_visit: bool | None = None
    halal: bool | None = None
    hours_per_week: int | None = None


def current_changes(offer: Offer) -> OfferChanges:
    """The offer's editable values as they are now: a partial edit (the API's PATCH) starts from these."""
    return OfferChanges(
        description=offer.description,
        capacity=offer.capacity,
        cost_pence=offer.cost_pence,
        available_from=offer.available_from,
        available_until=offer.available_until,
        postcode=offer.postcode,
        address=offer.address,
        bedrooms=offer.bedrooms,
        rent_pence=offer.rent_pence,
        step_free=offer.step_free,
        languages=list(offer.languages or []),
        home_visit=offer.home_visit,
        halal=offer.halal,
        hours_per_week=offer.hours_per_week,
    )


EDITABLE_FOR_ALL = ("description", "cost_pence", "available_from", "available_until", "postcode")
EDITABLE_BY_CATEGORY: dict[Category, tuple[str, ...]] = {
    Category.HOUSING: ("address", "bedrooms", "rent_pence", "step_free"),
    Category.ESOL: ("languages", "home_visit", "hours_per_week"),
    Category.MEAL: ("halal",),
    Category.FURNITURE: (),
    Category.HOUSEHOLD: (),
}
DEFAULT_EDITABLE = ("languages", "home_visit")


def editable_fields(offer: Offer) -> tuple[str, ...]:
    # A goods offer's capacity is the sum of its item lines, which carry the quantities the engine uses.
    capacity = () if offer.items else ("capacity",)
    return EDITABLE_FOR_ALL + capacity + EDITABLE_BY_CATEGORY.get(offer.category, DEFAULT_EDITABLE)


def update_offer(offer: Offer, changes: OfferChanges, actor: Any) -> None:
    if changes.available_until != offer.available_until or changes.available_from != offer.available_from:
        check_dates(changes.available_from, changes.available_until, local_today())
    check_numbers(changes)
    fields = editable_fields(offer)
    before = {name: _shown(getattr(offer, name)) for name in fields}
    for name in fields:
        value = getattr(changes, name)
        if name == "postcode":
            value = normalise_postcode(value) if value else None
        setattr(offer, name, value)
    location = location_for(offer.postcode)
    offer.latitude, offer.longitude = location if location else (None, None)
    after = {name: _shown(getattr(offer, name)) for name in fields}
    summary = describe_changes(before, after)
    add_event(offer, "edited", actor=actor, note=summary)
    record("offer_updated", "offer", offer.reference, summary, actor=actor)
    db.session.flush()


def _shown(value: Any) -> Any:
    return ", ".join(value) if isinstance(value, list) else value
