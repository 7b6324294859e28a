"""Accepting, rejecting, picking by hand and fulfilling: capacity, money, tasks, emails and the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.families.models import ConsentPurpose, NeedStatus, Relationship, TaskStatus
from resettle.funding.budgets import figures_for
from resettle.matching.models import MatchStatus, ProposalStatus, RejectedPair, RunTrigger
from resettle.matching.picking import candidates_for
from resettle.matching.runs import run_matching
from resettle.matching.services import (
    MatchError,
    accept_proposal,
    cancel_match,
    fulfil_match,
    pick_offer,
    reject_proposal,
)
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Handover, OfferStatus
from resettle.taxonomy import Category
from tests.families.factories import MemberFactory
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer
from tests.offers.factories import GoodsOfferFactory


def _emails_to(database: Any, address: str) -> list[OutboundEmail]:
    return list(database.session.execute(select(OutboundEmail).where(OutboundEmail.to_address == address)).scalars())


def _proposal_for(run: Any, need: Any) -> Any:
    return next(p for p in run.proposals if p.need_id == need.id)


def test_accepting_reserves_the_offer_tells_the_offerer_and_makes_a_task(database: Any, caseworker: Any) -> None:
    family = arrived_family(caseworker)
    MemberFactory(family=family, full_name="Rania Al-Hassan", relationship_to_applicant=Relationship.APPLICANT)
    need = open_need(family, Category.FURNITURE, item="sofa", priority=4)
    offer = GoodsOfferFactory(
        status=OfferStatus.VERIFIED,
        item_lines=[("sofa", 1)],
        handover=Handover.DELIVERY,
        offerer_email="priya@example.org",
    )
    run = run_matching(caseworker, RunTrigger.MANUAL)
    proposal = _proposal_for(run, need)

    match = accept_proposal(proposal, caseworker)

    assert (match.status, match.units, match.offer_item) == (MatchStatus.ACCEPTED, 1, offer.items[0])
    assert proposal.status is ProposalStatus.ACCEPTED and proposal.decided_by == caseworker
    assert need.status is NeedStatus.MATCHED
    assert offer.status is OfferStatus.MATCHED  # its only place is taken
    assert match.task.title == f"Arrange delivery of the sofa ({offer.reference})"
    assert match.task.assignee == caseworker and match.task.status is TaskStatus.OPEN
    [email] = _emails_to(database, "priya@example.org")
    assert "matched with a family the council is supporting" in email.body
    for private in ("Rania", "Al-Hassan", family.address_line_1, family.postcode):
        assert private not in email.body  # no consent recorded: nothing about the family
    actions = set(database.session.execute(select(AuditEvent.action)).scalars())
    assert {"matching_run", "match_accepted", "task_added", "offer_status_changed"} <= actions


def test_the_offerer_learns_a_first_name_only_with_the_familys_consent(database: Any, caseworker: Any) -> None:
    from resettle.families.services import record_consent

    family = arrived_family(caseworker)
    MemberFactory(family=family, full_name="Rania Al-Hassan", relationship_to_applicant=Relationship.APPLICANT)
    record_consent(family, ConsentPurpose.SHARE_WITH_VOLUNTEERS, True, "First names only", caseworker)
    need = open_need(family, Category.MEAL)
    verified_offer(Category.MEAL, offerer_email="chef@example.org", capacity=4)
    accept_proposal(_proposal_for(run_matching(caseworker, RunTrigger.MANUAL), need), caseworker)
    [email] = _emails_to(database, "chef@example.org")
    assert "you will meet Rania" in email.body and "Al-Hassan" not in email.body


def test_an_offer_with_places_left_stays_available_until_the_last_is_taken(database: Any, caseworker: Any) -> None:
    first, second = open_need(arrived_family(caseworker)), open_need(arrived_family(caseworker))
    third = open_need(arrived_family(caseworker), priority=1)
    offer = verified_offer(Category.ESOL, capacity=2)
    run = run_matching(caseworker, RunTrigger.MANUAL)
    assert {p.need_id for p in run.proposals} == {first.id, second.id}  # the least urgent need waits
    accept_proposal(_proposal_for(run, first), caseworker)
    assert offer.status is OfferStatus.VERIFIED  # one place left
    accept_proposal(_proposal_for(run, second), caseworker)
    assert offer.status is OfferStatus.MATCHED
    with pytest.raises(MatchError, match=f"Offer {offer.reference} is no longer available"):
        pick_offer(third, offer, None, None, 0, caseworker)
    assert third.status is NeedStatus.OPEN


def test_a_full_offer_refuses_a_second_acceptance(database: Any, caseworker: Any) -> None:
    first, second = open_need(arrived_family(caseworker)), open_need(arrived_family(caseworker))
    offer = verified_offer(Category.ESOL, capacity=1)
    accept_proposal(_proposal_for(run_matching(caseworker, RunTrigger.MANUAL), first), caseworker)
    offer.status = OfferStatus.VERIFIED  # as if the two decisions had read the offer at the same moment
    database.session.flush()
    with pytest.raises(MatchError, match="has no places left for this need: another caseworker has just taken them"):
        pick_offer(second, offer, None, None, 0, caseworker)
    assert second.status is NeedStatus.OPEN


def test_a_paid_offer_commits_money_and_never_overspends(database: Any, caseworker: Any) -> None:
    stream = family_stream(40_000, [Category.ESOL])
    family = arrived_family(caseworker)
    lessons, more = open_need(family, priority=5), open_need(family, priority=4)
    tutor = verified_offer(Category.ESOL, capacity=3, cost_pence=25_000)
    run = run_matching(caseworker, RunTrigger.MANUAL)
    proposal = _proposal_for(run, lessons)
    assert (proposal.stream, proposal.charge_pence) == (stream, 25_000)
    assert all(p.need_id != more.id for p in run.proposals)  # £150 left cannot pay £250

    match = accept_proposal(proposal, caseworker)
    assert (match.stream, match.charge_pence) == (stream, 25_000)
    assert figures_for(stream, family).committed == 25_000
    with pytest.raises(MatchError, match="no longer has £250 left"):
        pick_offer(more, tutor, None, stream, 25_000, caseworker)
    assert figures_for(stream, family).committed == 25_000
    assert more.status is NeedStatus.OPEN


def test_rejecting_needs_a_reason_and_the_pair_is_never_proposed_again(database: Any, caseworker: Any) -> None:
    need = open_need(arrived_family(caseworker))
    other = open_need(arrived_family(caseworker), priority=1)
    offer = verified_offer(Category.ESOL, capacity=1)
    proposal = _proposal_for(run_matching(caseworker, RunTrigger.MANUAL), need)
    with pytest.raises(MatchError, match="Enter why this offer does not suit the family"):
        reject_proposal(proposal, "  ", caseworker)
    reject_proposal(proposal, "Lessons clash with school pick-up", caseworker)
    assert proposal.status is ProposalStatus.REJECTED
    [rejected] = database.session.execute(select(RejectedPair)).scalars()
    assert (rejected.need, rejected.offer) == (need, offer)

    rerun = run_matching(caseworker, RunTrigger.MANUAL)
    assert [(p.need_id, p.offer_id) for p in rerun.proposals] == [(other.id, offer.id)]  # the offer is not wasted
    [unmet] = [u for u in rerun.unmet_needs if u.need_id == need.id]
    assert (unmet.reason.value, unmet.blocking) == ("no_compatible_offer", ["rejected"])
    with pytest.raises(MatchError, match="already rejected"):
        accept_proposal(proposal, caseworker)


def test_picking_by_hand_lists_compatible_offers_and_says_why_not(database: Any, caseworker: Any) -> None:
    family = arrived_family(caseworker, latitude=51.4613, longitude=-0.0106)
    need = open_need(family, Category.ESOL, language="Arabic", max_distance_km=5.0)
    near = verified_offer(Category.ESOL, languages=["Arabic"], latitude=51.46, longitude=-0.01, capacity=2)
    far = verified_offer(Category.ESOL, languages=["Dari"], latitude=51.5350, longitude=-0.0106)
    candidates = candidates_for(need, date.today())
    assert [c.line.offer for c in candidates] == [near, far]
    assert candidates[0].reasons == []
    assert candidates[1].reasons == ["Not offered in Arabic; this need asks for it", "8.2 km away; the limit is 5 km"]

    match = pick_offer(need, near, None, None, 0, caseworker)
    assert match.proposal is None and need.status is NeedStatus.MATCHED
    assert match.task.title == f"Book the first English lesson ({near.reference})"
    assert near.status is OfferStatus.VERIFIED  # one of two places left


def test_fulfilling_meets_the_need_and_closes_the_offer_once_every_place_is_delivered(
    database: Any, caseworker: Any
) -> None:
    first, second = open_need(arrived_family(caseworker)), open_need(arrived_family(caseworker))
    offer = verified_offer(Category.ESOL, capacity=2)
    run = run_matching(caseworker, RunTrigger.MANUAL)
    one, two = (accept_proposal(_proposal_for(run, need), caseworker) for need in (first, second))
    assert one.task is not None and one.task.status is TaskStatus.OPEN
    fulfil_match(one, caseworker)
    assert first.status is NeedStatus.MET and one.fulfilled_at is not None
    # The task to arrange it is done, with what closed it.
    assert one.task.status is TaskStatus.DONE and one.task.completed_by == caseworker
    assert offer.reference in one.task.evidence
    assert offer.status is OfferStatus.MATCHED  # the second place is not delivered yet
    fulfil_match(two, caseworker)
    assert offer.status is OfferStatus.FULFILLED
    with pytest.raises(MatchError, match="already fulfilled"):
        fulfil_match(two, caseworker)


@pytest.mark.parametrize("offer_status", [OfferStatus.WITHDRAWN, OfferStatus.REJECTED, OfferStatus.EXPIRED])
def test_a_match_whose_offer_will_not_be_delivered_cannot_be_marked_fulfilled(
    database: Any, caseworker: Any, offer_status: OfferStatus
) -> None:
    need = open_need(arrived_family(caseworker))
    offer = verified_offer(Category.ESOL, capacity=1)
    match = accept_proposal(_proposal_for(run_matching(caseworker, RunTrigger.MANUAL), need), caseworker)
    offer.status = offer_status
    with pytest.raises(MatchError, match="cannot have been delivered. Cancel the match instead"):
        fulfil_match(match, caseworker)
    assert match.status is MatchStatus.ACCEPTED and need.status is NeedStatus.MATCHED


def test_cancelling_a_match_frees_the_place_and_the_money_and_reopens_the_need(database: Any, caseworker: Any) -> None:
    stream = family_stream(40_000, [Category.ESOL])
    family = arrived_family(caseworker)
    need = open_need(family)
    tutor = verified_offer(Category.ESOL, capacity=1, cost_pence=25_000)
    match = accept_proposal(_proposal_for(run_matching(caseworker, RunTrigger.MANUAL), need), caseworker)
    assert tutor.status is OfferStatus.MATCHED and figures_for(stream, family).committed == 25_000
    with pytest.raises(MatchError, match="Enter why the match is cancelled"):
        cancel_match(match, "", caseworker)

    cancel_match(match, "The tutor has moved away", caseworker)

    assert match.status is MatchStatus.CANCELLED and need.status is NeedStatus.OPEN
    assert match.task.status is TaskStatus.CANCELLED
    assert figures_for(stream, family).committed == 0
    assert tutor.status is OfferStatus.VERIFIED
    rerun = run_matching(caseworker, RunTrigger.MANUAL)
    assert rerun.proposals == []  # the pair is not proposed again
    with pytest.raises(MatchError, match="already cancelled"):
        cancel_match(match, "Again", caseworker)
