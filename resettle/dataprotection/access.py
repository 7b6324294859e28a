"""Subject access requests (UK GDPR Art. 15): the case record with its deadline, and the export of one person's data.

A family member's export holds that member's own record and the family-level data about them (the case, its
address, needs, tasks, notes and consents), never another member's record or health notes; other members'
names are redacted from free text. An offerer's export holds their offers and what happened to them, never
the details of the family an offer went to.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from resettle.audit.models import AuditEvent
from resettle.audit.services import record
from resettle.auth.models import User
from resettle.dataprotection.models import RequestStatus, SubjectAccessRequest, SubjectKind
from resettle.db import utcnow
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.families.models import CaseNote, ConsentRecord, Family, FamilyStatusChange, HealthNote, Member, Need, Task
from resettle.funding.spend_models import SpendLine
from resettle.matching.models import Match
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Offer
from resettle.words import format_pence

REDACTED = "[redacted: another person]"


class RequestError(FieldError):
    pass


def one_month_deadline(received_on: date) -> date:
    """One calendar month, the day of receipt counting as day one: the same date next month (or that month's
    last day when the date does not exist), moved to the next weekday when it falls at a weekend."""
    year, month = (received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
    due = date(year, month, min(received_on.day, calendar.monthrange(year, month)[1]))
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due


def open_request(
    *,
    kind: SubjectKind,
    requester_name: str,
    received_on: date,
    actor: User,
    member: Member | None = None,
    offerer_email: str | None = None,
    note: str = "",
) -> SubjectAccessRequest:
    if kind is SubjectKind.MEMBER and member is None:
        raise RequestError("member", "Choose the family member the request is about")
    if kind is SubjectKind.OFFERER:
        offerer_email = (offerer_email or "").strip().lower()
        if not offerer_email:
            raise RequestError("offerer_email", "Enter the email address the person offered help with")
    if received_on > utcnow().date() + timedelta(days=1):
        raise RequestError("received_on", "The date received cannot be in the future")
    request = SubjectAccessRequest(
        subject_kind=kind.value,
        member=member if kind is SubjectKind.MEMBER else None,
        offerer_email=offerer_email if kind is SubjectKind.OFFERER else None,
        requester_name=requester_name.strip(),
        received_on=received_on,
        due_on=one_month_deadline(received_on),
        note=note.strip(),
        created_by=actor,
    )
    db.session.add(request)
    db.session.flush()
    record("subject_access_request_opened", "subject_access_request", request.public_id, f"due {request.due_on}")
    return request


def close_request(request: SubjectAccessRequest, status: RequestStatus, actor: User) -> None:
    if request.status != RequestStatus.OPEN.value:
        raise RequestError("status", f"This request is already {request.status_label.lower()}")
    request.status = status.value
    request.completed_by = actor
    request.completed_at = utcnow()
    db.session.flush()
    record(f"subject_access_request_{status.value}", "subject_access_request", request.public_id)


def request_list(include_closed: bool = False) -> list[SubjectAccessRequest]:
    statement = (
        select(SubjectAccessRequest)
        .options(selectinload(SubjectAccessRequest.completed_by))
        .order_by(SubjectAccessRequest.due_on, SubjectAccessRequest.id)
    )
    if not include_closed:
        statement = statement.where(SubjectAccessRequest.status == RequestStatus.OPEN.value)
    return list(db.session.execute(statement.limit(500)).scalars())


def get_request(public_id: str) -> SubjectAccessRequest | None:
    statement = select(SubjectAccessRequest).where(SubjectAccessRequest.public_id == public_id)
    return db.session.execute(statement).scalar_one_or_none()


# The export.


@dataclass
class Section:
    title: str
    rows: list[dict[str, str]] = field(default_factory=list)
    note: str = ""


@dataclass
class SubjectExport:
    subject: str
    produced_at: datetime
    sections: list[Section]

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "produced_at": self.produced_at.isoformat(),
            "sections": [{"title": s.title, "note": s.note, "records": s.rows} for s in self.sections],
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


class _Redactor:
    """Replaces other people's names in free text (full names first, then first names of three letters or more)."""

    def __init__(self, names: list[str]) -> None:
        words = {name.strip() for name in names if name.strip()}
        words |= {name.split()[0] for name in words if len(name.split()[0]) >= 3}
        self.pattern = (
            re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
            if words
            else None
        )

    def __call__(self, value: Any) -> str:
        text = _text(value)
        return self.pattern.sub(REDACTED, text) if self.pattern is not None else text


