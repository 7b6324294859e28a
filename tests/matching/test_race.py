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
from resettle.funding import spend_services
from resettle.funding.budgets import figures_for
from resettle.funding.models import Eligibility, FundingStream
from resettle.funding.spend_models import FundingBudget, Receipt, SpendLine, SpendStatus
from resettle.funding.spend_services import SpendError, approve_spend_line
from resettle.matching import services
from resettle.matching.builder import reserved_on as count_places
from resettle.matching.models import Match, MatchRun, MatchStatus, Proposal, RunStatus, RunTrigger
from resettle.matching.services import MatchError, accept_proposal
from resettle.offers.models import Offer, OfferStatus
from resettle.taxonomy import Category
from tests.factories import UserFactory
from tests.funding.factories import EligibilityFactory, ExpenseCategoryFactory
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer
from tests.postgres import IS_POSTGRESQL, scratch_app, wait_for_each_other_after

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL row locks")


@pytest.fixture
def race_app() -> Iterator[Flask]:
    with scratch_app("matching_race") as app, app.app_context():
        yield app


@pytest.fixture(autouse=True)
def _hold_after_counting_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both acceptances count the offer's taken places before either writes: without the row locks both
    count "none taken"."""
    wait_for_each_other_after(monkeypatch, services, "reserved_on")


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
    proposals = [
        Proposal(run=run, need=need, offer=offer, stream=stream, charge_pence=charge, value=100.0)
        for need, offer, stream, charge in pairs
    ]
    db.session.add_all(proposals)
    db.session.commit()
    return [(proposal.id, user.id) for proposal, user in zip(proposals, users, strict=True)]


def _setup_one(build: Callable[[list[User]], list[tuple[Need, Offer, Any, int]]]) -> list[tuple[int, int]]:
    """One caseworker's proposal (for a race against something other than a second acceptance)."""
    user = UserFactory(role=Role.CASEWORKER)
    run = MatchRun(trigger=RunTrigger.MANUAL, problem_date=date.today(), status=RunStatus.OPTIMAL, stats={})
    db.session.add(run)
    [(need, offer, stream, charge)] = build([user])
    proposal = Proposal(run=run, need=need, offer=offer, stream=stream, charge_pence=charge, value=100.0)
    db.session.add(proposal)
    db.session.commit()
    return [(proposal.id, user.id)]


def test_two_caseworkers_accepting_the_last_place_at_once(race_app: Flask) -> None:
    offer = verified_offer(Category.ESOL, capacity=1)

    def build(users: list[User]) -> list[tuple[Need, Offer, Any, int]]:
        return [(open_need(arrived_family(user)), offer, None, 0) for user in users]

    outcomes = _race(race_app, _setup(build))

    assert outcomes.count("accepted") == 1
    [refusal] = [o for o in outcomes if o != "accepted"]
    assert f"Offer {offer.reference} is no longer available (it is matched)" in refusal
    db.session.expire_all()
    live = db.session.execute(
        select(func.count()).select_from(Match).where(Match.offer_id == offer.id, Match.status == MatchStatus.ACCEPTED)
    ).scalar_one()
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


def test_accepting_a_paid_proposal_while_spend_on_the_same_budget_is_approved(
    race_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caseworker commits £300 for a tutor while a reviewer approves £300 of other spend, on a budget of £400.
    Each waits, after reading the budget, for the other to read it too: without the budget row lock both
    would see £400 left and both succeed. With it exactly one succeeds and the budget is never overspent."""
    stream = family_stream(40_000, [Category.ESOL])
    course = ExpenseCategoryFactory(code="esol_course", label="ESOL course or classes", category=Category.ESOL)
    EligibilityFactory(scheme=stream.scheme, expense_category=course, eligibility=Eligibility.ALLOWED)
    family = arrived_family()
    tutor = verified_offer(Category.ESOL, capacity=1, cost_pence=30_000)
    reviewer = UserFactory(role=Role.REVIEWER)

    def build(users: list[User]) -> list[tuple[Need, Offer, Any, int]]:
        family.caseworker = users[0]
        return [(open_need(family), tutor, stream, 30_000)]

    [(proposal_id, caseworker_id)] = _setup_one(build)
    books = SpendLine(
        family=family,
        stream=stream,
        expense_category=course,
        item_description="Course books",
        amount_pence=30_000,
        payee="Bookshop",
        spend_date=date.today(),
        status=SpendStatus.SUBMITTED,
        created_by=db.session.get(User, caseworker_id),
    )
    books.receipts.append(
        Receipt(
            original_filename="r.pdf",
            stored_name="race-books.pdf",
            content_type="application/pdf",
            size_bytes=10,
            sha256="0" * 64,
            uploaded_by=books.created_by,
        )
    )
    db.session.add_all([books, FundingBudget(stream=stream, family=family)])  # exists already: only the lock guards
    db.session.commit()
    books_id, reviewer_id, stream_id, family_id = books.id, reviewer.id, stream.id, family.id

    both_read = threading.Barrier(2)
    read_budget = spend_services.figures_for

    def read_then_wait(*args: Any, **kwargs: Any) -> Any:
        figures = read_budget(*args, **kwargs)
        try:
            both_read.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return figures

    monkeypatch.setattr(spend_services, "figures_for", read_then_wait)
    monkeypatch.setattr(services, "reserved_on", count_places)  # only one acceptance: no wait after counting
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def accept() -> None:
        with race_app.app_context():
            try:
                proposal = db.session.get(Proposal, proposal_id)
                user = db.session.get(User, caseworker_id)
                assert proposal is not None and user is not None
                start.wait(timeout=30)
                accept_proposal(proposal, user)
                db.session.commit()
                outcomes["accept"] = "done"
            except MatchError as error:
                db.session.rollback()
                outcomes["accept"] = error.message
            finally:
                db.session.remove()

    def approve() -> None:
        with race_app.app_context():
            try:
                line = db.session.get(SpendLine, books_id)
                user = db.session.get(User, reviewer_id)
                assert line is not None and user is not None
                line.family.members  # noqa: B018  (load before the race, so both threads race only on the lock)
                start.wait(timeout=30)
                approve_spend_line(line, user)
                db.session.commit()
                outcomes["approve"] = "done"
            except SpendError as error:
                db.session.rollback()
                outcomes["approve"] = error.problems[0].message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept), threading.Thread(target=approve)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(outcomes) == ["accept", "approve"]
    assert list(outcomes.values()).count("done") == 1, outcomes
    refusal = next(outcome for outcome in outcomes.values() if outcome != "done")
    assert "no longer has £300 left for this family" in refusal or "would overspend" in refusal
    db.session.expire_all()
    figures = figures_for(db.session.get(FundingStream, stream_id), db.session.get(Family, family_id))
    assert figures.committed + figures.spent == 30_000 and figures.remaining == 10_000
    lines = db.session.execute(select(SpendLine.status)).scalars().all()
    assert sorted(lines) in (sorted([SpendStatus.COMMITTED, SpendStatus.SUBMITTED]), [SpendStatus.APPROVED])
