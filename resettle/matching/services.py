"""Deciding on proposals: accept (a match), reject with a reason, pick another offer by hand, and mark a
match fulfilled. Services flush, never commit: the request (or the job) commits.

Two caseworkers may accept the last place of an offer at the same moment. `_make_match` locks the need row
and then the offer row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serialises writers), in that order
everywhere, re-reads the places already held by live matches after the lock, and only then writes. The second
caseworker waits for the first to commit, sees the place gone and is told so. A paid match's money is
committed through the funding feature's `commit_spend_line`, which takes the budget row's lock the same way
and writes a committed spend line for the match (later the claim for it); a partial unique index (one live
match per need) backs it all up in the database.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from resettle.audit.services import record
from resettle.auth.models import CASE_STAFF, Role, User
from resettle.clock import local_today
from resettle.dataprotection.restriction import may_process
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus, TaskStatus
from resettle.families.needs import set_need_status
from resettle.families.tasks import add_task, complete_task
from resettle.funding.models import FundingStream
from resettle.funding.spend_services import (
    CommitmentError,
    SpendError,
    SpendFields,
    commit_spend_line,
    expense_category_for,
    remove_commitment,
)
from resettle.matching import emails
from resettle.matching.builder import reserved_on
from resettle.matching.models import Match, MatchStatus, Proposal, ProposalStatus, RejectedPair
from resettle.matching.why_not import pounds
from resettle.notifications.models import NotificationKind
from resettle.notifications.services import notify, site_path, users_wanting_email
from resettle.offers import emails as offer_emails
from resettle.offers.models import Handover, Offer, OfferItem, OfferStatus
from resettle.offers.services import change_status as change_offer_status
from resettle.offers.services import matched_offer_withdrawn
from resettle.taxonomy import Category, in_sentence
from resettle.webhooks.models import EventKind
from resettle.webhooks.services import record_event

TASK_DAYS = 7


class MatchError(ValueError):
    """A decision could not be made; `message` says why in words a caseworker can act on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _locked(model: Any, row_id: int) -> Any:
    statement = select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    return db.session.execute(statement).scalar_one()


def line_capacity(offer: Offer, item: OfferItem | None) -> int:
    return item.quantity if item is not None else offer.capacity


def is_used_up(offer: Offer) -> bool:
    lines: list[OfferItem | None] = list(offer.items) or [None]
    return all(reserved_on(offer, item) >= line_capacity(offer, item) for item in lines)


def task_title(offer: Offer, item: OfferItem | None) -> str:
    if item is not None:
        thing = in_sentence(item.kind_label)
        if offer.handover is Handover.COLLECTION:
            return f"Arrange collection of the {thing} ({offer.reference})"
        return f"Arrange delivery of the {thing} ({offer.reference})"
    titles = {
        Category.HOUSING: f"Arrange the viewing and tenancy for the {offer.title.lower()} ({offer.reference})",
        Category.MEAL: f"Book the welcome meal ({offer.reference})",
        Category.ESOL: f"Book the first English lesson ({offer.reference})",
        Category.BEFRIENDING: f"Introduce the befriender ({offer.reference})",
    }
    return titles.get(
        offer.category, f"Arrange {in_sentence(offer.category.label)} with the offerer ({offer.reference})"
    )


def _task_assignee(need: Need, actor: User) -> User:
    caseworker = need.family.caseworker
    if caseworker is not None and caseworker.role in CASE_STAFF and caseworker.is_active_account:
        return caseworker
    return actor


def _make_match(
    need_id: int,
    offer_id: int,
    item: OfferItem | None,
    stream: FundingStream | None,
    charge_pence: int,
    actor: User,
    proposal: Proposal | None,
) -> Match:
    need = _locked(Need, need_id)
    if need.status is not NeedStatus.OPEN:
        raise MatchError(
            "need",
            "This need is no longer open: another caseworker may have matched it. Reload the page to see the latest.",
        )
    if not may_process(need.family):
        raise MatchError("need", "Processing of this family's data is restricted: it cannot be matched until lifted.")
    offer = _locked(Offer, offer_id)
    if offer.status is not OfferStatus.VERIFIED or offer.on_waiting_list:
        raise MatchError(
            "offer",
            f"Offer {offer.reference} is no longer available (it is "
            f"{offer.status.label.lower()}). Choose another offer.",
        )
    left = line_capacity(offer, item) - reserved_on(offer, item)
    if need.units > left:
        raise MatchError(
            "offer",
            f"Offer {offer.reference} has no places left for this need: another caseworker "
            "has just taken them. Nothing was saved; choose another offer.",
        )
    if charge_pence > 0 and stream is None:
        raise MatchError("stream", "This offer costs money and no funding stream was named to pay for it")
    match = Match(
        need=need,
        offer=offer,
        offer_item=item,
        proposal=proposal,
        units=need.units,
        stream=stream if charge_pence > 0 else None,
        charge_pence=charge_pence,
        status=MatchStatus.ACCEPTED,
        accepted_by=actor,
    )
    if charge_pence > 0 and stream is not None:
        _commit_money(match, need, offer, item, stream, charge_pence, actor)
    db.session.add(match)
    set_need_status(need, NeedStatus.MATCHED)
    db.session.flush()
    if is_used_up(offer):
        change_offer_status(offer, OfferStatus.MATCHED, actor=actor, note=f"All places matched (need {need.id})")
    due = max(local_today(), need.needed_by or local_today() + timedelta(days=TASK_DAYS))
    assignee = _task_assignee(need, actor)
    match.task = add_task(need.family, task_title(offer, item), due, assignee, actor)
    _supersede_open_proposals(need, keep=proposal)
    emails.send_offerer_next_steps(match, assignee)
    money = f", {pounds(charge_pence)} committed from {stream.code}" if charge_pence > 0 and stream else ""
    record(
        "match_accepted",
        "family",
        need.family.reference,
        f"Need {need.id} matched with offer {offer.reference}" + (f" ({item.item_kind})" if item else "") + money,
        actor=actor,
    )
    db.session.flush()
    record_event(EventKind.MATCH_ACCEPTED, match.id)
    return match


