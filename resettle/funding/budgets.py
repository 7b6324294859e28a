"""Budgets per family and stream, and per council pool: allocated (from the dated rules and the household),
committed (the lines of accepted paid matches not yet approved), spent (approved and claimed lines) and what
remains. Committed and spent are both summed from the spend lines, so a match's money moves from one to the
other in the single write that approves its line, and is never counted twice.

Figures are computed set-wise by `load_book`: one query for the households, one grouped sum of spend per
budget, whatever the number of families and streams, so pages and the problem builder cost the same at
borough and at London size. A household whose figures cannot be computed (an arrival date far in the
future stored before dates had bounds) is skipped and listed in `BudgetBook.skipped`, never an error for
every other family.

Overspending is prevented wherever money is set aside or spent: `lock_budget` takes the budget row FOR UPDATE
(PostgreSQL) before the totals are summed, so a second commitment or approval of the same budget waits for the
first to commit and then sees it. SQLite serialises writers itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, case, false, func, null, or_, select
from sqlalchemy.exc import IntegrityError

from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import Family, Member
from resettle.funding.allocation import (
    BudgetFigures,
    Household,
    RuleBasis,
    RuleTerms,
    family_allocation,
    pool_allocation,
)
from resettle.funding.models import FundingStream, StreamScope
from resettle.funding.queries import list_streams
from resettle.funding.spend_models import HOLDING_STATUSES, SPENT_STATUSES, FundingBudget, SpendLine, SpendStatus

# Errors the date arithmetic raises on a stored value out of range (year 10000, a huge number).
ODD_RECORD_ERRORS = (ValueError, OverflowError, ArithmeticError, TypeError)


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


@dataclass(frozen=True)
class SkippedRecord:
    """A record left out of the figures because a stored value cannot be computed with."""

    kind: str  # "family" or "need"
    reference: str
    reason: str


@dataclass
class BudgetBook:
    """Figures for many budgets at once, from a constant number of statements (see `load_book`)."""

    as_at: date
    streams: list[FundingStream]
    households: dict[int, Household | None]  # by family id: the families the book covers
    scheme_of: dict[int, str]  # family id -> scheme code
    reference_of: dict[int, str]
    pool_households: dict[str, list[tuple[int, Household]]]  # scheme code -> arrived households
    # (stream id, family id or None for pools, kind) -> pence; kind is committed / spent / pending
    totals: dict[tuple[int, int | None, str], int]
    skipped: list[SkippedRecord] = field(default_factory=list)
    _skipped_ids: set[int] = field(default_factory=set)
    _terms: dict[int, list[RuleTerms]] = field(default_factory=dict)

    def rules_of(self, stream: FundingStream) -> list[RuleTerms]:
        if stream.id not in self._terms:
            self._terms[stream.id] = stream.rule_terms()
        return self._terms[stream.id]

    def _skip(self, family_id: int, error: Exception) -> None:
        if family_id not in self._skipped_ids:
            self._skipped_ids.add(family_id)
            reference = self.reference_of.get(family_id, str(family_id))
            self.skipped.append(
                SkippedRecord("family", reference, f"budget not computed: {type(error).__name__}: {error}"[:200])
            )

    def is_skipped(self, family_id: int) -> bool:
        return family_id in self._skipped_ids

    def _allocation(self, stream: FundingStream, family_id: int) -> int:
        household = self.households.get(family_id)
        if household is None:
            return 0
        try:
            return family_allocation(self.rules_of(stream), household, self.as_at)
        except ODD_RECORD_ERRORS as error:
            self._skip(family_id, error)
            return 0

    def _pool_allocation(self, stream: FundingStream) -> int:
        rules = self.rules_of(stream)
        total = pool_allocation(rules, [], self.as_at)  # the council's fixed amounts
        per_family = [rule for rule in rules if rule.basis is not RuleBasis.COUNCIL_FIXED]
        for family_id, household in self.pool_households.get(stream.scheme.code, []):
            try:
                total += family_allocation(per_family, household, self.as_at)
            except ODD_RECORD_ERRORS as error:
                self._skip(family_id, error)
        return total

    def _sums(self, stream: FundingStream, holder: int | None) -> tuple[int, int, int]:
        return (
            self.totals.get((stream.id, holder, "committed"), 0),
            self.totals.get((stream.id, holder, "spent"), 0),
            self.totals.get((stream.id, holder, "pending"), 0),
        )

    def family_figures(self, stream: FundingStream, family_id: int) -> BudgetFigures:
        committed, spent, pending = self._sums(stream, family_id)
        return BudgetFigures(self._allocation(stream, family_id), committed, spent, pending)

    def pool_figures(self, stream: FundingStream) -> BudgetFigures:
        committed, spent, pending = self._sums(stream, None)
        return BudgetFigures(self._pool_allocation(stream), committed, spent, pending)

    def figures(self, stream: FundingStream, family_id: int | None) -> BudgetFigures:
        if stream.scope is StreamScope.POOL:
            return self.pool_figures(stream)
        return BudgetFigures(0, 0, 0) if family_id is None else self.family_figures(stream, family_id)

    def streams_of_scheme(self, scheme_code: str) -> list[FundingStream]:
        streams = [s for s in self.streams if s.scheme.code == scheme_code]
        streams.sort(key=lambda s: (s.scope is StreamScope.POOL, s.code))
        return streams

    def family_views(self, family: Family) -> list[BudgetView]:
        """Every stream of the family's scheme open on the day: its own budgets, then the pools it draws on."""
        pools: dict[int, BudgetFigures] = {}
        views = []
        for stream in self.streams_of_scheme(family.scheme.value):
            if stream.scope is StreamScope.POOL:
                pools[stream.id] = pools.get(stream.id) or self.pool_figures(stream)
                views.append(BudgetView(stream, None, pools[stream.id]))
            else:
                views.append(BudgetView(stream, family, self.family_figures(stream, family.id)))
        return views

    def pool_views(self) -> list[BudgetView]:
        return [BudgetView(s, None, self.pool_figures(s)) for s in self.streams if s.scope is StreamScope.POOL]


