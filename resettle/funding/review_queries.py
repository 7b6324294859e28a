"""Read side of spend: the caseworkers' list, the reviewers' queue with filters, and the dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, func, inspect, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from resettle.bounds import clamp_filter_date
from resettle.clock import local_midnight
from resettle.extensions import db
from resettle.families.models import Family
from resettle.funding.budgets import BudgetBook, load_book
from resettle.funding.models import (
    CategoryEligibility,
    Eligibility,
    ExpenseCategory,
    FundingScheme,
    FundingStream,
)
from resettle.funding.spend_models import SPENT_STATUSES, ClaimBatch, Receipt, SpendLine, SpendStatus
from resettle.web.search import LIKE_ESCAPE, like_pattern
from resettle.words import format_pence

if TYPE_CHECKING:
    from resettle.need_to_know.policy import FamilyNameVisibility


@dataclass
class SpendFilters:
    status: SpendStatus | None = None
    scheme_id: int | None = None
    stream_id: int | None = None
    family_reference: str | None = None
    needs_approval_only: bool = False
    submitted_from: date | None = None
    submitted_to: date | None = None
    # The reviewers' queue: committed lines are a match's money set aside, not spend to review, until submitted.
    without_committed: bool = False
    # The search box: a spend reference, a family reference (or name, where `names` lets the viewer see it),
    # an offer reference or words of the item.
    search: str = ""
    names: FamilyNameVisibility | None = None


def spend_search(text: str, names: FamilyNameVisibility | None) -> ColumnElement[bool]:
    """Spend lines that `text` finds."""
    # Funding sits below matching and beside offers, so the match and its offer are reached through the mappers.
    match_class = inspect(SpendLine).relationships["match"].mapper.class_
    offer_class = inspect(match_class).relationships["offer"].mapper.class_
    pattern = like_pattern(text)
    by_family: ColumnElement[bool] = Family.reference.ilike(pattern, escape=LIKE_ESCAPE)
    if names is not None:
        by_family = or_(by_family, and_(Family.name.ilike(pattern, escape=LIKE_ESCAPE), names.clause()))
    found = [
        SpendLine.family.has(by_family),
        SpendLine.match.has(match_class.offer.has(offer_class.reference.ilike(pattern, escape=LIKE_ESCAPE))),
        SpendLine.item_description.ilike(pattern, escape=LIKE_ESCAPE),
    ]
    number = text.strip().upper().removeprefix("S")
    if number.isdigit() and len(number) <= 9:
        found.append(SpendLine.id == int(number))
    return or_(*found)


def spend_row_options() -> tuple[Any, ...]:
    """What a table of spend lines shows of each line, loaded in a fixed number of statements."""
    # `SpendLine.match` is the matching package's backref; its class is reached through the mapper, since funding
    # sits below matching and does not import it.
    match_class = inspect(SpendLine).relationships["match"].mapper.class_
    return (
        selectinload(SpendLine.family),
        selectinload(SpendLine.stream),
        selectinload(SpendLine.match).selectinload(match_class.offer),
        selectinload(SpendLine.expense_category),
        selectinload(SpendLine.receipts),
    )


def spend_line_page_options() -> tuple[Any, ...]:
    """What the page of one spend line shows of it, loaded with it whichever of its links are set: a link left
    to load lazily costs a statement only when it is set, so the page's statements would depend on the line."""
    match_class = inspect(SpendLine).relationships["match"].mapper.class_
    return (
        joinedload(SpendLine.family),
        joinedload(SpendLine.need),
        joinedload(SpendLine.stream).joinedload(FundingStream.scheme),
        joinedload(SpendLine.expense_category),
        joinedload(SpendLine.created_by),
        joinedload(SpendLine.decided_by),
        joinedload(SpendLine.claim_batch),
        joinedload(SpendLine.match).joinedload(match_class.offer),
        joinedload(SpendLine.match).joinedload(match_class.offer_item),
        selectinload(SpendLine.receipts),
    )


