"""Retention: how long each kind of record is kept, what is due for anonymisation, and the job that does it.

Periods come from configuration (RETENTION_* settings). A legal hold on a family or an offer keeps it whatever
its age. The job logs and audits how many records it anonymised or deleted, never what they held.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, case, delete, func, or_, select, update

from resettle.audit.models import AuditEvent
from resettle.audit.services import record
from resettle.db import rows_changed, utcnow
from resettle.extensions import db
from resettle.families.models import (
    CaseNote,
    ConsentRecord,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    HealthNote,
    Need,
    Task,
)
from resettle.funding.spend_models import SpendLine
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Offer

ANONYMISED_FAMILY = "Anonymised family"
REVIEW_LIMIT = 200
# The review list shows what falls due within this many days as well as what is due now.
REVIEW_HORIZON_DAYS = 90
DONE_EMAIL_STATUSES = ("sent", "failed")


def retention_summary(config: Mapping[str, Any]) -> dict[str, str]:
    """Each record type and how long it is kept, in words, for the record of processing and the review page."""
    audit_years = config["RETENTION_AUDIT_YEARS"]
    return {
        "Closed family cases": f"{config['RETENTION_CLOSED_CASE_YEARS']} years after last contact, then anonymised",
        "People who offer help": f"{config['RETENTION_OFFERER_YEARS']} years after their last offer, then anonymised",
        "Sent and failed emails": f"{config['RETENTION_SENT_EMAIL_DAYS']} days after sending, then deleted",
        "Audit log": (
            f"{audit_years} years, then listed for review (the log is append-only)"
            if audit_years
            else "Kept for as long as the council's policy requires (no automatic end)"
        ),
        "Records under legal hold": "Kept until the hold is lifted",
    }


@dataclass(frozen=True)
class Years:
    """A number of calendar years: 29 February plus one year is 28 February."""

    count: int

    def __radd__(self, moment: datetime) -> datetime:
        year = moment.year + self.count
        day = 28 if (moment.month, moment.day) == (2, 29) and not calendar.isleap(year) else moment.day
        return moment.replace(year=year, day=day)

    def __rsub__(self, moment: datetime) -> datetime:
        return moment + Years(-self.count)


@dataclass(frozen=True)
class Periods:
    closed_case: Years
    offerer: Years
    sent_email: timedelta
    audit: Years | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Periods:
        audit_years = config["RETENTION_AUDIT_YEARS"]
        return cls(
            closed_case=Years(config["RETENTION_CLOSED_CASE_YEARS"]),
            offerer=Years(config["RETENTION_OFFERER_YEARS"]),
            sent_email=timedelta(days=config["RETENTION_SENT_EMAIL_DAYS"]),
            audit=Years(audit_years) if audit_years else None,
        )


@dataclass(frozen=True)
class FamilyDue:
    family: Family
    last_contact: datetime
    due_at: datetime


@dataclass(frozen=True)
class OffererDue:
    email: str
    offer_count: int
    last_offer: datetime
    due_at: datetime
    held: bool


@dataclass(frozen=True)
class ReviewList:
    families: list[FamilyDue]
    offerers: list[OffererDue]
    emails_due: int
    audit_rows_past_period: int | None
    summary: dict[str, str]


def _closed_families(periods: Periods) -> list[FamilyDue]:
    """Closed, not yet anonymised families with their last contact: the latest of the case's own change,
    a case note and a status change."""
    last_note = select(func.max(CaseNote.created_at)).where(CaseNote.family_id == Family.id).scalar_subquery()
    last_change = (
        select(func.max(FamilyStatusChange.changed_at))
        .where(FamilyStatusChange.family_id == Family.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Family, last_note, last_change)
        .where(Family.status == FamilyStatus.CLOSED, Family.anonymised_at.is_(None))
        .order_by(Family.updated_at, Family.id)
    ).all()
    out = []
    for family, note_at, change_at in rows:
        times = [t for t in (family.updated_at, _aware(note_at), _aware(change_at)) if t is not None]
        last_contact = max(times)
        out.append(FamilyDue(family, last_contact, last_contact + periods.closed_case))
    return sorted(out, key=lambda due: due.due_at)


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates skip the column type, so SQLite hands back naive text; the stored value is UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)


def _offerers(periods: Periods) -> list[OffererDue]:
    rows = db.session.execute(
        select(
            Offer.offerer_email,
            func.count(Offer.id),
            func.max(Offer.submitted_at),
            func.max(case((Offer.legal_hold, 1), else_=0).cast(Integer)),
        )
        .where(Offer.erased_at.is_(None), Offer.offerer_email != "")
        .group_by(Offer.offerer_email)
    ).all()
    out = [
        OffererDue(email, count, last_at, last_at + periods.offerer, bool(held))
        for email, count, last_at, held in ((email, count, _aware(last), held) for email, count, last, held in rows)
        if last_at is not None
    ]
    return sorted(out, key=lambda due: due.due_at)


def _emails_due_filter(now: datetime, periods: Periods) -> Any:
    cutoff = now - periods.sent_email
    return (
        OutboundEmail.status.in_(DONE_EMAIL_STATUSES),
        or_(OutboundEmail.sent_at < cutoff, (OutboundEmail.sent_at.is_(None) & (OutboundEmail.created_at < cutoff))),
    )


def review_list(config: Mapping[str, Any], now: datetime | None = None) -> ReviewList:
    """What is due for anonymisation now or within the review horizon, and what is held."""
    now = now or utcnow()
    periods = Periods.from_config(config)
    horizon = now + timedelta(days=REVIEW_HORIZON_DAYS)
    families = [due for due in _closed_families(periods) if due.due_at <= horizon or due.family.legal_hold]
    offerers = [due for due in _offerers(periods) if due.due_at <= horizon or due.held]
    emails_due = db.session.execute(
        select(func.count()).select_from(OutboundEmail).where(*_emails_due_filter(now, periods))
    ).scalar_one()
    audit_rows = None
    if periods.audit is not None:
        audit_rows = db.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.occurred_at < now - periods.audit)
        ).scalar_one()
    return ReviewList(
        families[:REVIEW_LIMIT], offerers[:REVIEW_LIMIT], emails_due, audit_rows, retention_summary(config)
    )


def anonymise_family(family: Family) -> None:
    """Remove what identifies the family and its members; keep the case's scheme, dates, status, needs' kinds,
    spend amounts and matches for the council's figures, and its reference for the audit log."""
    family.name = ANONYMISED_FAMILY
    family.address_line_1 = family.address_line_2 = family.town = family.postcode = None
    family.latitude = family.longitude = None
    family.preferred_languages = []
    family.restriction_reason = ""
    family.anonymised_at = utcnow()
    for member in family.members:
        member.full_name = f"Anonymised member {member.id}"
        member.date_of_birth = date(member.date_of_birth.year, 1, 1)  # the year keeps age bands for statistics
        member.languages = []
        member.access_needs = member.dietary_needs = member.school_or_employer = ""
        member.needs_step_free_access = member.eats_halal = False
    db.session.execute(delete(HealthNote).where(HealthNote.family_id == family.id))
    db.session.execute(delete(CaseNote).where(CaseNote.family_id == family.id))
    db.session.execute(update(ConsentRecord).where(ConsentRecord.family_id == family.id).values(note=""))
    db.session.execute(update(FamilyStatusChange).where(FamilyStatusChange.family_id == family.id).values(reason=""))
    db.session.execute(
        update(Task).where(Task.family_id == family.id).values(evidence="", snooze_reason="", guidance="")
    )
    # Checklist tasks have the checklist's own wording; tasks typed by staff may name people.
    db.session.execute(
        update(Task).where(Task.family_id == family.id, Task.checklist_key.is_(None)).values(title="Task")
    )
    db.session.execute(update(Need).where(Need.family_id == family.id).values(description=""))
    db.session.execute(
        update(SpendLine).where(SpendLine.family_id == family.id).values(payee="Anonymised", reviewer_note="")
    )
    db.session.flush()


