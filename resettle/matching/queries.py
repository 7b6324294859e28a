"""Read-side helpers for the matching pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from resettle.auth.models import User
from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus
from resettle.funding.models import FundingStream
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
from resettle.offers.models import Offer, OfferItem, OfferStatus
from resettle.web.search import LIKE_ESCAPE, categories_named, item_kinds_named, like_pattern

if TYPE_CHECKING:
    from resettle.need_to_know.policy import FamilyNameVisibility

GONE_OFFER_STATUSES = (OfferStatus.WITHDRAWN, OfferStatus.REJECTED, OfferStatus.EXPIRED)


def gone_offer_matches(caseworker_id: int | None = None, limit: int = 100) -> list[Match]:
    """Agreed matches whose offer was withdrawn, rejected or expired since: each needs another offer."""
    statement = (
        select(Match)
        .join(Offer, Offer.id == Match.offer_id)
        .join(Need, Need.id == Match.need_id)
        .join(Family, Family.id == Need.family_id)
        .where(Match.status == MatchStatus.ACCEPTED, Offer.status.in_(GONE_OFFER_STATUSES))
        # Loaded by the joins above: one statement whether or not any match has lost its offer.
        .options(contains_eager(Match.need).contains_eager(Need.family), contains_eager(Match.offer))
        .order_by(Match.id)
        .limit(limit)
    )
    if caseworker_id is not None:
        statement = statement.where(Family.caseworker_id == caseworker_id)
    return list(db.session.execute(statement).scalars())


def proposal_search(text: str, names: FamilyNameVisibility | None) -> ColumnElement[bool]:
    """Proposals that the search box finds: by family reference (or name, where `names` lets the viewer see
    it), offer reference, or the item or kind of help (need or offer)."""
    pattern = like_pattern(text)
    by_family: ColumnElement[bool] = Family.reference.ilike(pattern, escape=LIKE_ESCAPE)
    if names is not None:
        by_family = or_(by_family, and_(Family.name.ilike(pattern, escape=LIKE_ESCAPE), names.clause()))
    found = [
        Need.family.has(by_family),
        Proposal.offer.has(Offer.reference.ilike(pattern, escape=LIKE_ESCAPE)),
        Need.description.ilike(pattern, escape=LIKE_ESCAPE),
    ]
    kinds = item_kinds_named(text)
    if kinds:
        found += [Need.item.in_(kinds), Proposal.offer_item.has(OfferItem.item_kind.in_(kinds))]
    categories = categories_named(text)
    if categories:
        found.append(Need.category.in_(categories))
    return or_(*found)


def open_proposals_query(
    search: str = "", names: FamilyNameVisibility | None = None, load_related: bool = True
) -> Select[Any]:
    """Undecided proposals of the latest run, most urgent first; those the search finds if there is one.
    `load_related=False` leaves out the loading of what a table shows of each (for a statement of plain columns)."""
    run = latest_run()
    statement = (
        select(Proposal)
        .join(Need, Need.id == Proposal.need_id)
        .where(
            Proposal.run_id == (run.id if run else -1),
            Proposal.status == ProposalStatus.PROPOSED,
            Need.status == NeedStatus.OPEN,
        )
        .order_by(Need.priority.desc(), Need.needed_by, Proposal.id)
    )
    if load_related:
        # A link that may be empty is loaded by a join, not a statement of its own: that statement would be left
        # out when no proposal on the page has the link (no stream when every proposal is free), and the page's
        # statements would depend on its proposals. The rest come a page at a time, after the sort.
        statement = statement.options(
            contains_eager(Proposal.need).selectinload(Need.family).joinedload(Family.caseworker),
            selectinload(Proposal.offer).selectinload(Offer.items),
            joinedload(Proposal.offer_item),
            joinedload(Proposal.stream),
        )
    return statement.where(proposal_search(search, names)) if search else statement


def proposals_export_query(search: str, names: FamilyNameVisibility) -> Select[Any]:
    """The proposals of `open_proposals_query` as plain columns, with their need's family and caseworker, offer,
    chosen item, stream and the offer's items (one row per item, for the offer's title) joined: one statement, read
    as it is sent. Joined under their own names: the search looks families, offers and items up by itself."""
    family = aliased(Family, name="exported_family")
    caseworker = aliased(User, name="exported_caseworker")
    offer = aliased(Offer, name="exported_offer")
    chosen = aliased(OfferItem, name="exported_chosen_item")
    item = aliased(OfferItem, name="exported_item")
    stream = aliased(FundingStream, name="exported_stream")
    return (
        open_proposals_query(search, names, load_related=False)
        .with_only_columns(
            Proposal.id,
            family.id.label("family_id"),
            family.reference.label("family_reference"),
            family.name.label("family_name"),
            family.caseworker_id.label("caseworker_id"),
            Need.category.label("need_category"),
            Need.item.label("need_item"),
            Need.priority,
            Need.needed_by,
            offer.reference.label("offer_reference"),
            offer.category.label("offer_category"),
            offer.bedrooms,
            offer.description,
            chosen.item_kind.label("chosen_kind"),
            Proposal.charge_pence,
            stream.code.label("stream_code"),
            Proposal.distance_km,
            caseworker.name.label("caseworker_name"),
            item.quantity,
            item.item_kind,
        )
        .join(family, family.id == Need.family_id)
        .outerjoin(caseworker, caseworker.id == family.caseworker_id)
        .join(offer, offer.id == Proposal.offer_id)
        .outerjoin(chosen, chosen.id == Proposal.offer_item_id)
        .outerjoin(stream, stream.id == Proposal.stream_id)
        .outerjoin(item, item.offer_id == offer.id)
        .order_by(item.id)
    )


def runs_query() -> Select[Any]:
    # Who started each run is joined: loaded one by one, the page's statements would follow its runs' starters.
    return (
        select(MatchRun)
        .options(joinedload(MatchRun.started_by))
        .order_by(MatchRun.started_at.desc(), MatchRun.id.desc())
    )


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
