"""Making an offer and the offerer's own changes through their private link. Services flush, never commit.

Every change adds an `OfferEvent` (the offer's history, shown to staff) and an audit entry, in the same
transaction as the change itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from blinker import Namespace
from sqlalchemy import select

from resettle import bounds
from resettle.audit.services import record
from resettle.auth.models import Role, User
from resettle.clock import local_today
from resettle.db import utcnow
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.families.lha import rate_on
from resettle.families.places import district_of, normalise_postcode
from resettle.offers import emails
from resettle.offers.models import (
    DbsStatus,
    Handover,
    ItemCondition,
    LandlordType,
    Offer,
    OfferEvent,
    OfferItem,
    OfferStatus,
)
from resettle.offers.needed import is_needed_now, open_need_rows
from resettle.offers.rules import OFFERER_MAY_CHANGE, OFFERER_MAY_WITHDRAW, can_change
from resettle.taxonomy import Category
from resettle.webhooks.models import EventKind
from resettle.webhooks.services import record_event
from resettle.words import date_in_words

OFFERER = "The person who made the offer"
SCHEDULED_JOB = "Scheduled job"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone


class OfferError(FieldError):
    """A rule about offers was broken."""


@dataclass
class ItemLine:
    item_kind: str
    quantity: int
    condition: ItemCondition


@dataclass
class OfferSubmission:
    """A resident's answers, already checked for format by the form."""

    category: Category
    offerer_name: str
    offerer_email: str
    offerer_phone: str | None = None
    organisation: str | None = None
    description: str = ""
    capacity: int = 1
    available_from: date | None = None
    available_until: date | None = None
    postcode: str | None = None
    languages: list[str] = field(default_factory=list)
    home_visit: bool | None = None
    halal: bool | None = None
    hours_per_week: int | None = None
    handover: Handover | None = None
    address: str | None = None
    bedrooms: int | None = None
    rent_pence: int | None = None
    step_free: bool | None = None
    landlord_type: LandlordType | None = None
    certificates_held: list[str] = field(default_factory=list)
    dbs_status: DbsStatus | None = None
    items: list[ItemLine] = field(default_factory=list)


def location_for(postcode: str | None) -> tuple[float, float] | None:
    """The centre of the postcode's district (the families' district table; no network geocoding), or None."""
    district = district_of(postcode) if postcode else None
    return (district.latitude, district.longitude) if district else None


def example_lha_rate() -> int | None:
    """Today's 3-bedroom LHA rate for inner South East London in pence a month, to guide landlords."""
    rate = rate_on("inner_south_east_london", 3, local_today())
    return rate.monthly_rate if rate else None


def new_reference() -> str:
    while True:
        reference = "OF-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if db.session.execute(select(Offer.id).where(Offer.reference == reference)).first() is None:
            return reference


def check_dates(available_from: date | None, available_until: date | None, today: date) -> None:
    for name, value in (("available_from", available_from), ("available_until", available_until)):
        label = f"The date it is {name.replace('_', ' ')}"
        bounds.check_date(name, value, bounds.AVAILABILITY, label, today, error=OfferError)
    if available_until is not None and available_until < today:
        raise OfferError("available_until", "The date it is available until must be today or in the future")
    if available_from is not None and available_until is not None and available_until < available_from:
        raise OfferError(
            "available_until", "The date it is available until must be after the date it is available from"
        )


# Each number an offer carries: (field, smallest, largest, message) - the form gives the same message first.
OFFER_NUMBERS = (
    ("capacity", 1, bounds.MAX_OFFER_CAPACITY, f"The capacity must be between 1 and {bounds.MAX_OFFER_CAPACITY}"),
    (
        "hours_per_week",
        1,
        bounds.MAX_HOURS_PER_WEEK,
        f"The hours a week must be between 1 and {bounds.MAX_HOURS_PER_WEEK}",
    ),
    ("bedrooms", 1, bounds.MAX_BEDROOMS, f"The number of bedrooms must be between 1 and {bounds.MAX_BEDROOMS}"),
    (
        "rent_pence",
        0,
        bounds.MAX_RENT_PENCE,
        f"The monthly rent must be {bounds.pounds(bounds.MAX_RENT_PENCE)} or less",
    ),
    (
        "cost_pence",
        0,
        bounds.MAX_OFFER_COST_PENCE,
        f"The cost per unit must be {bounds.pounds(bounds.MAX_OFFER_COST_PENCE)} or less",
    ),
)


def check_numbers(values: Any) -> None:
    """Refuse a number out of its bounds, whoever the caller (a form checks the same first)."""
    for name, smallest, largest, message in OFFER_NUMBERS:
        value = getattr(values, name, None)
        if value is not None:
            bounds.check_whole_number(name, value, smallest, largest, message, error=OfferError)


def add_event(
    offer: Offer,
    action: str,
    *,
    actor: Any = None,
    actor_label: str | None = None,
    note: str = "",
    from_status: OfferStatus | None = None,
    to_status: OfferStatus | None = None,
) -> OfferEvent:
    event = OfferEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.name if actor is not None else (actor_label or SCHEDULED_JOB),
        note=note[:1000],
        from_status=from_status,
        to_status=to_status,
    )
    offer.events.append(event)
    return event


