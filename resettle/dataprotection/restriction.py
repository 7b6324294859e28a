"""Restriction of processing (UK GDPR Art. 18): a restricted family's record is kept, but it is not matched,
emailed about or exported. Other code asks here rather than reading the fields itself.

- `processing_allowed()` is an SQL condition on `Family` for queries that pick families or their needs to act on
  (the matching problem builder, CSV exports, reminder emails).
- `may_process(family)` is the same rule for one family already loaded.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from resettle.audit.services import record
from resettle.auth.models import User
from resettle.db import utcnow
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.families.models import Family

REASON_LIMIT = 500


def processing_allowed() -> ColumnElement[bool]:
    return Family.restricted_at.is_(None)


def may_process(family: Family) -> bool:
    return family.restricted_at is None


def restrict_family(family: Family, reason: str, actor: User) -> None:
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "Enter why processing is restricted, for example who asked and when")
    if len(reason) > REASON_LIMIT:
        raise FieldError("reason", f"Reason must be {REASON_LIMIT} characters or fewer")
    if family.restricted_at is not None:
        raise FieldError("reason", "Processing of this family's data is already restricted")
    family.restricted_at = utcnow()
    family.restriction_reason = reason
    db.session.flush()
    # The reason may name people: the audit row says only that it happened.
    record("family_restricted", "family", family.reference, "processing restricted", actor=actor)


def lift_restriction(family: Family, actor: User) -> None:
    if family.restricted_at is None:
        raise FieldError("reason", "Processing of this family's data is not restricted")
    family.restricted_at = None
    family.restriction_reason = ""
    db.session.flush()
    record("family_restriction_lifted", "family", family.reference, "processing no longer restricted", actor=actor)
