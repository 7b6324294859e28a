"""Budgets per family and stream, and per council pool: allocated (from the dated rules and the household),
committed (the lines of accepted paid matches not yet approved), spent (approved and claimed lines) and what
remains. Committed and spent are both summed from the spend lines, so a match's money moves from one to the
other in the single write that approves its line, and is never counted twice.

Figures are computed set-wise by `load_book`: one query for the households, one grouped sum of spend per
budget, whatever the number of families and streams, so pages and the problem builder cost the same at
borough and at London size. A pool (and a stream's total over all its families, on the dashboard) is
computed from the scheme's households grouped in the database by arrival day and by each beneficiary's age
at arrival (`Arrivals`): the arithmetic then runs once per arrival day, not once per family, and agrees with
summing `family_allocation` (tests/funding/test_allocation.py and test_grouped_budgets.py). A household
whose figures cannot be computed (an arrival date far in the future stored before dates had bounds) is
skipped and listed in `BudgetBook.skipped`, never an error for every other family.

Overspending is prevented wherever money is set aside or spent: `lock_budget` takes the budget row FOR UPDATE
(PostgreSQL) before the totals are summed, so a second commitment or approval of the same budget waits for the
first to commit and then sees it. SQLite serialises writers itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, cast, extract, false, func, null, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import Integer

from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import Family, Member
from resettle.funding.allocation import (
    Arrivals,
    BudgetFigures,
    Household,
    RuleBasis,
    RuleTerms,
    arrivals_allocation,
    esol_adult_by_age,
    family_allocation,
    pool_allocation,
)
from resettle.funding.models import FundingStream, StreamScope
from resettle.funding.queries import list_streams
from resettle.funding.spend_models import HOLDING_STATUSES, SPENT_STATUSES, FundingBudget, SpendLine, SpendStatus

# Errors the date arithmetic raises on a stored value out of range (year 10000, a huge number).
ODD_RECORD_ERRORS = (ValueError, OverflowError, ArithmeticError, TypeError)
# Families arriving after this day are computed one by one, so one whose anniversaries do not exist (year
# 10000) is named and left out rather than counted by the grouped arithmetic.
LAST_GROUPED_ARRIVAL = date(9000, 12, 31)


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
    # scheme code -> its households grouped by arrival day: those arrived by `as_at` (what pools count), or
    # every household with an arrival date when the book was loaded with `whole_streams`
    arrivals: dict[str, list[Arrivals]]
    # (stream id, family id or None for pools, kind) -> pence; kind is committed / spent / pending
    totals: dict[tuple[int, int | None, str], int]
    # households arriving after LAST_GROUPED_ARRIVAL, by scheme code: computed one by one
    odd_households: dict[str, list[tuple[int, Household]]] = field(default_factory=dict)
    # (stream id, scheme code, kind) -> pence over every family of the scheme (`whole_streams` only)
    scheme_totals: dict[tuple[int, str, str], int] = field(default_factory=dict)
    skipped: list[SkippedRecord] = field(default_factory=list)
    _skipped_ids: set[int] = field(default_factory=set)
    _terms: dict[int, list[RuleTerms]] = field(default_factory=dict)
    _grouped: dict[tuple[int, bool], int] = field(default_factory=dict)
    _by_household: dict[tuple[int, Household], int] = field(default_factory=dict)
    _streams_of: dict[str, list[FundingStream]] = field(default_factory=dict)

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
        key = (stream.id, household)  # households alike (same arrival day, same births) share the figure
        if key not in self._by_household:
            try:
                self._by_household[key] = family_allocation(self.rules_of(stream), household, self.as_at)
            except ODD_RECORD_ERRORS as error:
                self._skip(family_id, error)
                return 0
        return self._by_household[key]

    def _households_allocation(self, stream: FundingStream, arrived_only: bool) -> int:
        """What the households of the stream's scheme bring under its per-family rules, summed: those arrived
        by the day (a pool) or all of them (a stream's total). Computed once per stream."""
        key = (stream.id, arrived_only)
        if key not in self._grouped:
            per_family = [rule for rule in self.rules_of(stream) if rule.basis is not RuleBasis.COUNCIL_FIXED]
            scheme = stream.scheme.code
            groups = [
                group for group in self.arrivals.get(scheme, []) if not arrived_only or group.arrival_date <= self.as_at
            ]
            total = arrivals_allocation(per_family, groups, self.as_at)
            for family_id, household in self.odd_households.get(scheme, []):
                if arrived_only and household.arrival_date > self.as_at:
                    continue
                try:
                    total += family_allocation(per_family, household, self.as_at)
                except ODD_RECORD_ERRORS as error:
                    self._skip(family_id, error)
            self._grouped[key] = total
        return self._grouped[key]

    def _pool_allocation(self, stream: FundingStream) -> int:
        fixed = pool_allocation(self.rules_of(stream), [], self.as_at)  # the council's fixed amounts
        return fixed + self._households_allocation(stream, arrived_only=True)

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

    def stream_figures(self, stream: FundingStream) -> BudgetFigures:
        """A stream's budgets taken together: the pool, or every family's own budget of the stream's scheme
        summed (the book must be loaded with `whole_streams`)."""
        if stream.scope is StreamScope.POOL:
            return self.pool_figures(stream)
        scheme = stream.scheme.code
        return BudgetFigures(
            self._households_allocation(stream, arrived_only=False),
            self.scheme_totals.get((stream.id, scheme, "committed"), 0),
            self.scheme_totals.get((stream.id, scheme, "spent"), 0),
            self.scheme_totals.get((stream.id, scheme, "pending"), 0),
        )

    def figures(self, stream: FundingStream, family_id: int | None) -> BudgetFigures:
        if stream.scope is StreamScope.POOL:
            return self.pool_figures(stream)
        return BudgetFigures(0, 0, 0) if family_id is None else self.family_figures(stream, family_id)

    def streams_of_scheme(self, scheme_code: str) -> list[FundingStream]:
        if scheme_code not in self._streams_of:
            streams = [s for s in self.streams if s.scheme.code == scheme_code]
            streams.sort(key=lambda s: (s.scope is StreamScope.POOL, s.code))
            self._streams_of[scheme_code] = streams
        return list(self._streams_of[scheme_code])

    def family_views(self, family: Family) -> list[BudgetView]:
        """Every stream of the family's scheme open on the day: its own budgets, then the pools it draws on."""
        views = []
        for stream in self.streams_of_scheme(family.scheme.value):
            if stream.scope is StreamScope.POOL:
                views.append(BudgetView(stream, None, self.pool_figures(stream)))
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


def _code(scheme: object) -> str:
    value = getattr(scheme, "value", scheme)
    return str(value)


def _date_part(field: str, column: Any) -> ColumnElement[int]:
    """The year, month or day of a date as an integer: EXTRACT, or on PostgreSQL date_part cast to integer
    (EXTRACT gives a numeric there, several times slower over thousands of rows)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_part(field, column), Integer)
    return extract(field, column)


def _month_day(column: Any) -> ColumnElement[int]:
    return _date_part("month", column) * 100 + _date_part("day", column)


def grouped_arrivals(
    schemes: Iterable[str], arrived_by: date | None
) -> tuple[dict[str, list[Arrivals]], list[tuple[str, date]]]:
    """The households of `schemes` with an arrival date (on or before `arrived_by`, unless None) grouped by
    scheme and arrival day, with their beneficiaries counted by age at arrival and whether each is an ESOL
    adult: two grouped statements, whatever the number of families. The age and the birthday test are
    computed in the database from years, months and days, as `age_on` and `birthday_on` compute them.
    Arrival days after LAST_GROUPED_ARRIVAL are returned apart, as (scheme code, day), to be computed one by one."""
    scheme_list = sorted(set(schemes))
    if not scheme_list:
        return {}, []
    scope = Family.arrival_date.is_not(None) & Family.scheme.in_(scheme_list)
    if arrived_by is not None:
        scope = scope & (Family.arrival_date <= arrived_by)
    counts: dict[tuple[str, date], int] = {}
    odd: list[tuple[str, date]] = []
    households = select(Family.scheme, Family.arrival_date, func.count()).where(scope)
    for scheme, arrival, count in db.session.execute(households.group_by(Family.scheme, Family.arrival_date)):
        key = (_code(scheme), arrival)
        if arrival > LAST_GROUPED_ARRIVAL:
            odd.append(key)
        else:
            counts[key] = int(count)
    # Beneficiaries alike (same scheme, arrival day and date of birth) counted first, on the stored columns;
    # then the age at arrival and the birthday test once per such group.
    alike = (
        select(
            Family.scheme.label("scheme"),
            Family.arrival_date.label("arrival"),
            Member.date_of_birth.label("born"),
            func.count().label("people"),
        )
        .select_from(Member)
        .join(Family, Family.id == Member.family_id)
        .where(
            scope,
            Family.arrival_date <= LAST_GROUPED_ARRIVAL,
            Member.date_of_birth <= Family.arrival_date,  # a baby born after arrival is not a beneficiary
            or_(Member.joined_on.is_(None), Member.joined_on <= Family.arrival_date),  # nor someone who joined later
        )
        .group_by(Family.scheme, Family.arrival_date, Member.date_of_birth)
        .subquery()
    )
    arrival_day, born = alike.c.arrival, alike.c.born
    year = _date_part("year", arrival_day)
    is_leap_year = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    birthday_today = (_month_day(arrival_day) == _month_day(born)) | (
        (_month_day(born) == 229) & (_month_day(arrival_day) == 301) & ~is_leap_year
    )
    people = select(
        alike.c.scheme,
        arrival_day,
        (year - _date_part("year", born) - case((_month_day(arrival_day) < _month_day(born), 1), else_=0)).label("age"),
        case((birthday_today, 1), else_=0).label("birthday"),
        alike.c.people,
    ).subquery()
    grouped = select(
        people.c.scheme, people.c.arrival, people.c.age, people.c.birthday, func.sum(people.c.people)
    ).group_by(people.c.scheme, people.c.arrival, people.c.age, people.c.birthday)
    beneficiaries: dict[tuple[str, date], dict[tuple[int, bool], int]] = defaultdict(dict)
    for scheme, arrival, age, birthday_flag, count in db.session.execute(grouped):
        age_at_arrival = int(age)
        group = (age_at_arrival, esol_adult_by_age(age_at_arrival, bool(birthday_flag)))
        by_age = beneficiaries[(_code(scheme), arrival)]
        by_age[group] = by_age.get(group, 0) + int(count)
    arrivals: dict[str, list[Arrivals]] = defaultdict(list)
    for (scheme_code, arrival), count in sorted(counts.items()):
        arrivals[scheme_code].append(Arrivals(arrival, count, beneficiaries.get((scheme_code, arrival), {})))
    return dict(arrivals), odd


def _scheme_spend_totals(streams: list[FundingStream]) -> dict[tuple[int, str, str], int]:
    """One grouped statement: committed, spent and pending pence per family stream and scheme of the family,
    over every family (a stream's total counts the families of its own scheme)."""
    stream_ids = [s.id for s in streams if s.scope is StreamScope.FAMILY]
    if not stream_ids:
        return {}
    kind = case(
        (SpendLine.status.in_(SPENT_STATUSES), "spent"),
        (SpendLine.status.in_(HOLDING_STATUSES) & SpendLine.match_id.is_not(None), "committed"),
        else_="other",
    )
    statement = (
        select(
            SpendLine.stream_id,
            Family.scheme,
            kind.label("kind"),
            func.sum(case((SpendLine.status == SpendStatus.SUBMITTED, SpendLine.amount_pence), else_=0)),
            func.sum(SpendLine.amount_pence),
        )
        .select_from(SpendLine)
        .join(Family, Family.id == SpendLine.family_id)
        .where(SpendLine.stream_id.in_(stream_ids))
        .group_by(SpendLine.stream_id, Family.scheme, kind)
    )
    totals: dict[tuple[int, str, str], int] = defaultdict(int)
    for stream_id, scheme, kind_name, submitted, amount in db.session.execute(statement):
        if kind_name != "other":
            totals[(stream_id, _code(scheme), kind_name)] += int(amount or 0)
        totals[(stream_id, _code(scheme), "pending")] += int(submitted or 0)
    return dict(totals)


def families_with_use() -> Select[tuple[int]]:
    """Ids of the families with something committed or spent on one of their budgets (only such a budget can
    be 80% or more used): a subquery for `Family.id.in_(...)`."""
    return select(SpendLine.family_id).where(
        SpendLine.status.in_(SPENT_STATUSES)
        | (SpendLine.status.in_(HOLDING_STATUSES) & SpendLine.match_id.is_not(None))
    )


def _spend_totals(
    streams: list[FundingStream], family_ids: Iterable[int] | None, family_filter: ColumnElement[bool] | None = None
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
    if family_filter is not None:  # as a subquery: a caseload may be thousands of families
        family_scope = family_scope & SpendLine.family_id.in_(select(Family.id).where(family_filter))
    elif family_ids is not None:
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
    whole_streams: bool = False,
) -> BudgetBook:
    """Budget figures for `families` (all families when None, or those `family_filter` selects, such as one
    caseworker's) and every pool, on `as_at`, in a fixed number of statements: the open streams with their
    rules, the households, the households grouped by arrival day for the pools, the spend sums.
    `whole_streams`: also each family stream's total over every family of its scheme (`stream_figures`),
    from the same grouped households and one more grouped sum (pass `families=[]` when no family's own
    figures are needed)."""
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
    # Pools count the families of their scheme who have arrived by the day; a stream's total counts them all.
    grouped_schemes = {s.scheme.code for s in streams if whole_streams or s.scope is StreamScope.POOL}
    arrivals, odd = grouped_arrivals(grouped_schemes, None if whole_streams else as_at)
    odd_households: dict[str, list[tuple[int, Household]]] = defaultdict(list)
    if odd:
        odd_filter = or_(*[(Family.scheme == scheme) & (Family.arrival_date == day) for scheme, day in odd])
        odd_source = _households(odd_filter)
        references = {**odd_source[2], **references}
        for family_id, household in odd_source[0].items():
            if household is not None:
                odd_households[odd_source[1][family_id]].append((family_id, household))
    totals = _spend_totals(streams, family_ids, family_filter)
    return BudgetBook(
        as_at=as_at,
        streams=streams,
        households=households,
        scheme_of=schemes,
        reference_of=references,
        arrivals=arrivals,
        totals=totals,
        odd_households=dict(odd_households),
        scheme_totals=_scheme_spend_totals(streams) if whole_streams else {},
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