def change_status(
    offer: Offer,
    new_status: OfferStatus,
    *,
    actor: Any = None,
    actor_label: str | None = None,
    note: str = "",
    actor_email: str | None = None,
) -> None:
    """Move an offer to `new_status` if the lifecycle allows it, recording who and when."""
    if not can_change(offer.status, new_status):
        raise OfferError(
            "status", f"An offer that is {offer.status.label.lower()} cannot become {new_status.label.lower()}"
        )
    old = offer.status
    offer.status = new_status
    add_event(
        offer, "status_changed", actor=actor, actor_label=actor_label, note=note, from_status=old, to_status=new_status
    )
    # The note is free text: it stays in the offer's own history, not in the audit log.
    summary = f"status: {old.value} → {new_status.value}" + ("; note in the offer's history" if note else "")
    record("offer_status_changed", "offer", offer.reference, summary, actor=actor, actor_email=actor_email)
    db.session.flush()


def submit_offer(submission: OfferSubmission) -> Offer:
    """Save a new offer from the public form and email its offerer the private link.

    An offer nothing open needs right now goes on the waiting list, so the active pool holds only what
    can help a family now and staff are not left storing unsuitable things.
    """
    check_dates(submission.available_from, submission.available_until, local_today())
    check_numbers(submission)
    values = {key: value for key, value in vars(submission).items() if key != "items"}
    values["postcode"] = normalise_postcode(submission.postcode) if submission.postcode else None
    offer = Offer(reference=new_reference(), consent_at=utcnow(), status=OfferStatus.SUBMITTED, **values)
    offer.items = [
        OfferItem(item_kind=line.item_kind, quantity=line.quantity, condition=line.condition)
        for line in submission.items
    ]
    location = location_for(offer.postcode)
    if location:
        offer.latitude, offer.longitude = location
    offer.on_waiting_list = not is_needed_now(
        open_need_rows(),
        submission.category,
        items=[line.item_kind for line in submission.items],
        bedrooms=submission.bedrooms,
        step_free=submission.step_free,
    )
    db.session.add(offer)
    add_event(
        offer,
        "submitted",
        actor_label=OFFERER,
        to_status=OfferStatus.SUBMITTED,
        note="On the waiting list: not needed now" if offer.on_waiting_list else "",
    )
    db.session.flush()
    record(
        "offer_submitted",
        "offer",
        offer.reference,
        f"{submission.category.value} offer from the public form"
        + (" (waiting list)" if offer.on_waiting_list else ""),
        actor_email=offer.offerer_email,
    )
    record_event(EventKind.OFFER_SUBMITTED, offer.reference)
    emails.send_confirmation(offer)
    return offer


def change_availability(offer: Offer, available_from: date | None, available_until: date | None) -> None:
    """The offerer gives new dates. An expired offer comes back as a new submission for staff to look at."""
    if offer.status not in OFFERER_MAY_CHANGE:
        raise OfferError("available_until", "This offer can no longer be changed")
    check_dates(available_from, available_until, local_today())
    before = (offer.available_from, offer.available_until)
    offer.available_from, offer.available_until = available_from, available_until
    note = f"available: {_dates(*before)} → {_dates(available_from, available_until)}"
    add_event(offer, "availability_changed", actor_label=OFFERER, note=note)
    record("offer_availability_changed", "offer", offer.reference, note, actor_email=offer.offerer_email)
    if offer.status is OfferStatus.EXPIRED:
        change_status(
            offer,
            OfferStatus.SUBMITTED,
            actor_label=OFFERER,
            note="Renewed with new dates",
            actor_email=offer.offerer_email,
        )
    db.session.flush()


# Sent with the offer when an offerer withdraws an offer a family was counting on. The matching package, which
# builds on this one and knows the matches, tells the families' caseworkers (resettle/matching/services.py).
matched_offer_withdrawn = Namespace().signal("matched-offer-withdrawn")


def withdraw_by_offerer(offer: Offer, reason: str = "") -> None:
    """Withdraw at the offerer's request. If a family was counting on it, caseworkers hear at once."""
    if offer.status not in OFFERER_MAY_WITHDRAW:
        raise OfferError("reason", "This offer can no longer be withdrawn")
    was_matched = offer.status is OfferStatus.MATCHED
    change_status(
        offer, OfferStatus.WITHDRAWN, actor_label=OFFERER, note=reason.strip(), actor_email=offer.offerer_email
    )
    if was_matched:
        matched_offer_withdrawn.send(offer)


def active_caseworker_emails() -> list[str]:
    statement = (
        select(User.email).where(User.role == Role.CASEWORKER, User.is_active_account.is_(True)).order_by(User.id)
    )
    return list(db.session.execute(statement).scalars())


def send_new_link(reference: str, email: str) -> bool:
    """Email a fresh private link when the reference and email match an offer. The caller shows the same
    page either way, so nobody can learn which offers or addresses exist."""
    offer = get_offer_by_reference(reference)
    if offer is None or offer.offerer_email.strip().lower() != email.strip().lower():
        return False
    emails.send_new_link(offer)
    add_event(offer, "new_link_sent", actor_label=OFFERER, note="Asked for a new private link")
    record("offer_new_link_sent", "offer", offer.reference, "new private link emailed", actor_email=email[:254])
    db.session.flush()
    return True


def _dates(start: date | None, end: date | None) -> str:
    return f"{date_in_words(start) if start else 'now'} to {date_in_words(end) if end else 'no end date'}"


def get_offer_by_public_id(public_id: str) -> Offer | None:
    return db.session.execute(select(Offer).where(Offer.public_id == public_id)).scalar_one_or_none()


def get_offer_by_reference(reference: str) -> Offer | None:
    cleaned = reference.strip().upper()
    return db.session.execute(select(Offer).where(Offer.reference == cleaned)).scalar_one_or_none()
