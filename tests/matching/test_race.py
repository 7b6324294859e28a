"""Two caseworkers accept at the same moment, in two real threads with their own connections and commits:
exactly one wins, the other is told plainly, and neither capacity nor a budget is ever exceeded.

This needs PostgreSQL's row locks (SQLite serialises writers and cannot show the race) and real commits, so
it does not use the savepoint `database` fixture: it runs against a database of its own, made for the test
and dropped afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from resettle.auth.models import Role, User
from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus
from resettle.funding.budgets import figures_for
from resettle.funding.models import FundingStream
from resettle.matching import services
from resettle.matching.models import Match, MatchRun, MatchStatus, Proposal, RunStatus, RunTrigger
from resettle.matching.services import MatchError, accept_proposal
from resettle.offers.models import Offer, OfferStatus
from resettle.taxonomy import Category
from tests.factories import UserFactory, bind_factories
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer
from tests.postgres import IS_POSTGRESQL, scratch_app

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL row locks")


@pytest.fixture
def race_app() -> Iterator[Flask]:
    with scratch_app("matching_race") as app, app.app_context():
        bind_factories(db.session)  # factories commit for real here
        yield app


@pytest.fixture(autouse=True)
def _hold_after_counting_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each acceptance wait, after it has counted the offer's taken places, until the other has counted
    too (or a second has passed). Without the row locks both would count "none taken" and both accept; with
    them the second cannot count until the first has committed, so the wait just times out."""
    both_counted = threading.Barrier(2)
    count = services.reserved_on

    def count_then_wait(*args: Any, **kwargs: Any) -> int:
        taken = count(*args, **kwargs)
        try:
            both_counted.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return taken

    monkeypatch.setattr(services, "reserved_on", count_then_wait)


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


def _setup(build: Callable[[list[User]], list[tuple[Need, Offer, Any, int]]]) -> list[tuple[int, int]]:
    users = [UserFactory(role=Role.CASEWORKER) for _ in range(2)]
    run = MatchRun(trigger=RunTrigger.MANUAL, problem_date=date.today(), status=RunStatus.OPTIMAL, stats={})
    db.session.add(run)
    pairs = build(users)
    proposals = [Proposal(run=run, need=need, offer=offer, stream=stream, charge_pence=charge, value=100.0)
                 for need, offer, stream, charge in pairs]
    db.session.add_all(proposals)
    db.session.commit()
    return [(proposal.id, user.id) for proposal, user in zip(proposals, users, strict=True)]


def test_two_caseworkers_accepting_the_last_place_at_once(race_app: Flask) -> None:
    offer = verified_offer(Category.ESOL, capacity=1)

    def build(users: list[User]) -> list[tuple[Need, Offer, Any, int]]:
        return [(open_need(arrived_family(user)), offer, None, 0) for user in users]

    outcomes = _race(race_app, _setup(build))

    assert outcomes.count("accepted") == 1
    [refusal] = [o for o in outcomes if o != "accepted"]
    assert f"Offer {offer.reference} is no longer available (it is matched)" in refusal
    db.session.expire_all()
    live = db.session.execute(select(func.count()).select_from(Match).where(
        Match.offer_id == offer.id, Match.status == MatchStatus.ACCEPTED)).scalar_one()
    assert live == 1
    assert db.session.get(Offer, offer.id).status is OfferStatus.MATCHED
    statuses = sorted(db.session.execute(select(Need.status)).scalars())
    assert statuses == sorted([NeedStatus.MATCHED, NeedStatus.OPEN])


def test_two_caseworkers_spending_the_last_of_a_budget_at_once(race_app: Flask) -> None:
    stream = family_stream(40_000, [Category.ESOL])
    family = arrived_family()
    tutors = [verified_offer(Category.ESOL, capacity=1, cost_pence=30_000) for _ in range(2)]

    def build(users: list[User]) -> list[tuple[Need, Offer, Any, int]]:
        family.caseworker = users[0]
        return [(open_need(family), tutor, stream, 30_000) for tutor in tutors]

    outcomes = _race(race_app, _setup(build))

    assert outcomes.count("accepted") == 1
    [refusal] = [o for o in outcomes if o != "accepted"]
    assert "no longer has £300 left for this family" in refusal
    db.session.expire_all()
    figures = figures_for(db.session.get(FundingStream, stream.id), db.session.get(Family, family.id))
    assert (figures.committed, figures.remaining) == (30_000, 10_000)