@dataclass(frozen=True)
class BudgetView:
    stream: FundingStream
    family: Family | None
    figures: BudgetFigures


def _households(
    family_filter: ColumnElement[bool] | None,
) -> tuple[dict[int, Household | None], dict[int, str], dict[int, str]]:
    """Households of the families matched by `family_filter` (all when None): two statements."""
    statement = select(Family.id, Family.reference, Family.scheme, Family.arrival_date)
    if family_filter is not None:
        statement = statement.where(family_filter)
    households: dict[int, Household | None] = {}
    schemes: dict[int, str] = {}
    references: dict[int, str] = {}
    arrivals: dict[int, date | None] = {}
    for family_id, reference, scheme, arrival in db.session.execute(statement):
        arrivals[family_id] = arrival
        schemes[family_id] = scheme.value if hasattr(scheme, "value") else str(scheme)
        references[family_id] = reference
    births: dict[int, list[date]] = defaultdict(list)
    members = select(Member.family_id, Member.date_of_birth, Member.joined_on).join(
        Family, Family.id == Member.family_id
    )
    if family_filter is not None:
        members = members.where(family_filter)
    for family_id, date_of_birth, joined_on in db.session.execute(members.order_by(Member.date_of_birth)):
        arrival = arrivals.get(family_id)
        if arrival is not None and (joined_on is None or joined_on <= arrival):
            births[family_id].append(date_of_birth)
    for family_id, arrival in arrivals.items():
        households[family_id] = (
            None if arrival is None else Household(arrival_date=arrival, dates_of_birth=tuple(births[family_id]))
        )
    return households, schemes, references


def _spend_totals(
    streams: list[FundingStream], family_ids: Iterable[int] | None
) -> dict[tuple[int, int | None, str], int]:
    """One grouped statement: committed, spent and pending pence per family budget, and per pool."""
    family_stream_ids = [s.id for s in streams if s.scope is StreamScope.FAMILY]
    pool_stream_ids = [s.id for s in streams if s.scope is StreamScope.POOL]
    if not family_stream_ids and not pool_stream_ids:
        return {}
    is_pool: ColumnElement[bool] = SpendLine.stream_id.in_(pool_stream_ids) if pool_stream_ids else false()
    holder = case((is_pool, null()), else_=SpendLine.family_id) if pool_stream_ids else SpendLine.family_id
    kind = case(
        (SpendLine.status.in_(SPENT_STATUSES), "spent"),
        (SpendLine.status.in_(HOLDING_STATUSES) & SpendLine.match_id.is_not(None), "committed"),
        else_="other",
    )
    family_scope: ColumnElement[bool] = SpendLine.stream_id.in_(family_stream_ids)
    if family_ids is not None:
        family_scope = family_scope & SpendLine.family_id.in_(list(family_ids))
    statement = (
        select(
            SpendLine.stream_id,
            holder.label("holder"),
            kind.label("kind"),
            func.sum(case((SpendLine.status == SpendStatus.SUBMITTED, SpendLine.amount_pence), else_=0)),
            func.sum(SpendLine.amount_pence),
        )
        .where(or_(family_scope, is_pool) if pool_stream_ids else family_scope)
        .group_by(SpendLine.stream_id, holder, kind)
    )
    totals: dict[tuple[int, int | None, str], int] = defaultdict(int)
    for stream_id, holder_id, kind_name, submitted, amount in db.session.execute(statement):
        if kind_name != "other":
            totals[(stream_id, holder_id, kind_name)] += int(amount or 0)
        totals[(stream_id, holder_id, "pending")] += int(submitted or 0)
    return dict(totals)


