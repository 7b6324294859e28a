"""Health notes: special category data (UK GDPR Art. 9), read and written only by caseworkers the need-to-know
policy lets in (resettle.need_to_know.policy): the family's case team, or another caseworker who broke glass.

The check is here as well as on the routes, so no other code path can show them to the wrong person, and
every reading is audited as well as every writing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from resettle.audit.services import record
from resettle.extensions import db
from resettle.families.errors import FamilyError
from resettle.families.models import Family, HealthNote, Member
from resettle.need_to_know.policy import SpecialCategoryAccess, SpecialCategoryRefused, special_category_access


class HealthNotesRefused(SpecialCategoryRefused):
    pass


def _require_access(family: Family, actor: Any) -> SpecialCategoryAccess:
    access = special_category_access(actor, family)
    if not access.may_read:
        raise HealthNotesRefused(f"health notes of {family.reference} refused ({access.value})")
    return access


def health_notes_for(family: Family, actor: Any) -> list[HealthNote]:
    access = _require_access(family, actor)
    how = " (break glass)" if access == SpecialCategoryAccess.BROKEN_GLASS else ""
    record("health_notes_viewed", "family", family.reference, f"Health notes viewed{how}", actor=actor)
    statement = (
        select(HealthNote)
        .where(HealthNote.family_id == family.id)
        .order_by(HealthNote.created_at.desc())
        .options(selectinload(HealthNote.member), selectinload(HealthNote.author))
    )
    return list(db.session.execute(statement).scalars())


def add_health_note(family: Family, member: Member | None, body: str, actor: Any) -> HealthNote:
    _require_access(family, actor)
    if not body.strip():
        raise FamilyError("body", "Enter the health note")
    if member is not None and member.family_id != family.id:
        raise FamilyError("member", "Select a member of this family")
    note = HealthNote(family=family, member=member, body=body.strip(), author=actor)
    db.session.add(note)
    db.session.flush()
    record("health_note_added", "family", family.reference, f"Health note {note.id} added", actor=actor)
    return note
