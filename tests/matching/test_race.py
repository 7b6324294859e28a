"""Two caseworkers accept at the same moment, in two real threads with their own connections and commits:
exactly one wins, the other is told plainly, and neither capacity nor a budget is ever exceeded.

This needs PostgreSQL's row locks (SQLite serialises writers and cannot show the race), and real commits, so
it does not use the savepoint `database` fixture: it makes and removes its own rows.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role, User
from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus
from resettle.funding.budgets import figures_for
from resettle.funding.models import AmountRule, FundingScheme, FundingStream, StreamCategory
from resettle.funding.spend_models import FundingBudget
from resettle.matching.models import Match, MatchRun, MatchStatus, Proposal, RunStatus, RunTrigger
from resettle.matching.services import MatchError, accept_proposal
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Offer, OfferStatus
from resettle.taxonomy import Category
from tests.factories import UserFactory, bind_factories
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                                reason="needs PostgreSQL row locks")

@dataclass
class Created:
    users: list[int] = field(default_factory=list)
    families: list[int] = field(default_factory=list)
    offers: list[int] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)
    streams: list[int] = field(default_factory=list)
    schemes_before: set[int] = field(default_factory=set)


@pytest.fixture
def committed(app: Flask) -> Iterator[Created]:
    """Rows committed for real (threads must see them), removed afterwards whatever happened."""
    created = Created()
    with app.app_context():
        bind_factories(db.session)
        created.schemes_before = set(db.session.execute(select(FundingScheme.id)).scalars())
        yield created
        db.session.rollback()
        _remove(created)
        db.session.remove()


def _remove(created: Created) -> None:
    session = db.session
    need_ids = select(Need.id).where(Need.family_id.in_(created.families))
    session.execute(delete(Match).where(Match.need_id.in_(need_ids)))
    session.execute(delete(MatchRun).where(MatchRun.id.in_(created.runs)))
    session.execute(delete(FundingBudget).where(FundingBudget.stream_id.in_(created.streams)))
    emails = select(Offer.offerer_email).where(Offer.id.in_(created.offers))
    session.execute(delete(OutboundEmail).where(OutboundEmail.to_address.in_(emails)))
    session.execute(delete(Family).where(Family.id.in_(created.families)))
    session.execute(delete(Offer).where(Offer.id.in_(created.offers)))
    for model in (AmountRule, StreamCategory):
        session.execute(delete(model).where(model.stream_id.in_(created.streams)))
    session.execute(delete(FundingStream).where(FundingStream.id.in_(created.streams)))
    session.execute(delete(FundingScheme).where(FundingScheme.id.not_in(created.schemes_before)))
    # The audit log refuses deletes by design; only this test's own entries are removed, inside one transaction
    # that turns the refusal off and on again.
    session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update"))
    session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(created.users)))
    session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update"))
    session.execute(delete(User).where(User.id.in_(created.users)))
    session.commit()


def _race(app: Flask, attempts: list[tuple[int, int]]) -> list[str]:
    """Each (proposal id, user id) accepted in its own thread, all released at once. Returns the outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def attempt(proposal_id: int, user_id: int) -> None:
        with app.app_context():
            try:
                proposal = db.session.get(Proposal, proposal_id)
                user = db.session.get(User, user_id)
                assert proposal is not None and proposal.offer.status is OfferStatus.VERIFIED  # both see it free
                barrier.wait(timeout=30)
                accept_proposal(proposal, user)
                db.session.commit()
                outcomes.append("accepted")
            except MatchError as error:
                db.session.rollback()
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=pair) for pair in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _setup(created: Created, build: Callable[[list[User]], list[tuple[Need, Offer, Any, int]]]
           ) -> list[tuple[int, int]]:
    users = [UserFactory(role=Role.CASEWORKER) for _ in range(2)]
    run = MatchRun(trigger=RunTrigger.MANUAL, problem_date=date.today(), status=RunStatus.OPTIMAL, stats={})
    db.session.add(run)
    pairs = build(users)
    proposals = [Proposal(run=run, need=need, offer=offer, stream=stream, charge_pence=charge, value=100.0)
                 for need, offer, stream, charge in pairs]
    db.session.add_all(proposals)
    db.session.commit()
    created.users += [user.id for user in users]
    created.runs.append(run.id)
    created.families += sorted({need.family_id for need, *_ in pairs})
    created.offers += sorted({offer.id for _, offer, *_ in pairs})
    return [(proposal.id, user.id) for proposal, user in zip(proposals, users, strict=True)]


def test_two_caseworkers_accepting_the_last_place_at_once(app: Flask, committed: Created) -> None:
    offer = verified_offer(Category.ESOL, capacity=1)

    def build(users: list[User]) -> list[tuple[Need, Offer, Any, int]]:
        return [(open_need(arrived_family(user)), offer, None, 0) for user in users]

    attempts = _setup(committed, build)
    outcomes = _race(app, attempts)

    assert outcomes.count("accepted") == 1
    [refusal] = [o for o in outcomes if o != "accepted"]
    assert f"Offer {offer.reference} is no longer available (it is matched)" in refusal
    db.session.expire_all()
    live = db.session.execute(select(func.count()).select_from(Match).where(
        Match.offer_id == offer.id, Match.status == MatchStatus.ACCEPTED)).scalar_one()
    assert live == 1
    assert db.session.get(Offer, offer.id).status is OfferStatus.MATCHED
    statuses = sorted(db.session.execute(select(Need.status).join(Family).where(
        Family.id.in_(committed.families))).scalars())
    assert statuses == sorted([NeedStatus.MATCHED, NeedStatus.OPEN])


def test_two_caseworkers_spending_the_last_of_a_budget_at_once(app: Flask, committed: Created) -> None:
    stream = family_stream(40_000, [Category.ESOL], code="race-core")
    committed.streams.append(stream.id)
    family = arrived_family()
    tutors = [verified_offer(Category.ESOL, capacity=1, cost_pence=30_000) for _ in range(2)]

    def build(users: list[User]) -> list[tuple[Need, Offer, Any, int]]:
        family.caseworker = users[0]
        return [(open_need(family), tutor, stream, 30_000) for tutor in tutors]

    outcomes = _race(app, _setup(committed, build))

    assert outcomes.count("accepted") == 1
    [refusal] = [o for o in outcomes if o != "accepted"]
    assert "no longer has £300 left for this family" in refusal
    db.session.expire_all()
    figures = figures_for(db.session.get(FundingStream, stream.id), db.session.get(Family, family.id))
    assert (figures.committed, figures.remaining) == (30_000, 10_000)
