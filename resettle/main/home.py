"""What needs doing, by role, for the signed-in home page.

Each role's figures come from one statement of grouped counts (scalar subqueries), so the page costs the
same however many families, tasks or offers there are. Every figure links to the list it counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import func, or_, select

from resettle.auth.models import ApprovalStatus, Role, RoleApproval, User
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus, Need, NeedStatus, Task, TaskStatus
from resettle.funding.allocation import BudgetLevel
from resettle.funding.budgets import BudgetBook, families_with_use, load_book
from resettle.funding.family_summary import used_text
from resettle.funding.models import StreamScope
from resettle.funding.review_queries import budget_use
from resettle.funding.spend_models import SpendLine, SpendStatus
from resettle.matching.models import Match, MatchRun, MatchStatus, Proposal, ProposalStatus, RunStatus
from resettle.matching.queries import GONE_OFFER_STATUSES
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Offer, OfferStatus

DUE_SOON_DAYS = 7
ARRIVALS_DAYS = 14
FAILED_RUN_DAYS = 7


@dataclass(frozen=True)
class WorkItem:
    """One line of the home page: how many, what, and where to see them."""

    count: int
    one: str  # "overdue task"
    many: str  # "overdue tasks"
    href: str
    urgent: bool = False

    @property
    def text(self) -> str:
        return f"{self.count} {self.one if self.count == 1 else self.many}"


def _count(*where: Any, model: Any) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def _not_snoozed(today: date) -> Any:
    return or_(Task.snoozed_until.is_(None), Task.snoozed_until <= today)


def caseworker_work(user: User, today: date) -> list[WorkItem]:
    mine = Task.status == TaskStatus.OPEN, Task.assignee_id == user.id, _not_snoozed(today)
    my_family = select(Family.id).where(Family.caseworker_id == user.id)
    # As the Matching page counts them: undecided proposals of the newest run that did not fail.
    latest_run = (
        select(MatchRun.id)
        .where(MatchRun.status != RunStatus.FAILED)
        .order_by(MatchRun.started_at.desc(), MatchRun.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    proposals = (
        select(func.count())
        .select_from(Proposal)
        .join(Need, Need.id == Proposal.need_id)
        .where(
            Proposal.run_id == latest_run,
            Proposal.status == ProposalStatus.PROPOSED,
            Need.status == NeedStatus.OPEN,
            Need.family_id.in_(my_family),
        )
        .scalar_subquery()
    )
    withdrawn = (
        select(func.count())
        .select_from(Match)
        .join(Offer, Offer.id == Match.offer_id)
        .join(Need, Need.id == Match.need_id)
        .where(
            Match.status == MatchStatus.ACCEPTED, Offer.status.in_(GONE_OFFER_STATUSES), Need.family_id.in_(my_family)
        )
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            _count(*mine, Task.due_on < today, model=Task),
            _count(*mine, Task.due_on >= today, Task.due_on <= today + timedelta(days=DUE_SOON_DAYS), model=Task),
            proposals,
            _count(Offer.status == OfferStatus.SUBMITTED, model=Offer),
            _count(
                Family.caseworker_id == user.id,
                Family.status.in_([FamilyStatus.REFERRED, FamilyStatus.ARRIVING]),
                Family.arrival_date >= today,
                Family.arrival_date <= today + timedelta(days=ARRIVALS_DAYS),
                model=Family,
            ),
            _count(SpendLine.created_by_id == user.id, SpendLine.status == SpendStatus.REJECTED, model=SpendLine),
            _count(SpendLine.created_by_id == user.id, SpendLine.status == SpendStatus.SUBMITTED, model=SpendLine),
            withdrawn,
        )
    ).one()
    overdue, due_soon, waiting, to_verify, arrivals, rejected, submitted, gone = row
    return [
        WorkItem(overdue, "overdue task", "overdue tasks", url_for("tasks.my_tasks", window="overdue"), urgent=True),
        WorkItem(
            due_soon,
            "task due in the next 7 days",
            "tasks due in the next 7 days",
            url_for("tasks.my_tasks", window="this_week"),
        ),
        WorkItem(
            waiting,
            "proposal waiting for your decision",
            "proposals waiting for your decision",
            url_for("matching.caseload_proposals"),
        ),
        WorkItem(to_verify, "offer to verify", "offers to verify", url_for("offers.review_queue", status="submitted")),
        WorkItem(
            arrivals,
            "family arriving in the next 14 days",
            "families arriving in the next 14 days",
            url_for("families.list_families", status=FamilyStatus.ARRIVING.value, caseworker=str(user.id)),
        ),
        WorkItem(
            rejected,
            "spend line rejected",
            "spend lines rejected",
            url_for("funding.list_spend", status="rejected"),
            urgent=True,
        ),
        WorkItem(
            submitted,
            "spend line waiting for review",
            "spend lines waiting for review",
            url_for("funding.list_spend", status="submitted"),
        ),
        WorkItem(
            gone,
            "match whose offer was withdrawn",
            "matches whose offer was withdrawn",
            url_for("matching.caseload_proposals") + "#withdrawn",
            urgent=True,
        ),
    ]


@dataclass(frozen=True)
class NextClaim:
    lines: int
    total_pence: int
    oldest: date | None


def reviewer_work() -> tuple[list[WorkItem], NextClaim]:
    queue, lines, total, oldest = db.session.execute(
        select(
            _count(SpendLine.status == SpendStatus.SUBMITTED, model=SpendLine),
            _count(SpendLine.status == SpendStatus.APPROVED, SpendLine.claim_batch_id.is_(None), model=SpendLine),
            select(func.coalesce(func.sum(SpendLine.amount_pence), 0))
            .where(SpendLine.status == SpendStatus.APPROVED, SpendLine.claim_batch_id.is_(None))
            .scalar_subquery(),
            select(func.min(SpendLine.spend_date))
            .where(SpendLine.status == SpendStatus.APPROVED, SpendLine.claim_batch_id.is_(None))
            .scalar_subquery(),
        )
    ).one()
    items = [
        WorkItem(queue, "spend line to review", "spend lines to review", url_for("funding.review_queue")),
    ]
    return items, NextClaim(lines, int(total), oldest)


def admin_work() -> tuple[list[WorkItem], dict[str, int], MatchRun | None]:
    now = utcnow()
    invited, awaiting_approval, failed_email, failed_runs = db.session.execute(
        select(
            _count(User.is_active_account.is_(True), User.password_hash.is_(None), model=User),
            _count(RoleApproval.status == ApprovalStatus.PENDING, model=RoleApproval),
            _count(OutboundEmail.status == "failed", model=OutboundEmail),
            _count(
                MatchRun.status == RunStatus.FAILED,
                MatchRun.started_at >= now - timedelta(days=FAILED_RUN_DAYS),
                model=MatchRun,
            ),
        )
    ).one()
    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).tuples().all())
    last_run = db.session.execute(select(MatchRun).order_by(MatchRun.started_at.desc()).limit(1)).scalar()
    items = [
        WorkItem(invited, "invitation not yet accepted", "invitations not yet accepted", url_for("users.list_users")),
        WorkItem(
            awaiting_approval,
            "role change waiting for a second administrator",
            "role changes waiting for a second administrator",
            url_for("users.approvals"),
            urgent=True,
        ),
        WorkItem(
            failed_email, "email that could not be sent", "emails that could not be sent", url_for("audit.audit_log")
        ),
        WorkItem(
            failed_runs,
            "matching run failed this week",
            "matching runs failed this week",
            url_for("matching.run_history"),
            urgent=True,
        ),
    ]
    accounts = {role.label: by_role.get(role, 0) for role in Role}
    return items, accounts, last_run


@dataclass(frozen=True)
class BudgetAlert:
    """A budget 80% or more used: whose, which stream, how much, and where to see it."""

    label: str
    used_text: str
    href: str
    full: bool


@dataclass(frozen=True)
class BudgetAlerts:
    nearly: list[BudgetAlert]  # 80% to 99% used
    spent: list[BudgetAlert]  # 100% or more

    @property
    def count(self) -> int:
        return len(self.nearly) + len(self.spent)


def _alerts(alerts: list[BudgetAlert]) -> BudgetAlerts:
    return BudgetAlerts(nearly=[a for a in alerts if not a.full], spent=[a for a in alerts if a.full])


def _pool_alerts(book: BudgetBook, schemes: set[str] | None) -> list[BudgetAlert]:
    alerts = []
    for stream in book.streams:
        if stream.scope is not StreamScope.POOL or (schemes is not None and stream.scheme.code not in schemes):
            continue
        figures = book.pool_figures(stream)
        if figures.level is not BudgetLevel.OK and (figures.allocated or figures.used):
            alerts.append(
                BudgetAlert(
                    f"{stream.scheme.code} council pool: {stream.name}",
                    used_text(figures),
                    url_for("funding.list_budgets"),
                    figures.level is BudgetLevel.FULL,
                )
            )
    return alerts


def caseworker_budget_alerts(user: User, today: date) -> BudgetAlerts:
    """The caseworker's families' own budgets, and the pools of their schemes, that are 80% or more used: one
    budget book for those families (a fixed number of statements, whatever the caseload)."""
    mine = Family.caseworker_id == user.id
    # A budget with nothing committed or spent is never 80% used: the book covers the families with some.
    with_use = mine & Family.id.in_(families_with_use())
    book = load_book(today, family_filter=with_use)
    names = dict(db.session.execute(select(Family.id, Family.name).where(with_use)).tuples().all())
    schemes = {
        _scheme_code(scheme) for scheme in db.session.execute(select(Family.scheme).where(mine).distinct()).scalars()
    }
    alerts = []
    for family_id, scheme in sorted(book.scheme_of.items(), key=lambda item: names.get(item[0], "")):
        for stream in book.streams_of_scheme(scheme):
            if stream.scope is not StreamScope.FAMILY:
                continue
            figures = book.family_figures(stream, family_id)
            if figures.level is not BudgetLevel.OK and (figures.allocated or figures.used):
                reference = book.reference_of[family_id]
                alerts.append(
                    BudgetAlert(
                        f"{names.get(family_id, reference)} ({reference}): {stream.name}",
                        used_text(figures),
                        url_for("funding.show_family_budgets", reference=reference),
                        figures.level is BudgetLevel.FULL,
                    )
                )
    return _alerts(alerts + _pool_alerts(book, schemes))


def _scheme_code(scheme: object) -> str:
    return str(getattr(scheme, "value", scheme))


def reviewer_budget_alerts(today: date) -> BudgetAlerts:
    """Each open stream's budgets taken together (as the dashboard shows them), at 80% and at 100%: one
    budget book for every family."""
    book = load_book(today, families=[], whole_streams=True)
    alerts = [
        BudgetAlert(row.label, row.detail, url_for("funding.show_dashboard"), row.css_modifier == "over")
        for row in budget_use(today, book)
        if row.css_modifier in ("warning", "over")
    ]
    return _alerts(alerts)
