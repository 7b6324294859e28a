"""Match runs, their proposals and unmet needs, the matches caseworkers accept, and the pairs they turn down.

The engine proposes; a caseworker decides. A `MatchRun` keeps what one run of the engine found (who asked,
when, its figures), each `Proposal` (need, offer, funding stream, value) and each `UnmetNeed` with its reason
and blocking rules, so the history and the gap report read from stored facts. A `Match` is an accepted
pairing: it reserves `units` of the offer's capacity (per item line for goods) and, when paid, `charge_pence`
committed against a funding stream. A `RejectedPair` is never proposed again (the engine's `excluded_offers`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, new_public_id, utcnow
from resettle.extensions import Model
from resettle.families.models import Need, Task
from resettle.funding.models import FundingStream
from resettle.funding.spend_models import SpendLine
from resettle.offers.models import Offer, OfferItem, OfferStatus


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    return Enum(
        enum_class, name=name, values_callable=lambda members: [m.value for m in members], validate_strings=True
    )


class RunTrigger(enum.StrEnum):
    MANUAL = "manual"
    NIGHTLY = "nightly"
    DEMO = "demo"

    @property
    def label(self) -> str:
        return {"manual": "Run by hand", "nightly": "Nightly job", "demo": "Demo data"}[self.value]


class RunStatus(enum.StrEnum):
    """The engine's own status (`optimal`, `time_limit`, `gap_left`, `heuristic`), or `failed`."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    GAP_LEFT = "gap_left"
    HEURISTIC = "heuristic"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "optimal": "Best possible",
            "time_limit": "Stopped at the time limit",
            "gap_left": "Near best (large problem)",
            "heuristic": "Quick estimate",
            "failed": "Failed",
        }[self.value]


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a later run, or another decision on the same need, replaced it

    @property
    def label(self) -> str:
        return self.value.capitalize()


class UnmetReason(enum.StrEnum):
    NO_OFFER = "no_offer"
    NO_COMPATIBLE_OFFER = "no_compatible_offer"
    UNFUNDABLE = "unfundable"
    OUTCOMPETED = "outcompeted"

    @property
    def label(self) -> str:
        return {
            "no_offer": "No offer of this kind",
            "no_compatible_offer": "No suitable offer",
            "unfundable": "No funding can pay",
            "outcompeted": "Offers went to more urgent needs",
        }[self.value]


class MatchStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"accepted": "Matched", "fulfilled": "Fulfilled", "cancelled": "Cancelled"}[self.value]


# Matches that hold an offer's capacity (and a need).
ACTIVE_MATCH_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.FULFILLED)


class MatchRun(Model):
    __tablename__ = "match_runs"
    __table_args__ = (CheckConstraint("finished_at IS NULL OR finished_at >= started_at", name="finished_after_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    trigger: Mapped[RunTrigger] = mapped_column(_enum(RunTrigger, "match_run_trigger"), info={"pii": "none"})
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    problem_date: Mapped[date] = mapped_column(Date, info={"pii": "none"})
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "match_run_status"), info={"pii": "none"})
    need_count: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    offer_count: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    proposal_count: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    unmet_count: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    objective: Mapped[float | None] = mapped_column(Float, info={"pii": "none"})
    bound: Mapped[float | None] = mapped_column(Float, info={"pii": "none"})
    seconds: Mapped[float | None] = mapped_column(Float, info={"pii": "none"})
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"pii": "none"})
    error: Mapped[str] = mapped_column(String(500), default="", info={"pii": "none"})

    started_by: Mapped[User | None] = relationship()
    proposals: Mapped[list[Proposal]] = relationship(
        back_populates="run", order_by="Proposal.id", cascade="all, delete-orphan"
    )
    unmet_needs: Mapped[list[UnmetNeed]] = relationship(
        back_populates="run", order_by="UnmetNeed.id", cascade="all, delete-orphan"
    )


