"""Two reviewers approve two lines on the same budget at the same moment, in two threads with their own
database sessions and real commits: one is approved, the other is refused, and the budget is never
overspent. It runs against its own PostgreSQL database (no savepoint fixture: threads need real commits)
and drops it afterwards."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from resettle.auth.models import Role, User
from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus, Member, Relationship, Scheme, Sex
from resettle.funding import spend_services
from resettle.funding.allocation import RuleBasis
from resettle.funding.models import (
    AmountRule,
    CategoryEligibility,
    Eligibility,
    ExpenseCategory,
    FundingScheme,
    FundingStream,
    StreamCategory,
    StreamScope,
)
from resettle.funding.spend_models import FundingBudget, Receipt, SpendLine, SpendStatus
from resettle.funding.spend_services import SpendError, approve_spend_line
from resettle.taxonomy import Category
from tests.postgres import IS_POSTGRESQL, scratch_app, wait_for_each_other_after

pytestmark = [pytest.mark.postgres_only, pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL row locks")]

BUDGET = 852_000  # one person under the VPRS core tariff
EACH_LINE = 600_000  # either line fits; both together would overspend


@pytest.fixture
def race_app() -> Iterator[Flask]:
    with scratch_app("race") as app:
        yield app


def _make_rows() -> tuple[list[int], list[int]]:
    caseworker = User(email="cw@council.example", name="Caseworker", role=Role.CASEWORKER)
    reviewers = [User(email=f"rv{n}@council.example", name=f"Reviewer {n}", role=Role.REVIEWER) for n in (1, 2)]
    scheme = FundingScheme(code="VPRS", name="VPRS", funder="Home Office", notes="")
    stream = FundingStream(
        scheme=scheme,
        code="vprs-core",
        name="Core tariff",
        scope=StreamScope.FAMILY,
        requires_prior_agreement=False,
        effective_from=date(2015, 1, 1),
    )
    stream.category_links.append(StreamCategory(category=Category.FURNITURE))
    rule = AmountRule(stream=stream, basis=RuleBasis.PER_PERSON, amount_pence=BUDGET, effective_from=date(2015, 1, 1))
    category = ExpenseCategory(code="bed", label="Bed", category=Category.FURNITURE, is_active=True)
    allowed = CategoryEligibility(scheme=scheme, expense_category=category, eligibility=Eligibility.ALLOWED, note="")
    family = Family(
        name="Race family",
        scheme=Scheme.VPRS,
        status=FamilyStatus.ARRIVED,
        referral_date=date(2017, 1, 1),
        arrival_date=date(2017, 6, 1),
    )
    family.members.append(
        Member(
            full_name="Only member",
            date_of_birth=date(1990, 1, 1),
            sex=Sex.FEMALE,
            relationship_to_applicant=Relationship.APPLICANT,
        )
    )
    lines = [
        SpendLine(
            family=family,
            stream=stream,
            expense_category=category,
            item_description=f"Bed {n}",
            amount_pence=EACH_LINE,
            payee="Shop",
            spend_date=date(2017, 6, 10),
            status=SpendStatus.SUBMITTED,
            created_by=caseworker,
        )
        for n in (1, 2)
    ]
    for n, line in enumerate(lines):
        line.receipts.append(
            Receipt(
                original_filename="r.pdf",
                stored_name=f"race{n}.pdf",
                content_type="application/pdf",
                size_bytes=10,
                sha256="0" * 64,
                uploaded_by=caseworker,
            )
        )
    budget = FundingBudget(stream=stream, family=family)  # exists already: only the lock guards
    db.session.add_all([caseworker, *reviewers, rule, allowed, family, budget, *lines])
    db.session.commit()
    return [line.id for line in lines], [reviewer.id for reviewer in reviewers]


def _hold_after_reading_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both approvals read the budget before either writes: without the row lock both see "nothing spent"."""
    wait_for_each_other_after(monkeypatch, spend_services, "figures_for")


def test_two_approvals_at_once_cannot_overspend(race_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with race_app.app_context():
        line_ids, reviewer_ids = _make_rows()
        db.session.remove()
    _hold_after_reading_the_budget(monkeypatch)
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def approve(line_id: int, reviewer_id: int) -> None:
        with race_app.app_context():
            line = db.session.get(SpendLine, line_id)
            reviewer = db.session.get(User, reviewer_id)
            assert line is not None and reviewer is not None
            line.family.members  # noqa: B018  (load before the race, so both threads race only on the lock)
            start.wait(timeout=10)
            try:
                approve_spend_line(line, reviewer)
                db.session.commit()
                outcomes[line_id] = "approved"
            except SpendError as error:
                db.session.rollback()
                outcomes[line_id] = error.problems[0].message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(line_ids, reviewer_ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values(), key=lambda outcome: outcome != "approved")[0] == "approved"
    refused = [outcome for outcome in outcomes.values() if outcome != "approved"]
    assert len(refused) == 1 and "would overspend" in refused[0]
    with race_app.app_context():
        spent = db.session.execute(
            select(func.sum(SpendLine.amount_pence)).where(SpendLine.status == SpendStatus.APPROVED)
        ).scalar_one()
        assert spent == EACH_LINE <= BUDGET
        db.session.remove()


def test_the_same_line_approved_twice_at_once_is_approved_once(race_app: Flask) -> None:
    with race_app.app_context():
        line_ids, reviewer_ids = _make_rows()
        db.session.remove()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(reviewer_id: int) -> None:
        with race_app.app_context():
            line = db.session.get(SpendLine, line_ids[0])
            reviewer = db.session.get(User, reviewer_id)
            assert line is not None and reviewer is not None
            start.wait(timeout=10)
            try:
                approve_spend_line(line, reviewer)
                db.session.commit()
                outcomes.append("approved")
            except SpendError as error:
                db.session.rollback()
                outcomes.append(error.problems[0].message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(reviewer_id,)) for reviewer_id in reviewer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("approved") == 1
    assert any("not waiting for review" in outcome for outcome in outcomes)
