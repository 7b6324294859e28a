"""Emails to offerers and staff. Queued in the transaction that caused them; sent after it commits.

Anyone can type any address into the public form, so what it sends must be useless as a relay: an offerer's
email names the offer in the service's own words (never the description they typed; only their name is
theirs), says "needed" only by the 3-family rule of /needed, and one address gets at most
PUBLIC_EMAILS_PER_ADDRESS_PER_DAY of the emails the public can cause in 24 hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from resettle.audit.services import record
from resettle.db import utcnow
from resettle.extensions import db
from resettle.notifications.email import queue_email
from resettle.notifications.models import OutboundEmail
from resettle.offers.links import absolute_url, link_max_age_days, offer_link
from resettle.offers.models import Offer
from resettle.offers.needed import is_offer_publicly_needed, open_need_rows
from resettle.taxonomy import Category
from resettle.words import date_in_words

DEFAULT_PUBLIC_EMAILS_PER_DAY = 3


def offer_in_our_words(offer: Offer) -> str:
    """What was offered, from its category, items and bedrooms only: nothing the offerer typed."""
    if offer.category is Category.HOUSING and offer.bedrooms is not None:
        return f"{offer.bedrooms}-bedroom home"
    if offer.items:
        return ", ".join(f"{item.quantity} × {item.kind_label}" for item in offer.items)
    return offer.category.info.offer_label or offer.category.label


def may_email_today(address: str) -> bool:
    """Whether `address` is still under its daily number of emails the public can cause."""
    limit = int(current_app.config.get("PUBLIC_EMAILS_PER_ADDRESS_PER_DAY", DEFAULT_PUBLIC_EMAILS_PER_DAY))
    sent = db.session.execute(
        select(func.count())
        .select_from(OutboundEmail)
        .where(
            func.lower(OutboundEmail.to_address) == address.strip().lower(),
            OutboundEmail.created_at >= utcnow() - timedelta(days=1),
        )
    ).scalar_one()
    return sent < limit


def _queue_public(offer: Offer, subject: str, body: str) -> bool:
    """Queue an email the public caused, unless its address has had its daily number."""
    if not may_email_today(offer.offerer_email):
        record("public_email_held_back", "offer", offer.reference, "daily limit for the address reached")
        return False
    queue_email(to=offer.offerer_email, subject=subject, body=body)
    return True


SIGN_OFF = "\nThank you for offering to help.\n\nThe resettlement team\n"


def _greeting(offer: Offer) -> str:
    return f"Hello {offer.offerer_name},\n\n"


def _manage(offer: Offer) -> str:
    return (
        f"You can see your offer's progress, change when it is available or withdraw it here (the link "
        f"is private to you and works for {link_max_age_days()} days):\n{offer_link(offer)}\n"
    )


def send_confirmation(offer: Offer) -> bool:
    if is_offer_publicly_needed(offer, open_need_rows()):
        what_next = (
            "Several families arriving in the borough need this now. A member of the resettlement team "
            "will check your offer and contact you.\n\n"
        )
    else:
        what_next = (
            "A member of the resettlement team will check whether a family can use your offer and contact "
            "you if one can. If not, we keep it on our waiting list.\n\n"
        )
    return _queue_public(
        offer,
        subject=f"Your offer of help: reference {offer.reference}",
        body=(
            _greeting(offer) + f"We have received your offer ({offer_in_our_words(offer)}). Your reference is "
            f"{offer.reference}.\n\n" + what_next + _manage(offer) + SIGN_OFF
        ),
    )


def send_new_link(offer: Offer) -> bool:
    return _queue_public(
        offer,
        subject=f"A new link for your offer: reference {offer.reference}",
        body=(
            _greeting(offer) + "You asked for a new link to your offer. If it was not you, you can ignore this "
            "email: the link is sent only to you.\n\n" + _manage(offer) + SIGN_OFF
        ),
    )


def send_rejection(offer: Offer) -> None:
    queue_email(
        to=offer.offerer_email,
        subject=f"Your offer of help: reference {offer.reference}",
        body=(
            _greeting(offer) + f"Thank you for your offer ({offer_in_our_words(offer)}). We are sorry, but we are not "
            f"able to accept it.\n\nThe reason: {offer.rejection_reason}\n\n"
            "If you have a question about this, reply to this email and quote your reference.\n" + SIGN_OFF
        ),
    )


def send_extension_reminder(offer: Offer) -> None:
    """Only sent for offers with an end date (the job selects them by it)."""
    end = f"{offer.available_until.day} {offer.available_until:%B %Y}" if offer.available_until else "soon"
    queue_email(
        to=offer.offerer_email,
        subject=f"Your offer ends on {end}: reference {offer.reference}",
        body=(
            _greeting(offer)
            + f"Your offer ({offer_in_our_words(offer)}) is available until {end}. If you can offer it for "
            "longer, give a new date using your private link. If not, you do not need to do anything: it will "
            "end on that day.\n\n" + _manage(offer) + SIGN_OFF
        ),
    )


def send_expiry_notice(offer: Offer) -> None:
    queue_email(
        to=offer.offerer_email,
        subject=f"Your offer has ended: reference {offer.reference}",
        body=(
            _greeting(offer)
            + f"Your offer ({offer_in_our_words(offer)}) has reached the end date you gave, so we have "
            "closed it. If you can still help, give new dates using your private link and we will look at "
            "it again.\n\n" + _manage(offer) + SIGN_OFF
        ),
    )


def send_matched_offer_withdrawn(to: str, offer: Offer) -> None:
    reason = offer.events[-1].note if offer.events else ""
    queue_email(
        to=to,
        subject=f"A matched offer has been withdrawn: {offer.reference}",
        body=(
            f"{offer.offerer_name} has withdrawn offer {offer.reference} ({offer.title}), which was matched "
            f"with a family.\n\n"
            + (f"Their reason: {reason}\n\n" if reason else "")
            + f"The offer: {absolute_url('offers.offer_detail', offer_id=offer.id)}\n"
        ),
    )


def send_dbs_expiry_digest(to: str, offers: Iterable[Offer]) -> None:
    lines = []
    for offer in offers:
        path = absolute_url("offers.offer_detail", offer_id=offer.id)
        lines.append(
            f"- {offer.reference} ({offer.category.label}), DBS renewal due "
            f"{date_in_words(offer.dbs_expires_on) if offer.dbs_expires_on else 'unknown'}: {path}"
        )
    queue_email(
        to=to,
        subject="DBS checks due for renewal on community offers",
        body=(
            "These offers involve working with families, and their DBS checks are due for renewal within "
            "30 days. Ask each person for a new check before they next see a family.\n\n" + "\n".join(lines) + "\n"
        ),
    )
