"""Claim batches: approved spend of one scheme gathered for a claim to the funder, and its CSV.

The CSV layout is documented in README.md ("Claim batch CSV"); change both together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from resettle.audit.services import record
from resettle.auth.models import User
from resettle.clock import local_today as london_today
from resettle.db import rows_changed, utcnow
from resettle.extensions import db
from resettle.funding.models import FundingScheme, FundingStream
from resettle.funding.queries import eligibility_of
from resettle.funding.rules import Problem
from resettle.funding.spend_models import ClaimBatch, SpendLine, SpendStatus
from resettle.funding.spend_services import SpendError
from resettle.words import format_pence

CLAIM_CSV_HEADER = [
    "batch_reference",
    "scheme",
    "line_reference",
    "family_reference",
    "stream_code",
    "stream_name",
    "expense_category",
    "item",
    "need_category",
    "spend_date",
    "payee",
    "amount_pence",
    "amount_gbp",
    "eligibility",
    "reviewer_note",
    "home_office_agreement_ref",
    "approved_by",
    "approved_at_utc",
    "receipt_count",
    "receipt_sha256",
]


def claimable_lines(scheme: FundingScheme, period_end: date) -> list[SpendLine]:
    statement = (
        select(SpendLine)
        .join(FundingStream, SpendLine.stream_id == FundingStream.id)
        .where(
            FundingStream.scheme_id == scheme.id,
            SpendLine.status == SpendStatus.APPROVED,
            SpendLine.claim_batch_id.is_(None),
            SpendLine.spend_date <= period_end,
        )
        .order_by(SpendLine.spend_date, SpendLine.id)
    )
    return list(db.session.execute(statement).scalars())


@dataclass(frozen=True)
class ClaimPreview:
    """What a claim batch would gather now. Its `fingerprint` ("count:total pence") is shown with the preview;
    creating the batch with it succeeds only while the lines are still the same (no approval since)."""

    scheme: FundingScheme
    period_end: date
    lines: list[SpendLine]

    @property
    def total_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)

    @property
    def fingerprint(self) -> str:
        return f"{len(self.lines)}:{self.total_pence}"


def preview_claim(scheme: FundingScheme, period_end: date) -> ClaimPreview:
    return ClaimPreview(scheme, period_end, claimable_lines(scheme, period_end))


def create_claim_batch(scheme: FundingScheme, period_end: date, actor: User, today: date | None = None) -> ClaimBatch:
    """Gather every approved, unclaimed line of the scheme dated up to `period_end`, which must not be after
    today (a claim is for a period that has ended). Lines are moved with a conditional UPDATE, so a line claimed
    by someone else at the same moment makes this batch fail whole rather than appear in two claims."""
    if period_end > (today or london_today()):
        raise SpendError([Problem("period_end", "The last date to include must be today or in the past")])
    lines = claimable_lines(scheme, period_end)
    if not lines:
        raise SpendError(
            [
                Problem(
                    "scheme",
                    f"There is no approved {scheme.code} spend dated up to "
                    f"{period_end.day} {period_end:%B %Y} waiting to be claimed",
                )
            ]
        )
    count = db.session.execute(
        select(func.count()).select_from(ClaimBatch).where(ClaimBatch.scheme_id == scheme.id)
    ).scalar_one()
    batch = ClaimBatch(
        reference=f"{scheme.code}-{period_end:%Y%m%d}-{count + 1:03d}",
        scheme=scheme,
        period_end=period_end,
        line_count=len(lines),
        total_pence=sum(line.amount_pence for line in lines),
        created_by=actor,
    )
    db.session.add(batch)
    db.session.flush()
    ids = [line.id for line in lines]
    result = db.session.execute(
        update(SpendLine)
        .where(SpendLine.id.in_(ids), SpendLine.status == SpendStatus.APPROVED, SpendLine.claim_batch_id.is_(None))
        .values(status=SpendStatus.CLAIMED, claim_batch_id=batch.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != len(ids):
        raise SpendError(
            [Problem("scheme", "Some of this spend was claimed by someone else just now. Try again", about_state=True)]
        )
    for line in lines:
        db.session.refresh(line)
    record(
        "claim_batch_created",
        "claim_batch",
        batch.public_id,
        f"{batch.reference}: {batch.line_count} lines, {format_pence(batch.total_pence)}",
        actor=actor,
    )
    return batch


def list_claim_batches() -> list[ClaimBatch]:
    statement = (
        select(ClaimBatch)
        .order_by(ClaimBatch.created_at.desc(), ClaimBatch.id.desc())
        .options(selectinload(ClaimBatch.scheme), selectinload(ClaimBatch.created_by))
    )
    return list(db.session.execute(statement).scalars())


def claim_csv_rows(batch: ClaimBatch) -> Iterator[list[Any]]:
    """One row per line. No health information and no addresses: the family is its reference only."""
    for line in batch.lines:
        yield [
            batch.reference,
            batch.scheme.code,
            line.reference,
            line.family.reference,
            line.stream.code,
            line.stream.name,
            line.expense_category.code,
            line.item_description,
            line.expense_category.category.value,
            line.spend_date.isoformat(),
            line.payee,
            line.amount_pence,
            f"{line.amount_pence // 100}.{line.amount_pence % 100:02d}",
            eligibility_of(batch.scheme_id, line.expense_category_id).value,
            line.reviewer_note,
            line.agreement_reference,
            line.decided_by.email if line.decided_by else "",
            line.decided_at.isoformat() if line.decided_at else "",
            len(line.receipts),
            ";".join(receipt.sha256 for receipt in line.receipts),
        ]
