"""Spend from draft to claim through the services: the approval rules, segregation of duties, budgets in
integer pence (no overspending, committed money counted), bulk decisions and claim batches."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.families.models import Family
from resettle.funding.budgets import family_budgets, figures_for
from resettle.funding.claims import CLAIM_CSV_HEADER, claim_csv_rows, create_claim_batch
from resettle.funding.receipts import add_receipt
from resettle.funding.spend_models import SpendLine, SpendStatus
from resettle.funding.spend_services import (
    SpendError,
    SpendFields,
    approve_spend_line,
    create_spend_line,
    decide_in_bulk,
    reject_spend_line,
    remove_commitment,
    submit_spend_line,
)
from resettle.notifications.models import OutboundEmail
from tests.factories import UserFactory
from tests.funding.conftest import PDF, commit_for_a_match, make_family


@pytest.fixture(autouse=True)
def in_july_2017(time_machine: Any) -> None:
    """Year one of the families' support: only year-one amounts are allocated."""
    time_machine.move_to(datetime(2017, 7, 1, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def caseworker(database: Any) -> Any:
    return UserFactory(role=Role.CASEWORKER)


@pytest.fixture
def reviewer(database: Any) -> Any:
    return UserFactory(role=Role.REVIEWER)


def record(
    config: dict[str, Any],
    family: Family,
    caseworker: Any,
    code: str = "fridge",
    pounds: int = 329,
    stream: str = "vprs-core",
    agreement: str = "",
    submit: bool = True,
) -> SpendLine:
    line = create_spend_line(
        SpendFields(
            family=family,
            stream=config["streams"][stream],
            expense_category=config["categories"][code],
            item_description=f"{code} for the family",
            amount_pence=pounds * 100,
            payee="Catford Electricals",
            spend_date=date(2017, 6, 20),
            agreement_reference=agreement,
        ),
        caseworker,
    )
    add_receipt(line, io.BytesIO(PDF), "receipt.pdf", caseworker)
    if submit:
        submit_spend_line(line, caseworker)
    return line


def test_caseworker_records_and_submits_and_a_reviewer_approves(
    config: dict[str, Any], family: Family, caseworker: Any, reviewer: Any, database: Any
) -> None:
    line = record(config, family, caseworker)
    assert line.status is SpendStatus.SUBMITTED
    core = config["streams"]["vprs-core"]
    assert figures_for(core, family).pending == 32_900
    approve_spend_line(line, reviewer)
    assert line.status is SpendStatus.APPROVED and line.decided_by == reviewer
    figures = figures_for(core, family)
    assert (figures.allocated, figures.spent, figures.pending) == (3 * 852_000, 32_900, 0)
    assert figures.remaining == 3 * 852_000 - 32_900
    actions = database.session.execute(select(AuditEvent.action).where(AuditEvent.object_id == line.public_id))
    assert set(actions.scalars()) >= {"spend_created", "receipt_uploaded", "spend_submitted", "spend_approved"}


def test_a_blocked_item_cannot_be_charged_to_funds(config: dict[str, Any], family: Family, caseworker: Any) -> None:
    with pytest.raises(SpendError) as refused:
        record(config, family, caseworker, code="television")
    assert refused.value.problems[0].field == "expense_category"
    assert "donated one through an offer" in refused.value.problems[0].message


def test_a_needs_approval_item_is_approved_only_with_a_note(
    config: dict[str, Any], family: Family, caseworker: Any, reviewer: Any
) -> None:
    line = record(config, family, caseworker, code="computer", pounds=499)
    with pytest.raises(SpendError) as refused:
        approve_spend_line(line, reviewer, "")
    assert refused.value.problems[0].field == "note"
    assert line.status is SpendStatus.SUBMITTED
    approve_spend_line(line, reviewer, "Needed for the college course")
    assert line.reviewer_note == "Needed for the college course"


def test_exceptional_costs_need_the_agreement_reference(
    config: dict[str, Any], family: Family, caseworker: Any, reviewer: Any
) -> None:
    line = record(config, family, caseworker, code="social_care", pounds=1200, stream="vprs-exceptional", submit=False)
    with pytest.raises(SpendError) as refused:
        submit_spend_line(line, caseworker)
    assert [p.field for p in refused.value.problems] == ["agreement_reference"]
    line.agreement_reference = "HO/EXC/2017/014"
    submit_spend_line(line, caseworker)
    approve_spend_line(line, reviewer)
    pool = figures_for(config["streams"]["vprs-exceptional"], None)
    assert (pool.allocated, pool.spent) == (2_500_000, 120_000)


def test_only_another_reviewer_can_decide(config: dict[str, Any], family: Family, caseworker: Any) -> None:
    line = record(config, family, caseworker)
    with pytest.raises(SpendError, match="Only spend reviewers"):
        approve_spend_line(line, caseworker)
    reviewer_who_entered = UserFactory(role=Role.REVIEWER)
    line.created_by = reviewer_who_entered
    with pytest.raises(SpendError, match="you entered yourself"):
        approve_spend_line(line, reviewer_who_entered)
    assert line.status is SpendStatus.SUBMITTED


def test_approval_never_overspends_a_family_budget(config: dict[str, Any], caseworker: Any, reviewer: Any) -> None:
    single = make_family(births=(date(1990, 1, 1),))  # one person: £8,520 in the core tariff
    first = record(config, single, caseworker, code="bed", pounds=5_000)
    second = record(config, single, caseworker, code="sofa", pounds=3_521)
    approve_spend_line(first, reviewer)
    with pytest.raises(SpendError, match="would overspend") as refused:
        approve_spend_line(second, reviewer)
    assert "£3,520.00 is left" in refused.value.problems[0].message
    assert second.status is SpendStatus.SUBMITTED
    second.amount_pence = 352_000  # exactly what is left
    approve_spend_line(second, reviewer)
    assert figures_for(config["streams"]["vprs-core"], single).remaining == 0


def test_committed_money_counts_against_the_budget(config: dict[str, Any], caseworker: Any, reviewer: Any) -> None:
    single = make_family(births=(date(1990, 1, 1),))
    core = config["streams"]["vprs-core"]
    committed = commit_for_a_match(core, single, 800_000, caseworker, config["categories"]["sofa"])
    line = record(config, single, caseworker, code="bed", pounds=600)
    with pytest.raises(SpendError, match="would overspend"):
        approve_spend_line(line, reviewer)
    remove_commitment(committed, caseworker)
    approve_spend_line(line, reviewer)
    assert figures_for(core, single).committed == 0


def test_rejection_needs_a_reason_and_tells_the_caseworker(
    config: dict[str, Any], family: Family, caseworker: Any, reviewer: Any, database: Any
) -> None:
    line = record(config, family, caseworker)
    with pytest.raises(SpendError):
        reject_spend_line(line, reviewer, " ")
    reject_spend_line(line, reviewer, "Get a second quote")
    assert (line.status, line.rejection_reason) == (SpendStatus.REJECTED, "Get a second quote")
    email = database.session.execute(select(OutboundEmail).where(OutboundEmail.to_address == caseworker.email))
    assert "Get a second quote" in email.scalar_one().body
    submit_spend_line(line, caseworker)  # corrected and sent back
    assert line.status is SpendStatus.SUBMITTED


def test_bulk_approval_checks_each_line(config: dict[str, Any], caseworker: Any, reviewer: Any) -> None:
    single = make_family(births=(date(1990, 1, 1),))
    fine = record(config, single, caseworker, code="bed", pounds=300)
    laptop = record(config, single, caseworker, code="computer", pounds=400)
    too_much = record(config, single, caseworker, code="sofa", pounds=8_400)
    outcome = decide_in_bulk([too_much, laptop, fine], reviewer, approve=True, text="")
    assert outcome.done == [fine]
    refused = {line.reference: problems[0].field for line, problems in outcome.refused}
    assert refused == {laptop.reference: "note", too_much.reference: "note"}
    assert laptop.status is SpendStatus.SUBMITTED and too_much.status is SpendStatus.SUBMITTED


def test_a_claim_batch_takes_approved_lines_once(
    config: dict[str, Any], family: Family, caseworker: Any, reviewer: Any
) -> None:
    first = record(config, family, caseworker)
    second = record(config, family, caseworker, code="cooker", pounds=379)
    waiting = record(config, family, caseworker, code="bed", pounds=200)
    for line in (first, second):
        approve_spend_line(line, reviewer)
    batch = create_claim_batch(config["schemes"]["VPRS"], date(2017, 6, 30), reviewer)
    assert (batch.line_count, batch.total_pence) == (2, 70_800)
    assert {first.status, second.status, waiting.status} == {SpendStatus.CLAIMED, SpendStatus.SUBMITTED}
    rows = list(claim_csv_rows(batch))
    assert len(CLAIM_CSV_HEADER) == len(rows[0]) == 20
    assert dict(zip(CLAIM_CSV_HEADER, rows[0], strict=True))["amount_pence"] == 32_900
    assert dict(zip(CLAIM_CSV_HEADER, rows[0], strict=True))["family_reference"] == family.reference
    with pytest.raises(SpendError, match="no approved VPRS spend"):
        create_claim_batch(config["schemes"]["VPRS"], date(2017, 6, 30), reviewer)


def test_family_budgets_list_own_streams_then_pools(config: dict[str, Any], family: Family) -> None:
    views = family_budgets(family)
    codes = [view.stream.code for view in views]
    assert codes == ["vprs-core", "vprs-education", "vprs-esol-pool", "vprs-exceptional"]
    allocated = {view.stream.code: view.figures.allocated for view in views}
    # Two adults and a child of 9: £8,520 each; £4,500 education for the child; £850 ESOL for each adult.
    assert allocated == {
        "vprs-core": 2_556_000,
        "vprs-education": 450_000,
        "vprs-esol-pool": 170_000,
        "vprs-exceptional": 2_500_000,
    }
