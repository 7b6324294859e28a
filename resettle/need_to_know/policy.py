"""The one rule for special category data. Every page, export and email that shows a health note, a member's
access needs, dietary needs or halal diet asks `special_category_access` first.

- The family's own caseworker, and caseworkers in the same team as them, may read.
- Any other caseworker may read only after breaking glass: a reason, kept and shown to administrators,
  which opens the family's special category data to them for a limited time.
- Administrators and reviewers never read it, on any page or export.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, or_, select

from resettle.audit.services import record
from resettle.auth.models import Role
from resettle.db import utcnow
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.families.models import Family
from resettle.need_to_know.models import BreakGlassRecord, TeamMembership

DEFAULT_BREAK_GLASS_HOURS = 8
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500
# The member fields that are special category data (health, or religion through diet).
SPECIAL_CATEGORY_MEMBER_FIELDS = ("access_needs", "dietary_needs", "eats_halal")


class SpecialCategoryAccess(enum.StrEnum):
    OWN_CASE = "own_case"
    SAME_TEAM = "same_team"
    BROKEN_GLASS = "broken_glass"
    NEEDS_BREAK_GLASS = "needs_break_glass"
    NEVER = "never"

    @property
    def may_read(self) -> bool:
        return self in (self.OWN_CASE, self.SAME_TEAM, self.BROKEN_GLASS)


class SpecialCategoryRefused(PermissionError):
    pass


def _team_id(user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return db.session.execute(select(TeamMembership.team_id).where(TeamMembership.user_id == user_id)).scalar()


def _break_glass_hours() -> int:
    if has_app_context():
        return int(current_app.config.get("BREAK_GLASS_HOURS", DEFAULT_BREAK_GLASS_HOURS))
    return DEFAULT_BREAK_GLASS_HOURS


def special_category_access(user: Any, family: Family) -> SpecialCategoryAccess:
    """What `user` may do with `family`'s special category data. At most three small queries."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.CASEWORKER:
        return SpecialCategoryAccess.NEVER
    if family.caseworker_id == user.id:
        return SpecialCategoryAccess.OWN_CASE
    own_team = _team_id(user.id)
    if own_team is not None and own_team == _team_id(family.caseworker_id):
        return SpecialCategoryAccess.SAME_TEAM
    open_record = db.session.execute(
        select(BreakGlassRecord.id)
        .where(
            BreakGlassRecord.user_id == user.id,
            BreakGlassRecord.family_id == family.id,
            BreakGlassRecord.expires_at > utcnow(),
        )
        .limit(1)
    ).scalar()
    if open_record is not None:
        return SpecialCategoryAccess.BROKEN_GLASS
    return SpecialCategoryAccess.NEEDS_BREAK_GLASS


def require_special_category_access(user: Any, family: Family) -> SpecialCategoryAccess:
    access = special_category_access(user, family)
    if not access.may_read:
        raise SpecialCategoryRefused(f"{access.value}: special category data of family {family.reference} refused")
    return access


def break_glass(user: Any, family: Family, reason: str) -> BreakGlassRecord:
    """Open `family`'s special category data to a caseworker outside its team, for the reason given."""
    access = special_category_access(user, family)
    if access == SpecialCategoryAccess.NEVER:
        raise SpecialCategoryRefused("only caseworkers may break glass")
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise FieldError("reason", f"Reason must be at least {REASON_MIN_LENGTH} characters")
    if len(reason) > REASON_MAX_LENGTH:
        raise FieldError("reason", f"Reason must be {REASON_MAX_LENGTH} characters or fewer")
    now = utcnow()
    entry = BreakGlassRecord(
        user_id=user.id,
        family_id=family.id,
        reason=reason,
        created_at=now,
        expires_at=now + timedelta(hours=_break_glass_hours()),
    )
    db.session.add(entry)
    db.session.flush()
    # The reason is free text: the audit row points at the record, which administrators read on their list.
    record("break_glass", "family", family.reference, f"Break-glass record {entry.id}", actor=user)
    return entry


def visible_member_fields(access: SpecialCategoryAccess) -> frozenset[str]:
    """The special category member fields a page may show or change, for `access`."""
    return frozenset(SPECIAL_CATEGORY_MEMBER_FIELDS) if access.may_read else frozenset()


@dataclass(frozen=True)
class FamilyNameVisibility:
    """Which families' names a list may show to one user, worked out once for the whole list: a caseworker
    sees the names of the families that `special_category_access` opens to them (their own cases, their team's,
    those they broke glass for); anyone else sees references only."""

    caseworker_ids: frozenset[int]
    family_ids: frozenset[int]

    def shows(self, family: Family) -> bool:
        return self.shows_family(family.id, family.caseworker_id)

    def shows_family(self, family_id: int, caseworker_id: int | None) -> bool:
        """`shows`, from the family's id and caseworker's id (for exports that read plain columns)."""
        return caseworker_id in self.caseworker_ids or family_id in self.family_ids

    def clause(self) -> ColumnElement[bool]:
        """The same rule as SQL, so a search by name finds only families whose names the user may see."""
        return or_(
            Family.caseworker_id.in_(sorted(self.caseworker_ids) or [-1]),
            Family.id.in_(sorted(self.family_ids) or [-1]),
        )


def family_name_visibility(user: Any) -> FamilyNameVisibility:
    """At most three small queries, whatever the number of families on the page."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.CASEWORKER:
        return FamilyNameVisibility(frozenset(), frozenset())
    caseworker_ids = {user.id}
    own_team = _team_id(user.id)
    if own_team is not None:
        caseworker_ids |= set(
            db.session.execute(select(TeamMembership.user_id).where(TeamMembership.team_id == own_team)).scalars()
        )
    glass = db.session.execute(
        select(BreakGlassRecord.family_id).where(
            BreakGlassRecord.user_id == user.id, BreakGlassRecord.expires_at > utcnow()
        )
    ).scalars()
    return FamilyNameVisibility(frozenset(caseworker_ids), frozenset(glass))