def load_book(
    as_at: date | None = None,
    families: Iterable[Family] | None = None,
    streams: list[FundingStream] | None = None,
    family_filter: ColumnElement[bool] | None = None,
) -> BudgetBook:
    """Budget figures for `families` (all families when None, or those `family_filter` selects, such as one
    caseworker's) and every pool, on `as_at`, in a fixed number of statements: the open streams with their
    rules, the households, the pools' households, the spend sums."""
    as_at = as_at or local_today()
    streams = list_streams(open_on=as_at) if streams is None else streams
    family_list = None if families is None else list(families)
    if family_filter is not None:
        households, schemes, references = _households(family_filter)
        family_ids: list[int] | None = list(households)
    elif family_list is None:
        households, schemes, references = _households(None)
        family_ids = None
    else:
        family_ids = [f.id for f in family_list]
        households, schemes, references = _households(Family.id.in_(family_ids)) if family_ids else ({}, {}, {})
    pool_schemes = sorted({s.scheme.code for s in streams if s.scope is StreamScope.POOL})
    pool_households: dict[str, list[tuple[int, Household]]] = defaultdict(list)
    if pool_schemes:
        # A pool counts the families of its scheme who have arrived by the day.
        if family_ids is None:
            pool_source = (households, schemes, references)
        else:
            pool_source = _households(Family.scheme.in_(pool_schemes) & (Family.arrival_date <= as_at))
            references = {**pool_source[2], **references}
        for family_id, household in pool_source[0].items():
            if household is not None and household.arrival_date <= as_at and pool_source[1][family_id] in pool_schemes:
                pool_households[pool_source[1][family_id]].append((family_id, household))
    totals = _spend_totals(streams, family_ids)
    return BudgetBook(
        as_at=as_at,
        streams=streams,
        households=households,
        scheme_of=schemes,
        reference_of=references,
        pool_households=dict(pool_households),
        totals=totals,
    )


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


def allocated_pence(stream: FundingStream, family: Family | None, as_at: date) -> int:
    return figures_for(stream, family, as_at).allocated


def figures_for(
    stream: FundingStream, family: Family | None, as_at: date | None = None, excluding: SpendLine | None = None
) -> BudgetFigures:
    """One budget's figures. `excluding` leaves one line out of committed, spent and pending: the figures as
    they would be without it, to check whether that line (at its new amount or status) still fits."""
    as_at = as_at or local_today()
    families = [family] if family is not None and stream.scope is StreamScope.FAMILY else []
    book = load_book(as_at, families=families, streams=[stream])
    figures = book.figures(stream, family.id if family is not None else None)
    if excluding is None or excluding.id is None or excluding.stream_id != stream.id:
        return figures
    if stream.scope is StreamScope.FAMILY and (family is None or excluding.family_id != family.id):
        return figures
    # The line as stored (not as edited in memory): read its stored amount and status.
    stored = db.session.execute(
        select(SpendLine.amount_pence, SpendLine.status, SpendLine.match_id).where(SpendLine.id == excluding.id)
    ).one_or_none()
    if stored is None:
        return figures
    amount, status, match_id = stored
    committed, spent, pending = figures.committed, figures.spent, figures.pending
    if status in SPENT_STATUSES:
        spent -= amount
    elif status in HOLDING_STATUSES and match_id is not None:
        committed -= amount
    if status is SpendStatus.SUBMITTED:
        pending -= amount
    return BudgetFigures(figures.allocated, committed, spent, pending)


def family_budgets(family: Family, as_at: date | None = None) -> list[BudgetView]:
    """Every stream of the family's scheme open today: its own budgets, then the pools it draws on."""
    return load_book(as_at, families=[family]).family_views(family)


def pool_budgets(as_at: date | None = None) -> list[BudgetView]:
    return load_book(as_at, families=[]).pool_views()
