"""Emails to offerers and staff. Queued in the transaction that caused them; sent after it commits."""

from __future__ import annotations

from collections.abc import Iterable

from resettle.notifications.email import queue_email
from resettle.offers.links import absolute_url, link_max_age_days, offer_link
from resettle.offers.models import Offer
from resettle.web.templating import date_in_words

SIGN_OFF = "\nThank you for offering to help.\n\nThe resettlement team\n"


def _greeting(offer: Offer) -> str:
    return f"Hello {offer.offerer_name},\n\n"


def _manage(offer: Offer) -> str:
    return (
        f"You can see your offer's progress, change when it is available or withdraw it here (the link "
        f"is private to you and works for {link_max_age_days()} days):\n{offer_link(offer)}\n"
    )


def send_confirmation(offer: Offer) -> None:
    if offer.on_waiting_list:
        what_next = (
            "Families arriving in the borough do not need this right now, so we have kept your offer "
            "on our waiting list. We will contact you if that changes.\n\n"
        )
    else:
        what_next = "A member of the resettlement team will check your offer and contact you.\n\n"
    queue_email(
        to=offer.offerer_email,
        subject=f"Your offer of help: reference {offer.reference}",
        body=(
            _greeting(offer) + f"We have received your offer ({offer.title}). Your reference is "
            f"{offer.reference}.\n\n" + what_next + _manage(offer) + SIGN_OFF
        ),
    )


def send_new_link(offer: Offer) -> None:
    queue_email(
        to=offer.offerer_email,
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
            _greeting(offer) + f"Thank you for your offer ({offer.title}). We are sorry, but we are not "
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
            _greeting(offer) + f"Your offer ({offer.title}) is available until {end}. If you can offer it for "
            "longer, give a new date using your private link. If not, you do not need to do anything: it will "
            "end on that day.\n\n" + _manage(offer) + SIGN_OFF
        ),
    )


def send_expiry_notice(offer: Offer) -> None:
    queue_email(
        to=offer.offerer_email,
        subject=f"Your offer has ended: reference {offer.reference}",
        body=(
            _greeting(offer) + f"Your offer ({offer.title}) has reached the end date you gave, so we have "
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
