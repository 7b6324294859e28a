"""Read helpers for the funding configuration."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from resettle.extensions import db
from resettle.funding.models import (
    CategoryEligibility,
    Eligibility,
    ExpenseCategory,
    FundingScheme,
    FundingStream,
)

# No row for a scheme and category: the cautious answer until the finance lead records one.
DEFAULT_ELIGIBILITY = Eligibility.NEEDS_APPROVAL


def list_schemes() -> list[FundingScheme]:
    statement = (
        select(FundingScheme)
        .order_by(FundingScheme.code)
        .options(
            selectinload(FundingScheme.streams).selectinload(FundingStream.rules),
            selectinload(FundingScheme.streams).selectinload(FundingStream.category_links),
        )
    )
    return list(db.session.execute(statement).scalars())


def get_scheme_by_code(code: str) -> FundingScheme | None:
    return db.session.execute(select(FundingScheme).where(FundingScheme.code == code.upper())).scalar_one_or_none()


def list_streams(open_on: date | None = None) -> list[FundingStream]:
    statement = (
        select(FundingStream)
        .order_by(FundingStream.code)
        .options(
            selectinload(FundingStream.rules),
            selectinload(FundingStream.category_links),
            selectinload(FundingStream.scheme),
        )
    )
    streams = list(db.session.execute(statement).scalars())
    return [stream for stream in streams if open_on is None or stream.is_open_on(open_on)]


def list_expense_categories(active_only: bool = False) -> list[ExpenseCategory]:
    statement = select(ExpenseCategory).order_by(ExpenseCategory.category, ExpenseCategory.label)
    if active_only:
        statement = statement.where(ExpenseCategory.is_active.is_(True))
    return list(db.session.execute(statement).scalars())


def eligibility_map(scheme_id: int) -> dict[int, CategoryEligibility]:
    rows = db.session.execute(select(CategoryEligibility).where(CategoryEligibility.scheme_id == scheme_id)).scalars()
    return {row.expense_category_id: row for row in rows}


def eligibility_of(scheme_id: int, expense_category_id: int) -> Eligibility:
    row = db.session.execute(
        select(CategoryEligibility.eligibility).where(
            CategoryEligibility.scheme_id == scheme_id, CategoryEligibility.expense_category_id == expense_category_id
        )
    ).scalar_one_or_none()
    return row or DEFAULT_ELIGIBILITY


def eligibility_table() -> tuple[list[FundingScheme], list[ExpenseCategory], dict[tuple[int, int], Eligibility]]:
    """Every expense category against every scheme, for the eligibility page."""
    schemes = list(db.session.execute(select(FundingScheme).order_by(FundingScheme.code)).scalars())
    categories = list_expense_categories()
    cells = {
        (row.scheme_id, row.expense_category_id): row.eligibility
        for row in db.session.execute(select(CategoryEligibility)).scalars()
    }
    return schemes, categories, cells