def apply_retention(config: Mapping[str, Any], now: datetime | None = None) -> dict[str, int]:
    """Anonymise or delete what is past its retention period. Returns counts only."""
    from resettle.dataprotection.erasure import RETENTION_NAME, anonymise_offer, offers_of

    now = now or utcnow()
    periods = Periods.from_config(config)
    families = [due.family for due in _closed_families(periods) if due.due_at <= now and not due.family.legal_hold]
    for family in families:
        anonymise_family(family)
    offer_count = 0
    offerers = [due for due in _offerers(periods) if due.due_at <= now and not due.held]
    for due in offerers:
        for offer in offers_of(due.email):
            anonymise_offer(offer, RETENTION_NAME)
            offer_count += 1
    emails = rows_changed(db.session.execute(delete(OutboundEmail).where(*_emails_due_filter(now, periods))))
    counts = {
        "families_anonymised": len(families),
        "offerers_anonymised": len(offerers),
        "offers_anonymised": offer_count,
        "emails_deleted": emails,
    }
    summary = ", ".join(f"{key}={value}" for key, value in counts.items())
    record("retention_applied", "retention", None, summary)
    current_app.logger.info("retention applied: %s", summary)
    return counts


def set_legal_hold(kind: str, key: str, held: bool, actor: Any) -> int:
    """Place or lift a legal hold on a family (by reference) or on every offer made with an email address."""
    from resettle.errors import FieldError

    if kind == "family":
        family = db.session.execute(select(Family).where(Family.reference == key.strip().upper())).scalar_one_or_none()
        if family is None:
            raise FieldError("key", "No family has that reference")
        family.legal_hold = held
        targets = [("family", family.reference)]
    elif kind == "offerer":
        offers = (
            db.session.execute(
                select(Offer).where(Offer.offerer_email == key.strip().lower(), Offer.erased_at.is_(None))
            )
            .scalars()
            .all()
        )
        if not offers:
            raise FieldError("key", "No offers were made with that email address")
        for offer in offers:
            offer.legal_hold = held
        targets = [("offer", offer.reference) for offer in offers]
    else:
        raise FieldError("kind", "Choose a family or an offerer")
    db.session.flush()
    for object_type, object_id in targets:
        record("legal_hold_placed" if held else "legal_hold_lifted", object_type, object_id, actor=actor)
    return len(targets)
