"""A paid match's money, from acceptance to spend, through the services: accepting writes one committed spend
line; once delivered it becomes a draft, is corrected to the invoice, submitted and approved, and its money
moves from committed to spent in that one step, never counted twice; cancelling removes it; a rejected claim
frees its money. The budget figures are checked at every step."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.funding.budgets import figures_for
from resettle.funding.models import Eligibility, ExpenseCategory
from resettle.funding.queries import eligibility_of
from resettle.funding.receipts import add_receipt
from resettle.funding.review_queries import SpendFilters, spend_query
from resettle.funding.spend_models import SpendLine, SpendStatus
from resettle.funding.spend_services import (
    CommitmentError,
    SpendError,
    SpendFields,
    approve_spend_line,
    record_delivery,
    reject_spend_line,
    submit_spend_line,
    update_spend_line,
)
from resettle.matching.models import MatchStatus, RunTrigger
from resettle.matching.runs import run_matching
from resettle.matching.services import MatchError, accept_proposal, cancel_match, pick_offer
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.factories import UserFactory
from tests.funding.conftest import PDF
from tests.funding.factories import EligibilityFactory, ExpenseCategoryFactory
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer
from tests.offers.factories import GoodsOfferFactory

BUDGET = 40_000
CHARGE = 25_000


@pytest.fixture
def reviewer(database: Any) -> Any:
    return UserFactory(role=Role.REVIEWER)


@pytest.fixture
def esol_course(database: Any) -> ExpenseCategory:
    return ExpenseCategoryFactory(code="esol_course", label="ESOL course or classes", category=Category.ESOL)


@pytest.fixture
def paid_match(database: Any, caseworker: Any, esol_course: ExpenseCategory) -> Any:
    """A family with £400 of ESOL money accepts a £250 tutor the engine proposed."""
    stream = family_stream(BUDGET, [Category.ESOL])
    EligibilityFactory(scheme=stream.scheme, expense_category=esol_course, eligibility=Eligibility.ALLOWED)
    family = arrived_family(caseworker)
    need = open_need(family)
    verified_offer(Category.ESOL, capacity=1, cost_pence=CHARGE, organisation="Lewisham Tutors")
    [proposal] = run_matching(caseworker, RunTrigger.MANUAL).proposals
    assert proposal.need == need and proposal.charge_pence == CHARGE
    return accept_proposal(proposal, caseworker)


def _figures(match: Any) -> tuple[int, int, int, int]:
    figures = figures_for(match.stream, match.need.family)
    return figures.committed, figures.spent, figures.pending, figures.remaining


def _lines(database: Any) -> list[SpendLine]:
    return list(database.session.execute(select(SpendLine)).scalars())


def _fields(line: SpendLine, amount_pence: int) -> SpendFields:
    return SpendFields(
        family=line.family,
        stream=line.stream,
        expense_category=line.expense_category,
        item_description=line.item_description,
        amount_pence=amount_pence,
        payee=line.payee,
        spend_date=line.spend_date,
        need=line.need,
    )


def _deliver_and_submit(line: SpendLine, actor: Any, invoiced: int | None = None) -> None:
    record_delivery(line, actor)
    if invoiced is not None:
        update_spend_line(line, _fields(line, invoiced), actor)
    add_receipt(line, io.BytesIO(PDF), "invoice.pdf", actor)
    submit_spend_line(line, actor)


def test_accepting_a_paid_proposal_writes_exactly_one_committed_line(
    database: Any, paid_match: Any, esol_course: ExpenseCategory
) -> None:
    [line] = _lines(database)
    assert line.status is SpendStatus.COMMITTED and line.match == paid_match and paid_match.spend_line == line
    assert (line.family, line.need, line.stream) == (paid_match.need.family, paid_match.need, paid_match.stream)
    assert (line.expense_category, line.amount_pence, line.payee) == (esol_course, CHARGE, "Lewisham Tutors")
    assert paid_match.offer.reference in line.item_description
    assert _figures(paid_match) == (CHARGE, 0, 0, BUDGET - CHARGE)
    assert (
        database.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "spend_committed")
        ).scalar_one()
        == 1
    )


def test_a_free_match_writes_no_spend_line(database: Any, caseworker: Any) -> None:
    need = open_need(arrived_family(caseworker))
    match = pick_offer(need, verified_offer(Category.ESOL), None, None, 0, caseworker)
    assert match.spend_line is None and _lines(database) == []


def test_on_approval_the_money_moves_from_committed_to_spent(
    database: Any, paid_match: Any, caseworker: Any, reviewer: Any
) -> None:
    [line] = _lines(database)
    record_delivery(line, caseworker)
    assert line.status is SpendStatus.DRAFT
    assert _figures(paid_match) == (CHARGE, 0, 0, BUDGET - CHARGE)  # still held for the match

    update_spend_line(line, _fields(line, 23_500), caseworker)  # the invoice came in lower
    assert _figures(paid_match) == (23_500, 0, 0, BUDGET - 23_500)
    add_receipt(line, io.BytesIO(PDF), "invoice.pdf", caseworker)
    submit_spend_line(line, caseworker)
    assert _figures(paid_match) == (23_500, 0, 23_500, BUDGET - 23_500)

    approve_spend_line(line, reviewer)

    assert line.status is SpendStatus.APPROVED
    assert _figures(paid_match) == (0, 23_500, 0, BUDGET - 23_500)  # spent, and no longer committed
    assert _lines(database) == [line]


@pytest.mark.parametrize(
    ("invoiced", "approved"),
    [
        (CHARGE, True),  # as committed
        (10_000, True),  # cheaper
        (BUDGET, True),  # dearer, up to the whole budget
        (BUDGET + 1, False),  # a penny more than the budget: refused when corrected, nothing changes
    ],
)
def test_the_invoiced_amount_never_takes_the_budget_over(
    database: Any, paid_match: Any, caseworker: Any, reviewer: Any, invoiced: int, approved: bool
) -> None:
    [line] = _lines(database)
    if not approved:
        record_delivery(line, caseworker)
        with pytest.raises(CommitmentError, match="has £400.00 left, not the £400.01 this needs"):
            update_spend_line(line, _fields(line, invoiced), caseworker)
        assert line.amount_pence == CHARGE and _figures(paid_match) == (CHARGE, 0, 0, BUDGET - CHARGE)
        return
    _deliver_and_submit(line, caseworker, invoiced)
    assert _figures(paid_match) == (invoiced, 0, invoiced, BUDGET - invoiced)
    approve_spend_line(line, reviewer)
    committed, spent, pending, remaining = _figures(paid_match)
    assert (committed, spent, pending, remaining) == (0, invoiced, 0, BUDGET - invoiced)
    assert committed + spent + remaining == BUDGET


def test_committed_money_stops_another_match_and_other_spend(
    database: Any, paid_match: Any, caseworker: Any, reviewer: Any
) -> None:
    family = paid_match.need.family
    second = open_need(family)
    other_tutor = verified_offer(Category.ESOL, capacity=1, cost_pence=20_000)
    with pytest.raises(MatchError, match="no longer has £200 left for this family"):
        pick_offer(second, other_tutor, None, paid_match.stream, 20_000, caseworker)
    assert second.status.value == "open" and len(_lines(database)) == 1

    [committed] = _lines(database)
    other = SpendLine(
        family=family,
        stream=paid_match.stream,
        expense_category=committed.expense_category,
        item_description="Books",
        amount_pence=20_000,
        payee="Bookshop",
        spend_date=committed.spend_date,
        status=SpendStatus.DRAFT,
        created_by=caseworker,
    )
    database.session.add(other)
    add_receipt(other, io.BytesIO(PDF), "r.pdf", caseworker)
    submit_spend_line(other, caseworker)
    with pytest.raises(SpendError, match="would overspend"):
        approve_spend_line(other, reviewer)


def test_cancelling_the_match_removes_the_commitment(database: Any, paid_match: Any, caseworker: Any) -> None:
    cancel_match(paid_match, "The family moved to another borough", caseworker)
    assert paid_match.status is MatchStatus.CANCELLED
    assert _lines(database) == [] and paid_match.spend_line is None
    assert _figures(paid_match) == (0, 0, 0, BUDGET)
    assert (
        database.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "spend_commitment_removed")
        ).scalar_one()
        == 1
    )


def test_once_delivery_is_recorded_the_match_can_no_longer_be_cancelled(
    database: Any, paid_match: Any, caseworker: Any
) -> None:
    [line] = _lines(database)
    record_delivery(line, caseworker)
    with pytest.raises(MatchError, match=f"Spend {line.reference} for this match is draft"):
        cancel_match(paid_match, "Changed our minds", caseworker)
    assert paid_match.status is MatchStatus.ACCEPTED and line.status is SpendStatus.DRAFT


def test_a_rejected_claim_frees_its_money_until_it_is_sent_again(
    database: Any, paid_match: Any, caseworker: Any, reviewer: Any
) -> None:
    [line] = _lines(database)
    _deliver_and_submit(line, caseworker)
    reject_spend_line(line, reviewer, "The invoice is for another family")
    assert _figures(paid_match) == (0, 0, 0, BUDGET)

    submit_spend_line(line, caseworker)  # sent again as it was: it holds its money again
    assert _figures(paid_match) == (CHARGE, 0, CHARGE, BUDGET - CHARGE)

    reject_spend_line(line, reviewer, "Still the wrong invoice")
    other_tutor = verified_offer(Category.ESOL, capacity=1, cost_pence=30_000)
    pick_offer(open_need(paid_match.need.family), other_tutor, None, paid_match.stream, 30_000, caseworker)
    with pytest.raises(CommitmentError, match="has £100.00 left"):
        submit_spend_line(line, caseworker)
    assert line.status is SpendStatus.REJECTED


def test_a_committed_line_is_not_spend_to_review_until_submitted(
    database: Any, paid_match: Any, caseworker: Any
) -> None:
    [line] = _lines(database)
    with pytest.raises(SpendError, match=f"Record that {line.reference} was delivered before submitting it"):
        submit_spend_line(line, caseworker)
    queue = database.session.execute(spend_query(SpendFilters(without_committed=True))).scalars().all()
    assert line not in queue
    everything = database.session.execute(spend_query(SpendFilters())).scalars().all()
    assert line in everything
    with pytest.raises(SpendError, match="is committed, not waiting for review"):
        approve_spend_line(line, UserFactory(role=Role.REVIEWER))
    record_delivery(line, caseworker)
    with pytest.raises(SpendError, match="is draft, not committed"):
        record_delivery(line, caseworker)


def test_a_match_line_stays_with_its_family_and_need(database: Any, paid_match: Any, caseworker: Any) -> None:
    [line] = _lines(database)
    record_delivery(line, caseworker)
    fields = _fields(line, CHARGE)
    fields.family = arrived_family(caseworker)
    fields.need = None
    with pytest.raises(SpendError, match="stays with the same family") as refused:
        update_spend_line(line, fields, caseworker)
    assert {problem.field for problem in refused.value.problems} >= {"family"}
    assert line.family == paid_match.need.family


def test_goods_map_to_their_item_and_a_blocked_item_is_never_committed(database: Any, caseworker: Any) -> None:
    stream = family_stream(BUDGET, [Category.FURNITURE])
    sofa = ExpenseCategoryFactory(code="sofa", label="Sofa", category=Category.FURNITURE)
    television = ExpenseCategoryFactory(code="television", label="Television", category=Category.FURNITURE)
    EligibilityFactory(scheme=stream.scheme, expense_category=television, eligibility=Eligibility.BLOCKED)
    family = arrived_family(caseworker)
    offer = GoodsOfferFactory(
        status=OfferStatus.VERIFIED, item_lines=[("sofa", 1), ("television", 1)], cost_pence=9_000
    )
    sofa_line, television_line = offer.items

    match = pick_offer(open_need(family, Category.FURNITURE, item="sofa"), offer, sofa_line, stream, 9_000, caseworker)
    assert match.spend_line.expense_category == sofa

    wanted = open_need(family, Category.FURNITURE, item="television")
    with pytest.raises(MatchError, match="Television cannot be paid for from VPRS funds"):
        pick_offer(wanted, offer, television_line, stream, 9_000, caseworker)
    assert wanted.status.value == "open" and len(_lines(database)) == 1


def test_a_kind_of_service_with_no_expense_category_gets_one_that_needs_approval(
    database: Any, caseworker: Any
) -> None:
    stream = family_stream(BUDGET, [Category.MEAL])
    family = arrived_family(caseworker)
    meal = verified_offer(Category.MEAL, capacity=1, cost_pence=6_000)
    match = pick_offer(open_need(family, Category.MEAL), meal, None, stream, 6_000, caseworker)
    category = match.spend_line.expense_category
    assert (category.code, category.label, category.category) == ("meal", "Welcome meal", Category.MEAL)
    assert eligibility_of(stream.scheme_id, category.id) is Eligibility.NEEDS_APPROVAL
    again = pick_offer(
        open_need(family, Category.MEAL),
        verified_offer(Category.MEAL, cost_pence=6_000),
        None,
        stream,
        6_000,
        caseworker,
    )
    assert again.spend_line.expense_category == category  # made once, then reused
