"""Budgets per family and stream, and per council pool: allocated (from the dated rules and the household),
committed (the lines of accepted paid matches not yet approved), spent (approved and claimed lines) and what
remains. Committed and spent are both summed from the spend lines, so a match's money moves from one to the
other in the single write that approves its line, and is never counted twice.

Overspending is prevented wherever money is set aside or spent: `lock_budget` takes the budget row FOR UPDATE
(PostgreSQL) before the totals are summed, so a second commitment or approval of the same budget waits for the
first to commit and then sees it. SQLite serialises writers itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.models import Family
from resettle.funding.allocation import BudgetFigures, Household, family_allocation, pool_allocation
from resettle.funding.models import FundingStream, StreamScope
from resettle.funding.queries import list_streams
from resettle.funding.spend_models import HOLDING_STATUSES, SPENT_STATUSES, FundingBudget, SpendLine, SpendStatus

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    return utcnow().astimezone(LONDON).date()


def household_of(family: Family) -> Household | None:
    """Beneficiaries are the members who arrive with the family; someone who joins later (or a baby born
    after arrival) brings no arrival funding. No arrival date yet: nothing can be allocated."""
    if family.arrival_date is None:
        return None
    births = tuple(
        member.date_of_birth
        for member in family.members
        if member.joined_on is None or member.joined_on <= family.arrival_date
    )
    return Household(arrival_date=family.arrival_date, dates_of_birth=births)


def families_of_scheme(scheme_code: str) -> list[Family]:
    return list(db.session.execute(select(Family).where(Family.scheme == scheme_code).order_by(Family.id)).scalars())


def allocated_pence(stream: FundingStream, family: Family | None, as_at: date) -> int:
    rules = stream.rule_terms()
    if stream.scope is StreamScope.FAMILY:
        household = household_of(family) if family is not None else None
        return 0 if household is None else family_allocation(rules, household, as_at)
    # A pool counts the families of its scheme who have arrived by the day.
    households = [
        h
        for h in (household_of(f) for f in families_of_scheme(stream.scheme.code))
        if h is not None and h.arrival_date <= as_at
    ]
    return pool_allocation(rules, households, as_at)


def _line_total(
    stream: FundingStream,
    family: Family | None,
    statuses: tuple[SpendStatus, ...],
    matches_only: bool = False,
    excluding: SpendLine | None = None,
) -> int:
    statement = select(func.coalesce(func.sum(SpendLine.amount_pence), 0)).where(
        SpendLine.stream_id == stream.id, SpendLine.status.in_(statuses)
    )
    if stream.scope is StreamScope.FAMILY and family is not None:
        statement = statement.where(SpendLine.family_id == family.id)
    if matches_only:
        statement = statement.where(SpendLine.match_id.is_not(None))
    if excluding is not None and excluding.id is not None:
        statement = statement.where(SpendLine.id != excluding.id)
    return int(db.session.execute(statement).scalar_one())


def _budget_row(stream: FundingStream, family: Family | None, lock: bool = False) -> FundingBudget | None:
    statement = select(FundingBudget).where(FundingBudget.stream_id == stream.id)
    if stream.scope is StreamScope.FAMILY:
        statement = statement.where(FundingBudget.family_id == (family.id if family else None))
    else:
        statement = statement.where(FundingBudget.family_id.is_(None))
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(statement).scalar_one_or_none()


def ensure_budget_row(stream: FundingStream, family: Family | None) -> FundingBudget:
    """Create the row if missing. Another request may create it at the same moment: the unique index
    refuses the second, which then reads the first."""
    row = _budget_row(stream, family)
    if row is not None:
        return row
    holder = family if stream.scope is StreamScope.FAMILY else None
    try:
        with db.session.begin_nested():
            row = FundingBudget(stream=stream, family=holder)
            db.session.add(row)
    except IntegrityError:
        row = _budget_row(stream, family)
        if row is None:  # another transaction's insert won the race, so its row must be there
            raise RuntimeError("budget row vanished after a concurrent insert") from None
    return row


def lock_budget(stream: FundingStream, family: Family | None) -> FundingBudget:
    ensure_budget_row(stream, family)
    row = _budget_row(stream, family, lock=True)
    if row is None:  # ensure_budget_row has just made sure it exists
        raise RuntimeError("budget row missing after ensure_budget_row")
    return row


def figures_for(
    stream: FundingStream, family: Family | None, as_at: date | None = None, excluding: SpendLine | None = None
) -> BudgetFigures:
    """The budget's figures. `excluding` leaves one line out of committed, spent and pending: the figures as
    they would be without it, to check whether that line (at its new amount or status) still fits."""
    as_at = as_at or today()
    return BudgetFigures(
        allocated=allocated_pence(stream, family, as_at),
        committed=_line_total(stream, family, HOLDING_STATUSES, matches_only=True, excluding=excluding),
        spent=_line_total(stream, family, SPENT_STATUSES, excluding=excluding),
        pending=_line_total(stream, family, (SpendStatus.SUBMITTED,), excluding=excluding),
    )


@dataclass(frozen=True)
class BudgetView:
    stream: FundingStream
    family: Family | None
    figures: BudgetFigures


def family_budgets(family: Family, as_at: date | None = None) -> list[BudgetView]:
    """Every stream of the family's scheme open today: its own budgets, then the pools it draws on."""
    as_at = as_at or today()
    streams = [s for s in list_streams(open_on=as_at) if s.scheme.code == family.scheme.value]
    streams.sort(key=lambda s: (s.scope is StreamScope.POOL, s.code))
    return [
        BudgetView(s, family if s.scope is StreamScope.FAMILY else None, figures_for(s, family, as_at)) for s in streams
    ]


def pool_budgets(as_at: date | None = None) -> list[BudgetView]:
    as_at = as_at or today()
    return [
        BudgetView(s, None, figures_for(s, None, as_at))
        for s in list_streams(open_on=as_at)
        if s.scope is StreamScope.POOL
    ]