def member_export(member: Member) -> SubjectExport:
    family = member.family
    others = [m for m in family.members if m.id != member.id]
    redact = _Redactor([m.full_name for m in others])
    sections = [
        Section(
            "Your personal details",
            [
                {
                    "Full name": member.full_name,
                    "Date of birth": _text(member.date_of_birth),
                    "Sex": _text(member.sex),
                    "Relationship to the principal applicant": _text(member.relationship_to_applicant),
                    "Languages": _text(member.languages),
                    "English level": _text(member.english_level),
                    "Needs step-free access": _text(member.needs_step_free_access),
                    "Access needs": member.access_needs,
                    "Eats halal food": _text(member.eats_halal),
                    "Dietary needs": member.dietary_needs,
                    "School, college or work": _text(member.activity),
                    "School or employer": member.school_or_employer,
                    "Joined the household": _text(member.joined_on),
                    "Left the household": _text(member.left_on),
                    "Recorded on": _text(member.created_at),
                }
            ],
        ),
        Section(
            "Your family's case",
            [
                {
                    "Case reference": family.reference,
                    "Resettlement scheme": _text(family.scheme),
                    "Status": _text(family.status),
                    "Referral date": _text(family.referral_date),
                    "Arrival date": _text(family.arrival_date),
                    "Address": ", ".join(
                        p for p in [family.address_line_1, family.address_line_2, family.town, family.postcode] if p
                    ),
                    "Preferred languages": _text(family.preferred_languages),
                    "Caseworker": family.caseworker.name if family.caseworker else "",
                    "Processing restricted": "Yes" if family.is_restricted else "No",
                }
            ],
            note=f"Other members of the household ({len(others)}) are not included: their details are theirs.",
        ),
    ]
    health = db.session.execute(
        select(HealthNote).where(HealthNote.member_id == member.id).order_by(HealthNote.created_at)
    ).scalars()
    sections.append(
        Section("Health notes about you", [{"Written on": _text(n.created_at), "Note": redact(n.body)} for n in health])
    )
    needs = db.session.execute(
        select(Need)
        .where(Need.family_id == family.id, or_(Need.member_id == member.id, Need.member_id.is_(None)))
        .order_by(Need.raised_at)
    ).scalars()
    sections.append(
        Section(
            "Needs recorded for you or your household",
            [
                {
                    "Need": n.title,
                    "For": "You" if n.member_id == member.id else "The household",
                    "Details": redact(n.description),
                    "Status": _text(n.status),
                    "Raised on": _text(n.raised_at),
                }
                for n in needs
            ],
        )
    )
    need_ids = select(Need.id).where(
        Need.family_id == family.id, or_(Need.member_id == member.id, Need.member_id.is_(None))
    )
    matches = db.session.execute(select(Match).where(Match.need_id.in_(need_ids)).order_by(Match.id)).scalars()
    sections.append(
        Section(
            "Help arranged for you or your household",
            [
                {"What": m.offer.category.label, "Status": _text(m.status), "Arranged on": _text(m.accepted_at)}
                for m in matches
            ],
            note="The people who offered help are not named: their details are theirs.",
        )
    )
    spend = db.session.execute(
        select(SpendLine)
        .where(
            SpendLine.family_id == family.id,
            or_(SpendLine.need_id.is_(None), SpendLine.need_id.in_(need_ids)),
        )
        .order_by(SpendLine.spend_date, SpendLine.id)
    ).scalars()
    sections.append(
        Section(
            "Money spent for you or your household",
            [
                {
                    "What": redact(line.item_description),
                    "Amount": format_pence(line.amount_pence),
                    "Date": _text(line.spend_date),
                    "Status": _text(line.status),
                }
                for line in spend
            ],
            note="Who was paid is left out: a payee may be a private person.",
        )
    )
    tasks = db.session.execute(select(Task).where(Task.family_id == family.id).order_by(Task.due_on)).scalars()
    sections.append(
        Section(
            "Tasks on your family's case",
            [
                {
                    "Task": redact(t.title),
                    "Due": _text(t.due_on),
                    "Status": _text(t.status),
                    "Evidence": redact(t.evidence),
                }
                for t in tasks
            ],
        )
    )
    notes = db.session.execute(
        select(CaseNote).where(CaseNote.family_id == family.id).order_by(CaseNote.created_at)
    ).scalars()
    sections.append(
        Section(
            "Case notes",
            [{"Written on": _text(n.created_at), "Note": redact(n.body)} for n in notes],
            note="Other household members' names are redacted.",
        )
    )
    consents = db.session.execute(
        select(ConsentRecord).where(ConsentRecord.family_id == family.id).order_by(ConsentRecord.recorded_at)
    ).scalars()
    sections.append(
        Section(
            "Consents",
            [
                {
                    "For": _text(c.purpose),
                    "Given": _text(c.is_given),
                    "Note": redact(c.note),
                    "On": _text(c.recorded_at),
                }
                for c in consents
            ],
        )
    )
    changes = db.session.execute(
        select(FamilyStatusChange)
        .where(FamilyStatusChange.family_id == family.id)
        .order_by(FamilyStatusChange.changed_at)
    ).scalars()
    sections.append(
        Section(
            "Changes to the case's status",
            [{"To": _text(c.to_status), "Reason": redact(c.reason), "On": _text(c.changed_at)} for c in changes],
        )
    )
    sections.append(_audit_section("family", family.reference))
    return SubjectExport(member.full_name, utcnow(), sections)


