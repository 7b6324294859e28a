"""Spend lines and their receipts, claim batches, and the budget rows that serialise approvals.

Neither what has been spent nor what is committed is stored as a running total: both are sums over the
lines, so they cannot drift from the lines themselves. Spent is the approved and claimed lines; committed is
the lines of accepted paid matches not yet approved (see `HOLDING_STATUSES`). The budget row exists only to be
locked while a commitment or an approval checks the budget and writes (so two people at once cannot overspend).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, new_public_id, utcnow
from resettle.extensions import Model
from resettle.families.models import Family, Need
from resettle.funding.models import ExpenseCategory, FundingScheme, FundingStream, string_enum

if TYPE_CHECKING:
    from resettle.matching.models import Match


class SpendStatus(enum.StrEnum):
    COMMITTED = "committed"  # set aside by an accepted paid match; becomes a draft once delivered
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLAIMED = "claimed"  # in a claim batch

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def tag_class(self) -> str:
        return {
            "committed": "govuk-tag--turquoise",
            "draft": "govuk-tag--grey",
            "submitted": "govuk-tag--blue",
            "approved": "govuk-tag--green",
            "rejected": "govuk-tag--red",
            "claimed": "govuk-tag--purple",
        }[self.value]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SPENT_STATUSES = (SpendStatus.APPROVED, SpendStatus.CLAIMED)
EDITABLE_STATUSES = (SpendStatus.DRAFT, SpendStatus.REJECTED)
# A match's line holds its money, as committed, from acceptance until it is approved (then it is spent) or
# rejected (then it frees the money, as any rejected line does, until it is corrected).
HOLDING_STATUSES = (SpendStatus.COMMITTED, SpendStatus.DRAFT, SpendStatus.SUBMITTED)


class ClaimBatch(Model):
    __tablename__ = "claim_batches"
    __table_args__ = (
        CheckConstraint("line_count > 0", name="line_count_positive"),
        CheckConstraint("total_pence > 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    reference: Mapped[str] = mapped_column(String(40), unique=True, info={"pii": "none"})
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("funding_schemes.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    period_end: Mapped[date] = mapped_column(Date, info={"pii": "none"})
    line_count: Mapped[int] = mapped_column(Integer, info={"pii": "none"})
    total_pence: Mapped[int] = mapped_column(
        BigInteger, info={"pii": "none"}
    )  # many lines may add up past a 32-bit integer
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    scheme: Mapped[FundingScheme] = relationship()
    created_by: Mapped[User] = relationship()
    lines: Mapped[list[SpendLine]] = relationship(
        back_populates="claim_batch", order_by=lambda: [SpendLine.spend_date, SpendLine.id]
    )


class SpendLine(Model):
    __tablename__ = "spend_lines"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("status <> 'rejected' OR rejection_reason <> ''", name="rejection_has_reason"),
        CheckConstraint(
            "status NOT IN ('approved', 'rejected', 'claimed') OR "
            "(decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decision_recorded",
        ),
        CheckConstraint("(status = 'claimed') = (claim_batch_id IS NOT NULL)", name="claimed_in_a_batch"),
        CheckConstraint("status <> 'committed' OR match_id IS NOT NULL", name="committed_for_a_match"),
        # At most one line per match: its commitment, later its claim.
        Index(
            "uq_spend_lines_one_per_match",
            "match_id",
            unique=True,
            sqlite_where=text("match_id IS NOT NULL"),
            postgresql_where=text("match_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("needs.id", ondelete="SET NULL"), index=True, info={"pii": "none"}
    )
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("funding_streams.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    expense_category_id: Mapped[int] = mapped_column(
        ForeignKey("expense_categories.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    item_description: Mapped[str] = mapped_column(String(200), info={"pii": "personal", "purpose": "funding claims"})
    amount_pence: Mapped[int] = mapped_column(Integer, info={"pii": "none"})
    payee: Mapped[str] = mapped_column(String(120), info={"pii": "personal", "purpose": "funding claims"})
    spend_date: Mapped[date] = mapped_column(Date, index=True, info={"pii": "none"})
    status: Mapped[SpendStatus] = mapped_column(
        string_enum(SpendStatus, "spend_status"), default=SpendStatus.DRAFT, index=True, info={"pii": "none"}
    )
    # Exceptional costs: the Home Office's written in-principle agreement.
    agreement_reference: Mapped[str] = mapped_column(String(100), default="", info={"pii": "none"})
    reviewer_note: Mapped[str] = mapped_column(Text, default="", info={"pii": "personal", "purpose": "funding claims"})
    rejection_reason: Mapped[str] = mapped_column(
        Text, default="", info={"pii": "personal", "purpose": "funding claims"}
    )
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, info={"pii": "none"})
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, info={"pii": "none"})
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    claim_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_batches.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    # The accepted paid match this line commits money for (and then claims), if any.
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="RESTRICT"), info={"pii": "none"})

    family: Mapped[Family] = relationship()
    need: Mapped[Need | None] = relationship()
    stream: Mapped[FundingStream] = relationship()
    expense_category: Mapped[ExpenseCategory] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    claim_batch: Mapped[ClaimBatch | None] = relationship(back_populates="lines")
    receipts: Mapped[list[Receipt]] = relationship(
        back_populates="spend_line", order_by="Receipt.id", cascade="all, delete-orphan"
    )
    if TYPE_CHECKING:
        # The backref of `Match.spend_line`, declared in the matching package (which builds on this one).
        match: Mapped[Match | None]

    @property
    def reference(self) -> str:
        """A short number staff can quote; the URL uses `public_id`."""
        return self.reference_of(self.id)

    @staticmethod
    def reference_of(line_id: int) -> str:
        return f"S{line_id:05d}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def version(self) -> int:
        """Changes with every save (its `updated_at` in microseconds): the API's ETag. Not a version column:
        writes to a line take its row lock first, so a stale write is caught there instead."""
        return (self.updated_at - EPOCH) // timedelta(microseconds=1)

    @property
    def is_committed(self) -> bool:
        return self.status is SpendStatus.COMMITTED

    def __repr__(self) -> str:
        return f"<SpendLine {self.id} {self.status} {self.amount_pence}>"


class Receipt(Model):
    """An uploaded receipt. The file lives under UPLOAD_FOLDER with a random name, outside the web root."""

    __tablename__ = "spend_receipts"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    spend_line_id: Mapped[int] = mapped_column(
        ForeignKey("spend_lines.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    original_filename: Mapped[str] = mapped_column(String(200), info={"pii": "personal", "purpose": "funding claims"})
    stored_name: Mapped[str] = mapped_column(
        String(64), unique=True, info={"pii": "personal", "purpose": "funding claims"}
    )
    content_type: Mapped[str] = mapped_column(String(40), info={"pii": "none"})
    size_bytes: Mapped[int] = mapped_column(Integer, info={"pii": "none"})
    sha256: Mapped[str] = mapped_column(String(64), info={"pii": "none"})
    uploaded_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    spend_line: Mapped[SpendLine] = relationship(back_populates="receipts")
    uploaded_by: Mapped[User] = relationship()


class FundingBudget(Model):
    """One row per family and family-scope stream, and one per pool (family_id null). It holds no figures:
    it is the row that commitments and approvals of the budget lock, so they take turns."""

    __tablename__ = "funding_budgets"
    __table_args__ = (
        UniqueConstraint("stream_id", "family_id", name="uq_funding_budgets_stream_family"),
        Index(
            "uq_funding_budgets_one_pool_row",
            "stream_id",
            unique=True,
            sqlite_where=text("family_id IS NULL"),
            postgresql_where=text("family_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("funding_streams.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    family_id: Mapped[int | None] = mapped_column(
        ForeignKey("families.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, info={"pii": "none"})

    stream: Mapped[FundingStream] = relationship()
    family: Mapped[Family | None] = relationship()