class RunPhase(enum.StrEnum):
    """Where a requested run is: waiting for the scheduler, building the problem, solving, or over."""

    QUEUED = "queued"
    BUILDING = "building"
    SOLVING = "solving"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to start",
            "building": "Gathering needs, offers and budgets",
            "solving": "Finding the best matches",
            "done": "Finished",
            "failed": "Failed",
        }[self.value]

    @property
    def is_live(self) -> bool:
        return self in (RunPhase.QUEUED, RunPhase.BUILDING, RunPhase.SOLVING)


LIVE_SLOT = 1


class MatchRunRequest(Model):
    """A run asked for ("Run matching now", or the nightly job) and its progress. `live_slot` is 1 while the run
    is queued or going and NULL afterwards; its unique index lets only one run be live at a time, on every
    database, whichever process asks."""

    __tablename__ = "match_run_requests"
    __table_args__ = (
        CheckConstraint("(live_slot IS NULL) = (phase IN ('done', 'failed'))", name="live_slot_while_live"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id, info={"pii": "none"})
    trigger: Mapped[str] = mapped_column(String(16), info={"pii": "none"})
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"pii": "personal", "purpose": "accountability"}
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})
    phase: Mapped[str] = mapped_column(String(16), default=RunPhase.QUEUED.value, info={"pii": "none"})
    live_slot: Mapped[int | None] = mapped_column(Integer, unique=True, info={"pii": "none"})
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    time_limit: Mapped[float] = mapped_column(Float, info={"pii": "none"})
    message: Mapped[str] = mapped_column(String(500), default="", info={"pii": "none"})
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id", ondelete="SET NULL"), info={"pii": "none"})

    requested_by: Mapped[User | None] = relationship()
    run: Mapped[MatchRun | None] = relationship()

    @property
    def run_phase(self) -> RunPhase:
        return RunPhase(self.phase)

    @property
    def run_trigger(self) -> RunTrigger:
        return RunTrigger(self.trigger)


