"""Health notes: special category data (UK GDPR Art. 9), read and written by caseworkers only.

The check is here as well as on the routes, so no other code path can show them to the wrong role, and
every reading is audited as well as every writing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from resettle.audit.services import record
from resettle.auth.models import Role
from resettle.extensions import db
from resettle.families.errors import FamilyError
from resettle.families.models import Family, HealthNote, Member


class HealthNotesRefused(PermissionError):
    pass


def _require_caseworker(actor: Any) -> None:
    if actor is None or getattr(actor, "role", None) != Role.CASEWORKER:
        raise HealthNotesRefused("only caseworkers may see or record health notes")


def health_notes_for(family: Family, actor: Any) -> list[HealthNote]:
    _require_caseworker(actor)
    record("health_notes_viewed", "family", family.reference, "Health notes viewed", actor=actor)
    statement = select(HealthNote).where(HealthNote.family_id == family.id).order_by(HealthNote.created_at.desc())
    return list(db.session.execute(statement).scalars())


def add_health_note(family: Family, member: Member | None, body: str, actor: Any) -> HealthNote:
    _require_caseworker(actor)
    if not body.strip():
        raise FamilyError("body", "Enter the health note")
    if member is not None and member.family_id != family.id:
        raise FamilyError("member", "Select a member of this family")
    note = HealthNote(family=family, member=member, body=body.strip(), author=actor)
    db.session.add(note)
    db.session.flush()
    record("health_note_added", "family", family.reference, f"Health note {note.id} added", actor=actor)
    return note