def _commit_money(
    match: Match,
    need: Need,
    offer: Offer,
    item: OfferItem | None,
    stream: FundingStream,
    charge_pence: int,
    actor: User,
) -> None:
    """The committed spend line for a paid match, written under the budget row's lock; refused plainly when
    the budget no longer has the money or the funds may not pay for the item."""
    category = item.category if item is not None else offer.category
    expense = expense_category_for(category, item.item_kind if item is not None else None)
    what = item.kind_label if item is not None else offer.title
    fields = SpendFields(
        family=need.family,
        stream=stream,
        expense_category=expense,
        item_description=f"{what} ({offer.reference})"[:200],
        amount_pence=charge_pence,
        payee=(offer.organisation or offer.offerer_name)[:120],
        spend_date=local_today(),
        need=need,
    )
    try:
        commit_spend_line(fields, match, actor)
    except CommitmentError:
        raise MatchError(
            "stream",
            f"{stream.name} no longer has {pounds(charge_pence)} left for this "
            "family. Nothing was saved; choose another offer.",
        ) from None
    except SpendError as error:
        raise MatchError("stream", f"{error}. Nothing was saved; choose another offer.") from None


def _supersede_open_proposals(need: Need, keep: Proposal | None) -> None:
    statement = update(Proposal).where(Proposal.need_id == need.id, Proposal.status == ProposalStatus.PROPOSED)
    if keep is not None:
        statement = statement.where(Proposal.id != keep.id)
    db.session.execute(
        statement.values(status=ProposalStatus.SUPERSEDED).execution_options(synchronize_session="fetch")
    )


def _check_undecided(proposal: Proposal) -> None:
    if proposal.status is not ProposalStatus.PROPOSED:
        raise MatchError(
            "proposal", f"This proposal is already {proposal.status.label.lower()}. Reload the page to see the latest."
        )


def accept_proposal(proposal: Proposal, actor: User) -> Match:
    """The proposal becomes a match: capacity reserved, money committed, offerer emailed, task created."""
    _check_undecided(proposal)
    match = _make_match(
        proposal.need_id,
        proposal.offer_id,
        proposal.offer_item,
        proposal.stream,
        proposal.charge_pence,
        actor,
        proposal,
    )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_by, proposal.decided_at = actor, utcnow()
    db.session.flush()
    return match


def reject_proposal(proposal: Proposal, reason: str, actor: User) -> RejectedPair:
    """Turn the pairing down for good: later runs never propose this offer (line) for this need again."""
    _check_undecided(proposal)
    reason = reason.strip()
    if not reason:
        raise MatchError("reason", "Enter why this offer does not suit the family")
    proposal.status = ProposalStatus.REJECTED
    proposal.rejection_reason = reason[:500]
    proposal.decided_by, proposal.decided_at = actor, utcnow()
    rejected = RejectedPair(
        need_id=proposal.need_id,
        offer_id=proposal.offer_id,
        offer_item_id=proposal.offer_item_id,
        reason=reason[:500],
        rejected_by=actor,
    )
    db.session.add(rejected)
    db.session.flush()
    record(
        "match_proposal_rejected",
        "family",
        proposal.need.family.reference,
        f"Offer {proposal.offer.reference} rejected for need {proposal.need_id} (reason recorded on the match)",
        actor=actor,
    )
    return rejected


def pick_offer(
    need: Need, offer: Offer, item: OfferItem | None, stream: FundingStream | None, charge_pence: int, actor: User
) -> Match:
    """A caseworker's own choice among the compatible offers (checked by the caller with `why_not`)."""
    match = _make_match(need.id, offer.id, item, stream, charge_pence, actor, None)
    record(
        "match_picked_by_hand",
        "family",
        need.family.reference,
        f"Offer {offer.reference} chosen by hand for need {need.id}",
        actor=actor,
    )
    return match


