"""Anonymising an offerer (erasure on request, UK GDPR Art. 17, or at the end of the retention period).

What identifies the person goes: name, organisation, email, phone, address, location, their own words, the
private link and the emails sent to them. What the council must still account for stays: each offer's
reference, category, items, capacity, cost, status and dates, so offer statistics and matches keep working
and audit rows that name the offer's reference still point at a row.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from resettle.audit.services import record
from resettle.db import new_public_id, utcnow
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Offer, OfferStatus
from resettle.offers.services import change_status

ERASED_NAME = "Erased on request"
RETENTION_NAME = "Anonymised (retention)"
# Offers still waiting for a family are withdrawn: nobody can contact the person any more.
STILL_OPEN = (OfferStatus.SUBMITTED, OfferStatus.VERIFIED)


def offers_of(email: str) -> list[Offer]:
    email = email.strip().lower()
    statement = select(Offer).where(Offer.offerer_email == email, Offer.erased_at.is_(None)).order_by(Offer.id)
    return list(db.session.execute(statement).scalars())


def anonymise_offer(offer: Offer, label: str, *, actor: object = None, actor_label: str | None = None) -> None:
    if offer.status in STILL_OPEN:
        change_status(offer, OfferStatus.WITHDRAWN, actor=actor, actor_label=actor_label, note="Offerer's data erased")
    address = offer.offerer_email
    offer.offerer_name = label
    offer.organisation = None
    offer.offerer_email = ""
    offer.offerer_phone = None
    offer.description = ""
    offer.address = None
    offer.postcode = None
    offer.latitude = None
    offer.longitude = None
    offer.rejection_reason = None
    offer.public_id = new_public_id()  # the emailed private link stops working
    offer.extension_reminder_sent_for = offer.available_until  # and no reminder goes to a blank address
    offer.erased_at = utcnow()
    for event in offer.events:
        event.note = ""  # notes may quote the offerer; who acted and when stays (staff names or "the offerer")
    if address:
        db.session.execute(delete(OutboundEmail).where(OutboundEmail.to_address == address))
    db.session.flush()


def erase_offerer(email: str, actor: object) -> int:
    """Erase everything that identifies the person who offered help with `email`. Returns offers anonymised."""
    offers = offers_of(email)
    if not offers:
        raise FieldError("email", "No offers were made with that email address (or they are already erased)")
    held = [offer.reference for offer in offers if offer.legal_hold]
    if held:
        raise FieldError("email", f"Offers under legal hold cannot be erased: {', '.join(held)}")
    for offer in offers:
        anonymise_offer(offer, ERASED_NAME, actor=actor)
        record("offerer_erased", "offer", offer.reference, "offerer's personal data erased on request", actor=actor)
    return len(offers)