class Proposal(Model):
    __tablename__ = "match_proposals"
    __table_args__ = (
        UniqueConstraint("run_id", "need_id", name="uq_match_proposals_one_per_need_per_run"),
        # Whatever runs at once, a need never has two live proposals.
        Index(
            "uq_match_proposals_one_live_per_need",
            "need_id",
            unique=True,
            postgresql_where=text("status = 'proposed'"),
            sqlite_where=text("status = 'proposed'"),
        ),
        CheckConstraint("charge_pence >= 0", name="charge_not_negative"),
        CheckConstraint("(charge_pence = 0) = (stream_id IS NULL)", name="paid_has_stream"),
        CheckConstraint("status <> 'rejected' OR rejection_reason <> ''", name="rejection_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    run_id: Mapped[int] = mapped_column(
        ForeignKey("match_runs.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True, info={"pii": "none"})
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True, info={"pii": "none"})
    offer_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer_items.id", ondelete="CASCADE"), info={"pii": "none"}
    )
    stream_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_streams.id", ondelete="RESTRICT"), info={"pii": "none"}
    )
    charge_pence: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    value: Mapped[float] = mapped_column(Float, info={"pii": "none"})
    distance_km: Mapped[float | None] = mapped_column(Float, info={"pii": "none"})
    # First proposed in this run: the nightly email tells caseworkers only about these.
    is_new: Mapped[bool] = mapped_column(default=True, info={"pii": "none"})
    status: Mapped[ProposalStatus] = mapped_column(
        _enum(ProposalStatus, "match_proposal_status"),
        default=ProposalStatus.PROPOSED,
        index=True,
        info={"pii": "none"},
    )
    rejection_reason: Mapped[str] = mapped_column(
        String(500), default="", info={"pii": "personal", "purpose": "matching"}
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    run: Mapped[MatchRun] = relationship(back_populates="proposals")
    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()
    offer_item: Mapped[OfferItem | None] = relationship()
    stream: Mapped[FundingStream | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def unavailable_reason(self) -> str:
        """Why this proposal can no longer be accepted, or "" while it can (the same rule as accepting)."""
        offer = self.offer
        if offer.on_waiting_list and offer.status is OfferStatus.VERIFIED:
            return f"Offer {offer.reference} is no longer available: it was moved to the waiting list."
        if offer.status is not OfferStatus.VERIFIED:
            return f"Offer {offer.reference} is no longer available: it is {offer.status.label.lower()}."
        return ""


class UnmetNeed(Model):
    __tablename__ = "match_unmet_needs"
    __table_args__ = (UniqueConstraint("run_id", "need_id", name="uq_match_unmet_needs_one_per_need_per_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    run_id: Mapped[int] = mapped_column(
        ForeignKey("match_runs.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True, info={"pii": "none"})
    reason: Mapped[UnmetReason] = mapped_column(_enum(UnmetReason, "match_unmet_reason"), info={"pii": "none"})
    # The engine's rule names (bedrooms, rent, distance, rejected...), for no_compatible_offer.
    blocking: Mapped[list[str]] = mapped_column(JSON, default=list, info={"pii": "none"})

    run: Mapped[MatchRun] = relationship(back_populates="unmet_needs")
    need: Mapped[Need] = relationship()


class Match(Model):
    __tablename__ = "matches"
    __table_args__ = (
        # One live match per need, in the database too: two caseworkers cannot match one need twice.
        Index(
            "uq_matches_one_live_match_per_need",
            "need_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        CheckConstraint("units >= 1", name="units_positive"),
        CheckConstraint("charge_pence >= 0", name="charge_not_negative"),
        CheckConstraint("(charge_pence = 0) = (stream_id IS NULL)", name="paid_has_stream"),
        CheckConstraint("(status = 'fulfilled') = (fulfilled_at IS NOT NULL)", name="fulfilled_when_fulfilled"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="RESTRICT"), index=True, info={"pii": "none"})
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offers.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    offer_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer_items.id", ondelete="RESTRICT"), info={"pii": "none"}
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_proposals.id", ondelete="SET NULL"), info={"pii": "none"}
    )
    units: Mapped[int] = mapped_column(Integer, info={"pii": "none"})
    stream_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_streams.id", ondelete="RESTRICT"), info={"pii": "none"}
    )
    charge_pence: Mapped[int] = mapped_column(Integer, default=0, info={"pii": "none"})
    status: Mapped[MatchStatus] = mapped_column(
        _enum(MatchStatus, "match_status"), default=MatchStatus.ACCEPTED, index=True, info={"pii": "none"}
    )
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), info={"pii": "none"})
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    fulfilled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()
    offer_item: Mapped[OfferItem | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    stream: Mapped[FundingStream | None] = relationship()
    task: Mapped[Task | None] = relationship()
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    fulfilled_by: Mapped[User | None] = relationship(foreign_keys=[fulfilled_by_id])
    # A paid match's spend line: committed money, later the claim for it. Declared here only (with `SpendLine.match`
    # as its backref): matching builds on funding, and the funding models load without this package.
    spend_line: Mapped[SpendLine | None] = relationship(SpendLine, uselist=False, backref=backref("match"))


class RejectedPair(Model):
    """A need and an offer (item line) a caseworker turned down, with the reason: never proposed again."""

    __tablename__ = "match_rejected_pairs"
    __table_args__ = (CheckConstraint("reason <> ''", name="reason_given"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True, info={"pii": "none"})
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True, info={"pii": "none"})
    offer_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer_items.id", ondelete="CASCADE"), info={"pii": "none"}
    )
    reason: Mapped[str] = mapped_column(Text, info={"pii": "personal", "purpose": "matching"})
    rejected_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    rejected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()
    rejected_by: Mapped[User | None] = relationship()