def spend_query(filters: SpendFilters, load_related: bool = True) -> Select[Any]:
    """Spend lines the filters find, in the list's order; `load_related=False` leaves out the loading of what a
    table shows of each line (for a statement of plain columns, such as the CSV export)."""
    statement = select(SpendLine).join(FundingStream, SpendLine.stream_id == FundingStream.id)
    if load_related:
        statement = statement.options(*spend_row_options())
    if filters.status is not None:
        statement = statement.where(SpendLine.status == filters.status)
    if filters.without_committed:
        statement = statement.where(SpendLine.status != SpendStatus.COMMITTED)
    if filters.scheme_id:
        statement = statement.where(FundingStream.scheme_id == filters.scheme_id)
    if filters.stream_id:
        statement = statement.where(SpendLine.stream_id == filters.stream_id)
    if filters.family_reference:
        statement = statement.join(Family, SpendLine.family_id == Family.id).where(
            Family.reference == filters.family_reference.strip().upper()
        )
    if filters.search:
        statement = statement.where(spend_search(filters.search, filters.names))
    if filters.needs_approval_only:
        statement = statement.join(
            CategoryEligibility,
            (CategoryEligibility.scheme_id == FundingStream.scheme_id)
            & (CategoryEligibility.expense_category_id == SpendLine.expense_category_id),
        ).where(CategoryEligibility.eligibility == Eligibility.NEEDS_APPROVAL)
    # Any real date is a valid filter; clamped so that the day after 31/12/9999 is never computed.
    if filters.submitted_from:
        statement = statement.where(SpendLine.submitted_at >= local_midnight(clamp_filter_date(filters.submitted_from)))
    if filters.submitted_to:
        end = local_midnight(clamp_filter_date(filters.submitted_to) + timedelta(days=1))
        statement = statement.where(SpendLine.submitted_at < end)
    if filters.status is SpendStatus.SUBMITTED:
        return statement.order_by(SpendLine.submitted_at, SpendLine.id)  # oldest first: a queue
    return statement.order_by(SpendLine.updated_at.desc(), SpendLine.id.desc())


def spend_export_query(filters: SpendFilters) -> Select[Any]:
    """The spend list's lines as plain columns, with their family, category, stream and match's offer joined: one
    statement read as it is sent, however many lines."""
    # Funding sits below matching and beside offers, so the match and its offer are reached through the mappers.
    match_class = inspect(SpendLine).relationships["match"].mapper.class_
    offer_class = inspect(match_class).relationships["offer"].mapper.class_
    # Its own name: the family filter joins the families table too.
    family = aliased(Family, name="exported_family")
    return (
        spend_query(filters, load_related=False)
        .with_only_columns(
            SpendLine.id,
            family.id.label("family_id"),
            family.reference.label("family_reference"),
            family.name.label("family_name"),
            family.caseworker_id.label("caseworker_id"),
            ExpenseCategory.label.label("expense_category"),
            SpendLine.item_description,
            offer_class.reference.label("offer_reference"),
            FundingStream.code.label("stream_code"),
            SpendLine.spend_date,
            SpendLine.amount_pence,
            SpendLine.status,
            SpendLine.submitted_at,
        )
        .join(family, family.id == SpendLine.family_id)
        .join(ExpenseCategory, ExpenseCategory.id == SpendLine.expense_category_id)
        .outerjoin(match_class, match_class.id == SpendLine.match_id)
        .outerjoin(offer_class, offer_class.id == match_class.offer_id)
    )


def get_line_by_public_id(public_id: str, options: tuple[Any, ...] = ()) -> SpendLine | None:
    statement = select(SpendLine).where(SpendLine.public_id == public_id).options(*options)
    return db.session.execute(statement).unique().scalar_one_or_none()


@dataclass(frozen=True)
class ChartRow:
    label: str
    value: int  # pence
    percent_of_max: int  # bar length, 0-100
    css_modifier: str = ""
    detail: str = ""


