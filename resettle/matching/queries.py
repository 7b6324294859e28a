"""Read-side helpers for the matching pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus
from resettle.matching.models import (
    ACTIVE_MATCH_STATUSES,
    Match,
    MatchRun,
    MatchStatus,
    Proposal,
    ProposalStatus,
    UnmetNeed,
)
from resettle.matching.runs import latest_run
from resettle.offers.models import Offer, OfferStatus

GONE_OFFER_STATUSES = (OfferStatus.WITHDRAWN, OfferStatus.REJECTED, OfferStatus.EXPIRED)


def gone_offer_matches(caseworker_id: int | None = None, limit: int = 100) -> list[Match]:
    """Agreed matches whose offer was withdrawn, rejected or expired since: each needs another offer."""
    statement = (
        select(Match)
        .join(Offer, Offer.id == Match.offer_id)
        .join(Need, Need.id == Match.need_id)
        .join(Family, Family.id == Need.family_id)
        .where(Match.status == MatchStatus.ACCEPTED, Offer.status.in_(GONE_OFFER_STATUSES))
        .options(selectinload(Match.need).selectinload(Need.family), selectinload(Match.offer))
        .order_by(Match.id)
        .limit(limit)
    )
    if caseworker_id is not None:
        statement = statement.where(Family.caseworker_id == caseworker_id)
    return list(db.session.execute(statement).scalars())


def open_proposals_query() -> Select[Any]:
    """Undecided proposals of the latest run, most urgent first."""
    run = latest_run()
    return (
        select(Proposal)
        .join(Need, Need.id == Proposal.need_id)
        .where(
            Proposal.run_id == (run.id if run else -1),
            Proposal.status == ProposalStatus.PROPOSED,
            Need.status == NeedStatus.OPEN,
        )
        .order_by(Need.priority.desc(), Need.needed_by, Proposal.id)
        .options(
            selectinload(Proposal.need).selectinload(Need.family).selectinload(Family.caseworker),
            selectinload(Proposal.offer).selectinload(Offer.items),
            selectinload(Proposal.offer_item),
            selectinload(Proposal.stream),
        )
    )


def runs_query() -> Select[Any]:
    return select(MatchRun).order_by(MatchRun.started_at.desc(), MatchRun.id.desc())


@dataclass
class NeedView:
    """One of a family's needs on its proposals page: its live proposal, its match or why it is unmet."""

    need: Need
    proposal: Proposal | None = None
    match: Match | None = None
    unmet: UnmetNeed | None = None


@dataclass
class FamilyMatching:
    family: Family
    needs: list[NeedView] = field(default_factory=list)


def family_matching(family: Family) -> FamilyMatching:
    run = latest_run()
    need_ids = [need.id for need in family.needs]
    proposals = {
        p.need_id: p
        for p in db.session.execute(
            select(Proposal)
            .where(
                Proposal.need_id.in_(need_ids),
                Proposal.status == ProposalStatus.PROPOSED,
                Proposal.run_id == (run.id if run else -1),
            )
            .options(
                selectinload(Proposal.offer).selectinload(Offer.items),
                selectinload(Proposal.offer_item),
                selectinload(Proposal.stream),
            )
        ).scalars()
    }
    matches = {
        m.need_id: m
        for m in db.session.execute(
            select(Match)
            .where(Match.need_id.in_(need_ids), Match.status.in_(ACTIVE_MATCH_STATUSES))
            .options(selectinload(Match.offer).selectinload(Offer.items), selectinload(Match.offer_item))
        ).scalars()
    }
    unmet = {
        u.need_id: u
        for u in db.session.execute(
            select(UnmetNeed).where(UnmetNeed.need_id.in_(need_ids), UnmetNeed.run_id == (run.id if run else -1))
        ).scalars()
    }
    shown = [
        need for need in family.needs if need.status in (NeedStatus.OPEN, NeedStatus.MATCHED) or need.id in matches
    ]
    return FamilyMatching(
        family, [NeedView(need, proposals.get(need.id), matches.get(need.id), unmet.get(need.id)) for need in shown]
    )
