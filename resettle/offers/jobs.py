"""Daily offer jobs: end offers past their end date, remind offerers a week before, flag DBS renewals.

Each is safe to run twice: reminders and flags remember the date they were sent for.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from resettle.audit.services import record
from resettle.clock import local_today
from resettle.extensions import db
from resettle.jobs import register_job
from resettle.offers import emails
from resettle.offers.models import Offer, OfferStatus
from resettle.offers.rules import DBS_EXPIRY_WARNING_DAYS, EXPIRES, EXTENSION_REMINDER_DAYS
from resettle.offers.services import SCHEDULED_JOB, active_caseworker_emails, add_event, change_status
from resettle.words import date_in_words


def expire_offers() -> int:
    """Offers whose last available day has passed become expired, and their offerers are told."""
    today = local_today()
    offers = (
        db.session.execute(
            select(Offer)
            .where(Offer.status.in_(EXPIRES), Offer.available_until.is_not(None), Offer.available_until < today)
            .order_by(Offer.id)
        )
        .scalars()
        .all()
    )
    for offer in offers:
        change_status(offer, OfferStatus.EXPIRED, actor_label=SCHEDULED_JOB, note="Past its end date")
        emails.send_expiry_notice(offer)
    return len(offers)


def remind_offers_ending() -> int:
    """A week before an offer's end date, email its offerer a fresh link to extend it (once per end date)."""
    today = local_today()
    offers = (
        db.session.execute(
            select(Offer)
            .where(
                Offer.status.in_([OfferStatus.SUBMITTED, OfferStatus.VERIFIED, OfferStatus.MATCHED]),
                Offer.available_until.is_not(None),
                Offer.available_until >= today,
                Offer.available_until <= today + timedelta(days=EXTENSION_REMINDER_DAYS),
            )
            .order_by(Offer.id)
        )
        .scalars()
        .all()
    )
    sent = 0
    for offer in offers:
        if offer.extension_reminder_sent_for == offer.available_until:
            continue
        offer.extension_reminder_sent_for = offer.available_until
        emails.send_extension_reminder(offer)
        add_event(
            offer,
            "extension_reminder_sent",
            actor_label=SCHEDULED_JOB,
            note=f"Reminded that it ends on {date_in_words(offer.available_until)}",
        )
        record("offer_extension_reminder_sent", "offer", offer.reference, f"ends {offer.available_until}")
        sent += 1
    db.session.flush()
    return sent


def flag_dbs_renewals() -> int:
    """DBS checks due for renewal within 30 days are flagged on the offer and emailed to caseworkers (once)."""
    today = local_today()
    offers = (
        db.session.execute(
            select(Offer)
            .where(
                Offer.status.in_([OfferStatus.VERIFIED, OfferStatus.MATCHED]),
                Offer.dbs_expires_on.is_not(None),
                Offer.dbs_expires_on <= today + timedelta(days=DBS_EXPIRY_WARNING_DAYS),
            )
            .order_by(Offer.dbs_expires_on, Offer.id)
        )
        .scalars()
        .all()
    )
    newly_due = [offer for offer in offers if offer.dbs_expiry_flagged_for != offer.dbs_expires_on]
    for offer in newly_due:
        offer.dbs_expiry_flagged_for = offer.dbs_expires_on
        add_event(
            offer,
            "dbs_renewal_flagged",
            actor_label=SCHEDULED_JOB,
            note=f"DBS check due for renewal on {date_in_words(offer.dbs_expires_on)}",
        )
        record("offer_dbs_renewal_flagged", "offer", offer.reference, f"renewal due {offer.dbs_expires_on}")
    if newly_due:
        for address in active_caseworker_emails():
            emails.send_dbs_expiry_digest(address, newly_due)
    db.session.flush()
    return len(newly_due)


@register_job("expire_offers", "cron", "End offers past their end date", hour=1, minute=10)
def expire_offers_job() -> int:
    return expire_offers()


@register_job("remind_offers_ending", "cron", "Remind offerers a week before their offer ends", hour=9, minute=0)
def remind_offers_ending_job() -> int:
    return remind_offers_ending()


@register_job(
    "flag_dbs_renewals", "cron", f"Flag DBS checks due within {DBS_EXPIRY_WARNING_DAYS} days", hour=7, minute=30
)
def flag_dbs_renewals_job() -> int:
    return flag_dbs_renewals()