def offerer_export(email: str) -> SubjectExport:
    email = email.strip().lower()
    offers = list(
        db.session.execute(
            select(Offer).where(Offer.offerer_email == email, Offer.erased_at.is_(None)).order_by(Offer.submitted_at)
        ).scalars()
    )
    sections = [
        Section(
            "Your offers",
            [
                {
                    "Reference": o.reference,
                    "What": o.category.label,
                    "Description": o.description,
                    "Name": o.offerer_name,
                    "Organisation": o.organisation or "",
                    "Email": o.offerer_email,
                    "Phone": o.offerer_phone or "",
                    "Address": o.address or "",
                    "Postcode": o.postcode or "",
                    "Status": _text(o.status),
                    "Available": f"{_text(o.available_from)} to {_text(o.available_until)}",
                    "Items": ", ".join(f"{i.quantity} × {i.kind_label}" for i in o.items),
                    "DBS check": _text(o.dbs_status),
                    "DBS expires": _text(o.dbs_expires_on),
                    "Consent given": _text(o.consent_at),
                    "Sent on": _text(o.submitted_at),
                }
                for o in offers
            ],
        ),
        Section(
            "What happened to your offers",
            [
                {
                    "Offer": o.reference,
                    "When": _text(e.occurred_at),
                    "What": e.action,
                    "By": e.actor_label,
                    "Note": e.note,
                }
                for o in offers
                for e in o.events
            ],
        ),
    ]
    offer_ids = [o.id for o in offers]
    matches: Iterable[Match] = (
        db.session.execute(select(Match).where(Match.offer_id.in_(offer_ids)).order_by(Match.id)).scalars()
        if offer_ids
        else []
    )
    sections.append(
        Section(
            "Families your offers went to",
            [
                {"Offer": m.offer.reference, "Status": _text(m.status), "Arranged on": _text(m.accepted_at)}
                for m in matches
            ],
            note="The families are not identified: their details are theirs.",
        )
    )
    emails = db.session.execute(
        select(OutboundEmail).where(OutboundEmail.to_address == email).order_by(OutboundEmail.created_at)
    ).scalars()
    sections.append(
        Section(
            "Emails we sent you",
            [{"Subject": e.subject, "Queued": _text(e.created_at), "Sent": _text(e.sent_at)} for e in emails],
        )
    )
    audit_rows: list[dict[str, str]] = []
    for offer in offers:
        audit_rows += _audit_section("offer", offer.reference).rows
    sections.append(Section("Who looked at or changed your offers", audit_rows))
    return SubjectExport(offers[0].offerer_name if offers else email, utcnow(), sections)


def _audit_section(object_type: str, object_id: str) -> Section:
    events = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.occurred_at)
        .limit(1000)
    ).scalars()
    return Section(
        "Who looked at or changed your case" if object_type == "family" else "Audit",
        [
            {"When": _text(e.occurred_at), "What": e.action.replace("_", " "), "By": e.actor_email or "the service"}
            for e in events
        ],
        note="Staff actions only; the summaries written at the time are left out as they may name other people.",
    )


def export_for(request: SubjectAccessRequest) -> SubjectExport | None:
    """The export the request asks for, recorded in the audit log; None when its subject no longer exists."""
    if request.kind is SubjectKind.MEMBER:
        if request.member is None:
            return None
        export = member_export(request.member)
    else:
        export = offerer_export(request.offerer_email or "")
    record("subject_access_export", "subject_access_request", request.public_id)
    return export


def family_of(member_id: int) -> Family | None:
    member = db.session.get(Member, member_id)
    return member.family if member is not None else None