def _chart(rows: list[tuple[str, int, str, str]]) -> list[ChartRow]:
    biggest = max((value for _, value, _, _ in rows), default=0)
    return [
        ChartRow(label, value, 0 if biggest <= 0 else value * 100 // biggest, modifier, detail)
        for label, value, modifier, detail in rows
    ]


def spend_by_stream() -> list[ChartRow]:
    # Streams by name and scheme ("Core tariff (VPRS)"): names may repeat across schemes, codes are not for reading.
    rows = db.session.execute(
        select(FundingStream.name, FundingScheme.code, func.sum(SpendLine.amount_pence))
        .join(FundingStream, SpendLine.stream_id == FundingStream.id)
        .join(FundingScheme, FundingStream.scheme_id == FundingScheme.id)
        .where(SpendLine.status.in_(SPENT_STATUSES))
        .group_by(FundingStream.name, FundingScheme.code)
    )
    totals: dict[str, int] = {}
    for name, scheme_code, total in rows:
        label = f"{name} ({scheme_code})"
        totals[label] = totals.get(label, 0) + int(total or 0)
    return _chart([(label, value, "", "") for label, value in sorted(totals.items())])


def spend_by_month(today: date, months: int = 12) -> list[ChartRow]:
    first = today.replace(day=1)
    keys = []
    for _ in range(months):
        keys.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    keys.reverse()
    totals = dict.fromkeys(keys, 0)
    # Grouped by day in the database (at most a year of rows), by month here: portable across databases.
    rows = db.session.execute(
        select(SpendLine.spend_date, func.sum(SpendLine.amount_pence))
        .where(SpendLine.status.in_(SPENT_STATUSES), SpendLine.spend_date >= keys[0])
        .group_by(SpendLine.spend_date)
    )
    for day, total in rows:
        month = day.replace(day=1)
        if month in totals:
            totals[month] += int(total or 0)
    return _chart([(f"{month:%B %Y}", value, "", "") for month, value in totals.items()])


def budget_use(today: date, book: BudgetBook | None = None) -> list[ChartRow]:
    """Per open stream, the share of all its budgets (families' and pool) that is committed or spent, from one
    budget book loaded with `whole_streams` (households grouped by arrival day: a fixed number of statements,
    and arithmetic once per arrival day rather than once per family)."""
    book = book or load_book(today, families=[], whole_streams=True)
    rows = []
    for stream in book.streams:
        figures = book.stream_figures(stream)
        allocated, used = figures.allocated, figures.used
        if allocated == 0 and used == 0:
            continue
        percent = 100 if allocated <= 0 else min(100, used * 100 // allocated)
        modifier = "over" if percent >= 100 else "warning" if percent >= 80 else ""
        rows.append(
            ChartRow(
                f"{stream.scheme.code}: {stream.name}",
                used,
                percent,
                modifier,
                f"{'less than 1' if used and not percent else percent}% of {format_pence(allocated)} used",
            )
        )
    return rows


def family_spend_lines(family: Family) -> list[SpendLine]:
    """A family's spend, newest first, with what its table shows."""
    statement = (
        select(SpendLine)
        .where(SpendLine.family_id == family.id)
        .order_by(SpendLine.spend_date.desc(), SpendLine.id.desc())
        .options(*spend_row_options())
    )
    return list(db.session.execute(statement).scalars())


def family_choices(caseworker_id: int, chosen_reference: str | None = None) -> list[tuple[str, str, str]]:
    """The spend form's families as (reference, name, scheme code), by name: the caseworker's own caseload and
    the family already chosen (from a family's page, or the line being edited). Plain columns, not records; a
    list of every family would be thousands of options at London size, of no use to anyone choosing."""
    statement = select(Family.reference, Family.name, Family.scheme).order_by(Family.name, Family.id)
    own: ColumnElement[bool] = Family.caseworker_id == caseworker_id
    if chosen_reference:
        own = or_(own, Family.reference == chosen_reference)
    rows = db.session.execute(statement.where(own))
    return [(reference, name, str(getattr(scheme, "value", scheme))) for reference, name, scheme in rows]


def families_with_budgets_query() -> Select[tuple[Family]]:
    """Families that have arrived (and so have budgets), by name."""
    return select(Family).where(Family.arrival_date.is_not(None)).order_by(Family.name, Family.id)


def get_receipt_by_public_id(public_id: str) -> Receipt | None:
    return db.session.execute(select(Receipt).where(Receipt.public_id == public_id)).scalar_one_or_none()


def get_claim_batch_by_public_id(public_id: str) -> ClaimBatch | None:
    return db.session.execute(select(ClaimBatch).where(ClaimBatch.public_id == public_id)).scalar_one_or_none()