# An offer in one of these states is not going to be delivered: its match can only be cancelled.
UNDELIVERABLE_OFFER_STATUSES = frozenset({OfferStatus.WITHDRAWN, OfferStatus.REJECTED, OfferStatus.EXPIRED})


def fulfil_match(match: Match, actor: User) -> Match:
    """Delivered: the need is met, the task to arrange it done and, once every place of the offer is used and
    delivered, the offer too."""
    if match.status is not MatchStatus.ACCEPTED:
        raise MatchError("match", f"This match is already {match.status.label.lower()}")
    offer = _locked(Offer, match.offer_id)
    if offer.status in UNDELIVERABLE_OFFER_STATUSES:
        raise MatchError(
            "match",
            f"Offer {offer.reference} was {offer.status.label.lower()}, so it cannot have "
            "been delivered. Cancel the match instead",
        )
    match.status = MatchStatus.FULFILLED
    match.fulfilled_by, match.fulfilled_at = actor, utcnow()
    set_need_status(match.need, NeedStatus.MET)
    if match.task is not None and match.task.status is TaskStatus.OPEN:
        # The task was to arrange this delivery; it is done now.
        complete_task(match.task, actor, evidence=f"Match fulfilled: offer {offer.reference} delivered")
    db.session.flush()
    still_open = db.session.execute(
        select(Match.id).where(Match.offer_id == offer.id, Match.status == MatchStatus.ACCEPTED)
    ).first()
    if offer.status is OfferStatus.MATCHED and still_open is None:
        change_offer_status(offer, OfferStatus.FULFILLED, actor=actor, note="Every place delivered")
    record(
        "match_fulfilled",
        "family",
        match.need.family.reference,
        f"Need {match.need_id} met by offer {offer.reference}",
        actor=actor,
    )
    db.session.flush()
    record_event(EventKind.MATCH_FULFILLED, match.id)
    return match


def cancel_match(match: Match, reason: str, actor: User) -> Match:
    """Undo an accepted match that will not happen (the offerer withdrew, the family declined): the need opens
    again, the places and any committed money are released, its task is cancelled, and the pair is not
    proposed again."""
    if match.status is not MatchStatus.ACCEPTED:
        raise MatchError("match", f"This match is already {match.status.label.lower()}")
    reason = reason.strip()
    if not reason:
        raise MatchError("reason", "Enter why the match is cancelled")
    need = _locked(Need, match.need_id)
    offer = _locked(Offer, match.offer_id)
    if match.spend_line is not None:
        try:
            remove_commitment(match.spend_line, actor)
        except SpendError as error:
            raise MatchError("reason", str(error)) from None
    match.status = MatchStatus.CANCELLED
    set_need_status(need, NeedStatus.OPEN)
    if match.task is not None and match.task.status is TaskStatus.OPEN:
        match.task.status = TaskStatus.CANCELLED
    db.session.add(
        RejectedPair(
            need_id=need.id,
            offer_id=offer.id,
            offer_item_id=match.offer_item_id,
            reason=reason[:500],
            rejected_by=actor,
        )
    )
    db.session.flush()
    if offer.status is OfferStatus.MATCHED and not is_used_up(offer):
        change_offer_status(offer, OfferStatus.VERIFIED, actor=actor, note=f"A place is free again: {reason[:200]}")
    record(
        "match_cancelled",
        "family",
        need.family.reference,
        f"Match of need {need.id} with offer {offer.reference} cancelled (reason recorded on the match)",
        actor=actor,
    )
    db.session.flush()
    return match


@matched_offer_withdrawn.connect
def tell_caseworkers_offer_withdrawn(offer: Offer) -> None:
    """The caseworkers of the families it was matched with hear in the service; every caseworker who wants
    it by email gets the email, as all caseworkers did before anyone could choose."""
    holding = (
        select(Need.family_id)
        .join(Match, Match.need_id == Need.id)
        .where(Match.offer_id == offer.id, Match.status == MatchStatus.ACCEPTED)
    )
    holders = db.session.execute(select(Family).where(Family.id.in_(holding)).order_by(Family.id)).scalars()
    for family in holders:
        notify(
            family.caseworker,
            NotificationKind.OFFER_WITHDRAWN,
            f"Offer {offer.reference} ({offer.title}), matched with {family.name} ({family.reference}), was "
            "withdrawn: choose another offer",
            site_path("matching.family_proposals", reference=family.reference),
        )
    caseworkers = db.session.execute(
        select(User).where(User.role == Role.CASEWORKER, User.is_active_account.is_(True)).order_by(User.id)
    ).scalars()
    for user in users_wanting_email(caseworkers, NotificationKind.OFFER_WITHDRAWN):
        offer_emails.send_matched_offer_withdrawn(user.email, offer)
