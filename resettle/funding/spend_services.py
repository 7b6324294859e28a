"""Spend lines from draft to claim. Caseworkers enter and submit; reviewers approve or reject. Every rule
is checked again at approval (rules.py), and approval spends under a lock on the budget (budgets.py), so
neither a stale page nor two reviewers at once can approve what the rules or the budget forbid.

An accepted paid match starts its line earlier, as `committed` (`commit_spend_line`, under the same lock and
the same budget check). Once the goods or service is delivered the caseworker turns it into a draft
(`record_delivery`), adds the receipt, corrects the amount to the invoice and submits it like any other
line. Its money stays committed until the line is approved (then it is spent) or rejected; cancelling the
match removes the committed line (`remove_commitment`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from resettle import bounds
from resettle.audit.services import record
from resettle.auth.models import Role, User
from resettle.clock import local_today
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus
from resettle.families.needs import set_need_status
from resettle.funding.allocation import BudgetFigures
from resettle.funding.budgets import figures_for, lock_budget
from resettle.funding.config_services import create_expense_category
from resettle.funding.models import ExpenseCategory, FundingStream, StreamScope
from resettle.funding.queries import eligibility_of
from resettle.funding.rules import (
    Problem,
    SpendFacts,
    approval_problems,
    charge_problems,
    rejection_problems,
    submission_problems,
)
from resettle.funding.spend_models import SpendLine, SpendStatus
from resettle.notifications.models import NotificationKind
from resettle.notifications.services import notify, site_path
from resettle.taxonomy import ITEM_KINDS, Category
from resettle.webhooks.models import EventKind
from resettle.webhooks.services import record_event
from resettle.words import format_pence

if TYPE_CHECKING:
    from resettle.matching.models import Match


class SpendError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


class CommitmentError(SpendError):
    """The budget has not enough left for the money to be set aside."""


@dataclass
class SpendFields:
    family: Family
    stream: FundingStream
    expense_category: ExpenseCategory
    item_description: str
    amount_pence: int
    payee: str
    spend_date: date
    need: Need | None = None
    agreement_reference: str = ""


@dataclass
class SpendInput:
    """What a person (a form, an API client) names for a spend line, before it is looked up: the family by
    reference, the stream and expense category by id or code, the need by id."""

    family_reference: str
    stream: int | str | None
    expense_category: int | str | None
    item_description: str
    amount_pence: int
    payee: str
    spend_date: date
    need_id: int | None = None
    agreement_reference: str = ""


def _by_id_or_code(model: type[FundingStream] | type[ExpenseCategory], key: int | str | None) -> object | None:
    if key is None or key == "":
        return None
    if isinstance(key, int):
        return db.session.get(model, key)
    return db.session.execute(select(model).where(model.code == key.strip().lower())).scalar_one_or_none()


def spend_fields_from(given: SpendInput) -> SpendFields:
    """Look up what `given` names; SpendError naming each field that names nothing (a need must be the
    family's own: checked with the other rules when the line is saved)."""
    family = db.session.execute(
        select(Family).where(Family.reference == given.family_reference.strip().upper())
    ).scalar_one_or_none()
    stream = _by_id_or_code(FundingStream, given.stream)
    expense_category = _by_id_or_code(ExpenseCategory, given.expense_category)
    need = db.session.get(Need, given.need_id) if given.need_id is not None else None
    problems = []
    if family is None:
        problems.append(Problem("family", "Select the family"))
    if not isinstance(expense_category, ExpenseCategory):
        problems.append(Problem("expense_category", "Select what was bought"))
    if not isinstance(stream, FundingStream):
        problems.append(Problem("stream", "Select a funding stream"))
    if given.need_id is not None and need is None:
        problems.append(Problem("need", "Select a need of this family"))
    if (
        problems
        or family is None
        or not isinstance(stream, FundingStream)
        or not isinstance(expense_category, ExpenseCategory)
    ):
        raise SpendError(problems)
    return SpendFields(
        family=family,
        need=need,
        stream=stream,
        expense_category=expense_category,
        item_description=given.item_description,
        amount_pence=given.amount_pence,
        payee=given.payee,
        spend_date=given.spend_date,
        agreement_reference=given.agreement_reference,
    )


def facts_for(
    family: Family,
    stream: FundingStream,
    expense_category: ExpenseCategory,
    spend_date: date,
    agreement_reference: str,
    receipt_count: int,
) -> SpendFacts:
    return SpendFacts(
        item_label=expense_category.label,
        scheme_code=stream.scheme.code,
        stream_name=stream.name,
        eligibility=eligibility_of(stream.scheme_id, expense_category.id),
        family_scheme_code=family.scheme.value if family.scheme else None,
        stream_pays_for_category=expense_category.category in stream.categories,
        stream_open_on=stream.is_open_on(spend_date),
        spend_date=spend_date,
        requires_prior_agreement=stream.requires_prior_agreement,
        agreement_reference=agreement_reference,
        receipt_count=receipt_count,
    )


def line_facts(line: SpendLine) -> SpendFacts:
    return facts_for(
        line.family, line.stream, line.expense_category, line.spend_date, line.agreement_reference, len(line.receipts)
    )


def _check_fields(fields: SpendFields) -> None:
    # Bounds first: the eligibility rules below work with the date and amount, so they must be sane.
    date_problem = bounds.CASE_PAST.problem("Date of purchase", fields.spend_date, local_today())
    if date_problem:
        raise SpendError([Problem("spend_date", date_problem)])
    amount = fields.amount_pence
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise SpendError([Problem("amount", "Amount must be more than £0")])
    if amount > bounds.MAX_PENCE:
        raise SpendError([Problem("amount", f"Amount must be {bounds.pounds(bounds.MAX_PENCE)} or less")])
    problems = charge_problems(
        facts_for(
            fields.family, fields.stream, fields.expense_category, fields.spend_date, fields.agreement_reference, 0
        )
    )
    if fields.need is not None and fields.need.family_id != fields.family.id:
        problems.append(Problem("need", "Select a need of this family"))
    if problems:
        raise SpendError(problems)


def _budget_holder(stream: FundingStream, family: Family) -> Family | None:
    return family if stream.scope is StreamScope.FAMILY else None


def _locked_figures(stream: FundingStream, family: Family, excluding: SpendLine | None = None) -> BudgetFigures:
    """Lock the budget row, then read the figures: a commitment or approval of the same budget waits here."""
    lock_budget(stream, _budget_holder(stream, family))
    return figures_for(stream, family, excluding=excluding)


def _hold(
    stream: FundingStream, family: Family, amount_pence: int, excluding: SpendLine | None, field_name: str
) -> None:
    """Set `amount_pence` aside (a match's line, new or corrected) only if the budget still has it."""
    figures = _locked_figures(stream, family, excluding)
    if not figures.can_afford(amount_pence):
        raise CommitmentError(
            [
                Problem(
                    field_name,
                    f"{stream.name} has {format_pence(max(figures.remaining, 0))} "
                    f"left, not the {format_pence(amount_pence)} this needs",
                    about_state=True,
                )
            ]
        )


# The expense category a paid service offer is charged to, where the seeded categories name one; any other
# kind of service is charged to a category with the kind's own code (created when first needed).
SERVICE_EXPENSE_CODES = {Category.ESOL: "esol_course", Category.CHILDCARE: "childcare_place"}


def expense_category_for(category: Category, item_kind: str | None) -> ExpenseCategory:
    """What a matched offer's money is spent on: goods use their item code; a service the kind's own code or
    its entry in SERVICE_EXPENSE_CODES. A code with no expense category yet gets one, with no eligibility
    recorded, so it needs a reviewer's approval (the cautious default) until the finance lead decides."""
    codes = [item_kind] if item_kind is not None else [category.value, SERVICE_EXPENSE_CODES.get(category)]
    for code in codes:
        if code:
            found = db.session.execute(select(ExpenseCategory).where(ExpenseCategory.code == code)).scalar_one_or_none()
            if found is not None:
                return found
    code = item_kind or category.value
    label = ITEM_KINDS[item_kind].label if item_kind is not None else category.label
    try:
        with db.session.begin_nested():  # another acceptance may create it at the same moment
            return create_expense_category(code, label, category)
    except IntegrityError:
        return db.session.execute(select(ExpenseCategory).where(ExpenseCategory.code == code)).scalar_one()


def commit_spend_line(fields: SpendFields, match: Match, actor: User) -> SpendLine:
    """An accepted paid match's money set aside: a committed line, written under the budget row's lock after
    the same rules (a blocked item is refused) and the same budget check as approval."""
    _check_fields(fields)
    _hold(fields.stream, fields.family, fields.amount_pence, None, "stream")
    line = SpendLine(
        family=fields.family,
        need=fields.need,
        stream=fields.stream,
        expense_category=fields.expense_category,
        item_description=fields.item_description,
        amount_pence=fields.amount_pence,
        payee=fields.payee,
        spend_date=fields.spend_date,
        created_by=actor,
        status=SpendStatus.COMMITTED,
        match=match,
    )
    db.session.add(line)
    db.session.flush()
    record(
        "spend_committed",
        "spend_line",
        line.public_id,
        f"{line.reference} {fields.expense_category.code} {format_pence(fields.amount_pence)} committed from "
        f"{fields.stream.code} for family {fields.family.reference}",
        actor=actor,
    )
    return line


def _lock_line(line: SpendLine) -> bool:
    """Lock the line's row and read it again; False when it is gone (its match was cancelled meanwhile)."""
    statement = (
        select(SpendLine).where(SpendLine.id == line.id).with_for_update().execution_options(populate_existing=True)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None


def record_delivery(line: SpendLine, actor: User) -> SpendLine:
    """Delivered: the committed line becomes a draft to complete with the receipt and the invoiced amount.
    Its money stays committed until the line is approved. The line's row is locked first, so cancelling the
    match at the same moment either sees a draft (and stops) or has removed the line (and this stops)."""
    if not _lock_line(line):
        raise SpendError(
            [
                Problem(
                    "submit_for_review", "This spend is no longer committed: its match was cancelled", about_state=True
                )
            ]
        )
    if not line.is_committed:
        raise SpendError(
            [
                Problem(
                    "submit_for_review",
                    f"{line.reference} is {line.status.label.lower()}, not committed",
                    about_state=True,
                )
            ]
        )
    line.status = SpendStatus.DRAFT
    db.session.flush()
    record(
        "spend_delivered", "spend_line", line.public_id, f"{line.reference} delivered: a draft to claim", actor=actor
    )
    return line


def remove_commitment(line: SpendLine, actor: User) -> None:
    """The match is cancelled: its committed line goes, and the budget has the money back. Once delivery is
    recorded the line is real spend and stays."""
    lock_budget(line.stream, _budget_holder(line.stream, line.family))
    _lock_line(line)
    if not line.is_committed:
        raise SpendError(
            [
                Problem(
                    "reason",
                    f"Spend {line.reference} for this match is "
                    f"{line.status.label.lower()}, so the match can no longer be cancelled",
                )
            ]
        )
    record(
        "spend_commitment_removed",
        "spend_line",
        line.public_id,
        f"{line.reference} {format_pence(line.amount_pence)} no longer committed from {line.stream.code}",
        actor=actor,
    )
    match = line.match
    db.session.delete(line)
    db.session.flush()
    if match is not None:
        db.session.expire(match, ["spend_line"])


def create_spend_line(fields: SpendFields, actor: User) -> SpendLine:
    """A draft line. Blocked items are refused at once: they can never be charged to funds."""
    _check_fields(fields)
    line = SpendLine(
        family=fields.family,
        need=fields.need,
        stream=fields.stream,
        expense_category=fields.expense_category,
        item_description=fields.item_description,
        amount_pence=fields.amount_pence,
        payee=fields.payee,
        spend_date=fields.spend_date,
        agreement_reference=fields.agreement_reference,
        created_by=actor,
        status=SpendStatus.DRAFT,
    )
    db.session.add(line)
    db.session.flush()
    record(
        "spend_created",
        "spend_line",
        line.public_id,
        f"{line.reference} {fields.expense_category.code} {format_pence(fields.amount_pence)} "
        f"to {fields.stream.code} for family {fields.family.reference}",
        actor=actor,
    )
    return line


def update_spend_line(line: SpendLine, fields: SpendFields, actor: User) -> SpendLine:
    """Drafts and rejected lines can be corrected; a corrected rejected line goes back to draft."""
    if not line.is_editable:
        raise SpendError(
            [
                Problem(
                    "item_description",
                    f"{line.reference} is {line.status.label.lower()} and can no longer be changed",
                    about_state=True,
                )
            ]
        )
    _check_fields(fields)
    if line.match_id is not None:
        _check_match_line(line, fields)
    line.family, line.need, line.stream = fields.family, fields.need, fields.stream
    line.expense_category, line.item_description = fields.expense_category, fields.item_description
    line.amount_pence, line.payee, line.spend_date = fields.amount_pence, fields.payee, fields.spend_date
    line.agreement_reference = fields.agreement_reference
    line.status = SpendStatus.DRAFT
    db.session.flush()
    record("spend_updated", "spend_line", line.public_id, f"{line.reference} corrected", actor=actor)
    return line


def _check_match_line(line: SpendLine, fields: SpendFields) -> None:
    """A match's line stays with its family and need, and its money, held as committed until approval, must
    still fit the budget at the corrected amount."""
    problems = []
    if fields.family.id != line.family_id:
        problems.append(Problem("family", "This spend is for a match: it stays with the same family"))
    if (fields.need.id if fields.need else None) != line.need_id:
        problems.append(Problem("need", "This spend is for a match: it stays with the same need"))
    if problems:
        raise SpendError(problems)
    _hold(fields.stream, fields.family, fields.amount_pence, line, "amount")


def submit_spend_line(line: SpendLine, actor: User) -> SpendLine:
    if line.is_committed:
        raise SpendError(
            [Problem("submit", f"Record that {line.reference} was delivered before submitting it", about_state=True)]
        )
    if not line.is_editable:
        raise SpendError(
            [Problem("submit", f"{line.reference} is already {line.status.label.lower()}", about_state=True)]
        )
    problems = submission_problems(line_facts(line))
    if problems:
        raise SpendError(problems)
    if line.match_id is not None and line.status is SpendStatus.REJECTED:
        _hold(line.stream, line.family, line.amount_pence, line, "submit")  # rejection freed its money
    line.status = SpendStatus.SUBMITTED
    line.submitted_at = utcnow()
    line.rejection_reason = ""
    db.session.flush()
    record("spend_submitted", "spend_line", line.public_id, f"{line.reference} submitted for review", actor=actor)
    return line


def _check_reviewer(line: SpendLine, reviewer: User) -> None:
    if reviewer.role is not Role.REVIEWER:
        raise SpendError([Problem("note", "Only spend reviewers can decide on spend")])
    if line.created_by_id == reviewer.id:
        raise SpendError([Problem("note", "You cannot decide on spend you entered yourself")])


def approve_spend_line(line: SpendLine, reviewer: User, note: str = "") -> SpendLine:
    """Approve and spend. The budget row is locked before the line's status and the budget are read again,
    so a concurrent approval (of this line or another on the same budget) is seen, never overlooked."""
    _check_reviewer(line, reviewer)
    lock_budget(line.stream, _budget_holder(line.stream, line.family))
    db.session.refresh(line)
    if line.status is not SpendStatus.SUBMITTED:
        raise SpendError(
            [
                Problem(
                    "note", f"{line.reference} is {line.status.label.lower()}, not waiting for review", about_state=True
                )
            ]
        )
    problems = approval_problems(line_facts(line), note)
    if problems:
        raise SpendError(problems)
    # Without the line itself: a match's line is counted as committed until this moment.
    figures = figures_for(line.stream, line.family, excluding=line)
    if not figures.can_afford(line.amount_pence):
        raise SpendError(
            [
                Problem(
                    "note",
                    f"Approving {line.reference} would overspend {line.stream.name}: "
                    f"{format_pence(max(figures.remaining, 0))} is left and it costs "
                    f"{format_pence(line.amount_pence)}",
                    about_state=True,
                )
            ]
        )
    line.status = SpendStatus.APPROVED
    line.reviewer_note = note.strip()
    line.decided_by = reviewer
    line.decided_at = utcnow()
    db.session.flush()
    record(
        "spend_approved",
        "spend_line",
        line.public_id,
        f"{line.reference} {format_pence(line.amount_pence)} approved from {line.stream.code}"
        + (f"; note: {line.reviewer_note}" if line.reviewer_note else ""),
        actor=reviewer,
    )
    record_event(EventKind.SPEND_APPROVED, line.public_id)
    return line


OPEN_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.MATCHED)


def need_to_meet(line: SpendLine) -> Need | None:
    """The need an approval should ask about: the line's need, while it is still open or matched."""
    need = line.need
    return need if need is not None and need.status in OPEN_NEED_STATUSES else None


def spend_covers_need(line: SpendLine) -> bool:
    """Whether the spend bought what the need asks for: the need's item for goods, its kind for services."""
    need = need_to_meet(line)
    if need is None:
        return False
    code = line.expense_category.code
    if need.item:
        return code == need.item
    return line.expense_category.category == need.category and code in (
        need.category.value,
        SERVICE_EXPENSE_CODES.get(need.category),
    )


def meet_need_by_spend(line: SpendLine, actor: User) -> Need | None:
    """After approval: the line's need is met (matching and /needed stop asking for it)."""
    need = need_to_meet(line)
    if need is None or line.status not in (SpendStatus.APPROVED, SpendStatus.CLAIMED):
        return None
    set_need_status(need, NeedStatus.MET)
    db.session.flush()
    record(
        "need_met_by_spend",
        "family",
        line.family.reference,
        f"Need {need.id} met by spend {line.reference}",
        actor=actor,
    )
    return need


def approve_and_meet_need(
    line: SpendLine, reviewer: User, note: str = "", need_met: bool | None = None
) -> tuple[SpendLine, Need | None]:
    """A reviewer's approval as the page and the API make it: when the line is for a need still open, the
    reviewer must say whether the spend met it (`need_met`), and a yes marks the need met."""
    need = need_to_meet(line)
    if need is not None and need_met is None:
        raise SpendError([Problem("need_met", f"Select whether the need ({need.title}) is now met")])
    approve_spend_line(line, reviewer, note)
    met = meet_need_by_spend(line, reviewer) if need_met else None
    return line, met


def reject_spend_line(line: SpendLine, reviewer: User, reason: str) -> SpendLine:
    _check_reviewer(line, reviewer)
    if line.status is not SpendStatus.SUBMITTED:
        raise SpendError(
            [
                Problem(
                    "reason",
                    f"{line.reference} is {line.status.label.lower()}, not waiting for review",
                    about_state=True,
                )
            ]
        )
    problems = rejection_problems(reason)
    if problems:
        raise SpendError(problems)
    line.status = SpendStatus.REJECTED
    line.rejection_reason = reason.strip()
    line.decided_by = reviewer
    line.decided_at = utcnow()
    db.session.flush()
    record(
        "spend_rejected",
        "spend_line",
        line.public_id,
        f"{line.reference} rejected (reason on the spend line)",
        actor=reviewer,
    )
    notify(
        line.created_by,
        NotificationKind.SPEND_REJECTED,
        f"Spend {line.reference} ({line.item_description}, {format_pence(line.amount_pence)}) was not approved: "
        f"{line.rejection_reason}",
        site_path("funding.show_spend_line", public_id=line.public_id),
        email=(
            f"Spend {line.reference} was not approved",
            f"Spend {line.reference} ({line.item_description}, {format_pence(line.amount_pence)}) for family "
            f"{line.family.reference} was not approved.\n\nReason: {line.rejection_reason}\n\n"
            "You can correct it and submit it again in Resettle.",
        ),
    )
    return line


@dataclass
class BulkOutcome:
    done: list[SpendLine] = field(default_factory=list)
    refused: list[tuple[SpendLine, list[Problem]]] = field(default_factory=list)


def decide_in_bulk(lines: Iterable[SpendLine], reviewer: User, approve: bool, text: str) -> BulkOutcome:
    """Each line is checked as if decided alone; one refusal does not stop the others. Lines are taken in
    budget order so that two bulk approvals lock budgets in the same order and cannot deadlock."""
    outcome = BulkOutcome()
    for line in sorted(lines, key=lambda each: (each.stream_id, each.family_id, each.id)):
        try:
            if approve:
                approve_spend_line(line, reviewer, text)
            else:
                reject_spend_line(line, reviewer, text)
        except SpendError as error:
            outcome.refused.append((line, error.problems))
        else:
            outcome.done.append(line)
    return outcome


def get_lines_by_public_ids(public_ids: list[str]) -> list[SpendLine]:
    if not public_ids:
        return []
    return list(db.session.execute(select(SpendLine).where(SpendLine.public_id.in_(public_ids))).scalars())
