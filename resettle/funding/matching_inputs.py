"""What the matching engine needs to know about money, in the shapes of shared/matching/SPEC.md.

`problem_funding(day)` gives the problem's `streams` list and, for each family (by Family.id), the
`budgets` and `pools` to put on its entry. Budgets and pool budgets are what remains after approved spend
and accepted paid matches, so the engine never plans to spend money that is already gone.

A stream's `excluded_items` are the expense-category codes its scheme blocks or pays for only with a
reviewer's approval: the engine may not charge those to funds on its own (it can still propose a donation).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus
from resettle.funding.budgets import BudgetBook, load_book
from resettle.funding.models import CategoryEligibility, Eligibility, ExpenseCategory, FundingStream, StreamScope
from resettle.funding.queries import list_streams

# Families whose case is over draw on nothing.
INACTIVE_STATUSES = (FamilyStatus.CLOSED, FamilyStatus.MOVED_ON)


def excluded_items_by_scheme() -> dict[int, list[str]]:
    rows = db.session.execute(
        select(CategoryEligibility.scheme_id, ExpenseCategory.code)
        .join(ExpenseCategory, CategoryEligibility.expense_category_id == ExpenseCategory.id)
        .where(CategoryEligibility.eligibility.in_([Eligibility.BLOCKED, Eligibility.NEEDS_APPROVAL]))
    )
    excluded: dict[int, set[str]] = {}
    for scheme_id, code in rows:
        excluded.setdefault(scheme_id, set()).add(code)
    return {scheme_id: sorted(codes) for scheme_id, codes in excluded.items()}


def stream_entry(stream: FundingStream, excluded: list[str], book: BudgetBook) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": stream.code,
        "scope": stream.scope.value,
        "categories": sorted(category.value for category in stream.categories),
        "excluded_items": excluded,
    }
    if stream.scope is StreamScope.POOL:
        entry["budget"] = max(0, book.pool_figures(stream).remaining)
    return entry


def problem_funding(
    day: date, families: Iterable[Family] | None = None, streams: list[FundingStream] | None = None
) -> dict[str, Any]:
    """{"streams": [...], "families": {family_id: {"budgets": {stream: pence}, "pools": [stream, ...]}},
    "skipped": [SkippedRecord, ...]} for every family still supported (or only `families`), in a fixed number of
    statements. A family whose budget cannot be computed gets no budget (the engine may still propose donations)
    and is listed in "skipped". `streams`: only these of the streams open on the day (all of them when None), for
    a question about some families and some kinds of need, whose answer the other streams cannot change."""
    streams = list_streams(open_on=day) if streams is None else streams
    excluded = excluded_items_by_scheme()
    every_family = families is None
    family_list: list[Family] = []
    if families is None:
        # Every supported family as (id, scheme): plain columns, not records, at any number of families.
        held = select(Family.id, Family.scheme).where(Family.status.not_in(INACTIVE_STATUSES)).order_by(Family.id)
        schemes = [(family_id, scheme.value) for family_id, scheme in db.session.execute(held)]
    else:
        family_list = [family for family in families if family.status not in INACTIVE_STATUSES]
        schemes = [(family.id, family.scheme.value) for family in family_list]
    book = load_book(day, families=None if every_family else family_list, streams=streams)
    streams_of_scheme = {scheme: book.streams_of_scheme(scheme) for scheme in {scheme for _, scheme in schemes}}
    by_family: dict[int, dict[str, Any]] = {}
    for family_id, scheme in schemes:
        budgets: dict[str, int] = {}
        pools: list[str] = []
        for stream in streams_of_scheme[scheme]:
            if stream.scope is StreamScope.POOL:
                pools.append(stream.code)
                continue
            figures = book.family_figures(stream, family_id)
            if figures.allocated > 0:
                budgets[stream.code] = max(0, figures.remaining)
        by_family[family_id] = {"budgets": budgets, "pools": pools}
    stream_entries = sorted(
        (stream_entry(s, excluded.get(s.scheme_id, []), book) for s in streams), key=lambda entry: entry["id"]
    )
    return {"streams": stream_entries, "families": by_family, "skipped": book.skipped}
